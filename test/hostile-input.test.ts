// Hostile input on every route: the routes are listed by Fastify itself as they are registered,
// and each path parameter, query parameter and body field of each of them gets NUL bytes, invalid
// UTF-8, 100 KB strings, numbers for text and text for numbers, null, arrays, nested objects and
// __proto__/constructor keys (and bodies malformed JSON), from an anonymous visitor and from a
// signed-in admin (session cookie and CSRF token on forms, an API token on /api). No answer may be
// a 5xx, nothing may be logged as a server error, the visitor's probes may change no table, and
// /healthz must still answer afterwards. A new route is covered the day it is registered; the only
// exceptions are listed in EXCEPTIONS.
//
// To stay near a minute and a half on two cores: each GET route is first called once as the admin
// and the query parameters its code reads are noted (a Proxy); those and the ones its schema
// declares are probed one at a time, the other common ones all at once by the anonymous visitor.
// Body fields come from the schema and from the forms on every page, one field of each numbered
// family (a column's type_0, type_1, …). HEAD routes, Fastify's copies of the GET routes, get the
// NUL and invalid UTF-8 probes only.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, FastifyRequest, InjectOptions, RouteOptions } from 'fastify';
import { buildApp } from '../src/app.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { runQueuedJobs } from '../src/platform/jobs.ts';
import { ingestHandler, INGEST_JOB } from '../src/modules/datastore/service.ts';
import { Client, createTestDatabase, DEMO_PASSWORD, testConfig } from './helpers.ts';

// One engine keeps the run short; the input handling under test is the application's, and the SQL
// it reaches is the same on both engines.
const ENGINE = 'pglite' as const;

/**
 * Answers allowed and order kept, each with the reason. No route is skipped: an upload route gets
 * the JSON and form bodies every other route gets (a multipart body carries no new kind of value).
 */
const EXCEPTIONS = {
  /** 5xx answers that are the route's documented behaviour on this engine. */
  allowedStatus: {
    // Needs a PostgreSQL server that may create roles; on PGlite it answers 503 with the reason.
    'GET /api/3/action/datastore_search_sql': [503],
    'HEAD /api/3/action/datastore_search_sql': [503],
    'POST /api/3/action/datastore_search_sql': [503],
  } as Record<string, number[]>,
  /** Routes run last for the signed-in visitor, because they end the session. */
  last: ['POST /logout'],
};

/** The CKAN actions behind /api/3/action/:action, each with the parameters it reads. */
const CKAN_ACTIONS: Record<string, { base?: Record<string, string>; fields: string[] }> = {
  status_show: { fields: [] },
  help_show: { base: { name: 'package_show' }, fields: ['name'] },
  license_list: { fields: [] },
  package_list: { fields: ['limit', 'offset'] },
  package_show: { base: { id: 'lviv-budget-2024' }, fields: ['id', 'name_or_id'] },
  package_search: { fields: ['q', 'fq', 'rows', 'start', 'sort', 'facet.field', 'facet.limit'] },
  organization_list: { fields: ['all_fields'] },
  tag_list: { fields: ['query'] },
  package_create: {
    fields: [
      'name',
      'owner_org',
      'title',
      'notes',
      'license_id',
      'groups',
      'tags',
      'extras',
      'resources',
      'maintainer',
      'maintainer_email',
      'private',
      'state',
    ],
  },
  package_update: {
    base: { id: 'lviv-budget-2024' },
    fields: ['id', 'name', 'title', 'notes', 'groups', 'tags', 'extras', 'maintainer_email'],
  },
  package_patch: {
    base: { id: 'lviv-budget-2024' },
    fields: [
      'id',
      'name',
      'owner_org',
      'title',
      'notes',
      'license_id',
      'groups',
      'tags',
      'extras',
      'maintainer',
      'maintainer_email',
    ],
  },
  // A nonexistent base id: the probes must not delete the dataset the others use.
  package_delete: { base: { id: 'no-such-dataset' }, fields: ['id'] },
  resource_show: { base: { id: '@resource' }, fields: ['id'] },
  resource_create: {
    base: { package_id: 'lviv-budget-2024' },
    fields: ['package_id', 'name', 'url', 'format', 'description'],
  },
  resource_update: { base: { id: '@resource' }, fields: ['id', 'name', 'url', 'format', 'description'] },
  resource_patch: { base: { id: '@resource' }, fields: ['id', 'name', 'url', 'format', 'description'] },
  // A nonexistent base id, as for package_delete.
  resource_delete: { base: { id: '00000000-0000-4000-8000-000000000000' }, fields: ['id'] },
  package_revise: {
    base: { match__id: 'lviv-budget-2024' },
    fields: [
      'match',
      'filter',
      'update',
      'include',
      'match__id',
      'match__notes',
      'update__notes',
      'update__resources__0',
    ],
  },
  current_package_list_with_resources: { fields: ['limit', 'offset', 'page'] },
  group_list: { fields: ['all_fields', 'sort', 'order_by', 'limit', 'offset', 'groups'] },
  group_show: { base: { id: 'econ' }, fields: ['id', 'include_datasets', 'include_dataset_count'] },
};

