// The demo's city budget: two years of Lviv's execution files in the Treasury's format (generated,
// labelled demo: their names start with "demo-"), imported through the module's own importer:
// revenues, spending by programme, lending and financing by type of debt obligation. No
// FINANCING_CREDITOR file: its columns are not confirmed from a source (see parser.ts).
import type { Queryable } from '../platform/db/index.ts';
import type { Actor } from '../platform/audit.ts';
import type { FileStore } from '../platform/files.ts';
import { Readable } from 'node:stream';
import { createImport, getImport, importBytes } from '../modules/open-budget/service.ts';
import { type FileKind, parseBudgetFile } from '../modules/open-budget/parser.ts';
import { creditsFile, DEMO_BUDGET_CODE, financingDebtsFile, incomesFile, programExpensesFile } from './open-budget.ts';

/** Each month's cumulative total (T fund, leaves) of a generated file: what the financing must cover. */
function monthlyTotals(text: string, kind: FileKind, months: number): number[] {
  const parsed = parseBudgetFile(Buffer.from(text), 'demo', kind);
  const totals = Array.from({ length: months }, () => 0);
  for (const f of parsed.facts) if (f.fund === 'T' && f.isLeaf) totals[f.month - 1]! += Number(f.executed ?? 0);
  return totals;
}

/** Lviv's two years: 2025 whole, 2026 to October; about 13 and 11 billion hryvnias of revenue. */
const YEARS: [number, number][] = [
  [2025, 12],
  [2026, 10],
];

export async function seedDemoCityBudget(
  db: Queryable,
  actor: Actor,
  cityId: number,
  store: FileStore | null,
): Promise<void> {
  // Lviv's budget code, unless the reference data already holds it.
  await db.query(
    `INSERT INTO city_budget_codes (city_id, budget_code, valid_from)
     SELECT $1, $2, DATE '2021-01-01' WHERE NOT EXISTS (SELECT 1 FROM city_budget_codes WHERE budget_code = $2)`,
    [cityId, DEMO_BUDGET_CODE],
  );
  for (const [year, months] of YEARS) {
    const growth = year === 2025 ? 1 : 1.09;
    const incomes = incomesFile(DEMO_BUDGET_CODE, year, months, 13_200_000_000 * growth).text;
    const expenses = programExpensesFile(DEMO_BUDGET_CODE, year, months, 12_700_000_000 * growth).text;
    const credits = creditsFile(DEMO_BUDGET_CODE, year, months, 120_000_000 * growth).text;
    // The deficit the financing covers: spending and net lending less revenue (Budget Code art. 2).
    const revenue = monthlyTotals(incomes, { item: 'INCOMES', classification: '' }, months);
    const spending = monthlyTotals(expenses, { item: 'EXPENSES', classification: 'PROGRAM' }, months);
    const lending = monthlyTotals(credits, { item: 'CREDITS', classification: 'CREDIT' }, months);
    const deficits = revenue.map((r, i) => Math.round((spending[i]! + lending[i]! - r) * 100) / 100);
    const files: [FileKind, string, string][] = [
      [{ item: 'INCOMES', classification: '' }, `demo-lviv-incomes-${year}.csv`, incomes],
      [{ item: 'EXPENSES', classification: 'PROGRAM' }, `demo-lviv-expenses-program-${year}.csv`, expenses],
      [{ item: 'CREDITS', classification: 'CREDIT' }, `demo-lviv-credits-${year}.csv`, credits],
      [
        { item: 'FINANCING_DEBTS', classification: '' },
        `demo-lviv-financing-debts-${year}.csv`,
        financingDebtsFile(DEMO_BUDGET_CODE, year, months, deficits, 600_000_000 * growth).text,
      ],
    ];
    for (const [kind, name, text] of files) {
      const bytes = Buffer.from(text);
      const stored = store ? await store.put(Readable.from([bytes]), Number.MAX_SAFE_INTEGER, { db }) : null;
      // Queued-looking rows would be picked up by the worker: the demo imports right here instead.
      const id = await createImport(
        db,
        actor,
        { cityId, year, kind, source: 'upload', sourceRef: name, fileKey: stored?.key ?? null },
        { queue: false },
      );
      await importBytes(db, await getImport(db, id), bytes);
    }
  }
}
