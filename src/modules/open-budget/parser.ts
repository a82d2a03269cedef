// Reading and checking one Treasury execution file (openbudget.gov.ua, one CSV per budget, item and
// year): `;`-separated, `"`-quoted, CRLF, decimal point, UTF-8 or windows-1251. Everything found is
// reported by file, row (the physical line, the header is line 1) and column. Errors stop the
// import; warnings (unknown codes, T ≠ C + S, a falling cumulative figure, a missing month, a
// parent that is not the sum of its children) are kept in the report and the rows are imported.
// Parent rows are kept and marked: totals are always sums of leaves, never parent + children.
import { CsvError, CsvTokenizer } from '../datastore/csv.ts';
import { detectEncoding } from '../datastore/detect.ts';
import { type ClassificationKind, lookupCode, parentOf } from './classifications.ts';

export const ITEMS = ['INCOMES', 'EXPENSES', 'FINANCING_DEBTS', 'FINANCING_CREDITOR', 'CREDITS'] as const;
export type Item = (typeof ITEMS)[number];
export const EXPENSE_CLASSIFICATIONS = ['PROGRAM', 'FUNCTIONAL', 'ECONOMIC'] as const;
export type Classification = '' | (typeof EXPENSE_CLASSIFICATIONS)[number] | 'CREDIT';
export const FUNDS = ['C', 'S', 'T'] as const;
export type Fund = (typeof FUNDS)[number];

/** What an editor says the file is: INCOMES, EXPENSES by one classification, financing or credits. */
export interface FileKind {
  item: Item;
  classification: Classification;
}

export const FILE_KINDS: FileKind[] = [
  { item: 'INCOMES', classification: '' },
  { item: 'EXPENSES', classification: 'PROGRAM' },
  { item: 'EXPENSES', classification: 'FUNCTIONAL' },
  { item: 'EXPENSES', classification: 'ECONOMIC' },
  { item: 'FINANCING_DEBTS', classification: '' },
  { item: 'FINANCING_CREDITOR', classification: '' },
  { item: 'CREDITS', classification: 'CREDIT' },
];

/**
 * The financing and credit files' columns. FINANCING_DEBTS (financing by type of debt obligation):
 * REP_PERIOD, FUND_TYP, COD_BUDGET, COD_FINA, NAME_FIN, ZAT_AMT, FAKT_AMT, DONE_CORR_YEAR_PCT — no
 * PLANS_AMT. CREDITS by the CREDIT classification: REP_PERIOD, FUND_TYP, COD_BUDGET, COD_CRED_KK,
 * COD_CRED_KK_NAME, ZAT_AMT, PLANS_AMT, FAKT_AMT, FAKTBN_AMT, DONE_CORR_YEAR_PCT. Both as listed by
 * atsokol/openbudget-data-update (inputs/variable_types.csv, the column types it reads
 * api.openbudget.gov.ua's localBudgetData files with) and seen in its downloaded data
 * (data/debts.csv, data/credits.csv: codes 400000–602400 and 4111–4220, repayments negative).
 * FINANCING_CREDITOR (financing by type of creditor) is named by the Ministry of Finance's API
 * guide (confluence-ext.spending.gov.ua, "Отримання даних по загальним показникам") but we found
 * no sample or column list of it: it is read with FINANCING_DEBTS's columns, an assumption that
 * is not confirmed (a file with other columns is refused naming the missing one).
 */
const FINANCING_CODE = { column: 'COD_FINA', name: 'NAME_FIN' } as const;
const CREDIT_CODE = { column: 'COD_CRED_KK', name: 'COD_CRED_KK_NAME' } as const;
/**
 * The top-level financing codes of each financing item (financing-2011.json): by creditor type
 * 200000 domestic and 300000 external; by type of debt obligation 400000 debt operations and
 * 600000 operations with assets (the codes the Treasury's FINANCING_DEBTS files carry).
 */
const FINANCING_SECTIONS: Record<string, string[]> = {
  FINANCING_CREDITOR: ['2', '3'],
  FINANCING_DEBTS: ['4', '5', '6'],
};

