// Where datastore_search_sql runs: a small pool of its own, logged in as a role of its own
// (DATASTORE_READ_URL, CKAN's `ckan.datastore.read_url`), which may read nothing but the views in
// the `datastore_sql` schema: one per published resource that SQL has named, granted to it alone.
// The statement has passed sql-guard.ts first; here it runs through the extended query protocol
// (PostgreSQL's Parse accepts one statement only) in a read-only transaction with a statement
// timeout, read through a cursor up to a row and a byte cap, then rolled back.
import pg from 'pg';
import Cursor from 'pg-cursor';
import { quoteIdentifier, type Database } from '../../platform/db/index.ts';
import type { DatastoreResource } from './service.ts';

export const SQL_ROW_CAP = 10_000;
export const SQL_TIMEOUT_MS = 5_000;
/** A response larger than this is cut, like one with too many rows. */
const SQL_BYTE_CAP = 32 * 1024 * 1024;
const BATCH_ROWS = 500;
/** A DataStore table's name, as ingest makes it: it reaches a COMMENT, which takes no parameter. */
const TABLE_NAME = /^r_[0-9a-f]{32}_\d+(_\d+)?$/;

export type SandboxFailure =
  | { code: 'unavailable'; reason: 'embedded' | 'not_configured' }
  | { code: 'busy'; reason: 'client' | 'pool' }
  | { code: 'sql_error'; message: string };

export class SandboxError extends Error {
  readonly failure: SandboxFailure;
  constructor(failure: SandboxFailure) {
    super(failure.code === 'sql_error' ? failure.message : `${failure.code}: ${failure.reason}`);
    this.failure = failure;
  }
}

export interface SqlResult {
  records: Record<string, unknown>[];
  /** Each column's name and PostgreSQL type name, as CKAN's datastore_search_sql gives them. */
  fields: { id: string; type: string }[];
  truncated: boolean;
}

/** PostgreSQL's longest name in bytes (NAMEDATALEN - 1): longer names are cut to it. */
const NAME_BYTES = 63;

/** A name as PostgreSQL keeps it: cut to 63 bytes, on a character boundary. */
export function sqlName(name: string): string {
  if (Buffer.byteLength(name) <= NAME_BYTES) return name;
  let cut = '';
  for (const char of name) {
    if (Buffer.byteLength(cut + char) > NAME_BYTES) break;
    cut += char;
  }
  return cut;
}

/**
 * The view's column name for each field: the field id itself (mixed case, Cyrillic, spaces and
 * all), which SQL reaches by quoting it; an id longer than PostgreSQL's names is cut as PostgreSQL
 * cuts the same id written in a query, and one that would then repeat another gets a number.
 */
export function viewColumns(ids: string[]): string[] {
  const used = new Set(['_id']);
  return ids.map((id) => {
    let name = sqlName(id);
    for (let n = 2; used.has(name); n++) name = `${sqlName(id.slice(0, -String(n).length - 1))}_${n}`;
    used.add(name);
    return name;
  });
}

/** The settings under which values are read back: ISO dates and times in UTC, every float digit. */
export const SQL_VALUE_SETTINGS = `SET LOCAL TimeZone = 'UTC';
        SET LOCAL DateStyle = 'ISO, YMD';
        SET LOCAL IntervalStyle = 'postgres';
        SET LOCAL extra_float_digits = 1`;

/**
 * A value PostgreSQL sent as text, as CKAN's JSON gives it: numbers as numbers (a bigint too large
 * for a double stays text), booleans, JSON as JSON, a date as YYYY-MM-DD and a timestamp in ISO
 * 8601 (never shifted by a time zone), anything else as PostgreSQL writes it.
 */
