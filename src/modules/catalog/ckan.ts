// The CKAN Action API (/api/3/action/...) over the catalog, with CKAN's envelope, error types and
// status codes, so that scripts and harvesters written for CKAN portals such as data.gov.ua work
// unchanged. In CKAN terms an "organization" is the publishing city and a "group" an EU theme.
import { STATUS_CODES } from 'node:http';
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { actorOf } from '../../platform/http/forms.ts';
import { likePattern } from '../../platform/db/index.ts';
import { apiRateLimit } from '../../platform/http/rate-limits.ts';
import { ValidationError, NotFoundError, ForbiddenError } from '../../platform/errors.ts';
import { translator } from '../../platform/i18n/locales.ts';
import { getCity, listCities, type City } from '../cities/service.ts';
import {
  PUBLIC_ONLY,
  addResource,
  createDataset,
  getDataset,
  listResources,
  parseDatasetInput,
  parseResourceLink,
  searchDatasets,
  setDatasetState,
  updateDataset,
  type Dataset,
  type Resource,
} from './service.ts';
import { SolrError, compileSolr, parseSolr, parseSort, type SolrNode } from './solr.ts';
import { assertCanEditDataset, editableCityIds, visibilityFor } from './policy.ts';
import { LICENCES, licence } from './vocabularies.ts';
import { FileTooLargeError, receiveUpload } from '../../platform/files.ts';
import { addUploadedResource } from '../datastore/service.ts';

export type Params = Record<string, unknown>;
export type Action = (params: Params, request: FastifyRequest) => Promise<unknown>;

/** How an action is served: its help text (help_show) and whether it changes data (POST only). */
export interface ActionOptions {
  help: string;
  write?: boolean;
  /** The largest request body, in bytes, where more than the platform's default is needed (rows sent to the DataStore). */
  bodyLimit?: number;
}

/** Each action's help text, as help_show returns it (CKAN returns the action's docstring). */
const HELP = new Map<string, string>();

/** The catalog's actions: what each does, and those that change data, which CKAN serves by POST only. */
const CATALOG_ACTIONS: Record<string, ActionOptions> = {
  status_show: {
    help: "Return a dictionary with information about the site's configuration: title, URL, CKAN version, API version, extensions.",
  },
  help_show: {
    help: 'Return the help string for a particular API action.\n\n:param name: action function name (e.g. `package_create`, `package_search`)\n:type name: string\n:returns: the help string for the action function\n:rtype: string',
  },
  license_list: {
    help: 'Return the list of licenses available for datasets on the site.\n\n:rtype: list of dictionaries',
  },
  package_list: {
    help: "Return a list of the names of the site's public datasets, sorted by name.\n\n:param limit: at most this many (1-1000, default 1000)\n:param offset: skip this many\n:rtype: list of strings",
  },
  package_show: {
    help: 'Return the metadata of a dataset and its resources.\n\n:param id: the id or name of the dataset\n:type id: string\n:rtype: dictionary',
  },
  package_search: {
    help: 'Search for datasets.\n\n:param q: the solr query (default `*:*`)\n:param fq: filter query in Solr syntax (fields such as organization, tags, res_format, license_id, groups, metadata_modified; AND/OR/NOT, ranges)\n:param fq_list: more filter queries, each like fq\n:param include_drafts: include the drafts the caller may see\n:param include_private: include the private datasets the caller may see\n:param sort: e.g. `score desc, metadata_modified desc`, `name asc`\n:param rows: at most this many results (0-1000, default 10)\n:param start: the offset of the first result\n:param facet.field: the fields to facet on, as a JSON list\n:param facet.limit: at most this many values per facet (-1: all)\n:returns: count, results, facets and search_facets\n:rtype: dictionary',
  },
  organization_list: {
    help: "Return a list of the names of the site's organizations (the cities that publish data).\n\n:param all_fields: return full organization dictionaries instead of names\n:rtype: list of strings or dictionaries",
  },
  organization_show: {
    help: 'Return the details of an organization (a city).\n\n:param id: the id or name of the organization\n:rtype: dictionary',
  },
  tag_list: {
    help: 'Return a list of the tags of public datasets.\n\n:param query: a tag name query to search for\n:rtype: list of strings',
  },
  package_create: {
    write: true,
    help: 'Create a new dataset. You must be an editor of the organization (city) that publishes it.\n\n:param name: the dataset name (lowercase letters, digits, - and _)\n:param title: the title\n:param notes: the description\n:param owner_org: the organization (city)\n:param license_id: the license\n:param tags: a list of tag dictionaries\n:param groups: a list of group (EU theme) dictionaries\n:param extras: a list of key/value dictionaries\n:param resources: a list of resource dictionaries (links)\n:param private: create the dataset as private\n:returns: the newly created dataset\n:rtype: dictionary',
  },
  package_update: {
    write: true,
    help: 'Update a dataset: the fields not given are reset. You must be an editor of its organization.\n\n:param id: the id or name of the dataset\n:returns: the updated dataset\n:rtype: dictionary',
  },
  package_patch: {
    write: true,
    help: 'Patch a dataset: only the fields given are changed. You must be an editor of its organization.\n\n:param id: the id or name of the dataset\n:returns: the patched dataset\n:rtype: dictionary',
  },
  package_delete: {
    write: true,
    help: 'Delete a dataset (its state becomes deleted). You must be an editor of its organization.\n\n:param id: the id or name of the dataset',
  },
  resource_show: {
    help: 'Return the metadata of a resource.\n\n:param id: the id of the resource\n:rtype: dictionary',
  },
  resource_create: {
    write: true,
    help: 'Add a resource to a dataset: a link (url) or a file (multipart `upload`). You must be an editor of its organization.\n\n:param package_id: the id or name of the dataset\n:param url: the link\n:param upload: the file\n:param name: the name\n:param description: the description\n:param format: the format\n:returns: the newly created resource\n:rtype: dictionary',
  },
};
for (const [name, options] of Object.entries(CATALOG_ACTIONS)) HELP.set(name, options.help);