export const isFinancing = (item: Item) => item === 'FINANCING_DEBTS' || item === 'FINANCING_CREDITOR';

export function kindKey(kind: FileKind): string {
  return kind.classification ? `${kind.item}/${kind.classification}` : kind.item;
}

export function parseKindKey(key: string): FileKind | undefined {
  return FILE_KINDS.find((k) => kindKey(k) === key);
}

export interface ReportEntry {
  severity: 'error' | 'warning';
  /** A key under openBudget.report.* naming the problem. */
  problem: string;
  file: string;
  row?: number;
  column?: string;
  params?: Record<string, string | number>;
}

export interface Fact {
  row: number;
  budgetCode: string;
  month: number;
  fund: Fund;
  code: string;
  programCode: string;
  functionalCode: string;
  economicCode: string;
  name: string;
  sectionCode: string;
  isLeaf: boolean;
  knownCode: boolean;
  planYear: string | null;
  planPeriod: string | null;
  executed: string | null;
}

export interface ParsedFile {
  facts: Fact[];
  report: ReportEntry[];
  encoding: string;
  year: number | null;
  months: number[];
  /** Each budget code in the file and the first row it is on. */
  budgetCodes: Map<string, number>;
}

const CODE_COLUMNS = { PROGRAM: 'COD_CONS_MB_PK', FUNCTIONAL: 'COD_CONS_MB_FK', ECONOMIC: 'COD_CONS_EK' } as const;
const AMOUNTS = ['ZAT_AMT', 'PLANS_AMT', 'FAKT_AMT'] as const;

/** The column holding a kind's own code, and which classification list names it. */
function primaryOf(kind: FileKind): { column: string; name: string; list: ClassificationKind } {
  if (kind.item === 'INCOMES') return { column: 'COD_INCO', name: 'NAME_INC', list: 'income' };
  if (isFinancing(kind.item)) return { ...FINANCING_CODE, list: 'financing' };
  if (kind.item === 'CREDITS') return { ...CREDIT_CODE, list: 'credit' };
  const column = CODE_COLUMNS[kind.classification as keyof typeof CODE_COLUMNS];
  const list =
    kind.classification === 'PROGRAM' ? 'program' : kind.classification === 'FUNCTIONAL' ? 'functional' : 'economic';
  return { column, name: `${column}_NAME`, list };
}

/** More warnings of one problem than this are counted, not listed. */
const MAX_PER_PROBLEM = 50;
/** Amounts as the Treasury writes them: digits, an optional sign and a decimal point. */
const AMOUNT = /^-?\d{1,16}(\.\d{1,6})?$/;
const CENT = 0.005;

/**
 * Counts UTF-8 Cyrillic (bytes D0/D1 then a continuation byte) in a file read as windows-1251,
 * leaving out the pairs Ukrainian text itself makes (a capital Р or С before і, ї, є, ґ, ё…).
 * A few of them mean that part of the file was written in UTF-8 and part in windows-1251.
 */
function utf8InsideCp1251(bytes: Uint8Array): number {
  const ukrainianSecond = new Set([0xb3, 0xbf, 0xba, 0xb4, 0xb2, 0xaa, 0xaf, 0xa5, 0xb8, 0xa8]);
  let count = 0;
  for (let i = 0; i + 1 < bytes.length; i++) {
    const b = bytes[i]!;
    const next = bytes[i + 1]!;
    if ((b === 0xd0 || b === 0xd1) && next >= 0x80 && next <= 0xbf && !ukrainianSecond.has(next)) count++;
  }
  return count;
}

/** The top of the code's chain of parents. */
function topOf(list: ClassificationKind, code: string): string {
  let top = code;
  for (let parent = parentOf(list, top), guard = 0; parent && guard < 10; parent = parentOf(list, parent), guard++)
    top = parent;
  return top;
}

/**
 * The codes above this one: its chain of parents, and for a 7-digit programme code also its
 * spending unit's rows (0611021 sits under 0610000 and 0600000 as well as under 1021).
 */
