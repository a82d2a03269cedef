// Killing the server (SIGKILL) in the middle of a DataStore load loses nothing: no half-loaded
// table is served, and after a restart the job runs again and completes, leaving no stray table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createPostgresDatabase, DEMO_PASSWORD } from './helpers.ts';
import { Jar, startServer, waitFor } from './processes.ts';

const ROWS = 400_000;

test('a load killed half-way is retried after restart and nothing half-made is ever served', {
  skip: !process.env.TEST_POSTGRES_URL,
}, async () => {
  const database = await createPostgresDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-crash-'));
  const env = { DATABASE_URL: database.url, HROMADA_DATA_DIR: dataDir, LOG_LEVEL: 'warn', JOB_STALE_SECONDS: '1' };
  const db = new pg.Client({ connectionString: database.url });
  let server = await startServer(env);
  try {
    await db.connect();
    const jar = new Jar();
    assert.equal(await jar.login(server.base, 'editor.lviv@hromada.demo', DEMO_PASSWORD), 303);

    let csv = 'district,amount,date\n';
    for (let i = 0; i < ROWS; i++)
      csv += `Район ${i % 7},${i % 1000},2020-01-${String(1 + (i % 28)).padStart(2, '0')}\n`;
    const resourceId = await jar.uploadCsv(server.base, 'lviv-budget-2024', 'big.csv', csv);

    // Kill it while the rows are going in.
    await waitFor(
      'the load to be under way',
      async () => {
        const job = (await db.query(`SELECT state, progress FROM jobs WHERE resource_id = $1`, [resourceId])).rows[0];
        return job?.state === 'running' && job.progress?.phase === 'loading';
      },
      60,
    );
    await server.kill();
    const afterKill = (await db.query('SELECT datastore_table FROM resources WHERE id = $1', [resourceId])).rows[0];
    assert.equal(afterKill.datastore_table, null, 'the half-loaded table is not served');

    server = await startServer(env);
    const done = await waitFor(
      'the retried load',
      async () => {
        const job = (await db.query(`SELECT state, attempts FROM jobs WHERE resource_id = $1`, [resourceId])).rows[0];
        return job?.state === 'done' ? job : job?.state === 'failed' ? Promise.reject(new Error('failed')) : undefined;
      },
      120,
    );
    assert.equal(done.attempts, 2);
    const search = await (
      await fetch(`${server.base}/api/3/action/datastore_search?resource_id=${resourceId}&limit=1`)
    ).json();
    assert.equal(search.result.total, ROWS);
    const tables = (await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'datastore'`))
      .rows;
    const served = (await db.query('SELECT datastore_table FROM resources WHERE datastore_table IS NOT NULL')).rows;
    assert.equal(tables.length, served.length, 'no stray table is left behind');
  } finally {
    await server.kill();
    await db.end().catch(() => {});
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
