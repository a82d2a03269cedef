// Ballots under load (`npm run bench:budget`): 50,000 voters cast their ballots in Lviv's demo
// cycle through PUT /api/v1/budgets/{id}/ballot from 200 concurrent connections on a
// PostgreSQL server. Afterwards every ballot must be counted exactly once and the served totals
// must equal a recount from the ballot table. Baseline in the same run: 50,000 plain INSERTs into
// the ballot table from 200 concurrent callers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { startPostgres } from '../scripts/postgres.ts';
import { insertPeople, percentile, startServer, stopServer } from './support.ts';

const VOTERS = Number(process.env.BENCH_VOTERS ?? 50_000);
const CONNECTIONS = 200;
const PORT = 3904;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-bench-'));
const postgres = await startPostgres();
const server = await startServer(PORT, {
  HROMADA_DATA_DIR: dataDir,
  DATABASE_URL: postgres.url,
  // One machine plays 50,000 voters: the per-address limits would stop it.
  API_RATE_LIMIT_AUTHENTICATED: '100000000',
});
const db = new pg.Pool({ connectionString: postgres.url, max: 10 });
try {
  // Lviv's demo cycle is in its voting phase: approval, up to 3 projects, one per category.
  const [{ id: cycleId }] = (await db.query(`SELECT id FROM budget_cycles WHERE slug = 'gromadskyi-proekt'`)).rows;
  const projects = (
    await db.query(
      `SELECT id, district_id FROM budget_projects WHERE cycle_id = $1 AND review_state = 'feasible' ORDER BY id`,
      [cycleId],
    )
  ).rows as { id: number; district_id: number }[];
  const districts = [...new Set(projects.map((p) => p.district_id))].map((d) =>
    projects.filter((p) => p.district_id === d).map((p) => p.id),
  );
  const [{ n: demoBallots }] = (
    await db.query('SELECT count(*)::int AS n FROM budget_ballots WHERE cycle_id = $1 AND confirmed_at IS NOT NULL', [
      cycleId,
    ])
  ).rows;

  const { ids: users, tokens } = await insertPeople(db, 'voter', VOTERS * 2, VOTERS);

  // Each voter casts a valid ballot in one district: one or more of its projects, each in its own category.
  const ballotOf = (i: number) => {
    const district = districts[i % districts.length]!;
    return district.filter((_, j) => ((i >> j) & 1) === 1 || j === i % district.length);
  };
  let next = 0;
  const started = performance.now();
  const result = await autocannon({
    url: `http://127.0.0.1:${PORT}`,
    connections: CONNECTIONS,
    amount: VOTERS,
    timeout: 30,
    requests: [
      {
        method: 'PUT',
        path: `/api/v1/budgets/${cycleId}/ballot`,
        setupRequest: (request) => {
          const i = next++;
          return {
            ...request,
            body: JSON.stringify({ projects: ballotOf(i), birth_year: 1980, resident: true, confirm: true }),
            headers: { ...request.headers, 'content-type': 'application/json', authorization: `Bearer ${tokens[i]}` },
          };
        },
      },
    ],
  });
  const seconds = (performance.now() - started) / 1000;

  // Every ballot counted exactly once, and the totals equal a recount from the ballot table.
  const [{ ballots, voters: distinctVoters }] = (
    await db.query(
      `SELECT count(*)::int AS ballots, count(DISTINCT user_id)::int AS voters FROM budget_ballots WHERE cycle_id = $1 AND confirmed_at IS NOT NULL`,
      [cycleId],
    )
  ).rows;
  const served = (await (await fetch(`http://127.0.0.1:${PORT}/api/v1/budgets/${cycleId}/projects`)).json()) as {
    items: { id: number; votes: number }[];
  };
  const recount = new Map<number, number>(
    (
      (
        await db.query(
          `SELECT c.project_id, count(*)::int AS votes FROM budget_ballot_choices c JOIN budget_ballots b ON b.id = c.ballot_id
     WHERE b.cycle_id = $1 AND b.confirmed_at IS NOT NULL GROUP BY c.project_id`,
          [cycleId],
        )
      ).rows as { project_id: number; votes: number }[]
    ).map((r) => [r.project_id, r.votes]),
  );
  const expected = new Map<number, number>();
  for (let i = 0; i < VOTERS; i++) for (const id of ballotOf(i)) expected.set(id, (expected.get(id) ?? 0) + 1);
  const totalsMatch =
    served.items.every((p) => p.votes === recount.get(p.id)) &&
    [...expected].every(([id, n]) => (recount.get(id) ?? 0) >= n);

  // Baseline: the same number of plain INSERTs into the ballot table, 200 callers at once.
  const insertPool = new pg.Pool({ connectionString: postgres.url, max: 10 });
  const latencies: number[] = [];
  let cursor = 0;
  const baselineStart = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (cursor < VOTERS) {
        const user = users[VOTERS + cursor++]!;
        const t0 = performance.now();
        await insertPool.query(
          `INSERT INTO budget_ballots (cycle_id, user_id, declared_birth_year, declared_resident) VALUES ($1, $2, 1980, true)`,
          [cycleId, user],
        );
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const baselineSeconds = (performance.now() - baselineStart) / 1000;
  await insertPool.end();
  latencies.sort((a, b) => a - b);

  const rate = VOTERS / seconds;
  const baselineRate = VOTERS / baselineSeconds;
  const exact = ballots - demoBallots === VOTERS && distinctVoters === ballots;
  console.log(
    `\nHromada participatory-budget voting — ${VOTERS} ballots, ${CONNECTIONS} connections, PostgreSQL, ${os.cpus().length} cores\n`,
  );
  console.log(
    `casting through the API: ${VOTERS} in ${seconds.toFixed(1)} s = ${rate.toFixed(0)} ballots/s; p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms; non-2xx ${result.non2xx}, errors ${result.errors + result.timeouts}`,
  );
  console.log(
    `baseline, plain INSERTs: ${VOTERS} in ${baselineSeconds.toFixed(1)} s = ${baselineRate.toFixed(0)} rows/s; p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms`,
  );
  console.log(`ratio: ${((rate / baselineRate) * 100).toFixed(0)}% of the baseline's rate`);
  console.log(
    `confirmed ballots: ${ballots} (${demoBallots} demo + ${ballots - demoBallots}), distinct voters ${distinctVoters}; ${exact ? 'each counted once' : 'MISMATCH'}; served totals ${totalsMatch ? 'equal the recount' : 'DIFFER from the recount'}`,
  );
  if (!exact || !totalsMatch || result.non2xx > 0 || result.errors > 0) process.exitCode = 1;
} finally {
  await db.end();
  await stopServer(server);
  postgres.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
