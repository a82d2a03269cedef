// Query benchmark (`npm run bench:datastore`) on PostgreSQL:
// - datastore_search on a ROWS-row (default 1,000,000) table: a filtered, sorted page of 100 rows.
//   Baseline in the same run: a 100-row primary-key range read of the same table.
//   Target: p50 under 50 ms.
// - catalog search over DATASETS (default 10,000) datasets with a two-word query and facets.
//   Baseline: the newest 20 datasets without any search. Target: p95 under 50 ms.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres } from '../scripts/postgres.ts';
import { openDatabase, type Database } from '../src/platform/db/index.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { ingestCsv } from '../src/modules/datastore/ingest.ts';
import { searchDatastore, type DatastoreResource } from '../src/modules/datastore/service.ts';
import { searchDatasets, PUBLIC_ONLY } from '../src/modules/catalog/service.ts';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const DATASETS = Number(process.env.DATASETS ?? 10_000);
const RUNS = 60;

async function timeIt(fn: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 5; i++) await fn(i); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await fn(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(RUNS / 2)]!, p95: times[Math.floor(RUNS * 0.95)]! };
}

async function datastoreBench(db: Database): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-dsq-'));
  const file = path.join(dir, 'rows.csv');
  const fd = fs.openSync(file, 'w');
  let buffer = 'district,category,amount,date,note\n';
  const districts = ['Галицький', 'Франківський', 'Залізничний', 'Личаківський', 'Сихівський', 'Шевченківський'];
  for (let i = 1; i <= ROWS; i++) {
    buffer += `${districts[i % 6]},Категорія ${i % 40},${((i * 7919) % 1_000_000) / 100},2020-01-${String(1 + (i % 28)).padStart(2, '0')},примітка ${i % 97}\n`;
    if (buffer.length > 1 << 20) {
      fs.writeSync(fd, buffer);
      buffer = '';
    }
  }
  fs.writeSync(fd, buffer);
  fs.closeSync(fd);
  const result = await ingestCsv(db, file, 'bench_rows', {}, [], async () => {});
  fs.rmSync(dir, { recursive: true, force: true });
  const resource = {
    id: 'bench',
    datastore_table: 'bench_rows',
    datastore_fields: result.fields,
    datastore_rows: result.rows,
  } as DatastoreResource;
  const search = await timeIt((i) =>
    searchDatastore(db, resource, {
      filters: { district: districts[i % 6], category: `Категорія ${i % 40}` },
      sort: [{ field: 'amount', descending: true }],
      limit: 100,
      offset: 0,
    }),
  );
  const baseline = await timeIt((i) =>
    db.query(`SELECT * FROM datastore.bench_rows WHERE "_id" > $1 ORDER BY "_id" LIMIT 100`, [i * 1000]),
  );
  // Full-text q has no index (no target): a word in many rows fills the page early, but its total is a
  // scan (counted once per query, then reused while paging); a word in no row scans the table for both.
  const common = await timeIt((i) =>
    searchDatastore(db, resource, { q: `примітка ${10 + (i % 80)}`, limit: 100, offset: 0 }),
  );
  const absent = await timeIt((i) => searchDatastore(db, resource, { q: `відсутнє ${i}`, limit: 100, offset: 0 }));
  await db.execScript('DROP TABLE datastore.bench_rows');
  return [
    `datastore_search, ${ROWS.toLocaleString('en')} rows, 2 filters + sort, 100 rows: p50 ${search.p50.toFixed(1)} ms, p95 ${search.p95.toFixed(1)} ms` +
      ` | baseline primary-key page: p50 ${baseline.p50.toFixed(1)} ms | ratio ${(search.p50 / baseline.p50).toFixed(1)}x | target p50 < 50 ms: ${search.p50 < 50 ? 'met' : 'NOT MET'}`,
    `datastore_search q (no index, no target): a common word p50 ${common.p50.toFixed(1)} ms (its total counted once per word); a word in no row p50 ${absent.p50.toFixed(1)} ms`,
  ];
}

async function catalogBench(db: Database): Promise<string[]> {
  const words = [
    'бюджет',
    'транспорт',
    'освіта',
    'закупівлі',
    'повітря',
    'паркування',
    'медицина',
    'земля',
    'вода',
    'сміття',
  ];
  const cities = await db.query<{ id: number }>('SELECT id FROM cities');
  await db.query(
    `INSERT INTO datasets (name, city_id, state, title_uk, description_uk, license_id, themes, keywords, frequency, search_text, published_at)
     SELECT 'bench-' || g, ($1::int[])[1 + g % array_length($1::int[], 1)], 'published',
       'Набір ' || g || ': ' || ($2::text[])[1 + g % 10] || ' міста',
       'Опис набору ' || g || ', дані про ' || ($2::text[])[1 + (g * 7) % 10] || ' та ' || ($2::text[])[1 + (g * 3) % 10],
       'CC-BY-4.0', ARRAY['GOVE'], ARRAY[($2::text[])[1 + g % 10]], 'ANNUAL',
       lower('набір ' || g || ' ' || ($2::text[])[1 + g % 10] || ' міста опис набору дані про ' || ($2::text[])[1 + (g * 7) % 10] || ' та ' || ($2::text[])[1 + (g * 3) % 10]),
       now()
     FROM generate_series(1, $3::int) g`,
    [cities.map((c) => c.id), words, DATASETS],
  );
  await db.execScript('ANALYZE datasets');
  const search = await timeIt((i) =>
    searchDatasets(db, { q: `${words[i % 10]} міста`, limit: 20, offset: 0, visibility: PUBLIC_ONLY }),
  );
  const typo = await timeIt((i) =>
    searchDatasets(db, { q: words[i % 10]!.slice(0, -1) + 'x', limit: 20, offset: 0, visibility: PUBLIC_ONLY }),
  );
  const baseline = await timeIt(() =>
    db.query(`SELECT * FROM datasets WHERE state = 'published' ORDER BY modified_at DESC LIMIT 20`),
  );
  return [
    `catalog search, ${DATASETS.toLocaleString('en')} datasets, 2 words + 5 facets: p50 ${search.p50.toFixed(1)} ms, p95 ${search.p95.toFixed(1)} ms` +
      ` | with a typo: p95 ${typo.p95.toFixed(1)} ms | baseline newest-20: p95 ${baseline.p95.toFixed(1)} ms | ratio ${(search.p95 / baseline.p95).toFixed(1)}x` +
      ` | target p95 < 50 ms: ${search.p95 < 50 ? 'met' : 'NOT MET'} (typo fallback: ${typo.p95 < 50 ? 'met' : 'not met'})`,
  ];
}

const postgres = await startPostgres();
try {
  const db = await openDatabase({ databaseUrl: postgres.url, dataDir: null });
  await migrate(db);
  await seedDemo(db);
  const lines = [...(await catalogBench(db)), ...(await datastoreBench(db))];
  await db.close();
  console.log(`\nQuery benchmark on PostgreSQL (${RUNS} runs each)\n${lines.join('\n')}`);
} finally {
  postgres.stop();
}
