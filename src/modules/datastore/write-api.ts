// CKAN's DataStore write API, as ETL scripts and ckanapi call it: datastore_create (a table with
// its fields, primary key and indexes, made on a resource or with a new one, or extended),
// datastore_upsert (upsert, insert or update by the primary key or _id, dry_run),
// datastore_delete (the whole table, or rows by filters) and datastore_records_delete.
//
// A written table is one of the DataStore's own: named and registered on the resource as a
// loaded file's table is (datastore_table, datastore_fields, datastore_rows), so previews, charts,
// the dump, datastore_search, datastore_info and datastore_search_sql read it unchanged. Each write
// is one transaction that first locks the resource's row: writes to one table, from any server,
// take turns, and the row count kept on the resource stays exact. The write raises the resource's
// datastore_version (cached totals are keyed by it) and, when the columns change, drops the
// resource's datastore_search_sql view, which is made again with the new columns when SQL next
// names it. Only an editor of the dataset's city (or an admin) writes, as for the rest of the catalog.
import crypto from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { quoteIdentifier, type Queryable } from '../../platform/db/index.ts';
import { actorOf } from '../../platform/http/forms.ts';
import { recordAudit } from '../../platform/audit.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { addResource, getDataset, type Dataset } from '../catalog/service.ts';
import { assertCanEditDataset, visibilityFor } from '../catalog/policy.ts';
import { CkanError, datastoreOnly, missing, registerCkanAction, text, type Params } from '../catalog/ckan.ts';
import { getDatastoreResource, type DatastoreResource } from './service.ts';
import { indexExpression, type Field } from './ingest.ts';
import { readDate, SQL_TYPES, type FieldType } from './values.ts';

/** Records one call may carry, and fields one table may have. */
export const MAX_WRITE_RECORDS = 20_000;
export const MAX_TABLE_FIELDS = 1000;
/** The body of one write call: rows as JSON. */
export const WRITE_BODY_BYTES = 16 * 1024 * 1024;
/** Fields past this position get no index of their own, as a loaded file's (ingest.ts). */
const MAX_INDEXED_COLUMNS = 50;

/** CKAN's (PostgreSQL's) type names, and the DataStore's own as datastore_info gives them, to the DataStore's types. */
const TYPE_NAMES: Record<string, FieldType> = {
  text: 'text',
  varchar: 'text',
  'character varying': 'text',
  int: 'integer',
  int2: 'integer',
  int4: 'integer',
  int8: 'integer',
  smallint: 'integer',
  integer: 'integer',
  bigint: 'integer',
  numeric: 'number',
  decimal: 'number',
  number: 'number',
  float: 'number',
  float4: 'number',
  float8: 'number',
  real: 'number',
  'double precision': 'number',
  bool: 'boolean',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'datetime',
  'timestamp without time zone': 'datetime',
  datetime: 'datetime',
};
/** Types CKAN has that this DataStore does not store: refused by name rather than stored as something else. */
const UNSUPPORTED_TYPES =
  /^(json|jsonb|nested|time|timetz|timestamptz|timestamp with time zone|interval|tsvector|uuid|bytea|money|_.+|.+\[\])$/i;
const SUPPORTED = 'text, int, numeric, bool, date or timestamp';

const WRITE_HELP = {
  datastore_create:
    'Add a table to the DataStore, or extend one: its fields, primary key, indexes and records.\n\nTo make a resource and its table at once, pass `resource` (with `package_id`) instead of `resource_id`.\n\n:param resource_id: the resource the table belongs to\n:param resource: a resource dictionary (package_id, name, description, format) to create\n:param force: write to a resource that was loaded from a file or link (its next load replaces the rows)\n:param fields: [{"id", "type", "info": {"label", "notes"}}]; types text, int, numeric, bool, date, timestamp (or int4, int8, float8 ...); json, time and arrays are refused\n:param primary_key: the fields that identify a record (a list or comma-separated)\n:param indexes: fields to index (a list of fields or of lists)\n:param delete_fields: drop the fields not listed\n:param records: the rows to insert, at most 20,000 per call\n:param aliases: not supported (409)\n:returns: resource_id, fields, primary_key, method and (when created) resource\n:rtype: dictionary',
  datastore_upsert:
    'Insert, update or upsert records of a DataStore table.\n\n:param resource_id: the resource\n:param force: write to a resource that was loaded from a file or link\n:param records: the rows, at most 20,000 per call\n:param method: upsert (default), insert or update; upsert and update find records by the primary key or _id\n:param dry_run: check everything, change nothing\n:returns: resource_id, method and records\n:rtype: dictionary',
  datastore_delete:
    'Delete a DataStore table (the resource stays), or the rows that match `filters`.\n\n:param resource_id: the resource\n:param force: write to a resource that was loaded from a file or link\n:param filters: {field: value or [values]}; without it the whole table goes\n:returns: resource_id and filters\n:rtype: dictionary',
  datastore_records_delete:
    'Delete the rows of a DataStore table that match `filters`; the table stays.\n\n:param resource_id: the resource\n:param force: write to a resource that was loaded from a file or link\n:param filters: {field: value or [values]} (required; {} deletes every row)\n:returns: resource_id and filters\n:rtype: dictionary',
} as const;

const invalid = (field: string, message: string) =>
  new CkanError(409, 'Validation Error', `${field}: ${message}`, { [field]: [message] });

/** CKAN's boolean_validator: true, "true", "yes", "t", "y", "1" or "on"; anything else is false. */
function bool(p: Params, name: string): boolean {
  const value = p[name];
  return value === true || (typeof value === 'string' && /^(true|yes|t|y|1|on)$/i.test(value));
}

