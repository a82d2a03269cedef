import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, ENGINES } from '../../../test/helpers.ts';
import type { Database } from '../db/index.ts';
import { migrate } from '../db/migrate.ts';
import { SharedCounter } from './rate-limits.ts';

for (const engine of ENGINES) {
  describe(`shared rate limits on ${engine}`, () => {
    let db: Database;
    before(async () => {
      db = await createTestDatabase(engine);
      await migrate(db);
    });
    after(() => db.close());

    const allowed = async (counter: SharedCounter, key: string, hits: number, max: number) =>
      (await Promise.all(Array.from({ length: hits }, () => counter.hit(key, 60_000, max)))).filter(
        (r) => r.current <= max,
      ).length;

    test('hits arriving together allow exactly the limit, for small and large limits', async () => {
      const counter = new SharedCounter(db);
      assert.equal(await allowed(counter, 'small', 40, 10), 10);
      assert.equal(await allowed(counter, 'large', 3000, 1000), 1000);
      assert.equal(await allowed(counter, 'roomy', 500, 100_000_000), 500, 'nothing refused far below the limit');
    });

    test('two servers share the limit: together they allow it once, not twice', async () => {
      const a = new SharedCounter(db);
      const b = new SharedCounter(db);
      let total = 0;
      // A client alternating between the servers until both refuse.
      for (let i = 0; i < 150; i++) total += (await allowed(i % 2 ? b : a, 'shared', 1, 100)) ? 1 : 0;
      assert.ok(total <= 100, `at most the limit (${total})`);
      assert.ok(total >= 100 - 5, `at most a block lost per server (${total})`);
      const c = new SharedCounter(db); // a server started later, or after a restart
      assert.equal(await allowed(c, 'shared', 5, 100), 0, 'a restart resets nothing');
    });
  });
}
