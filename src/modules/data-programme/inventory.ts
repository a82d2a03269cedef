// A city's inventory (the data audit): the register of the information it holds, each entry's
// status (not published, planned with a date and a responsible person, published as a catalog
// dataset, restricted with the reason), import and export as CSV and XLSX with a validation report,
// the publication plan with its reminders, and the register itself published as a dataset.
import type { Queryable } from '../../platform/db/index.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import { NotFoundError, ValidationError, type FieldProblem } from '../../platform/errors.ts';
import { queueMail } from '../../platform/mail.ts';
import { translator } from '../../platform/i18n/locales.ts';
import { Checker } from '../../platform/validate.ts';
import { kyivDate } from '../../platform/clock.ts';
import { addResource, createDataset } from '../catalog/service.ts';
import { declareItem } from './service.ts';

export const STATUSES = ['not_published', 'planned', 'published', 'restricted'] as const;
export type InventoryStatus = (typeof STATUSES)[number];
/** The criteria of an entry's value to users, each scored 0–3; the priority is their sum. */
export const CRITERIA = ['demand', 'impact', 'readiness'] as const;

export interface InventoryItem {
  id: number;
  city_id: number;
  name: string;
  description: string;
  unit: string;
  contact: string;
  system: string;
  format: string;
  personal_data: boolean;
  legal_limits: string;
  demand: number;
  impact: number;
  readiness: number;
  status: InventoryStatus;
  planned_on: string | null;
  responsible_name: string | null;
  responsible_email: string | null;
  dataset_id: number | null;
  dataset_name: string | null;
  restriction_reason: string | null;
  mandatory_item_id: number | null;
  mandatory_code: string | null;
  updated_at: Date;
}

export const priorityOf = (i: Pick<InventoryItem, 'demand' | 'impact' | 'readiness'>) =>
  i.demand + i.impact + i.readiness;

const SELECT = `SELECT i.id, i.city_id, i.name, i.description, i.unit, i.contact, i.system, i.format, i.personal_data,
  i.legal_limits, i.demand, i.impact, i.readiness, i.status, to_char(i.planned_on, 'YYYY-MM-DD') AS planned_on,
  i.responsible_name, i.responsible_email, i.dataset_id, d.name AS dataset_name, i.restriction_reason,
  i.mandatory_item_id, m.code AS mandatory_code, i.updated_at
  FROM inventory_items i LEFT JOIN datasets d ON d.id = i.dataset_id AND d.state = 'published'
  LEFT JOIN mandatory_items m ON m.id = i.mandatory_item_id`;

export async function listInventory(db: Queryable, cityId: number): Promise<InventoryItem[]> {
  return db.query<InventoryItem>(
    `${SELECT} WHERE i.city_id = $1 ORDER BY (i.demand + i.impact + i.readiness) DESC, i.name`,
    [cityId],
  );
}

export async function getInventoryItem(db: Queryable, cityId: number, id: number): Promise<InventoryItem> {
  const item = await db.one<InventoryItem>(`${SELECT} WHERE i.city_id = $1 AND i.id = $2`, [cityId, id]);
  if (!item) throw new NotFoundError('no such inventory entry');
  return item;
}

export type InventoryInput = Omit<
  InventoryItem,
  'id' | 'city_id' | 'dataset_name' | 'mandatory_code' | 'updated_at' | 'dataset_id' | 'mandatory_item_id'
> & { dataset: string | null; mandatory_code: string | null };

const YES = ['yes', 'так', 'да', 'true', '1', 'on', 'y', 'т'];
const NO = ['no', 'ні', 'не', 'false', '0', 'n', ''];

/** A date as written in a register: 2026-03-31, or 31.03.2026 as Ukrainian and Bulgarian forms write it. */
export function parseDate(text: string): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const dotted = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/.exec(text);
  const [y, m, d] = iso
    ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
    : dotted
      ? [Number(dotted[3]), Number(dotted[2]), Number(dotted[1])]
      : [0, 0, 0];
  if (!y) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/** Status as the register writes it: its code, or its Ukrainian, English or Bulgarian name. */
const STATUS_WORDS: Record<string, InventoryStatus> = Object.fromEntries(
  STATUSES.flatMap((status) => [
    [status, status],
    ...(['uk', 'en', 'bg'] as const).map((locale) => [
      translator(locale)(`dataProgramme.inventory.statuses.${status}`).toLowerCase(),
      status,
    ]),
  ]),
);

/**
 * An entry from a form, an API body or a spreadsheet row; every problem names its field. The
 * rules of each status: planned needs a date, a person and their e-mail; published, a dataset of
 * the city; restricted, the reason.
 */
