// Loading a tabular file into the DataStore: detect the encoding and delimiter, read the whole
// file once to learn its shape and column types, then read it again converting every cell and
// COPY the rows into a fresh table. Only when that table is complete does it replace the one
// being served. Problems are reported in the Frictionless vocabulary, with row and column.
import fs from 'node:fs';
import type { Database } from '../../platform/db/index.ts';
import { quoteIdentifier } from '../../platform/db/index.ts';
import { readFileHead } from '../../platform/files.ts';
import { translator, type Params, type Translate } from '../../platform/i18n/locales.ts';
import { cleanHeaders, columnNames, detectEncoding, sniffDelimiter, type Delimiter, type Encoding } from './detect.ts';
import { isBlank, readAs, SQL_TYPES, TypeTracker, type FieldType } from './values.ts';
import { RecordSpool } from './spool.ts';
import { CsvError, CsvTokenizer, type CsvRecord } from './csv.ts';

/** What a load is doing, for its progress: the first pass, the second pass with COPY, the indexes. */
export type IngestPhase = 'reading' | 'loading' | 'indexing';

/** Told the phase and the rows read or loaded so far, and while loading, how many there are in all. */
export type Progress = (phase: IngestPhase, rows: number, total?: number) => Promise<void>;

export interface IngestOptions {
  encoding?: Encoding;
  delimiter?: Delimiter;
  /** The editor's chosen types by field id; the rest are inferred. */
  types?: Record<string, FieldType>;
}

export interface Field {
  id: string;
  column: string;
  type: FieldType;
  label?: string;
  description?: string;
}

export interface ReportError {
  type:
    | 'blank-label'
    | 'duplicate-label'
    | 'missing-cell'
    | 'extra-cell'
    | 'type-error'
    | 'blank-row'
    | 'encoding-error'
    | 'source-error';
  /** In English, for the API; pages describe the problem in their language from `code` and `params`. */
  message: string;
  /** Why a source-error happened (a key of datastore.failure in the locales). */
  code?: FailureCode;
  params?: Params;
  rowNumber?: number;
  fieldNumber?: number;
  fieldName?: string;
  cell?: string;
}

export type FailureCode =
  | 'empty'
  | 'binary'
  | 'too-many-columns'
  | 'unclosed-quote'
  | 'record-too-long'
  | 'unreadable-text'
  | 'no-header'
  | 'xlsx-unreadable'
  | 'xlsx-too-many-parts'
  | 'xlsx-zip-bomb'
  | 'xlsx-part-unreadable'
  | 'xlsx-no-worksheet'
  | 'xlsx-shared-strings'
  | 'xlsx-cell-outside'
  | 'json-too-large'
  | 'json-invalid'
  | 'geojson-no-features'
  | 'json-object'
  | 'json-single-value'
  | 'json-no-records'
  | 'json-record-not-object';

const english = translator('en');

/**
 * A problem described in the reader's language (`t`); undefined for reports stored before
 * problems had parameters (their English message is all there is).
 */
export function describeProblem(
  t: Translate,
  error: Pick<ReportError, 'type' | 'code' | 'params'>,
): string | undefined {
  if (!error.params) return undefined;
  const params =
    typeof error.params.type === 'string'
      ? { ...error.params, type: t(`datastore.types.${error.params.type}`) }
      : error.params;
  return t(
    error.type === 'source-error' ? `datastore.failure.${error.code}` : `datastore.problem.${error.type}`,
    params,
  );
}

export interface Report {
  valid: boolean;
  encoding: Encoding | null;
  delimiter: Delimiter | null;
  stats: { rows: number; fields: number; errors: number };
  errors: ReportError[];
  /** More errors were found than are listed. */
  truncated: boolean;
}

