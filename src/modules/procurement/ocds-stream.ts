// Reads OCDS files of any size without holding them in memory: release packages and record
// packages as one JSON document, or JSON Lines of releases, records or packages. Only one release
// or record is in memory at a time: the scanner below finds where each element of the package's
// `releases` / `records` array begins and ends (tracking strings and nesting), and JSON.parse
// reads that element alone. Every value comes with its place in the file, for error reports.
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Bad input, with the place it was found (a line, a JSON pointer, a byte offset). */
export class OcdsInputError extends Error {
  readonly where: string;
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.where = where;
    this.reason = message;
  }
  readonly reason: string;
}

export interface OcdsElement {
  kind: 'release' | 'record';
  value: Record<string, unknown>;
  /** Where it was: "line 3" or "/releases/17"; with a line, "line 3, /releases/0" for a package on one line. */
  where: string;
}

const CHUNK = 1 << 20;

/**
 * The longest line of JSON Lines, or element of a package's releases/records, read into memory
 * (in characters: about 50 MB of text). Prozorro's largest compiled releases are a few MB; a longer
 * one is refused rather than letting one upload exhaust the server's memory.
 */
export const MAX_ELEMENT_CHARS = 50 * 1024 * 1024;

const tooLong = (where: string, maxChars: number) =>
  new OcdsInputError(
    where,
    `longer than ${maxChars.toLocaleString('en')} characters, the most one release, record or line may have`,
  );

/** Whether the file is JSON Lines: by its name, else by whether its first line is a whole JSON value followed by more. */
export async function isJsonLines(file: string, name: string): Promise<boolean> {
  if (/\.(jsonl|ndjson)$/i.test(name)) return true;
  if (/\.json$/i.test(name)) return false;
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.alloc(CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, CHUNK, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    const newline = text.indexOf('\n');
    if (newline < 0) return false;
    try {
      JSON.parse(text.slice(0, newline));
      return text.slice(newline).trim().length > 0;
    } catch {
      return false;
    }
  } finally {
    await handle.close();
  }
}

/** The elements of one parsed JSON value found on a line: a release, a record, or a package of either. */
function* elementsOf(value: unknown, where: string): Generator<OcdsElement> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new OcdsInputError(where, 'not OCDS: expected a JSON object (a release, a record or a package)');
  const object = value as Record<string, unknown>;
  if (Array.isArray(object.releases) && !('ocid' in object)) {
    for (let i = 0; i < object.releases.length; i++)
      yield {
        kind: 'release',
        value: asObject(object.releases[i], `${where}, /releases/${i}`),
        where: `${where}, /releases/${i}`,
      };
  } else if (Array.isArray(object.records)) {
    for (let i = 0; i < object.records.length; i++)
      yield {
        kind: 'record',
        value: asObject(object.records[i], `${where}, /records/${i}`),
        where: `${where}, /records/${i}`,
      };
  } else if ('compiledRelease' in object || (Array.isArray(object.releases) && 'ocid' in object)) {
    yield { kind: 'record', value: object, where };
  } else if ('ocid' in object || 'tag' in object || 'tender' in object) {
    yield { kind: 'release', value: object, where };
  } else {
    throw new OcdsInputError(
      where,
      'not OCDS: neither a release, a record, nor a package with "releases" or "records"',
    );
  }
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new OcdsInputError(where, 'expected a JSON object');
  return value as Record<string, unknown>;
}

/** Lines of a file, decoded as UTF-8, one at a time. */
async function* lines(file: string, maxChars: number): AsyncGenerator<{ line: string; number: number }> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let number = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK })) {
    rest += decoder.write(chunk as Buffer);
    let start = 0;
    for (let newline = rest.indexOf('\n'); newline >= 0; newline = rest.indexOf('\n', start)) {
      number++;
      if (newline - start > maxChars) throw tooLong(`line ${number}`, maxChars);
      yield { line: rest.slice(start, newline), number };
      start = newline + 1;
    }
    rest = rest.slice(start);
    if (rest.length > maxChars) throw tooLong(`line ${number + 1}`, maxChars);
  }
  rest += decoder.end();
  if (rest.length) yield { line: rest, number: number + 1 };
}

