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

/**
 * Watches every value of a column and keeps the narrowest type all of them fit, so that the
 * type is known from the whole file before anything is loaded.
 */
const LEADING_ZERO = /^\s*-?0\d/;

export class TypeTracker {
  private candidates = new Set<FieldType>(['integer', 'number', 'boolean', 'date', 'datetime']);
  nonEmpty = 0;

  see(raw: string): void {
    if (isBlank(raw)) return;
    this.nonEmpty++;
    if (this.candidates.size === 0) return; // text: nothing left to check
    const numeric = this.candidates.has('integer') || this.candidates.has('number');
    // A leading zero marks a code (КПКВК "0611010", a postcode), which a number would lose.
    if (numeric && LEADING_ZERO.test(raw)) {
      this.candidates.delete('integer');
      this.candidates.delete('number');
    }
    // The number is read once for both numeric candidates: most columns of a big file are numbers.
    const number = numeric ? readNumber(raw) : undefined;
    for (const type of this.candidates) {
      const fits = type === 'number' ? number : type === 'integer' ? integerOf(number) : readAs(type, raw);
      if (fits === undefined) this.candidates.delete(type);
    }
  }

  get type(): FieldType {
    if (this.nonEmpty === 0) return 'text';
    for (const type of ['integer', 'number', 'boolean', 'date', 'datetime'] as const)
      if (this.candidates.has(type)) return type;
    return 'text';
  }
}
