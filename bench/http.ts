// HTTP benchmark (`npm run bench`): autocannon with 50 connections for 10 s against the city
// list page and /api/v1/cities, on PGlite and on a PostgreSQL server. The baseline, measured in
// the same run, is bare Fastify (bench/bare-server.ts, its own process like ours) sending a body of
// the same size from memory; the app's own static file is a second line. Also the memory of the
// server at rest and under load.
// Target on PostgreSQL: at least 30% of the baseline's requests/s, p99 under 50 ms.
import { spawn, type ChildProcess } from 'node:child_process';
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
  bytes: number;
}

/** Resident memory of a process in MB, from /proc. */
function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function startBare(port: number, bodies: Record<string, number>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'bare-server.ts')], {
    env: {
      ...process.env,
      PORT: String(port),
      BODIES: Object.entries(bodies)
        .map(([p, n]) => `${p}=${n}`)
        .join(','),
    },
    stdio: 'inherit',
  });
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}/`).then(
        () => true,
        () => false,
      )
    )
      return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the bare server did not start');
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
    // The body's size, which the bare baseline then sends too.
    bytes: (await (await fetch(url)).arrayBuffer()).byteLength,
  };
}

const memory: string[] = [];

async function benchEngine(engine: string, port: number, env: Record<string, string>): Promise<Result[]> {
  const server = await startServer(port, { API_RATE_LIMIT_ANONYMOUS: '100000000', ...env });
  const base = `http://127.0.0.1:${port}`;
  const results: Result[] = [];
  const targets = [
    ['city list page', '/cities'],
    ['GET /api/v1/cities', '/api/v1/cities'],
    ['static file (app)', '/static/app.css'],
  ] as const;
  try {
    const atRest = rssMb(server.pid!);
    for (const [target, url] of targets) results.push({ target, engine, ...(await load(`${base}${url}`)) });
    memory.push(`${engine}: ${atRest.toFixed(0)} MB at rest, ${rssMb(server.pid!).toFixed(0)} MB after the load`);
  } finally {
    await stopServer(server);
  }
  // Bare Fastify sending the same number of bytes for each measured path, in its own process.
  const bare = await startBare(port + 100, Object.fromEntries(targets.map(([, url], i) => [url, results[i]!.bytes])));
  try {
    for (const [target, url] of targets.slice(0, 2)) {
      results.push({
        target: `bare Fastify, same bytes as ${target}`,
        engine,
        ...(await load(`http://127.0.0.1:${port + 100}${url}`)),
      });
    }
  } finally {
    bare.kill();
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
console.log('engine    target                                        req/s  p50 ms  p99 ms  bytes   vs bare  errors');
let failed = false;
for (const r of all) {
  const bare = all.find((b) => b.engine === r.engine && b.target === `bare Fastify, same bytes as ${r.target}`);
  const ratio = bare ? `${((r.rps / bare.rps) * 100).toFixed(0)}%` : '';
  console.log(
    `${r.engine.padEnd(9)} ${r.target.padEnd(44)} ${r.rps.toFixed(0).padStart(6)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${String(r.bytes).padStart(6)} ${ratio.padStart(9)}  ${r.errors + r.non2xx}`,
  );
  if (r.engine === 'postgres' && bare && (r.rps / bare.rps < 0.3 || r.p99 >= 50)) failed = true;
  if (r.errors + r.non2xx > 0) failed = true;
}
console.log(`\nServer memory (RSS): ${memory.join('; ')}`);
console.log(
  `Target on PostgreSQL: the page and the API at ≥ 30% of bare Fastify's requests/s and p99 < 50 ms: ${failed ? 'NOT MET' : 'met'}`,
);
