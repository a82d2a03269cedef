// The kinds of file the DataStore loads, each turned into the same stream of records (a header
// record, then data records) that ingestTable reads: delimited text, XLSX workbooks, JSON and
// GeoJSON documents.
import fs from 'node:fs';
import { csvSource, failed, type IngestOptions, type TableSource } from './ingest.ts';
import type { CsvRecord } from './csv.ts';
import { openXlsxSheet, XlsxError } from './xlsx.ts';

/** Formats whose rows go into the DataStore. */
export const TABULAR_FORMATS = ['CSV', 'TSV', 'TXT', 'XLSX', 'JSON', 'GEOJSON'];

/** JSON is parsed whole, so its size is bounded; CSV and XLSX stream and have no such limit. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

export async function openSource(path: string, format: string, options: IngestOptions): Promise<TableSource> {
  if (format === 'XLSX') return xlsxSource(path);
  if (format === 'JSON' || format === 'GEOJSON') return jsonSource(path);
  return csvSource(path, options);
}

async function xlsxSource(path: string): Promise<TableSource> {
  const sheet = await openXlsxSheet(path).catch((error: unknown) => {
    throw error instanceof XlsxError ? failed(error.code, error.params) : error;
  });
  async function* records() {
    try {
      for await (const { cells, row } of sheet.rows()) yield { cells, line: row };
    } catch (error) {
      throw error instanceof XlsxError ? failed(error.code, error.params) : error;
    }
  }
  return { encoding: null, delimiter: null, records: () => batched(records()), rereadable: false, close: sheet.close };
}

const BATCH = 1000;

/** Records in batches, as the loader reads them (one promise per batch rather than per record). */
async function* batched(records: AsyncIterable<CsvRecord> | Iterable<CsvRecord>): AsyncGenerator<CsvRecord[]> {
  let batch: CsvRecord[] = [];
  for await (const record of records) {
    batch.push(record);
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  yield batch;
}

/** A JSON value as the text of a cell: nested objects and arrays stay JSON. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

interface GeoJsonFeature {
  type: 'Feature';
  properties?: Record<string, unknown> | null;
  geometry?: { type?: string } | null;
}

/**
 * The records of a JSON document: an array of objects (columns are all their keys, in the order
 * first seen), an array of arrays whose first is the header, an object holding one such array
 * (`{"data": [...]}`), or a GeoJSON FeatureCollection (its properties, plus the geometry's type
 * and the geometry itself as GeoJSON text).
 */
async function jsonSource(path: string): Promise<TableSource> {
  const { size } = await fs.promises.stat(path);
  if (size === 0) throw failed('empty');
  if (size > MAX_JSON_BYTES) {
    throw failed('json-too-large', { size: Math.round(size / 1024 / 1024), max: MAX_JSON_BYTES / 1024 / 1024 });
  }
  let document: unknown;
  try {
    document = JSON.parse((await fs.promises.readFile(path, 'utf8')).replace(/^\ufeff/, ''));
  } catch (error) {
    throw failed('json-invalid', { detail: (error as Error).message });
  }
  let items: unknown[];
  let geo = false;
  if (document && typeof document === 'object' && (document as { type?: unknown }).type === 'FeatureCollection') {
    const features = (document as { features?: unknown }).features;
    if (!Array.isArray(features)) throw failed('geojson-no-features');
    geo = true;
    items = features.map((feature: GeoJsonFeature) => ({
      ...(feature && typeof feature.properties === 'object' ? feature.properties : {}),
      geometry_type: feature?.geometry?.type ?? null,
      geometry: feature?.geometry ?? null,
    }));
  } else if (Array.isArray(document)) {
    items = document;
  } else if (document && typeof document === 'object') {
    const arrays = Object.entries(document).filter(([, value]) => Array.isArray(value));
    if (arrays.length !== 1) {
      throw failed('json-object');
    }
    items = arrays[0]![1] as unknown[];
  } else {
    throw failed('json-single-value');
  }
  if (items.length === 0) throw failed('json-no-records');

  let header: string[];
  let rows: () => Iterable<string[]>;
  if (items.every(Array.isArray)) {
    header = (items[0] as unknown[]).map(cellText);
    rows = function* () {
      for (const item of items.slice(1) as unknown[][]) yield item.map(cellText);
    };
  } else {
    const bad = items.findIndex((item) => !item || typeof item !== 'object' || Array.isArray(item));
    if (bad >= 0) throw failed('json-record-not-object', { record: bad + 1 });
    const keys = new Set<string>();
    for (const item of items) for (const key of Object.keys(item as object)) keys.add(key);
    if (geo)
      for (const key of ['geometry_type', 'geometry']) {
        keys.delete(key);
        keys.add(key);
      } // always last
    header = [...keys.keys()];
    rows = function* () {
      for (const item of items as Record<string, unknown>[]) yield header.map((key) => cellText(item[key]));
    };
  }
  return {
    encoding: 'utf-8',
    delimiter: null,
    rereadable: true,
    records: () =>
      batched(
        (function* () {
          yield { cells: header, line: 0 };
          let line = 0;
          for (const cells of rows()) yield { cells, line: ++line };
        })(),
      ),
  };
}
