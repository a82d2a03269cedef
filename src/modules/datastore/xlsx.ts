// Reading the first sheet of an XLSX workbook as rows of text, and writing rows as one. A
// workbook is a zip of XML parts: yauzl reads the zip from disk entry by entry (it checks that
// each entry inflates to exactly its declared size), saxes parses the XML as it streams, and
// fflate zips the export as it is written, so neither direction holds the sheet in memory.
import { promisify } from 'node:util';
import { StringDecoder } from 'node:string_decoder';
import yauzl from 'yauzl';
import { SaxesParser } from 'saxes';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { Params } from '../../platform/i18n/locales.ts';
import { failureMessage, type FailureCode } from './ingest.ts';

/** Why a workbook cannot be read, with the parameters its description takes (see datastore.failure in the locales). */
export class XlsxError extends Error {
  readonly code: FailureCode;
  readonly params: Params;
  constructor(code: FailureCode, params: Params = {}) {
    super(failureMessage(code, params));
    this.code = code;
    this.params = params;
  }
}

/** Above these an XLSX is taken for a zip bomb: a few kilobytes that would inflate to gigabytes. */
export const XLSX_LIMITS = {
  entries: 10_000,
  /** Inflated size of any one part. */
  partBytes: 4 * 1024 ** 3,
  /** Inflated/compressed ratio allowed for a part larger than `ratioFloorBytes`. */
  ratio: 200,
  ratioFloorBytes: 16 * 1024 ** 2,
  /** Shared strings are held in memory while the sheet is read. */
  sharedStringsBytes: 512 * 1024 ** 2,
};

const openZip = promisify(yauzl.open) as (path: string, options: yauzl.Options) => Promise<yauzl.ZipFile>;

interface Workbook {
  zip: yauzl.ZipFile;
  entries: Map<string, yauzl.Entry>;
}

async function openWorkbook(path: string): Promise<Workbook> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path, {
      lazyEntries: true,
      autoClose: false,
      validateEntrySizes: true,
      strictFileNames: false,
    });
  } catch (error) {
    throw new XlsxError('xlsx-unreadable', { detail: (error as Error).message });
  }
  const entries = new Map<string, yauzl.Entry>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entries.size >= XLSX_LIMITS.entries)
        return reject(new XlsxError('xlsx-too-many-parts', { max: XLSX_LIMITS.entries }));
      const inflated = entry.uncompressedSize;
      if (
        inflated > XLSX_LIMITS.partBytes ||
        (inflated > XLSX_LIMITS.ratioFloorBytes && inflated > XLSX_LIMITS.ratio * Math.max(1, entry.compressedSize))
      ) {
        return reject(
          new XlsxError('xlsx-zip-bomb', { part: entry.fileName, from: entry.compressedSize, to: inflated }),
        );
      }
      entries.set(entry.fileName, entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', (error: Error) => reject(new XlsxError('xlsx-unreadable', { detail: error.message })));
    zip.readEntry();
  }).catch((error) => {
    zip.close();
    throw error;
  });
  return { zip, entries };
}

