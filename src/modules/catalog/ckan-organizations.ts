// The CKAN Action API's organization actions. In Hromada's CKAN API an organization is a city (the
// publisher of its datasets): organization_show/create/update/patch/delete map CKAN's fields onto
// what a city has, and refuse with CKAN's 409 what a city cannot hold. Who may change a city is
// the cities module's rule (platform admins); who may publish for one, the catalog's (its editors).
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { loadUser, type CurrentUser } from '../../platform/auth.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { actorOf } from '../../platform/http/forms.ts';
import {
  createCity,
  deleteCity,
  getCity,
  parseCityInput,
  updateCity,
  type City,
  type CityInput,
} from '../cities/service.ts';
import { canManageCities } from '../cities/policy.ts';
import {
  CkanError,
  missing,
  organizationDict,
  packageDict,
  registerCkanAction,
  text,
  validationToCkan,
  type Params,
} from './ckan.ts';
import { searchDatasets } from './service.ts';
import { editableCityIds, visibilityFor } from './policy.ts';
import { bool, cityMap, packagesOf, publicUserDict, userIdOf, type UserRow, USER_ROW_COLUMNS } from './ckan-site.ts';

/** A city by CKAN's `id` (its name), or CKAN's 404. */
export async function cityOrNotFound(db: Queryable, id: string): Promise<City> {
  try {
    return await getCity(db, id);
  } catch (error) {
    if (error instanceof NotFoundError) throw new CkanError(404, 'Not Found Error', 'Not found');
    throw error;
  }
}

/** A city's fields other than its name and title, as the organization's extras (CKAN keeps text). */
const EXTRAS = {
  name_en: 'name_en',
  name_bg: 'name_bg',
  oblast: 'oblast_slug',
  population: 'population',
  latitude: 'latitude',
  longitude: 'longitude',
  website: 'website',
  katottg: 'katottg',
  edrpou: 'edrpou',
} as const satisfies Record<string, keyof CityInput>;
type ExtraKey = keyof typeof EXTRAS;
const REQUIRED_EXTRAS: ExtraKey[] = ['name_en', 'name_bg', 'oblast'];

/** The city's field named in an error, as the CKAN field a client sent. */
const CITY_TO_CKAN: Record<string, string> = {
  slug: 'name',
  name_uk: 'title',
  ...Object.fromEntries(Object.entries(EXTRAS).map(([extra, field]) => [field, extra])),
};

function extrasOf(city: City): { key: string; value: string }[] {
  return (Object.entries(EXTRAS) as [ExtraKey, keyof CityInput][])
    .filter(([, field]) => city[field] !== null && city[field] !== '')
    .map(([key, field]) => ({ key, value: String(city[field]) }));
}

const refuse = (field: string, problem: string) =>
  new CkanError(409, 'Validation Error', `${field}: ${problem}`, { [field]: [problem] });

/** A non-empty value of a field Hromada cannot store for a city (an empty one is no change). */
const given = (value: unknown) =>
  value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);

/**
 * A CKAN organization dict as a city's fields. `base` is the city being changed (null on create);
 * `patch` keeps what is not given, an update resets it as CKAN does (extras, when not sent at all,
 * are kept, as CKAN keeps a group's extras).
 */
