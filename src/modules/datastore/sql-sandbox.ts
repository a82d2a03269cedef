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
  fields: { id: string }[];
  truncated: boolean;
}

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
      return await this.query(sql);
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
        const columns = [
          '_id',
          ...(resource.datastore_fields ?? []).map((f) => `${quoteIdentifier(f.column)} AS ${quoteIdentifier(f.id)}`),
        ];
        await tx.execScript(`DROP VIEW IF EXISTS ${view};
          CREATE VIEW ${view} AS SELECT ${columns.join(', ')} FROM datastore.${quoteIdentifier(table)};
          COMMENT ON VIEW ${view} IS '${table}';
          GRANT SELECT ON ${view} TO ${role}`);
      }
    });
    this.schemaGranted = true;
  }

  private async query(sql: string): Promise<SqlResult> {
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
        SET LOCAL search_path = datastore_sql`);
      const cursor = connection.query(new Cursor<Record<string, unknown>>(sql));
      const records: Record<string, unknown>[] = [];
      let fields: { id: string }[] = [];
      let bytes = 0;
      let truncated = false;
      try {
        for (;;) {
          const batch = await new Promise<Record<string, unknown>[]>((resolve, reject) =>
            cursor.read(BATCH_ROWS, (error, rows, result) => {
              if (error) return reject(error);
              fields = result.fields.map((f) => ({ id: f.name }));
              resolve(rows);
            }),
          );
          for (const row of batch) {
            bytes += JSON.stringify(row).length;
            if (records.length === SQL_ROW_CAP || bytes > SQL_BYTE_CAP) {
              truncated = true;
              break;
            }
            records.push(row);
          }
          if (truncated || batch.length < BATCH_ROWS) break;
        }
      } finally {
        await cursor.close().catch(() => {});
      }
      return { records, fields, truncated };
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

  async close(): Promise<void> {
    await this.pool?.end();
  }
}
