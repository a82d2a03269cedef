// City budget: imports of the Treasury's execution files as durable jobs, all or nothing, and the
// figures the pages, the API and the open data read. An import replaces the months its file
// carries for that city, year, item and classification, in one transaction: readers see the old
// rows until it commits, and a process killed half-way leaves them untouched.
import type { Database, Queryable } from '../../platform/db/index.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import { enqueueJob, holdsJob, type Job, type JobHandler } from '../../platform/jobs.ts';
import { FileTooLargeError, fileStoreOf, type FileStore } from '../../platform/files.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { csvLine } from '../../platform/csv.ts';
import {
  type Classification,
  type Fact,
  type FileKind,
  isFinancing,
  type Item,
  parseBudgetFile,
  type ReportEntry,
} from './parser.ts';
import { parentOf, type ClassificationKind } from './classifications.ts';
import { cityForBudgetCode } from './city-codes.ts';

export const IMPORT_JOB = 'open-budget.import';
export const IMPORT_SOURCES = ['upload', 'datastore', 'openbudget'] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];
/**
 * The largest Treasury file an import reads, whatever its source: the whole file is read into
 * memory to be checked, and a city's file for one item and year is a few megabytes (the
 * benchmark's 10,000-row files are under 2 MB; the crash test's 288,000 rows are 86 MB), so this
 * bounds one import's memory.
 */
export const MAX_TREASURY_FILE_BYTES = 128 * 1024 * 1024;

export interface BudgetImport {
  id: number;
  city_id: number;
  year: number;
  item: Item;
  classification: Classification;
  source: ImportSource;
  source_ref: string;
  file_key: string | null;
  status: 'queued' | 'running' | 'done' | 'rejected' | 'failed';
  report: ReportEntry[];
  row_count: number | null;
  months: number[] | null;
  encoding: string | null;
  created_by: number | null;
  created_at: Date;
  finished_at: Date | null;
}

const IMPORT_COLUMNS =
  'id, city_id, year, item, classification, source, source_ref, file_key, status, report, row_count, months, encoding, created_by, created_at, finished_at';

export async function getImport(db: Queryable, id: number): Promise<BudgetImport> {
  const row = await db.one<BudgetImport>(`SELECT ${IMPORT_COLUMNS} FROM open_budget_imports WHERE id = $1`, [id]);
  if (!row) throw new NotFoundError('no such import');
  return row;
}

export async function listImports(db: Queryable, filter: { cityIds?: number[] | null; limit?: number }) {
  return db.query<BudgetImport & { city_slug: string; city_name: string }>(
    `SELECT ${IMPORT_COLUMNS.split(', ')
      .map((c) => `i.${c}`)
      .join(', ')}, c.slug AS city_slug, c.name_uk AS city_name
     FROM open_budget_imports i JOIN cities c ON c.id = i.city_id
     WHERE ($1::int[] IS NULL OR i.city_id = ANY($1)) ORDER BY i.id DESC LIMIT $2`,
    [filter.cityIds ?? null, filter.limit ?? 50],
  );
}

