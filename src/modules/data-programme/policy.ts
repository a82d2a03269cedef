// Who may do what in the data programme, in one place. The reference lists are the law's, so only
// admins change them; a dataset's editors (its city's editors and admins) declare which list items
// it fulfils; compliance, the lists and the history are public.
import type { CurrentUser } from '../../platform/auth.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import type { Policy } from '../../platform/http/guards.ts';
import { canEditCity } from '../catalog/policy.ts';

export const canManageLists: Policy = (user) => user.isAdmin;

export function canDeclareFor(user: CurrentUser | null, dataset: { city_id: number }): boolean {
  return user !== null && canEditCity(user, dataset.city_id);
}

export function assertCanDeclareFor(user: CurrentUser | null, dataset: { city_id: number }): void {
  if (!canDeclareFor(user, dataset)) throw new ForbiddenError('not an editor of this city');
}

/** A city's register is kept by its editors (and admins); reading it is public. */
export function canEditInventory(user: CurrentUser | null, cityId: number): boolean {
  return user !== null && canEditCity(user, cityId);
}

/** A city's compliance is published as a dataset of its catalog by the city's editors (and admins). */
export const canPublishCompliance = canEditInventory;
