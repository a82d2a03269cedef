// Who may do what in procurement: the one place these checks live.
import type { CurrentUser } from '../../platform/auth.ts';
import { editableCityIds, editsSomeCity } from '../catalog/policy.ts';

/** Uploading OCDS files: a platform admin or a city editor. */
export const canImport = (user: CurrentUser): boolean => user.isAdmin || editsSomeCity(user);

/**
 * The cities whose procedures an upload may write: the cities the uploader edits (their councils'
 * and institutions' purchases), or null for an admin (any city's, even the Prozorro feed's).
 */
export const uploadCities = (user: CurrentUser | null): number[] | null => editableCityIds(user);

/** Watching needs only an account with a confirmed address (mail goes to it). */
export const canWatch = (user: CurrentUser | null): boolean => user?.emailConfirmed === true;
