// Killing the server (SIGKILL) in the middle of a city budget import: the year's previous rows stay
// served and nothing of the new file is half-imported; after a restart the job runs again and completes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createPostgresDatabase, DEMO_PASSWORD } from './helpers.ts';
import { Jar, startServer, waitFor } from './processes.ts';
import { DEMO_BUDGET_CODE, programExpensesFile } from '../src/demo/open-budget.ts';

test('a city budget import killed half-way leaves the previous year served, and is retried after restart', {
  skip: !process.env.TEST_POSTGRES_URL,
}, async () => {
  const database = await createPostgresDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-ob-crash-'));
  const env = { DATABASE_URL: database.url, HROMADA_DATA_DIR: dataDir, LOG_LEVEL: 'warn', JOB_STALE_SECONDS: '1' };
  const db = new pg.Client({ connectionString: database.url });
  let server = await startServer(env);
  try {
    await db.connect();
    const state = async () =>
      (
        await db.query(
          `SELECT count(*)::int AS rows, coalesce(sum(executed), 0)::text AS executed FROM open_budget_facts f JOIN cities c ON c.id = f.city_id
           WHERE c.slug = 'lviv' AND f.year = 2025 AND f.item = 'EXPENSES'`,
        )
      ).rows[0];
    const before = await state();
    assert.ok(before.rows > 0, 'the demo has Lviv’s 2025 spending');
    const pageBefore = await (await fetch(`${server.base}/api/v1/city-budgets/lviv/2025`)).json();

    const jar = new Jar();
    assert.equal(await jar.login(server.base, 'editor.lviv@hromada.demo', DEMO_PASSWORD), 303);
    const big = programExpensesFile(DEMO_BUDGET_CODE, 2025, 12, 20_000_000_000, 1000); // 288,000 rows
    const form = new FormData();
    form.append('_csrf', await jar.csrf(`${server.base}/city-budget/lviv/imports`));
    form.append('kind', 'EXPENSES/PROGRAM');
    form.append('year', '2025');
    form.append('file', new Blob([big.text]), 'big.csv');
    const response = await jar.post(`${server.base}/city-budget/lviv/imports/upload`, form);
    assert.equal(response.status, 303, await response.text());
    const importId = Number(/imports\/(\d+)$/.exec(response.headers.get('location')!)![1]);
    const jobOf = async () =>
      (
        await db.query(
          'SELECT j.state, j.attempts, j.progress FROM jobs j JOIN open_budget_imports i ON i.job_id = j.id WHERE i.id = $1',
          [importId],
        )
      ).rows[0];

    await waitFor('the swap to be under way', async () => (await jobOf())?.progress?.phase === 'swapping', 120);
    await server.kill();
    assert.deepEqual(await state(), before, 'nothing of the new file is in, the previous rows are whole');

    server = await startServer(env);
    const served = await (await fetch(`${server.base}/api/v1/city-budgets/lviv/2025`)).json();
    assert.deepEqual(served.expenses, pageBefore.expenses, 'the previous year is what the page serves');
    const done = await waitFor(
      'the retried import',
      async () => {
        const job = await jobOf();
        return job?.state === 'done' ? job : job?.state === 'failed' ? Promise.reject(new Error('failed')) : undefined;
      },
      180,
    );
    assert.equal(done.attempts, 2);
    const after = await state();
    assert.equal(after.rows, big.rows);
    const imp = (await db.query('SELECT status FROM open_budget_imports WHERE id = $1', [importId])).rows[0];
    assert.equal(imp.status, 'done');
  } finally {
    await server.kill();
    await db.end().catch(() => {});
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
