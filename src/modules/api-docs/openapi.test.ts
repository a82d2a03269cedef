// The published OpenAPI document, checked two ways: Redocly's recommended lint ruleset at zero
// problems, and live: every documented operation is called on a demo-data app (every GET, with
// path parameters from the demo data and each query parameter set to a realistic value, then the
// error cases each documents; the writes that are safe to repeat), and each answer's status,
// content type and body must be what the document declares for it.
import { describe, test, before, after } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { createTestApp, ENGINES } from '../../../test/helpers.ts';
import { createApiToken } from '../../platform/auth.ts';
import { runQueuedJobs } from '../../platform/jobs.ts';
import { seedDemo } from '../../demo/seed.ts';
import { ingestHandler, INGEST_JOB } from '../datastore/service.ts';

// ajv-formats is CommonJS: its default export is the plugin function itself.
const addFormats = ajvFormats as unknown as typeof ajvFormats.default;

const PUBLIC_URL = 'https://hromada.example.org';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema: { type?: string; enum?: unknown[]; minimum?: number; default?: unknown };
}
interface MediaType {
  schema?: object;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, { description?: string; content?: Record<string, MediaType> }>;
  security?: Record<string, string[]>[];
}
interface Spec {
  servers: { url: string }[];
  externalDocs?: { url: string };
  info: { license?: { identifier?: string } };
  security?: Record<string, string[]>[];
  paths: Record<string, Record<string, Operation>>;
  components: object;
}

const lintConfig = createConfig({ extends: ['recommended'] });