function ancestorsOf(list: ClassificationKind, code: string): string[] {
  const found: string[] = [];
  for (let parent = parentOf(list, code), guard = 0; parent && guard < 10; parent = parentOf(list, parent), guard++)
    found.push(parent);
  if (list === 'program' && /^\d{7}$/.test(code)) {
    found.push(`${code.slice(0, 3)}0000`, `${code.slice(0, 2)}00000`);
  }
  return found.filter((c) => c !== code);
}

const blankCode = (code: string) => code === '' || /^0+$/.test(code);

export function parseBudgetFile(
  bytes: Uint8Array,
  fileName: string,
  kind: FileKind,
  expectedYear?: number,
): ParsedFile {
  const report: ReportEntry[] = [];
  const counts = new Map<string, number>();
  const add = (entry: Omit<ReportEntry, 'file'>) => {
    const seen = (counts.get(entry.problem) ?? 0) + 1;
    counts.set(entry.problem, seen);
    if (seen <= MAX_PER_PROBLEM || entry.severity === 'error') report.push({ file: fileName, ...entry });
  };
  const result = (facts: Fact[], encoding: string, year: number | null, months: number[], budgetCodes = new Map()) => {
    for (const [problem, count] of counts)
      if (count > MAX_PER_PROBLEM)
        report.push({
          severity: 'warning',
          problem: 'more',
          file: fileName,
          params: { problem, count: count - MAX_PER_PROBLEM },
        });
    return { facts, report, encoding, year, months, budgetCodes };
  };

  // Encoding: the DataStore's detection; then a strict decode, so that a file mixing encodings is refused.
  const { encoding, bom } = detectEncoding(bytes.subarray(0, 256 * 1024));
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(bom));
  } catch {
    add({ severity: 'error', problem: 'mixed_encoding', params: { encoding } });
    return result([], encoding, null, []);
  }
  if (encoding === 'windows-1251' && utf8InsideCp1251(bytes) >= 3) {
    add({ severity: 'error', problem: 'mixed_encoding', params: { encoding } });
    return result([], encoding, null, []);
  }

  const tokenizer = new CsvTokenizer(';', 1_000_000);
  let records;
  try {
    records = [...tokenizer.push(text), ...tokenizer.end()];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    add({ severity: 'error', problem: 'csv_broken', row: error.line });
    return result([], encoding, null, []);
  }
  const header = records[0];
  if (!header || header.cells.length < 2) {
    add({ severity: 'error', problem: 'not_a_budget_file', row: 1 });
    return result([], encoding, null, []);
  }
  const columns = new Map(header.cells.map((name, index) => [name.trim().toUpperCase(), index]));
  const primary = primaryOf(kind);
  // The wrong item for the chosen kind: the file's own code column tells what it is.
  if (!columns.has(primary.column)) {
    const looksLike = columns.has('COD_INCO')
      ? 'INCOMES'
      : columns.has('COD_CONS_MB_PK') || columns.has('COD_CONS_EK')
        ? 'EXPENSES'
        : columns.has(FINANCING_CODE.column)
          ? 'FINANCING_DEBTS'
          : columns.has(CREDIT_CODE.column)
            ? 'CREDITS'
            : null;
    if (looksLike && looksLike !== kind.item)
      add({ severity: 'error', problem: 'wrong_item', row: 1, params: { chosen: kindKey(kind), found: looksLike } });
  }
  // Financing files have no plan to date (PLANS_AMT): it is read as empty there.
  const amountColumns = isFinancing(kind.item) ? AMOUNTS.filter((a) => a !== 'PLANS_AMT') : AMOUNTS;
  const required = ['REP_PERIOD', 'FUND_TYP', 'COD_BUDGET', primary.column, ...amountColumns];
  for (const column of required)
    if (!columns.has(column)) add({ severity: 'error', problem: 'missing_column', row: 1, column });
  if (report.some((r) => r.severity === 'error')) return result([], encoding, null, []);

  const at = (cells: string[], column: string) => {
    const index = columns.get(column);
    return index === undefined ? '' : (cells[index] ?? '').trim();
  };
  const facts: Fact[] = [];
  const budgetCodes = new Map<string, number>();
  const years = new Map<number, number>();
  const keys = new Map<string, number>();
  // Reported once: the first row of the other financing item's codes.
  let wrongFinancing = false;
  for (const record of records.slice(1)) {
    const { cells, line: row } = record;
    if (cells.length === 1 && cells[0]!.trim() === '') continue; // a blank line
    if (cells.length !== header.cells.length) {
      add({
        severity: 'error',
        problem: 'field_count',
        row,
        params: { found: cells.length, expected: header.cells.length },
      });
      continue;
    }
    const period = /^(\d{2})\.(\d{4})$/.exec(at(cells, 'REP_PERIOD'));
    const month = period ? Number(period[1]) : 0;
    if (!period || month < 1 || month > 12) {
      add({
        severity: 'error',
        problem: 'bad_period',
        row,
        column: 'REP_PERIOD',
        params: { value: at(cells, 'REP_PERIOD').slice(0, 40) },
      });
      continue;
    }
    const year = Number(period[2]);
    if (!years.has(year)) years.set(year, row);
    const fund = at(cells, 'FUND_TYP') as Fund;
    if (!FUNDS.includes(fund)) {
      add({ severity: 'error', problem: 'bad_fund', row, column: 'FUND_TYP', params: { value: fund.slice(0, 20) } });
      continue;
    }
    const budgetCode = at(cells, 'COD_BUDGET');
    if (!/^\d{10,11}$/.test(budgetCode)) {
      add({
        severity: 'error',
        problem: 'bad_budget_code',
        row,
        column: 'COD_BUDGET',
        params: { value: budgetCode.slice(0, 40) },
      });
      continue;
    }
    if (!budgetCodes.has(budgetCode)) budgetCodes.set(budgetCode, row);
    const code = at(cells, primary.column);
    if (!/^\d{1,12}$/.test(code)) {
      add({
        severity: 'error',
        problem: 'bad_code',
        row,
        column: primary.column,
        params: { value: code.slice(0, 40) },
      });
      continue;
    }
    // A financing file of the other financing item: its top-level codes tell (the columns are the same).
    const sections = FINANCING_SECTIONS[kind.item];
    if (sections && !wrongFinancing && !sections.includes(code[0]!) && /^\d{6}$/.test(code)) {
      const other = kind.item === 'FINANCING_DEBTS' ? 'FINANCING_CREDITOR' : 'FINANCING_DEBTS';
      if (FINANCING_SECTIONS[other]!.includes(code[0]!)) {
        add({
          severity: 'error',
          problem: 'wrong_item',
          row,
          column: primary.column,
          params: { chosen: kindKey(kind), found: other },
        });
        wrongFinancing = true;
        continue;
      }
    }
    const amounts: (string | null)[] = [];
    for (const column of AMOUNTS) {
      const value = at(cells, column);
      if (value === '') amounts.push(null);
      else if (AMOUNT.test(value)) amounts.push(value);
      else {
        add({ severity: 'error', problem: 'not_a_number', row, column, params: { value: value.slice(0, 40) } });
        amounts.push(null);
      }
    }
    const fact: Fact = {
      row,
      budgetCode,
      month,
      fund,
      code,
      programCode: kind.item === 'EXPENSES' ? at(cells, CODE_COLUMNS.PROGRAM) : '',
      functionalCode: kind.item === 'EXPENSES' ? at(cells, CODE_COLUMNS.FUNCTIONAL) : '',
      economicCode: kind.item === 'EXPENSES' ? at(cells, CODE_COLUMNS.ECONOMIC) : '',
      name: at(cells, primary.name).slice(0, 500),
      sectionCode: '',
      isLeaf: true,
      knownCode: true,
      planYear: amounts[0]!,
      planPeriod: amounts[1]!,
      executed: amounts[2]!,
    };
    const key = [month, fund, code, fact.programCode, fact.functionalCode, fact.economicCode].join('|');
    const first = keys.get(key);
    if (first !== undefined) {
      add({ severity: 'error', problem: 'duplicate_row', row, params: { first } });
      continue;
    }
    keys.set(key, row);
    facts.push(fact);
  }
  if (facts.length === 0 && !report.some((r) => r.severity === 'error')) add({ severity: 'error', problem: 'no_rows' });
  if (years.size > 1) {
    const [, second] = [...years.entries()].sort((a, b) => a[1] - b[1]);
    add({
      severity: 'error',
      problem: 'mixed_years',
      row: second![1],
      column: 'REP_PERIOD',
      params: { years: [...years.keys()].join(', ') },
    });
  }
  const year = years.size ? [...years.keys()][0]! : null;
  if (year !== null && expectedYear !== undefined && year !== expectedYear)
    add({
      severity: 'error',
      problem: 'wrong_year',
      row: years.get(year)!,
      column: 'REP_PERIOD',
      params: { found: year, expected: expectedYear },
    });
  const months = [...new Set(facts.map((f) => f.month))].sort((a, b) => a - b);
  if (report.some((r) => r.severity === 'error')) return result([], encoding, year, months, budgetCodes);

  checkFacts(facts, kind, primary, year!, months, add);
  return result(facts, encoding, year, months, budgetCodes);
}