/** Streams one XML part through a SAX parser; `handlers` are called as elements come. */
async function* parsePart<T>(
  workbook: Workbook,
  name: string,
  setup: (parser: SaxesParser, emit: (item: T) => void) => void,
): AsyncGenerator<T> {
  const entry = workbook.entries.get(name);
  if (!entry) return;
  const stream = (await promisify(workbook.zip.openReadStream.bind(workbook.zip))(entry)) as NodeJS.ReadableStream;
  const parser = new SaxesParser();
  const queue: T[] = [];
  setup(parser, (item) => queue.push(item));
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of stream) {
      parser.write(decoder.write(chunk as Buffer));
      yield* queue.splice(0);
    }
    parser.write(decoder.end());
    parser.close();
    yield* queue.splice(0);
  } catch (error) {
    if (error instanceof XlsxError) throw error;
    throw new XlsxError('xlsx-part-unreadable', { part: name, detail: (error as Error).message });
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/** The path of the workbook's first sheet, as its relationships name it. */
async function firstSheetPath(workbook: Workbook): Promise<{ path: string; sheets: number; date1904: boolean }> {
  const sheetIds: string[] = [];
  let date1904 = false;
  await collect(
    parsePart<never>(workbook, 'xl/workbook.xml', (parser) => {
      parser.on('opentag', (tag) => {
        if (localName(tag.name) === 'sheet') sheetIds.push(String(tag.attributes['r:id'] ?? ''));
        if (localName(tag.name) === 'workbookPr')
          date1904 = ['1', 'true'].includes(String(tag.attributes['date1904'] ?? ''));
      });
    }),
  );
  const targets = new Map<string, string>();
  await collect(
    parsePart<never>(workbook, 'xl/_rels/workbook.xml.rels', (parser) => {
      parser.on('opentag', (tag) => {
        if (localName(tag.name) === 'Relationship')
          targets.set(String(tag.attributes['Id']), String(tag.attributes['Target']));
      });
    }),
  );
  const target = targets.get(sheetIds[0] ?? '');
  const path = target ? (target.startsWith('/') ? target.slice(1) : `xl/${target}`) : 'xl/worksheets/sheet1.xml';
  if (!workbook.entries.has(path)) throw new XlsxError('xlsx-no-worksheet');
  return { path, sheets: sheetIds.length, date1904 };
}

async function sharedStrings(workbook: Workbook): Promise<string[]> {
  const entry = workbook.entries.get('xl/sharedStrings.xml');
  if (entry && entry.uncompressedSize > XLSX_LIMITS.sharedStringsBytes) {
    throw new XlsxError('xlsx-shared-strings', { size: entry.uncompressedSize, max: XLSX_LIMITS.sharedStringsBytes });
  }
  return collect(
    parsePart<string>(workbook, 'xl/sharedStrings.xml', (parser, emit) => {
      let text = '';
      let inText = false;
      let inPhonetic = false;
      parser.on('opentag', (tag) => {
        const name = localName(tag.name);
        if (name === 'si') text = '';
        else if (name === 'rPh') inPhonetic = true;
        else if (name === 't' && !inPhonetic) inText = true;
      });
      parser.on('text', (t) => {
        if (inText) text += t;
      });
      parser.on('closetag', (tag) => {
        const name = localName(tag.name);
        if (name === 't') inText = false;
        else if (name === 'rPh') inPhonetic = false;
        else if (name === 'si') emit(text);
      });
    }),
  );
}

// Built-in number formats that show a date (14–17, 22 with a time; 18–21, 45–47 time only).
const DATE_FORMATS = new Set([14, 15, 16, 17, 22, 27, 30, 36, 50, 57]);
const TIME_FORMATS = new Set([18, 19, 20, 21, 45, 46, 47]);

/** For each cell style (the `s` attribute), whether it shows a date, a date and time, or neither. */
async function cellStyles(workbook: Workbook): Promise<('date' | 'datetime' | null)[]> {
  const custom = new Map<number, string>();
  const styles: ('date' | 'datetime' | null)[] = [];
  let inCellXfs = false;
  const formatIds: number[] = [];
  await collect(
    parsePart<never>(workbook, 'xl/styles.xml', (parser) => {
      parser.on('opentag', (tag) => {
        const name = localName(tag.name);
        if (name === 'numFmt')
          custom.set(Number(tag.attributes['numFmtId']), String(tag.attributes['formatCode'] ?? ''));
        else if (name === 'cellXfs') inCellXfs = true;
        else if (name === 'xf' && inCellXfs) formatIds.push(Number(tag.attributes['numFmtId'] ?? 0));
      });
      parser.on('closetag', (tag) => {
        if (localName(tag.name) === 'cellXfs') inCellXfs = false;
      });
    }),
  );
  for (const id of formatIds) {
    const code = custom.get(id);
    if (code !== undefined) {
      // Drop quoted text, escapes and colours, then look for date and time tokens.
      const bare = code.replace(/"[^"]*"|\\.|\[[^\]]*\]/g, '').toLowerCase();
      const hasTime = /[hs]/.test(bare);
      const hasDate = /[dy]/.test(bare) || (/m/.test(bare) && !hasTime);
      styles.push(hasDate ? (hasTime ? 'datetime' : 'date') : hasTime ? 'datetime' : null);
    } else {
      styles.push(DATE_FORMATS.has(id) ? (id === 22 ? 'datetime' : 'date') : TIME_FORMATS.has(id) ? 'datetime' : null);
    }
  }
  return styles;
}

const DAY_MS = 86_400_000;

/** An Excel serial day number as an ISO date or date-time. */
export function serialToIso(serial: number, kind: 'date' | 'datetime', date1904 = false): string {
  // Day 0 is 1899-12-30 in the 1900 system, because Excel counts a 29 February 1900 that never was.
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : serial < 60 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
  const iso = new Date(epoch + Math.round((serial * DAY_MS) / 1000) * 1000).toISOString();
  return kind === 'date' ? iso.slice(0, 10) : iso.slice(0, 19);
}

/** A number as Excel stores it ("1.2E-7"), as a plain decimal the value readers take. */
function plainNumber(text: string): string {
  if (!/[eE]/.test(text)) return text;
  const value = Number(text);
  return Number.isFinite(value)
    ? value.toLocaleString('en-US', { useGrouping: false, maximumSignificantDigits: 17 })
    : text;
}

/** Column letters of a cell reference ("AB12") as a zero-based index. */
function columnIndex(reference: string): number {
  let index = 0;
  for (const char of reference) {
    const code = char.charCodeAt(0);
    if (code < 65 || code > 90) break;
    index = index * 26 + (code - 64);
  }
  return index - 1;
}

export interface SheetRow {
  cells: string[];
  /** The row's number in the spreadsheet. */
  row: number;
}

export interface XlsxSheet {
  sheets: number;
  rows: () => AsyncGenerator<SheetRow>;
  close: () => void;
}

export const MAX_SHEET_COLUMNS = 16_384; // Excel's own limit (XFD)

/**
 * Opens the workbook and prepares its first sheet; `rows()` may be called more than once, each
 * call streaming the sheet afresh. Rows absent from the sheet come out empty, so row numbers stay
 * those the spreadsheet shows.
 */
export async function openXlsxSheet(path: string): Promise<XlsxSheet> {
  const workbook = await openWorkbook(path);
  try {
    const sheet = await firstSheetPath(workbook);
    const strings = await sharedStrings(workbook);
    const styles = await cellStyles(workbook);
    async function* rows(): AsyncGenerator<SheetRow> {
      let lastRow = 0;
      for await (const row of parsePart<SheetRow>(workbook, sheet.path, (parser, emit) => {
        let cells: string[] = [];
        let rowNumber = 0;
        let column = 0;
        let cellType = 'n';
        let style: 'date' | 'datetime' | null = null;
        let value = '';
        let inValue = false;
        parser.on('opentag', (tag) => {
          switch (localName(tag.name)) {
            case 'row':
              rowNumber = tag.attributes['r'] ? Number(tag.attributes['r']) : rowNumber + 1;
              cells = [];
              column = 0;
              break;
            case 'c': {
              const reference = String(tag.attributes['r'] ?? '');
              column = reference ? columnIndex(reference) : column;
              if (column < 0 || column >= MAX_SHEET_COLUMNS)
                throw new XlsxError('xlsx-cell-outside', { cell: reference });
              cellType = String(tag.attributes['t'] ?? 'n');
              style = styles[Number(tag.attributes['s'] ?? 0)] ?? null;
              value = '';
              break;
            }
            case 'v':
            case 't':
              inValue = true;
              break;
          }
        });
        parser.on('text', (text) => {
          if (inValue) value += text;
        });
        parser.on('closetag', (tag) => {
          switch (localName(tag.name)) {
            case 'v':
            case 't':
              inValue = false;
              break;
            case 'c': {
              let text = value;
              if (cellType === 's') text = strings[Number(value)] ?? '';
              else if (cellType === 'b') text = value === '1' ? 'true' : 'false';
              else if (cellType === 'n' && value !== '') {
                text =
                  style && Number.isFinite(Number(value))
                    ? serialToIso(Number(value), style, sheet.date1904)
                    : plainNumber(value);
              }
              while (cells.length < column) cells.push('');
              cells[column] = text;
              column++;
              break;
            }
            case 'row':
              emit({ cells, row: rowNumber });
              break;
          }
        });
      })) {
        while (++lastRow < row.row) yield { cells: [], row: lastRow };
        lastRow = row.row;
        yield row;
      }
    }
    return { sheets: sheet.sheets, rows, close: () => workbook.zip.close() };
  } catch (error) {
    workbook.zip.close();
    throw error;
  }
}

// ---- Writing ----

const escapeXml = (text: string) =>
  text
    .replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!)
    // Characters XML 1.0 cannot carry at all.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');