function cityBody(params: Params, base: City | null, patch: boolean, editors: number[]): Record<string, unknown> {
  if (given(params.image_upload)) throw refuse('image_upload', 'Hromada keeps no image for a city');
  if (given(params.image_url)) throw refuse('image_url', 'Hromada keeps no image for a city');
  for (const field of ['users', 'packages', 'groups', 'tags'] as const) {
    if (!given(params[field])) continue;
    // organization_show's users sent back unchanged (ckanapi's show, edit, update) are no change.
    if (field === 'users' && sameUsers(params.users, editors)) continue;
    const why = {
      users: "a city's editors are the members of its city council's organisation, set in the admin area",
      packages: "a dataset's organization is set by package_create or package_update (owner_org)",
      groups: 'cities have no parent or child organizations',
      tags: 'cities have no tags',
    }[field];
    throw refuse(field, `Hromada cannot store this: ${why}`);
  }
  if (given(params.state) && params.state !== 'active')
    throw refuse('state', 'a city is active; remove it with organization_delete');
  if (given(params.type) && params.type !== 'organization') throw refuse('type', 'Must be "organization"');
  if (params.is_organization === false || params.is_organization === 'false')
    throw refuse('is_organization', 'Hromada has organizations (cities) only here; groups are the EU themes');
  const name = text(params, 'name', 200);
  if (!base && given(params.id) && params.id !== name)
    throw refuse('id', "An organization's id is its name; leave id out or give the same value");

  const extras = new Map<string, unknown>();
  const list = params.extras;
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) throw refuse('extras', 'Must be a list of dictionaries with a key and a value');
    for (const [index, item] of list.entries()) {
      if (!item || typeof item !== 'object' || Array.isArray(item))
        throw refuse('extras', `Item ${index} must be a dictionary with a key and a value`);
      const { key, value, deleted } = item as Record<string, unknown>;
      if (typeof key !== 'string') throw refuse('extras', `Item ${index} must have a key that is text`);
      if (!Object.hasOwn(EXTRAS, key))
        throw refuse(
          'extras',
          `Hromada cannot store the extra "${key.slice(0, 100)}"; a city has ${Object.keys(EXTRAS).join(', ')}`,
        );
      if (value !== null && value !== undefined && typeof value !== 'string' && typeof value !== 'number')
        throw refuse('extras', `The value of "${key}" must be text`);
      extras.set(key, deleted === true || deleted === 'on' ? null : (value ?? null));
    }
    if (base && !patch) {
      for (const key of Object.keys(EXTRAS) as ExtraKey[]) {
        if (extras.has(key)) continue;
        if (REQUIRED_EXTRAS.includes(key))
          throw refuse('extras', `"${key}" cannot be removed: every city has it (send it, or use organization_patch)`);
        extras.set(key, null);
      }
    }
  }
  const body: Record<string, unknown> = {
    slug: name ?? base?.slug,
    name_uk: patch && params.title === undefined ? base?.name_uk : params.title,
  };
  for (const [key, field] of Object.entries(EXTRAS) as [ExtraKey, keyof CityInput][]) {
    body[field] = extras.has(key) ? extras.get(key) : base ? base[field] : undefined;
  }
  // organization_show gives a description made of the English and Bulgarian names: it may come
  // back unchanged; any other text has no place in a city.
  const description = text(params, 'description', 1000);
  if (description !== undefined) {
    const derived = [
      base ? organizationDict(base).description : null,
      `${String(body.name_en ?? '')} / ${String(body.name_bg ?? '')}`,
    ];
    if (!derived.includes(description))
      throw refuse(
        'description',
        'Hromada keeps no description for a city; its English and Bulgarian names go in the extras name_en and name_bg',
      );
  }
  return body;
}

/** A CKAN users list naming exactly these users (by id or name), each as an editor if a capacity is given. */
function sameUsers(users: unknown, editors: number[]): boolean {
  if (!Array.isArray(users) || users.length !== editors.length) return false;
  const ids = users.map((u) => {
    if (!u || typeof u !== 'object') return null;
    const { id, name, capacity } = u as Record<string, unknown>;
    if (capacity !== undefined && capacity !== 'editor') return null;
    return typeof (id ?? name) === 'string' ? userIdOf(String(id ?? name)) : null;
  });
  return ids.every((id) => id !== null && editors.includes(id)) && new Set(ids).size === editors.length;
}