export function parseInventoryInput(body: unknown): InventoryInput {
  const check = new Checker(body);
  const raw = (field: string) => {
    const value = (body as Record<string, unknown> | null)?.[field];
    return typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value);
  };
  const flag = (field: string) => {
    const value = raw(field).toLowerCase();
    if (YES.includes(value)) return true;
    if (!NO.includes(value)) check.fail(field, 'dataProgramme.inventory.errors.yes_no');
    return false;
  };
  const score = (field: string) => check.number(field, { integer: true, min: 0, max: 3 }) ?? 0;
  const statusText = raw('status').toLowerCase();
  const status = statusText ? STATUS_WORDS[statusText] : 'not_published';
  if (!status) check.fail('status', 'dataProgramme.inventory.errors.status');
  const input: InventoryInput = {
    name: check.text('name', { required: true, max: 500 }),
    description: check.text('description', { max: 5000 }),
    unit: check.text('unit', { required: true, max: 300 }),
    contact: check.text('contact', { max: 300 }),
    system: check.text('system', { max: 300 }),
    format: check.text('format', { max: 100 }),
    personal_data: flag('personal_data'),
    legal_limits: check.text('legal_limits', { max: 1000 }),
    demand: score('demand'),
    impact: score('impact'),
    readiness: score('readiness'),
    status: status ?? 'not_published',
    planned_on: null,
    responsible_name: check.optionalText('responsible_name', 300),
    responsible_email: null,
    dataset: check.optionalText('dataset', 100),
    restriction_reason: check.optionalText('restriction_reason', 1000),
    mandatory_code: check.optionalText('mandatory_code', 40),
  };
  const date = raw('planned_on');
  if (date) {
    input.planned_on = parseDate(date);
    if (!input.planned_on) check.fail('planned_on', 'dataProgramme.inventory.errors.date');
  }
  if (raw('responsible_email')) input.responsible_email = check.email('responsible_email');
  if (input.status === 'planned') {
    if (!date) check.fail('planned_on', 'dataProgramme.inventory.errors.planned_needs_date');
    if (!input.responsible_name) check.fail('responsible_name', 'dataProgramme.inventory.errors.planned_needs_person');
    if (!raw('responsible_email'))
      check.fail('responsible_email', 'dataProgramme.inventory.errors.planned_needs_person');
  }
  if (input.status === 'published' && !input.dataset)
    check.fail('dataset', 'dataProgramme.inventory.errors.published_needs_dataset');
  if (input.status === 'restricted' && !input.restriction_reason)
    check.fail('restriction_reason', 'dataProgramme.inventory.errors.restricted_needs_reason');
  if (input.personal_data && input.status === 'published' && !input.legal_limits)
    check.fail('legal_limits', 'dataProgramme.inventory.errors.personal_data_published');
  check.done();
  return input;
}

/** Resolves the dataset (of this city) and the list item an input names. */
async function references(db: Queryable, cityId: number, input: InventoryInput) {
  const problems: FieldProblem[] = [];
  let datasetId: number | null = null;
  let itemId: number | null = null;
  if (input.dataset) {
    const dataset = await db.one<{ id: number }>(
      // Only a published dataset: the register is public, and a draft's name is not.
      `SELECT id FROM datasets WHERE name = $1 AND city_id = $2 AND state = 'published'`,
      [input.dataset, cityId],
    );
    if (dataset) datasetId = dataset.id;
    else problems.push({ field: 'dataset', message: 'dataProgramme.inventory.errors.dataset_unknown' });
  }
  if (input.mandatory_code) {
    const item = await db.one<{ id: number }>('SELECT id FROM mandatory_items WHERE code = $1 AND NOT retired', [
      input.mandatory_code,
    ]);
    if (item) itemId = item.id;
    else problems.push({ field: 'mandatory_code', message: 'dataProgramme.inventory.errors.item_unknown' });
  }
  return { datasetId, itemId, problems };
}

const WRITE_COLUMNS = [
  'name',
  'description',
  'unit',
  'contact',
  'system',
  'format',
  'personal_data',
  'legal_limits',
  'demand',
  'impact',
  'readiness',
  'status',
  'planned_on',
  'responsible_name',
  'responsible_email',
  'restriction_reason',
] as const;

function values(input: InventoryInput): unknown[] {
  // Fields a status does not use are cleared, so an entry never carries a stale plan or reason.
  const kept = {
    ...input,
    planned_on: input.status === 'planned' ? input.planned_on : null,
    responsible_name: input.status === 'planned' ? input.responsible_name : input.responsible_name,
    restriction_reason: input.status === 'restricted' ? input.restriction_reason : null,
  };
  return WRITE_COLUMNS.map((c) => kept[c]);
}