/** Records an import and queues its job; the file (if any) is already in the store. */
export async function createImport(
  db: Queryable,
  actor: Actor,
  input: {
    cityId: number;
    year: number;
    kind: FileKind;
    source: ImportSource;
    sourceRef: string;
    fileKey: string | null;
  },
  options: { queue?: boolean } = {},
): Promise<number> {
  const { id } = (await db.one<{ id: number }>(
    `INSERT INTO open_budget_imports (city_id, year, item, classification, source, source_ref, file_key, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [
      input.cityId,
      input.year,
      input.kind.item,
      input.kind.classification,
      input.source,
      input.sourceRef,
      input.fileKey,
      actor.userId,
    ],
  ))!;
  await recordAudit(db, actor, 'open_budget.import', 'city', input.cityId, null, {
    import: id,
    year: input.year,
    item: input.kind.item,
    classification: input.kind.classification,
    source: input.source,
    ref: input.sourceRef,
  });
  if (options.queue ?? true)
    await db.query('UPDATE open_budget_imports SET job_id = $2 WHERE id = $1', [
      id,
      await enqueueJob(db, IMPORT_JOB, null),
    ]);
  return id;
}

/**
 * The address of a file on openbudget.gov.ua's public API for a budget code, item and year. The
 * template (OPENBUDGET_API_URL) carries {budgetCode}, {budgetItem}, {classificationType}, {year};
 * the default is the documented GET /api/public/localBudgetData.
 */
export function openBudgetUrl(template: string, budgetCode: string, kind: FileKind, year: number): string {
  const values: Record<string, string> = {
    budgetCode,
    budgetItem: kind.item,
    classificationType: kind.classification,
    year: String(year),
  };
  let url = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ''));
  // INCOMES takes no classification: drop the empty parameter.
  if (!kind.classification) url = url.replace(/[?&]classificationType=(?=&|$)/, (m) => (m.startsWith('?') ? '?' : ''));
  return url.replace('?&', '?');
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > MAX_TREASURY_FILE_BYTES)
      throw new ImportRejected('too_large', { limit: MAX_TREASURY_FILE_BYTES / 2 ** 20 });
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** The bytes of the import's file: stored, a DataStore resource's, or fetched from openbudget.gov.ua. */
async function fileOf(db: Queryable, files: FileStore, imp: BudgetImport): Promise<Buffer> {
  if (imp.source === 'datastore') {
    const resource = await db.one<{ file_key: string | null }>('SELECT file_key FROM resources WHERE id = $1', [
      imp.source_ref,
    ]);
    if (!resource?.file_key) throw new ImportRejected('source_missing');
    return readAll((await files.open(resource.file_key)).stream);
  }
  if (imp.source === 'openbudget' && !imp.file_key) {
    let response: Response;
    try {
      response = await fetch(imp.source_ref, { signal: AbortSignal.timeout(120_000) });
    } catch (error) {
      throw new ImportRejected('fetch_failed', { reason: (error as Error).message.slice(0, 200) });
    }
    if (!response.ok || !response.body) throw new ImportRejected('fetch_failed', { reason: `HTTP ${response.status}` });
    const stored = await files
      .put(response.body as unknown as AsyncIterable<Uint8Array>, MAX_TREASURY_FILE_BYTES)
      .catch((error: unknown) => {
        if (error instanceof FileTooLargeError)
          throw new ImportRejected('too_large', { limit: MAX_TREASURY_FILE_BYTES / 2 ** 20 });
        throw error;
      });
    await db.query('UPDATE open_budget_imports SET file_key = $2 WHERE id = $1', [imp.id, stored.key]);
    imp.file_key = stored.key;
  }
  if (!imp.file_key) throw new ImportRejected('source_missing');
  return readAll((await files.open(imp.file_key)).stream);
}

/** A reason to refuse the whole file that is about the source, not a row. */
class ImportRejected extends Error {
  readonly problem: string;
  readonly params: Record<string, string | number>;
  constructor(problem: string, params: Record<string, string | number> = {}) {
    super(problem);
    this.problem = problem;
    this.params = params;
  }
}

const FACT_COLUMNS = [
  'city_id',
  'budget_code',
  'year',
  'month',
  'item',
  'classification',
  'fund',
  'code',
  'program_code',
  'functional_code',
  'economic_code',
  'name',
  'section_code',
  'is_leaf',
  'known_code',
  'plan_year',
  'plan_period',
  'executed',
  'import_id',
];

/** CSV for COPY, in pieces of whole rows. */
function* factChunks(
  facts: Fact[],
  fixed: { cityId: number; year: number; item: string; classification: string; importId: number },
) {
  let chunk = '';
  for (const f of facts) {
    chunk += `${fixed.cityId},${f.budgetCode},${fixed.year},${f.month},${fixed.item},"${fixed.classification}",${f.fund},${f.code},"${f.programCode}","${f.functionalCode}","${f.economicCode}",${csvQuote(f.name)},${f.sectionCode},${f.isLeaf ? 't' : 'f'},${f.knownCode ? 't' : 'f'},${f.planYear ?? ''},${f.planPeriod ?? ''},${f.executed ?? ''},${fixed.importId}\n`;
    if (chunk.length > 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

function csvQuote(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

async function* asAsync<T>(items: Iterable<T>): AsyncIterable<T> {
  yield* items;
}

/**
 * Runs one import: reads and checks the file; with an error, records the report and changes no
 * data; else swaps the months it carries in one transaction and rebuilds their section sums.
 * `stillHeld` is checked inside the transaction (a job that lost its lease commits nothing).
 */
export async function runImport(
  db: Database,
  files: FileStore,
  importId: number,
  stillHeld: (tx: Queryable) => Promise<boolean> = async () => true,
  onPhase: (phase: 'reading' | 'swapping') => Promise<void> = async () => {},
): Promise<BudgetImport> {
  const imp = await getImport(db, importId);
  if (imp.status === 'done' || imp.status === 'rejected') return imp;
  await db.query(`UPDATE open_budget_imports SET status = 'running' WHERE id = $1`, [importId]);
  const fileName = imp.source === 'openbudget' ? 'openbudget.gov.ua' : imp.source_ref;
  let bytes: Buffer;
  try {
    bytes = await fileOf(db, files, imp);
  } catch (error) {
    if (!(error instanceof ImportRejected)) throw error;
    return finish(db, importId, 'rejected', [
      { severity: 'error', problem: error.problem, file: fileName, params: error.params },
    ]);
  }
  return importBytes(db, imp, bytes, stillHeld, onPhase);
}

/**
 * Checks the bytes and, without an error, swaps the months they carry in. `db` is a Database (the
 * swap gets its own transaction) or a transaction already open (the demo seed's).
 */
export async function importBytes(
  db: Database | Queryable,
  imp: BudgetImport,
  bytes: Uint8Array,
  stillHeld: (tx: Queryable) => Promise<boolean> = async () => true,
  onPhase: (phase: 'reading' | 'swapping') => Promise<void> = async () => {},
): Promise<BudgetImport> {
  const importId = imp.id;
  await onPhase('reading');
  const kind: FileKind = { item: imp.item, classification: imp.classification };
  const fileName = imp.source === 'openbudget' ? 'openbudget.gov.ua' : imp.source_ref;
  const parsed = parseBudgetFile(bytes, fileName, kind, imp.year);
  const report = parsed.report;
  // Each budget code must be the city's on the first day of each month the file carries.
  for (const [budgetCode, row] of parsed.budgetCodes) {
    for (const month of parsed.months.length ? parsed.months : [1]) {
      const owner = await cityForBudgetCode(db, budgetCode, `${imp.year}-${String(month).padStart(2, '0')}-01`);
      if (owner !== imp.city_id) {
        report.push({
          severity: 'error',
          problem: 'other_city_budget',
          file: fileName,
          row,
          column: 'COD_BUDGET',
          params: { code: budgetCode },
        });
        break;
      }
    }
  }
  if (report.some((r) => r.severity === 'error')) return finish(db, importId, 'rejected', report, parsed);

  await onPhase('swapping');
  const swap = async (tx: Queryable) => {
    // One import of a city's year at a time: a second waits here and then replaces the first.
    await tx.query('SELECT pg_advisory_xact_lock($1, $2)', [imp.city_id, imp.year]);
    const key = [imp.city_id, imp.year, imp.item, imp.classification, parsed.months];
    await tx.query(
      'DELETE FROM open_budget_facts WHERE city_id = $1 AND year = $2 AND item = $3 AND classification = $4 AND month = ANY($5::smallint[])',
      key,
    );
    await tx.copyCsv(
      'open_budget_facts',
      FACT_COLUMNS,
      asAsync(
        factChunks(parsed.facts, {
          cityId: imp.city_id,
          year: imp.year,
          item: imp.item,
          classification: imp.classification,
          importId,
        }),
      ),
    );
    await tx.query(
      'DELETE FROM open_budget_sections WHERE city_id = $1 AND year = $2 AND item = $3 AND classification = $4 AND month = ANY($5::smallint[])',
      key,
    );
    await tx.query(
      `INSERT INTO open_budget_sections (city_id, year, month, item, classification, fund, section_code, plan_year, plan_period, executed)
       SELECT city_id, year, month, item, classification, fund, section_code,
         coalesce(sum(plan_year), 0), coalesce(sum(plan_period), 0), coalesce(sum(executed), 0)
       FROM open_budget_facts
       WHERE city_id = $1 AND year = $2 AND item = $3 AND classification = $4 AND month = ANY($5::smallint[])
         AND (CASE WHEN $6 THEN code = section_code ELSE is_leaf END)
       GROUP BY city_id, year, month, item, classification, fund, section_code`,
      // Financing: each section's own row, as the file gives it (its leaves include balances at
      // the start and the end of the period, which are not to be added; see parser.ts).
      [...key, isFinancing(imp.item)],
    );
    if (!(await stillHeld(tx))) throw new Error('the import job was taken over by another process');
    await finish(tx, importId, 'done', report, parsed);
  };
  if ('transaction' in db) await db.transaction(swap);
  else await swap(db);
  return getImport(db, importId);
}

async function finish(
  db: Queryable,
  importId: number,
  status: 'done' | 'rejected',
  report: ReportEntry[],
  parsed?: { facts: Fact[]; months: number[]; encoding: string },
): Promise<BudgetImport> {
  await db.query(
    `UPDATE open_budget_imports SET status = $2, report = $3, row_count = $4, months = $5, encoding = $6, finished_at = now() WHERE id = $1`,
    [
      importId,
      status,
      JSON.stringify(report),
      parsed?.facts.length ?? null,
      parsed?.months ?? null,
      parsed?.encoding ?? null,
    ],
  );
  return getImport(db, importId);
}

/** The job handler: runs the import; afterwards publishes the year as open data (best effort, own job step). */
export function importHandler(
  db: Database,
  filesOrDir: FileStore | string,
  afterImport?: (imp: BudgetImport) => Promise<void>,
): JobHandler {
  const files = fileStoreOf(filesOrDir);
  return async (job: Job, heartbeat) => {
    const row = await db.one<{ id: number }>('SELECT id FROM open_budget_imports WHERE job_id = $1', [job.id]);
    if (!row) throw new Error(`no city budget import for job ${job.id}`);
    const imp = await runImport(
      db,
      files,
      row.id,
      (tx) => holdsJob(tx, job),
      (phase) => heartbeat({ phase }),
    );
    if (imp.status === 'done' && afterImport) await afterImport(imp);
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the figures

/** Which classification of expenses a page uses when several were imported: programmes first. */
const EXPENSE_PREFERENCE = ['PROGRAM', 'FUNCTIONAL', 'ECONOMIC'] as const;

export interface Totals {
  planYear: number;
  planPeriod: number;
  executed: number;
}

export interface ItemSummary {
  item: Item;
  classification: Classification;
  month: number;
  /** Per fund (C general, S special, T total). */
  funds: Partial<Record<'C' | 'S' | 'T', Totals>>;
  sections: { code: string; totals: Totals }[];
  /** Cumulative execution per month (total fund). */
  curve: { month: number; executed: number; planYear: number }[];
}

export async function budgetYears(db: Queryable, cityId: number): Promise<number[]> {
  return (
    await db.query<{ year: number }>(
      'SELECT DISTINCT year FROM open_budget_sections WHERE city_id = $1 ORDER BY year DESC',
      [cityId],
    )
  ).map((r) => r.year);
}

/** The cities that have an imported budget, with their latest year. */
export async function citiesWithBudgets(db: Queryable) {
  return db.query<{
    id: number;
    slug: string;
    name_uk: string;
    name_en: string;
    name_bg: string;
    population: number | null;
    latest: number;
  }>(
    `SELECT c.id, c.slug, c.name_uk, c.name_en, c.name_bg, c.population, max(s.year)::int AS latest
     FROM cities c JOIN (SELECT DISTINCT city_id, year FROM open_budget_sections) s ON s.city_id = c.id
     GROUP BY c.id ORDER BY c.name_uk`,
  );
}

const num = (v: unknown) => Number(v ?? 0);

/** Revenues and spending of a city's year: latest month's totals per fund, by section, and the monthly curve. */
export async function yearSummary(
  db: Queryable,
  cityId: number,
  year: number,
): Promise<{ incomes?: ItemSummary; expenses?: ItemSummary }> {
  const rows = await db.query<{
    item: Item;
    classification: Classification;
    month: number;
    fund: 'C' | 'S' | 'T';
    section_code: string;
    plan_year: string;
    plan_period: string;
    executed: string;
  }>(
    `SELECT item, classification, month, fund, section_code, plan_year, plan_period, executed
     FROM open_budget_sections WHERE city_id = $1 AND year = $2`,
    [cityId, year],
  );
  const summarise = (item: Item, classification: Classification): ItemSummary | undefined => {
    const mine = rows.filter((r) => r.item === item && r.classification === classification);
    if (!mine.length) return undefined;
    const month = Math.max(...mine.map((r) => r.month));
    const funds: ItemSummary['funds'] = {};
    for (const r of mine.filter((r) => r.month === month)) {
      const t = (funds[r.fund] ??= { planYear: 0, planPeriod: 0, executed: 0 });
      t.planYear += num(r.plan_year);
      t.planPeriod += num(r.plan_period);
      t.executed += num(r.executed);
    }
    // Files with only C and S rows: the total is their sum.
    if (!funds.T && (funds.C || funds.S)) {
      funds.T = { planYear: 0, planPeriod: 0, executed: 0 };
      for (const f of [funds.C, funds.S]) {
        if (!f) continue;
        funds.T.planYear += f.planYear;
        funds.T.planPeriod += f.planPeriod;
        funds.T.executed += f.executed;
      }
    }
    const totalFund = mine.some((r) => r.fund === 'T') ? (f: string) => f === 'T' : (f: string) => f !== 'T';
    const sectionMap = new Map<string, Totals>();
    const curveMap = new Map<number, { executed: number; planYear: number }>();
    for (const r of mine) {
      if (!totalFund(r.fund)) continue;
      const c = curveMap.get(r.month) ?? { executed: 0, planYear: 0 };
      c.executed += num(r.executed);
      c.planYear += num(r.plan_year);
      curveMap.set(r.month, c);
      if (r.month !== month) continue;
      const s = sectionMap.get(r.section_code) ?? { planYear: 0, planPeriod: 0, executed: 0 };
      s.planYear += num(r.plan_year);
      s.planPeriod += num(r.plan_period);
      s.executed += num(r.executed);
      sectionMap.set(r.section_code, s);
    }
    return {
      item,
      classification,
      month,
      funds,
      sections: [...sectionMap]
        .map(([code, totals]) => ({ code, totals }))
        .sort((a, b) => b.totals.executed - a.totals.executed),
      curve: [...curveMap].map(([m, c]) => ({ month: m, ...c })).sort((a, b) => a.month - b.month),
    };
  };
  const expenseClassification = EXPENSE_PREFERENCE.find((c) =>
    rows.some((r) => r.item === 'EXPENSES' && r.classification === c),
  );
  return {
    incomes: summarise('INCOMES', ''),
    expenses: expenseClassification ? summarise('EXPENSES', expenseClassification) : undefined,
  };
}

export interface FinancingRow {
  code: string;
  name: string;
  isLeaf: boolean;
  planYear: number;
  executed: number;
}

export interface FileRows {
  month: number;
  /** The file's rows at its latest month, total fund (C + S where a file has no T rows), in code order. */
  rows: FinancingRow[];
}

export interface FinancingSummary {
  debts?: FileRows;
  creditor?: FileRows;
  credits?: FileRows;
  /**
   * The financing of the year so far: the sum of the section rows (400000 and 600000 by type of
   * debt obligation, else 200000 and 300000 by type of creditor). Financing covers a deficit, so a
   * positive figure is a deficit and a negative one a surplus (Budget Code of Ukraine, art. 2:
   * deficit and surplus are revenue against spending with lending net of repayment; art. 15:
   * the financing of a budget).
   */
  total?: { executed: number; planYear: number };
  /** 401000 «Запозичення» and 402000 «Погашення» (negative in the files) of FINANCING_DEBTS. */
  borrowing?: FinancingRow;
  repayment?: FinancingRow;
  /**
   * Credits granted and repaid: the leaves whose third digit is 1 (4110 domestic, 4210 external:
   * granting) or 2 (4120, 4220: repayment, negative in the files), by the credit classification's
   * structure (credit-2013.json).
   */
  granted?: { executed: number; planYear: number };
  repaid?: { executed: number; planYear: number };
}

const FINANCING_ITEMS = ['FINANCING_DEBTS', 'FINANCING_CREDITOR', 'CREDITS'] as const;

/** A city's financing (deficit or surplus, borrowing, repayment) and credits for a year. */
export async function financingSummary(db: Queryable, cityId: number, year: number): Promise<FinancingSummary> {
  const rows = await db.query<{
    item: (typeof FINANCING_ITEMS)[number];
    month: number;
    code: string;
    name: string;
    is_leaf: boolean;
    plan_year: string | null;
    executed: string | null;
  }>(
    `WITH latest AS (
       SELECT item, max(month) AS month, bool_or(fund = 'T') AS has_t FROM open_budget_facts
       WHERE city_id = $1 AND year = $2 AND item = ANY($3::text[]) GROUP BY item)
     SELECT f.item, l.month, f.code, max(f.name) AS name, bool_and(f.is_leaf) AS is_leaf,
       sum(f.plan_year) AS plan_year, sum(f.executed) AS executed
     FROM open_budget_facts f JOIN latest l ON l.item = f.item AND l.month = f.month
     WHERE f.city_id = $1 AND f.year = $2 AND (f.fund = 'T') = l.has_t
     GROUP BY f.item, l.month, f.code ORDER BY f.item, f.code`,
    [cityId, year, [...FINANCING_ITEMS]],
  );
  const fileRows = (item: string): FileRows | undefined => {
    const mine = rows.filter((r) => r.item === item);
    if (!mine.length) return undefined;
    return {
      month: mine[0]!.month,
      rows: mine.map((r) => ({
        code: r.code,
        name: r.name,
        isLeaf: r.is_leaf,
        planYear: num(r.plan_year),
        executed: num(r.executed),
      })),
    };
  };
  const sum = (list: FinancingRow[]) =>
    list.length
      ? {
          executed: list.reduce((s, r) => s + r.executed, 0),
          planYear: list.reduce((s, r) => s + r.planYear, 0),
        }
      : undefined;
  const result: FinancingSummary = {
    debts: fileRows('FINANCING_DEBTS'),
    creditor: fileRows('FINANCING_CREDITOR'),
    credits: fileRows('CREDITS'),
  };
  const financing = result.debts ?? result.creditor;
  if (financing) result.total = sum(financing.rows.filter((r) => parentOf('financing', r.code) === null));
  result.borrowing = result.debts?.rows.find((r) => r.code === '401000');
  result.repayment = result.debts?.rows.find((r) => r.code === '402000');
  if (result.credits) {
    const leaves = result.credits.rows.filter((r) => r.isLeaf);
    result.granted = sum(leaves.filter((r) => r.code[2] === '1'));
    result.repaid = sum(leaves.filter((r) => r.code[2] === '2'));
  }
  return result;
}

/** Each year's revenue and spending (total fund, latest month of the year), for the change against previous years. */
export async function yearlyTotals(db: Queryable, cityId: number) {
  const rows = await db.query<{
    year: number;
    item: Item;
    classification: string;
    executed: string;
    plan_year: string;
    month: number;
  }>(
    `WITH latest AS (
       SELECT year, item, classification, max(month) AS month FROM open_budget_sections WHERE city_id = $1 GROUP BY year, item, classification)
     SELECT s.year, s.item, s.classification, l.month, sum(s.executed) AS executed, sum(s.plan_year) AS plan_year
     FROM open_budget_sections s JOIN latest l USING (year, item, classification, month)
     WHERE s.city_id = $1 AND s.fund = 'T'
     GROUP BY s.year, s.item, s.classification, l.month ORDER BY s.year`,
    [cityId],
  );
  const years = new Map<number, { year: number; month: number; incomes?: number; expenses?: number }>();
  for (const r of rows) {
    const y = years.get(r.year) ?? { year: r.year, month: r.month };
    if (r.item === 'INCOMES') y.incomes = num(r.executed);
    else if (r.item !== 'EXPENSES') continue;
    else if (y.expenses === undefined || EXPENSE_PREFERENCE.indexOf(r.classification as never) === 0)
      y.expenses = num(r.executed);
    y.month = Math.max(y.month, r.month);
    years.set(r.year, y);
  }
  return [...years.values()];
}

export interface TreeNode {
  code: string;
  name: string;
  totals: Totals;
  children: TreeNode[];
  known: boolean;
}

const LIST_OF: Record<string, ClassificationKind> = {
  INCOMES: 'income',
  PROGRAM: 'program',
  FUNCTIONAL: 'functional',
  ECONOMIC: 'economic',
  CREDIT: 'credit',
};

/**
 * The drill-down tree of one classification at the year's latest month (total fund): the leaves,
 * grouped under their parents by the classification's own rule. Parents' sums come from leaves.
 */
export async function classificationTree(
  db: Queryable,
  cityId: number,
  year: number,
  item: Item,
  classification: Classification,
): Promise<{ month: number; roots: TreeNode[] } | null> {
  const latest = await db.one<{ month: number | null; has_t: boolean }>(
    `SELECT max(month) AS month, bool_or(fund = 'T') AS has_t FROM open_budget_facts
     WHERE city_id = $1 AND year = $2 AND item = $3 AND classification = $4`,
    [cityId, year, item, classification],
  );
  if (!latest?.month) return null;
  const leaves = await db.query<{
    code: string;
    name: string;
    known_code: boolean;
    plan_year: string;
    plan_period: string;
    executed: string;
  }>(
    `SELECT code, max(name) AS name, bool_and(known_code) AS known_code, sum(plan_year) AS plan_year,
       sum(plan_period) AS plan_period, sum(executed) AS executed
     FROM open_budget_facts
     WHERE city_id = $1 AND year = $2 AND item = $3 AND classification = $4 AND month = $5 AND is_leaf
       AND (fund = 'T') = $6
     GROUP BY code`,
    [cityId, year, item, classification, latest.month, latest.has_t],
  );
  // Names of parent rows the file carried (they are not leaves, but they name the groups).
  const named = new Map(
    (
      await db.query<{ code: string; name: string }>(
        `SELECT DISTINCT code, name FROM open_budget_facts
         WHERE city_id = $1 AND year = $2 AND item = $3 AND classification = $4 AND month = $5 AND NOT is_leaf`,
        [cityId, year, item, classification, latest.month],
      )
    ).map((r) => [r.code, r.name]),
  );
  const list = LIST_OF[classification || item]!;
  const nodes = new Map<string, TreeNode>();
  const roots: TreeNode[] = [];
  const node = (code: string, name: string, known: boolean): TreeNode => {
    let found = nodes.get(code);
    if (!found) {
      found = {
        code,
        name: name || named.get(code) || '',
        totals: { planYear: 0, planPeriod: 0, executed: 0 },
        children: [],
        known,
      };
      nodes.set(code, found);
      const parent = parentOf(list, code);
      if (parent && parent !== code) node(parent, '', true).children.push(found);
      else roots.push(found);
    }
    return found;
  };
  for (const leaf of leaves) {
    const totals = { planYear: num(leaf.plan_year), planPeriod: num(leaf.plan_period), executed: num(leaf.executed) };
    for (
      let n: TreeNode | undefined = node(leaf.code, leaf.name, leaf.known_code), code: string | null = leaf.code;
      n;
    ) {
      n.totals.planYear += totals.planYear;
      n.totals.planPeriod += totals.planPeriod;
      n.totals.executed += totals.executed;
      code = parentOf(list, code!);
      n = code ? nodes.get(code) : undefined;
    }
  }
  const sort = (list: TreeNode[]) => {
    list.sort((a, b) => b.totals.executed - a.totals.executed);
    for (const n of list) sort(n.children);
  };
  sort(roots);
  return { month: latest.month, roots };
}

/** The largest programmes (7-digit КПКВКМБ leaves summed) at the year's latest month. */
export async function largestProgrammes(db: Queryable, cityId: number, year: number, limit = 10) {
  return db.query<{ code: string; name: string; executed: string; plan_year: string }>(
    `WITH latest AS (SELECT max(month) AS month FROM open_budget_facts
       WHERE city_id = $1 AND year = $2 AND item = 'EXPENSES' AND classification = 'PROGRAM')
     SELECT f.program_code AS code, max(f.name) AS name, sum(f.executed) AS executed, sum(f.plan_year) AS plan_year
     FROM open_budget_facts f, latest
     WHERE f.city_id = $1 AND f.year = $2 AND f.item = 'EXPENSES' AND f.classification = 'PROGRAM'
       AND f.month = latest.month AND f.is_leaf AND f.fund = 'T'
     GROUP BY f.program_code ORDER BY sum(f.executed) DESC NULLS LAST LIMIT $3`,
    [cityId, year, limit],
  );
}

/**
 * The local programmes (КПКВКМБ, 7 digits) of a city's imported spending by programme, any year,
 * each with its name as the latest file gives it; empty when none was imported.
 */
export async function programmeCodesOf(db: Queryable, cityId: number): Promise<Map<string, string>> {
  const rows = await db.query<{ code: string; name: string }>(
    `SELECT DISTINCT ON (program_code) program_code AS code, name FROM open_budget_facts
     WHERE city_id = $1 AND item = 'EXPENSES' AND classification = 'PROGRAM' AND program_code ~ '^[0-9]{7}$'
     ORDER BY program_code, year DESC, month DESC`,
    [cityId],
  );
  return new Map(rows.map((r) => [r.code, r.name]));
}

/** The latest year (and that year's file name) in which a city's imported spending has the programme. */
export async function programmeLatest(
  db: Queryable,
  cityId: number,
  code: string,
): Promise<{ year: number; name: string } | undefined> {
  return db.one<{ year: number; name: string }>(
    `SELECT year::int AS year, name FROM open_budget_facts
     WHERE city_id = $1 AND item = 'EXPENSES' AND classification = 'PROGRAM' AND program_code = $2
     ORDER BY year DESC, month DESC LIMIT 1`,
    [cityId, code],
  );
}

export interface ParticipatoryCycle {
  id: number;
  title_uk: string;
  title_en: string;
  title_bg: string;
  /** The programme's name in the city's latest file that has it ('' when none has). */
  programme_name: string;
}

/** The participatory-budget cycles of a city that name the programme they are paid from, by programme. */
export async function participatoryByProgramme(
  db: Queryable,
  cityId: number,
): Promise<Map<string, ParticipatoryCycle[]>> {
  const rows = await db.query<ParticipatoryCycle & { programme_code: string }>(
    `SELECT b.id, b.programme_code, b.title_uk, b.title_en, b.title_bg, coalesce(f.name, '') AS programme_name
     FROM budget_cycles b
     LEFT JOIN LATERAL (
       SELECT name FROM open_budget_facts
       WHERE city_id = b.city_id AND item = 'EXPENSES' AND classification = 'PROGRAM' AND program_code = b.programme_code
       ORDER BY year DESC, month DESC LIMIT 1) f ON true
     WHERE b.city_id = $1 AND b.programme_code IS NOT NULL ORDER BY b.voting_at DESC, b.id DESC`,
    [cityId],
  );
  const byCode = new Map<string, ParticipatoryCycle[]>();
  for (const r of rows) byCode.set(r.programme_code, [...(byCode.get(r.programme_code) ?? []), r]);
  return byCode;
}

/**
 * Per-resident revenues and spending by function of every city with a budget for the year (total
 * fund, each city's latest month of that year), with the population from the city record.
 */
export async function compareCities(db: Queryable, year: number) {
  const rows = await db.query<{
    city_id: number;
    slug: string;
    name_uk: string;
    name_en: string;
    name_bg: string;
    population: number | null;
    item: Item;
    classification: string;
    month: number;
    section_code: string;
    executed: string;
  }>(
    `WITH latest AS (
       SELECT city_id, item, classification, max(month) AS month FROM open_budget_sections
       WHERE year = $1 AND fund = 'T' GROUP BY city_id, item, classification)
     SELECT c.id AS city_id, c.slug, c.name_uk, c.name_en, c.name_bg, c.population, s.item, s.classification, s.month,
       s.section_code, s.executed
     FROM open_budget_sections s
     JOIN latest l ON l.city_id = s.city_id AND l.item = s.item AND l.classification = s.classification AND l.month = s.month
     JOIN cities c ON c.id = s.city_id
     WHERE s.year = $1 AND s.fund = 'T'`,
    [year],
  );
  const cities = new Map<
    number,
    {
      id: number;
      slug: string;
      names: Record<'uk' | 'en' | 'bg', string>;
      population: number | null;
      month: number;
      incomes: number;
      expenses: number;
      byFunction: Map<string, number>;
      classification: string;
    }
  >();
  for (const r of rows) {
    let city = cities.get(r.city_id);
    if (!city) {
      city = {
        id: r.city_id,
        slug: r.slug,
        names: { uk: r.name_uk, en: r.name_en, bg: r.name_bg },
        population: r.population,
        month: r.month,
        incomes: 0,
        expenses: 0,
        byFunction: new Map(),
        classification: '',
      };
      cities.set(r.city_id, city);
    }
    if (r.item === 'INCOMES') city.incomes += num(r.executed);
  }
  // Expenses: one classification per city (programmes first), so that nothing is counted twice.
  for (const city of cities.values()) {
    const mine = rows.filter((r) => r.city_id === city.id && r.item === 'EXPENSES');
    const classification = EXPENSE_PREFERENCE.find((c) => mine.some((r) => r.classification === c));
    if (!classification) continue;
    city.classification = classification;
    for (const r of mine.filter((r) => r.classification === classification)) {
      city.expenses += num(r.executed);
      city.month = Math.max(city.month, r.month);
      city.byFunction.set(r.section_code, (city.byFunction.get(r.section_code) ?? 0) + num(r.executed));
    }
  }
  return [...cities.values()];
}

/** Every fact of a city's year as CSV rows (the open data file and the API's download). */
export async function* factsCsv(db: Queryable, cityId: number, year: number): AsyncGenerator<string> {
  yield csvLine([
    'budget_code',
    'year',
    'month',
    'item',
    'classification',
    'fund',
    'code',
    'program_code',
    'functional_code',
    'economic_code',
    'name',
    'is_leaf',
    'plan_year',
    'plan_to_date',
    'executed_cumulative',
    'executed_in_month',
  ]);
  let after = 0;
  for (;;) {
    // In pages of months, so a large year is never held whole in memory.
    const rows = await db.query<Record<string, unknown>>(
      `SELECT budget_code, year, month, item, classification, fund, code, program_code, functional_code, economic_code, name,
         is_leaf, plan_year, plan_period, executed, executed_in_month
       FROM open_budget_monthly WHERE city_id = $1 AND year = $2 AND month = $3
       ORDER BY item, classification, fund, code, program_code, functional_code, economic_code`,
      [cityId, year, after + 1],
    );
    after++;
    for (const r of rows) yield csvLine(Object.values(r));
    if (after >= 12) return;
  }
}

/** An editor's entry of the council's approved budget (its decision is not in the Treasury files). */
export async function setApproved(
  db: Queryable,
  actor: Actor,
  cityId: number,
  input: { year: number; item: string; code: string; fund: string; amount: string; decision: string },
): Promise<void> {
  const problems = [];
  if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2100)
    problems.push({ field: 'year', message: 'validation.invalid' });
  if (!['INCOMES', 'EXPENSES'].includes(input.item)) problems.push({ field: 'item', message: 'validation.invalid' });
  if (!/^\d{4,8}$/.test(input.code)) problems.push({ field: 'code', message: 'openBudget.approved.bad_code' });
  if (!['C', 'S', 'T'].includes(input.fund)) problems.push({ field: 'fund', message: 'validation.invalid' });
  if (!/^\d{1,16}(\.\d{1,2})?$/.test(input.amount))
    problems.push({ field: 'amount', message: 'openBudget.approved.bad_amount' });
  if (problems.length) throw new ValidationError(problems);
  const before = await db.one(
    'SELECT amount, decision FROM open_budget_approved WHERE city_id = $1 AND year = $2 AND item = $3 AND code = $4 AND fund = $5',
    [cityId, input.year, input.item, input.code, input.fund],
  );
  await db.query(
    `INSERT INTO open_budget_approved (city_id, year, item, code, fund, amount, decision, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (city_id, year, item, code, fund) DO UPDATE SET amount = excluded.amount, decision = excluded.decision`,
    [cityId, input.year, input.item, input.code, input.fund, input.amount, input.decision.slice(0, 500), actor.userId],
  );
  await recordAudit(db, actor, 'open_budget.approved', 'city', cityId, before ?? null, input);
}

export async function approvedOf(db: Queryable, cityId: number, year: number) {
  return db.query<{ item: string; code: string; fund: string; amount: string; decision: string }>(
    'SELECT item, code, fund, amount, decision FROM open_budget_approved WHERE city_id = $1 AND year = $2 ORDER BY item, code, fund',
    [cityId, year],
  );
}