export async function* readJsonLines(file: string, maxChars = MAX_ELEMENT_CHARS): AsyncGenerator<OcdsElement> {
  for await (const { line, number } of lines(file, maxChars)) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new OcdsInputError(`line ${number}`, `not valid JSON (${(error as Error).message}); a truncated line?`);
    }
    yield* elementsOf(value, `line ${number}`);
  }
}

/**
 * A package as one JSON document: its top-level object is scanned key by key; the elements of
 * `releases` or `records` are cut out one at a time and parsed alone. Other top-level values
 * (uri, publisher, version…) are skipped. Throws with the byte offset on a truncated file.
 */
export async function* readJsonPackage(file: string, maxChars = MAX_ELEMENT_CHARS): AsyncGenerator<OcdsElement> {
  const decoder = new StringDecoder('utf8');
  // Scanner state: where we are in the top-level object.
  type State = 'start' | 'key' | 'colon' | 'value' | 'comma' | 'done';
  let state: State = 'start';
  let key = '';
  let arrayKey: 'releases' | 'records' | null = null;
  let inArray = false; // inside the releases/records array, between elements
  let depth = 0; // nesting inside the value being skipped or cut out
  let inString = false;
  let stringIsValue = false;
  let escaped = false;
  let element = ''; // the text of the element being cut out
  let keyText = '';
  let collecting = false; // collecting an element (true) or skipping a value (false)
  let index = 0;
  let offset = 0; // characters read so far, for error places
  let sawArray = false;
  const fail = (at: number, message: string) => new OcdsInputError(`character ${at}`, message);

  for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK })) {
    const text = decoder.write(chunk as Buffer);
    let i = 0;
    const n = text.length;
    const found: OcdsElement[] = [];
    let elementStart = collecting ? 0 : -1;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (key === '\u0000partial') {
        // A top-level key split across two chunks.
        const end = text.indexOf('"', i);
        if (end < 0) {
          keyText += text.slice(i);
          if (keyText.length > maxChars) throw fail(offset + i, 'a property name without end');
          i = n;
          continue;
        }
        key = keyText + text.slice(i, end);
        i = end + 1;
        continue;
      }
      if (inString) {
        // Inside a string (of a nested value, or a top-level string value): find its closing quote.
        if (escaped) {
          escaped = false;
          i++;
          continue;
        }
        for (; i < n; i++) {
          const ch = text.charCodeAt(i);
          if (ch === 92) {
            if (i + 1 >= n) escaped = true;
            i++;
          } else if (ch === 34) break;
        }
        if (i >= n) continue;
        inString = false;
        i++;
        if (stringIsValue) {
          stringIsValue = false;
          depth = 0;
          state = 'comma';
        }
        continue;
      }
      if (depth > 0) {
        // Inside a nested value: only strings and brackets matter.
        if (c === 34) inString = true;
        else if (c === 123 || c === 91) depth++;
        else if (c === 125 || c === 93) {
          depth--;
          if (depth === 0) {
            if (collecting) {
              element += text.slice(elementStart, i + 1);
              const where = `/${arrayKey}/${index}`;
              if (element.length > maxChars) throw tooLong(where, maxChars);
              let value: unknown;
              try {
                value = JSON.parse(element);
              } catch (error) {
                throw new OcdsInputError(where, `not valid JSON (${(error as Error).message})`);
              }
              found.push({
                kind: arrayKey === 'releases' ? 'release' : 'record',
                value: asObject(value, where),
                where,
              });
              index++;
              element = '';
              collecting = false;
              elementStart = -1;
            }
            state = 'comma';
          }
        }
        i++;
        continue;
      }
      // Outside any nested value: whitespace is skipped everywhere.
      if (c === 32 || c === 10 || c === 13 || c === 9) {
        i++;
        continue;
      }
      if (state === 'start') {
        if (c === 0xfeff) {
          i++;
          continue;
        }
        if (c !== 123) throw fail(offset + i, 'not OCDS: a package must be a JSON object');
        state = 'key';
        i++;
      } else if (state === 'key') {
        if (c === 125 && !inArray) {
          state = 'done';
          i++;
          continue;
        }
        if (inArray) {
          // An element of releases/records, or the array's end.
          if (c === 93) {
            inArray = false;
            arrayKey = null;
            state = 'comma';
            i++;
            continue;
          }
          if (c !== 123) throw new OcdsInputError(`/${arrayKey}/${index}`, 'expected a JSON object');
          collecting = true;
          elementStart = i;
          element = '';
          depth = 1;
          i++;
          continue;
        }
        if (c !== 34) throw fail(offset + i, 'expected a property name');
        // Read the key (short: keys of a package's top level).
        const end = text.indexOf('"', i + 1);
        if (end < 0) {
          keyText = text.slice(i + 1);
          i = n;
          state = 'colon';
          key = '\u0000partial';
          continue;
        }
        key = text.slice(i + 1, end);
        i = end + 1;
        state = 'colon';
      } else if (state === 'colon') {
        if (c !== 58) throw fail(offset + i, `expected ":" after "${key}"`);
        state = 'value';
        i++;
      } else if (state === 'value') {
        if ((key === 'releases' || key === 'records') && c === 91) {
          if (sawArray) throw fail(offset + i, 'a package has one "releases" or one "records" array');
          sawArray = true;
          arrayKey = key;
          inArray = true;
          state = 'key';
          i++;
          continue;
        }
        if (c === 123 || c === 91) {
          depth = 1;
          collecting = false;
          i++;
          continue;
        }
        if (c === 34) {
          // A top-level string value (uri, version, publishedDate…): skipped.
          inString = true;
          stringIsValue = true;
          i++;
          continue;
        }
        // A literal (number, true, false, null): skip to the next comma or brace.
        let j = i;
        while (j < n && !',}] \n\r\t'.includes(text[j]!)) j++;
        i = j;
        // A literal cut by the chunk's end goes on in the next chunk.
        state = j >= n ? 'value' : 'comma';
      } else if (state === 'comma') {
        if (c === 44) {
          state = 'key';
          i++;
        } else if (c === 93 && inArray) {
          inArray = false;
          arrayKey = null;
          i++;
        } else if (c === 125 && !inArray) {
          state = 'done';
          i++;
        } else throw fail(offset + i, 'expected "," or the end of an object or array');
      } else {
        throw fail(offset + i, 'unexpected content after the end of the package');
      }
    }
    if (collecting && elementStart >= 0) {
      element += text.slice(elementStart);
      if (element.length > maxChars) throw tooLong(`/${arrayKey}/${index}`, maxChars);
    }
    offset += n;
    for (const item of found) yield item;
  }
  if (state !== 'done' || depth > 0 || inArray || inString)
    throw new OcdsInputError(
      `character ${offset}`,
      inArray || depth > 0
        ? `the file ends inside /${arrayKey ?? ''}${arrayKey ? `/${index}` : ''}: truncated`
        : 'the file ends before the package does: truncated',
    );
  if (!sawArray) throw new OcdsInputError('/', 'not OCDS: the package has no "releases" or "records" array');
}

/** The elements of an OCDS file, whatever its form. */
export async function* readOcdsFile(
  file: string,
  name: string,
  maxChars = MAX_ELEMENT_CHARS,
): AsyncGenerator<OcdsElement> {
  if (await isJsonLines(file, name)) yield* readJsonLines(file, maxChars);
  else yield* readJsonPackage(file, maxChars);
}
