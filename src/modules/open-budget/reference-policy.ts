// Who may change the open budget's reference data, in one place.
// - A city's codes form: platform admins and the editors of that city's organisations.
// - Within it, budget codes name whose Treasury data a city imports, so only admins assign them
//   (an editor could otherwise claim another city's code and import its data as their own).
// - The council's ЄДРПОУ maps procurement buyers to cities: an editor may fill it in while it is
//   empty; once set, only admins change or clear it.
// - The income-tax parameters, which apply to every city: platform admins only.
import type { CurrentUser } from '../../platform/auth.ts';
import { isAdmin, type Policy } from '../../platform/http/guards.ts';

export function canEditCityCodes(user: CurrentUser | null, cityId: number): boolean {
  if (!user) return false;
  return user.isAdmin || user.memberships.some((m) => m.role === 'city_editor' && m.cityId === cityId);
}

/** What a person who may edit a city's codes may do beyond its КАТОТТГ. */
export interface CityCodesRights {
  /** Add, change and remove budget codes. */
  assignBudgetCodes: boolean;
  /** Change or clear the council's ЄДРПОУ once it is set (anyone with the form may set it when empty). */
  replaceCouncilEdrpou: boolean;
}

export function cityCodesRights(user: CurrentUser): CityCodesRights {
  return { assignBudgetCodes: user.isAdmin, replaceCouncilEdrpou: user.isAdmin };
}

export const canEditTaxParameters: Policy = isAdmin;
