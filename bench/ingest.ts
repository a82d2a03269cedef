// DataStore ingestion benchmark (`npm run bench:ingest`): a generated CSV of ROWS rows
// (default 1,000,000) and 12 columns, and its windows-1251, semicolon, decimal-comma twin, loaded
// by our whole pipeline (detect, infer, validate, COPY, swap) on PostgreSQL and on PGlite.
// Baseline measured in the same run: psql \copy of the same file into a table of text columns.
// Target: within 2x the baseline's time on PostgreSQL, peak memory under 300 MB.
// A second baseline shows what PostgreSQL alone needs for the same end state from the UTF-8
// file: \copy into typed columns, then the same twelve indexes and ANALYZE. Our time is also
// split into its phases (reading and inferring, converting and COPY, indexing).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres } from '../scripts/postgres.ts';
import { openDatabase, type Database } from '../src/platform/db/index.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { ingestCsv } from '../src/modules/datastore/ingest.ts';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-ingest-'));

function generate(file: string, local: boolean): number {
  const fd = fs.openSync(file, 'w');
  const write = (text: string) => (local ? fs.writeSync(fd, encode1251(text)) : fs.writeSync(fd, text));
  const sep = local ? ';' : ',';
  const num = (n: number) => (local ? n.toFixed(2).replace('.', ',') : n.toFixed(2));
  const header = [
    'id',
    'district',
    'street',
    'category',
    'amount',
    'quantity',
    'date',
    'approved',
    'latitude',
    'longitude',
    'note',
    'code',
  ];
  let buffer = header.join(sep) + '\n';
  const districts = ['Галицький', 'Франківський', 'Залізничний', 'Личаківський', 'Сихівський', 'Шевченківський'];
  for (let i = 1; i <= ROWS; i++) {
    const d = new Date(Date.UTC(2018, 0, 1) + (i % 2000) * 86_400_000);
    const date = local
      ? `${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${d.getUTCFullYear()}`
      : d.toISOString().slice(0, 10);
    buffer +=
      [
        i,
        districts[i % 6],
        `"вул. Городоцька, ${i % 300}"`,
        `Категорія ${i % 40}`,
        num(((i * 7919) % 1_000_000) / 3),
        i % 1000,
        date,
        i % 3 === 0 ? 'так' : 'ні',
        num(49.8 + (i % 1000) / 10000),
        num(24.0 + (i % 1000) / 10000),
        `"Примітка ""${i % 97}"""`,
        `K${i % 5000}`,
      ].join(sep) + '\n';
    if (buffer.length > 1 << 20) {
      write(buffer);
      buffer = '';
    }
  }
  write(buffer);
  fs.closeSync(fd);
  return fs.statSync(file).size;
}

const table1251 = (() => {
  const decoder = new TextDecoder('windows-1251');
  const map = new Map<string, number>();
  for (let b = 0; b < 256; b++) map.set(decoder.decode(new Uint8Array([b])), b);
  return map;
})();
function encode1251(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = table1251.get(text[i]!) ?? 0x3f;
  return out;
}

/** psql alone, to the end state our pipeline reaches: typed columns, an index per column, statistics. */
function psqlTypedAndIndexed(url: string, file: string): number {
  const start = performance.now();
  const types = [
    'bigint',
    'text',
    'text',
    'text',
    'numeric',
    'bigint',
    'date',
    'text',
    'numeric',
    'numeric',
    'text',
    'text',
  ];
  const sql = `CREATE TABLE baseline2 (${types.map((t, i) => `c${i} ${t}`).join(', ')});
\\copy baseline2 FROM '${file}' WITH (FORMAT csv, HEADER true)
${types.map((t, i) => `CREATE INDEX ON baseline2 (${t === 'text' ? `left(c${i}, 100)` : `c${i}`});`).join('\n')}
ANALYZE baseline2;
DROP TABLE baseline2;`;
  const result = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q'], { input: sql, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
  return (performance.now() - start) / 1000;
}

