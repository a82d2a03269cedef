// Caches across servers: whatever a process caches that is built from data people edit carries
// that data's version in its key (data_versions, bumped by a trigger with every change), so one
// small read tells every server whether what it holds is still current.
import type { Queryable } from './db/index.ts';

export type VersionedData = 'cities';

export async function dataVersion(db: Queryable, name: VersionedData): Promise<number> {
  const row = await db.one<{ version: string | number }>('SELECT version FROM data_versions WHERE name = $1', [name]);
  return Number(row?.version ?? 0);
}
