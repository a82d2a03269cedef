// Cities (the tenants of the platform) and oblasts: queries and changes, with the audit log.
import { isKatottg } from '../open-budget/city-codes.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { likePattern } from '../../platform/db/index.ts';
import { collationKey, searchFold } from '../../platform/i18n/collation.ts';
import { LOCALES, type Locale } from '../../platform/i18n/locales.ts';
import { Checker, assertUnique } from '../../platform/validate.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';

export interface Oblast {
  slug: string;
  name_uk: string;
  name_en: string;
  name_bg: string;
  /** ISO 3166-2 (UA-46): joins the region to geo/ukraine-oblasts.geojson. */
  iso_code: string | null;
}

export interface City {
  id: number;
  slug: string;
  name_uk: string;
  name_en: string;
  name_bg: string;
  oblast_slug: string;
  population: number | null;
  latitude: number | null;
  longitude: number | null;
  website: string | null;
  katottg: string | null;
  edrpou: string | null;
  updated_at: Date;
  /** The logo in the file store (PNG, or SVG as sanitised), its type and SHA-256; null when none. */
  logo_key: string | null;
  logo_type: 'image/png' | 'image/svg+xml' | null;
  logo_sha256: string | null;
  /** #rrggbb with at least 4.5:1 contrast on white, or null. */
  accent_color: string | null;
}

export const CITY_SORTS = ['name', '-name', 'population', '-population'] as const;
export type CitySort = (typeof CITY_SORTS)[number];

export interface CityQuery {
  q?: string;
  oblast?: string;
  sort?: CitySort;
  locale: Locale;
  limit: number;
  offset: number;
}

const CITY_COLUMNS =
  'id, slug, name_uk, name_en, name_bg, oblast_slug, population, latitude, longitude, website, katottg, edrpou, updated_at, logo_key, logo_type, logo_sha256, accent_color';

export function localName(row: { name_uk: string; name_en: string; name_bg: string }, locale: Locale): string {
  return row[`name_${locale}`];
}

// Oblasts are reference data that only a migration changes, and migrations run before the
// app serves: each process reads and sorts them once per database and locale.
const oblastCache = new WeakMap<Queryable, Map<Locale, Promise<Oblast[]>>>();

export function listOblasts(db: Queryable, locale: Locale): Promise<Oblast[]> {
  let byLocale = oblastCache.get(db);
  if (!byLocale) oblastCache.set(db, (byLocale = new Map()));
  let sorted = byLocale.get(locale);
  if (!sorted) {
    sorted = db.query<Oblast>('SELECT slug, name_uk, name_en, name_bg, iso_code FROM oblasts').then((rows) => {
      const keyed = rows.map((oblast) => ({ oblast, key: collationKey(localName(oblast, locale), locale) }));
      return keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((k) => k.oblast);
    });
    byLocale.set(locale, sorted);
    sorted.catch(() => byLocale.delete(locale));
  }
  return sorted;
}

