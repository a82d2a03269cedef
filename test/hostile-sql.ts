// SQL an attacker sent to datastore_search_sql, or would: used by the guard's unit test and by the
// end-to-end test on a PostgreSQL server (test/sql-sandbox.test.ts).
export const RESOURCE_A = '0b3e6c1a-1111-2222-3333-444455556666';
export const RESOURCE_B = '9f0e6c1a-aaaa-bbbb-cccc-ddddeeeeffff';

/** Statements an attacker tried, or would: each must be refused before it reaches the database. */
export const HOSTILE_SQL: string[] = hostileSql(RESOURCE_A);

/** The corpus, reading `resource` where a statement needs one. */
export function hostileSql(A: string): string[] {
  return [
    // Closing the old wrapper's subquery to chain statements.
    `SELECT 1) x; COMMIT; INSERT INTO memberships SELECT 1; SELECT * FROM (SELECT 1`,
    `SELECT 1; DROP TABLE users`,
    `SELECT 1; COMMIT; CREATE TABLE stolen AS SELECT * FROM users`,
    // Becoming another role, reading settings and catalogs.
    `SELECT set_config('role','hromada',true), query_to_xml('select email from public.users',true,false,'')`,
    `SELECT current_setting('data_directory')`,
    `SELECT * FROM pg_catalog.pg_authid`,
    `SELECT * FROM pg_roles`,
    `SELECT * FROM information_schema.tables`,
    `SELECT * FROM public.users`,
    `SELECT * FROM users`,
    `SELECT * FROM datastore.r_x`,
    `SELECT 'pg_authid'::regclass`,
    `SELECT CAST('users' AS regclass)`,
    `SELECT current_user`,
    `SELECT session_user`,
    // CTE names that shadow a catalog only inside their own scope.
    `WITH a AS (SELECT * FROM pg_roles) SELECT * FROM a`,
    `SELECT * FROM (WITH pg_roles AS (SELECT 1) SELECT 1) x, pg_roles`,
    `WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a`,
    // Writing, locking, files, programs, large objects, other databases, sleeping, bombs.
    `WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d`,
    `WITH d AS (INSERT INTO users (email) VALUES ('x') RETURNING *) SELECT 1`,
    `SELECT * INTO stolen FROM "${A}"`,
    `SELECT * FROM "${A}" FOR UPDATE`,
    `(SELECT 1 INTO stolen) UNION SELECT 2`,
    `COPY (SELECT 1) TO PROGRAM 'id'`,
    `DO $$BEGIN PERFORM 1; END$$`,
    `SET ROLE hromada`,
    `RESET ROLE`,
    `SELECT pg_read_file('/etc/passwd')`,
    `SELECT pg_catalog.pg_read_file('/etc/passwd')`,
    `SELECT lo_import('/etc/passwd')`,
    `SELECT * FROM dblink('host=127.0.0.1', 'select 1') AS t(x int)`,
    `SELECT pg_sleep(10)`,
    `SELECT count(*) FROM generate_series(1, 1e12)`,
    `SELECT repeat('x', 1000000000)`,
    `SELECT public.anything()`,
    `SELECT 1 OPERATOR(public.+) 2`,
    `SELECT $1`,
    `SELECT xmlparse(document '<a/>')`,
    `EXPLAIN ANALYZE SELECT 1`,
    `VACUUM`,
    `SELECT 1 -- ;\n; SELECT 2`,
    `SELECT E'\\x27'; SELECT 2`,
    `SELECT $q$;$q$; SELECT pg_sleep(1)`,
    'SELECT * FROM "not-a-resource"',
    `SELECT * FROM ROWS FROM (unnest(ARRAY[1])) AS t(a int)`,
    '',
    'SELECT (',
  ];
}
