// Procurement benchmark (`npm run bench:procurement`), on PostgreSQL: PROCEDURES (default
// 100,000) generated compiled releases in Prozorro's shape, about 1–20 KB each, as JSON Lines,
// imported by the whole pipeline (stream, check, normalise, upsert in one transaction, flags,
// watchers, open data). Baseline in the same run: reading the same file line by line and
// JSON.parse of every line. Then: recomputing every flag over them, and a city's procurement page
// (p95 of 50 requests, in process). Targets: peak RSS < 300 MB, import within 4x the baseline,
// flags < 10 s, page p95 < 100 ms.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { startPostgres, createAppDatabase } from '../scripts/postgres.ts';
import { openDatabase } from '../src/platform/db/index.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/platform/config.ts';
import { demoProcurementReleases } from '../src/demo/procurement.ts';
import { createImport, runImport } from '../src/modules/procurement/service.ts';
import { recomputeFlags } from '../src/modules/procurement/flags.ts';
import { percentile } from './support.ts';

const PROCEDURES = Number(process.env.PROCEDURES ?? 100_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-procurement-bench-'));
const file = path.join(dir, 'releases.jsonl');

type Release = Record<string, unknown> & {
  ocid: string;
  id: string;
  date: string;
  tender: { items: Record<string, unknown>[] };
};

/** Variations of the demo year: new ocids and dates, 1 to 40 items (so 1–20 KB a release). */
function generate(): number {
  const templates = demoProcurementReleases();
  const fd = fs.openSync(file, 'w');
  let buffer = '';
  for (let i = 0; i < PROCEDURES; i++) {
    const release = structuredClone(templates[i % templates.length]!) as Release;
    const month = String(1 + (i % 12)).padStart(2, '0');
    const tenderID = `UA-2026-${month}-${String(1 + (i % 28)).padStart(2, '0')}-${String(i).padStart(6, '0')}-b`;
    release.ocid = `ocds-be6bcu-${tenderID}`;
    release.id = `${release.ocid}-${release.date}`;
    const items = 1 + ((i * 7919) % 40);
    const item = release.tender.items[0]!;
    release.tender.items = Array.from({ length: items }, (_, n) => ({
      ...item,
      id: `${release.ocid}-item-${n + 1}`,
      description: `${item.description}, позиція ${n + 1}: технічні вимоги згідно з додатком до тендерної документації`,
    }));
    buffer += `${JSON.stringify(release)}\n`;
    if (buffer.length > 1 << 20) {
      fs.writeSync(fd, buffer);
      buffer = '';
    }
  }
  fs.writeSync(fd, buffer);
  fs.closeSync(fd);
  return fs.statSync(file).size;
}

async function measure<T>(fn: () => Promise<T>): Promise<{ seconds: number; peakMb: number; result: T }> {
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const start = performance.now();
  try {
    const result = await fn();
    return {
      seconds: (performance.now() - start) / 1000,
      peakMb: Math.max(peak, process.memoryUsage().rss) / 1048576,
      result,
    };
  } finally {
    clearInterval(sampler);
  }
}

console.log(`generating ${PROCEDURES.toLocaleString('en')} compiled releases…`);
const size = generate();
const postgres = await startPostgres();
try {
  const { url } = await createAppDatabase(postgres.url, 'bench_procurement');
  const db = await openDatabase({ databaseUrl: url, dataDir: null });
  await migrate(db);
  await seedDemo(db);

  const baseline = await measure(async () => {
    let n = 0;
    for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity }))
      if (line) {
        JSON.parse(line);
        n++;
      }
    return n;
  });
  const clock = { now: () => new Date() };
  const ours = await measure(async () => {
    const id = await createImport(db, { userId: null, label: 'bench' }, 'cli', { key: null, name: 'releases.jsonl' });
    return runImport(db, clock, id, file);
  });
  const flags = await measure(() => db.transaction((tx) => recomputeFlags(tx, clock.now())));

  const app = await buildApp({
    config: loadConfig({ publicUrl: 'http://localhost', dataDir: dir, databaseUrl: url, logLevel: 'silent' }),
    db,
    logger: false,
  });
  await app.ready();
  const times: number[] = [];
  for (let i = 0; i < 55; i++) {
    const start = performance.now();
    const response = await app.inject(`/cities/lviv/procurement?year=2026${i % 2 ? '&flagged=1' : ''}`);
    if (response.statusCode !== 200) throw new Error(`city page: ${response.statusCode}`);
    if (i >= 5) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const procedures = (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM procurement_procedures'))!.n;
  await app.close();

  console.log(
    `\nProcurement — ${PROCEDURES.toLocaleString('en')} compiled releases, ${(size / 1e6).toFixed(0)} MB of JSON Lines, on PostgreSQL`,
  );
  console.log(
    `baseline  JSON.parse of every line   ${baseline.seconds.toFixed(1).padStart(6)} s  peak RSS ${baseline.peakMb.toFixed(0)} MB`,
  );
  console.log(
    `ours      import (one transaction)   ${ours.seconds.toFixed(1).padStart(6)} s  ratio ${(ours.seconds / baseline.seconds).toFixed(1)}x  peak RSS ${ours.peakMb.toFixed(0)} MB  created ${ours.result.counts.created}  (procedures stored: ${procedures})`,
  );
  console.log(
    `flags     recompute every indicator  ${flags.seconds.toFixed(1).padStart(6)} s  ${JSON.stringify(flags.result)}`,
  );
  console.log(
    `page      /cities/lviv/procurement   p50 ${percentile(times, 0.5).toFixed(0)} ms  p95 ${percentile(times, 0.95).toFixed(0)} ms`,
  );
  console.log('Targets: peak RSS < 300 MB, import ≤ 4x baseline, flags < 10 s, page p95 < 100 ms');
} finally {
  postgres.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
