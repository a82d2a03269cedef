// Per-year parameters of "where do my taxes go": the personal income tax (ПДФО) rate and the
// share of it credited to a city's (territorial community's) budget, each with its legal source.
// They are data, not constants: the Budget Code is amended often, so admins keep them in the
// database (budget_tax_parameters, migration 0046) and every change is audited.
import type { Queryable } from '../../platform/db/index.ts';

export const TAX_PARAMETERS = ['pit_rate', 'pit_city_share'] as const;
export type TaxParameter = (typeof TAX_PARAMETERS)[number];

export interface TaxParameterValue {
  /** A fraction: 0.64 for 64 %. */
  share: number;
  source: string;
  sourceUrl: string | null;
}

async function parameterFor(db: Queryable, parameter: TaxParameter, year: number): Promise<TaxParameterValue | null> {
  const row = await db.one<{ value: string; source: string; source_url: string | null }>(
    'SELECT value::text AS value, source, source_url FROM budget_tax_parameters WHERE parameter = $1 AND year = $2',
    [parameter, year],
  );
  return row ? { share: Number(row.value), source: row.source, sourceUrl: row.source_url } : null;
}

/** The share of personal income tax credited to a city budget in a year; null if not recorded. */
export async function incomeTaxShare(db: Queryable, year: number): Promise<TaxParameterValue | null> {
  return parameterFor(db, 'pit_city_share', year);
}

/** The personal income tax rate in a year (0.18); null if not recorded. */
export async function incomeTaxRate(db: Queryable, year: number): Promise<TaxParameterValue | null> {
  return parameterFor(db, 'pit_rate', year);
}
