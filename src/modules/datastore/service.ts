// The DataStore: uploaded tabular resources loaded into tables by a background job, their data
// dictionary and validation report, and queries over them (the preview and the APIs).
import crypto from 'node:crypto';
import type { Database, Queryable } from '../../platform/db/index.ts';
import { likePattern, quoteIdentifier } from '../../platform/db/index.ts';
import { fileStoreOf, safeFileName, type FileStore, type StoredFile } from '../../platform/files.ts';
import { enqueueJob, holdsJob, type JobHandler } from '../../platform/jobs.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { Checker } from '../../platform/validate.ts';
import { searchFold } from '../../platform/i18n/collation.ts';
import type { Dataset } from '../catalog/service.ts';
import { ENCODINGS, type Delimiter, type Encoding } from './detect.ts';
import { openSource, TABULAR_FORMATS } from './sources.ts';
import { IngestFailure, ingestTable, type Field, type IngestOptions, type Report } from './ingest.ts';
import { FIELD_TYPES, SQL_TYPES, readAs, type FieldType } from './values.ts';

export const INGEST_JOB = 'datastore.ingest';
/** Formats the DataStore loads; others are stored and offered for download only. */

export interface DatastoreResource {
  id: string;
  dataset_id: number;
  /** The dataset's name, to check the reader may see it. */
  dataset_name: string;
  name: string;
  description: string;
  url: string | null;
  format: string;
  file_name: string | null;
  file_key: string | null;
  size_bytes: number | null;
  sha256: string | null;
  datastore_table: string | null;
  datastore_rows: number | null;
  /** Raised by every write through the CKAN API (write-api.ts); part of what a cached total is keyed by. */
  datastore_version: number | string;
  datastore_fields: Field[] | null;
  ingest_options: IngestOptions;
  validation_report: Report | null;
}

export interface JobStatus {
  id: number;
  state: 'queued' | 'running' | 'done' | 'failed';
  progress: { phase?: string; rows?: number; total?: number };
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const RESOURCE_SELECT = `SELECT r.id, r.dataset_id, d.name AS dataset_name, r.name, r.description, r.url, r.format, r.file_name, r.file_key,
  r.size_bytes, r.sha256, r.datastore_table, r.datastore_rows, r.datastore_version, r.datastore_fields, r.ingest_options, r.validation_report
  FROM resources r JOIN datasets d ON d.id = r.dataset_id`;

export async function getDatastoreResource(db: Queryable, id: string): Promise<DatastoreResource> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError(`resource ${id}`);
  const resource = await db.one<DatastoreResource>(`${RESOURCE_SELECT} WHERE r.id = $1`, [id]);
  if (!resource) throw new NotFoundError(`resource ${id}`);
  return resource;
}

export async function latestJob(db: Queryable, resourceId: string): Promise<JobStatus | undefined> {
  return db.one<JobStatus>(
    'SELECT id, state, progress, error, created_at, finished_at FROM jobs WHERE resource_id = $1 ORDER BY id DESC LIMIT 1',
    [resourceId],
  );
}

export function formatFromName(fileName: string): string {
  return (/\.([a-z0-9]{1,8})$/i.exec(fileName)?.[1] ?? '').toUpperCase();
}

/** Records an uploaded file as a resource of the dataset and queues its load when tabular. */
export async function addUploadedResource(
  db: Queryable,
  actor: Actor,
  dataset: Dataset,
  upload: { file: StoredFile; fileName: string; name: string; description: string },
): Promise<string> {
  const id = crypto.randomUUID();
  const fileName = safeFileName(upload.fileName);
  const format = formatFromName(fileName);
  await db.query(
    `INSERT INTO resources (id, dataset_id, position, name, description, format, file_name, file_key, size_bytes, sha256)
     VALUES ($1, $2, (SELECT coalesce(max(position), -1) + 1 FROM resources WHERE dataset_id = $2), $3, $4, $5, $6, $7, $8, $9)`,
    [
      id,
      dataset.id,
      upload.name || fileName,
      upload.description,
      format,
      fileName,
      upload.file.key,
      upload.file.size,
      upload.file.sha256,
    ],
  );
  await db.query('UPDATE datasets SET data_updated_at = now(), modified_at = now() WHERE id = $1', [dataset.id]);
  await recordAudit(db, actor, 'resource.upload', 'dataset', dataset.id, null, {
    resource: id,
    file: fileName,
    size: upload.file.size,
    sha256: upload.file.sha256,
  });
  if (TABULAR_FORMATS.includes(format)) await enqueueJob(db, INGEST_JOB, id);
  return id;
}