/** The warnings, and each row's place: its section, whether it is a leaf, whether its code is known. */
function checkFacts(
  facts: Fact[],
  kind: FileKind,
  primary: { column: string; list: ClassificationKind },
  year: number,
  months: number[],
  add: (entry: Omit<ReportEntry, 'file'>) => void,
): void {
  // A missing month: monthly files run from January without a gap; quarterly ones end in 3, 6, 9, 12.
  const quarterly = months.every((m) => m % 3 === 0);
  const last = months[months.length - 1]!;
  for (let m = quarterly ? 3 : 1; m <= last; m += quarterly ? 3 : 1)
    if (!months.includes(m))
      add({
        severity: 'warning',
        problem: 'missing_period',
        params: { period: `${String(m).padStart(2, '0')}.${year}` },
      });

  // Unknown codes are kept and flagged, once per code.
  const known = new Map<string, boolean>();
  for (const fact of facts) {
    let isKnown = known.get(fact.code);
    if (isKnown === undefined) {
      isKnown = lookupCode(primary.list, fact.code, year) !== undefined;
      known.set(fact.code, isKnown);
      if (!isKnown)
        add({
          severity: 'warning',
          problem: 'unknown_code',
          row: fact.row,
          column: primary.column,
          params: { code: fact.code },
        });
    }
    fact.knownCode = isKnown;
    // Expenses are summed by function where the file names functions (the comparison of cities needs it).
    fact.sectionCode =
      kind.item === 'EXPENSES' && fact.functionalCode && !blankCode(fact.functionalCode)
        ? topOf('functional', fact.functionalCode)
        : topOf(primary.list, fact.code);
  }

  // Leaves: a row is a parent when another row of its month and fund sits below its code, or has
  // the same code with a more detailed breakdown (a programme's total beside its economic items).
  const byPeriod = new Map<string, Fact[]>();
  for (const fact of facts) {
    const key = `${fact.month}|${fact.fund}`;
    const list = byPeriod.get(key) ?? [];
    list.push(fact);
    byPeriod.set(key, list);
  }
  for (const rows of byPeriod.values()) {
    const above = new Set<string>();
    const byCode = new Map<string, Fact[]>();
    for (const fact of rows) {
      for (const ancestor of ancestorsOf(primary.list, fact.code)) above.add(ancestor);
      const same = byCode.get(fact.code) ?? [];
      same.push(fact);
      byCode.set(fact.code, same);
    }
    for (const fact of rows) {
      if (above.has(fact.code)) fact.isLeaf = false;
      const same = byCode.get(fact.code)!;
      const detail = (f: Fact) => [f.programCode, f.functionalCode, f.economicCode].filter((c) => !blankCode(c)).length;
      if (same.length > 1 && same.some((f) => detail(f) > detail(fact))) fact.isLeaf = false;
    }
    // Parents against the sum of their direct children (reported, never assumed).
    const children = new Map<string, Fact[]>();
    for (const fact of rows) {
      const parent = parentOf(primary.list, fact.code);
      if (!parent || !byCode.has(parent)) continue;
      const list = children.get(parent) ?? [];
      list.push(fact);
      children.set(parent, list);
    }
    // Not in financing files: there a change of balances (602000) is the balance at the start of
    // the period (602100) less the one at its end (602200) plus the rest, all written as positive
    // figures (as in the Treasury's FINANCING_DEBTS files), so a parent is not the sum of its children.
    if (isFinancing(kind.item)) continue;
    for (const [parentCode, kids] of children) {
      const parents = byCode.get(parentCode)!;
      if (parents.length !== 1 || kids.some((k) => byCode.get(k.code)!.length !== 1)) continue;
      const sum = kids.reduce((total, k) => total + Number(k.executed ?? 0), 0);
      const parent = parents[0]!;
      if (Math.abs(sum - Number(parent.executed ?? 0)) > CENT * kids.length)
        add({
          severity: 'warning',
          problem: 'parent_not_sum',
          row: parent.row,
          column: 'FAKT_AMT',
          params: { code: parentCode, value: parent.executed ?? '', sum: sum.toFixed(2) },
        });
    }
  }

  // Financing totals come from the file's section rows (see above): a month and fund whose rows
  // lack their section's own row is reported.
  if (isFinancing(kind.item)) {
    const sectionRows = new Set(
      facts.filter((f) => f.code === f.sectionCode).map((f) => `${f.month}|${f.fund}|${f.code}`),
    );
    const missing = new Set<string>();
    for (const fact of facts) {
      const key = `${fact.month}|${fact.fund}|${fact.sectionCode}`;
      if (sectionRows.has(key) || missing.has(key)) continue;
      missing.add(key);
      add({
        severity: 'warning',
        problem: 'no_section_row',
        row: fact.row,
        column: primary.column,
        params: { code: fact.sectionCode, period: `${String(fact.month).padStart(2, '0')}.${year}`, fund: fact.fund },
      });
    }
  }

  // T = C + S, for each row that has all three funds.
  const byFund = new Map<string, Partial<Record<Fund, Fact>>>();
  for (const fact of facts) {
    const key = [fact.month, fact.code, fact.programCode, fact.functionalCode, fact.economicCode].join('|');
    const entry = byFund.get(key) ?? {};
    entry[fact.fund] = fact;
    byFund.set(key, entry);
  }
  const amountColumns = [
    ['ZAT_AMT', 'planYear'],
    ['PLANS_AMT', 'planPeriod'],
    ['FAKT_AMT', 'executed'],
  ] as const;
  for (const { T, C, S } of byFund.values()) {
    if (!T || (!C && !S)) continue;
    for (const [column, field] of amountColumns) {
      const parts = Number(C?.[field] ?? 0) + Number(S?.[field] ?? 0);
      if (Math.abs(Number(T[field] ?? 0) - parts) > CENT)
        add({
          severity: 'warning',
          problem: 't_not_c_plus_s',
          row: T.row,
          column,
          params: { total: T[field] ?? '', sum: parts.toFixed(2) },
        });
    }
  }

  // FAKT_AMT is cumulative from January: it should never fall from one month to the next. Credit
  // repayments are negative and grow in size (4123: −108,938.62 in January, −213,698.18 in
  // February in the Treasury's CREDITS files), so credits compare sizes. Financing rows carry
  // balances and their changes, which go either way: not checked.
  if (isFinancing(kind.item)) return;
  const size = kind.item === 'CREDITS' ? Math.abs : (value: number) => value;
  const series = new Map<string, Fact[]>();
  for (const fact of facts) {
    const key = [fact.fund, fact.code, fact.programCode, fact.functionalCode, fact.economicCode].join('|');
    const list = series.get(key) ?? [];
    list.push(fact);
    series.set(key, list);
  }
  for (const list of series.values()) {
    list.sort((a, b) => a.month - b.month);
    for (let i = 1; i < list.length; i++) {
      const before = size(Number(list[i - 1]!.executed ?? 0));
      const now = size(Number(list[i]!.executed ?? 0));
      if (now < before - CENT)
        add({
          severity: 'warning',
          problem: 'cumulative_falls',
          row: list[i]!.row,
          column: 'FAKT_AMT',
          params: { value: list[i]!.executed ?? '', before: list[i - 1]!.executed ?? '' },
        });
    }
  }
}