/** A parameter that may come as JSON text (a form, a query) or as JSON already. */
function json(p: Params, name: string): unknown {
  const value = p[name];
  if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    throw invalid(name, 'Cannot parse JSON');
  }
}

/** A list of names, given as a list or comma-separated (CKAN's get_list); undefined when absent. */
function nameList(p: Params, name: string): string[] | undefined {
  const value = json(p, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw invalid(name, 'Must be a list of field names or a comma-separated string');
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function recordsParam(p: Params): Record<string, unknown>[] {
  const value = json(p, 'records');
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid('records', 'Records has to be a list of dicts');
  if (value.length > MAX_WRITE_RECORDS)
    throw invalid(
      'records',
      `At most ${MAX_WRITE_RECORDS} records per call (this one has ${value.length}): send them in batches`,
    );
  value.forEach((record, i) => {
    if (!isObject(record)) throw invalid('records', `Record ${i} is not a JSON object`);
  });
  return value;
}

/** PostgreSQL's limit of columns in one index. */
const MAX_INDEX_COLUMNS = 32;

/** `indexes`: field names (a list or comma-separated), or lists of them for indexes over several fields. */
function indexesParam(p: Params): string[][] | undefined {
  const value = json(p, 'indexes');
  if (value === undefined || value === null) return undefined;
  const fail = (message: string) => invalid('indexes', message);
  const list = typeof value === 'string' ? nameList(p, 'indexes')!.map((id) => [id]) : value;
  if (!Array.isArray(list)) throw fail('Must be a list of field names or of lists of field names');
  const indexes = list.map((item: unknown) => (Array.isArray(item) ? item : [item]));
  if (indexes.some((index) => index.some((id) => typeof id !== 'string')))
    throw fail('Must be a list of field names or of lists of field names');
  if (indexes.length > MAX_INDEXED_COLUMNS) throw fail(`At most ${MAX_INDEXED_COLUMNS} indexes`);
  if (indexes.some((index) => index.length > MAX_INDEX_COLUMNS))
    throw fail(`An index has at most ${MAX_INDEX_COLUMNS} fields`);
  return (indexes as string[][]).filter((index) => index.length);
}

function filtersParam(p: Params): Record<string, unknown> | undefined {
  const value = json(p, 'filters');
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalid('filters', 'filters must be either a dict or null.');
  return value;
}

// ---- Values ----

const INVALID = Symbol('invalid');
const INTEGER = /^[+-]?\d{1,19}$/;
const NUMERIC = /^[+-]?(?:\d{1,1000}(?:\.\d{0,1000})?|\.\d{1,1000})(?:[eE][+-]?\d{1,4})?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIMESTAMP =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;
const BIGINT_MAX = 2n ** 63n - 1n;
const TRUE = /^(t|true|y|yes|on|1)$/i;
const FALSE = /^(f|false|n|no|off|0)$/i;

/**
 * A JSON value as the text PostgreSQL reads for the type, null for no value (null, or "" for a
 * type other than text, as CKAN), INVALID when it is not of the type. Strict where PostgreSQL is:
 * a date is ISO 8601, a number has a dot.
 */
function sqlValue(type: FieldType, value: unknown): string | null | typeof INVALID {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' && value.includes('\u0000')) return INVALID;
  if (type === 'text') {
    if (typeof value === 'string') return value;
    return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean'
      ? String(value)
      : INVALID;
  }
  if (value === '') return null;
  if (type === 'boolean') {
    if (typeof value === 'boolean') return String(value);
    if (typeof value !== 'string') return INVALID;
    return TRUE.test(value.trim()) ? 'true' : FALSE.test(value.trim()) ? 'false' : INVALID;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return INVALID;
    if (type === 'number') return String(value);
    if (type === 'integer') return Number.isSafeInteger(value) ? String(value) : INVALID;
    return INVALID;
  }
  if (typeof value !== 'string') return INVALID;
  const s = value.trim();
  switch (type) {
    case 'integer': {
      if (!INTEGER.test(s)) return INVALID;
      const n = BigInt(s);
      return n <= BIGINT_MAX && n >= -BIGINT_MAX - 1n ? n.toString() : INVALID;
    }
    case 'number':
      return NUMERIC.test(s) ? s : INVALID;
    case 'date':
      return ISO_DATE.test(s) && readDate(s) ? s : INVALID;
    case 'datetime': {
      const match = ISO_TIMESTAMP.exec(s);
      if (!match || !readDate(match[1]!)) return INVALID;
      const [h, m, sec] = [Number(match[2] ?? 0), Number(match[3] ?? 0), Number(match[4] ?? 0)];
      return h <= 23 && m <= 59 && sec <= 59 ? s : INVALID;
    }
  }
}

const TYPE_WORDS: Record<FieldType, string> = {
  text: 'text',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  date: 'a date (YYYY-MM-DD)',
  datetime: 'a timestamp (YYYY-MM-DDTHH:MM:SS)',
};

const shown = (value: unknown) => {
  const s = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/** CKAN's _guess_type for a field whose type is not given, from the first record's value. */
function guessType(id: string, value: unknown): { type: FieldType; name: string } {
  if (isObject(value) || Array.isArray(value))
    throw invalid('fields', `"${id}" holds a JSON object or list: this DataStore stores ${SUPPORTED}, not json`);
  if (typeof value === 'boolean') return { type: 'boolean', name: 'bool' };
  if (typeof value === 'number')
    return Number.isInteger(value) ? { type: 'integer', name: 'int' } : { type: 'number', name: 'float' };
  if (typeof value === 'string') {
    if (INTEGER.test(value.trim()) && sqlValue('integer', value) !== INVALID)
      return { type: 'integer', name: 'integer' };
    if (NUMERIC.test(value.trim())) return { type: 'number', name: 'numeric' };
    if (sqlValue('datetime', value) !== INVALID) return { type: 'datetime', name: 'timestamp' };
  }
  return { type: 'text', name: 'text' };
}

// ---- Fields ----

interface FieldSpec {
  id: string;
  /** The type as given (CKAN's name), or as guessed. */
  typeName?: string;
  type?: FieldType;
  info?: { label?: string; notes?: string };
}

function fieldsParam(p: Params): FieldSpec[] | undefined {
  const value = json(p, 'fields');
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalid('fields', 'Must be a list of dictionaries with an "id"');
  if (value.length > MAX_TABLE_FIELDS) throw invalid('fields', `At most ${MAX_TABLE_FIELDS} fields`);
  const seen = new Set<string>();
  return value.map((item: unknown, i) => {
    if (!isObject(item) || typeof item.id !== 'string')
      throw invalid('fields', `Field ${i} must be a dictionary with an "id" that is text`);
    const id = item.id;
    if (!id || id !== id.trim() || id.startsWith('_') || id.includes('"') || id.includes('\u0000'))
      throw invalid('fields', `"${id.slice(0, 100)}" is not a valid field name`);
    if ([...id].length > 63) throw invalid('fields', `Column heading "${id}" exceeds limit of 63 characters.`);
    if (seen.has(id)) throw invalid('fields', `Duplicate column names are not supported ("${id}")`);
    seen.add(id);
    const spec: FieldSpec = { id };
    if (item.type !== undefined && item.type !== null && item.type !== '') {
      if (typeof item.type !== 'string') throw invalid('fields', `"${id}": the type must be text`);
      const name = item.type.trim().toLowerCase();
      const type = TYPE_NAMES[name];
      if (!type) {
        if (UNSUPPORTED_TYPES.test(name))
          throw invalid('fields', `"${id}": type "${item.type}" is not one this DataStore stores (use ${SUPPORTED})`);
        throw invalid('fields', `"${item.type.slice(0, 60)}" is not a valid field type`);
      }
      spec.typeName = item.type;
      spec.type = type;
    }
    if (item.info !== undefined && item.info !== null) {
      if (!isObject(item.info)) throw invalid('fields', `"${id}": info must be a dictionary`);
      const label = item.info.label;
      const notes = item.info.notes;
      if ((label !== undefined && typeof label !== 'string') || (notes !== undefined && typeof notes !== 'string'))
        throw invalid('fields', `"${id}": info's label and notes must be text`);
      if ((label?.length ?? 0) > 200 || (notes?.length ?? 0) > 2000)
        throw invalid('fields', `"${id}": a label has at most 200 characters, notes at most 2000`);
      spec.info = { label, notes };
    }
    return spec;
  });
}

/** A column name for a new field: as a loaded file's (lower case, at most 55 bytes), unique in the table. */
function freshColumn(id: string, used: Set<string>): string {
  let column = id.toLowerCase();
  while (Buffer.byteLength(column) > 55) column = column.slice(0, -1);
  let candidate = column;
  for (let n = 2; used.has(candidate); n++) candidate = `${column}_${n}`;
  used.add(candidate);
  return candidate;
}

// ---- The table ----

interface Locked {
  table: string | null;
  fields: Field[];
  rows: number;
}

const tableSql = (table: string) => `datastore.${quoteIdentifier(table)}`;
const columnSql = (field: Pick<Field, 'column'>) => quoteIdentifier(field.column);
/** A per-field index's name: the table's and a digest of the column, unique whatever fields come and go. */
const fieldIndexName = (table: string, column: string) =>
  `${table}_h${crypto.createHash('sha1').update(column).digest('hex').slice(0, 10)}`;

/** Locks the resource's row for the rest of the transaction and reads its table as it is now. */
async function lockTable(tx: Queryable, resourceId: string): Promise<Locked> {
  const row = await tx.one<{
    datastore_table: string | null;
    datastore_fields: Field[] | null;
    datastore_rows: number | null;
  }>('SELECT datastore_table, datastore_fields, datastore_rows FROM resources WHERE id = $1 FOR UPDATE', [resourceId]);
  if (!row) throw new CkanError(404, 'Not Found Error', `Resource "${resourceId}" was not found.`);
  return { table: row.datastore_table, fields: row.datastore_fields ?? [], rows: row.datastore_rows ?? 0 };
}

/** As lockTable, for a write that needs the table: a resource without one is CKAN's 404. */
async function lockExistingTable(tx: Queryable, resourceId: string): Promise<Locked & { table: string }> {
  const locked = await lockTable(tx, resourceId);
  if (!locked.table) throw new CkanError(404, 'Not Found Error', `Resource "${resourceId}" was not found.`);
  return { ...locked, table: locked.table };
}

/** The fields of the table's primary key (its unique index), in order. */
async function primaryKeyOf(tx: Queryable, table: string, fields: Field[]): Promise<Field[]> {
  const rows = await tx.query<{ column: string }>(
    `SELECT a.attname AS column FROM pg_index i
     JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
     WHERE n.nspname = 'datastore' AND c.relname = $1 ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    [`${table}_pk`],
  );
  return rows.map((r) => fields.find((f) => f.column === r.column)!).filter(Boolean);
}

/** A database error a caller caused (a duplicate key, a value out of range) as CKAN's 409, naming `field`. */
function refusedByDatabase(error: unknown, field: string, what: string): never {
  const code = (error as { code?: string }).code ?? '';
  if (/^(23|22|54)/.test(code)) {
    const first = String((error as Error).message)
      .split('\n')[0]!
      .slice(0, 300);
    const detail = (error as { detail?: string }).detail;
    throw invalid(field, `${what}: ${first}${detail ? ` (${detail.slice(0, 300)})` : ''}`);
  }
  throw error;
}

function resolveFields(table: Field[], ids: string[], param: string): Field[] {
  return ids.map((id) => {
    const field = table.find((f) => f.id === id);
    if (!field) throw invalid(param, `The field "${id.slice(0, 100)}" is not a valid column name.`);
    return field;
  });
}

// ---- Records ----

/** A record's values for the given fields as text for PostgreSQL, checked; the error names the record and field. */
function rowValues(record: Record<string, unknown>, index: number, fields: Field[]): (string | null)[] {
  return fields.map((field) => {
    const value = sqlValue(field.type, record[field.id]);
    if (value === INVALID)
      throw invalid(
        'records',
        `Record ${index}: field "${field.id}" must be ${TYPE_WORDS[field.type]}, not ${shown(record[field.id])}`,
      );
    return value;
  });
}

function checkKeys(record: Record<string, unknown>, index: number, fields: Field[], allowId: boolean) {
  for (const key of Object.keys(record)) {
    if (key === '_id' && allowId) continue;
    if (!fields.some((f) => f.id === key))
      throw invalid(
        'records',
        `Record ${index}: field "${key.slice(0, 100)}" does not exist (extra keys are not stored)`,
      );
  }
}

/** Columns of values, one array per field, for unnest. */
function columnsOf(rows: (string | null)[][], width: number): (string | null)[][] {
  return Array.from({ length: width }, (_, c) => rows.map((row) => row[c]!));
}

/** `unnest($a::type[], ...) WITH ORDINALITY AS u(v0, ..., n)` over the given fields' value arrays. */
function unnestSql(fields: Pick<Field, 'type'>[], firstParam: number): string {
  const arrays = fields.map((f, i) => `$${firstParam + i}::${SQL_TYPES[f.type]}[]`);
  return `unnest(${arrays.join(', ')}) WITH ORDINALITY AS u(${fields.map((_, i) => `v${i}`).join(', ')}, n)`;
}

/** Inserts rows (values in `fields` order) with the next _ids; returns how many. */
async function insertRows(tx: Queryable, table: string, fields: Field[], rows: (string | null)[][]): Promise<number> {
  if (rows.length === 0 || fields.length === 0) return 0;
  const base = await tx.one<{ n: string | number }>(
    `SELECT coalesce(max("_id"), 0)::text AS n FROM ${tableSql(table)}`,
  );
  await tx.query(
    `INSERT INTO ${tableSql(table)} ("_id", ${fields.map(columnSql).join(', ')})
     SELECT $1::bigint + u.n, ${fields.map((_, i) => `u.v${i}`).join(', ')} FROM ${unnestSql(fields, 2)}`,
    [String(base!.n), ...columnsOf(rows, fields.length)],
    { prepare: false },
  );
  return rows.length;
}

/** The positions (0-based) of the given keys that the table already holds. */
async function existingKeys(
  tx: Queryable,
  table: string,
  key: Field[],
  keys: (string | null)[][],
): Promise<Set<number>> {
  if (keys.length === 0) return new Set();
  const match = key.map((f, i) => `t.${columnSql(f)} = u.v${i}`).join(' AND ');
  const rows = await tx.query<{ n: number }>(
    `SELECT (u.n - 1)::int AS n FROM ${unnestSql(key, 1)} WHERE EXISTS (SELECT 1 FROM ${tableSql(table)} t WHERE ${match})`,
    columnsOf(keys, key.length),
    { prepare: false },
  );
  return new Set(rows.map((r) => Number(r.n)));
}

/** Updates the rows whose key matches, setting the given fields. */
async function updateRows(
  tx: Queryable,
  table: string,
  key: Field[],
  fields: Field[],
  keys: (string | null)[][],
  rows: (string | null)[][],
): Promise<void> {
  if (rows.length === 0 || fields.length === 0) return;
  const all = [...key, ...fields];
  await tx.query(
    `UPDATE ${tableSql(table)} t SET ${fields.map((f, i) => `${columnSql(f)} = u.v${key.length + i}`).join(', ')}
     FROM ${unnestSql(all, 1)} WHERE ${key.map((f, i) => `t.${columnSql(f)} = u.v${i}`).join(' AND ')}`,
    [...columnsOf(keys, key.length), ...columnsOf(rows, fields.length)],
    { prepare: false },
  );
}

const ID_FIELD: Field = { id: '_id', column: '_id', type: 'integer' };

type Method = 'upsert' | 'insert' | 'update';

/**
 * Writes records as CKAN's upsert_data does, in a few statements rather than one per record: for
 * upsert and update each record is found by its _id, or else by the primary key; a record given
 * twice counts as its two writes in turn (the later fields over the earlier). Insert refuses a key
 * the table or the call already holds. Returns the rows inserted.
 */
async function writeRecords(
  tx: Queryable,
  table: string,
  fields: Field[],
  primaryKey: Field[],
  records: Record<string, unknown>[],
  method: Method,
): Promise<number> {
  if (records.length === 0) return 0;
  if (method === 'insert') {
    for (const [i, record] of records.entries()) checkKeys(record, i, fields, false);
    const rows = records.map((record, i) => rowValues(record, i, fields));
    if (primaryKey.length) {
      const at = primaryKey.map((k) => fields.indexOf(k));
      const keys = rows.map((row) => at.map((c) => row[c]!));
      const seen = new Map<string, number>();
      keys.forEach((key, i) => {
        if (key.some((v) => v === null)) return; // a unique index lets NULL keys repeat
        const text = JSON.stringify(key);
        const earlier = seen.get(text);
        if (earlier !== undefined) throw duplicateKey(i, primaryKey, records[i]!, `record ${earlier} of this call`);
        seen.set(text, i);
      });
      const taken = await existingKeys(tx, table, primaryKey, keys);
      if (taken.size) {
        const first = Math.min(...taken);
        throw duplicateKey(first, primaryKey, records[first]!, 'a row of the table');
      }
    }
    return insertRows(tx, table, fields, rows);
  }
  // upsert and update: group the records by how each is found and which fields it sets.
  interface Pending {
    index: number;
    record: Record<string, unknown>;
  }
  const byKey = new Map<string, Pending>();
  records.forEach((record, index) => {
    checkKeys(record, index, fields, true);
    const byId = record._id !== undefined && record._id !== null;
    if (!byId && primaryKey.length === 0)
      throw invalid(
        'records',
        `Record ${index}: ${method} finds records by the primary key or _id: the table has no primary key (set one with datastore_create) and the record no _id`,
      );
    const key = byId ? [ID_FIELD] : primaryKey;
    const missingKey = key.filter((f) => record[f.id] === undefined || record[f.id] === null || record[f.id] === '');
    if (missingKey.length)
      throw invalid(
        'records',
        `Record ${index}: fields "${missingKey.map((f) => f.id).join(', ')}" are missing but needed as key`,
      );
    const keyValues = rowValues(record, index, key);
    const text = `${byId ? 'id' : 'pk'}:${JSON.stringify(keyValues)}`;
    const earlier = byKey.get(text);
    // Written twice: the second write's fields over the first's, as two writes in turn would leave it.
    byKey.set(text, earlier ? { index, record: { ...earlier.record, ...record } } : { index, record });
  });
  const groups = new Map<string, Pending[]>();
  for (const pending of byKey.values()) {
    const byId = pending.record._id !== undefined && pending.record._id !== null;
    const set = fields.filter((f) => Object.hasOwn(pending.record, f.id)).map((f) => f.id);
    const group = `${byId}:${JSON.stringify(set)}`;
    groups.set(group, [...(groups.get(group) ?? []), pending]);
  }
  let inserted = 0;
  for (const group of groups.values()) {
    const sample = group[0]!.record;
    const key = sample._id !== undefined && sample._id !== null ? [ID_FIELD] : primaryKey;
    const setFields = fields.filter((f) => Object.hasOwn(sample, f.id));
    const keys = group.map((p) => rowValues(p.record, p.index, key));
    const values = group.map((p) => rowValues(p.record, p.index, setFields));
    const found = await existingKeys(tx, table, key, keys);
    const absent = group.map((_, i) => i).filter((i) => !found.has(i));
    if (method === 'update' && absent.length) {
      const first = group[absent[0]!]!;
      throw invalid(
        'records',
        `Record ${first.index}: key ${shown(Object.fromEntries(key.map((f) => [f.id, first.record[f.id]])))} not found`,
      );
    }
    const present = group.map((_, i) => i).filter((i) => found.has(i));
    await updateRows(
      tx,
      table,
      key,
      setFields,
      present.map((i) => keys[i]!),
      present.map((i) => values[i]!),
    );
    // Records to insert: the fields they set, the rest empty; one named by an _id the table does not
    // hold gets a new _id, as in CKAN.
    inserted += await insertRows(
      tx,
      table,
      setFields,
      absent.map((i) => values[i]!),
    );
  }
  return inserted;
}

function duplicateKey(index: number, key: Field[], record: Record<string, unknown>, holder: string): CkanError {
  const values = Object.fromEntries(key.map((f) => [f.id, record[f.id]]));
  return new CkanError(
    409,
    'Validation Error',
    `records: Record ${index}: key ${shown(values)} is already in ${holder} (insert adds new records only: use method upsert or update)`,
    {
      records: [`Record ${index}: key ${shown(values)} is already in ${holder}`],
      constraints: ['Cannot insert records or create index because of uniqueness constraint'],
    },
  );
}

// ---- Deleting ----

/** filters as a WHERE clause over the table: field = value, field = any of a list, null for no value. */
function filterSql(fields: Field[], filters: Record<string, unknown>, params: unknown[]): string {
  const where: string[] = [];
  for (const [id, raw] of Object.entries(filters)) {
    const field = id === '_id' ? ID_FIELD : fields.find((f) => f.id === id);
    if (!field) throw invalid('filters', `field "${id.slice(0, 100)}" is not in the table`);
    const values = Array.isArray(raw) ? raw : [raw];
    const typed = values.map((value) => {
      const sql = sqlValue(field.type, value);
      if (sql === INVALID || (sql === null && value !== null))
        throw invalid('filters', `"${id}" is ${TYPE_WORDS[field.type]} field: ${shown(value)} is not one`);
      return sql;
    });
    const given = typed.filter((v) => v !== null);
    const alternatives: string[] = [];
    if (given.length) {
      params.push(given);
      const column = columnSql(field);
      if (field.type === 'text') {
        // The indexed prefix as well, so that the column's index (ingest.ts) finds the rows.
        params.push(given.map((v) => Array.from(v).slice(0, 100).join('')));
        alternatives.push(
          `(${indexExpression(field)} = ANY($${params.length}::text[]) AND ${column} = ANY($${params.length - 1}::text[]))`,
        );
      } else alternatives.push(`${column} = ANY($${params.length}::${SQL_TYPES[field.type]}[])`);
    }
    if (given.length < typed.length) alternatives.push(`${columnSql(field)} IS NULL`);
    where.push(alternatives.length ? `(${alternatives.join(' OR ')})` : 'false');
  }
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

// ---- The actions ----

class DryRun {
  readonly result: unknown;
  constructor(result: unknown) {
    this.result = result;
  }
}

async function routes(app: FastifyInstance) {
  const { db } = app;

  const requireUser = (request: FastifyRequest, action: string) => {
    if (!request.user)
      throw new CkanError(
        403,
        'Authorization Error',
        `Access denied: User not authorized to call ${action} (send a token in the Authorization header)`,
      );
    return request.user;
  };

  /** The resource named by resource_id (or id), if the caller may edit its dataset; 404 when they cannot see it. */
  async function editableResource(p: Params, request: FastifyRequest, action: string): Promise<DatastoreResource> {
    const user = requireUser(request, action);
    const id = text(p, 'resource_id', 100) ?? text(p, 'id', 100);
    if (!id) throw missing('resource_id');
    const resource = await getDatastoreResource(db, id).catch((error) => {
      if (error instanceof NotFoundError)
        throw new CkanError(404, 'Not Found Error', `Resource "${id}" was not found.`);
      throw error;
    });
    const dataset = await getDataset(db, resource.dataset_name, visibilityFor(user)).catch((error) => {
      if (error instanceof NotFoundError)
        throw new CkanError(404, 'Not Found Error', `Resource "${id}" was not found.`);
      throw error;
    });
    assertCanEditDataset(user, dataset);
    // As CKAN's _check_read_only: rows loaded from a file or a link are replaced by its next load.
    if (!datastoreOnly(resource) && !bool(p, 'force'))
      throw new CkanError(
        409,
        'Validation Error',
        'read-only: Cannot edit read-only resource because changes made may be lost. Use a resource created for editing e.g. with datastore_create or use "force=True" to ignore this warning.',
        {
          'read-only': [
            'Cannot edit read-only resource because changes made may be lost. Use a resource created for editing e.g. with datastore_create or use "force=True" to ignore this warning.',
          ],
        },
      );
    return resource;
  }

  /** Records the write: the new row count and fields, a new version, the dataset's data changed, the audit log. */
  async function finish(
    tx: Queryable,
    request: FastifyRequest,
    resource: { id: string; dataset_id: number },
    state: { table: string | null; fields: Field[] | null; rows: number | null; schemaChanged: boolean },
    action: string,
    details: Record<string, unknown>,
  ) {
    if (state.schemaChanged) await tx.query('SELECT datastore_sql_drop_views(ARRAY[$1::uuid])', [resource.id]);
    await tx.query(
      `UPDATE resources SET datastore_table = $2, datastore_fields = $3, datastore_rows = $4,
       datastore_version = datastore_version + 1, modified_at = now() WHERE id = $1`,
      [resource.id, state.table, state.fields ? JSON.stringify(state.fields) : null, state.rows],
    );
    await tx.query('UPDATE datasets SET data_updated_at = now(), modified_at = now() WHERE id = $1', [
      resource.dataset_id,
    ]);
    await recordAudit(tx, actorOf(request), `datastore.${action}`, 'dataset', resource.dataset_id, null, {
      resource: resource.id,
      ...details,
    });
  }

  /** finish, for a write that changed rows only. */
  const finishRows = (
    tx: Queryable,
    request: FastifyRequest,
    resource: { id: string; dataset_id: number },
    locked: Locked,
    action: string,
    details: Record<string, unknown>,
  ) => finish(tx, request, resource, { ...locked, schemaChanged: false }, action, details);

  /** ANALYZE after a write that changed a good part of the table, so that the planner's estimates follow. */
  async function analyzeIfGrown(tx: Queryable, table: string, changed: number, rows: number) {
    if (changed > 0 && changed * 10 >= rows) await tx.execScript(`ANALYZE ${tableSql(table)}`);
  }

  registerCkanAction(
    app,
    'datastore_create',
    { help: WRITE_HELP.datastore_create, write: true, bodyLimit: WRITE_BODY_BYTES },
    async (p, request) => {
      const user = requireUser(request, 'datastore_create');
      const resourceParam = json(p, 'resource');
      const hasResourceId = text(p, 'resource_id', 100) !== undefined || text(p, 'id', 100) !== undefined;
      if (resourceParam !== undefined && resourceParam !== null && hasResourceId)
        throw invalid('resource', 'resource cannot be used with resource_id');
      if ((resourceParam === undefined || resourceParam === null) && !hasResourceId)
        throw invalid('resource_id', 'resource_id or resource required');
      const aliases = nameList(p, 'aliases');
      if (aliases?.length)
        throw invalid('aliases', 'Aliases are not supported here: read the table by its resource id');
      const triggers = json(p, 'triggers');
      if (Array.isArray(triggers) ? triggers.length : triggers !== undefined && triggers !== null && triggers !== '')
        throw invalid('triggers', 'Triggers are not supported here');
      const specs = fieldsParam(p);
      const records = recordsParam(p);
      const primaryKeyIds = nameList(p, 'primary_key');
      if ((primaryKeyIds?.length ?? 0) > MAX_INDEX_COLUMNS)
        throw invalid('primary_key', `A primary key has at most ${MAX_INDEX_COLUMNS} fields`);
      const indexes = indexesParam(p);
      const deleteFields = bool(p, 'delete_fields');

      // The resource: an existing one the caller edits, or a new one in a dataset they edit.
      let target: { id: string; dataset_id: number };
      let dataset: Dataset | undefined;
      let newResource: Record<string, unknown> | undefined;
      if (isObject(resourceParam)) {
        const packageId = text(resourceParam, 'package_id', 200);
        if (!packageId) throw invalid('package_id', 'Missing value');
        if (resourceParam.url !== undefined && resourceParam.url !== null && resourceParam.url !== '')
          throw invalid(
            'resource',
            'A resource with a url is loaded from its file: create it with resource_create (a link or an upload); datastore_create makes a resource without one',
          );
        dataset = await getDataset(db, packageId, visibilityFor(user)).catch((error) => {
          if (error instanceof NotFoundError) throw new CkanError(404, 'Not Found Error', 'Not found');
          throw error;
        });
        assertCanEditDataset(user, dataset);
        newResource = {
          name: text(resourceParam, 'name', 300) ?? '',
          description: text(resourceParam, 'description', 5000) ?? '',
          format: (text(resourceParam, 'format', 40) ?? 'CSV').toUpperCase(),
        };
        target = { id: '', dataset_id: dataset.id };
      } else if (resourceParam !== undefined && resourceParam !== null) {
        throw invalid('resource', 'Must be a dictionary');
      } else {
        const resource = await editableResource(p, request, 'datastore_create');
        target = { id: resource.id, dataset_id: resource.dataset_id };
      }

      const result = await db.transaction(async (tx) => {
        if (newResource && dataset) {
          const created = await addResource(tx, actorOf(request), dataset, {
            name: String(newResource.name) || 'DataStore',
            description: String(newResource.description),
            format: String(newResource.format),
            url: '',
          });
          const url = `${app.config.publicUrl}/datastore/dump/${created.id}`;
          await tx.query('UPDATE resources SET url = $2 WHERE id = $1', [created.id, url]);
          target = { id: created.id, dataset_id: dataset.id };
          newResource = {
            id: created.id,
            package_id: dataset.uuid,
            name: created.name,
            description: created.description,
            format: created.format,
            url,
            url_type: 'datastore',
            datastore_active: true,
            state: 'active',
          };
        }
        const locked = await lockTable(tx, target.id);
        const fields = [...locked.fields];
        const used = new Set(['_id', ...fields.map((f) => f.column)]);
        const given = specs ?? [];
        const resultFields: { id: string; type: string; info?: unknown }[] = [];
        const added: Field[] = [];
        // The given fields: new ones are added (typed as given or guessed from the first record), existing ones keep
        // their type and may get a new label and notes.
        for (const spec of given) {
          const existing = fields.find((f) => f.id === spec.id);
          if (existing) {
            if (spec.type && spec.type !== existing.type)
              throw invalid(
                'fields',
                `"${spec.id}" is already of type ${existing.type}: a field's type cannot be changed here`,
              );
            if (spec.info) {
              existing.label = spec.info.label || undefined;
              existing.description = spec.info.notes || undefined;
            }
            resultFields.push({
              id: spec.id,
              type: spec.typeName ?? existing.type,
              ...(spec.info ? { info: spec.info } : {}),
            });
            continue;
          }
          let type = spec.type;
          let typeName = spec.typeName;
          if (!type) {
            if (!records.length || !Object.hasOwn(records[0]!, spec.id))
              throw invalid('fields', `"${spec.id}" type not guessable`);
            ({ type, name: typeName } = guessType(spec.id, records[0]![spec.id]));
          }
          const field: Field = {
            id: spec.id,
            column: freshColumn(spec.id, used),
            type,
            ...(spec.info?.label ? { label: spec.info.label } : {}),
            ...(spec.info?.notes ? { description: spec.info.notes } : {}),
          };
          added.push(field);
          resultFields.push({ id: spec.id, type: typeName!, ...(spec.info ? { info: spec.info } : {}) });
        }
        // As CKAN: keys of the first record that name no field become fields, their type guessed.
        for (const [id, value] of Object.entries(records[0] ?? {})) {
          if (given.some((s) => s.id === id) || fields.some((f) => f.id === id)) continue;
          if (
            !id ||
            id !== id.trim() ||
            id.startsWith('_') ||
            id.includes('"') ||
            [...id].length > 63 ||
            id.includes('\u0000')
          )
            throw invalid('records', `Record 0: "${id.slice(0, 100)}" is not a valid field name`);
          added.push({ id, column: freshColumn(id, used), type: guessType(id, value).type });
        }
        const dropped = deleteFields && specs ? fields.filter((f) => !given.some((s) => s.id === f.id)) : [];
        const finalFields = [...fields.filter((f) => !dropped.includes(f)), ...added];
        if (finalFields.length > MAX_TABLE_FIELDS)
          throw invalid(
            'fields',
            `A table has at most ${MAX_TABLE_FIELDS} fields (this one would have ${finalFields.length})`,
          );

        let table = locked.table;
        let rows = locked.rows;
        const created = !table;
        if (!table) {
          // Named as a loaded file's table is (sql-sandbox.ts, dropOrphanTables): job 0 is no job's.
          table = `r_${target.id.replaceAll('-', '')}_0`;
          await tx.execScript(`DROP TABLE IF EXISTS ${tableSql(table)} CASCADE;
            CREATE TABLE ${tableSql(table)} (${['"_id" bigint PRIMARY KEY', ...added.map((f) => `${columnSql(f)} ${SQL_TYPES[f.type]}`)].join(', ')})`);
          rows = 0;
        } else {
          for (const f of added)
            await tx.execScript(`ALTER TABLE ${tableSql(table)} ADD COLUMN ${columnSql(f)} ${SQL_TYPES[f.type]}`);
          for (const f of dropped)
            await tx.execScript(`ALTER TABLE ${tableSql(table)} DROP COLUMN ${columnSql(f)} CASCADE`);
        }
        // Each new field indexed for filters and sorting as a loaded file's is.
        for (const f of added) {
          if (finalFields.indexOf(f) >= MAX_INDEXED_COLUMNS) continue;
          await tx.execScript(
            `CREATE INDEX ${quoteIdentifier(fieldIndexName(table, f.column))} ON ${tableSql(table)} (${indexExpression(f)})`,
          );
        }
        let primaryKey = await primaryKeyOf(tx, table, finalFields);
        if (primaryKeyIds !== undefined) {
          const wanted = resolveFields(finalFields, primaryKeyIds, 'primary_key');
          if (JSON.stringify(wanted.map((f) => f.id)) !== JSON.stringify(primaryKey.map((f) => f.id))) {
            await tx.execScript(`DROP INDEX IF EXISTS datastore.${quoteIdentifier(`${table}_pk`)}`);
            if (wanted.length)
              await tx
                .execScript(
                  `CREATE UNIQUE INDEX ${quoteIdentifier(`${table}_pk`)} ON ${tableSql(table)} (${wanted.map(columnSql).join(', ')})`,
                )
                .catch((error) => refusedByDatabase(error, 'primary_key', 'The rows do not fit this primary key'));
            primaryKey = wanted;
          }
        }
        if (indexes !== undefined) {
          const old = await tx.query<{ name: string }>(
            `SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'datastore' AND tablename = $1 AND starts_with(indexname, $2)`,
            [table, `${table}_x`],
          );
          for (const { name } of old) await tx.execScript(`DROP INDEX datastore.${quoteIdentifier(name)}`);
          for (const [k, ids] of indexes.entries()) {
            const columns = resolveFields(finalFields, ids, 'indexes');
            await tx
              .execScript(
                `CREATE INDEX ${quoteIdentifier(`${table}_x${k}`)} ON ${tableSql(table)} (${columns.map(columnSql).join(', ')})`,
              )
              .catch((error) => refusedByDatabase(error, 'indexes', 'The index could not be made'));
          }
        }
        const inserted = await writeRecords(tx, table, finalFields, primaryKey, records, 'insert').catch((error) =>
          refusedByDatabase(error, 'records', 'The records could not be stored'),
        );
        rows += inserted;
        if (created || inserted) await analyzeIfGrown(tx, table, Math.max(inserted, 1), rows);
        await finish(
          tx,
          request,
          target,
          { table, fields: finalFields, rows, schemaChanged: added.length > 0 || dropped.length > 0 },
          'create',
          { table, fields: finalFields.length, inserted },
        );
        return {
          resource_id: target.id,
          fields: resultFields,
          ...(primaryKeyIds !== undefined ? { primary_key: primaryKey.map((f) => f.id) } : {}),
          ...(indexes !== undefined ? { indexes } : {}),
          method: 'insert',
          delete_fields: deleteFields,
          ...(newResource ? { resource: newResource } : {}),
        };
      });
      return result;
    },
  );

  registerCkanAction(
    app,
    'datastore_upsert',
    { help: WRITE_HELP.datastore_upsert, write: true, bodyLimit: WRITE_BODY_BYTES },
    async (p, request) => {
      const method = (text(p, 'method', 20) ?? 'upsert') as Method;
      if (!['upsert', 'insert', 'update'].includes(method))
        throw invalid('method', 'Value must be one of: upsert; insert; update');
      const records = recordsParam(p);
      const dryRun = bool(p, 'dry_run');
      const resource = await editableResource(p, request, 'datastore_upsert');
      const answer = {
        resource_id: resource.id,
        method,
        records: json(p, 'records') ?? [],
        ...(dryRun ? { dry_run: true } : {}),
      };
      try {
        await db.transaction(async (tx) => {
          const locked = await lockExistingTable(tx, resource.id);
          const primaryKey = await primaryKeyOf(tx, locked.table, locked.fields);
          const inserted = await writeRecords(tx, locked.table, locked.fields, primaryKey, records, method).catch(
            (error) => refusedByDatabase(error, 'records', 'The records could not be stored'),
          );
          // Everything was checked and written: a dry run stops here and rolls back.
          if (dryRun) throw new DryRun(answer);
          const rows = locked.rows + inserted;
          await analyzeIfGrown(tx, locked.table, inserted, rows);
          await finishRows(tx, request, resource, { ...locked, rows }, 'upsert', {
            method,
            records: records.length,
            inserted,
          });
        });
      } catch (error) {
        if (error instanceof DryRun) return error.result;
        throw error;
      }
      return answer;
    },
  );

  async function deleteAction(
    p: Params,
    request: FastifyRequest,
    action: 'datastore_delete' | 'datastore_records_delete',
  ) {
    const filters = filtersParam(p);
    if (action === 'datastore_records_delete' && filters === undefined) throw missing('filters');
    const resource = await editableResource(p, request, action);
    return db.transaction(async (tx) => {
      const locked = await lockExistingTable(tx, resource.id);
      if (filters === undefined) {
        // The whole table goes (and its SQL view with it); the resource stays.
        await tx.execScript(`DROP TABLE IF EXISTS ${tableSql(locked.table)} CASCADE`);
        await finish(tx, request, resource, { table: null, fields: null, rows: null, schemaChanged: true }, 'drop', {
          table: locked.table,
          rows: locked.rows,
        });
        return { resource_id: resource.id };
      }
      const params: unknown[] = [];
      const where = filterSql(locked.fields, filters, params);
      const [deleted] = await tx.query<{ n: number }>(
        `WITH gone AS (DELETE FROM ${tableSql(locked.table)} ${where} RETURNING 1) SELECT count(*)::int AS n FROM gone`,
        params,
        { prepare: false },
      );
      const rows = locked.rows - deleted!.n;
      await finishRows(tx, request, resource, { ...locked, rows }, 'delete', { filters, deleted: deleted!.n });
      return { resource_id: resource.id, filters };
    });
  }

  registerCkanAction(app, 'datastore_delete', { help: WRITE_HELP.datastore_delete, write: true }, (p, request) =>
    deleteAction(p, request, 'datastore_delete'),
  );
  registerCkanAction(
    app,
    'datastore_records_delete',
    { help: WRITE_HELP.datastore_records_delete, write: true },
    (p, request) => deleteAction(p, request, 'datastore_records_delete'),
  );
}

export const datastoreWriteModule = fp(routes, { name: 'datastore-write', dependencies: ['datastore'] });
