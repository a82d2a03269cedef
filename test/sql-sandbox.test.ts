// datastore_search_sql on a real PostgreSQL server, as an attacker and as an analyst: the review's
// attacks and the hostile corpus are refused or harmless and change nothing; the SQL role itself
// can reach nothing but the published resources' views; realistic analysis keeps working; slow
// queries cannot starve the pages.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { Client, createTestApp, DEMO_PASSWORD, multipartBody } from './helpers.ts';
import { hostileSql } from './hostile-sql.ts';
import { runQueuedJobs } from '../src/platform/jobs.ts';
import { ingestHandler, INGEST_JOB } from '../src/modules/datastore/service.ts';

describe('datastore_search_sql on PostgreSQL', { skip: !process.env.TEST_POSTGRES_URL }, () => {
  let app: FastifyInstance;
  let editor: Client;
  let dataDir: string;
  let admin: pg.Client;
  let budget: string; // published: district, amount (Ukrainian headers)
  let grid: string; // published: 1,500 rows, for slow and large queries
  let secret: string; // a draft dataset's resource: private

  const sql = (query: string, options: { token?: string; address?: string } = {}) =>
    app.inject({
      method: 'POST',
      url: '/api/3/action/datastore_search_sql',
      payload: { sql: query },
      headers: options.token ? { authorization: options.token } : {},
      ...(options.address ? { remoteAddress: options.address } : {}),
    });

  async function upload(name: string, content: string, dataset: string): Promise<string> {
    await editor.get(`/datasets/${dataset}/resources/upload`);
    const body = multipartBody({ _csrf: editor.csrfToken(), name, description: '' }, { name, content });
    const response = await app.inject({
      method: 'POST',
      url: `/datasets/${dataset}/resources/upload`,
      payload: body.payload,
      headers: { 'content-type': body.contentType, cookie: editor.cookieHeader },
    });
    const id = /\/resources\/([0-9a-f-]{36})$/.exec(String(response.headers.location ?? ''))?.[1];
    assert.ok(id, response.body);
    return id;
  }

  /** What an attack could change: every table's row count, the objects in every schema, roles, memberships, grants. */
  async function snapshot(): Promise<string> {
    const tables = await admin.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
       WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    );
    const counts: Record<string, number> = {};
    // The requests themselves count against rate limits: those rows are meant to change.
    for (const { name } of tables.rows.filter((t) => t.name !== 'public.rate_limits')) {
      counts[name] = (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name}`)).rows[0]!.n;
    }
    const catalog = await admin.query(
      `SELECT (SELECT json_agg(r ORDER BY r.rolname) FROM (SELECT rolname, rolsuper, rolcreaterole, rolcreatedb,
                rolcanlogin, rolbypassrls, rolinherit FROM pg_roles) r) AS roles,
              (SELECT json_agg(m ORDER BY m.roleid, m.member) FROM (SELECT roleid::regrole::text AS roleid,
                member::regrole::text AS member FROM pg_auth_members) m) AS members,
              (SELECT json_agg(o ORDER BY o.name) FROM (SELECT format('%I.%I', n.nspname, c.relname) AS name,
                c.relkind, c.relacl::text AS acl FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')) o) AS objects,
              (SELECT json_agg(p ORDER BY p.name) FROM (SELECT p.oid::regprocedure::text AS name FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname NOT IN ('pg_catalog',
                'information_schema')) p) AS functions,
              (SELECT json_agg(nspname ORDER BY nspname) FROM pg_namespace) AS schemas,
              (SELECT count(*) FROM pg_largeobject_metadata) AS large_objects`,
    );
    return JSON.stringify({ counts, catalog: catalog.rows[0] });
  }

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-sql-'));
    app = await createTestApp('postgres', { config: { dataDir } });
    editor = new Client(app);
    await editor.login('editor.lviv@hromada.demo', DEMO_PASSWORD);
    budget = await upload(
      'budget.csv',
      'Район,Сума,Рік\nГалицький,10,2024\nСихів,5,2024\nГалицький,7,2025\n',
      'lviv-budget-2024',
    );
    const rows = Array.from({ length: 1500 }, (_, i) => `${i},Район ${i % 7},${(i * 37) % 1000}`).join('\n');
    grid = await upload('grid.csv', `n,Район,Сума\n${rows}\n`, 'lviv-budget-2024');
    secret = await upload('secret.csv', 'Таємне\nпароль\n', 'lviv-council-decisions-draft');
    await runQueuedJobs(app.db, { [INGEST_JOB]: ingestHandler(app.db, dataDir) });
    const databaseName = new URL((app.db as unknown as { readUrl: string }).readUrl ?? '').pathname;
    admin = new pg.Client({ connectionString: process.env.TEST_POSTGRES_URL!.replace(/\/[^/]*$/, databaseName) });
    await admin.connect();
  });
  after(async () => {
    await admin?.end();
    await app?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('realistic analysis works, with the column names datastore_info gives', async () => {
    const info = (await app.inject(`/api/3/action/datastore_info?id=${budget}`)).json().result;
    assert.deepEqual(
      info.fields.map((f: { id: string }) => f.id),
      ['Район', 'Сума', 'Рік'],
    );
    const grouped = await sql(
      `SELECT "Район", sum("Сума")::int AS total, count(*)::int AS n FROM "${budget}" GROUP BY "Район" ORDER BY total DESC`,
    );
    assert.equal(grouped.statusCode, 200, grouped.body);
    assert.deepEqual(grouped.json().result.records, [
      { Район: 'Галицький', total: 17, n: 2 },
      { Район: 'Сихів', total: 5, n: 1 },
    ]);
    assert.deepEqual(
      grouped.json().result.fields.map((f: { id: string }) => f.id),
      ['Район', 'total', 'n'],
    );
    const windowed = await sql(
      `SELECT "Район", "Рік", rank() OVER (PARTITION BY "Рік" ORDER BY "Сума" DESC)::int AS place
       FROM "${budget}" ORDER BY "Рік", place`,
    );
    assert.equal(windowed.statusCode, 200, windowed.body);
    assert.deepEqual(
      windowed.json().result.records.map((r: { place: number }) => r.place),
      [1, 2, 1],
    );
    const joined = await sql(
      `WITH totals AS (SELECT "Район", sum("Сума") AS s FROM "${grid}" GROUP BY 1)
       SELECT b."Район", t.s::int AS grid_total FROM "${budget}" b LEFT JOIN totals t ON t."Район" = b."Район"
       WHERE b."Рік" = 2024 ORDER BY 1`,
    );
    assert.equal(joined.statusCode, 200, joined.body);
    assert.equal(joined.json().result.records.length, 2);
  });

  test('a query returning too many rows is cut at the cap and says so', async () => {
    const response = await sql(`SELECT a.n, b.n AS m FROM "${grid}" a, "${grid}" b`);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().result.records.length, 10_000);
    assert.equal(response.json().result.records_truncated, true);
  });

  test("the review's attacks and the hostile corpus are refused, and nothing changes", async () => {
    await sql(`SELECT count(*) FROM "${budget}"`); // the views the corpus may name exist beforehand
    const token = await editor.apiToken();
    const before = await snapshot();
    for (const query of [
      ...hostileSql(budget),
      `SELECT * FROM "${secret}"`,
      `SELECT b.* FROM "${budget}" a JOIN "${secret}" b ON true`,
      `SELECT * FROM "${budget}" WHERE "Район" IN (SELECT "Таємне" FROM "${secret}")`,
    ]) {
      for (const as of [{}, { token }]) {
        const response = await sql(query, as);
        assert.ok(
          [403, 404, 409].includes(response.statusCode),
          `${response.statusCode} for ${query}: ${response.body}`,
        );
        assert.equal(response.json().success, false);
        assert.doesNotMatch(response.body, /argon2|@hromada\.demo|пароль/, `leaked data: ${query}`);
      }
    }
    // Hostile statements that are valid SELECTs run and are harmless.
    for (const query of [
      `SELECT * FROM "${budget}" -- ; DROP TABLE users`,
      `SELECT ';DROP TABLE users;' AS x, $q$'; DELETE FROM users; '$q$ FROM "${budget}"`,
      `SELECT * FROM "${budget}" WHERE "Район" = 'x'' OR 1=1; --'`,
    ]) {
      const response = await sql(query);
      assert.equal(response.statusCode, 200, `${query}: ${response.body}`);
    }
    assert.deepEqual(JSON.parse(await snapshot()), JSON.parse(before), 'the database is exactly as it was');
  });

  test('the SQL role itself can read nothing but the published views', async () => {
    const reader = new pg.Client({ connectionString: (app.db as unknown as { readUrl: string }).readUrl });
    await reader.connect();
    try {
      const denied = async (statement: string) => {
        await reader.query('BEGIN');
        const error = await reader.query(statement).then(
          () => undefined,
          (e: Error) => e,
        );
        await reader.query('ROLLBACK');
        assert.ok(error, `the SQL role could run: ${statement}`);
        assert.match(error.message, /permission denied|must be|not allowed|does not exist/, statement);
      };
      const privateTable = (await app.db.one<{ t: string }>(
        'SELECT datastore_table AS t FROM resources WHERE id = $1',
        [secret],
      ))!.t;
      await denied('SELECT email FROM public.users');
      await denied('SELECT * FROM public.sessions');
      await denied(`SELECT * FROM datastore."${privateTable}"`);
      await denied(`SELECT * FROM datastore_sql."${secret}"`);
      await denied('SET ROLE hromada_app');
      await denied("SELECT set_config('role', 'hromada_app', false)");
      await denied("SELECT pg_read_file('/etc/passwd')");
      await denied("SELECT lo_import('/etc/passwd')");
      await denied("COPY (SELECT 1) TO PROGRAM 'id'");
      await denied('CREATE TABLE public.stolen (x int)');
      await denied('CREATE TABLE datastore_sql.stolen (x int)');
      const mine = await reader.query(`SELECT count(*)::int AS n FROM datastore_sql."${budget}"`);
      assert.equal(mine.rows[0].n, 3);
    } finally {
      await reader.end();
    }
  });

  test('a dataset made private loses its SQL view at once', async () => {
    const before = await sql(`SELECT count(*)::int AS n FROM "${grid}"`);
    assert.equal(before.statusCode, 200, before.body);
    await app.db.query(`UPDATE datasets SET state = 'private' WHERE name = 'lviv-budget-2024'`);
    try {
      const view = await admin.query(`SELECT to_regclass($1) AS v`, [`datastore_sql."${grid}"`]);
      assert.equal(view.rows[0].v, null, 'the view is gone');
      assert.equal((await sql(`SELECT count(*) FROM "${grid}"`)).statusCode, 404);
    } finally {
      await app.db.query(`UPDATE datasets SET state = 'published' WHERE name = 'lviv-budget-2024'`);
    }
  });

  test('slow queries are cut by the timeout and cannot starve the pages; one at a time per client', async () => {
    const slow = `SELECT count(*) FROM "${grid}" a, "${grid}" b, "${grid}" c`; // 3.4 billion rows
    const finished: string[] = [];
    const queries = Array.from({ length: 12 }, (_, i) =>
      sql(slow, { address: `198.51.100.${i + 1}` }).then((response) => {
        finished.push('sql');
        return response;
      }),
    );
    // A second query from a client whose first is still running is refused at once.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = await sql(slow, { address: '198.51.100.1' });
    assert.equal(second.statusCode, 429, second.body);
    const page = await app.inject('/api/v1/cities?limit=5');
    finished.push('page');
    assert.equal(page.statusCode, 200);
    const responses = await Promise.all(queries);
    assert.equal(finished[0], 'page', 'the page was answered while the SQL queries ran');
    const statuses = responses.map((r) => r.statusCode);
    assert.ok(
      statuses.every((s) => s === 409 || s === 503),
      statuses.join(),
    );
    const timedOut = responses.find((r) => r.statusCode === 409)!;
    assert.match(timedOut.json().error.message, /statement timeout/);
    assert.ok(statuses.filter((s) => s === 503).length >= 12 - 3, 'beyond the pool, clients are told to come back');
  });
});