async function assertNameFree(db: Queryable, cityId: number, name: string, exceptId: number | null) {
  const taken = await db.one<{ id: number }>('SELECT id FROM inventory_items WHERE city_id = $1 AND name = $2', [
    cityId,
    name,
  ]);
  if (taken && taken.id !== exceptId)
    throw new ValidationError([{ field: 'name', message: 'dataProgramme.inventory.errors.name_taken' }], 409);
}

export async function saveInventoryItem(
  db: Queryable,
  actor: Actor,
  cityId: number,
  input: InventoryInput,
  existingId: number | null,
  now: Date,
): Promise<number> {
  const { datasetId, itemId, problems } = await references(db, cityId, input);
  if (problems.length) throw new ValidationError(problems);
  await assertNameFree(db, cityId, input.name, existingId);
  const params = [...values(input), datasetId, itemId, now];
  const base = WRITE_COLUMNS.length;
  if (existingId === null) {
    const row = await db.one<{ id: number }>(
      `INSERT INTO inventory_items (city_id, ${WRITE_COLUMNS.join(', ')}, dataset_id, mandatory_item_id, created_at, updated_at)
       VALUES ($1, ${params.map((_, i) => `$${i + 2}`).join(', ')}, $${base + 4}) RETURNING id`,
      [cityId, ...params],
    );
    await recordAudit(db, actor, 'inventory.create', 'inventory_item', row!.id, null, input);
    return row!.id;
  }
  const before = await getInventoryItem(db, cityId, existingId);
  await db.query(
    `UPDATE inventory_items SET ${WRITE_COLUMNS.map((c, i) => `${c} = $${i + 3}`).join(', ')},
       dataset_id = $${base + 3}, mandatory_item_id = $${base + 4}, updated_at = $${base + 5},
       reminded_on = CASE WHEN planned_on IS DISTINCT FROM $${WRITE_COLUMNS.indexOf('planned_on') + 3}::date THEN NULL ELSE reminded_on END
     WHERE city_id = $1 AND id = $2`,
    [cityId, existingId, ...params],
  );
  await recordAudit(db, actor, 'inventory.update', 'inventory_item', existingId, before, input);
  return existingId;
}

export async function deleteInventoryItem(db: Queryable, actor: Actor, cityId: number, id: number): Promise<void> {
  const before = await getInventoryItem(db, cityId, id);
  await db.query('DELETE FROM inventory_items WHERE city_id = $1 AND id = $2', [cityId, id]);
  await recordAudit(db, actor, 'inventory.delete', 'inventory_item', id, before, null);
}

// ---- Spreadsheets ----

/** The register's columns, in the order of the CSV and XLSX files (and of an import's header). */
export const COLUMNS = [
  'name',
  'description',
  'unit',
  'contact',
  'system',
  'format',
  'personal_data',
  'legal_limits',
  'demand',
  'impact',
  'readiness',
  'priority',
  'status',
  'planned_on',
  'responsible_name',
  'responsible_email',
  'dataset',
  'restriction_reason',
  'mandatory_code',
] as const;

/**
 * One row per entry. `full` adds the responsible person's name and e-mail (for the city's
 * editors); the public register leaves them out, as they are personal data.
 */
export function exportRow(item: InventoryItem, full: boolean): unknown[] {
  const value: Record<(typeof COLUMNS)[number], unknown> = {
    ...item,
    personal_data: item.personal_data ? 'yes' : 'no',
    priority: priorityOf(item),
    responsible_name: full ? item.responsible_name : '',
    responsible_email: full ? item.responsible_email : '',
    dataset: item.dataset_name ?? '',
    mandatory_code: item.mandatory_code ?? '',
  };
  return COLUMNS.map((c) => value[c] ?? '');
}

export interface ImportReport {
  created: number;
  updated: number;
  /** Every problem found, by the spreadsheet's row number; when there are any, nothing was changed. */
  errors: { row: number; field: string; message: string; params?: Record<string, string | number> }[];
}

const MAX_IMPORT_ROWS = 5000;

/**
 * Imports a register: the first row names the columns (any order, at least name and unit), each
 * later row an entry, matched to an existing one by its name. All or nothing: if any row is wrong,
 * the report lists every problem and nothing changes.
 */