/** Puts a new file in place of a resource's file and queues its load; the old rows stay served until the new ones are in. */
export async function replaceUploadedFile(
  db: Queryable,
  actor: Actor,
  resourceId: string,
  upload: { file: StoredFile; fileName: string },
): Promise<void> {
  const fileName = safeFileName(upload.fileName);
  const before = await db.one<{ dataset_id: number; sha256: string | null }>(
    'UPDATE resources r SET file_key = $2, file_name = $3, size_bytes = $4, sha256 = $5 FROM resources old WHERE r.id = $1 AND old.id = r.id RETURNING r.dataset_id, old.sha256',
    [resourceId, upload.file.key, fileName, upload.file.size, upload.file.sha256],
  );
  if (!before) throw new NotFoundError('no such resource');
  await db.query('UPDATE datasets SET data_updated_at = now(), modified_at = now() WHERE id = $1', [before.dataset_id]);
  await recordAudit(
    db,
    actor,
    'resource.replace',
    'dataset',
    before.dataset_id,
    { sha256: before.sha256 },
    { resource: resourceId, file: fileName, sha256: upload.file.sha256 },
  );
  if (TABULAR_FORMATS.includes(formatFromName(fileName))) await enqueueJob(db, INGEST_JOB, resourceId);
}

/** The editor's choices for the next load: encoding, delimiter, and each column's type and labels. */
export async function updateDictionary(
  db: Queryable,
  actor: Actor,
  resource: DatastoreResource,
  body: unknown,
): Promise<void> {
  const check = new Checker(body);
  const encoding = check.oneOf('encoding', ['', ...ENCODINGS] as const, { required: false }) || undefined;
  const delimiterName =
    check.oneOf('delimiter', ['', 'comma', 'semicolon', 'tab', 'pipe'] as const, { required: false }) || undefined;
  const delimiters: Record<string, Delimiter> = { comma: ',', semicolon: ';', tab: '\t', pipe: '|' };
  const types: Record<string, FieldType> = {};
  const dictionary: Field[] = [];
  (resource.datastore_fields ?? []).forEach((field, i) => {
    const type = check.oneOf(`type_${i}`, FIELD_TYPES, { required: false }) ?? field.type;
    if (type !== field.type || resource.ingest_options.types?.[field.id]) types[field.id] = type;
    dictionary.push({
      ...field,
      label: check.text(`label_${i}`, { max: 200 }) || undefined,
      description: check.text(`description_${i}`, { max: 2000 }) || undefined,
    });
  });
  check.done();
  const options: IngestOptions = {
    ...(encoding ? { encoding: encoding as Encoding } : {}),
    ...(delimiterName ? { delimiter: delimiters[delimiterName] } : {}),
    types,
  };
  await db.query('UPDATE resources SET ingest_options = $2, datastore_fields = $3, modified_at = now() WHERE id = $1', [
    resource.id,
    JSON.stringify(options),
    JSON.stringify(dictionary),
  ]);
  await recordAudit(
    db,
    actor,
    'resource.dictionary',
    'dataset',
    resource.dataset_id,
    { options: resource.ingest_options },
    { resource: resource.id, options },
  );
  await enqueueJob(db, INGEST_JOB, resource.id);
}

/**
 * Drops DataStore tables no resource points at: what a load left when its process died. A table
 * is named after the job loading it (`r_<resource>_<job>_<attempt>`); one whose job is running with a fresh
 * heartbeat belongs to a live process, maybe another server's, and is left alone. The job's row
 * is locked while its table is dropped, so a server claiming it meanwhile waits.
 */
