// What `hromada migrate` checks about the database roles (README, "Security"): the application's
// role needs no power over other roles, and datastore_search_sql's role must be able to log in and
// do nothing else. Problems are errors; what is merely more than needed is a warning.
import pg from 'pg';
import type { Database } from '../../platform/db/index.ts';

export interface RoleReport {
  errors: string[];
  warnings: string[];
  notes: string[];
}

interface RoleFlags {
  name: string;
  rolsuper: boolean;
  rolcreaterole: boolean;
  rolcreatedb: boolean;
  rolbypassrls: boolean;
  rolreplication: boolean;
}

const ROLE_FLAGS = `SELECT current_user AS name, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication
  FROM pg_roles WHERE rolname = current_user`;

function powers(role: RoleFlags): string[] {
  return [
    role.rolsuper && 'SUPERUSER',
    role.rolcreaterole && 'CREATEROLE',
    role.rolcreatedb && 'CREATEDB',
    role.rolbypassrls && 'BYPASSRLS',
    role.rolreplication && 'REPLICATION',
  ].filter((p): p is string => Boolean(p));
}

export async function checkDatabaseRoles(db: Database, readUrl: string | undefined): Promise<RoleReport> {
  const report: RoleReport = { errors: [], warnings: [], notes: [] };
  if (db.engine !== 'postgres') {
    report.notes.push('embedded database: datastore_search_sql is off (it needs a PostgreSQL server)');
    return report;
  }
  const app = (await db.one<RoleFlags>(ROLE_FLAGS))!;
  const extra = powers(app);
  if (extra.length) {
    report.warnings.push(
      `the application's role "${app.name}" has ${extra.join(', ')}, which it does not need: ALTER ROLE ${app.name} NO${extra.join(' NO')}`,
    );
  }
  if (await db.one(`SELECT 1 FROM pg_roles WHERE rolname = 'hromada_datastore_reader'`)) {
    report.warnings.push('the role hromada_datastore_reader is no longer used: DROP ROLE hromada_datastore_reader');
  }
  if (!readUrl) {
    report.notes.push('DATASTORE_READ_URL is not set: datastore_search_sql is off');
    return report;
  }
  const reader = new pg.Client({ connectionString: readUrl, connectionTimeoutMillis: 5_000 });
  try {
    await reader.connect();
  } catch (error) {
    report.errors.push(`DATASTORE_READ_URL: cannot log in: ${(error as Error).message}`);
    return report;
  }
  try {
    const role = (await reader.query<RoleFlags>(ROLE_FLAGS)).rows[0]!;
    if (role.name === app.name)
      report.errors.push('DATASTORE_READ_URL logs in as the application itself: it needs a role of its own');
    const rolePowers = powers(role);
    if (rolePowers.length)
      report.errors.push(`the SQL role "${role.name}" has ${rolePowers.join(', ')}: it must have none`);
    const memberOf = await reader.query<{ role: string }>(
      `SELECT r.rolname AS role FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
       WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = current_user)`,
    );
    if (memberOf.rows.length) {
      report.errors.push(
        `the SQL role "${role.name}" is a member of ${memberOf.rows.map((r) => r.role).join(', ')}: it must be of none`,
      );
    }
    // Every relation outside the SQL views, and every schema, as the SQL role sees its rights.
    const readable = await reader.query<{ name: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'datastore_sql')
         AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
         AND has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')
       ORDER BY 1 LIMIT 5`,
    );
    if (readable.rows.length) {
      report.errors.push(
        `the SQL role "${role.name}" may use ${readable.rows.map((r) => r.name).join(', ')}: revoke it`,
      );
    }
    const creatable = await reader.query<{ name: string }>(
      `SELECT nspname AS name FROM pg_namespace WHERE has_schema_privilege(oid, 'CREATE') ORDER BY 1`,
    );
    if (creatable.rows.length) {
      report.errors.push(
        `the SQL role "${role.name}" may create objects in ${creatable.rows.map((r) => r.name).join(', ')}: REVOKE CREATE ON SCHEMA … FROM PUBLIC`,
      );
    }
    report.notes.push(
      `datastore_search_sql runs as "${role.name}", which can read only the views of published resources`,
    );
  } finally {
    await reader.end();
  }
  return report;
}
