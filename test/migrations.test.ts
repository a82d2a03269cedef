import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate, readMigrations } from '../src/platform/db/migrate.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { createTestDatabase, ENGINES } from './helpers.ts';

for (const engine of ENGINES) {
  describe(`migrations on ${engine}`, () => {
    test('apply in order once; running again applies nothing and keeps the data', async () => {
      const db = await createTestDatabase(engine);
      try {
        const first = await migrate(db);
        assert.deepEqual(
          first,
          readMigrations().map((m) => m.name),
        );
        assert.equal(await seedDemo(db), true);
        assert.deepEqual(await migrate(db), []);
        assert.equal(await seedDemo(db), false, 'the demo seed never runs over existing data');
        const cities = await db.one<{ n: number }>('SELECT count(*)::int AS n FROM cities');
        assert.ok(cities!.n >= 50);
      } finally {
        await db.close();
      }
    });

    test('a failing migration is rolled back whole and stops the run', async () => {
      const db = await createTestDatabase(engine);
      try {
        const broken = [
          { version: '0001', name: '0001_ok', sql: 'CREATE TABLE a (id int);' },
          { version: '0002', name: '0002_broken', sql: 'CREATE TABLE b (id int); SELECT no_such_function();' },
        ];
        await assert.rejects(migrate(db, broken), /no_such_function/);
        assert.ok(await db.one(`SELECT 1 FROM schema_migrations WHERE version = '0001'`));
        assert.equal(await db.one(`SELECT 1 FROM schema_migrations WHERE version = '0002'`), undefined);
        assert.equal(
          (await db.one<{ t: string | null }>(`SELECT to_regclass('b')::text AS t`))!.t,
          null,
          'table b was rolled back',
        );
      } finally {
        await db.close();
      }
    });
  });
}
