// Who may do what with datathons, in one place.
// - Organisers of the datathon's event (community's policy: members of an organising organisation,
//   or admins) set it up, pose challenges, name the jury and the criteria, invalidate votes and
//   publish the results.
// - Any signed-in person may create a team or ask to join one; the members of a team invite,
//   accept requests and edit the team's submission until the deadline.
// - A submission is public from the submission deadline on (the people's choice needs it);
//   before that only its team, the organisers and this datathon's judges see it. A judge of
//   another datathon sees nothing more than anyone else.
// - Only this datathon's judges score, never a submission of a team with a member from an
//   organisation the judge belongs to (a conflict, recorded). Scores stay with the organisers and
//   each judge their own until the results are published; then the scoresheet is public.
// - The people's choice takes an account whose e-mail is confirmed (petitions' identity check).
import type { CurrentUser } from '../../platform/auth.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import { canOrganize } from '../community/policy.ts';
import { identityCheck } from '../petitions/identity.ts';

export interface DatathonAccess {
  organizer_ids: number[];
  judge_ids: number[];
  submission_deadline: Date;
  results_published_at: Date | null;
}

export function canManageDatathon(user: CurrentUser | null, d: { organizer_ids: number[] }): boolean {
  return canOrganize(user, d);
}

export function assertCanManage(user: CurrentUser | null, d: { organizer_ids: number[] }): void {
  if (!canManageDatathon(user, d)) throw new ForbiddenError('only the organisers of this datathon may do this');
}

export function isJudge(user: CurrentUser | null, d: { judge_ids: number[] }): boolean {
  return user !== null && d.judge_ids.includes(user.id);
}

export function assertJudge(user: CurrentUser | null, d: { judge_ids: number[] }): void {
  if (!isJudge(user, d)) throw new ForbiddenError('only this datathon’s judges may do this');
}

export function isTeamMember(user: CurrentUser | null, memberIds: readonly number[]): boolean {
  return user !== null && memberIds.includes(user.id);
}

export function assertTeamMember(user: CurrentUser | null, memberIds: readonly number[]): void {
  if (!isTeamMember(user, memberIds)) throw new ForbiddenError('only the members of this team may do this');
}

/** Whether the submission may be seen: public after the deadline; before it, its team, organisers and judges. */
export function canSeeSubmission(
  user: CurrentUser | null,
  d: DatathonAccess,
  memberIds: readonly number[],
  now: Date,
): boolean {
  if (now >= d.submission_deadline) return true;
  return isTeamMember(user, memberIds) || canManageDatathon(user, d) || isJudge(user, d);
}

/** Whether the scoresheet (every judge's scores and comments) may be seen. */
export function canSeeScoresheet(user: CurrentUser | null, d: DatathonAccess): boolean {
  return d.results_published_at !== null || canManageDatathon(user, d);
}

/** The reason (a locale key) this person cannot vote yet, or null. Petitions' identity check. */
export function voteIdentityProblem(user: CurrentUser): string | null {
  const check = identityCheck('verified_email').verify(user);
  return check.ok ? null : check.reason;
}
