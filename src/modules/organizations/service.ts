// Organisations: city councils, civil-society organisations (CSOs) and the platform operator.
import { assertEdrpouFree, isEdrpou } from '../open-budget/city-codes.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { Checker, assertUnique } from '../../platform/validate.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import { rematchCities } from '../procurement/import.ts';

// A budget institution (a school, a hospital, a utility) belongs to a city council (parent_id): its
// purchases count as the city's (procurement matches buyers by ЄДРПОУ).
export const ORGANIZATION_KINDS = ['city_council', 'cso', 'operator', 'budget_institution'] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];

export interface Organization {
  id: number;
  slug: string;
  kind: OrganizationKind;
  name_uk: string;
  name_en: string;
  name_bg: string;
  city_id: number | null;
  city_slug: string | null;
  website: string | null;
  edrpou: string | null;
  /** The city council a budget institution belongs to. */
  parent_id: number | null;
  parent_slug: string | null;
}

const SELECT = `SELECT o.id, o.slug, o.kind, o.name_uk, o.name_en, o.name_bg, o.city_id, c.slug AS city_slug, o.website, o.edrpou,
  o.parent_id, parent.slug AS parent_slug
  FROM organizations o LEFT JOIN cities c ON c.id = o.city_id LEFT JOIN organizations parent ON parent.id = o.parent_id`;

export async function listOrganizations(
  db: Queryable,
  filter: { cityId?: number; kind?: OrganizationKind; limit: number; offset: number },
): Promise<{ items: Organization[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.cityId !== undefined) {
    params.push(filter.cityId);
    where.push(`o.city_id = $${params.length}`);
  }
  if (filter.kind) {
    params.push(filter.kind);
    where.push(`o.kind = $${params.length}`);
  }
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const items = await db.query<Organization>(
    `${SELECT} ${whereSql} ORDER BY o.kind, o.slug LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, filter.limit, filter.offset],
  );
  const count = await db.one<{ total: number }>(
    `SELECT count(*)::int AS total FROM organizations o ${whereSql}`,
    params,
  );
  return { items, total: count!.total };
}

export async function getOrganization(db: Queryable, slug: string): Promise<Organization> {
  const row = await db.one<Organization>(`${SELECT} WHERE o.slug = $1`, [slug]);
  if (!row) throw new NotFoundError(`organization ${slug}`);
  return row;
}

export async function getOrganizationById(db: Queryable, id: number): Promise<Organization | undefined> {
  return db.one<Organization>(`${SELECT} WHERE o.id = $1`, [id]);
}

export type OrganizationInput = Omit<Organization, 'id' | 'city_slug' | 'parent_slug'>;

export async function parseOrganizationInput(db: Queryable, body: unknown): Promise<OrganizationInput> {
  const check = new Checker(body);
  const citySlug = check.text('city_slug', { max: 80 });
  const parentSlug = check.text('parent_slug', { max: 80 });
  const input: OrganizationInput = {
    slug: check.slug('slug'),
    kind: check.oneOf('kind', ORGANIZATION_KINDS) ?? 'cso',
    name_uk: check.text('name_uk', { required: true, max: 300 }),
    name_en: check.text('name_en', { required: true, max: 300 }),
    name_bg: check.text('name_bg', { required: true, max: 300 }),
    city_id: null,
    website: check.url('website'),
    edrpou: check.optionalText('edrpou', 20),
    parent_id: null,
  };
  // A budget institution belongs to a city council; its purchases count as that city's.
  if (parentSlug) {
    const parent = await db.one<{ id: number }>(
      `SELECT id FROM organizations WHERE slug = $1 AND kind = 'city_council'`,
      [parentSlug],
    );
    if (parent && parentSlug !== input.slug) input.parent_id = parent.id;
    else check.fail('parent_slug', 'organizations.error.parent');
  }
  if (citySlug) {
    const city = await db.one<{ id: number }>('SELECT id FROM cities WHERE slug = $1', [citySlug]);
    if (city) input.city_id = city.id;
    else check.fail('city_slug', 'validation.one_of');
  }
  // ЄДРПОУ: 8 digits with a valid check digit (the table checks the 8 digits since migration 0045).
  if (input.edrpou && !isEdrpou(input.edrpou)) {
    check.fail(
      'edrpou',
      /^\d{8}$/.test(input.edrpou) ? 'budgetRef.codes.error.edrpou_check' : 'budgetRef.codes.error.edrpou',
    );
  }
  if (input.kind === 'city_council' && !citySlug) check.fail('city_slug', 'validation.council_needs_city');
  check.done();
  return input;
}

const COLUMNS = ['slug', 'kind', 'name_uk', 'name_en', 'name_bg', 'city_id', 'website', 'edrpou', 'parent_id'] as const;

function auditView(o: Organization | OrganizationInput) {
  return Object.fromEntries(COLUMNS.map((c) => [c, o[c]]));
}

export async function createOrganization(db: Queryable, actor: Actor, input: OrganizationInput): Promise<Organization> {
  await assertUnique(db, 'organizations', 'slug', input.slug, null);
  if (input.edrpou) await assertEdrpouFree(db, input.edrpou, null, 'edrpou');
  const row = (await db.one<{ id: number }>(
    `INSERT INTO organizations (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
    COLUMNS.map((c) => input[c]),
  ))!;
  const created = (await getOrganizationById(db, row.id))!;
  await recordAudit(db, actor, 'organization.create', 'organization', row.id, null, auditView(created));
  await rematchBuyers(db, [created]);
  return created;
}

