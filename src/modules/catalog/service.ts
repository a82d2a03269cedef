// The catalog: datasets with DCAT-AP metadata, their resources, revisions, search with facets,
// the metadata quality score and the "overdue" mark.
import crypto from 'node:crypto';
import type { Database, Queryable } from '../../platform/db/index.ts';
import { likePattern, quoteIdentifier } from '../../platform/db/index.ts';
import { Checker, assertUnique } from '../../platform/validate.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import { searchFold } from '../../platform/i18n/collation.ts';
import type { SortKey, SortTerm } from './solr.ts';
import {
  FREQUENCIES,
  FREQUENCY_CODES,
  LICENCE_IDS,
  OPEN_FORMATS,
  THEMES,
  licence,
  type Frequency,
} from './vocabularies.ts';

export const DATASET_STATES = ['draft', 'published', 'private'] as const;
export type DatasetState = (typeof DATASET_STATES)[number] | 'deleted';

/** A free CKAN extra: a key and its text. */
export interface Extra {
  key: string;
  value: string;
}

export interface Dataset {
  id: number;
  /** The stable public id (CKAN's package id): a rename keeps it. */
  uuid: string;
  name: string;
  city_id: number;
  city_slug: string;
  state: DatasetState;
  title_uk: string;
  title_en: string;
  title_bg: string;
  description_uk: string;
  description_en: string;
  description_bg: string;
  /** Null when none was given (CKAN leaves it empty). */
  license_id: string | null;
  themes: string[];
  keywords: string[];
  frequency: Frequency;
  contact_name: string | null;
  contact_email: string | null;
  temporal_start: string | null;
  temporal_end: string | null;
  spatial: string | null;
  legal_basis: string | null;
  purpose: string | null;
  author: string | null;
  author_email: string | null;
  version: string | null;
  /** The dataset's own source address (CKAN's `url`). */
  source_url: string | null;
  extras: Extra[];
  created_at: Date;
  modified_at: Date;
  published_at: Date | null;
  data_updated_at: Date | null;
}

export interface Resource {
  id: string;
  dataset_id: number;
  position: number;
  name: string;
  description: string;
  format: string;
  url: string | null;
  /** Set for an uploaded file; downloaded from the resource's /download address. */
  file_name: string | null;
  size_bytes: number | null;
  sha256: string | null;
  datastore_active: boolean;
  created_at: Date;
  modified_at: Date;
}

const DATASET_SELECT = `SELECT d.id, d.uuid::text AS uuid, d.name, d.city_id, c.slug AS city_slug, d.state, d.title_uk, d.title_en, d.title_bg,
  d.description_uk, d.description_en, d.description_bg, d.license_id, d.themes, d.keywords, d.frequency,
  d.contact_name, d.contact_email, to_char(d.temporal_start, 'YYYY-MM-DD') AS temporal_start,
  to_char(d.temporal_end, 'YYYY-MM-DD') AS temporal_end, d.spatial, d.legal_basis, d.purpose,
  d.author, d.author_email, d.version, d.source_url, d.extras, d.created_at, d.modified_at, d.published_at, d.data_updated_at
  FROM datasets d JOIN cities c ON c.id = d.city_id`;

/** Which non-public datasets a reader may see: all (admin) or those of some cities (their editors). */
export type Visibility = ({ all: true } | { all: false; cityIds: number[] }) & {
  /** Which non-public states those readers see; both unless narrowed (CKAN's include_drafts/include_private). */
  states?: readonly ('draft' | 'private')[];
};

/** What anonymous readers, feeds and sitemaps see: published datasets only. */
export const PUBLIC_ONLY: Visibility = { all: false, cityIds: [] };

function visibilityCondition(visibility: Visibility, params: unknown[]): string {
  const states = visibility.states ?? ['draft', 'private'];
  if (visibility.all)
    return states.length === 2
      ? `d.state <> 'deleted'`
      : `d.state IN (${['published', ...states].map((s) => `'${s}'`).join(', ')})`;
  if (!states.length) return `d.state = 'published'`;
  params.push(visibility.cityIds);
  return `(d.state = 'published' OR (d.state IN (${states.map((s) => `'${s}'`).join(', ')}) AND d.city_id = ANY($${params.length}::int[])))`;
}

export function localTitle(
  dataset: Pick<Dataset, 'title_uk' | 'title_en' | 'title_bg'>,
  locale: 'uk' | 'en' | 'bg',
): string {
  return dataset[`title_${locale}`] || dataset.title_uk;
}

