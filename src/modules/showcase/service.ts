// The showcase: entries (apps, tools, visualisations, stories, APIs built on the cities' data),
// their review, the cities where they run (adoptions with dates) and the cities that want them
// (demand). Every change is audited. Who may do each thing is decided in policy.ts; the routes
// check it before calling here.
import type { Queryable } from '../../platform/db/index.ts';
import { likePattern } from '../../platform/db/index.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { Checker } from '../../platform/validate.ts';
import { LICENCES } from '../catalog/vocabularies.ts';
import { publishCityShowcaseDataset } from './open-data.ts';

export const ENTRY_KINDS = ['application', 'tool', 'visualisation', 'story', 'api'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];
export const STAGES = ['idea', 'prototype', 'pilot', 'in_service'] as const;
export type Stage = (typeof STAGES)[number];
export const LINK_KINDS = ['site', 'source', 'demo', 'docs', 'api', 'video', 'other'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];
export const STATUSES = ['pending', 'published', 'rejected'] as const;
export type EntryStatus = (typeof STATUSES)[number];

/**
 * Licences an entry may name: the catalog's data and content licences, and the common free
 * software licences by their SPDX identifiers (https://spdx.org/licenses/), for code.
 */
export const SHOWCASE_LICENCES: { id: string; title: string; url: string | null }[] = [
  ...LICENCES.map((l) => ({ id: l.id, title: l.title, url: l.url ?? null })),
  { id: 'MIT', title: 'MIT License', url: 'https://spdx.org/licenses/MIT.html' },
  { id: 'Apache-2.0', title: 'Apache License 2.0', url: 'https://spdx.org/licenses/Apache-2.0.html' },
  { id: 'BSD-3-Clause', title: 'BSD 3-Clause License', url: 'https://spdx.org/licenses/BSD-3-Clause.html' },
  { id: 'MPL-2.0', title: 'Mozilla Public License 2.0', url: 'https://spdx.org/licenses/MPL-2.0.html' },
  {
    id: 'GPL-3.0-or-later',
    title: 'GNU General Public License v3.0 or later',
    url: 'https://spdx.org/licenses/GPL-3.0-or-later.html',
  },
  {
    id: 'AGPL-3.0-or-later',
    title: 'GNU Affero General Public License v3.0 or later',
    url: 'https://spdx.org/licenses/AGPL-3.0-or-later.html',
  },
  { id: 'EUPL-1.2', title: 'European Union Public License 1.2', url: 'https://spdx.org/licenses/EUPL-1.2.html' },
];

export interface EntryAuthor {
  name: string;
  user_id: number | null;
  organization: { slug: string; name_uk: string; name_en: string; name_bg: string } | null;
}
export interface EntryLink {
  kind: LinkKind;
  url: string;
}
export interface EntryDataset {
  id: number;
  uuid: string;
  name: string;
  title_uk: string;
  title_en: string;
  title_bg: string;
  city_slug: string;
}
export interface CityRef {
  id: number;
  slug: string;
  name_uk: string;
  name_en: string;
  name_bg: string;
}
export interface Adoption extends CityRef {
  adoption_id: number;
  started_on: string;
  ended_on: string | null;
  note: string;
}
export interface EntryImage {
  id: number;
  alt: string;
  mime_type: string;
  size_bytes: number;
}

export interface Entry {
  id: number;
  uuid: string;
  name: string;
  kind: EntryKind;
  title: string;
  description: string;
  stage: Stage;
  license_id: string | null;
  datathon_event_id: number | null;
  datathon_title: string | null;
  status: EntryStatus;
  review_note: string;
  reviewed_at: Date | null;
  submitted_by: number | null;
  created_at: Date;
  updated_at: Date;
  author_user_ids: number[];
  authors: EntryAuthor[];
  links: EntryLink[];
  datasets: EntryDataset[];
  adoptions: Adoption[];
  demand: CityRef[];
  images: EntryImage[];
}

