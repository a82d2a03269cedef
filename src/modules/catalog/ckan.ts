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
import { listCities, type City } from '../cities/service.ts';
import {
  PUBLIC_ONLY,
  addResource,
  createDataset,
  deleteResource,
  extrasProblem,
  updateResource,
  type ResourceInput,
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
import { LICENCES, THEMES, licence, licenceFor, themeUri } from './vocabularies.ts';
import { FileTooLargeError, receiveUpload } from '../../platform/files.ts';
import { addUploadedResource, formatFromName, replaceUploadedFile } from '../datastore/service.ts';
import type { Queryable } from '../../platform/db/index.ts';
import {
  ReviseError,
  filterGlob,
  jsonListOrString,
  jsonOrString,
  mergeDict,
  mergeKey,
  resolve,
  unmatched,
  type Json,
} from './revise.ts';

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
  tag_list: {
    help: 'Return a list of the tags of public datasets.\n\n:param query: a tag name query to search for\n:rtype: list of strings',
  },
  package_create: {
    write: true,
    help: 'Create a new dataset. You must be an editor of the organization (city) that publishes it.\n\n:param name: the dataset name (lowercase letters, digits, - and _)\n:param title: the title\n:param notes: the description\n:param owner_org: the organization (city)\n:param license_id: the license\n:param tags: a list of tag dictionaries\n:param groups: a list of group (EU theme) dictionaries\n:param extras: a list of key/value dictionaries\n:param resources: a list of resource dictionaries (links)\n:param private: create the dataset as private\n:returns: the newly created dataset\n:rtype: dictionary',
  },
  package_update: {
    write: true,
    help: "Update a dataset: the fields not given are reset, as in CKAN 2.10 and 2.11. You must be an editor of its organization.\n\nIt is recommended to call package_show, change the result, and call package_update with it. As in CKAN 2.10/2.11, `resources` replaces the dataset's resources: an item with the `id` of one of them updates it, an item without one adds a link, and the resources not listed are removed; `resources` omitted removes them all (use package_patch or package_revise to keep them). `extras` replaces the extras; the keys frequency, temporal_start, temporal_end, spatial_text, legal_basis, title_en and title_bg set the catalog's own fields.\n\n:param id: the id or name of the dataset\n:returns: the updated dataset\n:rtype: dictionary",
  },
  package_patch: {
    write: true,
    help: 'Patch a dataset: only the fields given are changed (a `resources` given replaces them as package_update does). You must be an editor of its organization.\n\n:param id: the id or name of the dataset\n:returns: the patched dataset\n:rtype: dictionary',
  },
  package_revise: {
    write: true,
    help: 'Revise a dataset selectively with match, filter and update, as CKAN\'s package_revise. You must be an editor of its organization.\n\n:param match: a dict with the "id" or "name" of the dataset; every value given must equal the current one, else a Validation Error naming the keys that differ\n:param filter: glob patterns of fields to remove first, e.g. `-resources__1`, `+title, -*`\n:param update: a dict merged into the dataset (lists item by item)\n:param match__<key>, update__<key>: the same by flattened keys, a list item by its index (`resources__0`, `resources__-1`) or the first 5+ characters of its id; `update__resources__extend` appends\n:param include: glob patterns of the fields of the answer to keep\nFile uploads within package_revise are not supported (a 409 says so): use resource_create or resource_update.\n:returns: {"package": the updated dataset}\n:rtype: dictionary',
  },
  current_package_list_with_resources: {
    help: "Return the site's public datasets with their resources, most recently modified first.\n\n:param limit: at most this many (1-1000, default 10)\n:param offset: skip this many\n:param page: (deprecated) the page of `limit` datasets\n:rtype: list of dictionaries",
  },
  group_list: {
    help: "Return a list of the names of the site's groups: the EU data themes datasets are filed under.\n\n:param sort: `title asc` (default), `name`, `package_count`, each asc or desc\n:param limit: at most this many (default 1000, with all_fields 25)\n:param offset: skip this many\n:param groups: only these group names\n:param all_fields: return group dictionaries (with package_count) instead of names\n:rtype: list of strings or dictionaries",
  },
  group_show: {
    help: 'Return the details of a group (an EU data theme).\n\n:param id: the id or name of the group (e.g. `econ`)\n:param include_datasets: include up to 1000 of its public datasets (default false)\n:param include_dataset_count: include package_count (default true)\n:rtype: dictionary',
  },
  package_delete: {
    write: true,
    help: 'Delete a dataset (its state becomes deleted). You must be an editor of its organization.\n\n:param id: the id or name of the dataset',
  },
  resource_show: {
    help: 'Return the metadata of a resource.\n\n:param id: the id of the resource\n:rtype: dictionary',
  },
  resource_update: {
    write: true,
    help: "Update a resource: the fields not given are reset (its name is kept). A new file comes as multipart `upload`; a `url` makes it a link. You must be an editor of its dataset's organization.\n\n:param id: the id of the resource\n:param url: the link\n:param upload: a file to replace it\n:param name: the name\n:param description: the description\n:param format: the format\n:returns: the updated resource\n:rtype: dictionary",
  },
  resource_patch: {
    write: true,
    help: "Patch a resource: only the fields given are changed (a multipart `upload` replaces its file). You must be an editor of its dataset's organization.\n\n:param id: the id of the resource\n:returns: the patched resource\n:rtype: dictionary",
  },
  resource_delete: {
    write: true,
    help: "Delete a resource (and its DataStore table). You must be an editor of its dataset's organization.\n\n:param id: the id of the resource",
  },
  resource_create: {
    write: true,
    help: 'Add a resource to a dataset: a link (url) or a file (multipart `upload`). You must be an editor of its organization.\n\n:param package_id: the id or name of the dataset\n:param url: the link\n:param upload: the file\n:param name: the name\n:param description: the description\n:param format: the format\n:returns: the newly created resource\n:rtype: dictionary',
  },
};
for (const [name, options] of Object.entries(CATALOG_ACTIONS)) HELP.set(name, options.help);

