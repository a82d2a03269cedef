// Two and three real server processes on one PostgreSQL database, as behind a load balancer:
// rate limits hold across them and across a restart, a change shows on every server at once,
// queued mail goes out exactly once, a file uploaded through one downloads from another, a
// background job runs once, and a server starting up leaves another server's load in progress
// alone. Each server has a data folder of its own, as on separate machines; files are kept in
// the database (FILE_STORAGE=postgres).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createPostgresDatabase, DEMO_PASSWORD } from './helpers.ts';
import { Jar, startServer, waitFor, type ServerProcess } from './processes.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';

describe('several servers on one PostgreSQL', { skip: !process.env.TEST_POSTGRES_URL }, () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let dataDirs: string; // each server's data folder is a new one in here
  let sink: SmtpSink;
  let db: pg.Client;
  let env: Record<string, string>;
  let a: ServerProcess;
  let b: ServerProcess;
  const start = () => startServer({ ...env, HROMADA_DATA_DIR: fs.mkdtempSync(path.join(dataDirs, 'server-')) });

  before(async () => {
    database = await createPostgresDatabase();
    dataDirs = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-servers-'));
    sink = await startSmtpSink();
    env = {
      DATABASE_URL: database.url,
      DATASTORE_READ_URL: database.readUrl,
      FILE_STORAGE: 'postgres',
      HROMADA_SECRET: 'one secret for every server of this site',
      SMTP_URL: sink.url,
      JOB_STALE_SECONDS: '5',
    };
    a = await start(); // seeds the demo content; the others find it there
    b = await start();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  });
  after(async () => {
    await Promise.all([a?.kill(), b?.kill()]);
    await db?.end();
    await sink?.close();
    await database?.drop();
    fs.rmSync(dataDirs, { recursive: true, force: true });
  });

  test('a login limit of 10 allows 10 attempts in total across servers, and still after a restart', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      const server = i % 2 ? b : a;
      statuses.push(await new Jar().login(server.base, 'citizen@hromada.demo', `wrong ${i}`));
    }
    assert.deepEqual(
      statuses,
      [...Array(10).fill(401), 429, 429, 429, 429],
      'ten wrong passwords, then refused on both',
    );
    await a.stop();
    a = await start();
    assert.equal(await new Jar().login(a.base, 'citizen@hromada.demo', 'wrong again'), 429, 'a restart resets nothing');
  });

  test('a rename shows on every server at once', async () => {
    for (const server of [a, b]) assert.match(await (await fetch(`${server.base}/ranking`)).text(), />Львів</);
    await db.query(`UPDATE cities SET name_uk = 'Львів (перейменовано)' WHERE slug = 'lviv'`);
    try {
      for (const server of [a, b]) {
        const page = await (await fetch(`${server.base}/ranking`)).text();
        assert.match(page, /Львів \(перейменовано\)/, `${server.base} shows the new name`);
      }
    } finally {
      await db.query(`UPDATE cities SET name_uk = 'Львів' WHERE slug = 'lviv'`);
    }
  });

  test('queued mail reaches the SMTP server exactly once with two servers sending', async () => {
    const count = 40;
    await db.query(
      `INSERT INTO outbox (to_address, subject, body_text)
       SELECT 'person' || n || '@example.org', 'message ' || n, 'body' FROM generate_series(1, $1) n`,
      [count],
    );
    await waitFor(
      'the outbox to empty',
      // This test's messages only: the demo's own mail is not what is measured here.
      async () =>
        (await db.query(`SELECT 1 FROM outbox WHERE sent_at IS NULL AND subject LIKE 'message %'`)).rowCount === 0,
      60,
    );
    const subjects = sink.received
      .map((raw) => /^Subject: (.*)$/m.exec(raw)?.[1])
      .filter((s) => s?.startsWith('message'));
    assert.equal(subjects.length, count, 'each message once');
    assert.equal(new Set(subjects).size, count);
  });

  test('a file uploaded through one server downloads from another', async () => {
    const jar = new Jar();
    assert.equal(await jar.login(a.base, 'editor.lviv@hromada.demo', DEMO_PASSWORD), 303);
    const content = crypto.randomBytes(3 * 1024 * 1024 + 4321); // several pieces of 1 MiB
    const form = new FormData();
    form.append('_csrf', await jar.csrf(`${a.base}/datasets/lviv-budget-2024/resources/upload`));
    form.append('name', 'Архів');
    form.append('file', new Blob([content]), 'archive.zip');
    const uploaded = await jar.post(`${a.base}/datasets/lviv-budget-2024/resources/upload`, form);
    assert.equal(uploaded.status, 303, await uploaded.text());
    const resource = uploaded.headers.get('location')!;
    const download = await fetch(`${b.base}${resource}/download`);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-length'), String(content.length));
    assert.equal(download.headers.get('content-type'), 'application/octet-stream');
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(content), 'the same bytes from the other server');
    const stored = await db.query(
      'SELECT s.size, s.sha256 FROM stored_files s JOIN resources r ON r.file_key = s.key WHERE r.id = $1',
      [/([0-9a-f-]{36})$/.exec(resource)![1]],
    );
    assert.deepEqual(
      stored.rows.map((row) => ({ size: Number(row.size), sha256: row.sha256 })),
      [{ size: content.length, sha256: crypto.createHash('sha256').update(content).digest('hex') }],
    );
    for (const dir of fs.readdirSync(dataDirs))
      assert.equal(fs.existsSync(path.join(dataDirs, dir, 'files')), false, 'no server keeps files on its disk');
  });

  test('a load runs once, and survives a third server starting up', async () => {
    const jar = new Jar();
    assert.equal(await jar.login(b.base, 'editor.lviv@hromada.demo', DEMO_PASSWORD), 303);
    let csv = 'district,amount,date\n';
    for (let i = 0; i < 300_000; i++)
      csv += `Район ${i % 7},${i % 1000},2020-01-${String(1 + (i % 28)).padStart(2, '0')}\n`;
    const resourceId = await jar.uploadCsv(b.base, 'lviv-budget-2024', 'big.csv', csv);
    await waitFor(
      'the load to be under way',
      async () =>
        (await db.query(`SELECT 1 FROM jobs WHERE resource_id = $1 AND state = 'running'`, [resourceId])).rowCount,
      60,
    );
    // A rolling deploy: a third server starts while the load runs on one of the first two.
    const c = await start();
    try {
      const job = await waitFor(
        'the load to finish',
        async () => {
          const row = (await db.query(`SELECT state, attempts, error FROM jobs WHERE resource_id = $1`, [resourceId]))
            .rows[0];
          return row?.state === 'done' || row?.state === 'failed' ? row : undefined;
        },
        180,
      );
      assert.deepEqual({ state: job.state, attempts: job.attempts }, { state: 'done', attempts: 1 }, job.error);
      assert.doesNotMatch(c.output(), /dropped DataStore tables/);
      const search = await (
        await fetch(`${c.base}/api/3/action/datastore_search?resource_id=${resourceId}&limit=1`)
      ).json();
      assert.equal(search.result.total, 300_000, 'every server serves the loaded table');
      const tables = await db.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'datastore'`,
      );
      const served = await db.query('SELECT datastore_table FROM resources WHERE datastore_table IS NOT NULL');
      assert.equal(tables.rowCount, served.rowCount, 'no stray table');
    } finally {
      await c.kill();
    }
  });
});