/** A JSONP callback: a JavaScript name or dotted path, nothing that could be code. */
const CALLBACK = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

/** An error in CKAN's shape: `__type` and, for validation, a list of messages per field. */
export class CkanError extends Error {
  readonly status: number;
  readonly type: string;
  readonly fields: Record<string, string[]>;
  constructor(status: number, type: string, message: string, fields: Record<string, string[]> = {}) {
    super(message);
    this.status = status;
    this.type = type;
    this.fields = fields;
  }
}

export const missing = (field: string) =>
  new CkanError(409, 'Validation Error', `Missing value: ${field}`, { [field]: ['Missing value'] });

export function text(params: Params, field: string, max = Number.POSITIVE_INFINITY): string | undefined {
  const value = params[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new CkanError(409, 'Validation Error', `${field} must be a string`, { [field]: ['Must be a string'] });
  const result = String(value);
  if (result.length > max)
    throw new CkanError(409, 'Validation Error', `${field} is longer than ${max} characters`, {
      [field]: [`At most ${max} characters`],
    });
  return result;
}

/**
 * A list of CKAN dictionaries (groups, tags, extras) whose `key` is text, or undefined when the
 * field is absent or null. Anything else is CKAN's 409 Validation Error naming the field and item.
 */
function dictList(params: Params, field: string, key: string): Record<string, unknown>[] | undefined {
  const value = params[field];
  if (value === undefined || value === null) return undefined;
  const fail = (problem: string) =>
    new CkanError(409, 'Validation Error', `${field}: ${problem}`, { [field]: [problem] });
  if (!Array.isArray(value)) throw fail('Must be a list of dictionaries');
  value.forEach((item: unknown, index) => {
    if (!item || typeof item !== 'object' || Array.isArray(item))
      throw fail(`Item ${index} must be a dictionary with a "${key}"`);
    const named = (item as Record<string, unknown>)[key];
    if (typeof named !== 'string' && typeof named !== 'number')
      throw fail(`Item ${index} must have a "${key}" that is text`);
  });
  return value as Record<string, unknown>[];
}

export function integer(params: Params, field: string, fallback: number, min: number, max: number): number {
  const raw = text(params, field);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CkanError(409, 'Validation Error', `${field} must be an integer between ${min} and ${max}`, {
      [field]: [`Must be an integer between ${min} and ${max}`],
    });
  }
  return value;
}

function organizationDict(city: City) {
  return {
    id: city.slug,
    name: city.slug,
    title: city.name_uk,
    display_name: city.name_uk,
    type: 'organization',
    is_organization: true,
    state: 'active',
    description: `${city.name_en} / ${city.name_bg}`,
    image_url: '',
    approval_status: 'approved',
  };
}

/**
 * A resource whose rows were written through the API rather than loaded from a file or a link:
 * CKAN's url_type "datastore", its url the rows' dump. Writing to any other takes `force`.
 */
export function datastoreOnly(r: { id: string; url: string | null; file_name: string | null }): boolean {
  return r.file_name === null && r.url !== null && r.url.endsWith(`/datastore/dump/${r.id}`);
}