export function localDescription(
  dataset: Pick<Dataset, 'description_uk' | 'description_en' | 'description_bg'>,
  locale: 'uk' | 'en' | 'bg',
): string {
  return dataset[`description_${locale}`] || dataset.description_uk;
}

// ---- Reading ----

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A dataset by its name or its stable id (as CKAN, the id is tried first). */
export async function getDataset(db: Queryable, nameOrId: string, visibility: Visibility): Promise<Dataset> {
  const params: unknown[] = [nameOrId, UUID.test(nameOrId) ? nameOrId.toLowerCase() : null];
  const dataset = await db.one<Dataset>(
    `${DATASET_SELECT} WHERE (d.name = $1 OR d.uuid = $2::uuid) AND ${visibilityCondition(visibility, params)}
     ORDER BY d.uuid = $2::uuid DESC NULLS LAST LIMIT 1`,
    params,
  );
  if (!dataset) throw new NotFoundError(`dataset ${nameOrId}`);
  return dataset;
}

export async function listResources(db: Queryable, datasetIds: number[]): Promise<Resource[]> {
  if (datasetIds.length === 0) return [];
  return db.query<Resource>(
    `SELECT id, dataset_id, position, name, description, format, url, file_name, size_bytes::float8 AS size_bytes, sha256,
      datastore_table IS NOT NULL AS datastore_active, created_at, modified_at FROM resources WHERE dataset_id = ANY($1::int[]) ORDER BY dataset_id, position, created_at`,
    [datasetIds],
  );
}

export const DATASET_SORTS = ['relevance', 'name', '-modified', 'modified'] as const;
export type DatasetSort = (typeof DATASET_SORTS)[number];

export interface DatasetQuery {
  q?: string;
  city?: string;
  theme?: string;
  format?: string;
  license?: string;
  keyword?: string;
  /** Only the datasets of one series (see SERIES_SQL). */
  series?: string;
  /** One entry per series in the page and the total (the catalog's list page); facets still count datasets. */
  collapseSeries?: boolean;
  sort?: DatasetSort;
  /** A sort as CKAN's `sort` gives it; overrides `sort`. */
  order?: SortTerm[];
  /** A further condition (a compiled Solr q/fq): appends its values to params and returns SQL. */
  filter?: (params: unknown[]) => string;
  limit: number;
  offset: number;
  visibility: Visibility;
}

export interface Facet {
  value: string;
  count: number;
}

export interface SearchResult {
  items: Dataset[];
  total: number;
  /** With collapseSeries: for each item standing for a series of several datasets, its key and size. */
  series?: Map<number, { key: string; size: number }>;
  /** With collapseSeries, the datasets found (`total` then counts entries, a series as one). */
  datasets?: number;
  facets: { city: Facet[]; theme: Facet[]; format: Facet[]; license: Facet[]; keyword: Facet[] };
}

/**
 * Full text over titles, descriptions and keywords in every language: each word of the query
 * must appear, literally or as a close trigram match (typos), ranked by word similarity.
 */
export async function searchDatasets(db: Queryable, query: DatasetQuery): Promise<SearchResult> {
  // Literal matches are cheap (a LIKE per word); only when they find nothing do we look for typos.
  const literal = await searchPass(db, query, new Map());
  if (
    literal.total > 0 ||
    !query.q ||
    !searchFold(query.q)
      .split(/\s+/)
      .some((w) => w.length > 2)
  )
    return literal;
  // The typo pass: each longer word of the query also stands for the catalog's words closest to
  // it (pg_trgm similarity ≥ 0.38 in the small catalog_words table, which its trigram index
  // answers; one wrong letter in a six-letter word scores about 0.4: budjet → budget), and those
  // are then searched literally like any word. The threshold is set for this transaction only.
  const fuzzy = async (tx: Queryable) => {
    await tx.query(`SELECT set_config('pg_trgm.similarity_threshold', '0.38', true)`);
    const words = queryWords(query.q).filter((w) => w.length > 2);
    const close = await tx.query<{ query: string; word: string; score: number }>(
      `SELECT q AS query, c.word, similarity(c.word, q) AS score FROM unnest($1::text[]) AS q
       CROSS JOIN LATERAL (SELECT word FROM catalog_words WHERE word % q ORDER BY similarity(word, q) DESC, word LIMIT 5) AS c`,
      [words],
    );
    const alternatives = new Map(
      words.map((w) => [w, close.filter((c) => c.query === w).map((c) => ({ word: c.word, score: c.score }))]),
    );
    return searchPass(tx, query, alternatives);
  };
  return 'transaction' in db ? (db as Database).transaction(fuzzy) : fuzzy(db);
}

