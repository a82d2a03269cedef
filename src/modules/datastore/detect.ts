// Guessing how a text file was written: its encoding (from a byte-order mark, a UTF-8 check, or
// which Cyrillic code page reads as real words) and its delimiter (the one that splits the first
// lines into the same number of fields).

export const ENCODINGS = ['utf-8', 'windows-1251', 'koi8-u', 'utf-16le', 'utf-16be'] as const;
export type Encoding = (typeof ENCODINGS)[number];
export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

export function detectEncoding(sample: Uint8Array): { encoding: Encoding; bom: number } {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  // UTF-16 without a mark: every other byte of Latin or Cyrillic text is (nearly) constant.
  const pairs = Math.min(sample.length >> 1, 2000);
  if (pairs > 8) {
    let zeroOdd = 0;
    let zeroEven = 0;
    for (let i = 0; i < pairs; i++) {
      if (sample[2 * i] === 0) zeroEven++;
      if (sample[2 * i + 1] === 0 || sample[2 * i + 1] === 0x04) zeroOdd++;
    }
    if (zeroOdd > pairs * 0.6 && zeroEven < pairs * 0.1) return { encoding: 'utf-16le', bom: 0 };
  }
  // UTF-8, also when a few bytes are broken (they are then reported cell by cell): Cyrillic in a
  // single-byte code page seldom forms a valid UTF-8 sequence, so such text has far more invalid ones.
  const { valid, invalid } = utf8Sequences(sample);
  if (invalid === 0 || valid >= 4 * invalid) return { encoding: 'utf-8', bom: 0 };
  // In windows-1251 the common letters о, е, а, и, і, н, т are lower case; KOI8 read as 1251
  // turns them into capitals and vice versa. Count which reading has more common lower-case letters.
  const common = /[оеаиінтрсвлк]/g;
  const score = (encoding: Encoding) => (new TextDecoder(encoding).decode(sample).match(common) ?? []).length;
  return { encoding: score('koi8-u') > score('windows-1251') ? 'koi8-u' : 'windows-1251', bom: 0 };
}

/** Counts the multi-byte UTF-8 sequences in the bytes that are valid and the bytes that start none. */
function utf8Sequences(bytes: Uint8Array): { valid: number; invalid: number } {
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length =
      lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (i + length > bytes.length) break; // a character cut by the end of the sample counts for neither
    let continuations = 1;
    while (continuations < length && (bytes[i + continuations]! & 0xc0) === 0x80) continuations++;
    if (length > 0 && continuations === length) {
      valid++;
      i += length;
    } else {
      invalid++;
      i++;
    }
  }
  return { valid, invalid };
}

/** Splits one line on the delimiter, honouring double quotes; only for sniffing. */
function countFields(line: string, delimiter: string): number {
  let count = 1;
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === delimiter && !quoted) count++;
  }
  return count;
}

export function sniffDelimiter(text: string): Delimiter {
  const lines = text
    .split(/\r\n|\n|\r/)
    .filter((l) => l.trim() !== '')
    .slice(0, 50);
  if (lines.length > 1 && text.length > 0) lines.pop(); // the last sampled line may be cut short
  let best: Delimiter = ',';
  let bestScore = -1;
  for (const delimiter of DELIMITERS) {
    const counts = lines.map((line) => countFields(line, delimiter));
    const first = counts[0] ?? 1;
    if (first < 2) continue;
    // How many lines agree with the header's field count, weighted by the number of fields.
    const agreeing = counts.filter((c) => c === first).length;
    const score = agreeing * 1000 + first;
    if (score > bestScore) {
      best = delimiter;
      bestScore = score;
    }
  }
  return best;
}

/** Header names fit for people and SQL: blanks get a generated name, duplicates a suffix. */
export function cleanHeaders(raw: string[]): { names: string[]; blank: number[]; duplicate: number[] } {
  const names: string[] = [];
  const blank: number[] = [];
  const duplicate: number[] = [];
  const seen = new Set<string>();
  raw.forEach((value, index) => {
    let name = value
      .replace(/[\u0000-\u001f]/g, ' ')
      .trim()
      .slice(0, 200);
    if (!name || name === '_id') {
      if (!name) blank.push(index);
      name = `field_${index + 1}`;
    }
    if (seen.has(name.toLowerCase())) {
      duplicate.push(index);
      let n = 2;
      while (seen.has(`${name}_${n}`.toLowerCase())) n++;
      name = `${name}_${n}`;
    }
    seen.add(name.toLowerCase());
    names.push(name);
  });
  return { names, blank, duplicate };
}

/** SQL column names: at most 63 bytes (PostgreSQL's limit), unique, derived from the header. */
export function columnNames(names: string[]): string[] {
  const used = new Set<string>(['_id']);
  return names.map((name, index) => {
    let column = name.toLowerCase();
    while (Buffer.byteLength(column) > 55) column = column.slice(0, -1);
    if (used.has(column)) column = `${column}_${index + 1}`;
    used.add(column);
    return column;
  });
}
