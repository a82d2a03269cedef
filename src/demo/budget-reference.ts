// Demo reference data of the open budget: Lviv's Treasury budget code since the 2021 reform, so
// the demo budget files (labelled demo) resolve to the city. Source: the Treasury-derived list
// inputs/city_codes.csv of github.com/atsokol/openbudget-data-update (commit e112b31, 2026-08-02),
// which maps COD_BUDGET 13563000000 (the 11-digit form the Open Budget API returns in its data,
// from 2021 on) and 1356300000 (the 10-digit form it accepts as a query) to Lviv. We seed the
// 11-digit form, the one the Treasury's data rows carry. Lviv's КАТОТТГ and council ЄДРПОУ are
// left empty: we could not confirm them from a source, and a code is never made up.
import type { Queryable } from '../platform/db/index.ts';

export const DEMO_BUDGET_CODES: { city: string; budgetCode: string; validFrom: string; validTo: string | null }[] = [
  { city: 'lviv', budgetCode: '13563000000', validFrom: '2021-01-01', validTo: null },
];

export async function seedDemoBudgetReference(db: Queryable, cityIds: Map<string, number>): Promise<void> {
  for (const code of DEMO_BUDGET_CODES) {
    const cityId = cityIds.get(code.city);
    if (cityId === undefined) continue;
    await db.query(
      'INSERT INTO city_budget_codes (city_id, budget_code, valid_from, valid_to) VALUES ($1, $2, $3, $4)',
      [cityId, code.budgetCode, code.validFrom, code.validTo],
    );
  }
}
