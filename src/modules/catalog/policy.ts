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

/**
 * What a reader sees besides published datasets: the drafts and private datasets of the cities
 * they edit (an admin's, all). `include` narrows that, as CKAN's package_search does: drafts only
 * with include_drafts, private datasets only with include_private.
 */
export function visibilityFor(
  user: CurrentUser | null,
  include: { drafts: boolean; private: boolean } = { drafts: true, private: true },
): Visibility {
  const cities = editableCityIds(user);
  const states = [...(include.drafts ? (['draft'] as const) : []), ...(include.private ? (['private'] as const) : [])];
  return cities === null ? { all: true, states } : { all: false, cityIds: cities, states };
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