function resourceDict(r: Resource, dataset: Dataset, publicUrl: string) {
  // An uploaded file's url is its download address, as CKAN gives for url_type "upload".
  const uploaded = r.file_name !== null;
  return {
    id: r.id,
    package_id: dataset.name,
    name: r.name,
    description: r.description,
    format: r.format,
    url: uploaded ? `${publicUrl}/datasets/${dataset.name}/resources/${r.id}/download` : (r.url ?? ''),
    position: r.position,
    created: new Date(r.created_at).toISOString().replace('Z', ''),
    last_modified: new Date(r.modified_at).toISOString().replace('Z', ''),
    datastore_active: r.datastore_active,
    state: 'active',
    url_type: uploaded ? 'upload' : datastoreOnly(r) ? 'datastore' : null,
    size: r.size_bytes,
    hash: r.sha256 ? `sha256:${r.sha256}` : '',
  };
}

function packageDict(d: Dataset, resources: Resource[], cities: Map<number, City>, publicUrl: string) {
  const lic = licence(d.license_id);
  const city = cities.get(d.city_id);
  const t = translator('uk');
  return {
    id: d.name,
    name: d.name,
    title: d.title_uk,
    notes: d.description_uk,
    type: 'dataset',
    state: d.state === 'published' ? 'active' : d.state === 'deleted' ? 'deleted' : 'draft',
    private: d.state === 'private',
    license_id: d.license_id,
    license_title: lic?.title ?? d.license_id,
    license_url: lic?.url ?? '',
    isopen: lic?.open ?? false,
    owner_org: city?.slug ?? null,
    organization: city ? organizationDict(city) : null,
    maintainer: d.contact_name,
    maintainer_email: d.contact_email,
    author: null,
    author_email: null,
    metadata_created: new Date(d.created_at).toISOString().replace('Z', ''),
    metadata_modified: new Date(d.modified_at).toISOString().replace('Z', ''),
    tags: d.keywords.map((k) => ({ name: k, display_name: k, state: 'active' })),
    num_tags: d.keywords.length,
    groups: d.themes.map((th) => ({
      name: th.toLowerCase(),
      title: t(`catalog.themes.${th}`),
      display_name: t(`catalog.themes.${th}`),
    })),
    resources: resources.map((r) => resourceDict(r, d, publicUrl)),
    num_resources: resources.length,
    extras: [
      { key: 'frequency', value: d.frequency },
      ...(d.temporal_start ? [{ key: 'temporal_start', value: d.temporal_start }] : []),
      ...(d.temporal_end ? [{ key: 'temporal_end', value: d.temporal_end }] : []),
      ...(d.spatial ? [{ key: 'spatial_text', value: d.spatial }] : []),
      ...(d.legal_basis ? [{ key: 'legal_basis', value: d.legal_basis }] : []),
      { key: 'title_en', value: d.title_en },
      { key: 'title_bg', value: d.title_bg },
    ],
    url: `${publicUrl}/datasets/${d.name}`,
  };
}

/** As CKAN: a q with a colon goes to the standard (Lucene) parser, other q text to dismax (plain words). */
const SOLR_SYNTAX = /:/;

/** A q, fq or fq_list element parsed as Solr, or CKAN's 409 naming the parameter and the part. */
function solrParam(field: string, value: string): SolrNode {
  try {
    return parseSolr(value);
  } catch (error) {
    if (error instanceof SolrError)
      throw new CkanError(409, 'Validation Error', `${field}: ${error.message}`, { [field]: [error.message] });
    throw error;
  }
}

/** fq_list: a list of filter queries (a JSON list, repeated parameters or one string), each ANDed. */
function fqList(params: Params): string[] {
  let value = params.fq_list;
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string' && value.trimStart().startsWith('[')) {
    try {
      value = JSON.parse(value);
    } catch {
      // Not JSON: one filter query.
    }
  }
  const items = Array.isArray(value) ? value : [value];
  const fail = (problem: string) =>
    new CkanError(409, 'Validation Error', `fq_list: ${problem}`, { fq_list: [problem] });
  if (items.length > 20) throw fail('At most 20 filter queries');
  return items.map((item) => {
    if (typeof item !== 'string') throw fail('Must be a list of strings');
    if (item.length > 1000) throw fail('Each filter query is at most 1000 characters');
    return item;
  });
}

/** CKAN's boolean parameters: true, yes, t, y, 1 or on. */
const flag = (params: Params, field: string) =>
  params[field] === true || /^(true|yes|t|y|1|on)$/i.test(String(text(params, field) ?? ''));

const FACET_FIELDS: Record<string, 'city' | 'keyword' | 'format' | 'license' | 'theme'> = {
  organization: 'city',
  tags: 'keyword',
  res_format: 'format',
  license_id: 'license',
  groups: 'theme',
};

