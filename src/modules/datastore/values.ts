// Reading the values that Ukrainian and Bulgarian city files really contain: numbers with space
// or dot thousands separators and a decimal comma ("4 450,90", "1.234.567,5"), dates as
// "03.12.2018" or ISO, booleans in three languages. Each reader returns undefined for a value
// that is not of its type.

export const FIELD_TYPES = ['integer', 'number', 'boolean', 'date', 'datetime', 'text'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const SQL_TYPES: Record<FieldType, string> = {
  integer: 'bigint',
  number: 'numeric',
  boolean: 'boolean',
  date: 'date',
  datetime: 'timestamp',
  text: 'text',
};

const GROUPED: Record<string, RegExp> = {
  ' ': /^\d{1,3}( \d{3})+$/,
  '.': /^\d{1,3}(\.\d{3})+$/,
  ',': /^\d{1,3}(,\d{3})+$/,
};
const grouped = (digits: string, separator: string) => GROUPED[separator]?.test(digits) ?? false;
const PLAIN_NUMBER = /^-?\d{1,40}(\.\d{1,20})?$/;
const DECIMAL_COMMA = /^-?\d{1,40},\d{1,20}$/;

/**
 * A number written the local way or the international way, as a canonical decimal string.
 * Thousands separators (space, dot, comma, apostrophe) must group digits by three, so that a
 * date such as 03.12.2018 is not taken for a number.
 */
export function readNumber(raw: string): string | undefined {
  // Most cells are plain numbers: answer them without the separator analysis.
  if (PLAIN_NUMBER.test(raw))
    return raw.charCodeAt(0) === MINUS ? canonicalNumber(true, raw.slice(1)) : canonicalNumber(false, raw);
  if (DECIMAL_COMMA.test(raw)) return readNumber(raw.replace(',', '.'));
  let text = raw.trim().replace(/^\+/, '');
  if (!text || text.length > 60) return undefined;
  const negative = text.startsWith('-') || text.startsWith('−');
  if (negative) text = text.slice(1);
  text = text.replace(/[\u00a0\u202f'’]/g, ' ');
  // Decimal separator: the last of comma/dot when both appear; a lone comma; a lone dot.
  const commas = (text.match(/,/g) ?? []).length;
  const dots = (text.match(/\./g) ?? []).length;
  let decimalAt = -1;
  if (commas && dots) decimalAt = Math.max(text.lastIndexOf(','), text.lastIndexOf('.'));
  else if (commas === 1) decimalAt = text.indexOf(',');
  else if (dots === 1) decimalAt = text.indexOf('.');
  const integerPart = decimalAt >= 0 ? text.slice(0, decimalAt) : text;
  const fraction = decimalAt >= 0 ? text.slice(decimalAt + 1) : '';
  if (decimalAt >= 0 && !/^\d+$/.test(fraction)) return undefined;
  const separators = [...new Set(integerPart.replace(/\d/g, ''))];
  if (separators.length > 1 || (separators[0] !== undefined && !grouped(integerPart, separators[0]))) return undefined;
  const digits = separators[0] === undefined ? integerPart : integerPart.replaceAll(separators[0], '');
  if (!/^\d+$/.test(digits)) return undefined;
  return canonicalNumber(negative, digits + (fraction ? `.${fraction}` : ''));
}

const MINUS = 45;
const ZERO = 48;

function canonicalNumber(negative: boolean, unsigned: string): string {
  const canonical = unsigned.charCodeAt(0) === ZERO ? unsigned.replace(/^0+(?=\d)/, '') : unsigned;
  return negative && /[1-9]/.test(canonical) ? `-${canonical}` : canonical;
}

export function readInteger(raw: string): string | undefined {
  return integerOf(readNumber(raw));
}

/** A number read by readNumber, if it is a whole one that fits a bigint. */
function integerOf(value: string | undefined): string | undefined {
  if (value === undefined || value.includes('.')) return undefined;
  return value.replace('-', '').length <= 18 ? value : undefined;
}

const TRUE = new Set(['true', 'yes', 'так', 'да', 'істина', 't', 'y']);
const FALSE = new Set(['false', 'no', 'ні', 'не', 'хибність', 'f', 'n']);

export function readBoolean(raw: string): boolean | undefined {
  if (TRUE.has(raw)) return true; // as written, without trimming and lower-casing: the usual case
  if (FALSE.has(raw)) return false;
  const text = raw.trim().toLowerCase();
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  return undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(year: number, month: number, day: number): boolean {
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const pad = (n: number) => String(n).padStart(2, '0');

/** "03.12.2018", "3/12/2018" (day first, as written here) or "2018-12-03" → "2018-12-03". */
export function readDate(raw: string): string | undefined {
  const text = raw.trim();
  if (ISO_DATE.test(text)) {
    const [y, m, d] = [Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10))];
    return validDate(y, m, d) ? text : undefined;
  }
  const match = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/.exec(text);
  if (match) {
    const [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
    return validDate(y, m, d) ? `${y}-${pad(m)}-${pad(d)}` : undefined;
  }
  return undefined;
}

/** A date with a time: "03.12.2018 14:30[:15]" or ISO "2018-12-03T14:30:15" → ISO without zone. */
export function readDateTime(raw: string): string | undefined {
  const match = /^(.+?)[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(raw.trim());
  if (!match) return undefined;
  const date = readDate(match[1]!);
  const [h, min, s] = [Number(match[2]), Number(match[3]), Number(match[4] ?? 0)];
  if (!date || h > 23 || min > 59 || s > 59) return undefined;
  return `${date}T${pad(h)}:${pad(min)}:${pad(s)}`;
}

/** Reads a raw cell as the given type; undefined when it does not fit. Text always fits. */
export function readAs(type: FieldType, raw: string): string | boolean | undefined {
  switch (type) {
    case 'integer':
      return readInteger(raw);
    case 'number':
      return readNumber(raw);
    case 'boolean':
      return readBoolean(raw);
    case 'date':
      return readDate(raw);
    case 'datetime':
      return readDateTime(raw);
    case 'text':
      return raw;
  }
}

/** Empty or only white space; answered without trimming for the usual cell, which starts with a letter or digit. */
export function isBlank(raw: string): boolean {
  if (raw.length === 0) return true;
  const first = raw.charCodeAt(0);
  const space = first <= 32 || first === 0xa0 || first === 0xfeff || (first >= 0x1680 && first <= 0x3000);
  return space && raw.trim() === '';
}

const LEADING_ZERO = /^\s*-?0\d/;

/**
 * The share of a column's non-empty values that must read as one type for the column to take it
 * (as a careful analyst would): the few others are loaded empty and reported as type errors.
 */
export const DOMINANT_SHARE = 0.95;

type Kind = 'number' | 'boolean' | 'date' | 'datetime';
const KINDS: readonly Kind[] = ['number', 'date', 'datetime', 'boolean'];
const WORD_KINDS: readonly Kind[] = ['boolean'];

/**
 * Counts, over every value of a column, how many read as each type, so that the type is known
 * from the whole file before anything is loaded: the narrowest type at least DOMINANT_SHARE of
 * the non-empty values have, else text. A value is of one kind only (a number is never a date),
 * and the kind of the previous value is tried first, so a cell costs one reading as a rule.
 */
export class TypeTracker {
  nonEmpty = 0;
  private integers = 0;
  private decimals = 0;
  private booleans = 0;
  private dates = 0;
  private datetimes = 0;
  /** A leading zero marks a code (КПКВК "0611010", a postcode), which a number would lose. */
  private codes = false;
  private last: Kind | null = null;

  see(raw: string): void {
    if (isBlank(raw)) return;
    this.nonEmpty++;
    if (this.last !== null && this.fits(this.last, raw)) return;
    // Numbers and dates start with a digit, a sign or a space; a value starting with a letter can only be a boolean.
    const first = raw.charCodeAt(0);
    const word =
      first >= 65 && first !== 0x2212 && first !== 0xa0 && first !== 0xfeff && !(first >= 0x1680 && first <= 0x3000);
    for (const kind of word ? WORD_KINDS : KINDS) {
      if (kind !== this.last && this.fits(kind, raw)) {
        this.last = kind;
        return;
      }
    }
  }

  /** Whether the value is of the kind, counting it if so. */
  private fits(kind: Kind, raw: string): boolean {
    switch (kind) {
      case 'number': {
        if (this.codes) return false;
        if (LEADING_ZERO.test(raw)) {
          this.codes = true;
          return false;
        }
        const number = readNumber(raw);
        if (number === undefined) return false;
        if (integerOf(number) === undefined) this.decimals++;
        else this.integers++;
        return true;
      }
      case 'boolean':
        // The longest boolean word ("хибність") has 8 letters: longer text needs no reading unless padded.
        if ((raw.length > 8 && raw.trim().length > 8) || readBoolean(raw) === undefined) return false;
        this.booleans++;
        return true;
      case 'date':
        if (readDate(raw) === undefined) return false;
        this.dates++;
        return true;
      case 'datetime':
        if (readDateTime(raw) === undefined) return false;
        this.datetimes++;
        return true;
    }
  }

  get type(): FieldType {
    const enough = (count: number) => this.nonEmpty > 0 && count >= this.nonEmpty * DOMINANT_SHARE;
    if (!this.codes && enough(this.integers + this.decimals)) return this.decimals === 0 ? 'integer' : 'number';
    if (enough(this.booleans)) return 'boolean';
    if (enough(this.dates)) return 'date';
    if (enough(this.datetimes)) return 'datetime';
    return 'text';
  }
}