/** A city's problem as CKAN's Validation Error, the fields named as the client sent them. */
function asCkanError(error: unknown): unknown {
  if (!(error instanceof ValidationError)) return error;
  return validationToCkan(
    new ValidationError(
      error.problems.map((p) => ({ ...p, field: CITY_TO_CKAN[p.field] ?? p.field })),
      error.statusCode,
    ),
  );
}

/** The user as CKAN's authorization sees them: may they manage cities? Else CKAN's 403. */
function assertManages(request: FastifyRequest, message: string): CurrentUser {
  const user = request.user;
  if (!user || !canManageCities(user)) throw new CkanError(403, 'Authorization Error', message);
  return user;
}

const userLabel = (request: FastifyRequest) => (request.user ? `user-${request.user.id}` : 'anonymous');

/** The users who publish a city's data (its city council's editors), as CKAN's member rows. */
async function cityEditors(db: Queryable, cityId: number): Promise<UserRow[]> {
  return db.query<UserRow>(
    `SELECT ${USER_ROW_COLUMNS} FROM users u WHERE u.id IN (
       SELECT m.user_id FROM memberships m JOIN organizations o ON o.id = m.organization_id
       WHERE m.role = 'city_editor' AND o.city_id = $1) ORDER BY u.id`,
    [cityId],
  );
}