/** A form-or-JSON dataset body in CKAN terms, translated to the catalog's fields. */
function toCatalogBody(params: Params, base: Dataset | null): Record<string, unknown> {
  const extras = new Map((dictList(params, 'extras', 'key') ?? []).map((e) => [String(e.key), e.value]));
  const groups = dictList(params, 'groups', 'name');
  const tags = dictList(params, 'tags', 'name');
  const pick = <T>(value: T | undefined, fallback: T) => (value === undefined ? fallback : value);
  return {
    name: pick(params.name, base?.name),
    city: pick(params.owner_org, base?.city_slug),
    title_uk: pick(params.title, base?.title_uk),
    title_en: pick(extras.get('title_en'), base?.title_en),
    title_bg: pick(extras.get('title_bg'), base?.title_bg),
    description_uk: pick(params.notes, base?.description_uk),
    description_en: base?.description_en,
    description_bg: base?.description_bg,
    license_id: pick(params.license_id, base?.license_id ?? 'CC-BY-4.0'),
    themes: groups ? groups.map((g) => String(g.name).toUpperCase()) : base?.themes,
    keywords: tags ? tags.map((tag) => String(tag.name)) : base?.keywords,
    frequency: pick(extras.get('frequency'), base?.frequency),
    contact_name: pick(params.maintainer, base?.contact_name),
    contact_email: pick(params.maintainer_email, base?.contact_email),
    temporal_start: pick(extras.get('temporal_start'), base?.temporal_start),
    temporal_end: pick(extras.get('temporal_end'), base?.temporal_end),
    spatial: pick(extras.get('spatial_text'), base?.spatial),
    legal_basis: pick(extras.get('legal_basis'), base?.legal_basis),
    purpose: base?.purpose,
  };
}

const CATALOG_TO_CKAN: Record<string, string> = {
  city: 'owner_org',
  title_uk: 'title',
  description_uk: 'notes',
  keywords: 'tags',
  themes: 'groups',
  contact_email: 'maintainer_email',
};

export function validationToCkan(error: ValidationError): CkanError {
  const t = translator('en');
  const fields: Record<string, string[]> = {};
  for (const p of error.problems) (fields[CATALOG_TO_CKAN[p.field] ?? p.field] ??= []).push(t(p.message, p.params));
  // CKAN answers bad input with 409; a feature this server cannot offer keeps its 503.
  return new CkanError(
    error.statusCode === 503 ? 503 : 409,
    'Validation Error',
    Object.entries(fields)
      .map(([f, m]) => `${f}: ${m.join(' ')}`)
      .join('; '),
    fields,
  );
}

