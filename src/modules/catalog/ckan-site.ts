// The CKAN Action API's site, user, tag and lookup actions that clients and publishing scripts
// call besides datasets: user_show, package_autocomplete, format_autocomplete, tag_show,
// tag_search, vocabulary_list, site_read, config_option_show and resource_search, each answered
// as CKAN 2.10/2.11 answers it, over what the caller may see.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { CurrentUser } from '../../platform/auth.ts';
import { likePattern, type Queryable } from '../../platform/db/index.ts';
import { listCities, type City } from '../cities/service.ts';
import {
  CkanError,
  integer,
  missing,
  packageDict,
  registerCkanAction,
  resourceDict,
  text,
  type Params,
} from './ckan.ts';
import { PUBLIC_ONLY, listResources, searchDatasets, type Dataset } from './service.ts';
import { editableCityIds, visibilityFor } from './policy.ts';

/** Every city by its id, for package dictionaries (their organization). */
export async function cityMap(db: Queryable): Promise<Map<number, City>> {
  const cities = await listCities(db, { locale: 'uk', limit: 5000, offset: 0 });
  return new Map(cities.items.map((c): [number, City] => [c.id, c]));
}

/**
 * SQL that is true for the datasets (alias `d`) the user may see: published ones, and the drafts
 * and private datasets of the cities they edit (an admin's, all but deleted ones).
 */
export function visibleDatasetSql(user: CurrentUser | null, params: unknown[]): string {
  const editable = editableCityIds(user);
  if (editable === null) return `d.state <> 'deleted'`;
  params.push(editable);
  return `(d.state = 'published' OR (d.state IN ('draft', 'private') AND d.city_id = ANY($${params.length}::int[])))`;
}

/** The package dictionaries of these datasets, in their order. */
export async function packagesOf(db: Queryable, datasets: Dataset[], publicUrl: string) {
  const resources = await listResources(
    db,
    datasets.map((d) => d.id),
  );
  const cities = await cityMap(db);
  return datasets.map((d) =>
    packageDict(
      d,
      resources.filter((r) => r.dataset_id === d.id),
      cities,
      publicUrl,
    ),
  );
}

/**
 * A CKAN boolean parameter (asbool): true, yes, t, y, 1, on or false, no, f, n, 0, off in any case,
 * or a JSON boolean; `fallback` when absent; anything else is a 409 naming the parameter.
 */
export function bool(params: Params, field: string, fallback = false): boolean {
  const value = params[field];
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'boolean') return value;
  const word = typeof value === 'string' || typeof value === 'number' ? String(value).toLowerCase() : '';
  if (/^(true|yes|t|y|1|on)$/.test(word)) return true;
  if (/^(false|no|f|n|0|off)$/.test(word)) return false;
  throw new CkanError(409, 'Validation Error', `${field}: Parameter is not a bool`, { [field]: ['Not a bool'] });
}

/** A user as CKAN's API names them: id is the number, name "user-<id>" (Hromada has no user names). */
export function userIdOf(id: string): number | null {
  const match = /^(?:user-)?([1-9]\d{0,9})$/.exec(id);
  return match && Number(match[1]) <= 2_147_483_647 ? Number(match[1]) : null;
}

export interface UserRow {
  id: number;
  display_name: string;
  created_at: Date;
  disabled_at: Date | null;
  is_admin: boolean;
}

/** The columns of a UserRow, from `users u`. */
export const USER_ROW_COLUMNS = `u.id, u.display_name, u.created_at, u.disabled_at,
  EXISTS (SELECT 1 FROM memberships a WHERE a.user_id = u.id AND a.role = 'admin') AS is_admin`;

/** What anyone may see of a user, as in CKAN's user dict: never an e-mail address or a token. */
export function publicUserDict(user: UserRow) {
  return {
    id: String(user.id),
    name: `user-${user.id}`,
    fullname: user.display_name,
    display_name: user.display_name,
    about: '',
    created: new Date(user.created_at).toISOString().replace('Z', ''),
    state: user.disabled_at ? 'deleted' : 'active',
    sysadmin: user.is_admin,
    image_url: '',
    image_display_url: '',
  };
}

/** The options config_option_show may show (CKAN's runtime-editable ones), and their values here. */
function configOptions(publicUrl: string): Record<string, string | null> {
  return {
    'ckan.site_title': 'Hromada',
    'ckan.site_logo': '',
    'ckan.site_url': publicUrl,
    'ckan.site_description': '',
    'ckan.site_about': '',
    'ckan.site_intro_text': '',
    'ckan.site_custom_css': '',
    'ckan.theme': 'css/main',
    logo_upload: null,
    clear_logo_upload: null,
  };
}