async function routes(app: FastifyInstance) {
  const { db } = app;

  /** What organization_show returns for a city, as the caller may see it. */
  async function showOrganization(city: City, request: FastifyRequest, params: Params = {}) {
    const user = request.user;
    const editable = editableCityIds(user);
    const mayEdit = editable === null || editable.includes(city.id);
    const row = await db.one<{ created_at: Date; package_count: number }>(
      `SELECT c.created_at, (SELECT count(*)::int FROM datasets d WHERE d.city_id = c.id
         AND (d.state = 'published' OR (d.state = 'private' AND $2))) AS package_count
       FROM cities c WHERE c.id = $1`,
      [city.id, mayEdit],
    );
    const result: Record<string, unknown> = {
      ...organizationDict(city),
      created: new Date(row!.created_at).toISOString().replace('Z', ''),
      image_display_url: '',
      package_count: row!.package_count,
      num_followers: 0,
      extras: bool(params, 'include_extras', true) ? extrasOf(city) : [],
      tags: [],
      groups: [],
    };
    if (bool(params, 'include_users', true))
      result.users = (await cityEditors(db, city.id)).map((u) => ({ ...publicUserDict(u), capacity: 'editor' }));
    if (bool(params, 'include_datasets')) {
      const found = await searchDatasets(db, {
        city: city.slug,
        sort: 'name',
        limit: 1000,
        offset: 0,
        visibility: visibilityFor(user, { drafts: false, private: true }),
      });
      result.packages = await packagesOf(db, found.items, app.config.publicUrl);
    }
    return result;
  }

  registerCkanAction(
    app,
    'organization_show',
    {
      help: "Return the details of an organization (a city).\n\n:param id: the id or name of the organization\n:param include_datasets: include the city's datasets, up to 1000 (default false)\n:param include_extras: include the extras: name_en, name_bg, oblast, population, latitude, longitude, website, katottg, edrpou (default true)\n:param include_users: include the city's editors (default true)\n:rtype: dictionary",
    },
    async (params, request) => {
      const id = text(params, 'id', 200);
      if (!id) throw missing('id');
      return showOrganization(await cityOrNotFound(db, id), request, params);
    },
  );

  registerCkanAction(
    app,
    'organization_create',
    {
      write: true,
      help: 'Create a new organization (a city). Only platform admins may.\n\n:param name: the city\'s name in URLs (lowercase letters, digits and -)\n:param title: its name in Ukrainian\n:param extras: a list of {"key", "value"}: name_en and name_bg (its names in English and Bulgarian) and oblast (the oblast\'s name, see /api/v1/oblasts) are required; population, latitude, longitude, website, katottg and edrpou are optional\n:returns: the new organization, as organization_show gives it\n:rtype: dictionary\n\nA city has no image, description, tags, groups or members of its own: image_url, a description, users, groups and tags are refused with a 409 naming the field.',
    },
    async (params, request) => {
      assertManages(request, `User ${userLabel(request)} not authorized to create organizations`);
      if (!text(params, 'name', 200)) throw missing('name');
      const city = await db
        .transaction(async (tx) =>
          createCity(tx, actorOf(request), await parseCityInput(tx, cityBody(params, null, false, []))),
        )
        .catch((error) => {
          throw asCkanError(error);
        });
      return showOrganization(city, request);
    },
  );

  const update = async (params: Params, request: FastifyRequest, patch: boolean) => {
    const id = text(params, 'id', 200) ?? (patch ? undefined : text(params, 'name', 200));
    if (!id) throw missing('id');
    const before = await cityOrNotFound(db, id);
    assertManages(request, `User ${userLabel(request)} not authorized to edit organization ${before.slug}`);
    const editors = (await cityEditors(db, before.id)).map((u) => u.id);
    const body = cityBody(params, before, patch, editors);
    const after = await db
      .transaction(async (tx) => updateCity(tx, actorOf(request), before.slug, await parseCityInput(tx, body)))
      .catch((error) => {
        throw asCkanError(error);
      });
    return showOrganization(after, request);
  };

  registerCkanAction(
    app,
    'organization_update',
    {
      write: true,
      help: 'Update an organization (a city): the fields not given are reset, as in CKAN (extras not sent at all are kept). Only platform admins may.\n\n:param id: the id or name of the organization\n:param name: a new name (optional)\n:param title: its name in Ukrainian\n:param extras: as for organization_create\n:returns: the organization\n:rtype: dictionary',
    },
    (params, request) => update(params, request, false),
  );

  registerCkanAction(
    app,
    'organization_patch',
    {
      write: true,
      help: 'Patch an organization (a city): only the fields given change; each extra given replaces that one. Only platform admins may.\n\n:param id: the id or name of the organization\n:returns: the organization\n:rtype: dictionary',
    },
    (params, request) => update(params, request, true),
  );

  registerCkanAction(
    app,
    'organization_delete',
    {
      write: true,
      help: "Delete an organization (a city). Only platform admins may, and only a city that nothing refers to: as CKAN refuses while an organization still has datasets, a city with datasets, petitions, participatory budgets, ranking results or a city council's organisation is refused with a 409 naming them.\n\n:param id: the id or name of the organization",
    },
    async (params, request) => {
      const id = text(params, 'id', 200);
      if (!id) throw missing('id');
      const city = await cityOrNotFound(db, id);
      assertManages(request, `User ${userLabel(request)} not authorized to delete organization ${city.slug}`);
      const held = await db.one<Record<string, boolean>>(
        `SELECT EXISTS (SELECT 1 FROM datasets WHERE city_id = $1) AS datasets,
           EXISTS (SELECT 1 FROM petitions WHERE city_id = $1) AS petitions,
           EXISTS (SELECT 1 FROM budget_cycles WHERE city_id = $1) AS budgets,
           EXISTS (SELECT 1 FROM ranking_campaign_cities WHERE city_id = $1) AS ranking,
           EXISTS (SELECT 1 FROM organizations WHERE city_id = $1) AS organisations`,
        [city.id],
      );
      const holders = Object.entries(held!)
        .filter(([, yes]) => yes)
        .map(([what]) => what);
      if (holders.length)
        throw new CkanError(
          409,
          'Validation Error',
          `Organization cannot be deleted while it still has ${holders.join(', ')}`,
          { id: [`The city still has ${holders.join(', ')}`] },
        );
      try {
        await db.transaction((tx) => deleteCity(tx, actorOf(request), city.slug));
      } catch (error) {
        // A row of another kind that still refers to the city (foreign key violation).
        if ((error as { code?: string }).code === '23503')
          throw new CkanError(
            409,
            'Validation Error',
            'Organization cannot be deleted while other records refer to it',
            {
              id: ['Other records still refer to this city'],
            },
          );
        throw error;
      }
      return null;
    },
  );

  registerCkanAction(
    app,
    'organization_list_for_user',
    {
      help: 'Return the organizations (cities) that the user has a given permission for.\n\n:param id: the id or name of the user (default: the caller)\n:param permission: e.g. "read", "create_dataset", "update_dataset", "manage_group" (default) or "admin": a city editor has the CKAN editor\'s permissions on their cities, a platform admin all permissions on every city\n:param include_dataset_count: include each package_count (default false)\n:returns: the organizations, each with the user\'s capacity\n:rtype: list of dictionaries',
    },
    async (params, request) => {
      const id = text(params, 'id', 200);
      let user: CurrentUser | null = request.user;
      if (id) {
        const userId = userIdOf(id);
        user = userId === null ? null : await loadUser(db, userId, 'token');
        if (!user) throw new CkanError(404, 'Not Found Error', 'Not found: User not found');
      }
      if (!user) return [];
      const permission = text(params, 'permission', 100) ?? 'manage_group';
      const editable = editableCityIds(user);
      // CKAN's roles: an editor may read, create, update and delete datasets and manage the
      // group; only an organization admin (here, a platform admin) has every permission.
      const editorPermissions = ['read', 'create_dataset', 'update_dataset', 'delete_dataset', 'manage_group'];
      if (editable !== null && !editorPermissions.includes(permission)) return [];
      const cities = [...(await cityMap(db)).values()]
        .filter((c) => editable === null || editable.includes(c.id))
        .sort((a, b) => (a.slug < b.slug ? -1 : 1));
      const counts = bool(params, 'include_dataset_count')
        ? new Map(
            (
              await db.query<{ city_id: number; count: number }>(
                `SELECT city_id, count(*)::int AS count FROM datasets WHERE state IN ('published', 'private') GROUP BY city_id`,
              )
            ).map((r) => [r.city_id, r.count]),
          )
        : null;
      return cities.map((city) => ({
        ...organizationDict(city),
        capacity: editable === null ? 'admin' : 'editor',
        ...(counts ? { package_count: counts.get(city.id) ?? 0 } : {}),
      }));
    },
  );

  registerCkanAction(
    app,
    'member_list',
    {
      help: "Return the members of an organization (a city): its datasets (capacity organization) and its editors (capacity Editor), as CKAN's (id, type, capacity) triples. Drafts and private datasets are listed only to those who may edit them.\n\n:param id: the id or name of the organization\n:param object_type: 'package' or 'user' (default: both)\n:param capacity: e.g. 'editor' or 'organization'\n:rtype: list of (id, type, capacity) lists",
    },
    async (params, request) => {
      const id = text(params, 'id', 200);
      if (!id) throw missing('id');
      const city = await cityOrNotFound(db, id);
      const objectType = text(params, 'object_type', 50);
      const capacity = text(params, 'capacity', 50);
      const members: [string, string, string][] = [];
      if (!objectType || objectType === 'package') {
        if (!capacity || capacity === 'organization') {
          // Each dataset by its id as package_show gives it.
          const found = await searchDatasets(db, {
            city: city.slug,
            sort: 'name',
            limit: 10_000,
            offset: 0,
            visibility: visibilityFor(request.user),
          });
          const cities = new Map([[city.id, city]]);
          for (const d of found.items)
            members.push([String(packageDict(d, [], cities, app.config.publicUrl).id), 'package', 'organization']);
        }
      }
      if (!objectType || objectType === 'user') {
        if (!capacity || capacity === 'editor')
          for (const user of await cityEditors(db, city.id)) members.push([String(user.id), 'user', 'Editor']);
      }
      return members;
    },
  );
}

export const ckanOrganizationsModule = fp(routes, { name: 'ckan-organizations', dependencies: ['ckan'] });
