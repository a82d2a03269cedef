// `hromada files migrate --to postgres|local`: moves an installation's uploaded files from one
// store to the other under the same keys, so no row that refers to a file changes. Each file the
// database refers to is copied, read back from the target and checked against the size and
// SHA-256 recorded when it was uploaded. A file already in the target with the right size and
// hash is skipped, so the command can be run again after an interruption. The source keeps its
// files unless `deleteSource` is set; then a file is removed from it once its copy is verified.
import type { Database } from './db/index.ts';
import {
  digestStream,
  LocalFileStore,
  MissingFileError,
  PostgresFileStore,
  type FileBackend,
  type FileStore,
} from './files.ts';

/** Every table with a column naming a stored file, and where its size and hash are recorded. */
const FILE_REFERENCES = [
  { table: 'resources', key: 'file_key', size: 'size_bytes', sha256: 'sha256' },
  { table: 'petition_files', key: 'file_key', size: 'size_bytes', sha256: 'sha256' },
  { table: 'budget_files', key: 'file_key', size: 'size_bytes', sha256: 'sha256' },
  { table: 'ranking_evidence_files', key: 'file_key', size: 'size_bytes', sha256: 'sha256' },
  { table: 'cities', key: 'logo_key', size: 'NULL', sha256: 'logo_sha256' },
  { table: 'open_budget_imports', key: 'file_key', size: 'NULL', sha256: 'NULL' },
  { table: 'open_budget_documents', key: 'file_key', size: 'size_bytes', sha256: 'sha256' },
  { table: 'procurement_imports', key: 'file_key', size: 'NULL', sha256: 'NULL' },
  { table: 'community_event_materials', key: 'file_key', size: 'size_bytes', sha256: 'NULL' },
  { table: 'community_event_photos', key: 'file_key', size: 'size_bytes', sha256: 'NULL' },
  { table: 'datathon_screenshots', key: 'file_key', size: 'size_bytes', sha256: 'NULL' },
  { table: 'showcase_entry_images', key: 'file_key', size: 'size_bytes', sha256: 'NULL' },
] as const;

export interface ReferencedFile {
  key: string;
  size: number | null;
  sha256: string | null;
}

/** The files the database refers to, each once. */
export async function referencedFiles(db: Database): Promise<ReferencedFile[]> {
  const union = FILE_REFERENCES.map(
    (r) =>
      `SELECT ${r.key} AS key, ${r.size}::bigint AS size, ${r.sha256}::text AS sha256 FROM ${r.table} WHERE ${r.key} IS NOT NULL`,
  ).join(' UNION ALL ');
  return db.query<ReferencedFile>(`SELECT DISTINCT ON (key) key, size, sha256 FROM (${union}) f ORDER BY key`);
}

export interface FileMigrationReport {
  copied: number;
  /** Already in the target with the recorded size and hash. */
  present: number;
  deleted: number;
  /** Files that could not be moved, with the reason; the command exits non-zero when there are any. */
  problems: string[];
}

function matches(expected: ReferencedFile, actual: { size: number; sha256: string }): boolean {
  return (
    (expected.size === null || Number(expected.size) === actual.size) &&
    (expected.sha256 === null || expected.sha256 === actual.sha256)
  );
}

export async function migrateFiles(
  db: Database,
  options: {
    dataDir: string;
    to: FileBackend;
    deleteSource?: boolean;
    /** Called after each file with what happened to it. */
    progress?: (key: string, outcome: 'copied' | 'present' | 'problem') => void;
  },
): Promise<FileMigrationReport> {
  const local = new LocalFileStore(options.dataDir);
  const postgres = new PostgresFileStore(db);
  const [source, target]: [FileStore, FileStore] = options.to === 'postgres' ? [local, postgres] : [postgres, local];
  const report: FileMigrationReport = { copied: 0, present: 0, deleted: 0, problems: [] };
  for (const file of await referencedFiles(db)) {
    let outcome: 'copied' | 'present' | 'problem';
    try {
      const there = await target.stat(file.key);
      if (there && matches(file, there)) {
        outcome = 'present';
      } else {
        const { stream } = await source.open(file.key);
        // Whatever is there under the key is a copy that did not finish or does not match.
        await target.remove(file.key);
        await target.put(stream, Number.POSITIVE_INFINITY, { key: file.key });
        // Checked as the target reads it back, not as it was sent.
        const copy = await digestStream((await target.open(file.key)).stream);
        if (!matches(file, copy)) {
          await target.remove(file.key);
          throw new Error(
            `the copy has ${copy.size} bytes and SHA-256 ${copy.sha256}; the database recorded ${file.size} bytes and ${file.sha256}`,
          );
        }
        outcome = 'copied';
      }
    } catch (error) {
      outcome = 'problem';
      report.problems.push(
        `${file.key}: ${error instanceof MissingFileError ? `missing from the ${source.backend} store` : (error as Error).message}`,
      );
    }
    if (outcome === 'copied') report.copied++;
    if (outcome === 'present') report.present++;
    if (outcome !== 'problem' && options.deleteSource) {
      await source.remove(file.key);
      report.deleted++;
    }
    options.progress?.(file.key, outcome);
  }
  return report;
}
