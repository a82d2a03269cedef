// The versions that cached pages carry: kept in memory from NOTIFY, read from the table while the
// listening connection is down, and right again once it is back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openDatabase, type Database } from '../src/platform/db/index.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { DataVersions, dataVersion } from '../src/platform/data-version.ts';
import { createPostgresDatabase } from './helpers.ts';
import { waitFor } from './processes.ts';

const skip = !process.env.TEST_POSTGRES_URL;
let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
let db: Database;
let versions: DataVersions;
let admin: pg.Client;

before(async () => {
  if (skip) return;
  database = await createPostgresDatabase();
  db = await openDatabase({ databaseUrl: database.url, dataDir: null });
  await migrate(db);
  versions = new DataVersions(db);
  await versions.start();
  admin = new pg.Client({
    connectionString: process.env.TEST_POSTGRES_URL!.replace(/\/[^/]*$/, new URL(database.url).pathname),
  });
  await admin.connect();
});
after(async () => {
  if (skip) return;
  await versions.stop();
  await admin.end();
  await db.close();
  await database.drop();
});

// A statement trigger: any UPDATE of cities bumps the version, even one that matches no row.
const rename = (name: string) => admin.query(`UPDATE cities SET name_en = $1 WHERE slug = 'test'`, [name]);

test('a change made elsewhere reaches the versions in memory', { skip }, async () => {
  const before = await versions.of('cities');
  await rename('Test 2');
  await waitFor('the notification', async () => (await versions.of('cities')) > before, 5);
  assert.equal(await versions.of('cities'), await dataVersion(db, 'cities'));
});

test('while the listening connection is down, versions come from the table; then from memory again', {
  skip,
}, async () => {
  await admin.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hromada listener'`,
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  await rename('Test 3'); // its notification is lost with the connection
  assert.equal(await versions.of('cities'), await dataVersion(db, 'cities'), 'read from the table');
  await waitFor(
    'the listener to be back',
    async () =>
      (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'hromada listener'`)).rowCount,
    10,
  );
  await rename('Test 4');
  await waitFor('the notification', async () => (await versions.of('cities')) === (await dataVersion(db, 'cities')), 5);
});
