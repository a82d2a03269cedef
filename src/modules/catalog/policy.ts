// Who may do what in the catalog. Published datasets are public. A city editor creates and
// changes the datasets of the city whose council they belong to; an admin, any city's.
// Drafts and private datasets are visible only to those who may edit them.
import type { CurrentUser } from '../../platform/auth.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import type { Policy } from '../../platform/http/guards.ts';
import type { Dataset, Visibility } from './service.ts';

/** The cities whose data the user may edit; null means every city (admin). */
export function editableCityIds(user: CurrentUser | null): number[] | null {
  if (!user) return [];
  if (user.isAdmin) return null;
  return user.memberships.filter((m) => m.role === 'city_editor' && m.cityId !== null).map((m) => m.cityId!);
}

export function visibilityFor(user: CurrentUser | null): Visibility {
  const cities = editableCityIds(user);
  return cities === null ? { all: true } : { all: false, cityIds: cities };
}

/** An editor of at least one city (or an admin): may publish data, moderate petitions, run budgets. */
export const editsSomeCity: Policy = (user) => {
  const cities = editableCityIds(user);
  return cities === null || cities.length > 0;
};
export const canPublishData = editsSomeCity;

/** A city's editors and admins act for the city: its data, its petitions, its budget. */
export function canEditCity(user: CurrentUser | null, cityId: number): boolean {
  const cities = editableCityIds(user);
  return cities === null || cities.includes(cityId);
}

export function canEditDataset(user: CurrentUser | null, dataset: Pick<Dataset, 'city_id'>): boolean {
  return canEditCity(user, dataset.city_id);
}

export function assertCanEditDataset(user: CurrentUser | null, dataset: Pick<Dataset, 'city_id'>): void {
  if (!canEditDataset(user, dataset)) throw new ForbiddenError('not an editor of this city');
}
