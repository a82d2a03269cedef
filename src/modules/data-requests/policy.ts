// Who may do what with data requests, in one place. Reading is public (hidden requests and
// comments only for admins). Asking and commenting take an account whose e-mail is confirmed (the
// answers come by mail); a city's editors answer its requests, admins any city's; the requester
// edits their own request while it is open; admins moderate (hide) requests and comments.
import type { CurrentUser } from '../../platform/auth.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import type { Policy } from '../../platform/http/guards.ts';
import { canEditCity } from '../catalog/policy.ts';

/** A request as far as permissions go. */
export interface RequestSubject {
  city_id: number;
  requester_id: number | null;
  state: string;
  hidden_at: Date | null;
}

export const canAsk: Policy = (user) => user.emailConfirmed;
export const canComment: Policy = (user) => user.emailConfirmed;

/** Editors of the request's city and admins answer it, reopen it and set the city's answer period. */
export function canAnswer(user: CurrentUser | null, request: Pick<RequestSubject, 'city_id'>): boolean {
  return canEditCity(user, request.city_id);
}

export function assertCanAnswer(user: CurrentUser | null, request: Pick<RequestSubject, 'city_id'>): void {
  if (!canAnswer(user, request)) throw new ForbiddenError('only the city’s editors answer its data requests');
}

/**
 * The requester changes what they asked until the city answers: once accepted, the city has
 * promised a dataset for the request as it stood, and followers saw that answer to it.
 */
export function canEditRequest(user: CurrentUser | null, request: RequestSubject): boolean {
  return user !== null && request.requester_id === user.id && request.hidden_at === null && request.state === 'new';
}

export function assertCanEditRequest(user: CurrentUser | null, request: RequestSubject): void {
  if (!canEditRequest(user, request)) throw new ForbiddenError('only the requester edits an open request');
}

/** Hiding and showing again requests and comments. */
export function canModerate(user: CurrentUser | null): boolean {
  return user?.isAdmin === true;
}

export function assertCanModerate(user: CurrentUser | null): void {
  if (!canModerate(user)) throw new ForbiddenError('only admins moderate data requests');
}

/** A hidden request is seen by admins only (everyone else gets "not found"). */
export function canSee(user: CurrentUser | null, request: Pick<RequestSubject, 'hidden_at'>): boolean {
  return request.hidden_at === null || canModerate(user);
}
