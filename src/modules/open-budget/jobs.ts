// The city budget's job handler as the server's worker runs it: the import, then the year's
// open data (the dataset's CSV, re-loaded into the DataStore).
import type { Database } from '../../platform/db/index.ts';
import { fileStoreOf, type FileStore } from '../../platform/files.ts';
import type { JobHandler } from '../../platform/jobs.ts';
import { publishBudgetYear } from './open-data.ts';
import { IMPORT_JOB, importHandler } from './service.ts';

export { IMPORT_JOB };

export function openBudgetImportHandler(db: Database, filesOrDir: FileStore | string): JobHandler {
  const files = fileStoreOf(filesOrDir);
  return importHandler(db, files, async (imp) => {
    const city = await db.one<{ id: number; slug: string; name_uk: string }>(
      'SELECT id, slug, name_uk FROM cities WHERE id = $1',
      [imp.city_id],
    );
    if (city) await publishBudgetYear(db, files, city, imp.year);
  });
}
