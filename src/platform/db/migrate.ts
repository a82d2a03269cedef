// Applies numbered SQL files from migrations/ in order, each in its own transaction, and
// records them; running it again applies only what is new.
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from './index.ts';

const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../../migrations');

export interface Migration {
  version: string;
  name: string;
  sql: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: file.slice(0, 4),
      name: file.replace(/\.sql$/, ''),
      sql: fs.readFileSync(path.join(dir, file), 'utf8'),
    }));
}

/** Returns the names of the migrations it applied. */
export async function migrate(db: Database, migrations = readMigrations()): Promise<string[]> {
  await db.execScript(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version text PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const applied: string[] = [];
  for (const migration of migrations) {
    const done = await db.transaction(async (tx) => {
      // Several app processes may start at once on one server: the lock makes them take turns.
      if (db.engine === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(7243001)');
      const existing = await tx.one('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (existing) return false;
      await tx.execScript(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (done) applied.push(migration.name);
  }
  return applied;
}