export async function importInventory(
  db: Queryable,
  actor: Actor,
  cityId: number,
  rows: { row: number; cells: string[] }[],
  now: Date,
): Promise<ImportReport> {
  const report: ImportReport = { created: 0, updated: 0, errors: [] };
  const [header, ...body] = rows.filter((r) => r.cells.some((c) => c.trim() !== ''));
  if (!header) {
    report.errors.push({ row: 1, field: 'file', message: 'dataProgramme.inventory.errors.empty' });
    return report;
  }
  const names = header.cells.map((c) => c.trim().toLowerCase());
  for (const required of ['name', 'unit'])
    if (!names.includes(required))
      report.errors.push({
        row: header.row,
        field: required,
        message: 'dataProgramme.inventory.errors.missing_column',
        params: { column: required },
      });
  const unknown = names.filter((n) => n && !(COLUMNS as readonly string[]).includes(n));
  for (const column of unknown)
    report.errors.push({
      row: header.row,
      field: column,
      message: 'dataProgramme.inventory.errors.unknown_column',
      params: { column },
    });
  if (body.length > MAX_IMPORT_ROWS)
    report.errors.push({
      row: body[MAX_IMPORT_ROWS]!.row,
      field: 'file',
      message: 'dataProgramme.inventory.errors.too_many_rows',
      params: { max: MAX_IMPORT_ROWS },
    });
  if (report.errors.length) return report;
  const parsed: { row: number; input: InventoryInput }[] = [];
  const seen = new Map<string, number>();
  for (const { row, cells } of body) {
    const record = Object.fromEntries(names.map((n, i) => [n, cells[i] ?? '']));
    try {
      const input = parseInventoryInput(record);
      const { problems } = await references(db, cityId, input);
      for (const p of problems) report.errors.push({ row, field: p.field, message: p.message });
      const first = seen.get(input.name);
      if (first !== undefined)
        report.errors.push({
          row,
          field: 'name',
          message: 'dataProgramme.inventory.errors.duplicate_row',
          params: { row: first },
        });
      seen.set(input.name, row);
      parsed.push({ row, input });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      for (const p of error.problems) report.errors.push({ row, field: p.field, message: p.message, params: p.params });
    }
  }
  if (report.errors.length) return report;
  for (const { input } of parsed) {
    const existing = await db.one<{ id: number }>('SELECT id FROM inventory_items WHERE city_id = $1 AND name = $2', [
      cityId,
      input.name,
    ]);
    await saveInventoryItem(db, actor, cityId, input, existing?.id ?? null, now);
    if (existing) report.updated++;
    else report.created++;
  }
  await recordAudit(db, actor, 'inventory.import', 'city', cityId, null, {
    created: report.created,
    updated: report.updated,
  });
  return report;
}

// ---- The publication plan ----

export interface PlanSummary {
  total: number;
  byStatus: Record<InventoryStatus, number>;
  /** Planned entries whose date has passed (public). */
  overdue: InventoryItem[];
  /** Planned entries, soonest first. */
  planned: InventoryItem[];
  /** Published over those that may be published (all but the restricted), 0–100. */
  progress: number;
}

export function planOf(items: InventoryItem[], now: Date): PlanSummary {
  const today = kyivDate(now);
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, items.filter((i) => i.status === s).length])) as Record<
    InventoryStatus,
    number
  >;
  const planned = items
    .filter((i) => i.status === 'planned')
    .sort((a, b) => (a.planned_on ?? '').localeCompare(b.planned_on ?? ''));
  const publishable = items.length - byStatus.restricted;
  return {
    total: items.length,
    byStatus,
    planned,
    overdue: planned.filter((i) => (i.planned_on ?? '') < today),
    progress: publishable ? Math.round((1000 * byStatus.published) / publishable) / 10 : 0,
  };
}

/** Overdue planned entries of the given cities (the dashboard's list). */
export async function overdueEntries(
  db: Queryable,
  cityIds: number[] | null,
  now: Date,
): Promise<(InventoryItem & { city_slug: string })[]> {
  return db.query<InventoryItem & { city_slug: string }>(
    `SELECT x.*, c.slug AS city_slug FROM (${SELECT} WHERE i.status = 'planned' AND i.planned_on < $1
       AND ($2::int[] IS NULL OR i.city_id = ANY($2::int[]))) x JOIN cities c ON c.id = x.city_id
     ORDER BY x.planned_on LIMIT 50`,
    [kyivDate(now), cityIds],
  );
}

const REMIND_DAYS_BEFORE = 7;
const REMIND_EVERY_DAYS = 7;

/**
 * Mails the responsible person of each planned entry due within a week or overdue, at most once a
 * week per entry. The claim (reminded_on) and the mail are written together, so servers running
 * this at once send each reminder once. Returns how many were queued.
 */