/** A parameter that is one string or a list of strings (a JSON list, or repeated in a query). */
function strings(params: Params, field: string, max = 20): string[] {
  const value = params[field];
  if (value === undefined || value === null || value === '') return [];
  const items = Array.isArray(value) ? value : [value];
  const fail = (problem: string) =>
    new CkanError(409, 'Validation Error', `${field}: ${problem}`, { [field]: [problem] });
  if (items.length > max) throw fail(`At most ${max} items`);
  return items.map((item) => {
    if (typeof item !== 'string' && typeof item !== 'number') throw fail('Must be a string or a list of strings');
    const result = String(item);
    if (result.length > 1000) throw fail('Each item is at most 1000 characters');
    return result;
  });
}

/** The resource fields resource_search matches (text: a case-insensitive substring), as SQL. */
const RESOURCE_FIELDS: Record<string, { sql: string; match: 'substring' | 'equal' | 'prefix' | 'integer' }> = {
  name: { sql: 'r.name', match: 'substring' },
  description: { sql: 'r.description', match: 'substring' },
  format: { sql: 'r.format', match: 'substring' },
  url: { sql: "coalesce(r.url, r.file_name, '')", match: 'substring' },
  id: { sql: 'r.id::text', match: 'equal' },
  package_id: { sql: 'd.uuid::text', match: 'equal' },
  hash: { sql: "('sha256:' || coalesce(r.sha256, ''))", match: 'prefix' },
  position: { sql: 'r.position', match: 'integer' },
};

const RESOURCE_ORDER: Record<string, string> = {
  id: 'r.id',
  name: 'r.name COLLATE "C"',
  description: 'r.description COLLATE "C"',
  format: 'r.format COLLATE "C"',
  url: 'coalesce(r.url, r.file_name) COLLATE "C"',
  position: 'r.position',
  created: 'r.created_at',
  last_modified: 'r.modified_at',
  size: 'r.size_bytes',
  hash: 'r.sha256',
  package_id: 'd.uuid',
};

