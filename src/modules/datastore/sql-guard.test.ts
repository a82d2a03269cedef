import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSelect, SqlRefused } from './sql-guard.ts';
import { HOSTILE_SQL, RESOURCE_A as A, RESOURCE_B as B } from '../../../test/hostile-sql.ts';

test('hostile SQL is refused with a reason', async () => {
  for (const sql of HOSTILE_SQL) {
    await assert.rejects(checkSelect(sql), SqlRefused, `not refused: ${sql}`);
  }
});

test('the reasons name what was refused', async () => {
  const reason = async (sql: string) => (await checkSelect(sql).catch((e: Error) => e)) as Error;
  assert.match((await reason('SELECT 1; SELECT 2')).message, /exactly one statement is allowed, found 2/);
  assert.match((await reason('SELECT pg_sleep(1)')).message, /function "pg_sleep" is not allowed/);
  assert.match((await reason('SELECT * FROM pg_roles')).message, /"pg_roles" is not a resource/);
  assert.match((await reason('UPDATE x SET y = 1')).message, /only SELECT is allowed, not UpdateStmt/);
  assert.match((await reason(`SELECT * FROM "${A}" FOR UPDATE`)).message, /FOR UPDATE/);
  assert.match((await reason('SELECT x::regclass')).message, /casting to "regclass"/);
  assert.match((await reason('SELECT (')).message, /does not parse/);
});

test('analysis queries pass and name the resources they read', async () => {
  const cases: [string, string[]][] = [
    [`SELECT * FROM "${A}"`, [A]],
    [`SELECT "Область", count(*)::int AS n, sum("Сума") FROM "${A}" GROUP BY 1 ORDER BY 2 DESC LIMIT 10`, [A]],
    [`SELECT "Рік", rank() OVER (PARTITION BY "Область" ORDER BY "Сума" DESC) FROM "${A}" t`, [A]],
    [
      `SELECT a."Назва", b.total FROM "${A}" a JOIN "${B}" b ON a._id = b._id WHERE a."Назва" ILIKE '%пам''ятка%'`,
      [A, B],
    ],
    [
      `WITH RECURSIVE totals AS (SELECT "Рік", sum("Сума") s FROM "${A}" GROUP BY 1) SELECT * FROM totals WHERE s > 0`,
      [A],
    ],
    [`WITH a AS (SELECT 1 AS x), b AS (SELECT * FROM a) SELECT * FROM b`, []],
    [`SELECT date_trunc('month', d)::date, EXTRACT(year FROM d), d AT TIME ZONE 'Europe/Kyiv' FROM "${A}"`, [A]],
    [`SELECT coalesce(x, 0), nullif(y, ''), greatest(1, 2), CASE WHEN z THEN 1 ELSE 2 END FROM "${A}"`, [A]],
    [`SELECT 1 UNION ALL SELECT count(*) FROM "${B}"`, [B]],
    [`SELECT x FROM "${A}" WHERE x IN (SELECT y FROM "${B}") AND d >= CURRENT_DATE - 30`, [A, B]],
    [`SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY "Сума") FROM "${A}" -- median`, [A]],
    [`SELECT ';' AS semicolon, $x$ ; $x$ FROM "${A}" /* ; DROP TABLE users */`, [A]],
  ];
  for (const [sql, resources] of cases) {
    assert.deepEqual((await checkSelect(sql)).resourceIds.sort(), resources.sort(), sql);
  }
});