async function routes(app: FastifyInstance) {
  const { db } = app;
  const cityMap = async () =>
    new Map(
      (await listCities(db, { locale: 'uk', limit: 5000, offset: 0 })).items.map((c): [number, City] => [c.id, c]),
    );
  const requireUser = (request: FastifyRequest) => {
    if (!request.user)
      throw new CkanError(403, 'Authorization Error', 'Access denied: send a token in the Authorization header');
    return request.user;
  };
  const showPackage = async (dataset: Dataset) =>
    packageDict(dataset, await listResources(db, [dataset.id]), await cityMap(), app.config.publicUrl);
  const findPackage = async (request: FastifyRequest, id: string) => {
    try {
      return await getDataset(db, id, visibilityFor(request.user));
    } catch (error) {
      if (error instanceof NotFoundError) throw new CkanError(404, 'Not Found Error', 'Not found');
      throw error;
    }
  };

  const actions: Record<string, Action> = {
    status_show: async () => ({
      site_title: 'Hromada',
      site_url: app.config.publicUrl,
      ckan_version: '2.10.0',
      api_version: 3,
      extensions: ['datastore'],
    }),

    help_show: async (params) => {
      const name = text(params, 'name', 100);
      if (!name) throw missing('name');
      const help = HELP.get(name);
      if (help === undefined) throw new CkanError(404, 'Not Found Error', 'Not found: Action function not found');
      return help;
    },

    license_list: async () =>
      LICENCES.map((l) => ({
        id: l.id,
        title: l.title,
        url: l.url,
        od_conformance: l.open ? 'approved' : 'not reviewed',
        status: 'active',
      })),

    package_list: async (params) => {
      const limit = integer(params, 'limit', 1000, 1, 1000);
      const offset = integer(params, 'offset', 0, 0, 10_000_000);
      const result = await searchDatasets(db, { sort: 'name', limit, offset, visibility: PUBLIC_ONLY });
      return result.items.map((d) => d.name);
    },

    package_show: async (params, request) => {
      const id = text(params, 'id') ?? text(params, 'name_or_id');
      if (!id) throw missing('id');
      return showPackage(await findPackage(request, id));
    },

    package_search: async (params, request) => {
      const rows = integer(params, 'rows', 10, 0, 1000);
      const start = integer(params, 'start', 0, 0, 10_000_000);
      const sortText = (text(params, 'sort', 200) ?? 'score desc, metadata_modified desc').trim();
      let order: ReturnType<typeof parseSort>;
      try {
        order = parseSort(sortText);
      } catch (error) {
        if (!(error instanceof SolrError)) throw error;
        throw new CkanError(409, 'Validation Error', `sort: ${error.message}`, { sort: [error.message] });
      }
      // Plain words are searched as the catalog's search box does (typos, ranking); Solr syntax
      // (fields, operators, *:*) is parsed and compiled, as are fq and each of fq_list.
      let q = text(params, 'q', 1000)?.trim() || undefined;
      const filters: SolrNode[] = [];
      if (q && SOLR_SYNTAX.test(q)) {
        filters.push(solrParam('q', q));
        q = undefined;
      }
      const fq = text(params, 'fq', 1000);
      if (fq?.trim()) filters.push(solrParam('fq', fq));
      for (const item of fqList(params)) if (item.trim()) filters.push(solrParam('fq_list', item));
      const filter: SolrNode | undefined = filters.length ? { kind: 'and', items: filters } : undefined;
      let facetFields: string[] = [];
      const rawFacets = params['facet.field'];
      if (rawFacets !== undefined) {
        try {
          facetFields = typeof rawFacets === 'string' ? JSON.parse(rawFacets) : (rawFacets as string[]);
        } catch {
          throw new CkanError(409, 'Validation Error', 'facet.field must be a JSON list', {
            'facet.field': ['Must be a JSON list of field names'],
          });
        }
        if (!Array.isArray(facetFields) || facetFields.some((f) => !FACET_FIELDS[f])) {
          throw new CkanError(409, 'Validation Error', 'unknown facet field', {
            'facet.field': [`Use some of: ${Object.keys(FACET_FIELDS).join(', ')}`],
          });
        }
      }
      const facetLimit = integer(params, 'facet.limit', 50, -1, 1000);
      // As CKAN: drafts only with include_drafts and private datasets only with include_private,
      // and then only those the caller may see.
      const visibility = visibilityFor(request.user, {
        drafts: flag(params, 'include_drafts'),
        private: flag(params, 'include_private'),
      });
      const result = await searchDatasets(db, {
        q,
        order,
        limit: rows,
        offset: start,
        ...(filter ? { filter: (values: unknown[]) => compileSolr(filter, values) } : {}),
        visibility,
      });
      const resources = await listResources(
        db,
        result.items.map((d) => d.id),
      );
      const cities = await cityMap();
      const bySlug = new Map([...cities.values()].map((c) => [c.slug, c]));
      const t = translator('uk');
      const searchFacets: Record<
        string,
        { title: string; items: { name: string; display_name: string; count: number }[] }
      > = {};
      const facets: Record<string, Record<string, number>> = {};
      for (const field of facetFields) {
        const values = result.facets[FACET_FIELDS[field]!];
        const items = (facetLimit < 0 ? values : values.slice(0, facetLimit)).map((f) => ({
          name: field === 'groups' ? f.value.toLowerCase() : f.value,
          display_name:
            field === 'organization'
              ? (bySlug.get(f.value)?.name_uk ?? f.value)
              : field === 'groups'
                ? t(`catalog.themes.${f.value}`)
                : f.value,
          count: f.count,
        }));
        searchFacets[field] = { title: field, items };
        facets[field] = Object.fromEntries(items.map((i) => [i.name, i.count]));
      }
      return {
        count: result.total,
        sort: sortText,
        facets,
        search_facets: searchFacets,
        results: result.items.map((d) =>
          packageDict(
            d,
            resources.filter((r) => r.dataset_id === d.id),
            cities,
            app.config.publicUrl,
          ),
        ),
      };
    },

    organization_list: async (params) => {
      const allFields = text(params, 'all_fields') === 'true' || params.all_fields === true;
      const cities = await listCities(db, { locale: 'uk', limit: 5000, offset: 0, sort: 'name' });
      return allFields ? cities.items.map(organizationDict) : cities.items.map((c) => c.slug);
    },

    organization_show: async (params) => {
      const id = text(params, 'id');
      if (!id) throw missing('id');
      try {
        return organizationDict(await getCity(db, id));
      } catch (error) {
        if (error instanceof NotFoundError || (error as { statusCode?: number }).statusCode === 400)
          throw new CkanError(404, 'Not Found Error', 'Not found');
        throw error;
      }
    },

    tag_list: async (params) => {
      const query = text(params, 'query', 1000);
      const rows = await db.query<{ tag: string }>(
        `SELECT DISTINCT k AS tag FROM datasets d, unnest(d.keywords) k WHERE d.state = 'published' ${query ? 'AND k ILIKE $1' : ''} ORDER BY k`,
        query ? [likePattern(query)] : [],
      );
      return rows.map((r) => r.tag);
    },

    package_create: async (params, request) => {
      const user = requireUser(request);
      // As CKAN's auth: only an editor of the organization may create a dataset in it.
      const editable = editableCityIds(user);
      if (editable !== null) {
        if (editable.length === 0)
          throw new CkanError(403, 'Authorization Error', 'Access denied: User not authorized to create packages');
        const owner = text(params, 'owner_org', 200);
        const city = owner ? [...(await cityMap()).values()].find((c) => c.slug === owner) : undefined;
        if (city && !editable.includes(city.id))
          throw new CkanError(
            403,
            'Authorization Error',
            'Access denied: User not authorized to add dataset to this organization',
          );
      }
      const input = await parseDatasetInput(db, toCatalogBody(params, null), editableCityIds(user));
      const state =
        params.private === true || params.private === 'true'
          ? 'private'
          : params.state === 'draft'
            ? 'draft'
            : 'published';
      const dataset = await db.transaction(async (tx) => {
        const created = await createDataset(tx, actorOf(request), input, state);
        for (const resource of Array.isArray(params.resources) ? params.resources : []) {
          await addResource(tx, actorOf(request), created, parseResourceLink(resource));
        }
        return created;
      });
      return showPackage(await getDataset(db, dataset.name, visibilityFor(user)));
    },

    package_update: async (params, request) => update(params, request, false),
    package_patch: async (params, request) => update(params, request, true),

    package_delete: async (params, request) => {
      const user = requireUser(request);
      const id = text(params, 'id');
      if (!id) throw missing('id');
      const dataset = await findPackage(request, id);
      assertCanEditDataset(user, dataset);
      await db.transaction((tx) => setDatasetState(tx, actorOf(request), dataset, 'deleted'));
      return null;
    },

    resource_show: async (params, request) => {
      const id = text(params, 'id');
      if (!id) throw missing('id');
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new CkanError(404, 'Not Found Error', 'Not found');
      const row = await db.one<{ name: string }>(
        'SELECT d.name FROM resources r JOIN datasets d ON d.id = r.dataset_id WHERE r.id = $1',
        [id],
      );
      if (!row) throw new CkanError(404, 'Not Found Error', 'Not found');
      const dataset = await findPackage(request, row.name);
      const resource = (await listResources(db, [dataset.id])).find((r) => r.id === id)!;
      return resourceDict(resource, dataset, app.config.publicUrl);
    },

    resource_create: async (params, request) => {
      const user = requireUser(request);
      // A file comes as multipart/form-data (CKAN's `upload` field), a link as JSON or a form.
      if (request.isMultipart()) {
        let dataset: Dataset | null = null;
        const received = await receiveUpload(
          request as never,
          app.files,
          app.config.uploadLimitBytes,
          async (fields) => {
            if (!fields.package_id) throw missing('package_id');
            dataset = await findPackage(request, fields.package_id);
            assertCanEditDataset(user, dataset);
          },
        ).catch((error) => {
          if (error instanceof FileTooLargeError)
            throw new CkanError(413, 'Validation Error', 'The file is too large', {
              upload: [`At most ${app.config.uploadLimitBytes} bytes`],
            });
          throw error;
        });
        if (!received.stored || !dataset) throw missing('upload');
        const target: Dataset = dataset;
        const id = await db.transaction((tx) =>
          addUploadedResource(tx, actorOf(request), target, {
            file: received.stored!.file,
            fileName: received.stored!.fileName,
            name: (received.fields.name ?? '').slice(0, 300),
            description: (received.fields.description ?? '').slice(0, 5000),
          }),
        );
        const resource = (await listResources(db, [target.id])).find((r) => r.id === id)!;
        return resourceDict(resource, target, app.config.publicUrl);
      }
      const id = text(params, 'package_id');
      if (!id) throw missing('package_id');
      const dataset = await findPackage(request, id);
      assertCanEditDataset(user, dataset);
      // Validation errors become CKAN's Validation Error in ckanRespond.
      const input = parseResourceLink(params);
      const resource = await db.transaction((tx) => addResource(tx, actorOf(request), dataset, input));
      return resourceDict(resource, dataset, app.config.publicUrl);
    },
  };

  async function update(params: Params, request: FastifyRequest, patch: boolean) {
    const user = requireUser(request);
    const id = text(params, 'id') ?? text(params, 'name');
    if (!id) throw missing('id');
    const before = await findPackage(request, id);
    assertCanEditDataset(user, before);
    const body = toCatalogBody(
      patch ? params : { ...params, name: params.name ?? before.name },
      patch ? before : ({ ...before, title_en: '', title_bg: '', keywords: [], themes: [] } as Dataset),
    );
    const input = await parseDatasetInput(db, body, editableCityIds(user));
    const after = await db.transaction((tx) =>
      updateDataset(
        tx,
        actorOf(request),
        before,
        input,
        patch ? 'patched through the CKAN API' : 'updated through the CKAN API',
      ),
    );
    return showPackage(after);
  }

  const respond = (request: FastifyRequest<{ Params: { action: string } }>, reply: FastifyReply) =>
    ckanRespond(
      app,
      request.params.action,
      Object.hasOwn(actions, request.params.action) ? actions[request.params.action] : undefined,
      request,
      reply,
      Object.hasOwn(CATALOG_ACTIONS, request.params.action) ? CATALOG_ACTIONS[request.params.action] : undefined,
    );
  const options = {
    config: apiRateLimit(app),
    schema: {
      hide: true,
      params: { type: 'object', properties: { action: { type: 'string', pattern: '^[a-z_]{1,60}$' } } },
    },
    errorHandler: ckanErrorHandler(app, (request) => (request.params as { action?: string }).action ?? ''),
  };
  // ckanapi and other CKAN clients call /api/action/<name>; /api/3/action/<name> is the same.
  for (const prefix of ['/api/3/action', '/api/action']) {
    app.get<{ Params: { action: string } }>(`${prefix}/:action`, options, respond);
    app.post<{ Params: { action: string } }>(`${prefix}/:action`, options, respond);
  }

  // The version probes, as CKAN answers them: /api is version 1, /api/N is N.
  const versionOptions = {
    config: apiRateLimit(app),
    schema: { hide: true },
    errorHandler: ckanErrorHandler(app, () => ''),
  };
  for (const [path, version] of [
    ['/api', 1],
    ['/api/', 1],
    ['/api/1', 1],
    ['/api/2', 2],
    ['/api/3', 3],
  ] as const) {
    const handler = (request: FastifyRequest, reply: FastifyReply) => {
      const callback = jsonpCallback(request);
      if (callback instanceof CkanError) return sendCkanError(app, '', callback, request, reply);
      return sendCkan(reply, { version }, callback);
    };
    app.get(path, versionOptions, handler);
    if (path !== '/api' && path !== '/api/') app.get(`${path}/`, versionOptions, handler);
  }
}

