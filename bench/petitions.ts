// Signature integrity under load (`npm run bench:petitions`): 20,000 people sign one petition
// through POST /api/v1/petitions/{id}/signatures from 200 concurrent connections, on a
// PostgreSQL server, with 2,000 repeated attempts by people who already signed mixed in.
// Afterwards the petition's count must equal the number of distinct signers exactly.
// Baseline in the same run: 20,000 plain INSERTs into the same table from 200 concurrent
// callers over a pool as large as the server's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { startPostgres } from '../scripts/postgres.ts';
import { insertPeople, percentile, startServer, stopServer } from './support.ts';

const SIGNERS = Number(process.env.BENCH_SIGNERS ?? 20_000);
const REPEATS = Math.round(SIGNERS / 10);
const CONNECTIONS = 200;
const PORT = 3903;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-bench-'));
const postgres = await startPostgres();
const server = await startServer(PORT, {
  HROMADA_DATA_DIR: dataDir,
  DATABASE_URL: postgres.url,
  // One machine plays 20,000 people: the per-address and per-account limits would stop it.
  SIGN_RATE_LIMIT_PER_ADDRESS: '100000000',
  API_RATE_LIMIT_AUTHENTICATED: '100000000',
});
const db = new pg.Pool({ connectionString: postgres.url, max: 10 });
try {
  const [{ id: petitionId, signature_count: before }] = (
    await db.query(
      `SELECT id, signature_count FROM petitions WHERE state = 'open' ORDER BY signature_count DESC LIMIT 1`,
    )
  ).rows;
  const [{ id: baselinePetition }] = (
    await db.query(`SELECT id FROM petitions WHERE state = 'open' AND id <> $1 LIMIT 1`, [petitionId])
  ).rows;

  // 20,000 confirmed people with an API token each, and 2,000 more for the baseline.
  const { ids: users, tokens } = await insertPeople(db, 'bench', SIGNERS * 2, SIGNERS);

  // Every token once, and after every tenth a repeat of one used just before, so that some
  // repeats race the first attempt still in flight.
  const order: number[] = [];
  for (let i = 0; i < SIGNERS; i++) {
    order.push(i);
    if (i % 10 === 9) order.push(i - 5);
  }
  let next = 0;
  const started = performance.now();
  const result = await autocannon({
    url: `http://127.0.0.1:${PORT}`,
    connections: CONNECTIONS,
    amount: order.length,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: `/api/v1/petitions/${petitionId}/signatures`,
        setupRequest: (request) => ({
          ...request,
          body: '{"show_name":false}',
          headers: {
            ...request.headers,
            'content-type': 'application/json',
            authorization: `Bearer ${tokens[order[next++]!]}`,
          },
        }),
      },
    ],
  });
  const seconds = (performance.now() - started) / 1000;
  const [{ signature_count: after, distinct }] = (
    await db.query(
      `SELECT signature_count, (SELECT count(DISTINCT user_id)::int FROM petition_signatures WHERE petition_id = $1 AND valid) AS distinct
     FROM petitions WHERE id = $1`,
      [petitionId],
    )
  ).rows;

  // Baseline: the same number of plain INSERTs into the same table, 200 callers at once.
  const insertPool = new pg.Pool({ connectionString: postgres.url, max: 10 });
  const latencies: number[] = [];
  let cursor = 0;
  const baselineStart = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (cursor < SIGNERS) {
        const user = users[SIGNERS + (cursor++ % SIGNERS)]!;
        const t0 = performance.now();
        await insertPool.query(
          `INSERT INTO petition_signatures (petition_id, user_id, signer_name, ip_block, email_domain) VALUES ($1, $2, 'Bench', '127.0.0.0/24', 'bench.example')`,
          [baselinePetition, user],
        );
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const baselineSeconds = (performance.now() - baselineStart) / 1000;
  await insertPool.end();
  latencies.sort((a, b) => a - b);

  const signaturesPerSecond = SIGNERS / seconds;
  const baselinePerSecond = SIGNERS / baselineSeconds;
  const exact = after - before === SIGNERS && distinct === after;
  console.log(
    `\nHromada petition signing — ${SIGNERS} signers + ${REPEATS} repeated attempts, ${CONNECTIONS} connections, PostgreSQL, ${os.cpus().length} cores\n`,
  );
  console.log(
    `signing through the API: ${order.length} requests in ${seconds.toFixed(1)} s = ${signaturesPerSecond.toFixed(0)} signatures/s; p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms; non-2xx ${result.non2xx}, errors ${result.errors + result.timeouts}`,
  );
  console.log(
    `baseline, plain INSERTs: ${SIGNERS} in ${baselineSeconds.toFixed(1)} s = ${baselinePerSecond.toFixed(0)} rows/s; p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms`,
  );
  console.log(`ratio: ${((signaturesPerSecond / baselinePerSecond) * 100).toFixed(0)}% of the baseline's rate`);
  console.log(
    `count after: ${after} (before ${before}, +${after - before}); distinct valid signers: ${distinct}; ${exact ? 'EXACT' : 'MISMATCH'}`,
  );
  if (!exact || result.non2xx > 0 || result.errors > 0) process.exitCode = 1;
} finally {
  await db.end();
  await stopServer(server);
  postgres.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
