// The council's decision on a city's budget as a file (PDF, DOCX or XLSX): the Treasury's files
// carry no approved plan, so an editor uploads the decision; the year's page lists it beside the
// approved budget table and offers it for download. What a file is comes from its bytes, never
// from its name or the browser's word.
import { promisify } from 'node:util';
import yauzl from 'yauzl';
import type { Queryable } from '../../platform/db/index.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import { type FileStore, sniffFileType, type StoredFile } from '../../platform/files.ts';
import { NotFoundError } from '../../platform/errors.ts';

export const DOCUMENT_TYPES = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;
export type DocumentType = keyof typeof DOCUMENT_TYPES;

/**
 * The content types of the main part of a word-processing document and of a workbook (ECMA-376
 * Part 1), as an Office Open XML package declares them in its `[Content_Types].xml` (ECMA-376
 * Part 2, Open Packaging Conventions). Macro-enabled documents (…macroEnabled.main+xml) are not
 * among them.
 */
const MAIN_PART_TYPES: Record<'docx' | 'xlsx', string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
};
/** `[Content_Types].xml` is a short list; anything larger is not a document we read. */
const CONTENT_TYPES_MAX_BYTES = 256 * 1024;

const openZip = promisify(yauzl.open) as (path: string, options: yauzl.Options) => Promise<yauzl.ZipFile>;

/** The package's `[Content_Types].xml`, or null when the file is no readable zip or has none. */
async function contentTypesOf(path: string): Promise<string | null> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true });
  } catch {
    return null;
  }
  try {
    return await new Promise<string | null>((resolve) => {
      zip.on('error', () => resolve(null));
      zip.on('end', () => resolve(null));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== '[Content_Types].xml') return zip.readEntry();
        if (entry.uncompressedSize > CONTENT_TYPES_MAX_BYTES) return resolve(null);
        zip.openReadStream(entry, async (error, stream) => {
          if (error || !stream) return resolve(null);
          const chunks: Buffer[] = [];
          let size = 0;
          try {
            for await (const chunk of stream) {
              size += (chunk as Buffer).length;
              if (size > CONTENT_TYPES_MAX_BYTES) return resolve(null);
              chunks.push(chunk as Buffer);
            }
            resolve(Buffer.concat(chunks).toString('utf8'));
          } catch {
            resolve(null);
          }
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

/** What an uploaded decision really is: PDF by its signature, DOCX or XLSX by its package's main part; else null. */
export async function sniffDocumentType(files: FileStore, key: string): Promise<DocumentType | null> {
  if ((await sniffFileType(files, key)) === 'pdf') return 'pdf';
  // A zip's local file header signature (PKWARE APPNOTE.TXT 4.3.7): PK\x03\x04.
  const head = await files.head(key, 4);
  if (head.length < 4 || head.readUInt32LE(0) !== 0x04034b50) return null;
  const types = await files.withLocalFile(key, contentTypesOf);
  if (!types) return null;
  for (const [type, main] of Object.entries(MAIN_PART_TYPES))
    if (types.includes(`ContentType="${main}"`)) return type as DocumentType;
  return null;
}

export interface BudgetDocument {
  id: number;
  city_id: number;
  year: number;
  title: string;
  file_name: string;
  mime_type: string;
  size_bytes: number;
  file_key: string;
  created_at: Date;
}

export async function addDocument(
  db: Queryable,
  actor: Actor,
  input: { cityId: number; year: number; title: string; file: StoredFile; fileName: string; type: DocumentType },
): Promise<number> {
  const { id } = (await db.one<{ id: number }>(
    `INSERT INTO open_budget_documents (city_id, year, title, file_key, file_name, mime_type, size_bytes, sha256, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      input.cityId,
      input.year,
      input.title,
      input.file.key,
      input.fileName,
      DOCUMENT_TYPES[input.type],
      input.file.size,
      input.file.sha256,
      actor.userId,
    ],
  ))!;
  await recordAudit(db, actor, 'open_budget.document_add', 'city', input.cityId, null, {
    document: id,
    year: input.year,
    title: input.title,
    file: input.fileName,
    type: input.type,
    size: input.file.size,
  });
  return id;
}

export async function documentsOf(db: Queryable, cityId: number, year: number): Promise<BudgetDocument[]> {
  return db.query<BudgetDocument>(
    `SELECT id, city_id, year, title, file_name, mime_type, size_bytes::float8 AS size_bytes, file_key, created_at
     FROM open_budget_documents WHERE city_id = $1 AND year = $2 ORDER BY created_at DESC, id DESC`,
    [cityId, year],
  );
}

export async function getDocument(db: Queryable, cityId: number, year: number, id: number): Promise<BudgetDocument> {
  const row = await db.one<BudgetDocument>(
    `SELECT id, city_id, year, title, file_name, mime_type, size_bytes::float8 AS size_bytes, file_key, created_at
     FROM open_budget_documents WHERE id = $1 AND city_id = $2 AND year = $3`,
    [id, cityId, year],
  );
  if (!row) throw new NotFoundError('no such document');
  return row;
}

/** Removes the record (audited); the caller removes the stored file after the transaction commits. */
export async function removeDocument(db: Queryable, actor: Actor, doc: BudgetDocument): Promise<void> {
  await db.query('DELETE FROM open_budget_documents WHERE id = $1', [doc.id]);
  await recordAudit(
    db,
    actor,
    'open_budget.document_remove',
    'city',
    doc.city_id,
    { document: doc.id, year: doc.year, title: doc.title, file: doc.file_name },
    null,
  );
}