/**
 * The `callback` of a GET request (JSONP), undefined without one, or CKAN's 400 when it is not a
 * plain JavaScript name (CKAN escapes it; a name is all a caller needs, and nothing else is sent).
 */
function jsonpCallback(request: FastifyRequest): string | CkanError | undefined {
  if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
  const callback = (request.query as Params | undefined)?.callback;
  if (callback === undefined) return undefined;
  if (typeof callback === 'string' && callback.length <= 128 && CALLBACK.test(callback)) return callback;
  return new CkanError(
    400,
    'Bad request',
    'Bad request - callback must be a JavaScript name (letters, digits, _, $ and dots)',
  );
}

/** Sends a successful answer as JSON, or wrapped in `callback(...)` as JavaScript (JSONP). */
function sendCkan(reply: FastifyReply, body: unknown, callback: string | undefined) {
  if (callback === undefined) return reply.type('application/json; charset=utf-8').send(body);
  return reply.type('application/javascript; charset=utf-8').send(`${callback}(${JSON.stringify(body)});`);
}

/** Any error as CKAN gives it: a status and the `error` object with CKAN's `__type`. */
function ckanErrorOf(error: unknown): { status: number; error: Record<string, unknown> } {
  if (error instanceof CkanError)
    return { status: error.status, error: { __type: error.type, message: error.message, ...error.fields } };
  if (error instanceof ForbiddenError)
    return {
      status: 403,
      error: { __type: 'Authorization Error', message: 'Access denied: you may not change this dataset' },
    };
  if (error instanceof NotFoundError)
    return { status: 404, error: { __type: 'Not Found Error', message: 'Not found' } };
  if (error instanceof ValidationError) return ckanErrorOf(validationToCkan(error));
  const fastify = error as Partial<FastifyError>;
  if (fastify.validation) {
    // The request's schema: the action name in the path, else a parameter.
    if (fastify.validationContext === 'params')
      return { status: 400, error: { __type: 'Bad request', message: 'Bad request - Action name not known' } };
    const fields: Record<string, string[]> = {};
    for (const v of fastify.validation) {
      const name = (v.params as { missingProperty?: string }).missingProperty ?? v.instancePath.replace(/^\//, '');
      (fields[name || 'request'] ??= []).push(v.message ?? 'Invalid value');
    }
    return { status: 409, error: { __type: 'Validation Error', message: fastify.message, ...fields } };
  }
  const status = fastify.statusCode && fastify.statusCode >= 400 && fastify.statusCode < 600 ? fastify.statusCode : 500;
  if (status >= 500) return { status, error: { __type: 'Internal Server Error', message: 'Internal Server Error' } };
  const message = fastify.message || STATUS_CODES[status] || 'Error';
  if (status !== 400) return { status, error: { __type: STATUS_CODES[status] ?? 'Error', message } };
  // A body that is not JSON: CKAN's "Bad request - JSON Error".
  const json = fastify.code?.startsWith('FST_ERR_CTP_') ? 'JSON Error: ' : '';
  return { status, error: { __type: 'Bad request', message: `Bad request - ${json}${message}` } };
}

/** Sends an error in CKAN's envelope; a server error is logged. */
function sendCkanError(
  app: FastifyInstance,
  name: string,
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const ckan = ckanErrorOf(error);
  if (ckan.status >= 500 && ckan.status !== 503) request.log.error({ err: error }, 'request failed');
  const help = `${app.config.publicUrl}/api/3/action/help_show?name=${encodeURIComponent(name)}`;
  return reply
    .code(ckan.status)
    .type('application/json; charset=utf-8')
    .send({ help, success: false, error: ckan.error });
}

/**
 * For a CKAN route's options: errors raised before the action runs (a body that is not JSON,
 * input the platform refuses, a schema) come in CKAN's envelope too, not as problem details.
 */
function ckanErrorHandler(app: FastifyInstance, name: (request: FastifyRequest) => string) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
    sendCkanError(app, name(request), error, request, reply);
}

