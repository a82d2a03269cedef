// Who may do what with the showcase, in one place. Reading published entries is public.
// - Any signed-in account with a confirmed e-mail may submit an entry; it waits for review.
// - An admin publishes or rejects it (the stated rule: nothing is public before an admin's
//   review; later edits by its authors stay published, a rejected entry they change goes back
//   to review, and every change is audited).
// - The entry's editors are the account that submitted it, the accounts linked as its authors,
//   and admins. They see it before it is published.
// - A city's editors (catalog/policy.ts: members of the city's council with the city_editor role)
//   mark where it runs (adoption, with dates) and "we want this" only for their own cities.
import type { CurrentUser } from '../../platform/auth.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import type { Policy } from '../../platform/http/guards.ts';
import { canEditCity, editableCityIds } from '../catalog/policy.ts';

export interface EntryOwnership {
  status: 'pending' | 'published' | 'rejected';
  submitted_by: number | null;
  author_user_ids: number[];
}

export const canSubmit: Policy = (user) => user.emailConfirmed;

export const canReview: Policy = (user) => user.isAdmin;

export function canEditEntry(user: CurrentUser | null, entry: EntryOwnership): boolean {
  if (!user) return false;
  return user.isAdmin || entry.submitted_by === user.id || entry.author_user_ids.includes(user.id);
}

export function assertCanEditEntry(user: CurrentUser | null, entry: EntryOwnership): void {
  if (!canEditEntry(user, entry)) throw new ForbiddenError('only the entry’s authors may change it');
}

/** Published entries are public; others only to their editors. */
export function canSeeEntry(user: CurrentUser | null, entry: EntryOwnership): boolean {
  return entry.status === 'published' || canEditEntry(user, entry);
}

/** The cities whose adoption and demand the user may mark; null: every city (admin). */
export function markableCityIds(user: CurrentUser | null): number[] | null {
  return editableCityIds(user);
}

export function canMarkForCity(user: CurrentUser | null, cityId: number): boolean {
  return user !== null && canEditCity(user, cityId);
}

export function assertCanMarkForCity(user: CurrentUser | null, cityId: number): void {
  if (!canMarkForCity(user, cityId)) throw new ForbiddenError('only this city’s editors may mark this');
}