describe('the OpenAPI document passes the recommended lint rules', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await createTestApp('pglite', { demo: false, config: { publicUrl: PUBLIC_URL, apiRateLimitAnonymous: 1 } });
  });
  after(() => app.close());

  test('Redocly recommended: no errors, no warnings', async () => {
    const source = (await app.inject('/api/v1/openapi.json')).body;
    const problems = await lintFromString({ source, absoluteRef: 'openapi.json', config: await lintConfig });
    assert.deepEqual(
      problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location.map((l) => l.pointer).join(', ')}: ${p.message}`),
      [],
    );
  });

  test('header: licence with its SPDX identifier, the configured server, optional token on reads', async () => {
    const spec = (await app.inject('/api/v1/openapi.json')).json() as Spec;
    assert.equal(spec.info.license?.identifier, 'AGPL-3.0-or-later');
    assert.deepEqual(
      spec.servers.map((s) => s.url),
      [PUBLIC_URL],
    );
    assert.deepEqual(spec.security, [{}, { bearerAuth: [] }], 'anonymous or with a token');
    assert.equal(spec.externalDocs?.url, `${PUBLIC_URL}/api/docs`);
    const operations = Object.values(spec.paths).flatMap((methods) => Object.values(methods));
    const needingToken = operations.filter((op) => op.security).map((op) => op.operationId);
    assert.deepEqual(needingToken.sort(), ['getMe', 'saveBudgetBallot', 'signPetition']);
    for (const op of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        const types = Object.keys(response.content ?? {});
        if (Number(status) >= 400) assert.deepEqual(types, ['application/problem+json'], `${op.operationId} ${status}`);
        else assert.deepEqual(types, ['application/json'], `${op.operationId} ${status}`);
      }
      assert.ok(op.responses['401'], `${op.operationId}: an unknown token is a 401 on every operation`);
      for (const [status, response] of Object.entries(op.responses))
        assert.notEqual(response.description, 'Default Response', `${op.operationId} ${status}: a real description`);
    }
  });

  test('the checker names the operation and the JSON pointer of a mismatch, and a wrong content type', async () => {
    const spec = (await app.inject('/api/v1/openapi.json')).json() as Spec;
    const response = await app.inject('/api/v1/me');
    new Conformance(spec).check('get', '/api/v1/me', response, 401);
    const stricter = structuredClone(spec);
    const problem = stricter.paths['/api/v1/me']!.get!.responses['401']!.content!['application/problem+json']!;
    problem.schema = { type: 'object', required: ['nope'], properties: { status: { const: 403 } } };
    assert.throws(
      () => new Conformance(stricter).check('get', '/api/v1/me', response, 401),
      /GET \/api\/v1\/me \(getMe\) → 401: the body does not match[\s\S]*\/ must have required property 'nope'[\s\S]*\/status must be equal to constant/,
    );
    const json = structuredClone(spec);
    const responses = json.paths['/api/v1/me']!.get!.responses;
    responses['401'] = { content: { 'application/json': problem } };
    assert.throws(
      () => new Conformance(json).check('get', '/api/v1/me', response, 401),
      /served as application\/problem\+json, documented as application\/json/,
    );
    delete responses['401'];
    assert.throws(() => new Conformance(json).check('get', '/api/v1/me', response), /401: status not documented/);
  });

  test('the rate limit answers as documented: 429 problem details with Retry-After', async () => {
    const spec = (await app.inject('/api/v1/openapi.json')).json() as Spec;
    const conformance = new Conformance(spec);
    conformance.check('get', '/api/v1/oblasts', await app.inject('/api/v1/oblasts'), 200);
    const limited = await app.inject('/api/v1/oblasts');
    conformance.check('get', '/api/v1/oblasts', limited, 429);
    assert.match(String(limited.headers['retry-after']), /^\d+$/);
  });
});

/** Checks answers against the document: the status is documented, the content type and body match. */
class Conformance {
  readonly spec: Spec;
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  /** Which (operation, status) pairs were seen, to require each documented one is reached. */
  readonly seen = new Set<string>();
  constructor(spec: Spec) {
    this.spec = spec;
    addFormats(this.ajv);
  }

  private validator(schema: object, key: string): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      // The document's components beside the schema, so that its #/components/… references resolve.
      validate = this.ajv.compile({ ...schema, components: this.spec.components });
      this.validators.set(key, validate);
    }
    return validate;
  }

  check(method: string, path: string, response: LightMyRequestResponse, expected?: number): void {
    const op = this.spec.paths[path]![method]!;
    const where = `${method.toUpperCase()} ${path} (${op.operationId}) → ${response.statusCode}`;
    if (expected !== undefined) assert.equal(response.statusCode, expected, `${where}: ${response.body.slice(0, 300)}`);
    const documented = op.responses[String(response.statusCode)];
    assert.ok(documented, `${where}: status not documented; body ${response.body.slice(0, 300)}`);
    this.seen.add(`${op.operationId} ${response.statusCode}`);
    const mediaType = String(response.headers['content-type'] ?? '').split(';')[0]!;
    const declared = Object.keys(documented.content ?? {});
    assert.ok(declared.includes(mediaType), `${where}: served as ${mediaType}, documented as ${declared.join(', ')}`);
    const schema = documented.content![mediaType]!.schema;
    if (!schema) return;
    const validate = this.validator(schema, `${op.operationId} ${response.statusCode} ${mediaType}`);
    const body: unknown = response.json();
    if (!validate(body)) {
      const mismatches = validate.errors!.map(
        (e) =>
          `${e.instancePath || '/'} ${e.message} (schema ${e.schemaPath}${e.params ? ` ${JSON.stringify(e.params)}` : ''})`,
      );
      assert.fail(`${where}: the body does not match the documented schema:\n  ${mismatches.join('\n  ')}`);
    }
  }
}

function fillPath(path: string, params: Record<string, string | number>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    assert.ok(params[name] !== undefined, `no value for {${name}} in ${path}`);
    return encodeURIComponent(String(params[name]));
  });
}

for (const engine of ENGINES) {
  describe(`every documented operation answers as documented (${engine})`, () => {
    let app: FastifyInstance;
    let spec: Spec;
    let conformance: Conformance;
    let citizenToken: string;
    let dataDir: string;
    const call = (options: InjectOptions) => app.inject(options);
    before(async () => {
      // The demo with its files, loaded into the DataStore as `npm start --demo` does.
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-openapi-'));
      // Limits high enough for the walk's few thousand calls; the 429 is checked on its own above.
      const limits = { apiRateLimitAnonymous: 1_000_000, apiRateLimitAuthenticated: 1_000_000 };
      app = await createTestApp(engine, { demo: false, config: { publicUrl: PUBLIC_URL, dataDir, ...limits } });
      await seedDemo(app.db, app.files);
      await runQueuedJobs(app.db, { [INGEST_JOB]: ingestHandler(app.db, app.files) });
      spec = (await app.inject('/api/v1/openapi.json')).json();
      conformance = new Conformance(spec);
      const citizen = await app.db.one<{ id: number }>('SELECT id FROM users WHERE email = $1', [
        'citizen@hromada.demo',
      ]);
      citizenToken = (await createApiToken(app.db, citizen!.id, 'openapi test')).token;
    });
    after(async () => {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    const json = async (url: string) => {
      const response = await call({ url });
      assert.equal(response.statusCode, 200, `${url}: ${response.body.slice(0, 200)}`);
      return response.json();
    };

    /** Path parameters for each path, from the demo data: several where the kinds of answer differ. */
    async function pathExamples(): Promise<Record<string, Record<string, string | number>[]>> {
      const datasets = (await json('/api/v1/datasets?limit=500')).items as {
        name: string;
        resources: { id: string }[];
      }[];
      const resources = datasets.flatMap((d) => d.resources.map((r) => r.id));
      const withTable: string[] = [];
      for (const id of resources) if ((await json(`/api/v1/resources/${id}`)).datastore) withTable.push(id);
      assert.ok(withTable.length >= 3, 'the demo has DataStore tables');
      const petitions = (await json('/api/v1/petitions?limit=500')).items as { id: number }[];
      const budgets = (await json('/api/v1/budgets')).items as { id: number }[];
      const campaigns = (await json('/api/v1/ranking/campaigns')).items as {
        id: number;
        methodology_id: number;
        results_public: boolean;
      }[];
      // Results and scores of a campaign still being assessed are a 404 until published.
      const published = campaigns.filter((c) => c.results_public);
      const organizations = (await json('/api/v1/organizations?limit=500')).items as { slug: string }[];
      const events = (await json('/api/v1/events?when=all&limit=500')).items as { id: number }[];
      const cities = ['lviv', 'kyiv', 'zhytomyr', 'kharkiv'];
      const datathons = ((await json('/api/v1/datathons')).items as { id: number }[]).map((d) => d.id);
      return {
        '/api/v1/cities/{slug}': cities.map((slug) => ({ slug })),
        '/api/v1/cities/{slug}/petition-stats': cities.map((slug) => ({ slug })),
        '/api/v1/cities/{slug}/compliance': cities.map((slug) => ({ slug })),
        '/api/v1/cities/{slug}/inventory': cities.map((slug) => ({ slug })),
        '/api/v1/organizations/{slug}': organizations.map(({ slug }) => ({ slug })),
        '/api/v1/datasets/{name}': datasets.map(({ name }) => ({ name })),
        '/api/v1/resources/{id}': resources.map((id) => ({ id })),
        '/api/v1/resources/{id}/records': withTable.map((id) => ({ id })),
        '/api/v1/petitions/{id}': petitions.map(({ id }) => ({ id })),
        '/api/v1/budgets/{id}': budgets.map(({ id }) => ({ id })),
        '/api/v1/city-budgets/{city}/{year}': [
          { city: 'lviv', year: 2025 },
          { city: 'lviv', year: 2026 },
        ],
        '/api/v1/events/{id}': events.map(({ id }) => ({ id })),
        '/api/v1/showcase/{name}': (
          (await json('/api/v1/showcase?limit=500')).items as { name: string; id: string }[]
        ).flatMap(({ name, id }, index) => (index === 0 ? [{ name }, { name: id }] : [{ name }])),
        '/api/v1/budgets/{id}/projects': budgets.map(({ id }) => ({ id })),
        '/api/v1/ranking/campaigns/{id}': campaigns.map(({ id }) => ({ id })),
        '/api/v1/ranking/campaigns/{id}/results': published.map(({ id }) => ({ id })),
        '/api/v1/ranking/campaigns/{id}/scores': published.map(({ id }) => ({ id })),
        '/api/v1/procurement/cities/{slug}/procedures': cities.map((slug) => ({ slug })),
        '/api/v1/procurement/cities/{slug}/records': cities.map((slug) => ({ slug })),
        '/api/v1/procurement/procedures/{ocid}': (
          (await json('/api/v1/procurement/cities/lviv/procedures')).items as { ocid: string }[]
        )
          .slice(0, 3)
          .map(({ ocid }) => ({ ocid })),
        '/api/v1/academy/courses/{slug}': ((await json('/api/v1/academy/courses')).items as { slug: string }[]).map(
          ({ slug }) => ({ slug }),
        ),
        '/api/v1/academy/certificates/{code}': await app.db.query<{ code: string }>(
          'SELECT certificate_code AS code FROM academy_enrolments WHERE certificate_code IS NOT NULL',
        ),
        '/api/v1/data-requests/{id}': ((await json('/api/v1/data-requests?limit=500')).items as { id: number }[]).map(
          ({ id }) => ({ id }),
        ),
        ...Object.fromEntries(
          ['challenges', 'submissions', 'results'].map((part) => [
            `/api/v1/datathons/{id}/${part}`,
            datathons.map((id) => ({ id })),
          ]),
        ),
        '/api/v1/ranking/methodologies/{id}': [...new Set(campaigns.map((c) => c.methodology_id))].map((id) => ({
          id,
        })),
      };
    }

    /**
     * Realistic values of a query parameter beyond its enum values and defaults, by operation
     * (the records query's come from the resource's own columns).
     */
    async function queryExamples(
      operationId: string,
      name: string,
      params: Record<string, string | number>,
    ): Promise<string[]> {
      // The demo's city budget years.
      if (operationId === 'compareCityBudgets' && name === 'year') return ['2025', '2026'];
      if (operationId === 'queryRecords') {
        const sample = await json(`/api/v1/resources/${params.id}/records?limit=1`);
        const column = (sample.fields as { id: string; type: string }[]).find((f) => f.id !== '_id')!;
        const value = (sample.records as Record<string, unknown>[])[0]?.[column.id];
        const text = (sample.fields as { id: string; type: string }[]).find((f) => f.type === 'text');
        const word = text
          ? String((sample.records as Record<string, unknown>[])[0]?.[text.id] ?? '').split(/\s/)[0]
          : '';
        const examples: Record<string, string[]> = {
          filters: [JSON.stringify({ [column.id]: value })],
          q: word ? [word] : [],
          sort: [`"${column.id}" desc`, '_id'],
          fields: [`_id,"${column.id}"`],
          total_estimation_threshold: ['0', '1000'],
        };
        return examples[name] ?? [];
      }
      const examples: Record<string, string[]> = {
        q:
          operationId === 'listCities'
            ? ['львів', 'Kyiv']
            : operationId === 'listDatasets'
              ? ['бюджет']
              : operationId === 'listProcurementProcedures'
                ? ['бензин']
                : ['парк'],
        oblast: ['lvivska'],
        city: ['lviv', 'kyiv'],
        publisher: ['lviv'],
        organization: ['lviv-city-council'],
        theme: ['GOVE', 'ECON'],
        keyword: ['transparency'],
        format: ['CSV'],
        license: ['CC-BY-4.0'],
        year:
          operationId.startsWith('listProcurement') || operationId === 'getProcurementRecords' ? ['2026'] : ['2021'],
        method: ['aboveThresholdUA', 'reporting'],
        wanted_by: ['kyiv', 'odesa'],
        dataset: ['lviv-public-transport-stops'],
      };
      return examples[name] ?? [];
    }

    test('every GET operation, with the demo data, and its documented error cases', async () => {
      const paths = await pathExamples();
      const unexercised: string[] = [];
      for (const [path, methods] of Object.entries(spec.paths)) {
        const op = methods.get;
        if (!op) continue;
        const examples = path.includes('{') ? paths[path] : [{}];
        assert.ok(examples?.length, `no demo values for the path parameters of ${path}`);
        const auth = op.security ? { authorization: `Bearer ${citizenToken}` } : undefined;
        for (const [index, params] of examples!.entries()) {
          const url = fillPath(path, params);
          conformance.check('get', path, await call({ url, headers: auth }), 200);
          // Each query parameter on its own (on the first example): every enum value, the bounds,
          // and realistic values.
          if (index > 0) continue;
          for (const parameter of (op.parameters ?? []).filter((p) => p.in === 'query')) {
            const realistic = await queryExamples(op.operationId, parameter.name, params);
            const values = [
              ...(parameter.schema.enum ?? []).map(String),
              ...(parameter.schema.type === 'integer' ? [String(parameter.schema.minimum ?? 0), '1'] : []),
              ...(parameter.schema.type === 'boolean' ? ['true', 'false'] : []),
              ...realistic,
            ];
            if (!values.length) unexercised.push(`${op.operationId}.${parameter.name}`);
            for (const value of values) {
              const query = `${url}?${new URLSearchParams({ [parameter.name]: value })}`;
              const response = await call({ url: query });
              conformance.check('get', path, response, 200);
              // A realistic value finds something, so that the answer checked is not an empty list.
              const body = response.json() as { items?: unknown[]; records?: unknown[] };
              if (realistic.includes(value)) assert.notEqual((body.items ?? body.records)?.length, 0, query);
            }
          }
        }
        const url = fillPath(path, examples![0]!);
        // Refused input: a limit out of range, a value too long, a query that is not UTF-8.
        const query = (op.parameters ?? []).filter((p) => p.in === 'query');
        const limit = query.find((p) => p.name === 'limit');
        const bad = limit ? 'limit=-1' : query.length ? `${query[0]!.name}=${'x'.repeat(5001)}` : 'x=%FF';
        conformance.check('get', path, await call({ url: `${url}?${bad}`, headers: auth }), 400);
        // An unknown thing named in the path.
        if (path.includes('{')) {
          const missing = fillPath(path, {
            slug: 'no-such-thing',
            name: 'no-such-dataset',
            ocid: 'ocds-be6bcu-UA-2026-01-01-999999-a',
            id: path.includes('resources') ? '00000000-0000-4000-8000-000000000000' : 999999,
            city: 'no-such-city',
            year: 2001,
            code: '0000000000000000',
          });
          conformance.check('get', path, await call({ url: missing, headers: auth }), 404);
          const malformed = fillPath(path, {
            slug: 'Not A Slug!',
            name: 'Not A Name!',
            id: 'x',
            ocid: 'not-an-ocid',
            city: 'Not A Slug!',
            year: 'x',
            code: 'x',
          });
          conformance.check('get', path, await call({ url: malformed, headers: auth }), 400);
        }
        // A token the platform does not know.
        conformance.check('get', path, await call({ url, headers: { authorization: 'Bearer hmd_unknown' } }), 401);
        if (op.security) conformance.check('get', path, await call({ url }), 401);
      }
      assert.deepEqual(unexercised, [], 'query parameters without a realistic example in this test');
      // A datathon's results before its organisers publish them: 409.
      const datathon = await app.db.one<{ event_id: number; at: Date }>(
        'SELECT event_id, results_published_at AS at FROM datathons WHERE results_published_at IS NOT NULL LIMIT 1',
      );
      await app.db.query('UPDATE datathons SET results_published_at = NULL WHERE event_id = $1', [datathon!.event_id]);
      try {
        const url = `/api/v1/datathons/${datathon!.event_id}/results`;
        conformance.check('get', '/api/v1/datathons/{id}/results', await call({ url }), 409);
      } finally {
        await app.db.query('UPDATE datathons SET results_published_at = $2 WHERE event_id = $1', [
          datathon!.event_id,
          datathon!.at,
        ]);
      }
    });

    test('signing a petition: 200 once and again, 401, 404, 409 on a closed one, 400 for a bad body', async () => {
      const path = '/api/v1/petitions/{id}/signatures';
      const petitions = (await json('/api/v1/petitions?limit=500')).items as { id: number; state: string }[];
      const open = petitions.find((p) => p.state === 'open')!;
      const closed = petitions.find((p) => p.state !== 'open')!;
      const as = { authorization: `Bearer ${citizenToken}` };
      const post = (id: number | string, payload: object | undefined, headers: Record<string, string> = as) =>
        call({ method: 'POST', url: fillPath(path, { id }), headers, payload });
      const first = await post(open.id, { show_name: false });
      conformance.check('post', path, first, 200);
      conformance.check('post', path, await post(open.id, undefined), 200);
      assert.equal((await post(open.id, {})).json().signed, false, 'a second signature changes nothing');
      conformance.check('post', path, await post(open.id, {}, {}), 401);
      conformance.check('post', path, await post(open.id, {}, { authorization: 'Bearer hmd_unknown' }), 401);
      conformance.check('post', path, await post(999999, {}), 404);
      conformance.check('post', path, await post(closed.id, {}), 409);
      conformance.check('post', path, await post(open.id, { show_name: 'perhaps' }), 400);
      conformance.check('post', path, await post(open.id, { nonsense: true }), 400);
    });

    test('a budget ballot: saved, refused for eligibility, in the wrong phase, for its choices, confirmed', async () => {
      const path = '/api/v1/budgets/{id}/ballot';
      const budgets = (await json('/api/v1/budgets')).items as { id: number; phase: string }[];
      const voting = budgets.find((b) => b.phase === 'voting')!;
      const finished = budgets.find((b) => b.phase !== 'voting')!;
      const projects = (await json(`/api/v1/budgets/${voting.id}/projects?limit=500`)).items as {
        id: number;
        review_state?: string;
      }[];
      const as = { authorization: `Bearer ${citizenToken}` };
      const put = (id: number, payload: object, headers: Record<string, string> = as) =>
        call({ method: 'PUT', url: fillPath(path, { id }), headers, payload });
      const ballot = { projects: [] as number[], birth_year: 1990, resident: true };
      conformance.check('put', path, await put(voting.id, ballot), 200);
      conformance.check('put', path, await put(voting.id, { ...ballot, birth_year: 2025 }), 403);
      conformance.check('put', path, await put(finished.id, ballot), 409);
      conformance.check('put', path, await put(voting.id, { ...ballot, projects: [999999] }), 422);
      conformance.check('put', path, await put(voting.id, { ...ballot, projects: ['x'] }), 400);
      conformance.check('put', path, await put(voting.id, ballot, {}), 401);
      conformance.check('put', path, await put(999999, ballot), 404);
      assert.ok(projects.length, 'the voting cycle has projects');
    });

    test('every documented status of the GET operations was reached', () => {
      const unreached: string[] = [];
      for (const methods of Object.values(spec.paths)) {
        const op = methods.get;
        if (!op) continue;
        for (const status of Object.keys(op.responses))
          if (!['429', '422'].includes(status) && !conformance.seen.has(`${op.operationId} ${status}`))
            unreached.push(`${op.operationId} ${status}`);
      }
      assert.deepEqual(unreached, []);
    });
  });
}