/** Answers one action call in CKAN's envelope, mapping our errors to CKAN's types and codes. */
export async function ckanRespond(
  app: FastifyInstance,
  name: string,
  action: Action | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
  options?: ActionOptions,
) {
  const help = `${app.config.publicUrl}/api/3/action/help_show?name=${encodeURIComponent(name)}`;
  if (!action)
    return sendCkanError(
      app,
      name,
      new CkanError(400, 'Bad request', `Bad request - Action name not known: ${name}`),
      request,
      reply,
    );
  // CKAN reads a GET's parameters only for actions without side effects; the others want a POST.
  if (options?.write && (request.method === 'GET' || request.method === 'HEAD'))
    return sendCkanError(
      app,
      name,
      new CkanError(
        400,
        'Bad request',
        'Bad request - JSON Error: Invalid request. Please use POST method for your request',
      ),
      request,
      reply,
    );
  const callback = jsonpCallback(request);
  if (callback instanceof CkanError) return sendCkanError(app, name, callback, request, reply);
  const body = request.body && typeof request.body === 'object' ? (request.body as Params) : {};
  const params: Params = { ...(request.query as Params), ...body };
  if (Object.hasOwn(params, 'callback')) {
    // As CKAN: a call with a callback is answered as to an anonymous visitor, whatever it sent.
    delete params.callback;
    request.user = null;
  }
  try {
    const result = await action(params, request);
    return sendCkan(reply, { help, success: true, result }, callback);
  } catch (error) {
    return sendCkanError(app, name, error, request, reply);
  }
}

/** Registers one CKAN action of another module at its own paths, with the same envelope and help. */
export function registerCkanAction(app: FastifyInstance, name: string, about: ActionOptions, action: Action): void {
  HELP.set(name, about.help);
  const handler = (request: FastifyRequest, reply: FastifyReply) =>
    ckanRespond(app, name, action, request, reply, about);
  const options = {
    config: apiRateLimit(app),
    schema: { hide: true },
    errorHandler: ckanErrorHandler(app, () => name),
    ...(about.bodyLimit ? { bodyLimit: about.bodyLimit } : {}),
  };
  for (const prefix of ['/api/3/action', '/api/action']) {
    app.get(`${prefix}/${name}`, options, handler);
    app.post(`${prefix}/${name}`, options, handler);
  }
}

export const ckanModule = fp(routes, { name: 'ckan' });