/** The query's words as the search text has them: folded, split at spaces and punctuation, at most eight. */
const queryWords = (q: string | undefined) =>
  searchFold(q ?? '')
    .split(/[\s,.;:!?()"«»]+/)
    .filter((w) => w.length > 0)
    .slice(0, 8);

/** One search; `alternatives` maps a query word to close catalog words that may stand for it (typos). */
/**
 * A dataset's series: datasets generated per city under one name (`kyiv-transparency-ranking`,
 * `lviv-transparency-ranking`…) share their name without the city's slug; any other dataset is a
 * series of its own.
 */
const SERIES_SQL = `CASE WHEN left(d.name, length(c.slug) + 1) = c.slug || '-' THEN substr(d.name, length(c.slug) + 2) ELSE d.name END`;

async function searchPass(
  db: Queryable,
  query: DatasetQuery,
  alternatives: Map<string, { word: string; score: number }[]>,
): Promise<SearchResult> {
  const params: unknown[] = [];
  const where = [visibilityCondition(query.visibility, params)];
  const words = queryWords(query.q);
  const relevance: string[] = [];
  const rankWords: string[] = [];
  const title = `lower(d.title_uk || ' ' || d.title_en || ' ' || d.title_bg)`;
  for (const word of words) {
    const close = alternatives.get(word) ?? [];
    if (!close.length) {
      params.push(likePattern(word));
      where.push(`d.search_text LIKE $${params.length}`);
      rankWords.push(word);
      continue;
    }
    // The word as typed or any close word; closer words rank higher, in a title twice as high.
    const either: string[] = [];
    for (const { word: candidate, score } of close) {
      params.push(likePattern(candidate), candidate, score);
      const [like, text, weight] = [params.length - 2, params.length - 1, params.length];
      either.push(`d.search_text LIKE $${like}`);
      relevance.push(
        `CASE WHEN strpos(${title}, $${text}::text) > 0 THEN 2 * $${weight}::float8 WHEN strpos(d.search_text, $${text}::text) > 0 THEN $${weight}::float8 ELSE 0 END`,
      );
    }
    where.push(`(${either.join(' OR ')})`);
  }
  const filter = (column: string, value: string | undefined) => {
    if (!value) return;
    params.push(value);
    where.push(column.replace('?', `$${params.length}`));
  };
  if (query.filter) where.push(query.filter(params));
  filter('c.slug = ?', query.city);
  filter('? = ANY(d.themes)', query.theme);
  filter('d.license_id = ?', query.license);
  filter('? = ANY(d.keywords)', query.keyword);
  filter('EXISTS (SELECT 1 FROM resources r WHERE r.dataset_id = d.id AND upper(r.format) = upper(?))', query.format);
  filter(`${SERIES_SQL} = ?`, query.series);
  const whereSql = `WHERE ${where.join(' AND ')}`;
  const sort = query.sort ?? (words.length ? 'relevance' : '-modified');
  // Literal matches in a title rank above those only in the description or keywords.
  for (const word of rankWords) {
    params.push(word);
    relevance.push(
      `CASE WHEN strpos(lower(d.title_uk || ' ' || d.title_en || ' ' || d.title_bg), $${params.length}::text) > 0 THEN 1 ELSE 0 END`,
    );
  }
  const order: Record<DatasetSort, string> = {
    relevance: 'rank DESC, modified_at DESC, id DESC',
    name: 'name COLLATE "C" ASC',
    '-modified': 'modified_at DESC, id DESC',
    modified: 'modified_at ASC, id ASC',
  };
  const SORT_SQL: Record<SortKey, string> = {
    id: 'uuid',
    name: 'name COLLATE "C"',
    title: 'title_uk COLLATE "C"',
    created: 'created_at',
    modified: 'modified_at',
    score: 'rank',
    num_resources: 'num_resources',
    num_tags: 'cardinality(keywords)',
    license: 'license_id COLLATE "C"',
  };
  const orderSql = query.order
    ? [...query.order.map((o) => `${SORT_SQL[o.key]} ${o.desc ? 'DESC' : 'ASC'}`), 'id ASC'].join(', ')
    : order[sort];
  const countResources = query.order?.some((o) => o.key === 'num_resources')
    ? '(SELECT count(*) FROM resources r WHERE r.dataset_id = d.id)'
    : '0';
  params.push(query.limit, query.offset);
  // One scan finds the matching datasets; the page (as ids, in order), the total and all five
  // facets come from that one set in a single round trip.
  const summary = await db.query<{ facet: string; value: string; count: number }>(
    `WITH f AS MATERIALIZED (
       SELECT d.id, d.uuid, d.name, d.modified_at, d.created_at, d.title_uk, d.themes, d.keywords, d.license_id, c.slug AS city,
         ${countResources} AS num_resources, ${relevance.length ? relevance.join(' + ') : '0'} AS rank, ${SERIES_SQL} AS series
       FROM datasets d JOIN cities c ON c.id = d.city_id ${whereSql}),
     -- The page's entries: every dataset, or with collapseSeries the first of each series in the order asked.
     listed AS (SELECT * FROM (SELECT f.*, row_number() OVER (PARTITION BY ${query.collapseSeries ? 'series' : 'id'} ORDER BY ${orderSql}) AS nth,
         count(*) OVER (PARTITION BY ${query.collapseSeries ? 'series' : 'id'})::int AS series_size FROM f) s WHERE nth = 1)
     SELECT * FROM (SELECT 'page' AS facet, id::text || ' ' || series_size || ' ' || series AS value, row_number() OVER (ORDER BY ${orderSql})::int AS count
       FROM listed ORDER BY ${orderSql} LIMIT $${params.length - 1} OFFSET $${params.length}) p
     UNION ALL SELECT 'total', '', count(*)::int FROM listed
     UNION ALL SELECT 'datasets', '', count(*)::int FROM f
     UNION ALL SELECT * FROM (SELECT 'city', city, count(*)::int FROM f GROUP BY city ORDER BY 3 DESC, 2 LIMIT 50) a
     UNION ALL SELECT * FROM (SELECT 'theme', t, count(*)::int FROM f, unnest(f.themes) t GROUP BY t) b
     UNION ALL SELECT * FROM (SELECT 'format', upper(r.format), count(DISTINCT f.id)::int FROM f JOIN resources r ON r.dataset_id = f.id
       WHERE r.format <> '' GROUP BY upper(r.format) ORDER BY 3 DESC LIMIT 50) c
     UNION ALL SELECT * FROM (SELECT 'license', license_id, count(*)::int FROM f WHERE license_id IS NOT NULL GROUP BY license_id) d
     UNION ALL SELECT * FROM (SELECT 'keyword', k, count(*)::int FROM f, unnest(f.keywords) k GROUP BY k ORDER BY 3 DESC, 2 LIMIT 30) e`,
    params,
  );
  const page = summary
    .filter((r) => r.facet === 'page')
    .sort((a, b) => a.count - b.count)
    .map((r) => {
      const [id, size, ...key] = r.value.split(' ');
      return { id: Number(id), size: Number(size), key: key.join(' ') };
    });
  const pageIds = page.map((p) => p.id);
  const total = summary.find((r) => r.facet === 'total')?.count ?? 0;
  const byId = new Map(
    (pageIds.length ? await db.query<Dataset>(`${DATASET_SELECT} WHERE d.id = ANY($1::int[])`, [pageIds]) : []).map(
      (d) => [d.id, d],
    ),
  );
  const facetRows = summary.filter((r) => !['page', 'total', 'datasets'].includes(r.facet));
  const facetOf = (name: string) =>
    facetRows
      .filter((r) => r.facet === name)
      .map(({ value, count }) => ({ value, count }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return {
    items: pageIds.map((id) => byId.get(id)!).filter(Boolean),
    total,
    series: query.collapseSeries
      ? new Map(page.filter((p) => p.size > 1).map((p) => [p.id, { key: p.key, size: p.size }]))
      : undefined,
    datasets: query.collapseSeries ? summary.find((r) => r.facet === 'datasets')?.count : undefined,
    facets: {
      city: facetOf('city'),
      theme: facetOf('theme'),
      format: facetOf('format'),
      license: facetOf('license'),
      keyword: facetOf('keyword'),
    },
  };
}

export async function listRevisions(db: Queryable, datasetId: number) {
  return db.query<{ id: number; at: Date; actor_label: string; note: string; snapshot: Record<string, unknown> }>(
    'SELECT id, at, actor_label, note, snapshot FROM dataset_revisions WHERE dataset_id = $1 ORDER BY id DESC',
    [datasetId],
  );
}

// ---- Quality and timeliness ----

export interface QualityCheck {
  key: 'description' | 'licence' | 'open_format' | 'frequency' | 'coverage' | 'contact' | 'keywords';
  ok: boolean;
}

/** A 0–100 metadata quality score: the share of checks a dataset passes. */
export function qualityScore(dataset: Dataset, resources: Resource[]): { score: number; checks: QualityCheck[] } {
  const checks: QualityCheck[] = [
    { key: 'description', ok: dataset.description_uk.trim().length >= 50 },
    { key: 'licence', ok: licence(dataset.license_id)?.open ?? false },
    { key: 'open_format', ok: resources.some((r) => OPEN_FORMATS.includes(r.format.toUpperCase())) },
    { key: 'frequency', ok: dataset.frequency !== 'UNKNOWN' && !isOverdue(dataset) },
    { key: 'coverage', ok: !!(dataset.temporal_start || dataset.temporal_end) && !!dataset.spatial },
    { key: 'contact', ok: !!dataset.contact_email },
    { key: 'keywords', ok: dataset.keywords.length > 0 && dataset.themes.length > 0 },
  ];
  return { score: Math.round((100 * checks.filter((c) => c.ok).length) / checks.length), checks };
}

/** A published dataset whose data has not changed within its promised update frequency. */
export function isOverdue(
  dataset: Pick<Dataset, 'state' | 'frequency' | 'data_updated_at' | 'published_at'>,
  now = new Date(),
): boolean {
  const days = FREQUENCIES[dataset.frequency];
  if (dataset.state !== 'published' || days === null || days === undefined) return false;
  const last = dataset.data_updated_at ?? dataset.published_at;
  if (!last) return false;
  return now.getTime() - new Date(last).getTime() > days * 86_400_000;
}

// ---- Writing ----

/** Fields only the CKAN API sets; absent from an input, an update keeps them and a create leaves them empty. */
type CkanOnly = 'author' | 'author_email' | 'version' | 'source_url' | 'extras';
export const CKAN_ONLY: readonly CkanOnly[] = ['author', 'author_email', 'version', 'source_url', 'extras'];

export type DatasetInput = Omit<
  Dataset,
  'id' | 'uuid' | 'city_slug' | 'state' | 'created_at' | 'modified_at' | 'published_at' | 'data_updated_at' | CkanOnly
> &
  Partial<Pick<Dataset, CkanOnly>> & {
    /** A stable id to create the dataset with (CKAN lets a sysadmin give one); new otherwise. */
    uuid?: string;
  };

/** Free extras as CKAN keeps them: at most 100, each key 1–200 characters and unique, each value text, 150,000 characters in all. */
export const EXTRAS_MAX = 100;
export const EXTRA_KEY_MAX = 200;
export const EXTRA_VALUE_MAX = 10_000;
/** All extras together, as JSON text (the column's CHECK allows 200,000 characters of jsonb text). */
export const EXTRAS_TOTAL_MAX = 150_000;

/** The problem with a list of extras, in words, or null when it is a list CKAN would keep. */
export function extrasProblem(value: unknown): string | null {
  if (!Array.isArray(value)) return 'Must be a list of {"key": ..., "value": ...} dictionaries';
  if (value.length > EXTRAS_MAX) return `At most ${EXTRAS_MAX} extras`;
  const seen = new Set<string>();
  for (const [index, item] of value.entries()) {
    if (!item || typeof item !== 'object' || Array.isArray(item)) return `Item ${index} must be a dictionary`;
    const { key, value: text } = item as Record<string, unknown>;
    if (typeof key !== 'string' || !key.trim()) return `Item ${index}: key: Missing value`;
    if (key.length > EXTRA_KEY_MAX) return `Item ${index}: key: At most ${EXTRA_KEY_MAX} characters`;
    if (typeof text !== 'string') return `Item ${index} (${key}): value: Must be a string`;
    if (text.length > EXTRA_VALUE_MAX) return `Item ${index} (${key}): value: At most ${EXTRA_VALUE_MAX} characters`;
    if (seen.has(key)) return `Duplicate key "${key}"`;
    seen.add(key);
  }
  if (JSON.stringify(value).length > EXTRAS_TOTAL_MAX) return `At most ${EXTRAS_TOTAL_MAX} characters in all`;
  return null;
}

function list(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return [
    ...new Set(
      items
        .filter((v): v is string => typeof v === 'string')
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
}

function isoDate(check: Checker, field: string): string | null {
  const value = check.text(field, { max: 10 });
  if (!value) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    check.fail(field, 'validation.date');
    return null;
  }
  return value;
}

/** Checks a form or JSON body; `cityIds` are the cities the actor may publish for (null = any). */
export async function parseDatasetInput(
  db: Queryable,
  body: unknown,
  allowedCityIds: number[] | null,
): Promise<DatasetInput> {
  const check = new Checker(body);
  const input = (body ?? {}) as Record<string, unknown>;
  const name = check.text('name', { required: true, max: 100 }).toLowerCase();
  if (name && !/^[a-z0-9][a-z0-9_-]{1,99}$/.test(name)) check.fail('name', 'validation.dataset_name');
  const citySlug = check.text('city', { required: true, max: 80 });
  const themes = list(input.themes);
  const keywords = list(input.keywords).map((k) => k.slice(0, 60));
  if (themes.some((t) => !(THEMES as readonly string[]).includes(t))) check.fail('themes', 'validation.one_of');
  if (keywords.length > 30) check.fail('keywords', 'validation.too_many', { max: 30 });
  const dataset: DatasetInput = {
    name,
    city_id: 0,
    title_uk: check.text('title_uk', { required: true, max: 300 }),
    title_en: check.text('title_en', { max: 300 }),
    title_bg: check.text('title_bg', { max: 300 }),
    description_uk: check.text('description_uk', { max: 20000 }),
    description_en: check.text('description_en', { max: 20000 }),
    description_bg: check.text('description_bg', { max: 20000 }),
    // No licence given is none, as in CKAN (the web form offers one).
    license_id: check.oneOf('license_id', LICENCE_IDS, { required: false }),
    themes,
    keywords,
    frequency: check.oneOf('frequency', FREQUENCY_CODES, { required: false }) ?? 'UNKNOWN',
    contact_name: check.optionalText('contact_name', 200),
    contact_email: null,
    temporal_start: isoDate(check, 'temporal_start'),
    temporal_end: isoDate(check, 'temporal_end'),
    spatial: check.optionalText('spatial', 500),
    legal_basis: check.optionalText('legal_basis', 2000),
    purpose: check.optionalText('purpose', 2000),
  };
  if (check.text('contact_email', { max: 254 })) dataset.contact_email = check.email('contact_email');
  // The fields only the CKAN API sends: taken when present (null clears them), else left as they are.
  if (Object.hasOwn(input, 'author')) dataset.author = check.optionalText('author', 200);
  if (Object.hasOwn(input, 'author_email'))
    dataset.author_email = check.text('author_email', { max: 254 }) ? check.email('author_email') : null;
  if (Object.hasOwn(input, 'version')) dataset.version = check.optionalText('version', 100);
  if (Object.hasOwn(input, 'source_url')) dataset.source_url = check.optionalText('source_url', 2000);
  if (Object.hasOwn(input, 'extras')) {
    if (extrasProblem(input.extras)) check.fail('extras', 'validation.type_text');
    else dataset.extras = (input.extras as Extra[]).map(({ key, value }) => ({ key, value }));
  }
  if (dataset.temporal_start && dataset.temporal_end && dataset.temporal_end < dataset.temporal_start)
    check.fail('temporal_end', 'validation.period');
  if (citySlug) {
    const city = await db.one<{ id: number }>('SELECT id FROM cities WHERE slug = $1', [citySlug]);
    if (!city) check.fail('city', 'validation.one_of');
    else if (allowedCityIds !== null && !allowedCityIds.includes(city.id))
      check.fail('city', 'validation.not_your_city');
    else dataset.city_id = city.id;
  }
  check.done();
  return dataset;
}

const WRITE_COLUMNS = [
  'name',
  'city_id',
  'title_uk',
  'title_en',
  'title_bg',
  'description_uk',
  'description_en',
  'description_bg',
  'license_id',
  'themes',
  'keywords',
  'frequency',
  'contact_name',
  'contact_email',
  'temporal_start',
  'temporal_end',
  'spatial',
  'legal_basis',
  'purpose',
  ...CKAN_ONLY,
] as const;

/** A column's value as a query parameter (extras go as JSON text to their jsonb column). */
const columnValue = (input: DatasetInput, column: (typeof WRITE_COLUMNS)[number]) => {
  const value = input[column];
  if (column === 'extras') return JSON.stringify(value ?? []);
  return value ?? null;
};

function searchText(input: DatasetInput): string {
  return searchFold(
    [
      input.name,
      input.title_uk,
      input.title_en,
      input.title_bg,
      input.description_uk,
      input.description_en,
      input.description_bg,
      input.keywords.join(' '),
    ].join(' '),
  ).slice(0, 50_000);
}

/** The metadata as a plain object, for revisions and the audit log. */
function snapshot(dataset: Dataset | DatasetInput, state?: DatasetState): Record<string, unknown> {
  return { ...Object.fromEntries(WRITE_COLUMNS.map((c) => [c, dataset[c]])), ...(state ? { state } : {}) };
}

async function recordRevision(db: Queryable, actor: Actor, datasetId: number, note: string) {
  const dataset = (await db.one<Dataset>(`${DATASET_SELECT} WHERE d.id = $1`, [datasetId]))!;
  await db.query(
    'INSERT INTO dataset_revisions (dataset_id, actor_user_id, actor_label, note, snapshot) VALUES ($1, $2, $3, $4, $5)',
    [datasetId, actor.userId, actor.label, note, JSON.stringify(snapshot(dataset, dataset.state))],
  );
  return dataset;
}

export async function createDataset(
  db: Queryable,
  actor: Actor,
  input: DatasetInput,
  state: DatasetState = 'draft',
): Promise<Dataset> {
  await assertUnique(db, 'datasets', 'name', input.name, null);
  const values = [...WRITE_COLUMNS.map((c) => columnValue(input, c)), searchText(input), state, input.uuid ?? null];
  const row = (await db.one<{ id: number }>(
    `INSERT INTO datasets (${WRITE_COLUMNS.join(', ')}, search_text, state, uuid, published_at)
     VALUES (${values
       .slice(0, -1)
       .map((_, i) => `$${i + 1}`)
       .join(
         ', ',
       )}, coalesce($${values.length}::uuid, gen_random_uuid()), CASE WHEN $${values.length - 1} = 'published' THEN now() END) RETURNING id`,
    values,
  ))!;
  const dataset = await recordRevision(db, actor, row.id, 'created');
  await recordAudit(db, actor, 'dataset.create', 'dataset', row.id, null, snapshot(dataset, state));
  return dataset;
}

export async function updateDataset(
  db: Queryable,
  actor: Actor,
  before: Dataset,
  input: DatasetInput,
  note = 'metadata updated',
): Promise<Dataset> {
  await assertUnique(db, 'datasets', 'name', input.name, before.id);
  // A CKAN-only field the input does not carry keeps its value.
  const columns = WRITE_COLUMNS.filter((c) => input[c] !== undefined);
  const values = [...columns.map((c) => columnValue(input, c)), searchText(input), before.id];
  await db.query(
    `UPDATE datasets SET ${columns.map((c, i) => `${c} = $${i + 1}`).join(', ')}, search_text = $${values.length - 1}, modified_at = now()
     WHERE id = $${values.length}`,
    values,
  );
  const after = await recordRevision(db, actor, before.id, note);
  await recordAudit(
    db,
    actor,
    'dataset.update',
    'dataset',
    before.id,
    snapshot(before, before.state),
    snapshot(after, after.state),
  );
  return after;
}

export async function setDatasetState(
  db: Queryable,
  actor: Actor,
  before: Dataset,
  state: DatasetState,
): Promise<Dataset> {
  if (before.state === state) return before;
  await db.query(
    `UPDATE datasets SET state = $2, modified_at = now(), published_at = CASE WHEN $2 = 'published' THEN coalesce(published_at, now()) ELSE published_at END WHERE id = $1`,
    [before.id, state],
  );
  const after = await recordRevision(db, actor, before.id, `state: ${before.state} → ${state}`);
  await recordAudit(db, actor, 'dataset.state', 'dataset', before.id, { state: before.state }, { state });
  return after;
}

export interface ResourceInput {
  name: string;
  description: string;
  format: string;
  url: string;
}

export function parseResourceLink(body: unknown): ResourceInput {
  const check = new Checker(body);
  const url = check.url('url');
  if (!url) check.fail('url', 'validation.required');
  const resource = {
    name: check.text('name', { required: true, max: 300 }),
    description: check.text('description', { max: 5000 }),
    format: check.text('format', { max: 40 }).toUpperCase(),
    url: url ?? '',
  };
  if (!resource.format && url)
    resource.format = (/\.([a-z0-9]{1,8})(?:$|\?)/i.exec(new URL(url).pathname)?.[1] ?? '').toUpperCase();
  check.done();
  return resource;
}

export async function addResource(
  db: Queryable,
  actor: Actor,
  dataset: Dataset,
  input: ResourceInput,
  id: string = crypto.randomUUID(),
): Promise<Resource> {
  const resource = (await db.one<Resource>(
    `INSERT INTO resources (id, dataset_id, position, name, description, format, url)
     VALUES ($1, $2, (SELECT coalesce(max(position), -1) + 1 FROM resources WHERE dataset_id = $2), $3, $4, $5, $6)
     RETURNING id, dataset_id, position, name, description, format, url, file_name, size_bytes::float8 AS size_bytes, sha256,
       datastore_table IS NOT NULL AS datastore_active, created_at, modified_at`,
    [id, dataset.id, input.name, input.description, input.format, input.url],
  ))!;
  await db.query('UPDATE datasets SET data_updated_at = now(), modified_at = now() WHERE id = $1', [dataset.id]);
  await recordAudit(db, actor, 'resource.create', 'dataset', dataset.id, null, { resource: id, ...input });
  return resource;
}

const RESOURCE_RETURNING = `id, dataset_id, position, name, description, format, url, file_name, size_bytes::float8 AS size_bytes,
  sha256, datastore_table IS NOT NULL AS datastore_active, created_at, modified_at`;

/**
 * Changes a resource's metadata and, given a url, makes it that link (an uploaded file given a url
 * becomes a link). `position` moves it within its dataset. Fields left undefined keep their values.
 */
export async function updateResource(
  db: Queryable,
  actor: Actor,
  dataset: Dataset,
  resourceId: string,
  changes: Partial<ResourceInput> & { position?: number },
): Promise<Resource> {
  const before = await db.one<Resource>(
    `SELECT ${RESOURCE_RETURNING} FROM resources WHERE id = $1 AND dataset_id = $2 FOR UPDATE`,
    [resourceId, dataset.id],
  );
  if (!before) throw new NotFoundError(`resource ${resourceId}`);
  const after = (await db.one<Resource>(
    `UPDATE resources SET name = coalesce($3, name), description = coalesce($4, description), format = coalesce($5, format),
       position = coalesce($6, position), modified_at = now(),
       url = CASE WHEN $7 THEN $8 ELSE url END,
       file_name = CASE WHEN $7 THEN NULL ELSE file_name END, file_key = CASE WHEN $7 THEN NULL ELSE file_key END,
       size_bytes = CASE WHEN $7 THEN NULL ELSE size_bytes END, sha256 = CASE WHEN $7 THEN NULL ELSE sha256 END
     WHERE id = $1 AND dataset_id = $2 RETURNING ${RESOURCE_RETURNING}`,
    [
      resourceId,
      dataset.id,
      changes.name ?? null,
      changes.description ?? null,
      changes.format ?? null,
      changes.position ?? null,
      changes.url !== undefined,
      changes.url ?? null,
    ],
  ))!;
  await db.query('UPDATE datasets SET modified_at = now() WHERE id = $1', [dataset.id]);
  await recordAudit(
    db,
    actor,
    'resource.update',
    'dataset',
    dataset.id,
    { resource: before.id, name: before.name, description: before.description, format: before.format, url: before.url },
    { resource: after.id, name: after.name, description: after.description, format: after.format, url: after.url },
  );
  return after;
}

/**
 * Removes a resource: its row, its load jobs and its DataStore table go in the same transaction.
 * Returns the key of its uploaded file, for the caller to remove from the file store once the
 * transaction has committed (null for a link).
 */
export async function deleteResource(
  db: Queryable,
  actor: Actor,
  dataset: Dataset,
  resourceId: string,
): Promise<string | null> {
  const row = await db.one<{
    name: string;
    datastore_table: string | null;
    url: string | null;
    file_key: string | null;
  }>('DELETE FROM resources WHERE id = $1 AND dataset_id = $2 RETURNING name, datastore_table, url, file_key', [
    resourceId,
    dataset.id,
  ]);
  if (!row) throw new NotFoundError(`resource ${resourceId}`);
  const { file_key: fileKey, ...gone } = row;
  if (gone.datastore_table)
    await db.execScript(`DROP TABLE IF EXISTS datastore.${quoteIdentifier(gone.datastore_table)} CASCADE`);
  await db.query('UPDATE datasets SET data_updated_at = now(), modified_at = now() WHERE id = $1', [dataset.id]);
  await recordAudit(db, actor, 'resource.delete', 'dataset', dataset.id, { resource: resourceId, ...gone }, null);
  return fileKey;
}

/** For the city page: how much a city publishes, how much is overdue, and the mean quality. */
export async function cityOpenDataSummary(
  db: Queryable,
  cityId: number,
): Promise<{ count: number; overdue: number; quality: number | null }> {
  const datasets = await db.query<Dataset>(`${DATASET_SELECT} WHERE d.city_id = $1 AND d.state = 'published'`, [
    cityId,
  ]);
  const resources = await listResources(
    db,
    datasets.map((d) => d.id),
  );
  const scores = datasets.map(
    (d) =>
      qualityScore(
        d,
        resources.filter((r) => r.dataset_id === d.id),
      ).score,
  );
  return {
    count: datasets.length,
    overdue: datasets.filter((d) => isOverdue(d)).length,
    quality: scores.length ? Math.round(scores.reduce((a, b) => a + b, 0) / scores.length) : null,
  };
}