function psqlCopy(url: string, file: string, local: boolean): number {
  const start = performance.now();
  const sql = `CREATE TABLE baseline (${Array.from({ length: 12 }, (_, i) => `c${i} text`).join(', ')});
\\copy baseline FROM '${file}' WITH (FORMAT csv, HEADER true${local ? ", DELIMITER ';', ENCODING 'WIN1251'" : ''})
DROP TABLE baseline;`;
  const result = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q'], { input: sql, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
  return (performance.now() - start) / 1000;
}

async function ours(
  db: Database,
  file: string,
  table: string,
): Promise<{ seconds: number; peakMb: number; rows: number; errors: number; phases: string }> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const start = performance.now();
  // The progress reports mark the phases: the first 'loading' ends the reading pass, 'indexing' ends the COPY.
  let readEnd = 0;
  let copyEnd = 0;
  const result = await ingestCsv(db, file, table, {}, [], async (phase) => {
    if (phase === 'loading') readEnd ||= performance.now();
    if (phase === 'indexing') copyEnd = performance.now();
  });
  const end = performance.now();
  const seconds = (end - start) / 1000;
  const phases = `read+infer ${((readEnd - start) / 1000).toFixed(1)} s, convert+COPY ${((copyEnd - readEnd) / 1000).toFixed(1)} s, index+analyze ${((end - copyEnd) / 1000).toFixed(1)} s`;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  await db.execScript(`DROP TABLE datastore."${table}"`);
  return { seconds, peakMb: peak / 1024 / 1024, rows: result.rows, errors: result.report.stats.errors, phases };
}

const utf8File = path.join(dir, 'data.csv');
const localFile = path.join(dir, 'data-1251.csv');
console.log(`generating ${ROWS.toLocaleString('en')} rows…`);
const sizes = [generate(utf8File, false), generate(localFile, true)];
const postgres = await startPostgres();
try {
  const pgDb = await openDatabase({ databaseUrl: postgres.url, dataDir: null });
  await migrate(pgDb);
  const lines: string[] = [];
  for (const [label, file, size, local] of [
    ['UTF-8, comma', utf8File, sizes[0]!, false],
    ['windows-1251, semicolon, decimal comma', localFile, sizes[1]!, true],
  ] as const) {
    const baseline = psqlCopy(postgres.url, file, local);
    const result = await ours(pgDb, file, 'bench_pg');
    lines.push(
      `postgres  ${label.padEnd(40)} ${(size / 1e6).toFixed(0).padStart(5)} MB  psql \\copy ${baseline.toFixed(1).padStart(6)} s  ours ${result.seconds.toFixed(1).padStart(6)} s  ratio ${(result.seconds / baseline).toFixed(2)}x  peak RSS ${result.peakMb.toFixed(0)} MB  rows ${result.rows}  problems ${result.errors}`,
    );
    lines.push(`          ours by phase: ${result.phases}`);
    if (!local) {
      const full = psqlTypedAndIndexed(postgres.url, file);
      lines.push(
        `          psql alone to the same end state (typed \\copy + 12 indexes + ANALYZE): ${full.toFixed(1)} s; ours ${(result.seconds / full).toFixed(2)}x that`,
      );
    }
  }
  await pgDb.close();
  // SKIP_PGLITE=1 leaves out the (slow) PGlite run.
  if (process.env.SKIP_PGLITE !== '1') {
    const pglite = await openDatabase({ dataDir: null });
    await migrate(pglite);
    const result = await ours(pglite, utf8File, 'bench_pglite');
    lines.push(
      `pglite    ${'UTF-8, comma'.padEnd(40)} ${(sizes[0]! / 1e6).toFixed(0).padStart(5)} MB  ours ${result.seconds.toFixed(1)} s  peak RSS ${result.peakMb.toFixed(0)} MB (PGlite's memory is in this process)  rows ${result.rows}`,
    );
    await pglite.close();
  }
  console.log(`\nDataStore ingestion — ${ROWS.toLocaleString('en')} rows × 12 columns\n${lines.join('\n')}`);
  console.log('Target on PostgreSQL: ≤ 2x psql \\copy, peak memory < 300 MB');
} finally {
  postgres.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