export function sqlValue(type: number, text: string | null): unknown {
  if (text === null) return null;
  switch (type) {
    case 16: // bool
      return text === 't';
    case 20: // int8
    case 21: // int2
    case 23: // int4
    case 26: {
      const value = Number(text);
      return Number.isSafeInteger(value) ? value : text;
    }
    case 700: // float4
    case 701: // float8
    case 1700: {
      // numeric
      const value = Number(text);
      return Number.isFinite(value) ? value : text;
    }
    case 1114: // timestamp
      return text.replace(' ', 'T');
    case 1184: // timestamptz, in UTC
      return text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
    case 114: // json
    case 3802: // jsonb
      return JSON.parse(text);
    default:
      return text;
  }
}

/** Every value reaches sqlValue as the text PostgreSQL sent. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value };

export class SqlSandbox {
  readonly role: string | undefined;
  private readonly pool: pg.Pool | undefined;
  private readonly perClient: number;
  /** Queries running per client in this process; the pool size bounds the process as a whole. */
  private readonly running = new Map<string, number>();
  private schemaGranted = false;

  constructor(readUrl: string | undefined, options: { poolSize?: number; perClient?: number } = {}) {
    this.perClient = options.perClient ?? 1;
    if (!readUrl) return;
    this.role = decodeURIComponent(new URL(readUrl).username);
    this.pool = new pg.Pool({
      connectionString: readUrl,
      max: options.poolSize ?? 3,
      // A full pool answers "busy" quickly instead of holding requests for seconds.
      connectionTimeoutMillis: 2_000,
      idleTimeoutMillis: 30_000,
      application_name: 'hromada datastore_search_sql',
    });
    this.pool.on('error', () => {}); // an idle connection that died is replaced on the next query
  }

  /** Why SQL cannot run here, or undefined when it can. */
  unavailable(db: Database): SandboxFailure | undefined {
    // PGlite runs queries on the server's own thread and cannot interrupt one, so a slow query
    // would stop the whole site.
    if (db.engine !== 'postgres') return { code: 'unavailable', reason: 'embedded' };
    if (!this.pool) return { code: 'unavailable', reason: 'not_configured' };
    return undefined;
  }

  async run(db: Database, client: string, sql: string, resources: DatastoreResource[]): Promise<SqlResult> {
    const unavailable = this.unavailable(db);
    if (unavailable) throw new SandboxError(unavailable);
    const running = this.running.get(client) ?? 0;
    if (running >= this.perClient) throw new SandboxError({ code: 'busy', reason: 'client' });
    this.running.set(client, running + 1);
    try {
      await this.publishViews(db, resources);
      // A field id PostgreSQL had to cut comes back whole.
      const ids = new Map<string, string>();
      for (const resource of resources) {
        const fieldIds = (resource.datastore_fields ?? []).map((f) => f.id);
        viewColumns(fieldIds).forEach((name, i) => {
          if (name !== fieldIds[i]) ids.set(name, fieldIds[i]!);
        });
      }
      return await this.query(db, sql, ids);
    } finally {
      const left = (this.running.get(client) ?? 1) - 1;
      if (left > 0) this.running.set(client, left);
      else this.running.delete(client);
    }
  }

  /**
   * Makes each resource readable under its id in `datastore_sql`, with the columns named as
   * datastore_info names them; a view already over the resource's current table is kept.
   */
  private async publishViews(db: Database, resources: DatastoreResource[]): Promise<void> {
    const role = quoteIdentifier(this.role!);
    await db.transaction(async (tx) => {
      // Servers sharing the database take turns: concurrent GRANTs on one object would fail.
      await tx.query('SELECT pg_advisory_xact_lock(7243002)');
      if (!this.schemaGranted) await tx.execScript(`GRANT USAGE ON SCHEMA datastore_sql TO ${role}`);
      for (const resource of resources) {
        const table = resource.datastore_table!;
        if (!TABLE_NAME.test(table)) throw new Error(`unexpected DataStore table name ${table}`);
        const existing = await tx.one<{ source: string | null; granted: boolean }>(
          `SELECT obj_description(c.oid, 'pg_class') AS source, has_table_privilege($2, c.oid, 'SELECT') AS granted
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'datastore_sql' AND c.relname = $1`,
          [resource.id, this.role],
        );
        if (existing?.source === table && existing.granted) continue;
        const view = `datastore_sql.${quoteIdentifier(resource.id)}`;
        const fields = resource.datastore_fields ?? [];
        const names = viewColumns(fields.map((f) => f.id));
        const columns = [
          '_id',
          ...fields.map((f, i) => `${quoteIdentifier(f.column)} AS ${quoteIdentifier(names[i]!)}`),
        ];
        await tx.execScript(`DROP VIEW IF EXISTS ${view};
          CREATE VIEW ${view} AS SELECT ${columns.join(', ')} FROM datastore.${quoteIdentifier(table)};
          COMMENT ON VIEW ${view} IS '${table}';
          GRANT SELECT ON ${view} TO ${role}`);
      }
    });
    this.schemaGranted = true;
  }

  private async query(db: Database, sql: string, ids: Map<string, string>): Promise<SqlResult> {
    let connection: pg.PoolClient;
    try {
      connection = await this.pool!.connect();
    } catch {
      throw new SandboxError({ code: 'busy', reason: 'pool' });
    }
    let broken = false;
    try {
      // The role's own settings cannot be trusted to be set: each transaction sets its limits.
      await connection.query(`BEGIN READ ONLY;
        SET LOCAL statement_timeout = ${SQL_TIMEOUT_MS};
        SET LOCAL idle_in_transaction_session_timeout = ${SQL_TIMEOUT_MS * 2};
        SET LOCAL lock_timeout = 1000;
        SET LOCAL work_mem = '16MB';
        SET LOCAL search_path = datastore_sql;
        ${SQL_VALUE_SETTINGS}`);
      const cursor = connection.query(new Cursor<(string | null)[]>(sql, [], { rowMode: 'array', types: RAW_TEXT }));
      const records: Record<string, unknown>[] = [];
      let columns: { name: string; dataTypeID: number }[] = [];
      let bytes = 0;
      let truncated = false;
      try {
        for (;;) {
          const batch = await new Promise<(string | null)[][]>((resolve, reject) =>
            cursor.read(BATCH_ROWS, (error, rows, result) => {
              if (error) return reject(error);
              columns = result.fields;
              resolve(rows);
            }),
          );
          for (const row of batch) {
            bytes += JSON.stringify(row).length;
            if (records.length === SQL_ROW_CAP || bytes > SQL_BYTE_CAP) {
              truncated = true;
              break;
            }
            const record: Record<string, unknown> = {};
            columns.forEach((c, i) => {
              record[ids.get(c.name) ?? c.name] = sqlValue(c.dataTypeID, row[i] ?? null);
            });
            records.push(record);
          }
          if (truncated || batch.length < BATCH_ROWS) break;
        }
      } finally {
        await cursor.close().catch(() => {});
      }
      return { records, fields: await this.fieldsOf(db, columns, ids), truncated };
    } catch (error) {
      if (error instanceof SandboxError) throw error;
      const message = (error as Error).message;
      throw new SandboxError({ code: 'sql_error', message: message.slice(0, 300) });
    } finally {
      await connection.query('ROLLBACK').catch(() => {
        broken = true;
      });
      connection.release(broken);
    }
  }

  /** Type names by OID, as the database has them (a column of an extension type too). */
  private readonly typeNames = new Map<number, string>();

  private async fieldsOf(
    db: Database,
    columns: { name: string; dataTypeID: number }[],
    ids: Map<string, string>,
  ): Promise<SqlResult['fields']> {
    const unknown = [...new Set(columns.map((c) => c.dataTypeID).filter((oid) => !this.typeNames.has(oid)))];
    if (unknown.length) {
      const rows = await db.query<{ oid: number; name: string }>(
        'SELECT oid::int AS oid, typname AS name FROM pg_type WHERE oid = ANY($1::oid[])',
        [unknown],
      );
      for (const row of rows) this.typeNames.set(row.oid, row.name);
    }
    return columns.map((c) => ({ id: ids.get(c.name) ?? c.name, type: this.typeNames.get(c.dataTypeID) ?? 'unknown' }));
  }

  async close(): Promise<void> {
    await this.pool?.end();
  }
}
