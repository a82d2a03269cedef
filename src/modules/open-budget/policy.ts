// Who may do what with city budgets: everyone reads; a city's editors (and admins) import its
// files and enter its approved budget. The one place this module decides it.
import type { CurrentUser } from '../../platform/auth.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import { canEditCity, editableCityIds } from '../catalog/policy.ts';

export function canImportBudget(user: CurrentUser | null, cityId: number): boolean {
  return canEditCity(user, cityId);
}

export function assertCanImportBudget(user: CurrentUser | null, cityId: number): void {
  if (!canImportBudget(user, cityId)) throw new ForbiddenError('not an editor of this city');
}

/** The cities whose imports the user follows on the dashboard; null = all (admin). */
export function importingCityIds(user: CurrentUser | null): number[] | null {
  return editableCityIds(user);
}