/** The organization, site and activity CKAN actions (registered at their own paths), with the parameters they read. */
const REGISTERED_CKAN_ACTIONS: Record<string, { base?: Record<string, string>; fields: string[] }> = {
  organization_show: {
    base: { id: 'lviv' },
    fields: ['id', 'include_datasets', 'include_extras', 'include_users'],
  },
  organization_create: {
    fields: ['name', 'title', 'description', 'image_url', 'extras', 'users', 'groups', 'state', 'type', 'id'],
  },
  // Not `name`: a probe's value could rename the city that later probes use.
  organization_update: { base: { id: 'vinnytsia' }, fields: ['title', 'description', 'image_url', 'extras', 'users'] },
  organization_patch: { base: { id: 'vinnytsia' }, fields: ['title', 'extras', 'image_url', 'state'] },
  organization_delete: { base: { id: 'lviv' }, fields: ['id'] },
  organization_list_for_user: { fields: ['id', 'permission', 'include_dataset_count'] },
  member_list: { base: { id: 'lviv' }, fields: ['id', 'object_type', 'capacity'] },
  user_show: { fields: ['id', 'include_datasets'] },
  package_autocomplete: { base: { q: 'lviv' }, fields: ['q', 'limit'] },
  format_autocomplete: { base: { q: 'cs' }, fields: ['q', 'limit'] },
  tag_show: { base: { id: 'бюджет' }, fields: ['id', 'vocabulary_id', 'include_datasets'] },
  tag_search: { fields: ['query', 'q', 'vocabulary_id', 'limit', 'offset', 'fields'] },
  vocabulary_list: { fields: [] },
  site_read: { fields: [] },
  config_option_show: { base: { key: 'ckan.site_title' }, fields: ['key'] },
  resource_search: { base: { query: 'format:csv' }, fields: ['query', 'order_by', 'offset', 'limit'] },
  package_activity_list: {
    base: { id: 'lviv-budget-2024' },
    fields: ['id', 'offset', 'limit', 'after', 'before', 'activity_types', 'exclude_activity_types'],
  },
  organization_activity_list: { base: { id: 'lviv' }, fields: ['id', 'offset', 'limit', 'include_hidden_activity'] },
  recently_changed_packages_activity_list: { fields: ['offset', 'limit', 'include_hidden_activity'] },
  recently_changed_packages_activity_stream: { fields: ['offset', 'limit'] },
  user_activity_list: { base: { id: '1' }, fields: ['id', 'offset', 'limit', 'after', 'before'] },
};

/** Fields of the DataStore's CKAN actions (registered at their own paths). */
const DATASTORE_FIELDS = [
  'resource_id',
  'id',
  'q',
  'filters',
  'fields',
  'sort',
  'limit',
  'offset',
  'records_format',
  'total_estimation_threshold',
  'include_total',
  'distinct',
  'plain',
  'language',
  'sql',
];

/** Query parameters tried on every route besides those its schema declares. */
const COMMON_QUERY = ['q', 'fq', 'sort', 'limit', 'offset', 'next', 'page', 'lang', 'id', 'name', 'resource_id'];

/** Body fields tried on a form route whose form was not found on any page. */
const COMMON_BODY = ['name', 'title', 'text', 'email', 'password', 'city', 'id', 'state', 'reason', 'comment', 'next'];

/** Hostile values for a path or query parameter or a form field, as they appear encoded. */
const TEXT_VALUES: [string, string][] = [
  ['NUL', 'a%00b'],
  ['invalid UTF-8 %C3%28', '%C3%28'],
  ['invalid UTF-8 %FF', '%FF'],
  ['100 KB', 'x'.repeat(100_000)],
  ['negative number', '-1'],
  ['huge number', '1e999'],
  ['huge integer', '99999999999999999999'],
  ['text for a number', 'abc'],
  ['JSON object', encodeURIComponent('{"__proto__":{"x":1},"a":{"b":[null]}}')],
  ['JSON array', encodeURIComponent('[null,1,{"a":[]}]')],
];
/** The two that HEAD routes get. */
const HEAD_VALUES = TEXT_VALUES.filter(([label]) => label === 'NUL' || label === 'invalid UTF-8 %FF');

/** Extra query strings (or form bodies) tried once per route: odd keys and broken encodings. */
const ODD_PAIRS: [string, string][] = [
  ['__proto__ key', '__proto__%5Bx%5D=1&__proto__=1'],
  ['constructor key', 'constructor=1&constructor%5Bprototype%5D=1'],
  ['NUL key', '%00=1'],
  ['invalid UTF-8 key', '%FF%FE=1'],
  ['lone %', 'a=%'],
  ['bad escape', 'a=%zz&b=%E0%A4%A'],
];

