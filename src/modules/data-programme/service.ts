// A city's data programme: the reference lists of mandatory datasets (per country and legal act),
// the datasets a city declares as fulfilling list items, each city's compliance with its list and
// the daily history of that compliance. Who may change what is decided in policy.ts.
import type { Queryable } from '../../platform/db/index.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { Checker } from '../../platform/validate.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { FREQUENCIES, FREQUENCY_CODES, OPEN_FORMATS, licence, type Frequency } from '../catalog/vocabularies.ts';

export const BODY_KINDS = ['all_holders', 'local_self_government'] as const;
export type BodyKind = (typeof BODY_KINDS)[number];

/** What a city (a local self-government body) must publish: the items for every holder and for its kind. */
export const CITY_BODY_KINDS: readonly BodyKind[] = BODY_KINDS;

export interface MandatoryItem {
  id: number;
  country: string;
  legal_act: string;
  code: string;
  name_uk: string;
  name_en: string;
  name_bg: string;
  frequency: Frequency | null;
  legal_basis: string;
  body_kind: BodyKind;
  source: string;
  position: number;
  retired: boolean;
}

const ITEM_COLUMNS =
  'id, country, legal_act, code, name_uk, name_en, name_bg, frequency, legal_basis, body_kind, source, position, retired';

export const itemName = (item: Pick<MandatoryItem, 'name_uk' | 'name_en' | 'name_bg'>, locale: Locale) =>
  (locale === 'en' ? item.name_en : locale === 'bg' ? item.name_bg : item.name_uk) || item.name_uk;

export async function listMandatoryItems(
  db: Queryable,
  options: { includeRetired?: boolean } = {},
): Promise<MandatoryItem[]> {
  return db.query<MandatoryItem>(
    `SELECT ${ITEM_COLUMNS} FROM mandatory_items ${options.includeRetired ? '' : 'WHERE NOT retired'}
     ORDER BY country, legal_act, position, code`,
  );
}

export async function getMandatoryItem(db: Queryable, id: number): Promise<MandatoryItem> {
  const item = await db.one<MandatoryItem>(`SELECT ${ITEM_COLUMNS} FROM mandatory_items WHERE id = $1`, [id]);
  if (!item) throw new NotFoundError('no such list item');
  return item;
}

export type MandatoryItemInput = Omit<MandatoryItem, 'id'>;

/** An admin's form or API body for a list item; every problem named by its field. */
export function parseItemInput(body: unknown): MandatoryItemInput {
  const check = new Checker(body);
  const country = check.text('country', { required: true, max: 100 }).toUpperCase();
  if (country && !/^[A-Z]{2}$/.test(country)) check.fail('country', 'dataProgramme.errors.country');
  const input: MandatoryItemInput = {
    country,
    legal_act: check.text('legal_act', { required: true, max: 100 }),
    code: check.text('code', { required: true, max: 40 }),
    name_uk: check.text('name_uk', { required: true, max: 1000 }),
    name_en: check.text('name_en', { max: 1000 }),
    name_bg: check.text('name_bg', { max: 1000 }),
    frequency: check.oneOf('frequency', FREQUENCY_CODES, { required: false }),
    legal_basis: check.text('legal_basis', { max: 2000 }),
    body_kind: check.oneOf('body_kind', BODY_KINDS) ?? 'local_self_government',
    source: check.text('source', { required: true, max: 2000 }),
    position: check.number('position', { integer: true, min: 0, max: 100_000 }) ?? 0,
    retired: ['on', 'true', '1'].includes(String((body as Record<string, unknown> | null)?.retired ?? '')),
  };
  check.done();
  return input;
}

async function assertCodeFree(db: Queryable, input: MandatoryItemInput, exceptId: number | null) {
  const taken = await db.one<{ id: number }>(
    'SELECT id FROM mandatory_items WHERE country = $1 AND legal_act = $2 AND code = $3',
    [input.country, input.legal_act, input.code],
  );
  if (taken && taken.id !== exceptId)
    throw new ValidationError([{ field: 'code', message: 'dataProgramme.errors.code_taken' }], 409);
}

