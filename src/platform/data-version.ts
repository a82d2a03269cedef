// Caches across servers: whatever a process caches that is built from data people edit carries
// that data's version in its key. The versions live in `data_versions`, bumped by a trigger in
// the same transaction as every change, which also sends NOTIFY: each server keeps the numbers in
// memory from those notifications, so a cached page costs no query, and reads them from the
// table whenever its listening connection is down (nothing is trusted while it may miss one).
import type { Database, Queryable } from './db/index.ts';

export type VersionedData = 'cities' | 'city_budgets' | 'procurement';

export async function dataVersion(db: Queryable, name: VersionedData): Promise<number> {
  const row = await db.one<{ version: string | number }>('SELECT version FROM data_versions WHERE name = $1', [name]);
  return Number(row?.version ?? 0);
}

export class DataVersions {
  private readonly db: Database;
  private readonly known = new Map<string, number>();
  private listening = false;
  private stopListening: (() => Promise<void>) | undefined;

  constructor(db: Database) {
    this.db = db;
  }

  async start(): Promise<void> {
    this.stopListening = await this.db.listen(
      'data_versions',
      (payload) => {
        const [name, version] = payload.split(':');
        if (name && version) this.raise(name, Number(version));
      },
      (listening) => {
        if (!listening) {
          this.listening = false;
          return;
        }
        // Whatever changed while nobody listened is read back before the numbers are trusted.
        this.db
          .query<{ name: string; version: string | number }>('SELECT name, version FROM data_versions')
          .then((rows) => {
            for (const row of rows) this.raise(row.name, Number(row.version));
            this.listening = true;
          })
          .catch(() => {});
      },
    );
  }

  /** The current version of `name`: from memory while notifications arrive, else from the table. */
  async of(name: VersionedData): Promise<number> {
    if (this.listening) return this.known.get(name) ?? 0;
    return dataVersion(this.db, name);
  }

  /** Versions only grow, so an old number arriving late changes nothing. */
  private raise(name: string, version: number): void {
    if (version > (this.known.get(name) ?? -1)) this.known.set(name, version);
  }

  async stop(): Promise<void> {
    this.listening = false;
    await this.stopListening?.().catch(() => {}); // the database may be closed already
  }
}