function columnLetters(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

export type XlsxCellType = 'integer' | 'number' | 'boolean' | 'date' | 'datetime' | 'text';

function dateToSerial(iso: string): number | undefined {
  const time = Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : `${iso.replace(' ', 'T').replace(/Z?$/, 'Z')}`);
  return Number.isFinite(time) ? (time - Date.UTC(1899, 11, 30)) / DAY_MS : undefined;
}

const STATIC_PARTS: Record<string, string> = {
  '[Content_Types].xml':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
  '_rels/.rels':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
  'xl/_rels/workbook.xml.rels':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
  // Style 0: general; 1: a header in bold; 2: date (yyyy-mm-dd); 3: date and time.
  'xl/styles.xml':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/><numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>',
};

/**
 * Writes `rows` as a one-sheet workbook, chunk by chunk, to `write`. Text goes in as inline
 * strings, which a spreadsheet never evaluates; `neutralise` is applied to it all the same, so
 * that a sheet saved again as CSV stays safe.
 */
export async function writeXlsx(
  sheetName: string,
  header: string[],
  types: XlsxCellType[],
  rows: AsyncIterable<unknown[]>,
  neutralise: (text: string) => string,
  write: (chunk: Uint8Array) => void,
): Promise<void> {
  let failure: Error | null = null;
  const zip = new Zip((error, chunk) => {
    if (error) failure = error;
    else write(chunk);
  });
  for (const [name, content] of Object.entries(STATIC_PARTS)) {
    const part = new ZipDeflate(name, { level: 6 });
    zip.add(part);
    part.push(new TextEncoder().encode(content), true);
  }
  const workbookPart = new ZipPassThrough('xl/workbook.xml');
  zip.add(workbookPart);
  workbookPart.push(
    new TextEncoder().encode(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${escapeXml(sheetName.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31) || 'Sheet1')}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    true,
  );
  const sheet = new ZipDeflate('xl/worksheets/sheet1.xml', { level: 6 });
  zip.add(sheet);
  const encoder = new TextEncoder();
  let buffer =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>';
  const letters = header.map((_, i) => columnLetters(i));
  const textCell = (ref: string, text: string, style = '') =>
    `<c r="${ref}"${style} t="inlineStr"><is><t xml:space="preserve">${escapeXml(neutralise(text))}</t></is></c>`;
  buffer += `<row r="1">${header.map((name, i) => textCell(`${letters[i]}1`, name, ' s="1"')).join('')}</row>`;
  let rowNumber = 1;
  for await (const values of rows) {
    rowNumber++;
    let xml = `<row r="${rowNumber}">`;
    values.forEach((value, i) => {
      if (value === null || value === undefined) return;
      const ref = `${letters[i]}${rowNumber}`;
      const type = types[i];
      if ((type === 'integer' || type === 'number') && Number.isFinite(Number(value)))
        xml += `<c r="${ref}"><v>${String(value)}</v></c>`;
      else if (type === 'boolean' && typeof value === 'boolean')
        xml += `<c r="${ref}" t="b"><v>${value ? 1 : 0}</v></c>`;
      else {
        const serial =
          type === 'date' || type === 'datetime'
            ? dateToSerial(value instanceof Date ? value.toISOString() : String(value))
            : undefined;
        xml +=
          serial !== undefined
            ? `<c r="${ref}" s="${type === 'date' ? 2 : 3}"><v>${serial}</v></c>`
            : textCell(ref, String(value));
      }
    });
    buffer += `${xml}</row>`;
    if (buffer.length > 256 * 1024) {
      sheet.push(encoder.encode(buffer));
      buffer = '';
    }
    if (failure) throw failure;
  }
  sheet.push(encoder.encode(`${buffer}</sheetData></worksheet>`), true);
  zip.end();
  if (failure) throw failure;
}
