// Killing the server (SIGKILL) in the middle of a DataStore load loses nothing: no half-loaded
// table is served, and after a restart the job runs again and completes, leaving no stray table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createPostgresDatabase, DEMO_PASSWORD } from './helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const ROWS = 400_000;

function serve(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [path.join(ROOT, 'bin/hromada.js'), 'serve', '--demo'], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, seconds = 90): Promise<T> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const result = await check().catch(() => undefined);
    if (result) return result;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A browser's cookie jar, enough for a login and a form post. */
class Jar {
  cookies = new Map<string, string>();
  take(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      this.cookies.set(name!.trim(), value.join('='));
    }
  }
  get header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

test('a load killed half-way is retried after restart and nothing half-made is ever served', {
  skip: !process.env.TEST_POSTGRES_URL,
}, async () => {
  const database = await createPostgresDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-crash-'));
  const port = 4100 + Math.floor(Math.random() * 500);
  const base = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: database.url,
    HROMADA_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    JOB_STALE_SECONDS: '1',
  };
  const db = new pg.Client({ connectionString: database.url });
  let server = serve(env);
  try {
    await waitFor('the server', async () => (await fetch(`${base}/readyz`)).ok);
    await db.connect();
    const jar = new Jar();
    const token = async (url: string) => {
      const page = await fetch(url, { headers: { cookie: jar.header } });
      jar.take(page);
      return /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    };
    const loginToken = await token(`${base}/login`); // first, so that its cookie goes with the post
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: loginToken, email: 'editor.lviv@hromada.demo', password: DEMO_PASSWORD }),
    });
    jar.take(login);
    assert.equal(login.status, 303);

    let csv = 'district,amount,date\n';
    for (let i = 0; i < ROWS; i++)
      csv += `Район ${i % 7},${i % 1000},2020-01-${String(1 + (i % 28)).padStart(2, '0')}\n`;
    const form = new FormData();
    form.append('_csrf', await token(`${base}/datasets/lviv-budget-2024/resources/upload`));
    form.append('name', 'Великий файл');
    form.append('file', new Blob([csv]), 'big.csv');
    const upload = await fetch(`${base}/datasets/lviv-budget-2024/resources/upload`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header },
      body: form,
    });
    assert.equal(upload.status, 303);
    const resourceId = /resources\/([0-9a-f-]{36})$/.exec(upload.headers.get('location')!)![1]!;

    // Kill it while the rows are going in.
    await waitFor(
      'the load to be under way',
      async () => {
        const job = (await db.query(`SELECT state, progress FROM jobs WHERE resource_id = $1`, [resourceId])).rows[0];
        return job?.state === 'running' && job.progress?.phase === 'loading';
      },
      60,
    );
    server.kill('SIGKILL');
    await new Promise((resolve) => server.once('exit', resolve));
    const afterKill = (await db.query('SELECT datastore_table FROM resources WHERE id = $1', [resourceId])).rows[0];
    assert.equal(afterKill.datastore_table, null, 'the half-loaded table is not served');

    server = serve(env);
    await waitFor('the server after the restart', async () => (await fetch(`${base}/readyz`)).ok);
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
      await fetch(`${base}/api/3/action/datastore_search?resource_id=${resourceId}&limit=1`)
    ).json();
    assert.equal(search.result.total, ROWS);
    const tables = (await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'datastore'`))
      .rows;
    const served = (await db.query('SELECT datastore_table FROM resources WHERE datastore_table IS NOT NULL')).rows;
    assert.equal(tables.length, served.length, 'no stray table is left behind');
  } finally {
    server.kill('SIGKILL');
    await db.end().catch(() => {});
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