export async function dropOrphanTables(db: Database, staleSeconds = 60): Promise<string[]> {
  const candidates = await db.query<{ name: string; job: string | null }>(
    `SELECT table_name AS name, (regexp_match(table_name, '^r_[0-9a-f]{32}_(\\d+)'))[1] AS job
     FROM information_schema.tables WHERE table_schema = 'datastore'
     AND table_name NOT IN (SELECT datastore_table FROM resources WHERE datastore_table IS NOT NULL)`,
  );
  const dropped: string[] = [];
  for (const { name, job } of candidates) {
    const done = await db.transaction(async (tx) => {
      const live = job
        ? await tx.one(
            `SELECT 1 FROM jobs WHERE id = $1 AND state = 'running'
             AND heartbeat_at >= now() - make_interval(secs => $2) FOR UPDATE`,
            [job, staleSeconds],
          )
        : undefined;
      if (live) return false;
      const stillOrphan = !(await tx.one('SELECT 1 FROM resources WHERE datastore_table = $1', [name]));
      if (stillOrphan) await tx.execScript(`DROP TABLE IF EXISTS datastore.${quoteIdentifier(name)} CASCADE`);
      return stillOrphan;
    });
    if (done) dropped.push(name);
  }
  return dropped;
}

/**
 * The job handler: loads the resource's file into a new table, then swaps it in atomically.
 * `files`: the file store (or a data folder for the local one). A file in the database is copied
 * to a temporary file for the load, which is removed when the load ends.
 */
export function ingestHandler(db: Database, files: FileStore | string): JobHandler {
  const store = fileStoreOf(files);
  return async (job, heartbeat) => {
    const resource = await getDatastoreResource(db, job.resource_id!);
    if (!resource.file_key) throw new Error('the resource has no stored file');
    // A table that is not yet referenced is invisible to readers; the swap below publishes it.
    // One table per attempt: a process that lost its lease never touches its successor's table.
    const table = `r_${resource.id.replaceAll('-', '')}_${job.id}_${job.attempts}`;
    // Earlier attempts of this job lost their lease: whatever they left is dropped now.
    const earlier = await db.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'datastore'
       AND starts_with(table_name, $1) AND table_name <> $2`,
      [`r_${resource.id.replaceAll('-', '')}_${job.id}_`, table],
    );
    for (const { name } of earlier)
      await db.execScript(`DROP TABLE IF EXISTS datastore.${quoteIdentifier(name)} CASCADE`);
    try {
      const result = await store.withLocalFile(resource.file_key!, async (file) => {
        const source = await openSource(file, resource.format, resource.ingest_options);
        try {
          return await ingestTable(
            db,
            source,
            table,
            resource.ingest_options,
            resource.datastore_fields ?? [],
            (phase, rows, total) => heartbeat({ phase, rows, ...(total === undefined ? {} : { total }) }),
          );
        } finally {
          source.close?.();
        }
      });
      await db.transaction(async (tx) => {
        // A process that lost its lease (another server re-claimed the job) must not swap in.
        if (!(await holdsJob(tx, job))) throw new Error('this load was taken over by another process');
        const current = await tx.one<{ datastore_table: string | null }>(
          'SELECT datastore_table FROM resources WHERE id = $1 FOR UPDATE',
          [resource.id],
        );
        await tx.query(
          `UPDATE resources SET datastore_table = $2, datastore_rows = $3, datastore_fields = $4, validation_report = $5, modified_at = now() WHERE id = $1`,
          [resource.id, result.table, result.rows, JSON.stringify(result.fields), JSON.stringify(result.report)],
        );
        if (current?.datastore_table && current.datastore_table !== result.table) {
          await tx.execScript(`DROP TABLE IF EXISTS datastore.${quoteIdentifier(current.datastore_table)} CASCADE`);
        }
      });
      await heartbeat({ phase: 'done', rows: result.rows });
    } catch (error) {
      await db.execScript(`DROP TABLE IF EXISTS datastore.${quoteIdentifier(table)} CASCADE`);
      if (error instanceof IngestFailure) {
        await db.query('UPDATE resources SET validation_report = $2 WHERE id = $1', [
          resource.id,
          JSON.stringify(error.report),
        ]);
      }
      throw error;
    }
  };
}

// ---- Queries ----

export interface DatastoreQuery {
  filters?: Record<string, unknown>;
  /** Words to find in every column, or per field ({field: words}) as CKAN's `q` dictionary. */
  q?: string | Record<string, string>;
  /** Words to find in every column, besides a `q` (CKAN's `full_text`). */
  fullText?: string;
  /**
   * true (the default): the words are found as typed, anywhere in a value. false: each text is a
   * PostgreSQL tsquery (`budget & !school`, `освіт:*`), matched against the values' words in `language`.
   */
  plain?: boolean;
  /** The text search configuration for plain=false (a name from pg_ts_config; default `simple`). */
  language?: string;
  fields?: string[];
  sort?: SortKey[];
  limit: number;
  offset: number;
  includeTotal?: boolean;
  /**
   * Above this many matching rows, by the planner's estimate, the total is that estimate rather
   * than a count (CKAN's total_estimation_threshold); unset, it is always counted.
   */
  totalEstimationThreshold?: number;
  /** Unique combinations of the selected fields only (CKAN's `distinct`). */
  distinct?: boolean;
  /** Keyset paging for exports: rows after this _id, in _id order. */
  afterId?: number;
}

/** A sort key; nulls come last unless asked otherwise. */
export interface SortKey {
  field: string;
  descending: boolean;
  nulls?: 'first' | 'last';
}

export interface DatastoreResult {
  fields: { id: string; type: FieldType | 'int'; info?: { label?: string; notes?: string } }[];
  records: Record<string, unknown>[];
  total: number | null;
  /** The total is the planner's estimate, not a count. */
  totalWasEstimated: boolean;
}

/**
 * Exact totals already counted, per database by table and filter: paging through a filtered
 * table counts it once, not on every page. A loaded table never changes (a reload makes a new
 * one) and every write through the API raises the resource's datastore_version, which is part of
 * the key, so an entry can only fall out of use, never be wrong.
 */
const countCaches = new WeakMap<Queryable, Map<string, number>>();
const COUNT_CACHE_ENTRIES = 1000;

async function matchingRows(
  db: Queryable,
  source: string,
  params: unknown[],
  estimateAbove: number | undefined,
  version: number | string,
): Promise<{ total: number; estimated: boolean }> {
  let countCache = countCaches.get(db);
  if (!countCache) countCaches.set(db, (countCache = new Map()));
  const key = `${version}\u0000${source}\u0000${JSON.stringify(params)}`;
  const cached = countCache.get(key);
  if (cached !== undefined) return { total: cached, estimated: false };
  if (estimateAbove !== undefined) {
    const plan = await db.one<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) SELECT 1 FROM ${source}`, params);
    const document = plan!['QUERY PLAN'];
    const estimate = Math.round(
      (typeof document === 'string' ? JSON.parse(document) : document)[0].Plan['Plan Rows'] as number,
    );
    if (estimate > estimateAbove) return { total: estimate, estimated: true };
  }
  const total = (await db.one<{ n: number }>(`SELECT count(*)::int AS n FROM ${source}`, params))!.n;
  countCache.set(key, total);
  if (countCache.size > COUNT_CACHE_ENTRIES) countCache.delete(countCache.keys().next().value!);
  return { total, estimated: false };
}

