// Who may do what in the Data Academy, in one place. Reading courses, lessons and exercises and
// checking a completion record by its code is public. A course is run by its organisers: the
// members (any role) of its organisation, the account that organises it, and admins; anyone who
// belongs to an organisation may create a course for it. Enrolling, marking lessons done and
// answering exercises take a signed-in account whose e-mail is confirmed.
import type { CurrentUser } from '../../platform/auth.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import type { Policy } from '../../platform/http/guards.ts';
import { organizingOrganizationIds } from '../community/policy.ts';

/** The organisations the user may organise courses for; null means every one (admin). */
export const courseOrganizationIds = organizingOrganizationIds;

export const canAuthorCourses: Policy = (user) => {
  const ids = courseOrganizationIds(user);
  return ids === null || ids.length > 0;
};

/** Whether the user may name this organisation as a new or edited course's organiser. */
export function mayOrganizeCourseFor(user: CurrentUser, organizationId: number): boolean {
  const ids = courseOrganizationIds(user);
  return ids === null || ids.includes(organizationId);
}

export function canManageCourse(
  user: CurrentUser | null,
  course: { organization_id: number | null; organizer_user_id: number | null },
): boolean {
  if (!user) return false;
  if (user.isAdmin) return true;
  if (course.organizer_user_id === user.id) return true;
  const ids = courseOrganizationIds(user) ?? [];
  return course.organization_id !== null && ids.includes(course.organization_id);
}

export function assertCanManageCourse(
  user: CurrentUser | null,
  course: { organization_id: number | null; organizer_user_id: number | null },
): void {
  if (!canManageCourse(user, course)) throw new ForbiddenError('only the organisers of this course may do this');
}

/** Learning is recorded for a confirmed account: the completion record names a real person. */
export const canLearn: Policy = (user) => user.emailConfirmed;
