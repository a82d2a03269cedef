// HTTP benchmark (`npm run bench`): autocannon with 50 connections for 10 s against the city
// list page and /api/v1/cities, on PGlite and on a PostgreSQL server, and against a static
// file served by the same app as the baseline measured in the same run.
// Target on PostgreSQL: at least 30% of the baseline's requests/s, p99 under 50 ms.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { startPostgres } from '../scripts/postgres.ts';
import { startServer, stopServer } from './support.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = 50;

interface Result {
  target: string;
  engine: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(url: string): Promise<Omit<Result, 'target' | 'engine'>> {
  await autocannon({ url, connections: 10, duration: 2 }); // warm-up: JIT, caches, connection pool
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

async function benchEngine(engine: string, port: number, env: Record<string, string>): Promise<Result[]> {
  const server = await startServer(port, { API_RATE_LIMIT_ANONYMOUS: '100000000', ...env });
  const base = `http://127.0.0.1:${port}`;
  const results: Result[] = [];
  try {
    for (const [target, url] of [
      ['static file (baseline)', `${base}/static/favicon.svg`],
      ['city list page', `${base}/cities`],
      ['GET /api/v1/cities', `${base}/api/v1/cities`],
    ] as const) {
      results.push({ target, engine, ...(await load(url)) });
    }
  } finally {
    await stopServer(server);
  }
  return results;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-bench-'));
const postgres = await startPostgres();
const all: Result[] = [];
try {
  all.push(...(await benchEngine('pglite', 3901, { HROMADA_DATA_DIR: dataDir, DATABASE_URL: '' })));
  all.push(...(await benchEngine('postgres', 3902, { HROMADA_DATA_DIR: dataDir, DATABASE_URL: postgres.url })));
} finally {
  postgres.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

console.log(`\nHromada HTTP benchmark — ${CONNECTIONS} connections, ${DURATION} s each, ${os.cpus().length} cores\n`);
console.log('engine    target                     req/s     p50 ms  p99 ms  vs baseline  errors');
let failed = false;
for (const r of all) {
  const baseline = all.find((b) => b.engine === r.engine && b.target.includes('baseline'))!;
  const ratio = r.rps / baseline.rps;
  console.log(
    `${r.engine.padEnd(9)} ${r.target.padEnd(24)} ${r.rps.toFixed(0).padStart(7)} ${String(r.p50).padStart(8)} ${String(r.p99).padStart(7)} ${(ratio * 100).toFixed(0).padStart(10)}%  ${r.errors + r.non2xx}`,
  );
  if (r.engine === 'postgres' && !r.target.includes('baseline') && (ratio < 0.3 || r.p99 >= 50)) failed = true;
  if (r.errors + r.non2xx > 0) failed = true;
}
console.log(
  `\nTarget on PostgreSQL: ≥ 30% of the baseline's requests/s and p99 < 50 ms: ${failed ? 'NOT MET' : 'met'}`,
);