export async function updateOrganization(
  db: Queryable,
  actor: Actor,
  slug: string,
  input: OrganizationInput,
): Promise<Organization> {
  const before = await getOrganization(db, slug);
  await assertUnique(db, 'organizations', 'slug', input.slug, before.id);
  if (input.edrpou) await assertEdrpouFree(db, input.edrpou, before.id, 'edrpou');
  await db.query(
    `UPDATE organizations SET ${COLUMNS.map((c, i) => `${c} = $${i + 1}`).join(', ')}, updated_at = now() WHERE id = $${COLUMNS.length + 1}`,
    [...COLUMNS.map((c) => input[c]), before.id],
  );
  const after = (await getOrganizationById(db, before.id))!;
  await recordAudit(db, actor, 'organization.update', 'organization', before.id, auditView(before), auditView(after));
  await rematchBuyers(db, [before, after]);
  return after;
}

export async function deleteOrganization(db: Queryable, actor: Actor, slug: string): Promise<void> {
  const before = await getOrganization(db, slug);
  const children = await db.query<{ edrpou: string | null }>('SELECT edrpou FROM organizations WHERE parent_id = $1', [
    before.id,
  ]);
  await db.query('DELETE FROM organizations WHERE id = $1', [before.id]);
  await recordAudit(db, actor, 'organization.delete', 'organization', before.id, auditView(before), null);
  await rematchBuyers(db, [before, ...children]);
}

/**
 * Procurement counts a buyer's purchases as the city of its organisation (or of that organisation's
 * council): after a change, the procedures of these organisations and of their institutions are
 * matched again.
 */
async function rematchBuyers(db: Queryable, organizations: { id?: number; edrpou: string | null }[]): Promise<void> {
  const ids = organizations.map((o) => o.id).filter((id): id is number => !!id);
  const institutions = ids.length
    ? await db.query<{ edrpou: string | null }>('SELECT edrpou FROM organizations WHERE parent_id = ANY($1::int[])', [
        ids,
      ])
    : [];
  const edrpous = [...organizations, ...institutions].map((o) => o.edrpou).filter((e): e is string => !!e);
  if (edrpous.length) await rematchCities(db, [...new Set(edrpous)]);
}