export async function listCities(db: Queryable, query: CityQuery): Promise<{ items: City[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.q) {
    params.push(likePattern(searchFold(query.q)));
    where.push(`search_text LIKE $${params.length}`);
  }
  if (query.oblast) {
    params.push(query.oblast);
    where.push(`oblast_slug = $${params.length}`);
  }
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  // Sort columns come from this fixed map, never from the request text.
  const nameKey = `sort_key_${query.locale} COLLATE "C"`;
  const order: Record<CitySort, string> = {
    name: `${nameKey} ASC, id`,
    '-name': `${nameKey} DESC, id`,
    population: `population ASC NULLS LAST, id`,
    '-population': `population DESC NULLS LAST, id`,
  };
  params.push(query.limit, query.offset);
  // The window count gives the total in the same round trip as the page.
  const rows = await db.query<City & { total_count: number }>(
    `SELECT ${CITY_COLUMNS}, count(*) OVER ()::int AS total_count FROM cities ${whereSql} ORDER BY ${order[query.sort ?? 'name']}
     LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  if (rows.length === 0 && query.offset > 0) {
    const count = await db.one<{ total: number }>(
      `SELECT count(*)::int AS total FROM cities ${whereSql}`,
      params.slice(0, -2),
    );
    return { items: [], total: count!.total };
  }
  const total = rows[0]?.total_count ?? 0;
  return { items: rows.map(({ total_count: _, ...city }) => city), total };
}

export async function getCity(db: Queryable, slug: string): Promise<City> {
  const city = await db.one<City>(`SELECT ${CITY_COLUMNS} FROM cities WHERE slug = $1`, [slug]);
  if (!city) throw new NotFoundError(`city ${slug}`);
  return city;
}

export async function countCities(db: Queryable): Promise<number> {
  return (await db.one<{ total: number }>('SELECT count(*)::int AS total FROM cities'))!.total;
}

export type CityInput = Omit<City, 'id' | 'updated_at' | 'logo_key' | 'logo_type' | 'logo_sha256' | 'accent_color'>;

/** Checks a form or JSON body and returns a clean city, or throws naming each bad field. */
export async function parseCityInput(db: Queryable, body: unknown): Promise<CityInput> {
  const check = new Checker(body);
  const input: CityInput = {
    slug: check.slug('slug'),
    name_uk: check.text('name_uk', { required: true, max: 200 }),
    name_en: check.text('name_en', { required: true, max: 200 }),
    name_bg: check.text('name_bg', { required: true, max: 200 }),
    oblast_slug: check.text('oblast_slug', { required: true, max: 80 }),
    population: check.number('population', { min: 0, max: 50_000_000, integer: true }),
    latitude: check.number('latitude', { min: -90, max: 90 }),
    longitude: check.number('longitude', { min: -180, max: 180 }),
    website: check.url('website'),
    katottg: check.optionalText('katottg', 40),
    edrpou: check.optionalText('edrpou', 20),
  };
  if (input.oblast_slug && !(await db.one('SELECT 1 FROM oblasts WHERE slug = $1', [input.oblast_slug]))) {
    check.fail('oblast_slug', 'validation.one_of');
  }
  // КАТОТТГ: "UA" and 17 digits (the table checks it too, since migration 0045).
  if (input.katottg && !isKatottg(input.katottg)) check.fail('katottg', 'budgetRef.codes.error.katottg');
  if ((input.latitude === null) !== (input.longitude === null)) {
    check.fail(input.latitude === null ? 'latitude' : 'longitude', 'validation.coordinates_pair');
  }
  check.done();
  return input;
}

function derivedColumns(input: CityInput): unknown[] {
  const keys = LOCALES.map((locale) => collationKey(input[`name_${locale}`], locale));
  const search = searchFold([input.name_uk, input.name_en, input.name_bg, input.slug].join(' '));
  return [...keys, search];
}

const WRITE_COLUMNS = [
  'slug',
  'name_uk',
  'name_en',
  'name_bg',
  'oblast_slug',
  'population',
  'latitude',
  'longitude',
  'website',
  'katottg',
  'edrpou',
  'sort_key_uk',
  'sort_key_en',
  'sort_key_bg',
  'search_text',
] as const;

function writeValues(input: CityInput): unknown[] {
  return [
    input.slug,
    input.name_uk,
    input.name_en,
    input.name_bg,
    input.oblast_slug,
    input.population,
    input.latitude,
    input.longitude,
    input.website,
    input.katottg,
    input.edrpou,
    ...derivedColumns(input),
  ];
}

function auditView(city: City | CityInput) {
  const { slug, name_uk, name_en, name_bg, oblast_slug, population, latitude, longitude, website, katottg, edrpou } =
    city;
  return { slug, name_uk, name_en, name_bg, oblast_slug, population, latitude, longitude, website, katottg, edrpou };
}

export async function createCity(db: Queryable, actor: Actor, input: CityInput): Promise<City> {
  await assertUnique(db, 'cities', 'slug', input.slug, null);
  const placeholders = WRITE_COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
  const city = (await db.one<City>(
    `INSERT INTO cities (${WRITE_COLUMNS.join(', ')}) VALUES (${placeholders}) RETURNING ${CITY_COLUMNS}`,
    writeValues(input),
  ))!;
  await recordAudit(db, actor, 'city.create', 'city', city.id, null, auditView(city));
  return city;
}

export async function updateCity(db: Queryable, actor: Actor, slug: string, input: CityInput): Promise<City> {
  const before = await getCity(db, slug);
  await assertUnique(db, 'cities', 'slug', input.slug, before.id);
  const assignments = WRITE_COLUMNS.map((column, i) => `${column} = $${i + 1}`).join(', ');
  const city = (await db.one<City>(
    `UPDATE cities SET ${assignments}, updated_at = now() WHERE id = $${WRITE_COLUMNS.length + 1} RETURNING ${CITY_COLUMNS}`,
    [...writeValues(input), before.id],
  ))!;
  await recordAudit(db, actor, 'city.update', 'city', city.id, auditView(before), auditView(city));
  return city;
}

export async function deleteCity(db: Queryable, actor: Actor, slug: string): Promise<void> {
  const before = await getCity(db, slug);
  await db.query('DELETE FROM cities WHERE id = $1', [before.id]);
  await recordAudit(db, actor, 'city.delete', 'city', before.id, auditView(before), null);
}

export interface CityBrandChange {
  /** A new logo, null to remove it, undefined to keep it. */
  logo?: { key: string; type: 'image/png' | 'image/svg+xml'; sha256: string } | null;
  accent: string | null;
}

/** Sets a city's logo and accent colour (audited); returns the key of a logo it replaced, to remove once committed. */
export async function setCityBrand(
  db: Queryable,
  actor: Actor,
  cityId: number,
  change: CityBrandChange,
): Promise<string | null> {
  const before = await db.one<Pick<City, 'logo_key' | 'logo_type' | 'logo_sha256' | 'accent_color'>>(
    'SELECT logo_key, logo_type, logo_sha256, accent_color FROM cities WHERE id = $1 FOR UPDATE',
    [cityId],
  );
  if (!before) throw new NotFoundError('no such city');
  const logo =
    change.logo === undefined
      ? { key: before.logo_key, type: before.logo_type, sha256: before.logo_sha256 }
      : (change.logo ?? { key: null, type: null, sha256: null });
  await db.query(
    'UPDATE cities SET logo_key = $2, logo_type = $3, logo_sha256 = $4, accent_color = $5, updated_at = now() WHERE id = $1',
    [cityId, logo.key, logo.type, logo.sha256, change.accent],
  );
  const view = (l: { type: string | null; sha256: string | null }, accent: string | null) => ({
    logo_type: l.type,
    logo_sha256: l.sha256,
    accent_color: accent,
  });
  await recordAudit(
    db,
    actor,
    'city.brand',
    'city',
    cityId,
    view({ type: before.logo_type, sha256: before.logo_sha256 }, before.accent_color),
    view(logo, change.accent),
  );
  return before.logo_key !== null && before.logo_key !== logo.key ? before.logo_key : null;
}
