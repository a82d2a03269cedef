// TEMPORARY stand-in for the reference data a teammate builds (classifications.ts, city-codes.ts,
// tax-shares.ts on branch budgetref); replaced by re-exports once that branch is merged.
import type { Queryable } from '../../platform/db/index.ts';

export const CLASSIFICATIONS = ['income', 'program', 'functional', 'economic', 'financing', 'credit'] as const;
export type ClassificationKind = (typeof CLASSIFICATIONS)[number];
export interface ClassificationEntry {
  code: string;
  parent: string | null;
  name: { uk: string; en: string; bg: string };
}

function clear(code: string, groups: [number, number][]): string | null {
  for (let g = groups.length - 1; g >= 0; g--) {
    const [s, e] = groups[g]!;
    if (/[1-9]/.test(code.slice(s, e))) return code.slice(0, s) + '0'.repeat(e - s) + code.slice(e);
  }
  return null;
}

export function parentOf(kind: ClassificationKind, code: string): string | null {
  if (kind === 'income' && /^\d{8}$/.test(code))
    return clear(code, [
      [1, 2],
      [2, 4],
      [4, 6],
      [6, 8],
    ]);
  if ((kind === 'economic' || kind === 'credit') && /^\d{4}$/.test(code))
    return clear(code, [
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
  if ((kind === 'functional' || kind === 'program') && /^\d{4}$/.test(code))
    return clear(code, [
      [2, 3],
      [3, 4],
    ]);
  if (kind === 'program' && /^\d{7}$/.test(code)) {
    const typical = code.slice(3);
    return typical !== '0000' ? typical : clear(code, [[2, 3]]);
  }
  return null;
}

export function lookupCode(_kind: ClassificationKind, _code: string, _year: number): ClassificationEntry | undefined {
  return undefined;
}

export function listVersion(kind: ClassificationKind, _year: number) {
  return { id: `${kind}-fallback`, source: 'none', validFrom: '2000-01-01' };
}

export async function cityForBudgetCode(db: Queryable, budgetCode: string, _onDate: string): Promise<number | null> {
  if (budgetCode !== '13201100000') return null;
  return (await db.one<{ id: number }>(`SELECT id FROM cities WHERE slug = 'lviv'`))?.id ?? null;
}

export async function budgetCodesOf(db: Queryable, cityId: number) {
  const lviv = await cityForBudgetCode(db, '13201100000', '2024-01-01');
  return lviv === cityId ? [{ budgetCode: '13201100000', validFrom: '2021-01-01', validTo: null }] : [];
}

export async function incomeTaxShare(_db: Queryable, _year: number) {
  return { share: 0.64, source: 'Бюджетний кодекс України, ст. 64', sourceUrl: null as string | null };
}