const SELECT_ENTRY = `SELECT e.*, ev.title AS datathon_title,
    coalesce((SELECT array_agg(a.user_id ORDER BY a.position) FROM showcase_entry_authors a WHERE a.entry_id = e.id AND a.user_id IS NOT NULL), '{}') AS author_user_ids,
    coalesce((SELECT json_agg(json_build_object('name', a.name, 'user_id', a.user_id, 'organization',
        CASE WHEN o.id IS NULL THEN NULL ELSE json_build_object('slug', o.slug, 'name_uk', o.name_uk, 'name_en', o.name_en, 'name_bg', o.name_bg) END) ORDER BY a.position)
      FROM showcase_entry_authors a LEFT JOIN organizations o ON o.id = a.organization_id WHERE a.entry_id = e.id), '[]') AS authors,
    coalesce((SELECT json_agg(json_build_object('kind', l.kind, 'url', l.url) ORDER BY l.position)
      FROM showcase_entry_links l WHERE l.entry_id = e.id), '[]') AS links,
    coalesce((SELECT json_agg(json_build_object('id', d.id, 'uuid', d.uuid, 'name', d.name, 'title_uk', d.title_uk, 'title_en', d.title_en, 'title_bg', d.title_bg, 'city_slug', c.slug) ORDER BY d.name)
      FROM showcase_entry_datasets sd JOIN datasets d ON d.id = sd.dataset_id JOIN cities c ON c.id = d.city_id
      WHERE sd.entry_id = e.id AND d.state = 'published'), '[]') AS datasets,
    coalesce((SELECT json_agg(json_build_object('adoption_id', ad.id, 'id', c.id, 'slug', c.slug, 'name_uk', c.name_uk, 'name_en', c.name_en, 'name_bg', c.name_bg,
        'started_on', ad.started_on, 'ended_on', ad.ended_on, 'note', ad.note) ORDER BY ad.started_on, ad.id)
      FROM showcase_adoptions ad JOIN cities c ON c.id = ad.city_id WHERE ad.entry_id = e.id), '[]') AS adoptions,
    coalesce((SELECT json_agg(json_build_object('id', c.id, 'slug', c.slug, 'name_uk', c.name_uk, 'name_en', c.name_en, 'name_bg', c.name_bg) ORDER BY c.sort_key_uk)
      FROM showcase_demand dm JOIN cities c ON c.id = dm.city_id WHERE dm.entry_id = e.id), '[]') AS demand,
    coalesce((SELECT json_agg(json_build_object('id', i.id, 'alt', i.alt, 'mime_type', i.mime_type, 'size_bytes', i.size_bytes) ORDER BY i.id)
      FROM showcase_entry_images i WHERE i.entry_id = e.id), '[]') AS images
  FROM showcase_entries e LEFT JOIN community_events ev ON ev.id = e.datathon_event_id`;

