// Which city a Treasury budget code belongs to, and when (table city_budget_codes, migration
// 0045), plus the format checks of the other codes a city carries: КАТОТТГ and ЄДРПОУ.
import type { Queryable } from '../../platform/db/index.ts';

/** КАТОТТГ: "UA" and 17 digits. */
export function isKatottg(value: string): boolean {
  return /^UA\d{17}$/.test(value);
}

/** A Treasury budget code (COD_BUDGET): 10 or 11 digits. */
export function isBudgetCode(value: string): boolean {
  return /^\d{10,11}$/.test(value);
}

/**
 * An ЄДРПОУ code of a legal entity: 8 digits whose last is the check digit. The digits are
 * weighted 1…7 (or 7,1…6 for codes from 30000000 to 60000000); if the sum mod 11 is 10, the
 * weights are raised by 2 and the sum taken again; a second 10 gives check digit 0.
 */
export function isEdrpou(value: string): boolean {
  if (!/^\d{8}$/.test(value)) return false;
  const digits = [...value].map(Number);
  const number = Number(value);
  const base = number < 30000000 || number > 60000000 ? [1, 2, 3, 4, 5, 6, 7] : [7, 1, 2, 3, 4, 5, 6];
  const sum = (weights: number[]) => weights.reduce((total, w, i) => total + w * digits[i]!, 0) % 11;
  let check = sum(base);
  if (check === 10) {
    check = sum(base.map((w) => w + 2));
    if (check === 10) check = 0;
  }
  return check === digits[7];
}

/** The city whose budget the code names on that date (YYYY-MM-DD), or null. */
export async function cityForBudgetCode(db: Queryable, budgetCode: string, onDate: string): Promise<number | null> {
  const row = await db.one<{ city_id: number }>(
    `SELECT city_id FROM city_budget_codes
      WHERE budget_code = $1 AND valid_from <= $2::date AND (valid_to IS NULL OR valid_to >= $2::date)`,
    [budgetCode, onDate],
  );
  return row?.city_id ?? null;
}

/** A city's budget codes, the most recent first. */
export async function budgetCodesOf(
  db: Queryable,
  cityId: number,
): Promise<{ budgetCode: string; validFrom: string; validTo: string | null }[]> {
  const rows = await db.query<{ budget_code: string; valid_from: string; valid_to: string | null }>(
    `SELECT budget_code, to_char(valid_from, 'YYYY-MM-DD') AS valid_from, to_char(valid_to, 'YYYY-MM-DD') AS valid_to
       FROM city_budget_codes WHERE city_id = $1 ORDER BY valid_from DESC, budget_code`,
    [cityId],
  );
  return rows.map((r) => ({ budgetCode: r.budget_code, validFrom: r.valid_from, validTo: r.valid_to }));
}