/** The names of the actions served (each registered with its help), for the API docs page. */
export function ckanActionNames(): string[] {
  return [...HELP.keys()].sort();
}

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
function dictList(params: Params, field: string, key: string, orKey?: string): Record<string, unknown>[] | undefined {
  const value = params[field];
  if (value === undefined || value === null) return undefined;
  const fail = (problem: string) =>
    new CkanError(409, 'Validation Error', `${field}: ${problem}`, { [field]: [problem] });
  if (!Array.isArray(value)) throw fail('Must be a list of dictionaries');
  value.forEach((item: unknown, index) => {
    if (!item || typeof item !== 'object' || Array.isArray(item))
      throw fail(`Item ${index} must be a dictionary with a "${key}"`);
    const named =
      (item as Record<string, unknown>)[key] ?? (orKey ? (item as Record<string, unknown>)[orKey] : undefined);
    if (typeof named !== 'string' && typeof named !== 'number')
      throw fail(`Item ${index} must have a "${key}"${orKey ? ` or an "${orKey}"` : ''} that is text`);
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

export function organizationDict(city: City) {
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

export function resourceDict(r: Resource, dataset: Dataset, publicUrl: string) {
  // An uploaded file's url is its download address, as CKAN gives for url_type "upload".
  const uploaded = r.file_name !== null;
  return {
    id: r.id,
    package_id: dataset.uuid,
    name: r.name,
    description: r.description,
    format: r.format,
    // A link the platform itself serves (an export of petitions, budgets, the ranking) is stored as a
    // path; other sites need the whole address.
    url: uploaded
      ? `${publicUrl}/datasets/${dataset.name}/resources/${r.id}/download`
      : r.url?.startsWith('/')
        ? `${publicUrl}${r.url}`
        : (r.url ?? ''),
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

/** A group as CKAN gives one within a dataset: an EU data theme, named by its code in lower case. */
function groupDict(theme: string) {
  const uk = translator('uk');
  const en = translator('en');
  const bg = translator('bg');
  const code = theme.toUpperCase();
  return {
    id: code.toLowerCase(),
    name: code.toLowerCase(),
    title: uk(`catalog.themes.${code}`),
    display_name: uk(`catalog.themes.${code}`),
    description: `${en(`catalog.themes.${code}`)} / ${bg(`catalog.themes.${code}`)} (${themeUri(code)})`,
    image_display_url: '',
  };
}

/** A group as group_show and group_list give it. */
function fullGroupDict(theme: string, packageCount?: number) {
  return {
    ...groupDict(theme),
    image_url: '',
    type: 'group',
    is_organization: false,
    state: 'active',
    approval_status: 'approved',
    num_followers: 0,
    ...(packageCount === undefined ? {} : { package_count: packageCount }),
  };
}

/** The extras the catalog derives from its own fields (and reads back into them). */
const DERIVED_EXTRAS = [
  'frequency',
  'temporal_start',
  'temporal_end',
  'spatial_text',
  'legal_basis',
  'title_en',
  'title_bg',
];

const isoLocal = (at: Date | string) => new Date(at).toISOString().replace('Z', '');

export function packageDict(d: Dataset, resources: Resource[], cities: Map<number, City>, publicUrl: string) {
  const lic = licence(d.license_id);
  const city = cities.get(d.city_id);
  return {
    id: d.uuid,
    name: d.name,
    title: d.title_uk,
    notes: d.description_uk,
    type: 'dataset',
    state: d.state === 'published' ? 'active' : d.state === 'deleted' ? 'deleted' : 'draft',
    private: d.state === 'private',
    // As CKAN's package_dictize: license_url only for a licence with a url, the id as title when unknown.
    license_id: d.license_id,
    license_title: lic?.title ?? d.license_id,
    ...(lic?.url ? { license_url: lic.url } : {}),
    isopen: lic?.open ?? false,
    owner_org: city?.slug ?? null,
    organization: city ? organizationDict(city) : null,
    maintainer: d.contact_name,
    maintainer_email: d.contact_email,
    author: d.author,
    author_email: d.author_email,
    version: d.version,
    url: d.source_url,
    metadata_created: isoLocal(d.created_at),
    metadata_modified: isoLocal(d.modified_at),
    tags: d.keywords.map((k) => ({ name: k, display_name: k, state: 'active' })),
    num_tags: d.keywords.length,
    groups: d.themes.map(groupDict),
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
      ...d.extras,
    ],
    relationships_as_object: [],
    relationships_as_subject: [],
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
/** A yes/no parameter: a JSON boolean (as ckanapi posts it) or CKAN's words for true in a query string. */
const flag = (params: Params, field: string) =>
  typeof params[field] === 'boolean' ? params[field] : /^(true|yes|t|y|1|on)$/i.test(String(text(params, field) ?? ''));

const FACET_FIELDS: Record<string, 'city' | 'keyword' | 'format' | 'license' | 'theme'> = {
  organization: 'city',
  tags: 'keyword',
  res_format: 'format',
  license_id: 'license',
  groups: 'theme',
};

/**
 * A dataset body in CKAN terms, translated to the catalog's fields. `base` gives the value of each
 * field not in params: the dataset itself for a patch, the dataset with CKAN's fields emptied for an
 * update (CKAN resets what package_update is not given), nothing for a create.
 */
function toCatalogBody(params: Params, base: Dataset | null): Record<string, unknown> {
  const given = dictList(params, 'extras', 'key');
  if (given) {
    const problem = extrasProblem(given);
    if (problem) throw new CkanError(409, 'Validation Error', `extras: ${problem}`, { extras: [problem] });
  }
  const extras = new Map((given ?? []).map((e) => [String(e.key), e.value]));
  const free = given?.filter((e) => !DERIVED_EXTRAS.includes(String(e.key)));
  const groups = dictList(params, 'groups', 'name', 'id');
  const tags = dictList(params, 'tags', 'name');
  const pick = <T>(value: T | undefined, fallback: T) => (value === undefined ? fallback : value);
  // A CKAN licence id means the catalog's licence it names (cc-zero is CC0-1.0); an unknown one
  // goes on to be refused by name.
  const licenceId = params.license_id;
  const mappedLicence =
    typeof licenceId === 'string' && licenceId !== '' ? (licenceFor(licenceId)?.id ?? licenceId) : licenceId;
  return {
    name: pick(params.name, base?.name),
    city: pick(params.owner_org, base?.city_slug),
    // As CKAN: a dataset without a title is titled by its name.
    title_uk: pick(params.title || undefined, base?.title_uk ?? params.name),
    title_en: pick(extras.get('title_en'), base?.title_en),
    title_bg: pick(extras.get('title_bg'), base?.title_bg),
    description_uk: pick(params.notes, base?.description_uk),
    description_en: base?.description_en,
    description_bg: base?.description_bg,
    license_id: pick(mappedLicence, base?.license_id ?? null),
    themes: groups ? groups.map((g) => String(g.name ?? g.id).toUpperCase()) : base?.themes,
    keywords: tags ? tags.map((tag) => String(tag.name)) : base?.keywords,
    frequency: pick(extras.get('frequency'), base?.frequency),
    contact_name: pick(params.maintainer, base?.contact_name),
    contact_email: pick(params.maintainer_email, base?.contact_email),
    temporal_start: pick(extras.get('temporal_start'), base?.temporal_start),
    temporal_end: pick(extras.get('temporal_end'), base?.temporal_end),
    spatial: pick(extras.get('spatial_text'), base?.spatial),
    legal_basis: pick(extras.get('legal_basis'), base?.legal_basis),
    purpose: base?.purpose,
    author: pick(params.author, base?.author ?? null),
    author_email: pick(params.author_email, base?.author_email ?? null),
    version: pick(params.version, base?.version ?? null),
    source_url: pick(params.url, base?.source_url ?? null),
    extras: free ?? base?.extras ?? [],
  };
}

/** The domains (content, data) CKAN's default licence register gives each of its ids. */
const LICENCE_DOMAINS: Record<string, string> = {
  'odc-pddl': 'data',
  'odc-odbl': 'data',
  'odc-by': 'data',
  'cc-zero': 'content data',
  'cc-by-sa': 'content',
  gfdl: 'content',
  'other-open': 'content',
  'other-pd': 'content',
  'other-at': 'content',
  'uk-ogl': 'content',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A resource's problems in a package's `resources` list, as CKAN names them: resources, item and field. */
function resourceError(error: ValidationError, position: number): CkanError {
  const t = translator('en');
  const problems = error.problems.map((p) => `${p.field}: ${t(p.message, p.params)}`);
  return new CkanError(409, 'Validation Error', `resources: item ${position}: ${problems.join('; ')}`, {
    resources: [`Item ${position}: ${problems.join('; ')}`],
  });
}

const CATALOG_TO_CKAN: Record<string, string> = {
  city: 'owner_org',
  title_uk: 'title',
  description_uk: 'notes',
  keywords: 'tags',
  themes: 'groups',
  contact_name: 'maintainer',
  contact_email: 'maintainer_email',
  source_url: 'url',
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

    // As CKAN's default register dictizes a licence: every value a string ("True", "False").
    license_list: async () =>
      LICENCES.map((l) => {
        const domains = LICENCE_DOMAINS[l.ckanId] ?? '';
        return {
          domain_content: domains.includes('content') ? 'True' : 'False',
          id: l.id,
          domain_data: domains.includes('data') ? 'True' : 'False',
          domain_software: 'False',
          family: '',
          is_generic: l.generic ? 'True' : 'False',
          od_conformance: l.open ? 'approved' : 'not reviewed',
          osd_conformance: 'not reviewed',
          maintainer: '',
          status: 'active',
          url: l.url,
          title: l.title,
        };
      }),

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
      const resources = resourceList(params);
      const input = await parseDatasetInput(db, toCatalogBody(params, null), editableCityIds(user));
      // As CKAN: only a sysadmin may choose the id, a UUID no dataset has.
      const id = text(params, 'id', 100);
      if (id !== undefined) {
        if (editable !== null)
          throw new CkanError(409, 'Validation Error', 'id: Only a sysadmin may set the id', {
            id: ['Only a sysadmin may set the id'],
          });
        if (!UUID.test(id)) throw new CkanError(409, 'Validation Error', 'id: Invalid UUID', { id: ['Invalid UUID'] });
        if (await db.one('SELECT 1 FROM datasets WHERE uuid = $1::uuid', [id]))
          throw new CkanError(409, 'Validation Error', 'id: Dataset id already exists', {
            id: ['Dataset id already exists'],
          });
        input.uuid = id.toLowerCase();
      }
      const state = flag(params, 'private') ? 'private' : params.state === 'draft' ? 'draft' : 'published';
      const dataset = await db.transaction(async (tx) => {
        const created = await createDataset(tx, actorOf(request), input, state);
        await saveResources(tx, request, created, resources);
        return created;
      });
      return showPackage(await getDataset(db, dataset.uuid, visibilityFor(user)));
    },

    package_update: async (params, request) => update(params, request, false),
    package_patch: async (params, request) => update(params, request, true),

    package_revise: async (params, request) => {
      if (request.isMultipart())
        throw new CkanError(409, 'Validation Error', 'File uploads are not supported by package_revise here', {
          upload: ['Use resource_create or resource_update to upload a file'],
        });
      const dictParam = (field: string) => {
        const value = jsonOrString(params[field]);
        if (value === undefined) return undefined;
        if (!value || typeof value !== 'object' || Array.isArray(value))
          throw new CkanError(409, 'Validation Error', `${field}: Must be a dict`, { [field]: ['Must be a dict'] });
        return value as Record<string, Json>;
      };
      const listParam = (field: string) => {
        const value = jsonListOrString(params[field]);
        if (value === undefined) return undefined;
        if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
          throw new CkanError(409, 'Validation Error', `${field}: Must be a list of strings`, {
            [field]: ['Must be a list of strings'],
          });
        return value as string[];
      };
      const match = dictParam('match');
      const filter = listParam('filter');
      const updates = dictParam('update');
      const include = listParam('include');
      const prefixed = (prefix: string) =>
        Object.keys(params)
          .filter((k) => k.startsWith(prefix) && k.length > prefix.length)
          .sort()
          .map((k) => [k.slice(prefix.length), jsonOrString(params[k]) as Json] as const);
      const matchKeys = prefixed('match__');
      const updateKeys = prefixed('update__');
      const idOf = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
      const nameOrId =
        idOf(Object.fromEntries(matchKeys).id) ??
        idOf(match?.id) ??
        idOf(Object.fromEntries(matchKeys).name) ??
        idOf(match?.name);
      if (!nameOrId)
        throw new CkanError(409, 'Validation Error', 'match__id: Missing value', { match__id: ['Missing value'] });
      const dataset = await findPackage(request, nameOrId);
      assertCanEditDataset(requireUser(request), dataset);
      const orig = JSON.parse(JSON.stringify(await showPackage(dataset))) as Record<string, Json>;
      try {
        const differ = [
          ...(match ? unmatched(orig, match) : []),
          ...matchKeys.flatMap(([k, v]) => {
            const { value, path } = resolve(orig, k);
            return unmatched(value, v, path);
          }),
        ];
        if (differ.length) {
          const keys = differ.map((p) => p.join('__'));
          throw new CkanError(409, 'Validation Error', `match: ${keys.join(', ')}`, { match: keys });
        }
        if (filter) {
          const id = orig.id!;
          filterGlob(orig, filter);
          orig.id = id;
        }
        if (updates) mergeDict(orig, updates);
        // __extend first, so that later keys may reach the items it adds.
        const ordered = [...updateKeys].sort(
          ([a], [b]) => Number(!a.endsWith('extend')) - Number(!b.endsWith('extend')),
        );
        for (const [k, v] of ordered) mergeKey(orig, k, v);
      } catch (error) {
        if (!(error instanceof ReviseError)) throw error;
        throw new CkanError(409, 'Validation Error', `update: ${error.message}`, { update: [error.message] });
      }
      const revised = { package: (await update({ ...orig, id: dataset.uuid }, request, false)) as unknown as Json };
      if (include) filterGlob(revised, include);
      return revised;
    },

    current_package_list_with_resources: async (params) => {
      const limit = integer(params, 'limit', 10, 1, 1000);
      const page = params.offset === undefined ? integer(params, 'page', 1, 1, 1_000_000) : 1;
      const offset = integer(params, 'offset', (page - 1) * limit, 0, 10_000_000);
      const result = await searchDatasets(db, { sort: '-modified', limit, offset, visibility: PUBLIC_ONLY });
      return showPackages(result.items);
    },

    group_list: async (params) => {
      const allFields = flag(params, 'all_fields');
      const sortText = (text(params, 'sort', 100) ?? text(params, 'order_by', 100) ?? 'title asc').trim();
      const sort = /^(name|title|package_count|packages)(?:\s+(asc|desc))?$/i.exec(sortText);
      if (!sort)
        throw new CkanError(409, 'Validation Error', 'sort: Use name, title or package_count, asc or desc', {
          sort: ['Use name, title or package_count, asc or desc'],
        });
      const limit = integer(params, 'limit', allFields ? 25 : 1000, 0, 1000);
      const offset = integer(params, 'offset', 0, 0, 1_000_000);
      const only = params.groups === undefined ? undefined : jsonListOrString(params.groups);
      if (only !== undefined && (!Array.isArray(only) || only.some((g) => typeof g !== 'string')))
        throw new CkanError(409, 'Validation Error', 'groups: Must be a list of group names', {
          groups: ['Must be a list of group names'],
        });
      const counts = await themeCounts();
      const uk = new Intl.Collator('uk');
      const field = sort[1]!.toLowerCase();
      const groups = THEMES.filter((th) => !only || (only as string[]).includes(th.toLowerCase()))
        .map((th) => fullGroupDict(th, counts.get(th) ?? 0))
        .sort((a, b) =>
          field === 'name'
            ? a.name.localeCompare(b.name)
            : field === 'title'
              ? uk.compare(a.title, b.title)
              : (a.package_count ?? 0) - (b.package_count ?? 0) || a.name.localeCompare(b.name),
        );
      // CKAN's default for package_count (and "packages") is the biggest first.
      const descending = sort[2] ? sort[2].toLowerCase() === 'desc' : field === 'package_count' || field === 'packages';
      if (descending) groups.reverse();
      const page = groups.slice(offset, offset + limit);
      return allFields ? page : page.map((g) => g.name);
    },

    group_show: async (params) => {
      const id = text(params, 'id', 100);
      if (!id) throw missing('id');
      const theme = THEMES.find((th) => th === id.toUpperCase());
      if (!theme) throw new CkanError(404, 'Not Found Error', 'Group not found');
      const withCount = params.include_dataset_count === undefined || flag(params, 'include_dataset_count');
      const group = fullGroupDict(theme, withCount ? ((await themeCounts()).get(theme) ?? 0) : undefined);
      if (!flag(params, 'include_datasets')) return group;
      const result = await searchDatasets(db, {
        order: [{ key: 'name', desc: false }],
        filter: (values) => {
          values.push(theme);
          return `$${values.length} = ANY(d.themes)`;
        },
        limit: 1000,
        offset: 0,
        visibility: PUBLIC_ONLY,
      });
      return { ...group, packages: await showPackages(result.items) };
    },

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
      const { dataset, resource } = await findResource(request, id);
      return resourceDict(resource, dataset, app.config.publicUrl);
    },

    resource_create: async (params, request) => {
      const user = requireUser(request);
      // A file comes as multipart/form-data (CKAN's `upload` field), a link as JSON or a form.
      if (request.isMultipart()) {
        let dataset: Dataset | null = null;
        const received = await receive(request, async (fields) => {
          if (!fields.package_id) throw missing('package_id');
          dataset = await findPackage(request, fields.package_id);
          assertCanEditDataset(user, dataset);
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

    resource_update: async (params, request) => changeResource(params, request, false),
    resource_patch: async (params, request) => changeResource(params, request, true),

    resource_delete: async (params, request) => {
      const user = requireUser(request);
      const id = text(params, 'id');
      if (!id) throw missing('id');
      const { dataset, resource } = await findResource(request, id);
      assertCanEditDataset(user, dataset);
      const fileKey = await db.transaction((tx) => deleteResource(tx, actorOf(request), dataset, resource.id));
      await removeFiles(request, fileKey ? [fileKey] : []);
      return null;
    },
  };

  /** A multipart upload, with CKAN's 413 for a file over the limit. */
  const receive = (request: FastifyRequest, onFields: (fields: Record<string, string>) => Promise<void>) =>
    receiveUpload(request as never, app.files, app.config.uploadLimitBytes, onFields).catch((error) => {
      if (error instanceof FileTooLargeError)
        throw new CkanError(413, 'Validation Error', 'The file is too large', {
          upload: [`At most ${app.config.uploadLimitBytes} bytes`],
        });
      throw error;
    });

  /** A resource by id and the dataset it belongs to, if the caller may see that dataset; else CKAN's 404. */
  async function findResource(request: FastifyRequest, id: string) {
    if (!UUID.test(id)) throw new CkanError(404, 'Not Found Error', 'Not found: Resource was not found.');
    const row = await db.one<{ uuid: string }>(
      'SELECT d.uuid::text AS uuid FROM resources r JOIN datasets d ON d.id = r.dataset_id WHERE r.id = $1',
      [id],
    );
    if (!row) throw new CkanError(404, 'Not Found Error', 'Not found: Resource was not found.');
    const dataset = await findPackage(request, row.uuid);
    const resource = (await listResources(db, [dataset.id])).find((r) => r.id === id.toLowerCase())!;
    return { dataset, resource };
  }

  /** The link fields of a CKAN resource dict: each given one, or (for an update) reset. */
  function resourceChanges(source: Params, patch: boolean, resource: Resource) {
    const field = (name: string, max: number) => {
      const value = text(source, name, max);
      return value !== undefined ? value : patch || source[name] === undefined ? undefined : '';
    };
    const url = text(source, 'url', 500);
    const changes: Partial<ResourceInput> = {};
    const name = field('name', 300);
    if (name) changes.name = name;
    const description = field('description', 5000);
    if (description !== undefined) changes.description = description;
    const format = field('format', 40);
    if (format !== undefined) changes.format = format.toUpperCase();
    if (!patch && source.description === undefined) changes.description = '';
    if (!patch && source.format === undefined && resource.file_name === null) changes.format = '';
    // An uploaded file keeps its file unless given a url other than its own download address.
    const own = `${app.config.publicUrl}/datasets/`;
    if (url !== undefined && !(resource.file_name !== null && url.startsWith(own))) {
      changes.url = parseResourceLink({ name: 'resource', url }).url;
      if (!format && !patch) changes.format = parseResourceLink({ name: 'resource', url }).format;
    }
    if (url === undefined && !patch && resource.file_name === null)
      throw new CkanError(409, 'Validation Error', 'url: Missing value', { url: ['Missing value'] });
    return changes;
  }

  async function changeResource(params: Params, request: FastifyRequest, patch: boolean) {
    const user = requireUser(request);
    if (request.isMultipart()) {
      let found: Awaited<ReturnType<typeof findResource>> | null = null;
      const received = await receive(request, async (fields) => {
        if (!fields.id) throw missing('id');
        found = await findResource(request, fields.id);
        assertCanEditDataset(user, found.dataset);
      });
      if (!found) throw missing('id');
      const { dataset, resource } = found as Awaited<ReturnType<typeof findResource>>;
      const fields: Params = { ...received.fields };
      if (received.stored) delete fields.url;
      const changes = resourceChanges(fields, patch || !!received.stored, resource);
      if (received.stored && !patch) changes.description = received.fields.description ?? '';
      await db.transaction(async (tx) => {
        if (received.stored)
          await replaceUploadedFile(tx, actorOf(request), resource.id, {
            file: received.stored.file,
            fileName: received.stored.fileName,
          });
        await updateResource(tx, actorOf(request), dataset, resource.id, {
          ...changes,
          ...(received.stored ? { format: formatFromName(received.stored.fileName) } : {}),
        });
      });
      return resourceDict((await findResource(request, resource.id)).resource, dataset, app.config.publicUrl);
    }
    const id = text(params, 'id');
    if (!id) throw missing('id');
    const { dataset, resource } = await findResource(request, id);
    assertCanEditDataset(user, dataset);
    const changes = resourceChanges(params, patch, resource);
    const after = await db.transaction((tx) => updateResource(tx, actorOf(request), dataset, resource.id, changes));
    return resourceDict(after, dataset, app.config.publicUrl);
  }

  /** The `resources` of a package_create/update: a list of dicts, each checked before anything is saved. */
  function resourceList(params: Params): Params[] | undefined {
    const value = params.resources;
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((r) => !r || typeof r !== 'object' || Array.isArray(r)))
      throw new CkanError(409, 'Validation Error', 'resources: Must be a list of dictionaries', {
        resources: ['Must be a list of dictionaries'],
      });
    if (value.length > 500)
      throw new CkanError(409, 'Validation Error', 'resources: At most 500 resources', {
        resources: ['At most 500 resources'],
      });
    return value as Params[];
  }

  /**
   * Makes a dataset's resources the list given, as CKAN's package_resource_list_save: an item with
   * the id of one of its resources updates that one, any other item is a new link (with the id it
   * names, when that is a free UUID), the resources not listed are deleted, and the order is the list's.
   */
  async function saveResources(
    tx: Queryable,
    request: FastifyRequest,
    dataset: Dataset,
    list: Params[] | undefined,
  ): Promise<string[]> {
    if (list === undefined) return [];
    const actor = actorOf(request);
    const existing = await listResources(tx, [dataset.id]);
    const kept = new Set<string>();
    for (const [position, item] of list.entries()) {
      const id = typeof item.id === 'string' ? item.id.toLowerCase() : undefined;
      const current = existing.find((r) => r.id === id && !kept.has(r.id));
      if (current) {
        kept.add(current.id);
        await updateResource(tx, actor, dataset, current.id, {
          ...resourceChanges(item, false, current),
          ...(text(item, 'name', 300) ? {} : { name: current.name }),
          position,
        });
        continue;
      }
      const taken = id && UUID.test(id) ? await tx.one('SELECT 1 FROM resources WHERE id = $1', [id]) : true;
      let input: ResourceInput;
      try {
        input = parseResourceLink(item);
      } catch (error) {
        if (error instanceof ValidationError) throw resourceError(error, position);
        throw error;
      }
      const created = await addResource(tx, actor, dataset, input, ...(taken ? [] : [id!]));
      kept.add(created.id);
      await tx.query('UPDATE resources SET position = $2 WHERE id = $1', [created.id, position]);
    }
    const removed: string[] = [];
    for (const r of existing) {
      if (kept.has(r.id)) continue;
      const fileKey = await deleteResource(tx, actor, dataset, r.id);
      if (fileKey) removed.push(fileKey);
    }
    return removed;
  }

  /** Removes deleted resources' files from the store, once their rows are gone for good. */
  async function removeFiles(request: FastifyRequest, keys: string[]) {
    for (const key of keys)
      await app.files.remove(key).catch((error) => request.log.warn({ err: error, key }, 'file not removed'));
  }

  /** Dataset dicts for a page of datasets, with their resources and organizations in two queries. */
  async function showPackages(datasets: Dataset[]) {
    const resources = await listResources(
      db,
      datasets.map((d) => d.id),
    );
    const cities = await cityMap();
    return datasets.map((d) =>
      packageDict(
        d,
        resources.filter((r) => r.dataset_id === d.id),
        cities,
        app.config.publicUrl,
      ),
    );
  }

  /** How many public datasets each EU theme has. */
  async function themeCounts() {
    const rows = await db.query<{ theme: string; count: number }>(
      `SELECT t AS theme, count(*)::int AS count FROM datasets d, unnest(d.themes) t WHERE d.state = 'published' GROUP BY t`,
    );
    return new Map(rows.map((r) => [r.theme, r.count]));
  }

  async function update(params: Params, request: FastifyRequest, patch: boolean) {
    const user = requireUser(request);
    const id = text(params, 'id') ?? text(params, 'name');
    if (!id) throw missing('id');
    const before = await findPackage(request, id);
    assertCanEditDataset(user, before);
    // As CKAN 2.10/2.11's package_update: what is not given is reset, resources included.
    const reset: Dataset = {
      ...before,
      title_uk: text(params, 'name') ?? before.name,
      title_en: '',
      title_bg: '',
      description_uk: '',
      license_id: null,
      keywords: [],
      themes: [],
      frequency: 'UNKNOWN',
      contact_name: null,
      contact_email: null,
      temporal_start: null,
      temporal_end: null,
      spatial: null,
      legal_basis: null,
      author: null,
      author_email: null,
      version: null,
      source_url: null,
      extras: [],
    };
    const body = toCatalogBody(
      patch ? params : { ...params, name: params.name ?? before.name },
      patch ? before : reset,
    );
    const resources = resourceList(params) ?? (patch ? undefined : []);
    const input = await parseDatasetInput(db, body, editableCityIds(user));
    const after = await db.transaction(async (tx) => {
      const saved = await updateDataset(
        tx,
        actorOf(request),
        before,
        input,
        patch ? 'patched through the CKAN API' : 'updated through the CKAN API',
      );
      return { saved, removed: await saveResources(tx, request, saved, resources) };
    });
    await removeFiles(request, after.removed);
    return showPackage(await getDataset(db, after.saved.uuid, visibilityFor(user)));
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
