// Per-year parameters of "where do my taxes go": the personal income tax (ПДФО) rate and the
// share of it credited to a city's (territorial community's) budget, each with its legal source.
// They are data, not constants: the Budget Code is amended often, so admins keep them in the
// database (budget_tax_parameters, migration 0046) and every change is audited.
import { type Actor, recordAudit } from '../../platform/audit.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { Checker } from '../../platform/validate.ts';

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

export interface TaxParameterRow {
  year: number;
  parameter: TaxParameter;
  share: number;
  source: string;
  sourceUrl: string | null;
}

/** Every recorded parameter, the latest year first. */
export async function listTaxParameters(db: Queryable): Promise<TaxParameterRow[]> {
  const rows = await db.query<{
    year: number;
    parameter: TaxParameter;
    value: string;
    source: string;
    source_url: string | null;
  }>(
    'SELECT year, parameter, value::text AS value, source, source_url FROM budget_tax_parameters ORDER BY year DESC, parameter',
  );
  return rows.map((r) => ({
    year: r.year,
    parameter: r.parameter,
    share: Number(r.value),
    source: r.source,
    sourceUrl: r.source_url,
  }));
}

/** Reads the admin form: year, parameter, percent (e.g. 64 or 64,5), source, source_url. */
export function parseTaxParameterInput(body: unknown): TaxParameterRow {
  const check = new Checker(body);
  const year = check.number('year', { required: true, integer: true, min: 1991, max: 2100 });
  const parameter = check.oneOf('parameter', TAX_PARAMETERS);
  const percent = check.number('percent', { required: true, min: 0.001, max: 100 });
  if (percent !== null && Math.round(percent * 1000) !== percent * 1000)
    check.fail('percent', 'budgetRef.tax.error.precision');
  const source = check.text('source', { required: true, max: 500 });
  const sourceUrl = check.url('source_url');
  check.done();
  return { year: year!, parameter: parameter!, share: Math.round(percent! * 1000) / 100000, source, sourceUrl };
}

/** Records (or replaces) one year's parameter, audited with the value it had before. */
export async function saveTaxParameter(db: Queryable, actor: Actor, row: TaxParameterRow, now: Date): Promise<void> {
  const before = await parameterFor(db, row.parameter, row.year);
  await db.query(
    `INSERT INTO budget_tax_parameters (year, parameter, value, source, source_url, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (parameter, year) DO UPDATE
       SET value = EXCLUDED.value, source = EXCLUDED.source, source_url = EXCLUDED.source_url, updated_at = EXCLUDED.updated_at`,
    [row.year, row.parameter, row.share, row.source, row.sourceUrl, now],
  );
  await recordAudit(db, actor, 'budget.tax_parameter', 'budget_tax_parameter', `${row.parameter}:${row.year}`, before, {
    share: row.share,
    source: row.source,
    sourceUrl: row.sourceUrl,
  });
}