const RESERVED_NAMES = ['new', 'review', 'wanted'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An entry by its number, its name or its uuid (as CKAN takes "id or name"); undefined when none. */
export async function findEntry(db: Queryable, key: number | string): Promise<Entry | undefined> {
  if (typeof key === 'number') return db.one<Entry>(`${SELECT_ENTRY} WHERE e.id = $1`, [key]);
  if (UUID.test(key)) return db.one<Entry>(`${SELECT_ENTRY} WHERE e.uuid = $1::uuid`, [key]);
  return db.one<Entry>(`${SELECT_ENTRY} WHERE e.name = $1`, [key]);
}

export async function getEntry(db: Queryable, key: number | string): Promise<Entry> {
  const entry = await findEntry(db, key);
  if (!entry) throw new NotFoundError(`showcase entry ${key}`);
  return entry;
}

export interface EntryFilter {
  kind?: EntryKind;
  stage?: Stage;
  /** Entries adopted (now or before) in this city. */
  adoptedInCityId?: number;
  /** Entries this city wants. */
  wantedByCityId?: number;
  datasetId?: number;
  q?: string;
  /** Published only, unless given. */
  status?: EntryStatus;
  limit: number;
  offset: number;
}

export async function listEntries(db: Queryable, filter: EntryFilter): Promise<{ items: Entry[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  where.push(`e.status = $${params.push(filter.status ?? 'published')}`);
  if (filter.kind) where.push(`e.kind = $${params.push(filter.kind)}`);
  if (filter.stage) where.push(`e.stage = $${params.push(filter.stage)}`);
  if (filter.adoptedInCityId !== undefined)
    where.push(
      `EXISTS (SELECT 1 FROM showcase_adoptions ad WHERE ad.entry_id = e.id AND ad.city_id = $${params.push(filter.adoptedInCityId)})`,
    );
  if (filter.wantedByCityId !== undefined)
    where.push(
      `EXISTS (SELECT 1 FROM showcase_demand dm WHERE dm.entry_id = e.id AND dm.city_id = $${params.push(filter.wantedByCityId)})`,
    );
  if (filter.datasetId !== undefined)
    where.push(
      `EXISTS (SELECT 1 FROM showcase_entry_datasets sd WHERE sd.entry_id = e.id AND sd.dataset_id = $${params.push(filter.datasetId)})`,
    );
  if (filter.q)
    where.push(
      `lower(e.title || ' ' || e.description) LIKE $${params.push(`%${likePattern(filter.q.toLowerCase())}%`)}`,
    );
  const whereSql = `WHERE ${where.join(' AND ')}`;
  const items = await db.query<Entry>(
    `${SELECT_ENTRY} ${whereSql}
     ORDER BY (SELECT count(DISTINCT ad.city_id) FROM showcase_adoptions ad WHERE ad.entry_id = e.id) DESC, e.updated_at DESC, e.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, filter.limit, filter.offset],
  );
  const count = await db.one<{ total: number }>(
    `SELECT count(*)::int AS total FROM showcase_entries e ${whereSql}`,
    params,
  );
  return { items, total: count!.total };
}

/** How many published entries use each of these datasets. */
export async function entryCounts(db: Queryable, datasetIds: number[]): Promise<Map<number, number>> {
  const rows = await db.query<{ dataset_id: number; n: number }>(
    `SELECT sd.dataset_id, count(*)::int AS n FROM showcase_entry_datasets sd
     JOIN showcase_entries e ON e.id = sd.entry_id AND e.status = 'published'
     WHERE sd.dataset_id = ANY($1::int[]) GROUP BY sd.dataset_id`,
    [datasetIds],
  );
  return new Map(rows.map((r) => [r.dataset_id, r.n]));
}

/** Demand across the network: each city that wants at least one published entry, with how many. */
export async function demandByCity(db: Queryable): Promise<(CityRef & { wanted: number; adopted: number })[]> {
  return db.query(
    `SELECT c.id, c.slug, c.name_uk, c.name_en, c.name_bg, count(*)::int AS wanted,
       (SELECT count(DISTINCT ad.entry_id)::int FROM showcase_adoptions ad JOIN showcase_entries e2 ON e2.id = ad.entry_id
        WHERE ad.city_id = c.id AND e2.status = 'published') AS adopted
     FROM showcase_demand dm JOIN showcase_entries e ON e.id = dm.entry_id AND e.status = 'published'
     JOIN cities c ON c.id = dm.city_id
     GROUP BY c.id ORDER BY wanted DESC, c.sort_key_uk`,
  );
}

// ---- Submitting and editing ----

export interface EntryInput {
  name: string;
  kind: EntryKind;
  title: string;
  description: string;
  stage: Stage;
  license_id: string | null;
  datathon_event_id: number | null;
  dataset_ids: number[];
  links: EntryLink[];
  authors: { name: string; user_id: number | null; organization_id: number | null }[];
}

function lines(value: unknown): string[] {
  const text = Array.isArray(value) ? value.map(String).join('\n') : typeof value === 'string' ? value : '';
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Dataset names given as words or lines; a dataset page's address is taken for its name. */
function datasetNames(value: unknown): string[] {
  const items = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(/[\s,;]+/) : [];
  return [
    ...new Set(
      items
        .map((item) => item.trim())
        .filter(Boolean)
        .map((item) => /\/datasets?\/([a-z0-9_-]+)/i.exec(item)?.[1] ?? item)
        .map((item) => item.toLowerCase()),
    ),
  ];
}

/**
 * Reads an entry from a form or a JSON body. `submitter`: on a new entry, the account that
 * submits it is added as its first author (under its display name) when `i_am_author` is set.
 */
export async function parseEntryInput(
  db: Queryable,
  body: unknown,
  submitter: { id: number; displayName: string } | null,
  exceptId: number | null = null,
): Promise<EntryInput> {
  const check = new Checker(body);
  const input = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const name = check.text('name', { required: true, max: 100 }).toLowerCase();
  // The list's own addresses (/showcase/new, /showcase/review, /showcase/wanted) are no entry's name.
  if (name && (!/^[a-z0-9][a-z0-9_-]{1,99}$/.test(name) || RESERVED_NAMES.includes(name)))
    check.fail('name', 'showcase.error.name');
  else if (name) {
    const taken = await db.one<{ id: number }>('SELECT id FROM showcase_entries WHERE name = $1', [name]);
    if (taken && taken.id !== exceptId) check.fail('name', 'validation.slug_taken');
  }
  const kind = check.oneOf('kind', ENTRY_KINDS) ?? 'application';
  const title = check.text('title', { required: true, max: 200 });
  const description = check.text('description', { max: 20000 });
  const stage = check.oneOf('stage', STAGES) ?? 'idea';
  const licence = check.text('license_id', { max: 100 });
  if (licence && !SHOWCASE_LICENCES.some((l) => l.id === licence)) check.fail('license_id', 'validation.one_of');
  let datathon: number | null = null;
  const datathonText = check.text('datathon', { max: 20 });
  if (datathonText) {
    const id = Number(datathonText);
    const event =
      Number.isInteger(id) && id > 0 && id <= 2_147_483_647
        ? await db.one<{ id: number }>("SELECT id FROM community_events WHERE id = $1 AND kind = 'datathon'", [id])
        : undefined;
    if (event) datathon = event.id;
    else check.fail('datathon', 'showcase.error.datathon');
  }
  const names = datasetNames(input.datasets);
  let datasetIds: number[] = [];
  if (names.length > 50) check.fail('datasets', 'showcase.error.too_many', { max: 50 });
  else if (names.length) {
    const found = await db.query<{ id: number; name: string }>(
      "SELECT id, name FROM datasets WHERE name = ANY($1::text[]) AND state = 'published'",
      [names],
    );
    const unknown = names.filter((n) => !found.some((d) => d.name === n));
    if (unknown.length)
      check.fail('datasets', 'showcase.error.unknown_datasets', { names: unknown.slice(0, 5).join(', ') });
    datasetIds = found.map((d) => d.id);
  }
  const links: EntryLink[] = [];
  const linkLines = lines(input.links);
  if (linkLines.length > 20) check.fail('links', 'showcase.error.too_many', { max: 20 });
  linkLines.slice(0, 20).forEach((line, index) => {
    const match = /^(?:([a-z]+)\s+)?(\S+)$/.exec(line);
    const kind = (match?.[1] ?? 'site') as LinkKind;
    let url: URL | null = null;
    try {
      url = match ? new URL(match[2]!) : null;
    } catch {
      url = null;
    }
    if (
      !match ||
      !LINK_KINDS.includes(kind) ||
      !url ||
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.toString().length > 500
    )
      check.fail('links', 'showcase.error.link_line', { line: index + 1 });
    else links.push({ kind, url: url.toString() });
  });
  const authors: EntryInput['authors'] = [];
  const mine = input.i_am_author === 'on' || input.i_am_author === true || input.i_am_author === 'true';
  if (submitter && mine) authors.push({ name: submitter.displayName, user_id: submitter.id, organization_id: null });
  const authorLines = lines(input.authors);
  if (authorLines.length > 30) check.fail('authors', 'showcase.error.too_many', { max: 30 });
  for (const [index, line] of authorLines.slice(0, 30).entries()) {
    const [personName = '', orgSlug = ''] = line.split('|').map((part) => part.trim());
    if (!personName || personName.length > 200) {
      check.fail('authors', 'showcase.error.author_line', { line: index + 1 });
      continue;
    }
    let organizationId: number | null = null;
    if (orgSlug) {
      const organization = await db.one<{ id: number }>('SELECT id FROM organizations WHERE slug = $1', [
        orgSlug.toLowerCase(),
      ]);
      if (!organization) {
        check.fail('authors', 'showcase.error.author_organization', { line: index + 1, slug: orgSlug });
        continue;
      }
      organizationId = organization.id;
    }
    authors.push({ name: personName, user_id: null, organization_id: organizationId });
  }
  check.done();
  return {
    name,
    kind,
    title,
    description,
    stage,
    license_id: licence || null,
    datathon_event_id: datathon,
    dataset_ids: datasetIds,
    links,
    authors,
  };
}

type Transactional = Queryable & { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> };

async function saveParts(tx: Queryable, entryId: number, input: EntryInput, keepAccountAuthors: boolean) {
  await tx.query('DELETE FROM showcase_entry_datasets WHERE entry_id = $1', [entryId]);
  await tx.query('INSERT INTO showcase_entry_datasets (entry_id, dataset_id) SELECT $1, unnest($2::int[])', [
    entryId,
    input.dataset_ids,
  ]);
  await tx.query('DELETE FROM showcase_entry_links WHERE entry_id = $1', [entryId]);
  for (const [position, link] of input.links.entries())
    await tx.query('INSERT INTO showcase_entry_links (entry_id, position, kind, url) VALUES ($1, $2, $3, $4)', [
      entryId,
      position,
      link.kind,
      link.url,
    ]);
  // Authors linked to accounts are kept on edit (the form edits only the named ones), so an
  // author cannot be dropped from their own entry by a co-author's edit of the names.
  await tx.query(
    `DELETE FROM showcase_entry_authors WHERE entry_id = $1${keepAccountAuthors ? ' AND user_id IS NULL' : ''}`,
    [entryId],
  );
  const base = await tx.one<{ n: number }>(
    'SELECT coalesce(max(position) + 1, 0)::int AS n FROM showcase_entry_authors WHERE entry_id = $1',
    [entryId],
  );
  for (const [index, author] of input.authors.entries())
    await tx.query(
      'INSERT INTO showcase_entry_authors (entry_id, position, name, user_id, organization_id) VALUES ($1, $2, $3, $4, $5)',
      [entryId, base!.n + index, author.name, author.user_id, author.organization_id],
    );
}

const ENTRY_COLUMNS = ['name', 'kind', 'title', 'description', 'stage', 'license_id', 'datathon_event_id'] as const;

export async function createEntry(db: Transactional, actor: Actor, input: EntryInput): Promise<Entry> {
  return db.transaction(async (tx) => {
    const row = await tx.one<{ id: number }>(
      `INSERT INTO showcase_entries (${ENTRY_COLUMNS.join(', ')}, submitted_by)
       VALUES (${ENTRY_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}, $${ENTRY_COLUMNS.length + 1}) RETURNING id`,
      [...ENTRY_COLUMNS.map((c) => input[c]), actor.userId],
    );
    await saveParts(tx, row!.id, input, false);
    await recordAudit(tx, actor, 'showcase.entry.submit', 'showcase_entry', row!.id, null, input);
    return getEntry(tx, row!.id);
  });
}

/**
 * Only the named (not account-linked) authors come from the form; linked ones stay. A rejected
 * entry that its authors change goes back to the admins' review queue.
 */
export async function updateEntry(db: Transactional, actor: Actor, id: number, input: EntryInput): Promise<Entry> {
  return db.transaction(async (tx) => {
    const before = await tx.one('SELECT * FROM showcase_entries WHERE id = $1 FOR UPDATE', [id]);
    if (!before) throw new NotFoundError(`showcase entry ${id}`);
    await tx.query(
      `UPDATE showcase_entries SET ${ENTRY_COLUMNS.map((c, i) => `${c} = $${i + 2}`).join(', ')}, updated_at = now(),
       status = CASE WHEN status = 'rejected' THEN 'pending' ELSE status END WHERE id = $1`,
      [id, ...ENTRY_COLUMNS.map((c) => input[c])],
    );
    await saveParts(tx, id, input, true);
    await recordAudit(tx, actor, 'showcase.entry.update', 'showcase_entry', id, before, input);
    return getEntry(tx, id);
  });
}

/** An admin's decision: publish, or reject with a note saying why. */
export async function reviewEntry(
  db: Queryable,
  actor: Actor,
  id: number,
  body: unknown,
  now: Date,
): Promise<EntryStatus> {
  const check = new Checker(body);
  const decision = check.oneOf('decision', ['published', 'rejected'] as const);
  const note = check.text('review_note', { max: 2000, required: decision === 'rejected' });
  check.done();
  const before = await db.one<{ status: string }>('SELECT status, review_note FROM showcase_entries WHERE id = $1', [
    id,
  ]);
  if (!before) throw new NotFoundError(`showcase entry ${id}`);
  await db.query(
    'UPDATE showcase_entries SET status = $2, review_note = $3, reviewed_by = $4, reviewed_at = $5 WHERE id = $1',
    [id, decision, note, actor.userId, now],
  );
  await recordAudit(db, actor, 'showcase.entry.review', 'showcase_entry', id, before, {
    status: decision,
    review_note: note,
  });
  return decision!;
}

// ---- Adoption and demand (checked against policy.ts by the caller) ----

const DATE = /^\d{4}-\d{2}-\d{2}$/;
function dateField(check: Checker, field: string, required: boolean): string | null {
  const text = check.text(field, { required, max: 10 });
  if (!text) return null;
  const date = new Date(`${text}T00:00:00Z`);
  if (!DATE.test(text) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) {
    check.fail(field, 'showcase.error.date');
    return null;
  }
  return text;
}

export interface AdoptionInput {
  started_on: string;
  ended_on: string | null;
  note: string;
}

export function parseAdoptionInput(body: unknown): AdoptionInput {
  const check = new Checker(body);
  const started = dateField(check, 'started_on', true);
  const ended = dateField(check, 'ended_on', false);
  const note = check.text('note', { max: 500 });
  if (started && ended && ended < started) check.fail('ended_on', 'showcase.error.ended_before_start');
  check.done();
  return { started_on: started!, ended_on: ended, note };
}

/** The entry must be published before a city marks it: a pending one is not public. */
function assertPublished(entry: Pick<Entry, 'status'>): void {
  if (entry.status !== 'published')
    throw new ValidationError([{ field: 'city', message: 'showcase.error.not_published' }], 409);
}

export async function addAdoption(
  db: Queryable,
  actor: Actor,
  entry: Pick<Entry, 'id' | 'status'>,
  cityId: number,
  input: AdoptionInput,
): Promise<number> {
  assertPublished(entry);
  const row = await db.one<{ id: number }>(
    `INSERT INTO showcase_adoptions (entry_id, city_id, started_on, ended_on, note, created_by)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [entry.id, cityId, input.started_on, input.ended_on, input.note, actor.userId],
  );
  // Running there answers the city's wish for it.
  await db.query('DELETE FROM showcase_demand WHERE entry_id = $1 AND city_id = $2', [entry.id, cityId]);
  await db.query('UPDATE showcase_entries SET updated_at = now() WHERE id = $1', [entry.id]);
  await publishCityShowcaseDataset(db, actor, cityId);
  await recordAudit(db, actor, 'showcase.adoption.add', 'showcase_entry', entry.id, null, {
    city_id: cityId,
    ...input,
  });
  return row!.id;
}

/** An adoption of the entry, with its city (for the policy check); undefined when none. */
export async function findAdoption(
  db: Queryable,
  entryId: number,
  adoptionId: number,
): Promise<{ id: number; city_id: number; started_on: string; ended_on: string | null } | undefined> {
  return db.one(
    `SELECT id, city_id, to_char(started_on, 'YYYY-MM-DD') AS started_on, to_char(ended_on, 'YYYY-MM-DD') AS ended_on
     FROM showcase_adoptions WHERE id = $1 AND entry_id = $2`,
    [adoptionId, entryId],
  );
}

export async function removeAdoption(
  db: Queryable,
  actor: Actor,
  entryId: number,
  adoption: { id: number; city_id: number; started_on: string; ended_on: string | null },
): Promise<void> {
  await db.query('DELETE FROM showcase_adoptions WHERE id = $1', [adoption.id]);
  await recordAudit(db, actor, 'showcase.adoption.remove', 'showcase_entry', entryId, adoption, null);
}

export async function setDemand(
  db: Queryable,
  actor: Actor,
  entry: Pick<Entry, 'id' | 'status'>,
  cityId: number,
  want: boolean,
): Promise<void> {
  if (want) {
    assertPublished(entry);
    const added = await db.query(
      `INSERT INTO showcase_demand (entry_id, city_id, marked_by) VALUES ($1, $2, $3)
       ON CONFLICT (entry_id, city_id) DO NOTHING RETURNING entry_id`,
      [entry.id, cityId, actor.userId],
    );
    if (added.length) await publishCityShowcaseDataset(db, actor, cityId);
    if (added.length)
      await recordAudit(db, actor, 'showcase.demand.add', 'showcase_entry', entry.id, null, { city_id: cityId });
  } else {
    const removed = await db.query(
      'DELETE FROM showcase_demand WHERE entry_id = $1 AND city_id = $2 RETURNING entry_id',
      [entry.id, cityId],
    );
    if (removed.length)
      await recordAudit(db, actor, 'showcase.demand.remove', 'showcase_entry', entry.id, { city_id: cityId }, null);
  }
}

// ---- Images ----

export const MAX_IMAGES = 10;

export async function addImage(
  db: Queryable,
  actor: Actor,
  entryId: number,
  image: { alt: string; file_key: string; mime_type: string; size_bytes: number },
): Promise<number | null> {
  // Counted under the entry's row lock: uploads sent side by side (or through several servers)
  // would each see room for one more and pass the limit together.
  await db.query('SELECT 1 FROM showcase_entries WHERE id = $1 FOR UPDATE', [entryId]);
  const count = await db.one<{ n: number }>(
    'SELECT count(*)::int AS n FROM showcase_entry_images WHERE entry_id = $1',
    [entryId],
  );
  if (count!.n >= MAX_IMAGES) return null;
  const row = await db.one<{ id: number }>(
    `INSERT INTO showcase_entry_images (entry_id, alt, file_key, mime_type, size_bytes)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [entryId, image.alt, image.file_key, image.mime_type, image.size_bytes],
  );
  await db.query('UPDATE showcase_entries SET updated_at = now() WHERE id = $1', [entryId]);
  await recordAudit(db, actor, 'showcase.image.add', 'showcase_entry', entryId, null, {
    image_id: row!.id,
    alt: image.alt,
    size_bytes: image.size_bytes,
  });
  return row!.id;
}

/** Removes the image's row and returns its file's key (the caller removes the file). */
export async function removeImage(
  db: Queryable,
  actor: Actor,
  entryId: number,
  imageId: number,
): Promise<string | null> {
  const row = await db.one<{ file_key: string; alt: string }>(
    'DELETE FROM showcase_entry_images WHERE id = $1 AND entry_id = $2 RETURNING file_key, alt',
    [imageId, entryId],
  );
  if (!row) return null;
  await recordAudit(
    db,
    actor,
    'showcase.image.remove',
    'showcase_entry',
    entryId,
    { image_id: imageId, alt: row.alt },
    null,
  );
  return row.file_key;
}