async function routes(app: FastifyInstance) {
  const { db } = app;
  const publicUrl = app.config.publicUrl;

  registerCkanAction(
    app,
    'user_show',
    {
      help: 'Return a user account. Hromada\'s users have no user names: a user\'s id is a number and their name "user-<id>".\n\n:param id: the id or name of the user (default: the caller)\n:param include_datasets: include up to 50 datasets the user created (their drafts and private ones only to themselves and admins)\n:returns: the user; the e-mail address only to the user themselves\n:rtype: dictionary',
    },
    async (params, request) => {
      const caller = request.user;
      const id = text(params, 'id', 200);
      const userId = id ? userIdOf(id) : (caller?.id ?? null);
      const user =
        userId === null
          ? undefined
          : await db.one<UserRow & { email: string }>(
              `SELECT ${USER_ROW_COLUMNS}, u.email FROM users u WHERE u.id = $1`,
              [userId],
            );
      if (!user) throw new CkanError(404, 'Not Found Error', 'Not found: User not found');
      const own = caller?.id === user.id;
      const full = own || caller?.isAdmin === true;
      // As CKAN's number_created_packages: public datasets only, unless it is their own account.
      const visibility = full ? visibilityFor(caller) : PUBLIC_ONLY;
      const createdBy = (values: unknown[]) => {
        values.push(user.id);
        return `EXISTS (SELECT 1 FROM audit_events a WHERE a.entity_type = 'dataset' AND a.action = 'dataset.create'
          AND a.entity_id = d.id::text AND a.actor_user_id = $${values.length}::int)`;
      };
      const created = await searchDatasets(db, {
        filter: createdBy,
        sort: '-modified',
        limit: bool(params, 'include_datasets') ? 50 : 0,
        offset: 0,
        visibility,
      });
      const result: Record<string, unknown> = {
        ...publicUserDict(user),
        number_created_packages: created.total,
        ...(own ? { email: user.email } : {}),
      };
      if (bool(params, 'include_datasets')) {
        result.datasets = await packagesOf(db, created.items, publicUrl);
      }
      return result;
    },
  );

  registerCkanAction(
    app,
    'package_autocomplete',
    {
      help: 'Return a list of datasets (packages) whose names or titles contain a string.\n\n:param q: the string to search for\n:param limit: the maximum number of datasets to return (default 10)\n:rtype: list of dictionaries with name, title, match_field and match_displayed',
    },
    async (params, request) => {
      const q = text(params, 'q', 200);
      if (!q) throw missing('q');
      const limit = integer(params, 'limit', 10, 0, 1000);
      const values: unknown[] = [likePattern(q)];
      const visible = visibleDatasetSql(request.user, values);
      values.push(limit);
      const rows = await db.query<{ name: string; title: string }>(
        `SELECT d.name, d.title_uk AS title FROM datasets d
         WHERE ${visible} AND (d.name ILIKE $1 OR d.title_uk ILIKE $1 OR d.title_en ILIKE $1 OR d.title_bg ILIKE $1)
         ORDER BY (d.name ILIKE $1) DESC, d.name COLLATE "C" LIMIT $${values.length}`,
        values,
      );
      const lower = q.toLowerCase();
      return rows.map((row) =>
        row.name.includes(lower)
          ? { name: row.name, title: row.title, match_field: 'name', match_displayed: row.name }
          : { name: row.name, title: row.title, match_field: 'title', match_displayed: `${row.title} (${row.name})` },
      );
    },
  );

  registerCkanAction(
    app,
    'format_autocomplete',
    {
      help: 'Return a list of resource formats whose names contain a string, the most used first.\n\n:param q: the string to search for\n:param limit: the maximum number of formats to return (default 5)\n:rtype: list of strings',
    },
    async (params) => {
      const q = text(params, 'q', 100);
      if (!q) throw missing('q');
      const limit = integer(params, 'limit', 5, 0, 1000);
      const rows = await db.query<{ format: string }>(
        `SELECT lower(r.format) AS format FROM resources r JOIN datasets d ON d.id = r.dataset_id
         WHERE d.state = 'published' AND r.format <> '' AND r.format ILIKE $1
         GROUP BY lower(r.format) ORDER BY count(*) DESC, 1 LIMIT $2`,
        [likePattern(q), limit],
      );
      return rows.map((r) => r.format);
    },
  );

  registerCkanAction(
    app,
    'tag_show',
    {
      help: "Return the details of a tag (a keyword of public datasets).\n\n:param id: the name of the tag\n:param vocabulary_id: a vocabulary (Hromada has none: any is not found)\n:param include_datasets: include the tag's public datasets, up to 1000 (default false)\n:rtype: dictionary",
    },
    async (params) => {
      const id = text(params, 'id', 100);
      if (!id) throw missing('id');
      if (text(params, 'vocabulary_id', 100) !== undefined) throw new CkanError(404, 'Not Found Error', 'Not found');
      const include = bool(params, 'include_datasets');
      const tagged = await searchDatasets(db, {
        keyword: id,
        sort: 'name',
        limit: include ? 1000 : 0,
        offset: 0,
        visibility: PUBLIC_ONLY,
      });
      if (tagged.total === 0) throw new CkanError(404, 'Not Found Error', 'Not found');
      const tag: Record<string, unknown> = { id, name: id, vocabulary_id: null, display_name: id };
      if (include) {
        tag.packages = await packagesOf(db, tagged.items, publicUrl);
      }
      return tag;
    },
  );

  registerCkanAction(
    app,
    'tag_search',
    {
      help: 'Return the tags (keywords of public datasets) whose names contain all the given strings.\n\n:param query: the string(s) to search for (q works too)\n:param vocabulary_id: a vocabulary (Hromada has none: no tags)\n:param limit: the maximum number of tags to return (default all, at most 1000)\n:param offset: skip this many\n:returns: count (all matching tags) and results\n:rtype: dictionary',
    },
    async (params) => {
      const terms = [...strings(params, 'query'), ...strings(params, 'q')].map((t) => t.trim()).filter(Boolean);
      const fields = params.fields;
      if (fields && typeof fields === 'object' && !Array.isArray(fields))
        terms.push(...strings(fields as Params, 'tag'), ...strings(fields as Params, 'tags'));
      const limit = integer(params, 'limit', 1000, 0, 1000);
      const offset = integer(params, 'offset', 0, 0, 10_000_000);
      if (!terms.length || text(params, 'vocabulary_id', 100) !== undefined) return { count: 0, results: [] };
      const values = terms.map((t) => likePattern(t));
      const where = terms.map((_, i) => `k ILIKE $${i + 1}`).join(' AND ');
      const tags = `SELECT DISTINCT k FROM datasets d, unnest(d.keywords) k WHERE d.state = 'published' AND ${where}`;
      const count = await db.one<{ total: number }>(`SELECT count(*)::int AS total FROM (${tags}) t`, values);
      const rows = await db.query<{ k: string }>(
        `SELECT k FROM (${tags}) t ORDER BY k COLLATE "C" LIMIT $${values.length + 1} OFFSET $${values.length + 2}`,
        [...values, limit, offset],
      );
      return { count: count!.total, results: rows.map((r) => ({ id: r.k, name: r.k, vocabulary_id: null })) };
    },
  );

  registerCkanAction(
    app,
    'vocabulary_list',
    {
      help: "Return a list of all the site's tag vocabularies. Hromada's keywords are free tags: the list is empty.\n\n:rtype: list of dictionaries",
    },
    async () => [],
  );

  registerCkanAction(app, 'site_read', { help: 'Return ``True``.\n\n:rtype: bool' }, async () => true);

  registerCkanAction(
    app,
    'config_option_show',
    {
      help: "Show the current value of a runtime-editable configuration option (ckan.site_title, ckan.site_url, ckan.site_description, ckan.site_logo, ckan.site_about, ckan.site_intro_text, ckan.site_custom_css, ckan.theme). As in CKAN, only platform admins may.\n\n:param key: the configuration option's key\n:returns: its value\n:rtype: string",
    },
    async (params, request) => {
      if (!request.user?.isAdmin) throw new CkanError(403, 'Authorization Error', 'Access denied');
      const key = text(params, 'key', 200);
      if (!key) throw missing('key');
      const options = configOptions(publicUrl);
      if (!Object.hasOwn(options, key))
        throw new CkanError(409, 'Validation Error', `Configuration option '${key}' can not be shown`);
      return options[key];
    },
  );

  registerCkanAction(
    app,
    'resource_search',
    {
      help: `Search the resources of the datasets the caller may see.\n\n:param query: one string or a list of strings "field:term", all required: name, description, format and url match a case-insensitive part of the field, id, package_id and position the whole value, hash the start of "sha256:<hex>"\n:param order_by: one of ${Object.keys(RESOURCE_ORDER).join(', ')} (ascending)\n:param offset: skip this many\n:param limit: at most this many (default and most 1000)\n:returns: count (all matches) and results\n:rtype: dictionary`,
    },
    async (params, request) => {
      const queries = strings(params, 'query');
      if (!queries.length) throw missing('query');
      const values: unknown[] = [];
      const where = [visibleDatasetSql(request.user, values)];
      for (const query of queries) {
        const colon = query.indexOf(':');
        if (colon < 0)
          throw new CkanError(409, 'Validation Error', 'query: Must be <field>:<value> pair(s)', {
            query: ['Must be <field>:<value> pair(s)'],
          });
        const field = query.slice(0, colon);
        const term = query.slice(colon + 1);
        const column = Object.hasOwn(RESOURCE_FIELDS, field) ? RESOURCE_FIELDS[field] : undefined;
        if (!column) {
          const message = `Field "${field.slice(0, 100)}" not recognised in resource_search.`;
          throw new CkanError(409, 'Validation Error', message, { query: [message] });
        }
        if (column.match === 'integer') {
          if (!/^\d{1,9}$/.test(term)) {
            const message = `${field} must be a whole number`;
            throw new CkanError(409, 'Validation Error', message, { query: [message] });
          }
          values.push(Number(term));
          where.push(`${column.sql} = $${values.length}`);
        } else if (column.match === 'equal') {
          values.push(term.toLowerCase());
          where.push(`lower(${column.sql}) = $${values.length}`);
        } else {
          const pattern = likePattern(term);
          values.push(column.match === 'prefix' ? pattern.slice(1) : pattern);
          where.push(`${column.sql} ILIKE $${values.length}`);
        }
      }
      const orderBy = text(params, 'order_by', 100);
      if (orderBy !== undefined && !Object.hasOwn(RESOURCE_ORDER, orderBy))
        throw new CkanError(409, 'Validation Error', `order_by: cannot order resources by "${orderBy}"`, {
          order_by: [`Use one of ${Object.keys(RESOURCE_ORDER).join(', ')}`],
        });
      const limit = integer(params, 'limit', 1000, 0, 1000);
      const offset = integer(params, 'offset', 0, 0, 10_000_000);
      const from = `FROM resources r JOIN datasets d ON d.id = r.dataset_id WHERE ${where.join(' AND ')}`;
      const count = await db.one<{ total: number }>(`SELECT count(*)::int AS total ${from}`, values);
      const page = await db.query<{ id: string; dataset_id: number }>(
        `SELECT r.id, r.dataset_id ${from} ORDER BY ${orderBy ? `${RESOURCE_ORDER[orderBy]}, ` : ''}r.created_at, r.id
         LIMIT $${values.length + 1} OFFSET $${values.length + 2}`,
        [...values, limit, offset],
      );
      const datasetIds = [...new Set(page.map((r) => r.dataset_id))];
      const datasets = datasetIds.length
        ? (
            await searchDatasets(db, {
              filter: (v) => {
                v.push(datasetIds);
                return `d.id = ANY($${v.length}::int[])`;
              },
              limit: datasetIds.length,
              offset: 0,
              visibility: visibilityFor(request.user),
            })
          ).items
        : [];
      const byId = new Map(datasets.map((d) => [d.id, d]));
      const resources = new Map((await listResources(db, datasetIds)).map((r) => [r.id, r]));
      return {
        count: count!.total,
        results: page.flatMap((row) => {
          const dataset = byId.get(row.dataset_id);
          const resource = resources.get(row.id);
          return dataset && resource ? [resourceDict(resource, dataset, publicUrl)] : [];
        }),
      };
    },
  );
}

export const ckanSiteModule = fp(routes, { name: 'ckan-site', dependencies: ['ckan'] });
