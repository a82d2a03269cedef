// Splitting delimited text into records, fed in chunks as the file streams in. Written here
// rather than taken from a library because the loader needs, all at once: the physical line
// each record starts on (for the report), every line ending in one file (\n, \r\n and \r mixed,
// as files edited on several systems are), quotes taken literally inside unquoted cells
// (=HYPERLINK("…")), a cap on a record's size so that a quote never closed cannot fill the
// memory, and speed: it reads about three times as fast as the general-purpose parser it
// replaced, which was half of the loader's first pass.

export interface CsvRecord {
  cells: string[];
  /** The physical line (from 1) the record starts on. */
  line: number;
}

export class CsvError extends Error {
  readonly kind: 'unclosed-quote' | 'record-too-long';
  readonly line: number;
  constructor(kind: CsvError['kind'], line: number, message: string) {
    super(message);
    this.kind = kind;
    this.line = line;
  }
}

const QUOTE = 34; // "
const LF = 10;
const CR = 13;

/**
 * Feed `push` the text in pieces of any size, then call `end`; each returns the records it
 * completed. A cell that starts with a quote runs to the matching quote ("" inside is one quote);
 * anything after the closing quote up to the delimiter is kept as written. A record is held back
 * until its line ending arrives, so one that spans pieces comes out whole.
 */
export class CsvTokenizer {
  private readonly delimiter: number;
  private readonly maxRecordChars: number;
  private buffer = '';
  private line = 1;
  /** Below this buffer length the held-back record is not scanned again (keeps long records linear). */
  private rescanAt = 0;

  constructor(delimiter: string, maxRecordChars: number) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r')
      throw new Error(`unusable delimiter ${JSON.stringify(delimiter)}`);
    this.delimiter = delimiter.charCodeAt(0);
    this.maxRecordChars = maxRecordChars;
  }

  push(text: string): CsvRecord[] {
    this.buffer += text;
    if (this.buffer.length < this.rescanAt && this.buffer.length <= this.maxRecordChars) return [];
    return this.scan(false);
  }

  end(): CsvRecord[] {
    return this.scan(true);
  }

  private scan(final: boolean): CsvRecord[] {
    const text = this.buffer;
    const length = text.length;
    const delimiter = this.delimiter;
    const records: CsvRecord[] = [];
    let position = 0;
    let line = this.line;
    // One record per turn; `break outer` leaves an incomplete record (from `position`) in the buffer.
    outer: while (position < length) {
      const cells: string[] = [];
      const startLine = line;
      let at = position;
      for (;;) {
        // One cell per turn, starting at `at`.
        let cell: string;
        if (at < length && text.charCodeAt(at) === QUOTE) {
          let close = at + 1;
          let escaped = false;
          for (;;) {
            close = text.indexOf('"', close);
            if (close === -1) {
              // The closing quote has not arrived yet. (One at the very end, which may be the
              // first of "", is settled below: the cell then ends the text and waits for more.)
              if (!final) {
                line = startLine;
                break outer;
              }
              throw new CsvError('unclosed-quote', line, `A quoted cell is never closed (it opens on line ${line}).`);
            }
            if (text.charCodeAt(close + 1) !== QUOTE) break;
            escaped = true;
            close += 2;
          }
          cell = text.slice(at + 1, close);
          if (escaped) cell = cell.replaceAll('""', '"');
          line += countLineEnds(cell);
          at = close + 1;
          // Text after the closing quote, up to the delimiter, is kept as written.
          const rest = at;
          at = cellEnd(text, at, delimiter);
          if (at > rest) cell += text.slice(rest, at);
        } else {
          const from = at;
          at = cellEnd(text, at, delimiter);
          cell = text.slice(from, at);
        }
        // A line ending: \r\n, \n or \r. A \r at the very end may be the first half of \r\n.
        if (!final && (at === length || (at + 1 === length && text.charCodeAt(at) === CR))) {
          line = startLine;
          break outer;
        }
        cells.push(cell);
        if (at === length) break;
        const code = text.charCodeAt(at);
        at++;
        if (code === delimiter) {
          if (at === length) {
            if (!final) {
              line = startLine;
              break outer;
            }
            cells.push(''); // a delimiter at the very end of the text leaves an empty last cell
            break;
          }
          continue;
        }
        if (code === CR && text.charCodeAt(at) === LF) at++;
        line++;
        break;
      }
      records.push({ cells, line: startLine });
      position = at;
    }
    this.buffer = text.slice(position);
    this.line = line;
    this.rescanAt = this.buffer.length * 2;
    if (!final && this.buffer.length > this.maxRecordChars) {
      throw new CsvError(
        'record-too-long',
        line,
        `The record starting on line ${line} is longer than ${Math.round(this.maxRecordChars / 1024 / 1024)} million characters; probably a quote is never closed.`,
      );
    }
    return records;
  }
}

/** Where the unquoted part of a cell ends: at the delimiter, a line ending or the end of the text. */
function cellEnd(text: string, at: number, delimiter: number): number {
  const length = text.length;
  while (at < length) {
    const code = text.charCodeAt(at);
    if (code === delimiter || code === LF || code === CR) return at;
    at++;
  }
  return at;
}

/** Line endings inside a quoted cell, \r\n counted once. */
function countLineEnds(text: string): number {
  if (text.indexOf('\n') === -1 && text.indexOf('\r') === -1) return 0;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === LF || (code === CR && text.charCodeAt(i + 1) !== LF)) count++;
  }
  return count;
}