/** Hostile JSON values for one body field, as JSON text (__proto__ keys are in ODD_BODIES). */
const JSON_VALUES: [string, string][] = [
  ['NUL', '"a\\u0000b"'],
  ['number', '12345'],
  ['huge number', '1e308'],
  ['text', '"abc"'],
  ['null', 'null'],
  ['true', 'true'],
  ['array', '[null,1,"a",{"b":[]}]'],
  ['nested object', '{"a":{"b":{"c":[null]}}}'],
];

/** The JSON values a form cannot send (a form sends text, or a list when a field is repeated). */
const JSON_TYPES = JSON_VALUES.filter(([label]) => label !== 'NUL' && label !== 'text');
/** The text values tried on fields that no form shows, all at once. */
const SHARED_TEXT = ['NUL', 'invalid UTF-8 %FF', '100 KB', 'text for a number', 'JSON object'];

/** Whole bodies that are not what a route expects. */
const ODD_BODIES: [string, string | Buffer][] = [
  ['malformed JSON', '{"a":'],
  ['not JSON', 'nul'],
  ['empty body', ''],
  ['top-level null', 'null'],
  ['top-level array', '[{"a":1}]'],
  ['top-level string', '"x"'],
  ['__proto__ key', '{"a":{"__proto__":{"polluted":1}}}'],
  ['constructor key', '{"constructor":{"prototype":{"polluted":1}}}'],
  ['deep nesting', `${'['.repeat(50_000)}${']'.repeat(50_000)}`],
  ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
];

interface Route {
  method: string;
  url: string;
  /** Query parameters its schema declares. */
  query: string[];
  /** Body fields its schema declares. */
  body: string[];
  /** Whether a form's rate limit counts its calls per client address. */
  limited: boolean;
}

interface Identity {
  name: string;
  /** Cookies for pages: the CSRF secret, and the session when signed in. */
  cookie: string;
  csrf: string;
  /** Authorization header for /api. */
  authorization?: string;
}

interface Probe {
  route: string;
  limited: boolean;
  what: string;
  options: InjectOptions;
}

const keyOf = (route: { method: string; url: string }) => `${route.method} ${route.url}`;
const isApi = (url: string) => url.startsWith('/api/') && !url.startsWith('/api/docs');
const PARAM = /:([A-Za-z_][A-Za-z0-9_]*)|\*/g;
const pathParams = (url: string) => [...url.matchAll(PARAM)].map((m) => m[1] ?? '*');
const fillPath = (url: string, values: Record<string, string>) =>
  url.replace(PARAM, (whole, name: string | undefined) => values[name ?? '*'] ?? whole);

function routeRegExp(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z_][A-Za-z0-9_]*|\*)/)
    .map((part) =>
      part.startsWith(':') ? '([^/]+?)' : part === '*' ? '(.*)' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

/** The POST forms on an HTML page: the path each posts to and its field names. */
function formsOn(page: string): { action: string; fields: string[] }[] {
  const forms: { action: string; fields: string[] }[] = [];
  for (const match of page.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const method = /method="([^"]*)"/i.exec(match[1]!)?.[1] ?? 'get';
    const action = /action="([^"]*)"/.exec(match[1]!)?.[1];
    if (method.toLowerCase() !== 'post' || !action) continue;
    const fields = new Set<string>();
    for (const field of match[2]!.matchAll(/<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"/g))
      fields.add(field[1]!.replace(/&amp;/g, '&'));
    fields.delete('_csrf');
    forms.push({ action: action.replace(/&amp;/g, '&').split('?')[0]!, fields: [...fields] });
  }
  return forms;
}

