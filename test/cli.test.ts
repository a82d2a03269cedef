// The command-line contract other checks rely on: `hromada users create`, `tokens create`,
// `migrate`, `--help`, run as a separate process on a real data folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.ts';
import { openDatabase } from '../src/platform/db/index.ts';
import { createPostgresDatabase, testConfig } from './helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

function hromada(dataDir: string, ...args: string[]) {
  return hromadaWith({ HROMADA_DATA_DIR: dataDir, DATABASE_URL: '' }, ...args);
}

function hromadaWith(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'bin/hromada.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('users create, tokens create and the token calling the API, on a persisted PGlite folder', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-cli-'));
  try {
    const help = hromada(dataDir, '--help');
    assert.equal(help.status, 0);
    for (const command of ['serve', 'migrate', 'seed-demo', 'users create', 'tokens create', 'files migrate'])
      assert.match(help.stdout, new RegExp(command));

    const migrated = hromada(dataDir, 'migrate');
    assert.equal(migrated.status, 0, migrated.stderr);
    assert.match(migrated.stdout, /Database is up to date/);

    const created = hromada(
      dataDir,
      'users',
      'create',
      '--email',
      'Ops@Example.org',
      '--password',
      'operator password',
      '--role',
      'admin',
    );
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /Created user ops@example\.org/);

    const duplicate = hromada(
      dataDir,
      'users',
      'create',
      '--email',
      'ops@example.org',
      '--password',
      'operator password',
    );
    assert.equal(duplicate.status, 2);
    assert.match(duplicate.stderr, /--email: An account with this address already exists/);
    const weak = hromada(dataDir, 'users', 'create', '--email', 'x@example.org', '--password', 'short');
    assert.match(weak.stderr, /--password: The password must have at least 10 characters/);
    const badRole = hromada(
      dataDir,
      'users',
      'create',
      '--email',
      'y@example.org',
      '--password',
      'long enough pw',
      '--role',
      'king',
    );
    assert.match(badRole.stderr, /--role must be one of/);
    const editor = hromada(
      dataDir,
      'users',
      'create',
      '--email',
      'e@example.org',
      '--password',
      'long enough pw',
      '--role',
      'city_editor',
    );
    assert.match(editor.stderr, /--organization/);
    assert.equal(hromada(dataDir, 'tokens', 'create', '--email', 'nobody@example.org').status, 2);
    assert.equal(hromada(dataDir, 'frobnicate').status, 2);

    const issued = hromada(dataDir, 'tokens', 'create', '--email', 'ops@example.org', '--name', 'ci');
    assert.equal(issued.status, 0, issued.stderr);
    const token = issued.stdout.trim();
    assert.match(token, /^hmd_[A-Za-z0-9_-]{20,}$/);

    const db = await openDatabase({ dataDir });
    const app = await buildApp({ config: testConfig({ dataDir }), db, logger: false });
    try {
      const me = await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().email, 'ops@example.org');
      assert.ok(me.json().roles.some((r: { role: string }) => r.role === 'admin'));
    } finally {
      await app.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('files migrate moves the uploaded files into the database and back, verified and safe to repeat', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-cli-files-'));
  const filesIn = (dir: string) =>
    fs.existsSync(dir)
      ? fs.readdirSync(dir, { recursive: true }).filter((f) => fs.statSync(path.join(dir, String(f))).isFile())
      : [];
  const summary = (stdout: string) =>
    /: (\d+) copied, (\d+) already there, (\d+) failed(?:, (\d+) removed from the source)?/
      .exec(stdout)
      ?.slice(1)
      .map((n) => (n === undefined ? null : Number(n)));
  try {
    assert.equal(hromada(dataDir, 'seed-demo').status, 0); // the demo's files go to the data folder
    const count = filesIn(path.join(dataDir, 'files')).length;
    assert.ok(count >= 5, `the demo stores files (${count})`);

    const into = hromada(dataDir, 'files', 'migrate', '--to', 'postgres', '--delete-source');
    assert.equal(into.status, 0, into.stderr);
    assert.deepEqual(summary(into.stdout), [count, 0, 0, count]);
    assert.match(into.stdout, /Set FILE_STORAGE=postgres/);
    assert.deepEqual(filesIn(path.join(dataDir, 'files')), [], 'moved out of the data folder');
    const again = hromada(dataDir, 'files', 'migrate', '--to', 'postgres');
    assert.deepEqual(summary(again.stdout), [0, count, 0, null], 'a second run finds them there');

    const back = hromada(dataDir, 'files', 'migrate', '--to', 'local');
    assert.equal(back.status, 0, back.stderr);
    assert.deepEqual(summary(back.stdout), [count, 0, 0, null]);
    const emptied = hromada(dataDir, 'files', 'migrate', '--to', 'local', '--delete-source');
    assert.deepEqual(summary(emptied.stdout), [0, count, 0, count]);
    assert.equal(filesIn(path.join(dataDir, 'files')).length, count);
    const db = await openDatabase({ dataDir });
    try {
      assert.deepEqual(
        await db.one(
          'SELECT (SELECT count(*)::int FROM stored_files) AS rows, (SELECT count(*)::int FROM pg_largeobject_metadata) AS objects',
        ),
        { rows: 0, objects: 0 },
      );
    } finally {
      await db.close();
    }

    // A lost file fails the command and is named.
    const [lost] = filesIn(path.join(dataDir, 'files'));
    fs.rmSync(path.join(dataDir, 'files', String(lost)));
    const failed = hromada(dataDir, 'files', 'migrate', '--to', 'postgres');
    assert.equal(failed.status, 1);
    assert.match(failed.stderr, new RegExp(`error: ${String(lost)}: missing from the local store`));
    assert.deepEqual(summary(failed.stdout), [count - 1, 0, 1, null]);

    assert.equal(hromada(dataDir, 'files', 'migrate').status, 2);
    assert.equal(hromada(dataDir, 'files', 'migrate', '--to', 's3').status, 2);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('serve --demo starts with demo content on 127.0.0.1 only, logs JSON, answers /readyz, and shuts down cleanly on SIGTERM', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-serve-'));
  const { spawn } = await import('node:child_process');
  const port = 3700 + Math.floor(Math.random() * 200);
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/hromada.js'), 'serve', '--demo', '--port', String(port)],
    {
      // No HOST: the demo, whose admin password is published, must not listen on every interface.
      env: { ...process.env, HROMADA_DATA_DIR: dataDir, DATABASE_URL: '', HOST: '', LOG_LEVEL: 'info' },
    },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    let ready = false;
    // Seeding the whole demo takes a minute or more on a loaded machine: wait up to four.
    for (let i = 0; i < 960 && !ready; i++) {
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.ok(ready, output);
    const cities = await fetch(`http://127.0.0.1:${port}/api/v1/cities?limit=1`).then((r) => r.json());
    assert.ok(cities.total >= 50);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const lines = output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.ok(lines.some((l) => l.msg === 'demo content created'));
    const listening = lines.filter((l) => /^Server listening at /.test(l.msg)).map((l) => l.msg);
    assert.deepEqual(listening, [`Server listening at http://127.0.0.1:${port}`]);
    assert.ok(lines.some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM'));
    assert.ok(lines.some((l) => l.msg === 'request completed' && l.res?.statusCode === 200));
    // A second start keeps the data and adds no second copy of the demo.
    const again = hromada(dataDir, 'seed-demo');
    assert.match(again.stdout, /already has cities/);
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('migrate checks the database roles of datastore_search_sql', {
  skip: !process.env.TEST_POSTGRES_URL,
}, async () => {
  const database = await createPostgresDatabase();
  try {
    const good = hromadaWith({ DATABASE_URL: database.url, DATASTORE_READ_URL: database.readUrl }, 'migrate');
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /ok: datastore_search_sql runs as "hromada_sql"/);
    assert.doesNotMatch(good.stdout, /warning/);
    // The superuser, or the application's own role, as the SQL role: refused with the reason.
    const superuser = database.url.replace(/\/\/[^@]+@/, '//hromada@');
    const tooStrong = hromadaWith({ DATABASE_URL: database.url, DATASTORE_READ_URL: superuser }, 'migrate');
    assert.equal(tooStrong.status, 1);
    assert.match(tooStrong.stderr, /error: the SQL role "hromada" has SUPERUSER, CREATEROLE/);
    const itself = hromadaWith({ DATABASE_URL: database.url, DATASTORE_READ_URL: database.url }, 'migrate');
    assert.equal(itself.status, 1);
    assert.match(itself.stderr, /logs in as the application itself/);
    assert.match(itself.stderr, /may use public\./);
    // An application role with more power than it needs is told what to drop.
    const asSuperuser = hromadaWith({ DATABASE_URL: superuser, DATASTORE_READ_URL: database.readUrl }, 'migrate');
    assert.equal(asSuperuser.status, 0, asSuperuser.stderr);
    assert.match(asSuperuser.stdout, /warning: the application's role "hromada" has SUPERUSER/);
  } finally {
    await database.drop();
  }
});
