// Who may do what with community events, in one place. Reading is public. An event is run by
// its organisers: the members (any role) of the organisations organising it, and admins. Anyone
// who belongs to an organisation may create an event for it; a signed-in person with a confirmed
// e-mail may register.
import type { CurrentUser } from '../../platform/auth.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import type { Policy } from '../../platform/http/guards.ts';

/** The organisations the user may organise events for; null means every one (admin). */
export function organizingOrganizationIds(user: CurrentUser | null): number[] | null {
  if (!user) return [];
  if (user.isAdmin) return null;
  return [...new Set(user.memberships.flatMap((m) => (m.organizationId === null ? [] : [m.organizationId])))];
}

export const canCreateEvents: Policy = (user) => {
  const ids = organizingOrganizationIds(user);
  return ids === null || ids.length > 0;
};

/** Organisers of this event: members of one of its organisations, or an admin. */
export function canOrganize(user: CurrentUser | null, event: { organizer_ids: number[] }): boolean {
  const ids = organizingOrganizationIds(user);
  return ids === null || event.organizer_ids.some((id) => ids.includes(id));
}

export function assertCanOrganize(user: CurrentUser | null, event: { organizer_ids: number[] }): void {
  if (!canOrganize(user, event)) throw new ForbiddenError('only the organisers of this event may do this');
}

/**
 * Whether the user may name these organisations as an event's organisers: every one must be an
 * organisation they belong to (admins: any). When editing, organisations already organising the
 * event may stay, so co-organisers are kept, but none the user does not belong to may be added.
 */
export function mayOrganizeFor(
  user: CurrentUser,
  organizationIds: number[],
  alreadyOrganizing: readonly number[] = [],
): boolean {
  const ids = organizingOrganizationIds(user);
  return ids === null || organizationIds.every((id) => ids.includes(id) || alreadyOrganizing.includes(id));
}

/** Registering takes an account whose e-mail is confirmed: the mails about the seat must arrive. */
export const canRegister: Policy = (user) => user.emailConfirmed;