describe(`hostile input on every route (${ENGINE})`, () => {
  let app: FastifyInstance;
  let dataDir: string;
  const routes: Route[] = [];
  /** Query parameters each GET route's code read when it was called with none (found by a Proxy). */
  const queryRead = new Map<string, Set<string>>();
  let recording = false;
  /** Server-side errors logged while the current probe ran. */
  const logged: string[] = [];
  let anonymous: Identity;
  let admin: Identity;
  const base: Record<string, string> = {};
  let addressCounter = 0;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-hostile-'));
    const db = await createTestDatabase(ENGINE);
    await migrate(db);
    await seedDemo(db, dataDir);
    await runQueuedJobs(db, { [INGEST_JOB]: ingestHandler(db, dataDir) });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) {
          const entry = JSON.parse(line) as { level: number; msg: string; err?: { message?: string } };
          // Errors, and the warnings Fastify gives when a response broke after its headers went out.
          if (entry.level >= 50 || /headers already sent|Error on Stream/.test(entry.msg))
            logged.push(`${entry.msg}${entry.err?.message ? `: ${entry.err.message}` : ''}`);
        }
        done();
      },
    });
    app = await buildApp({
      config: testConfig({ dataDir, apiRateLimitAnonymous: 1e9, apiRateLimitAuthenticated: 1e9 }),
      db,
      logger: { level: 'warn', stream: sink },
      onRoute: (route: RouteOptions) => {
        const schema = (route.schema ?? {}) as {
          querystring?: { properties?: object };
          body?: { properties?: object };
        };
        for (const method of [route.method].flat())
          routes.push({
            method,
            url: route.url,
            query: Object.keys(schema.querystring?.properties ?? {}),
            body: Object.keys(schema.body?.properties ?? {}),
            limited: Boolean((route.config as { rateLimit?: unknown } | undefined)?.rateLimit) && !isApi(route.url),
          });
        // While `recording`, notes which query parameters the route's code reads.
        const key = `${[route.method].flat()[0]} ${route.url}`;
        const record = async (request: FastifyRequest) => {
          if (!recording || typeof request.query !== 'object' || request.query === null) return;
          const read = queryRead.get(key) ?? new Set<string>();
          queryRead.set(key, read);
          request.query = new Proxy(request.query as object, {
            get(target, property, receiver) {
              if (typeof property === 'string') read.add(property);
              return Reflect.get(target, property, receiver);
            },
          });
        };
        route.preHandler = [record, ...[route.preHandler ?? []].flat()];
      },
    });
    await app.ready();

    // Real rows for path parameters, so that probes reach the handlers' code past the lookups.
    const one = async (sql: string) => String((await db.one<{ v: string | number }>(sql))?.v ?? '999999');
    Object.assign(base, {
      resource: await one(
        "SELECT r.id AS v FROM resources r JOIN datasets d ON d.id = r.dataset_id WHERE d.name = 'lviv-budget-2024' AND r.datastore_table IS NOT NULL ORDER BY r.position LIMIT 1",
      ),
      petition: await one("SELECT id AS v FROM petitions WHERE state = 'open' ORDER BY id LIMIT 1"),
      budget: await one('SELECT id AS v FROM budget_cycles ORDER BY id LIMIT 1'),
      project: await one('SELECT p.id AS v FROM budget_projects p ORDER BY p.cycle_id, p.id LIMIT 1'),
      published: await one(
        "SELECT id AS v FROM ranking_campaigns WHERE phase = 'published' ORDER BY year DESC LIMIT 1",
      ),
      active: await one("SELECT id AS v FROM ranking_campaigns WHERE phase <> 'published' ORDER BY year DESC LIMIT 1"),
      datathon: await one('SELECT event_id AS v FROM datathons ORDER BY event_id LIMIT 1'),
      team: await one('SELECT id AS v FROM datathon_teams ORDER BY id LIMIT 1'),
      submission: await one('SELECT id AS v FROM datathon_submissions ORDER BY id LIMIT 1'),
      challenge: await one('SELECT id AS v FROM datathon_challenges ORDER BY id LIMIT 1'),
      methodology: await one('SELECT id AS v FROM ranking_methodologies ORDER BY id DESC LIMIT 1'),
      indicator: await one('SELECT code AS v FROM ranking_indicators ORDER BY id LIMIT 1'),
      area: await one('SELECT code AS v FROM ranking_areas ORDER BY id LIMIT 1'),
      appeal: await one('SELECT id AS v FROM ranking_appeals ORDER BY id LIMIT 1'),
      citizen: await one("SELECT id AS v FROM users WHERE email = 'citizen@hromada.demo'"),
      outbox: await one('SELECT max(id) AS v FROM outbox'),
    });
    assert.match(base.resource!, /^[0-9a-f-]{36}$/, 'the demo CSV is in the DataStore');

    const visitor = new Client(app);
    await visitor.get('/login');
    anonymous = { name: 'anonymous', cookie: visitor.cookieHeader, csrf: visitor.csrfToken() };
    const signedIn = new Client(app);
    await signedIn.login('admin@hromada.demo', DEMO_PASSWORD);
    await signedIn.get('/account');
    const page = await signedIn.post('/account/tokens', { _csrf: signedIn.csrfToken(), name: 'hostile' });
    const token = /id="new-token">([^<]+)</.exec(page.body)![1]!;
    await signedIn.get('/account');
    admin = {
      name: 'signed-in admin',
      cookie: signedIn.cookieHeader,
      csrf: signedIn.csrfToken(),
      authorization: `Bearer ${token}`,
    };
  });
  after(async () => {
    await app?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * The number of rows of every table, but for what records the attempts themselves: the rate
   * limits' counters and the audit log's failed logins.
   */
  async function rowCounts(): Promise<Record<string, number>> {
    const tables = await app.db.query<{ name: string }>(
      "SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'rate_limits' ORDER BY table_name",
    );
    const counts: Record<string, number> = {};
    for (const { name } of tables) {
      const where = name === 'audit_events' ? "WHERE action <> 'user.login_failed'" : '';
      counts[name] = (await app.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM ${name} ${where}`))!.n;
    }
    return counts;
  }

  /** A real value for each path parameter of a route. */
  function pathBase(url: string): Record<string, string> {
    const values: Record<string, string> = {
      slug: 'lviv',
      name: 'lviv-budget-2024',
      '*': 'app.css',
      pid: base.project!,
      fid: '999999',
      fileId: '999999',
      membership: '999999',
      format: url.includes('/methodologies/') ? 'json' : 'csv',
    };
    if (url.startsWith('/dataset/')) values.file = 'lviv-budget-2024.ttl';
    if (url.startsWith('/lang/')) values.code = 'en';
    if (url.includes('/resources/:id') || url.startsWith('/datastore/')) values.id = base.resource!;
    if (url.startsWith('/petitions/') || url.startsWith('/api/v1/petitions/')) values.id = base.petition!;
    if (url.startsWith('/budgets/') || url.startsWith('/api/v1/budgets/')) values.id = base.budget!;
    if (url.includes('/ranking/campaigns/:id')) {
      const working = /\/(work|assess|manage|phase|cities$|assignments|coordinators|scores\/:code)/.test(url);
      values.id = working ? base.active! : base.published!;
      values.code = base.indicator!;
    }
    if (url.includes('/ranking/methodologies/:id')) {
      values.id = base.methodology!;
      values.code = url.includes('/areas/') ? base.area! : base.indicator!;
    }
    if (url.startsWith('/ranking/appeals/')) values.id = base.appeal!;
    if (url.startsWith('/datathons/') || url.startsWith('/api/v1/datathons/'))
      Object.assign(values, {
        id: base.datathon!,
        tid: base.team!,
        sid: base.submission!,
        cid: base.challenge!,
        rid: '999999',
        uid: '999999',
        answer: 'accept',
      });
    if (url.startsWith('/admin/users/')) values.id = base.citizen!;
    if (url.startsWith('/admin/outbox/')) values.id = base.outbox!;
    if (url.startsWith('/account/tokens/')) values.id = '999999'; // not the token the probes use
    if (url.startsWith('/admin/organizations/') || url.startsWith('/api/v1/organizations/')) values.slug = 'civic-lviv';
    // Deleting routes get a target that does not exist, so that later probes still find theirs.
    if (url.endsWith('/delete'))
      for (const name of pathParams(url)) values[name] = name === 'slug' ? 'no-such-thing' : '999999';
    return values;
  }

  /** What a route is called at: CKAN's action route once per action, each with its parameters. */
  function targetsOf(route: Route, forms: Map<string, string[]>) {
    const targets: { url: string; label: string; base: Record<string, string>; fields: string[] }[] = [];
    if (route.url === '/api/3/action/:action') {
      for (const [action, spec] of Object.entries(CKAN_ACTIONS)) {
        const values = Object.entries(spec.base ?? {}).map(([k, v]) => [k, v === '@resource' ? base.resource! : v]);
        targets.push({
          url: `/api/3/action/${action}`,
          label: `${action}: `,
          base: Object.fromEntries(values),
          fields: spec.fields,
        });
      }
    } else if (Object.hasOwn(REGISTERED_CKAN_ACTIONS, route.url.replace(/^\/api\/3\/action\//, ''))) {
      const spec = REGISTERED_CKAN_ACTIONS[route.url.replace(/^\/api\/3\/action\//, '')]!;
      targets.push({ url: route.url, label: '', base: spec.base ?? {}, fields: spec.fields });
    } else if (route.url.startsWith('/api/3/action/datastore_')) {
      const id: Record<string, string> = route.url.endsWith('_sql')
        ? {}
        : { resource_id: base.resource!, id: base.resource! };
      targets.push({ url: route.url, label: '', base: id, fields: DATASTORE_FIELDS });
    } else {
      const fields = new Set([...route.body, ...(forms.get(keyOf(route)) ?? [])]);
      targets.push({ url: fillPath(route.url, pathBase(route.url)), label: '', base: {}, fields: [...fields] });
    }
    return targets;
  }

  /** A value given to several parameters at once: the 100 KB string is shared out between them. */
  const shared = (label: string, value: string, count: number) =>
    label === '100 KB' ? 'x'.repeat(Math.ceil(100_000 / count)) : value;

  /** The probes of one route for one visitor. */
  function probesFor(route: Route, identity: Identity, forms: Map<string, string[]>): Probe[] {
    const probes: Probe[] = [];
    const api = isApi(route.url);
    const head = route.method === 'HEAD';
    const withBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
    const textValues = head ? HEAD_VALUES : TEXT_VALUES;
    const form = 'application/x-www-form-urlencoded';
    const add = (what: string, url: string, payload?: { type: string; body: string | Buffer }) =>
      probes.push({
        route: keyOf(route),
        limited: route.limited,
        what,
        options: {
          method: route.method as 'GET',
          url,
          headers: {
            ...(api
              ? identity.authorization
                ? { authorization: identity.authorization }
                : {}
              : { cookie: identity.cookie }),
            ...(payload ? { 'content-type': payload.type } : {}),
          },
          ...(payload ? { payload: payload.body } : {}),
        },
      });
    // A body that passes the CSRF check, for probes of something else.
    const plainBody = withBody
      ? api
        ? { type: 'application/json', body: '{}' }
        : { type: form, body: `_csrf=${identity.csrf}` }
      : undefined;

    // Path parameters, one at a time, the others real.
    for (const param of pathParams(route.url))
      for (const [label, value] of textValues)
        add(`${param} (path) = ${label}`, fillPath(route.url, { ...pathBase(route.url), [param]: value }), plainBody);

    for (const target of targetsOf(route, forms)) {
      const { label: prefix } = target;
      const at = (pairs: string[]) => {
        const all = [new URLSearchParams(target.base).toString(), ...pairs].filter(Boolean).join('&');
        return all ? `${target.url}?${all}` : target.url;
      };
      if (!withBody) {
        // Each parameter the route declares or was seen to read, alone; the other common ones together.
        const own = new Set([
          ...route.query,
          ...target.fields,
          ...(queryRead.get(keyOf({ method: 'GET', url: route.url })) ?? []),
        ]);
        const rest = COMMON_QUERY.filter((name) => !own.has(name));
        for (const param of own) {
          const key = encodeURIComponent(param);
          const others = Object.fromEntries(Object.entries(target.base).filter(([k]) => k !== param));
          const url = (pair: string) =>
            `${target.url}?${[new URLSearchParams(others).toString(), pair].filter(Boolean).join('&')}`;
          for (const [label, value] of textValues) add(`${prefix}${param} (query) = ${label}`, url(`${key}=${value}`));
          if (!head) add(`${prefix}${param} (query) given twice`, url(`${key}=a&${key}=b`));
        }
        if (head) continue;
        // The parameters the route's code did not read are harmless to the admin, whose calls the
        // discovery recorded; the anonymous visitor tries them all at once.
        if (identity === anonymous)
          for (const [label, value] of textValues)
            add(
              `${prefix}${rest.join(', ')} (query, all at once) = ${label}`,
              at(rest.map((name) => `${name}=${shared(label, value, rest.length)}`)),
            );
        for (const [label, pair] of ODD_PAIRS) add(`${prefix}query: ${label}`, at([pair]));
        continue;
      }

      // Body fields, one at a time: JSON for the API; form encoding and JSON for pages.
      const baseJson = [
        ...Object.entries(target.base).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`),
        ...(api ? [] : [`"_csrf":${JSON.stringify(identity.csrf)}`]),
      ];
      const json = (members: string[]) => ({
        type: 'application/json',
        body: `{${[...baseJson, ...members].join(',')}}`,
      });
      const encoded = (pairs: string[]) => ({ type: form, body: [`_csrf=${identity.csrf}`, ...pairs].join('&') });
      const rest = COMMON_BODY.filter((name) => !target.fields.includes(name));
      for (const field of target.fields) {
        const key = JSON.stringify(field);
        // A page's form field gets its text values form-encoded, and in JSON only what a form cannot send.
        for (const [label, value] of api ? JSON_VALUES : JSON_TYPES)
          add(`${prefix}${field} (JSON body) = ${label}`, target.url, json([`${key}:${value}`]));
        if (api) continue;
        const name = encodeURIComponent(field);
        for (const [label, value] of TEXT_VALUES)
          add(`${prefix}${field} (form) = ${label}`, target.url, encoded([`${name}=${value}`]));
        add(`${prefix}${field} (form) given twice`, target.url, encoded([`${name}=a`, `${name}=b`]));
      }
      for (const [label, value] of JSON_TYPES)
        add(
          `${prefix}${rest.join(', ')} (JSON body, all at once) = ${label}`,
          target.url,
          json(rest.map((f) => `${JSON.stringify(f)}:${value}`)),
        );
      if (!api)
        for (const [label, value] of TEXT_VALUES.filter(([l]) => SHARED_TEXT.includes(l)))
          add(
            `${prefix}${rest.join(', ')} (form, all at once) = ${label}`,
            target.url,
            encoded(rest.map((f) => `${f}=${shared(label, value, rest.length)}`)),
          );
      for (const [label, body] of ODD_BODIES)
        add(`${prefix}body: ${label}`, target.url, { type: 'application/json', body });
      if (!api) for (const [label, pair] of ODD_PAIRS) add(`${prefix}form: ${label}`, target.url, encoded([pair]));
    }
    return probes;
  }

  /**
   * Calls every GET route once as the admin: notes the query parameters its code reads, and the
   * fields of the forms on its page by the POST route each form goes to.
   */
  async function discover(): Promise<Map<string, string[]>> {
    const posts = routes.filter((r) => r.method === 'POST' || r.method === 'PUT');
    const found = new Map<string, Set<string>>();
    recording = true;
    for (const route of routes.filter((r) => r.method === 'GET')) {
      for (const target of targetsOf(route, new Map())) {
        const query = new URLSearchParams(target.base).toString();
        const response = await app.inject({
          method: 'GET',
          url: query ? `${target.url}?${query}` : target.url,
          headers: isApi(route.url) ? { authorization: admin.authorization! } : { cookie: admin.cookie },
        });
        if (!String(response.headers['content-type'] ?? '').startsWith('text/html')) continue;
        for (const form of formsOn(response.body)) {
          const target = posts
            .filter((r) => routeRegExp(r.url).test(form.action))
            .sort((a, b) => pathParams(a.url).length - pathParams(b.url).length)[0];
          if (!target) continue;
          const fields = found.get(keyOf(target)) ?? new Set<string>();
          // One field of each numbered family (a column's type_0, type_1, …): they are read alike.
          const families = new Set([...fields].map((f) => f.replace(/\d+/g, '#')));
          for (const field of form.fields) {
            const family = field.replace(/\d+/g, '#');
            if (families.has(family)) continue;
            families.add(family);
            fields.add(field);
          }
          found.set(keyOf(target), fields);
        }
      }
    }
    recording = false;
    return new Map([...found].map(([key, fields]) => [key, [...fields]]));
  }

  async function run(probe: Probe, identity: Identity, failures: string[]): Promise<void> {
    logged.length = 0;
    // A new address for each call of a rate-limited form, so that its limit does not answer in the
    // handler's place (the API's limits are lifted for the test).
    const n = probe.limited ? ++addressCounter : 0;
    const remoteAddress = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    const where = `[${identity.name}] ${probe.route} — ${probe.what}`;
    try {
      const response = await app.inject({ ...probe.options, remoteAddress });
      const allowed = EXCEPTIONS.allowedStatus[probe.route] ?? [];
      if ((response.statusCode >= 500 && !allowed.includes(response.statusCode)) || logged.length > 0)
        failures.push(`${where}: ${response.statusCode} ${logged.join('; ')}`);
    } catch (error) {
      failures.push(`${where}: the request failed (${(error as Error).message}) ${logged.join('; ')}`);
    }
  }

  // The cases the security review found, each answered before anything runs, naming the parameter:
  // pages with a 400 page, the API with problem details, CKAN with its own error object.
  test("the review's cases: NUL bytes and broken encodings are a 400 naming the parameter", async () => {
    for (const url of [
      '/api/v1/datasets?q=%00',
      '/api/v1/cities?q=lv%00iv',
      '/api/v1/petitions?q=%00',
      `/api/v1/resources/${base.resource}/records?q=%00`,
      '/api/v1/datasets?q=%FF',
      '/api/v1/cities?q=%C3%28',
    ]) {
      const response = await app.inject(url);
      assert.equal(response.statusCode, 400, url);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/, url);
      const problem = response.json();
      assert.equal(problem.status, 400);
      assert.deepEqual(
        problem.errors.map((e: { pointer: string; in: string }) => [e.pointer, e.in]),
        [['/q', 'query']],
        url,
      );
      assert.match(problem.detail, /^q \(/, url);
    }

    for (const url of ['/cities?q=%00', '/ranking/practices?q=%00', '/datasets?q=%00', '/petitions?q=%FF']) {
      const response = await app.inject({ url, headers: { cookie: 'hromada_lang=en' } });
      assert.equal(response.statusCode, 400, url);
      assert.match(String(response.headers['content-type']), /^text\/html/, url);
      assert.match(
        response.body,
        /<li>q \(query\): (Must not contain a NUL byte|Is not valid percent-encoded UTF-8)/,
        url,
      );
    }

    for (const [url, field] of [
      ['/api/3/action/package_search?q=%00', 'q'],
      ['/api/3/action/package_search?fq=organization:%00', 'fq'],
      ['/api/3/action/tag_list?query=%00', 'query'],
      ['/api/3/action/organization_show?id=%00', 'id'],
      [`/api/3/action/datastore_search?resource_id=${base.resource}&q=%00`, 'q'],
      ['/api/3/action/package_search?q=%FF', 'q'],
    ] as const) {
      const response = await app.inject(url);
      assert.equal(response.statusCode, 409, url);
      const body = response.json();
      assert.equal(body.success, false, url);
      assert.equal(body.error.__type, 'Validation Error', url);
      assert.ok(Array.isArray(body.error[field]), `${url} names ${field}`);
    }
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/3/action/package_search',
      headers: { 'content-type': 'application/json' },
      payload: '{"q":',
    });
    assert.equal(notJson.statusCode, 400);
    assert.equal(notJson.json().error.__type, 'Bad request');
    assert.match(notJson.json().error.message, /^Bad request - JSON Error/);

    // A JSON body whose bytes are not UTF-8 is refused, not stored with U+FFFD in place of the bytes.
    const notUtf8 = await app.inject({
      method: 'POST',
      url: '/api/3/action/package_search',
      headers: { 'content-type': 'application/json' },
      payload: Buffer.from([0x7b, 0x22, 0x71, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    });
    assert.equal(notUtf8.statusCode, 409);
    assert.deepEqual(notUtf8.json().error.body, ['Is not valid UTF-8.']);

    // A form body: the same, in the page's words.
    const form = await app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: `${anonymous.cookie}; hromada_lang=en`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${anonymous.csrf}&email=a%FFb&password=x`,
    });
    assert.equal(form.statusCode, 400);
    assert.match(form.body, /<li>email \(body\): Is not valid percent-encoded UTF-8/);
  });

  test("the DataStore dump refuses bad input with CKAN's error before the download starts", async () => {
    for (const [query, status] of [
      ['q=%00', 400],
      ['q=a%00b&format=json', 400],
      ['filters=%5B1%5D', 400],
      ['filters=not-json', 400],
      [`filters=${encodeURIComponent('{"no such column":1}')}`, 400],
    ] as const) {
      const response = await app.inject(`/datastore/dump/${base.resource}?${query}`);
      assert.equal(response.statusCode, status, query);
      assert.equal(response.json().success, false, query);
      assert.equal(response.headers['content-disposition'], undefined, `${query}: no download began`);
    }
    const whole = await app.inject(`/datastore/dump/${base.resource}`);
    assert.equal(whole.statusCode, 200);
    assert.ok(whole.body.split('\n').length > 3, 'the whole table still downloads');
  });

  test('CKAN package_patch with items that are not dictionaries: 409 naming the field, nothing changed', async () => {
    const dataset = async () =>
      app.db.one(
        `SELECT d.themes, d.keywords, d.title_en, d.modified_at, (SELECT count(*)::int FROM audit_events) AS audit
           FROM datasets d WHERE d.name = 'lviv-budget-2024'`,
      );
    const before = await dataset();
    for (const [field, value] of [
      ['groups', [null, 1]],
      ['extras', [null]],
      ['tags', ['budget']],
      ['groups', 'econ'],
      ['extras', [{ key: ['title_en'], value: 'x' }]],
    ] as const) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/3/action/package_patch',
        headers: { authorization: admin.authorization! },
        payload: { id: 'lviv-budget-2024', title: 'Змінено', [field]: value },
      });
      assert.equal(response.statusCode, 409, `${field}: ${JSON.stringify(value)}`);
      const body = response.json();
      assert.equal(body.success, false);
      assert.equal(body.error.__type, 'Validation Error');
      assert.ok(Array.isArray(body.error[field]), `the error names ${field}`);
    }
    assert.deepEqual(await dataset(), before, 'the dataset and the audit log are as they were');
  });

  // Thousands of requests over every route: on a loaded two-core machine this outlasts the suite's
  // five-minute default, which is no sign of a fault here.
  test('no route answers a 5xx or logs an error, and the server still answers', { timeout: 900_000 }, async (t) => {
    // CKAN_ACTIONS must name every action of the CKAN route, or a new one would go unprobed.
    const source = fs.readFileSync(path.join(import.meta.dirname, '../src/modules/catalog/ckan.ts'), 'utf8');
    const actions = [...source.matchAll(/^ {4}([a-z_]+): async \(/gm)].map((m) => m[1]);
    assert.deepEqual(actions.sort(), Object.keys(CKAN_ACTIONS).sort(), 'CKAN_ACTIONS lists every CKAN action');
    const started = Date.now();
    const forms = await discover();
    const failures: string[] = [];
    const seconds = new Map<string, number>();
    let count = 0;
    for (const identity of [anonymous, admin]) {
      const before = identity === anonymous ? await rowCounts() : null;
      const last = (r: Route) => (identity === admin && EXCEPTIONS.last.includes(keyOf(r)) ? 1 : 0);
      for (const route of [...routes].sort((a, b) => last(a) - last(b))) {
        const routeStarted = Date.now();
        for (const probe of probesFor(route, identity, forms)) {
          count++;
          await run(probe, identity, failures);
        }
        seconds.set(keyOf(route), (seconds.get(keyOf(route)) ?? 0) + (Date.now() - routeStarted) / 1000);
      }
      // Hostile input from a visitor changed nothing (the admin's probes may change what they may).
      if (before) assert.deepEqual(await rowCounts(), before, 'the anonymous probes changed no table');
    }
    const health = await app.inject('/healthz');
    assert.equal(health.statusCode, 200, 'the server still answers /healthz');
    const took = ((Date.now() - started) / 1000).toFixed(1);
    const slowest = [...seconds].sort((a, b) => b[1] - a[1]).slice(0, 10);
    t.diagnostic(
      `${count} probes on ${routes.length} routes in ${took} s; slowest: ${slowest.map(([r, s]) => `${r} ${s.toFixed(1)} s`).join(', ')}`,
    );
    const failedRoutes = new Set(failures.map((f) => f.split(' — ')[0]));
    assert.equal(
      failures.length,
      0,
      `${failures.length} of ${count} probes failed on ${failedRoutes.size} routes:\n${[...failedRoutes].join('\n')}\n\n${failures.join('\n')}`,
    );
  });
});
