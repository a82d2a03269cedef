// Who may change the open budget's reference data, in one place. A city's codes (budget codes,
// КАТОТТГ, the council's ЄДРПОУ): platform admins and the editors of that city's organisations.
// The income-tax parameters, which apply to every city: platform admins only.
import type { CurrentUser } from '../../platform/auth.ts';
import { isAdmin, type Policy } from '../../platform/http/guards.ts';

export function canEditCityCodes(user: CurrentUser | null, cityId: number): boolean {
  if (!user) return false;
  return user.isAdmin || user.memberships.some((m) => m.role === 'city_editor' && m.cityId === cityId);
}

export const canEditTaxParameters: Policy = isAdmin;
