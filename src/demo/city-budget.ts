// The demo's city budget: two years of Lviv's execution files in the Treasury's format (generated,
// labelled demo: their names start with "demo-"), imported through the module's own importer.
import type { Queryable } from '../platform/db/index.ts';
import type { Actor } from '../platform/audit.ts';
import type { FileStore } from '../platform/files.ts';
import { Readable } from 'node:stream';
import { createImport, getImport, importBytes } from '../modules/open-budget/service.ts';
import type { FileKind } from '../modules/open-budget/parser.ts';
import { DEMO_BUDGET_CODE, incomesFile, programExpensesFile } from './open-budget.ts';

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
    const files: [FileKind, string, string][] = [
      [
        { item: 'INCOMES', classification: '' },
        `demo-lviv-incomes-${year}.csv`,
        incomesFile(DEMO_BUDGET_CODE, year, months, 13_200_000_000 * growth).text,
      ],
      [
        { item: 'EXPENSES', classification: 'PROGRAM' },
        `demo-lviv-expenses-program-${year}.csv`,
        programExpensesFile(DEMO_BUDGET_CODE, year, months, 12_700_000_000 * growth).text,
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
