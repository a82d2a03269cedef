// One small interface over the two PostgreSQL engines we run on: PGlite (embedded, default)
// and a PostgreSQL server through `pg`. Modules write plain parameterised SQL against it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type Row = Record<string, unknown>;

export interface Queryable {
  /**
   * Runs one parameterised statement and returns its rows. Statements are prepared and kept per
   * connection, unless `prepare` is false (for SQL that people send, which must not pile up).
   */
  query<T = Row>(sql: string, params?: readonly unknown[], options?: { prepare?: boolean }): Promise<T[]>;
  /** The first row, or undefined. */
  one<T = Row>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Runs a script of several statements without parameters (migrations). */
  execScript(sql: string): Promise<void>;
  /**
   * Bulk-loads CSV text (no header, UTF-8) into `table` (already quoted) with COPY; each chunk
   * holds whole rows. Returns the number of rows the server reports.
   */
  copyCsv(table: string, columns: string[], chunks: AsyncIterable<string | Uint8Array<ArrayBuffer>>): Promise<number>;
}

export interface Database extends Queryable {
  readonly engine: 'pglite' | 'postgres';
  /**
   * Calls `onNotify` with the payload of every NOTIFY on `channel`, on a connection of its own
   * that is re-established after a failure. `onListening(false)` says notifications may be missed
   * from now on; `onListening(true)`, that they arrive again (anything sent in between is lost,
   * so the caller re-reads what it keeps). Returns a function that stops listening.
   */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onListening: (listening: boolean) => void,
  ): Promise<() => Promise<void>>;
  /** Runs fn inside BEGIN … COMMIT; any throw rolls back. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

function queryable(
  query: Queryable['query'],
  execScript: Queryable['execScript'],
  copyCsv: Queryable['copyCsv'],
): Queryable {
  return {
    query,
    one: async (sql, params) => (await query(sql, params))[0] as never,
    execScript,
    copyCsv,
  };
}

// PGlite: one in-process connection. Its own transaction() queues other queries until it ends.
async function openPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  // Contrib extensions the migrations create must be loaded into PGlite up front.
  const db = await PGlite.create({ ...(dataDir ? { dataDir } : {}), extensions: { pg_trgm } });
  const on = (target: Pick<PGlite, 'query' | 'exec'>) =>
    queryable(
      (async (sql: string, params?: readonly unknown[]) =>
        (await target.query(sql, params ? [...params] : [])).rows) as Queryable['query'],
      async (sql) => {
        await target.exec(sql);
      },
      // PGlite reads COPY input from a blob; one COPY per chunk keeps memory bounded.
      async (table, columns, chunks) => {
        let rows = 0;
        for await (const chunk of chunks) {
          const result = await target.query(
            `COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' WITH (FORMAT csv)`,
            [],
            {
              blob: new Blob([chunk]),
            },
          );
          rows += result.affectedRows ?? 0;
        }
        return rows;
      },
    );
  return {
    engine: 'pglite',
    ...on(db),
    transaction: (fn) => db.transaction((tx) => fn(on(tx))),
    // One process owns a PGlite database, and its notifications never get lost.
    listen: async (channel, onNotify, onListening) => {
      const stop = await db.listen(channel, onNotify);
      onListening(true);
      return () => stop();
    },
    close: () => db.close(),
  };
}

// int8 (counts, bigserial ids) arrive from pg as strings; our values fit in a double.
pg.types.setTypeParser(20, (value) => Number(value));

// Parameterised statements are prepared once per connection under a name derived from their
// text, so the server parses and plans each of them once rather than on every request.
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `h${crypto.createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    if (statementNames.size < 5000) statementNames.set(sql, name);
  }
  return name;
}

async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => {}); // an idle client dropped by the server is replaced on next use
  const on = (target: pg.Pool | pg.PoolClient) => {
    // One connection runs one statement at a time: statements a transaction issues together
    // (Promise.all) wait their turn here instead of piling up inside pg.
    let queue: Promise<unknown> = Promise.resolve();
    const inTurn = <T>(task: () => Promise<T>): Promise<T> => {
      if (!('release' in target)) return task();
      const next = queue.then(task, task);
      queue = next.catch(() => undefined);
      return next;
    };
    return queryable(
      (async (sql: string, params?: readonly unknown[], options?: { prepare?: boolean }) =>
        (
          await inTurn(() =>
            target.query({
              ...(options?.prepare === false ? {} : { name: statementName(sql) }),
              text: sql,
              values: params ? [...params] : [],
            }),
          )
        ).rows) as Queryable['query'],
      // Without a parameter array pg uses the simple protocol, which accepts several statements.
      async (sql) => {
        await inTurn(() => target.query(sql));
      },
      (table, columns, chunks) =>
        inTurn(async () => {
          const client = 'release' in target ? target : await target.connect();
          try {
            const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT csv)`));
            const done = new Promise<void>((resolve, reject) => {
              stream.on('finish', resolve);
              stream.on('error', reject);
            });
            for await (const chunk of chunks) {
              if (!stream.write(chunk))
                await Promise.race([new Promise((resolve) => stream.once('drain', resolve)), done]);
            }
            stream.end();
            await done;
            return stream.rowCount ?? 0;
          } finally {
            if (client !== target) (client as pg.PoolClient).release();
          }
        }),
    );
  };
  await pool.query('SELECT 1');
  return {
    engine: 'postgres',
    ...on(pool),
    transaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(on(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    listen: (channel, onNotify, onListening) => listenPostgres(url, channel, onNotify, onListening),
    close: () => pool.end(),
  };
}

/** LISTEN on a connection of its own, reconnecting (1 s, 2 s, … 30 s apart) whenever it drops. */
async function listenPostgres(
  url: string,
  channel: string,
  onNotify: (payload: string) => void,
  onListening: (listening: boolean) => void,
): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let delay = 1000;
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url, application_name: 'hromada listener' });
    next.on('notification', (message) => {
      if (message.channel === channel) onNotify(message.payload ?? '');
    });
    next.on('error', () => lost(next));
    next.on('end', () => lost(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${quoteIdentifier(channel)}`);
    } catch {
      lost(next);
      return;
    }
    if (stopped) return void next.end().catch(() => {});
    client = next;
    delay = 1000;
    onListening(true);
  };
  const lost = (which: pg.Client) => {
    which.end().catch(() => {});
    if (client && client !== which) return;
    client = undefined;
    onListening(false);
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, delay);
    retry.unref(); // waiting to listen again never keeps a process alive on its own
    delay = Math.min(delay * 2, 30_000);
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}

/**
 * Opens the configured database: a PostgreSQL server when a URL is given, otherwise PGlite
 * persisted in `<dataDir>/pglite` (or in memory when dataDir is null, for tests).
 */
export function openDatabase(options: { databaseUrl?: string; dataDir: string | null }): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  return openPglite(options.dataDir === null ? undefined : path.join(options.dataDir, 'pglite'));
}

/** Quotes an SQL identifier (a dynamic table or column name); the only way one reaches SQL text. */
export function quoteIdentifier(name: string): string {
  if (name.length === 0 || name.length > 63 || name.includes('\0')) {
    throw new Error(`Invalid SQL identifier: ${JSON.stringify(name)}`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/** Escapes LIKE/ILIKE wildcards so a user's search text matches literally. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