export const MAX_COLUMNS = 1600; // PostgreSQL's limit for a table
const MAX_LISTED_ERRORS = 1000;
const MAX_RECORD_CHARS = 32 * 1024 * 1024;
const NEEDS_QUOTES = /[",\r\n]/;
const MAX_INDEXED_COLUMNS = 50;
const INDEX_BUILDERS = 2;

/** What a column is indexed on; filters use the same expression so that the index serves them. */
export function indexExpression(field: Pick<Field, 'column' | 'type'>): string {
  const column = quoteIdentifier(field.column);
  return field.type === 'text' ? `left(${column}, 100)` : column;
}

class Problems {
  readonly list: ReportError[] = [];
  count = 0;
  add(error: Omit<ReportError, 'message'> & { params: Params }) {
    this.count++;
    if (this.list.length < MAX_LISTED_ERRORS) this.list.push({ ...error, message: describeProblem(english, error)! });
  }
}

export class IngestFailure extends Error {
  readonly report: Report;
  constructor(report: Report) {
    super(report.errors.find((e) => e.type === 'source-error')?.message ?? 'the file could not be loaded');
    this.report = report;
  }
}

/** Why a load failed, in English: the report's `message`, and the text of errors that carry a failure code. */
export function failureMessage(code: FailureCode, params: Params): string {
  return describeProblem(english, { type: 'source-error', code, params })!;
}

export function failed(
  code: FailureCode,
  params: Params = {},
  encoding: Encoding | null = null,
  delimiter: Delimiter | null = null,
): IngestFailure {
  return new IngestFailure({
    valid: false,
    encoding,
    delimiter,
    stats: { rows: 0, fields: 0, errors: 1 },
    errors: [{ type: 'source-error', code, params, message: failureMessage(code, params) }],
    truncated: false,
  });
}

function readSample(path: string, bytes = 64 * 1024): Promise<Uint8Array> {
  return readFileHead(path, bytes);
}

/** The file's records as arrays of strings, with the physical line each starts on, a batch per piece read. */
async function* records(
  path: string,
  encoding: Encoding,
  bom: number,
  delimiter: Delimiter,
): AsyncGenerator<CsvRecord[]> {
  const decoder = new TextDecoder(encoding); // not fatal: bad bytes become U+FFFD and are reported per cell
  const tokenizer = new CsvTokenizer(delimiter, MAX_RECORD_CHARS);
  for await (const chunk of fs.createReadStream(path, { start: bom, highWaterMark: 64 * 1024 })) {
    yield tokenizer.push(decoder.decode(chunk as Buffer, { stream: true }));
  }
  yield [...tokenizer.push(decoder.decode()), ...tokenizer.end()];
}

/**
 * The header (the first record that is not blank) and then the data records, in batches; blank
 * records are left out, those after the header passed to `blankRow`.
 */
async function* headerAndData(
  batches: AsyncIterable<CsvRecord[]>,
  blankRow?: (line: number) => void,
): AsyncGenerator<{ header: CsvRecord | null; data: CsvRecord[] }> {
  let header: CsvRecord | null = null;
  for await (const batch of batches) {
    const data: CsvRecord[] = [];
    for (const record of batch) {
      if (record.cells.every(isBlank)) {
        if (header) blankRow?.(record.line);
      } else if (!header) {
        header = record;
        yield { header, data: [] };
      } else {
        data.push(record);
      }
    }
    if (data.length > 0) yield { header, data };
  }
}

export interface IngestResult {
  table: string;
  fields: Field[];
  rows: number;
  report: Report;
}

/**
 * Where the rows come from: a delimited text file, a spreadsheet, a JSON document. Each call of
 * `records()` starts again from the first record. The loader's second pass reads the source again
 * when that is cheap (`rereadable`), else the records it spooled during the first.
 */
export interface TableSource {
  encoding: Encoding | null;
  delimiter: Delimiter | null;
  /** The records in batches of any size, each with the line (row, record) it starts on. */
  records: () => AsyncIterable<CsvRecord[]>;
  /** Reading again costs no more than reading a spool: CSV through our tokenizer, JSON already in memory (not XLSX). */
  rereadable: boolean;
  close?: () => void;
}

/** A CSV or TSV file, its encoding and delimiter detected unless the editor chose them. */
export async function csvSource(
  path: string,
  options: Pick<IngestOptions, 'encoding' | 'delimiter'>,
): Promise<TableSource> {
  const sample = await readSample(path);
  if (sample.length === 0) throw failed('empty');
  const detected = detectEncoding(sample);
  const encoding = options.encoding ?? detected.encoding;
  const bom = options.encoding && options.encoding !== detected.encoding ? 0 : detected.bom;
  if (!encoding.startsWith('utf-16') && sample.subarray(0, 8192).includes(0)) {
    throw failed('binary', {}, encoding);
  }
  const delimiter = options.delimiter ?? sniffDelimiter(new TextDecoder(encoding).decode(sample.subarray(bom)));
  return { encoding, delimiter, records: () => records(path, encoding, bom, delimiter), rereadable: true };
}

/** Loads a CSV or TSV file; see ingestTable. */
export async function ingestCsv(
  db: Database,
  path: string,
  tableBase: string,
  options: IngestOptions,
  dictionary: Pick<Field, 'id' | 'label' | 'description'>[],
  progress: Progress,
): Promise<IngestResult> {
  return ingestTable(db, await csvSource(path, options), tableBase, options, dictionary, progress);
}

/**
 * Loads the source's rows into a new DataStore table named after `tableBase`; returns it without
 * touching the table currently served (the caller swaps them). `progress` is told the rows read so far.
 * The first pass parses the source and infers the types (spooling the records of a source that
 * is slow to read again); the second converts the records and COPYs them.
 */
export async function ingestTable(
  db: Database,
  source: TableSource,
  tableBase: string,
  options: IngestOptions,
  dictionary: Pick<Field, 'id' | 'label' | 'description'>[],
  progress: Progress,
): Promise<IngestResult> {
  const spool = source.rereadable ? null : new RecordSpool();
  try {
    return await load(db, source, spool, tableBase, options, dictionary, progress);
  } finally {
    spool?.remove();
  }
}

async function load(
  db: Database,
  source: TableSource,
  spool: RecordSpool | null,
  tableBase: string,
  options: IngestOptions,
  dictionary: Pick<Field, 'id' | 'label' | 'description'>[],
  progress: Progress,
): Promise<IngestResult> {
  const { encoding, delimiter } = source;
  const problems = new Problems();

  // ---- Pass 1: header, shape and types, from the whole file ----
  let headerCells: string[] | null = null;
  let trackers: TypeTracker[] = [];
  let rows = 0;
  try {
    const blankRow = (line: number) => problems.add({ type: 'blank-row', rowNumber: line, params: { row: line } });
    for await (const { header, data } of headerAndData(source.records(), blankRow)) {
      if (headerCells === null && header) {
        if (header.cells.length > MAX_COLUMNS)
          throw failed('too-many-columns', { count: header.cells.length, max: MAX_COLUMNS }, encoding, delimiter);
        headerCells = header.cells;
        trackers = headerCells.map(() => new TypeTracker());
      }
      for (const { cells, line } of data) {
        for (let i = 0; i < cells.length && i < trackers.length; i++) trackers[i]!.see(cells[i]!);
        spool?.write(line, cells);
      }
      if (Math.floor((rows + data.length) / 50_000) > Math.floor(rows / 50_000))
        await progress('reading', rows + data.length);
      rows += data.length;
    }
  } catch (error) {
    if (error instanceof IngestFailure) throw error;
    if (error instanceof CsvError)
      throw failed(error.kind, { line: error.line, max: MAX_RECORD_CHARS / 1024 / 1024 }, encoding, delimiter);
    throw failed('unreadable-text', { detail: (error as Error).message }, encoding, delimiter);
  }
  if (headerCells === null) throw failed('no-header', {}, encoding, delimiter);

  const { names, blank, duplicate } = cleanHeaders(headerCells);
  for (const i of blank)
    problems.add({
      type: 'blank-label',
      fieldNumber: i + 1,
      fieldName: names[i],
      params: { number: i + 1, name: names[i]! },
    });
  for (const i of duplicate)
    problems.add({
      type: 'duplicate-label',
      fieldNumber: i + 1,
      fieldName: names[i],
      params: { number: i + 1, original: headerCells[i]!, name: names[i]! },
    });
  const columns = columnNames(names);
  const byId = new Map(dictionary.map((d) => [d.id, d]));
  const fields: Field[] = names.map((id, i) => ({
    id,
    column: columns[i]!,
    type: options.types?.[id] ?? trackers[i]!.type,
    ...(byId.get(id)?.label ? { label: byId.get(id)!.label } : {}),
    ...(byId.get(id)?.description ? { description: byId.get(id)!.description } : {}),
  }));

  // ---- Pass 2: convert and COPY into a fresh table ----
  const table = `${quoteIdentifier('datastore')}.${quoteIdentifier(tableBase)}`;
  await db.execScript(
    `DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (${[
      '"_id" bigint PRIMARY KEY',
      ...fields.map((f) => `${quoteIdentifier(f.column)} ${SQL_TYPES[f.type]}`),
    ].join(', ')})`,
  );
  let loaded = 0;
  // A server takes one COPY stream, where small pieces keep our memory low; PGlite runs a COPY per
  // piece, each with a fixed cost, so it gets bigger ones.
  const copyChunkBytes = db.engine === 'pglite' ? 1 << 20 : 256 * 1024;
  /** The record as a line of COPY's CSV: the row number, then each cell converted to its column's type. */
  function copyLine(rowNumber: number, cells: string[], line: number): string {
    let text = String(rowNumber);
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      const raw = cells[i];
      text += ',';
      if (raw === undefined) {
        problems.add({
          type: 'missing-cell',
          rowNumber: line,
          fieldNumber: i + 1,
          fieldName: field.id,
          params: { row: line, name: field.id },
        });
        continue;
      }
      if (raw.includes('\ufffd')) {
        problems.add({
          type: 'encoding-error',
          rowNumber: line,
          fieldNumber: i + 1,
          fieldName: field.id,
          params: { row: line, name: field.id, encoding: encoding ?? 'UTF-8' },
        });
      }
      if (isBlank(raw)) continue; // an unquoted empty cell is NULL
      const value = readAs(field.type, raw);
      if (value === undefined) {
        problems.add({
          type: 'type-error',
          rowNumber: line,
          fieldNumber: i + 1,
          fieldName: field.id,
          cell: raw.slice(0, 100),
          params: { row: line, name: field.id, cell: raw.slice(0, 100), type: field.type },
        });
        continue;
      }
      // Only text needs quoting: numbers, dates and booleans as readAs writes them never hold a
      // quote, a comma or a line ending.
      text +=
        typeof value === 'boolean'
          ? String(value)
          : field.type !== 'text' || !NEEDS_QUOTES.test(value)
            ? value
            : `"${value.replaceAll('"', '""')}"`;
    }
    return `${text}\n`;
  }
  async function* chunks(): AsyncGenerator<Uint8Array<ArrayBuffer>> {
    // Each line goes straight into bytes outside the JavaScript heap: lines held as strings until
    // a piece is full would survive garbage collections, and the young generation grows with
    // what survives (that was 80 MB of the loader's peak memory).
    let buffer = Buffer.allocUnsafe(copyChunkBytes);
    let used = 0;
    let rowNumber = 0;
    // The data records again: no header, no blank rows.
    for await (const { data } of spool ? spool.records() : headerAndData(source.records())) {
      for (const { cells, line } of data) {
        rowNumber++;
        if (cells.length > fields.length) {
          problems.add({
            type: 'extra-cell',
            rowNumber: line,
            fieldNumber: fields.length + 1,
            params: { row: line, cells: cells.length, fields: fields.length },
          });
        }
        const text = copyLine(rowNumber, cells, line);
        loaded = rowNumber;
        if (used + text.length * 3 > copyChunkBytes) {
          // a UTF-16 unit takes at most 3 bytes in UTF-8
          if (used > 0) yield buffer.subarray(0, used);
          buffer = Buffer.allocUnsafe(copyChunkBytes);
          used = 0;
          await progress('loading', rowNumber, rows);
          if (text.length * 3 > copyChunkBytes) {
            yield Buffer.from(text); // a line longer than a piece goes alone
            continue;
          }
        }
        used += buffer.write(text, used);
      }
    }
    if (used > 0) yield buffer.subarray(0, used);
  }
  await db.copyCsv(table, ['"_id"', ...fields.map((f) => quoteIdentifier(f.column))], chunks());
  // Indexes for filtering and sorting, built before the table is served. Text is indexed by its
  // first 100 characters, so that a very long cell cannot exceed the index row size.
  await progress('indexing', loaded);
  // On a server two indexes build at once, one per core (each CREATE INDEX runs on its own pooled
  // connection); PGlite has one connection and builds them in turn.
  // Each index is named here: names PostgreSQL picks itself can collide between two sessions
  // building at once (two text columns both become "…_left_idx").
  const pending = fields
    .slice(0, MAX_INDEXED_COLUMNS)
    .map((field, i) => ({ field, name: quoteIdentifier(`${tableBase}_i${i}`) }));
  const builders = db.engine === 'postgres' ? INDEX_BUILDERS : 1;
  await Promise.all(
    Array.from({ length: builders }, async () => {
      for (let next = pending.shift(); next; next = pending.shift()) {
        await db.execScript(`CREATE INDEX ${next.name} ON ${table} (${indexExpression(next.field)})`);
      }
    }),
  );
  await db.execScript(`ANALYZE ${table}`);
  const report: Report = {
    valid: problems.count === 0,
    encoding,
    delimiter,
    stats: { rows: loaded, fields: fields.length, errors: problems.count },
    errors: problems.list,
    truncated: problems.count > problems.list.length,
  };
  return { table: tableBase, fields, rows: loaded, report };
}
