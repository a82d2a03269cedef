// Who may do what with cities. Reading is public; creating and changing a city's facts is for
// platform admins; its logo and accent colour are also for the editors of that city's council.
import type { CurrentUser } from '../../platform/auth.ts';
import { isAdmin, type Policy } from '../../platform/http/guards.ts';

export const canManageCities: Policy = isAdmin;

/** An admin, or an editor whose organization belongs to the city (memberships read per request). */
export function canBrandCity(user: CurrentUser | null, cityId: number): boolean {
  if (!user) return false;
  return user.isAdmin || user.memberships.some((m) => m.role === 'city_editor' && m.cityId === cityId);
}
