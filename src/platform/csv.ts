// Writing CSV for people to open in a spreadsheet: cells that a spreadsheet would run as a
// formula (= + - @, tab, carriage return first) are prefixed with an apostrophe, and cells with
// a comma, quote or line break are quoted.

/** Cells that a spreadsheet would run as a formula are prefixed with an apostrophe. */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** A cell's text for a spreadsheet: empty for no value; a number as it is (never a formula, so a negative number stays a number); other text neutralised. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  return neutraliseFormula(String(value));
}

export function csvCell(value: unknown): string {
  const text = cellText(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record, CRLF-terminated as RFC 4180 has it. */
export function csvLine(values: unknown[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}

/** One tab-separated record: tabs and line breaks inside a cell become spaces (TSV has no quoting). */
export function tsvLine(values: unknown[]): string {
  return values.map((value) => cellText(value).replace(/[\t\r\n]/g, ' ')).join('\t') + '\r\n';
}