export async function sendPlanReminders(db: Queryable, now: Date, publicUrl: string): Promise<number> {
  const today = kyivDate(now);
  const due = await db.query<{
    id: number;
    name: string;
    planned_on: string;
    responsible_email: string;
    responsible_name: string;
    city_slug: string;
  }>(
    `UPDATE inventory_items i SET reminded_on = $1::date FROM cities c
     WHERE c.id = i.city_id AND i.status = 'planned' AND i.responsible_email IS NOT NULL
       AND i.planned_on <= $1::date + ${REMIND_DAYS_BEFORE}
       AND (i.reminded_on IS NULL OR i.reminded_on <= $1::date - ${REMIND_EVERY_DAYS})
     RETURNING i.id, i.name, to_char(i.planned_on, 'YYYY-MM-DD') AS planned_on, i.responsible_email, i.responsible_name, c.slug AS city_slug`,
    [today],
  );
  const uk = translator('uk');
  const en = translator('en');
  for (const entry of due) {
    const params = {
      name: entry.name,
      date: entry.planned_on,
      person: entry.responsible_name,
      url: `${publicUrl}/cities/${entry.city_slug}/inventory/${entry.id}/edit`,
    };
    const overdue = entry.planned_on < today;
    const key = overdue ? 'dataProgramme.inventory.mail.overdue' : 'dataProgramme.inventory.mail.due';
    await queueMail(
      db,
      entry.responsible_email,
      `${uk(`${key}_subject`, params)} / ${en(`${key}_subject`, params)}`,
      `${uk(`${key}_body`, params)}\n\n---\n\n${en(`${key}_body`, params)}`,
    );
  }
  return due.length;
}

// ---- The register as a dataset of the portal ----

/** The catalog name of a city's published register. */
export const registerDatasetName = (citySlug: string) => `${citySlug}-data-register`.slice(0, 100);

/**
 * Publishes the city's register as a dataset of its catalog (Ukrainian law requires a body's
 * register of datasets to be published as a dataset itself): created once, with the register's
 * CSV as its resource (always the current register) and declared as fulfilling the list item for
 * the register (all-007 of Resolution 835); each later call marks its data as updated now.
 */
export async function publishRegister(
  db: Queryable,
  actor: Actor,
  city: { id: number; slug: string; name_uk: string; name_en: string; name_bg: string },
  publicUrl: string,
  now: Date,
): Promise<string> {
  const name = registerDatasetName(city.slug);
  let dataset = await db.one<{ id: number; city_id: number }>('SELECT id, city_id FROM datasets WHERE name = $1', [
    name,
  ]);
  if (dataset && dataset.city_id !== city.id)
    throw new ValidationError(
      [{ field: 'dataset', message: 'dataProgramme.inventory.errors.register_name_taken' }],
      409,
    );
  if (!dataset) {
    const uk = translator('uk');
    const en = translator('en');
    const bg = translator('bg');
    const created = await createDataset(
      db,
      actor,
      {
        name,
        city_id: city.id,
        title_uk: uk('dataProgramme.inventory.register_title', { city: city.name_uk }),
        title_en: en('dataProgramme.inventory.register_title', { city: city.name_en }),
        title_bg: bg('dataProgramme.inventory.register_title', { city: city.name_bg }),
        description_uk: uk('dataProgramme.inventory.register_description'),
        description_en: en('dataProgramme.inventory.register_description'),
        description_bg: bg('dataProgramme.inventory.register_description'),
        license_id: 'CC-BY-4.0',
        themes: ['GOVE'],
        keywords: ['inventory', 'register'],
        frequency: 'MONTHLY',
        contact_name: null,
        contact_email: null,
        temporal_start: null,
        temporal_end: null,
        spatial: null,
        legal_basis: uk('dataProgramme.inventory.register_legal_basis'),
        purpose: null,
      },
      'published',
    );
    await addResource(db, actor, created, {
      name: 'CSV',
      description: '',
      format: 'CSV',
      url: `${publicUrl}/cities/${city.slug}/inventory.csv`,
    });
    dataset = created;
    const item = await db.one<{ id: number }>(
      `SELECT id FROM mandatory_items WHERE legal_act = 'UA-CMU-835-2015' AND code = 'all-007'`,
    );
    if (item) {
      await declareItem(db, actor, dataset, item.id, now);
    }
  }
  await db.query('UPDATE datasets SET data_updated_at = $2 WHERE id = $1', [dataset.id, now]);
  await recordAudit(db, actor, 'inventory.publish_register', 'dataset', dataset.id, null, { city_id: city.id });
  return name;
}