/** Field ids from a request, checked against the table's dictionary (never put into SQL as given). */
function resolveField(
  fields: Field[],
  id: string,
  parameter: string,
): Field | { id: '_id'; column: '_id'; type: 'integer' } {
  if (id === '_id') return { id: '_id', column: '_id', type: 'integer' };
  const field = fields.find((f) => f.id === id);
  if (!field)
    throw new ValidationError([
      { field: parameter, message: 'validation.unknown_field', params: { name: id.slice(0, 100) } },
    ]);
  return field;
}

const APOSTROPHES = /['’ʼ`]/;
const APOSTROPHES_ALL = /['’ʼ`]/g;

/**
 * The LIKE pattern for words as typed: lower case, and folded (apostrophes left out), and with any
 * apostrophe typed in each of its three forms (пам'ятка, пам’ятка, памʼятка): folding the data
 * instead (translate on every cell) made a search of a million rows twice as slow. One pattern
 * (the usual case) is a string, cheaper than LIKE ANY over an array.
 */
function likePatterns(words: string): string | string[] {
  const typed = words.normalize('NFC').toLocaleLowerCase('uk');
  const patterns = new Set([typed, searchFold(words)]);
  if (APOSTROPHES.test(typed)) for (const mark of ["'", '’', 'ʼ']) patterns.add(typed.replace(APOSTROPHES_ALL, mark));
  return patterns.size === 1 ? likePattern(typed) : [...patterns].map(likePattern);
}

/** A query parameter the database cannot take (a text search language or tsquery), named. */
export class DatastoreQueryError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

function textQueries(query: DatastoreQuery): string[] {
  const q = query.q;
  return [...(typeof q === 'string' ? [q] : Object.values(q ?? {}).map(String)), query.fullText ?? ''].filter(Boolean);
}

/** The language must be a text search configuration and each tsquery must parse, before the search runs. */
async function checkTextSearch(db: Queryable, language: string, tsqueries: string[]): Promise<void> {
  if (!(await db.one('SELECT 1 FROM pg_ts_config WHERE cfgname = $1', [language])))
    throw new DatastoreQueryError('language', `Unknown text search language "${language.slice(0, 100)}"`);
  for (const tsquery of tsqueries) {
    try {
      await db.one('SELECT to_tsquery($1::regconfig, $2) AS q', [language, tsquery]);
    } catch (error) {
      throw new DatastoreQueryError('q', `Not a text search query (plain=false): ${(error as Error).message}`);
    }
  }
}

export async function searchDatastore(
  db: Queryable,
  resource: DatastoreResource,
  query: DatastoreQuery,
): Promise<DatastoreResult> {
  if (!resource.datastore_table || !resource.datastore_fields)
    throw new NotFoundError('this resource has no DataStore table');
  const fields = resource.datastore_fields;
  const table = `datastore.${quoteIdentifier(resource.datastore_table)}`;
  const params: unknown[] = [];
  const where: string[] = [];
  for (const [id, raw] of Object.entries(query.filters ?? {})) {
    const field = resolveField(fields, id, 'filters');
    const values = (Array.isArray(raw) ? raw : [raw]).map((v) => String(v));
    const typed = values.map((v) => (field.type === 'text' ? v : readAs(field.type, v)));
    if (typed.some((v) => v === undefined))
      throw new ValidationError([
        { field: 'filters', message: 'validation.filter_type', params: { name: id, type: field.type } },
      ]);
    // Compared in the column's own type, and for text also on the indexed prefix, so that the
    // column's index answers the filter.
    const column = quoteIdentifier(field.column);
    if (field.type === 'text') {
      // left() counts characters, as Array.from does.
      params.push(typed.map((v) => Array.from(String(v)).slice(0, 100).join('')));
      params.push(typed.map(String));
      where.push(
        `(left(${column}, 100) = ANY($${params.length - 1}::text[]) AND ${column} = ANY($${params.length}::text[]))`,
      );
    } else {
      params.push(typed.map(String));
      where.push(`${column} = ANY($${params.length}::${SQL_TYPES[field.type]}[])`);
    }
  }
  if (query.afterId !== undefined) {
    params.push(query.afterId);
    where.push(`"_id" > $${params.length}`);
  }
  const plain = query.plain !== false;
  const language = query.language ?? 'simple';
  if (query.language !== undefined || !plain) await checkTextSearch(db, language, plain ? [] : textQueries(query));
  /** A condition that the words are in these columns: as typed (plain), else as a tsquery. */
  const matching = (columns: Field[], words: string): string => {
    if (!columns.length) return 'false';
    if (plain) {
      const pattern = likePatterns(words);
      params.push(pattern);
      const match = Array.isArray(pattern) ? `LIKE ANY($${params.length}::text[])` : `LIKE $${params.length}`;
      return `(${columns.map((f) => `lower(${quoteIdentifier(f.column)}${f.type === 'text' ? '' : '::text'}) ${match}`).join(' OR ')})`;
    }
    params.push(language, words);
    const config = `$${params.length - 1}::regconfig`;
    const document = columns.map((f) => `${quoteIdentifier(f.column)}::text`).join(", ' ', ");
    return `to_tsvector(${config}, concat_ws(' ', ${document})) @@ to_tsquery(${config}, $${params.length})`;
  };
  // Words in any column: for plain words, the text columns (numbers and dates are found by filters).
  const everywhere = plain ? fields.filter((f) => f.type === 'text') : fields;
  for (const words of [typeof query.q === 'string' ? query.q : undefined, query.fullText])
    if (words) where.push(matching(everywhere, words));
  if (query.q && typeof query.q === 'object')
    for (const [id, words] of Object.entries(query.q)) {
      const field = resolveField(fields, id, 'q');
      if (words) where.push(matching([field as Field], String(words)));
    }
  let selected = query.fields?.length
    ? query.fields.map((id) => resolveField(fields, id, 'fields'))
    : [{ id: '_id', column: '_id', type: 'integer' as const }, ...fields];
  if (query.distinct) {
    selected = selected.filter((f) => f.id !== '_id');
    const sortable = new Set(selected.map((f) => f.id));
    if ((query.sort ?? []).some((s) => !sortable.has(s.field)))
      throw new ValidationError([{ field: 'sort', message: 'validation.distinct_sort' }]);
  }
  // Sort keys name the source's columns (src."x"), never the text output columns of the same name.
  const order = (query.sort ?? []).map(
    (s) =>
      `src.${quoteIdentifier(resolveField(fields, s.field, 'sort').column)} ${s.descending ? 'DESC' : 'ASC'} NULLS ${s.nulls === 'first' ? 'FIRST' : 'LAST'}`,
  );
  // A stable order for paging: the row number, or with distinct every selected column.
  if (query.distinct) order.push(...selected.map((f) => `src.${quoteIdentifier(f.column)}`));
  else order.push('src."_id"');
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  // With distinct, the rows come from the unique combinations, still in their own types for sorting.
  const source = query.distinct
    ? `(SELECT DISTINCT ${selected.map((f) => quoteIdentifier(f.column)).join(', ')} FROM ${table} ${whereSql}) AS src`
    : `${table} AS src ${whereSql}`;
  const filteredParams = [...params];
  params.push(query.limit, query.offset);
  // Every value leaves the database as text and is typed here, the same way on both engines
  // (no driver date or bigint conversions, no time-zone shifts).
  // Output columns are named by position: a field id may be longer than an SQL name can be.
  const rows = await db.query<Record<string, string | null>>(
    `SELECT ${selected.map((f, i) => `src.${quoteIdentifier(f.column)}::text AS c${i}`).join(', ')} FROM ${source}
     ORDER BY ${order.join(', ')} LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  let total: number | null = null;
  let totalWasEstimated = false;
  if (query.includeTotal !== false) {
    if (where.length === 0 && !query.distinct && resource.datastore_rows !== null) {
      total = resource.datastore_rows; // counted when the table was loaded
    } else {
      ({ total, estimated: totalWasEstimated } = await matchingRows(
        db,
        source,
        filteredParams,
        query.totalEstimationThreshold,
        resource.datastore_version,
      ));
    }
  }
  const records = rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (const [i, { id, type }] of selected.entries()) {
      const value = row[`c${i}`] ?? null;
      record[id] =
        value === null
          ? null
          : type === 'integer' || type === 'number'
            ? Number(value)
            : type === 'boolean'
              ? value === 'true'
              : type === 'datetime'
                ? value.replace(' ', 'T')
                : value;
    }
    return record;
  });
  return {
    fields: selected.map((f) => ({
      id: f.id,
      type: f.id === '_id' ? 'int' : f.type,
      ...('label' in f && (f.label || f.description) ? { info: { label: f.label, notes: f.description } } : {}),
    })),
    records,
    total,
    totalWasEstimated,
  };
}

// ---- Charts ----

export const CHART_TYPES = ['bar', 'line', 'pie'] as const;
export type ChartType = (typeof CHART_TYPES)[number];
export const AGGREGATES = ['count', 'sum', 'avg'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

/** Rows grouped by one column, with a count or the sum or mean of a numeric column: at most 50 groups. */
export async function aggregateDatastore(
  db: Queryable,
  resource: DatastoreResource,
  options: { group: string; value?: string; op: Aggregate },
): Promise<{ label: string; value: number }[]> {
  if (!resource.datastore_table || !resource.datastore_fields)
    throw new NotFoundError('this resource has no DataStore table');
  const group = resolveField(resource.datastore_fields, options.group, 'group');
  const groupColumn = quoteIdentifier(group.column);
  let measure = 'count(*)';
  if (options.op !== 'count') {
    const value = resolveField(resource.datastore_fields, options.value ?? '', 'value');
    if (value.type !== 'integer' && value.type !== 'number')
      throw new ValidationError([{ field: 'value', message: 'validation.numeric_column' }]);
    measure = `${options.op}(${quoteIdentifier(value.column)})`;
  }
  // Dates and numbers are grouped in their own order; text by size of the group.
  const ordered = group.type === 'text' || group.type === 'boolean' ? `2 DESC NULLS LAST, 1` : groupColumn;
  const rows = await db.query<{ label: string | null; value: string | number | null }>(
    `SELECT ${groupColumn}::text AS label, ${measure}::float8 AS value FROM datastore.${quoteIdentifier(resource.datastore_table)}
     GROUP BY ${groupColumn} ORDER BY ${ordered} LIMIT 50`,
  );
  return rows.map((r) => ({ label: r.label ?? '—', value: Number(r.value ?? 0) }));
}