export async function createMandatoryItem(db: Queryable, actor: Actor, input: MandatoryItemInput): Promise<number> {
  await assertCodeFree(db, input, null);
  const row = await db.one<{ id: number }>(
    `INSERT INTO mandatory_items (country, legal_act, code, name_uk, name_en, name_bg, frequency, legal_basis, body_kind, source, position, retired)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
    [
      input.country,
      input.legal_act,
      input.code,
      input.name_uk,
      input.name_en,
      input.name_bg,
      input.frequency,
      input.legal_basis,
      input.body_kind,
      input.source,
      input.position,
      input.retired,
    ],
  );
  await recordAudit(db, actor, 'mandatory_item.create', 'mandatory_item', row!.id, null, input);
  return row!.id;
}

export async function updateMandatoryItem(
  db: Queryable,
  actor: Actor,
  id: number,
  input: MandatoryItemInput,
): Promise<void> {
  const before = await getMandatoryItem(db, id);
  await assertCodeFree(db, input, id);
  await db.query(
    `UPDATE mandatory_items SET country = $2, legal_act = $3, code = $4, name_uk = $5, name_en = $6, name_bg = $7,
       frequency = $8, legal_basis = $9, body_kind = $10, source = $11, position = $12, retired = $13 WHERE id = $1`,
    [
      id,
      input.country,
      input.legal_act,
      input.code,
      input.name_uk,
      input.name_en,
      input.name_bg,
      input.frequency,
      input.legal_basis,
      input.body_kind,
      input.source,
      input.position,
      input.retired,
    ],
  );
  await recordAudit(db, actor, 'mandatory_item.update', 'mandatory_item', id, before, input);
}

// ---- Which dataset fulfils which item ----

export interface Declaration {
  dataset_id: number;
  item_id: number;
  declared_at: Date;
}

export async function itemsOfDataset(db: Queryable, datasetId: number): Promise<MandatoryItem[]> {
  return db.query<MandatoryItem>(
    `SELECT ${ITEM_COLUMNS.split(', ')
      .map((c) => `i.${c}`)
      .join(', ')} FROM dataset_mandatory_items m JOIN mandatory_items i ON i.id = m.item_id
     WHERE m.dataset_id = $1 ORDER BY i.position, i.code`,
    [datasetId],
  );
}

/** Declares that a dataset fulfils a list item; a second declaration of the same pair changes nothing. */
export async function declareItem(
  db: Queryable,
  actor: Actor,
  dataset: { id: number; city_id: number },
  itemId: number,
  now: Date,
): Promise<void> {
  const item = await db.one<{ id: number; retired: boolean }>('SELECT id, retired FROM mandatory_items WHERE id = $1', [
    itemId,
  ]);
  if (!item || item.retired) throw new ValidationError([{ field: 'item', message: 'validation.one_of' }]);
  const inserted = await db.query(
    `INSERT INTO dataset_mandatory_items (dataset_id, item_id, declared_at, declared_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING item_id`,
    [dataset.id, itemId, now, actor.userId],
  );
  if (!inserted.length) return;
  await recordAudit(db, actor, 'dataset.mandatory_item.declare', 'dataset', dataset.id, null, { item_id: itemId });
  await takeSnapshot(db, dataset.city_id, now, { replace: true });
}

export async function withdrawItem(
  db: Queryable,
  actor: Actor,
  dataset: { id: number; city_id: number },
  itemId: number,
  now: Date,
): Promise<void> {
  const removed = await db.query(
    'DELETE FROM dataset_mandatory_items WHERE dataset_id = $1 AND item_id = $2 RETURNING item_id',
    [dataset.id, itemId],
  );
  if (!removed.length) throw new NotFoundError('this dataset does not declare that item');
  await recordAudit(db, actor, 'dataset.mandatory_item.withdraw', 'dataset', dataset.id, { item_id: itemId }, null);
  await takeSnapshot(db, dataset.city_id, now, { replace: true });
}

// ---- Compliance ----

/** Formats a program can read without a person: the open ones, and spreadsheets. */
export const MACHINE_READABLE_FORMATS = [...OPEN_FORMATS, 'XLSX', 'XLS'];

export const CHECKS = ['published', 'up_to_date', 'machine_readable', 'open_licence', 'datastore'] as const;
export type CheckKey = (typeof CHECKS)[number];

/** One published dataset declared for an item, with what compliance looks at. */
export interface FulfillingDataset {
  id: number;
  name: string;
  title_uk: string;
  title_en: string;
  title_bg: string;
  license_id: string;
  frequency: Frequency;
  data_updated_at: Date | null;
  published_at: Date | null;
  formats: string[];
  datastore: boolean;
}

export interface ItemCompliance {
  item: MandatoryItem;
  datasets: FulfillingDataset[];
  checks: Record<CheckKey, boolean>;
  /** Checks met, 0–5. */
  points: number;
}

export interface CityCompliance {
  city_id: number;
  items: ItemCompliance[];
  /** 0–100: the checks met over all items, each item five checks (see README and the page's rule). */
  score: number;
  published: number;
}

/**
 * Whether a dataset's data is fresh: against the item's frequency when the act sets one, else
 * against the frequency the dataset promises. A dataset that promises none (unknown, irregular)
 * cannot be shown to be up to date, so it fails the check.
 */
export function isUpToDate(dataset: FulfillingDataset, itemFrequency: Frequency | null, now: Date): boolean {
  const days = FREQUENCIES[itemFrequency ?? dataset.frequency];
  if (days === null || days === undefined) return false;
  const last = dataset.data_updated_at ?? dataset.published_at;
  if (!last) return false;
  return now.getTime() - new Date(last).getTime() <= days * 86_400_000;
}

export function checkItem(item: MandatoryItem, datasets: FulfillingDataset[], now: Date): ItemCompliance {
  const checks: Record<CheckKey, boolean> = {
    published: datasets.length > 0,
    up_to_date: datasets.some((d) => isUpToDate(d, item.frequency, now)),
    machine_readable: datasets.some((d) => d.formats.some((f) => MACHINE_READABLE_FORMATS.includes(f))),
    open_licence: datasets.some((d) => licence(d.license_id)?.open === true),
    datastore: datasets.some((d) => d.datastore),
  };
  return { item, datasets, checks, points: CHECKS.filter((c) => checks[c]).length };
}

export function scoreOf(items: ItemCompliance[]): number {
  if (!items.length) return 0;
  const met = items.reduce((sum, i) => sum + i.points, 0);
  return Math.round((1000 * met) / (items.length * CHECKS.length)) / 10;
}

/** The published datasets declared for list items, by city (all cities when `cityId` is null). */
async function fulfillingDatasets(
  db: Queryable,
  cityId: number | null,
): Promise<{ city_id: number; item_id: number; dataset: FulfillingDataset }[]> {
  const rows = await db.query<FulfillingDataset & { city_id: number; item_id: number }>(
    `SELECT d.city_id, m.item_id, d.id, d.name, d.title_uk, d.title_en, d.title_bg, d.license_id, d.frequency,
       d.data_updated_at, d.published_at,
       coalesce(array_agg(DISTINCT upper(r.format)) FILTER (WHERE r.format <> ''), '{}') AS formats,
       coalesce(bool_or(r.datastore_table IS NOT NULL), false) AS datastore
     FROM dataset_mandatory_items m
     JOIN datasets d ON d.id = m.dataset_id AND d.state = 'published'
     LEFT JOIN resources r ON r.dataset_id = d.id
     WHERE ($1::int IS NULL OR d.city_id = $1)
     GROUP BY d.city_id, m.item_id, d.id
     ORDER BY d.name`,
    [cityId],
  );
  return rows.map(({ city_id, item_id, ...dataset }) => ({ city_id, item_id, dataset }));
}

function complianceFrom(
  cityId: number,
  items: MandatoryItem[],
  rows: { city_id: number; item_id: number; dataset: FulfillingDataset }[],
  now: Date,
): CityCompliance {
  const checked = items.map((item) =>
    checkItem(
      item,
      rows.filter((r) => r.city_id === cityId && r.item_id === item.id).map((r) => r.dataset),
      now,
    ),
  );
  return {
    city_id: cityId,
    items: checked,
    score: scoreOf(checked),
    published: checked.filter((i) => i.checks.published).length,
  };
}

const cityItems = async (db: Queryable) =>
  (await listMandatoryItems(db)).filter((i) => i.country === 'UA' && CITY_BODY_KINDS.includes(i.body_kind));

export async function cityCompliance(db: Queryable, cityId: number, now: Date): Promise<CityCompliance> {
  const [items, rows] = await Promise.all([cityItems(db), fulfillingDatasets(db, cityId)]);
  return complianceFrom(cityId, items, rows, now);
}

/** Every city's compliance, for the national view. */
export async function nationalCompliance(db: Queryable, now: Date): Promise<CityCompliance[]> {
  const [items, rows, cities] = await Promise.all([
    cityItems(db),
    fulfillingDatasets(db, null),
    db.query<{ id: number }>('SELECT id FROM cities ORDER BY id'),
  ]);
  return cities.map((c) => complianceFrom(c.id, items, rows, now));
}

// ---- History ----

const dayOf = (at: Date) => at.toISOString().slice(0, 10);

/**
 * Records a city's compliance for the day of `now`. On a change (`replace`) the day's row is
 * rewritten; the daily round keeps a row already taken, so servers running it together agree.
 */
export async function takeSnapshot(
  db: Queryable,
  cityId: number,
  now: Date,
  options: { replace: boolean },
): Promise<void> {
  const compliance = await cityCompliance(db, cityId, now);
  await storeSnapshot(db, compliance, now, options.replace);
}

async function storeSnapshot(db: Queryable, compliance: CityCompliance, now: Date, replace: boolean) {
  const details = compliance.items.map((i) => ({ code: i.item.code, points: i.points, checks: i.checks }));
  await db.query(
    `INSERT INTO compliance_snapshots (city_id, taken_on, score, items_total, items_published, details, taken_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (city_id, taken_on) DO ${
       replace
         ? 'UPDATE SET score = EXCLUDED.score, items_total = EXCLUDED.items_total, items_published = EXCLUDED.items_published, details = EXCLUDED.details, taken_at = EXCLUDED.taken_at'
         : 'NOTHING'
     }`,
    [
      compliance.city_id,
      dayOf(now),
      compliance.score,
      compliance.items.length,
      compliance.published,
      JSON.stringify(details),
      now,
    ],
  );
}

/** The daily round: every city without a row for today gets one. Returns how many were taken. */
export async function takeDailySnapshots(db: Queryable, now: Date): Promise<number> {
  const missing = await db.query<{ id: number }>(
    'SELECT id FROM cities c WHERE NOT EXISTS (SELECT 1 FROM compliance_snapshots s WHERE s.city_id = c.id AND s.taken_on = $1)',
    [dayOf(now)],
  );
  if (!missing.length) return 0;
  const all = await nationalCompliance(db, now);
  for (const compliance of all.filter((c) => missing.some((m) => m.id === c.city_id)))
    await storeSnapshot(db, compliance, now, false);
  return missing.length;
}

export interface Snapshot {
  taken_on: string;
  score: number;
  items_total: number;
  items_published: number;
}

export async function complianceHistory(db: Queryable, cityId: number, limit = 366): Promise<Snapshot[]> {
  return db.query<Snapshot>(
    `SELECT to_char(taken_on, 'YYYY-MM-DD') AS taken_on, score::float8 AS score, items_total, items_published
     FROM compliance_snapshots WHERE city_id = $1 ORDER BY taken_on DESC LIMIT ${limit | 0}`,
    [cityId],
  );
}
