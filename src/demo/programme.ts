// Demo declarations of the data programme: which demo datasets fulfil which items of Resolution
// 835's list, so that the compliance pages have something to show. The list items themselves are
// real and ship with migration 0070; only these pairings are demo.
import type { Actor } from '../platform/audit.ts';
import type { Queryable } from '../platform/db/index.ts';
import { declareItem } from '../modules/data-programme/service.ts';

const DEMO_DECLARATIONS: [dataset: string, itemCode: string][] = [
  ['lviv-public-transport-stops', 'mun-024'],
  ['lviv-council-decisions-draft', 'all-009а'],
  ['zhytomyr-procurement-2023', 'mun-027'],
  ['vinnytsia-kindergartens', 'all-001'],
];

export async function seedDemoProgramme(db: Queryable, actor: Actor, now: Date): Promise<void> {
  for (const [name, code] of DEMO_DECLARATIONS) {
    const dataset = await db.one<{ id: number; city_id: number }>('SELECT id, city_id FROM datasets WHERE name = $1', [
      name,
    ]);
    const item = await db.one<{ id: number }>(
      `SELECT id FROM mandatory_items WHERE legal_act = 'UA-CMU-835-2015' AND code = $1`,
      [code],
    );
    if (dataset && item) await declareItem(db, actor, dataset, item.id, now);
  }
}
