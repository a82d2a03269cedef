// The data programme: the reference list of mandatory datasets (admins edit it), the national
// compliance view with its map, a city's compliance and history, the declaration of which list
// item a dataset fulfils (a form on the dataset's page), CSV and /api/v1.
// Who may do what is decided in policy.ts.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { allow, signedIn } from '../../platform/http/guards.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import { actorOf, submitForm } from '../../platform/http/forms.ts';
import { apiRateLimit, formRateLimit } from '../../platform/http/rate-limits.ts';
import { errorResponses, problemSchema, slugParam } from '../../platform/http/schemas.ts';
import { csvLine } from '../../platform/csv.ts';
import { Checker } from '../../platform/validate.ts';
import { getCity, listCities, listOblasts, localName, type City } from '../cities/service.ts';
import { getDataset } from '../catalog/service.ts';
import { visibilityFor } from '../catalog/policy.ts';
import { assertCanDeclareFor, canManageLists, canPublishCompliance } from './policy.ts';
import { complianceCsv, complianceDatasetName, publishCompliance } from './open-data.ts';
import { historyChartSvg } from './charts.ts';
import {
  CHECKS,
  cityCompliance,
  complianceHistory,
  createMandatoryItem,
  declareItem,
  getMandatoryItem,
  listMandatoryItems,
  nationalCompliance,
  parseItemInput,
  updateMandatoryItem,
  withdrawItem,
  type CityCompliance,
  type MandatoryItem,
} from './service.ts';
import { cityPage, itemForm, listPage, nationalPage } from './views.ts';
import { registerProgrammeSections } from './sections.ts';
import { registerInventoryRoutes } from './inventory-routes.ts';

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } },
} as const;
const cityParams = { type: 'object', required: ['slug'], properties: { slug: slugParam } } as const;
const datasetParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;
const declarationParams = {
  type: 'object',
  required: ['name', 'item'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    item: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
  },
} as const;

const itemJson = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    country: { type: 'string' },
    legal_act: { type: 'string' },
    code: { type: 'string', description: 'The item number as the source gives it' },
    name: {
      type: 'object',
      properties: { uk: { type: 'string' }, en: { type: 'string' }, bg: { type: 'string' } },
    },
    frequency: { type: ['string', 'null'], description: 'EU frequency code; null when the act sets none' },
    legal_basis: { type: 'string' },
    body_kind: { type: 'string', enum: ['all_holders', 'local_self_government'] },
    source: { type: 'string', description: 'Where the wording and number were taken from' },
    retired: { type: 'boolean' },
  },
} as const;

const checksJson = {
  type: 'object',
  properties: Object.fromEntries(CHECKS.map((c) => [c, { type: 'boolean' }])),
} as const;

const cityScoreJson = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    oblast: { type: 'string' },
    score: { type: 'number', description: 'Checks met over all items, 0–100' },
    items_total: { type: 'integer' },
    items_published: { type: 'integer' },
    url: { type: 'string', description: "The city's compliance page, citable as evidence" },
  },
} as const;

const cityComplianceJson = {
  type: 'object',
  properties: {
    ...cityScoreJson.properties,
    rule: { type: 'string' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          item: itemJson,
          checks: checksJson,
          points: { type: 'integer' },
          datasets: { type: 'array', items: { type: 'string', description: 'Dataset name' } },
        },
      },
    },
    history: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          date: { type: 'string', format: 'date' },
          score: { type: 'number' },
          items_total: { type: 'integer' },
          items_published: { type: 'integer' },
        },
      },
    },
  },
} as const;

const RULE =
  'Each list item has five checks: published (a published dataset declares it), up to date (its data changed within the frequency the item or, failing that, the dataset sets), machine-readable (a resource in CSV, TSV, JSON, GeoJSON, XML, ODS, RDF, TTL, JSON-LD, KML, GPX, XLSX or XLS), openly licensed (an Open Definition licence), in the DataStore (a resource loaded into it). Score = checks met / (5 × items) × 100.';

const presentItem = (i: MandatoryItem) => ({
  id: i.id,
  country: i.country,
  legal_act: i.legal_act,
  code: i.code,
  name: { uk: i.name_uk, en: i.name_en, bg: i.name_bg },
  frequency: i.frequency,
  legal_basis: i.legal_basis,
  body_kind: i.body_kind,
  source: i.source,
  retired: i.retired,
});

async function routes(app: FastifyInstance) {
  registerProgrammeSections(app);
  registerInventoryRoutes(app);
  const { db, clock } = app;
  const admin = { preHandler: allow(canManageLists) };
  const pageUrl = (slug: string) => `${app.config.publicUrl}/cities/${slug}/compliance`;

  async function allCities(): Promise<City[]> {
    return (await listCities(db, { limit: 10_000, offset: 0, sort: 'name', locale: 'uk' })).items;
  }

  const presentScore = (city: City, c: CityCompliance) => ({
    city: city.slug,
    oblast: city.oblast_slug,
    score: c.score,
    items_total: c.items.length,
    items_published: c.published,
    url: pageUrl(city.slug),
  });

  async function national() {
    const [cities, all] = await Promise.all([allCities(), nationalCompliance(db, clock.now())]);
    return cities.flatMap((city) => {
      const compliance = all.find((c) => c.city_id === city.id);
      return compliance ? [{ city, compliance }] : [];
    });
  }

  // ---- Pages ----

  app.get('/data-programme', async (request, reply) =>
    reply.page({
      title: request.t('dataProgramme.title'),
      nav: 'datasets',
      scripts: ['/static/build/compliance-map.js'],
      styles: ['/static/vendor/leaflet/leaflet.css'],
      alternates: [{ href: '/api/v1/compliance', type: 'application/json' }],
      body: nationalPage(
        request.pageContext(),
        await national(),
        await listOblasts(db, request.locale),
        app.config.publicUrl,
      ),
    }),
  );

  app.get('/data-programme/compliance.csv', async (_request, reply) => {
    const rows = await national();
    const lines = [csvLine(['city', 'oblast', 'score', 'items_total', 'items_published', ...CHECKS, 'url'])];
    for (const { city, compliance } of rows)
      lines.push(
        csvLine([
          city.slug,
          city.oblast_slug,
          compliance.score,
          compliance.items.length,
          compliance.published,
          ...CHECKS.map((c) => compliance.items.filter((i) => i.checks[c]).length),
          pageUrl(city.slug),
        ]),
      );
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="compliance.csv"')
      .send(lines.join(''));
  });

  app.get<{ Querystring: { saved?: string } }>(
    '/data-programme/list',
    { schema: { querystring: { type: 'object', properties: { saved: { type: 'string', maxLength: 10 } } } } },
    async (request, reply) => {
      const canManage = request.user !== null && canManageLists(request.user);
      return reply.page({
        title: request.t('dataProgramme.list_title'),
        nav: 'datasets',
        alternates: [{ href: '/api/v1/mandatory-datasets', type: 'application/json' }],
        body: listPage(
          request.pageContext(),
          await listMandatoryItems(db, { includeRetired: canManage }),
          canManage,
          request.query.saved === '1' ? request.t('dataProgramme.saved') : undefined,
        ),
      });
    },
  );

  app.get('/data-programme/list/new', admin, async (request, reply) =>
    reply.page({
      title: request.t('dataProgramme.new_item'),
      nav: 'datasets',
      body: itemForm(request.pageContext(), { country: 'UA', body_kind: 'local_self_government' }, undefined, null),
    }),
  );

  app.post<{ Body: Record<string, unknown> }>('/data-programme/list/new', admin, async (request, reply) =>
    submitForm(request, reply, {
      title: request.t('dataProgramme.new_item'),
      action: async () => {
        const input = parseItemInput(request.body);
        await db.transaction((tx) => createMandatoryItem(tx, actorOf(request), input));
        return '/data-programme/list?saved=1';
      },
      form: (errors) => itemForm(request.pageContext(), request.body ?? {}, errors, null),
    }),
  );

  app.get<{ Params: { id: number } }>(
    '/data-programme/list/:id/edit',
    { ...admin, schema: { params: idParams } },
    async (request, reply) => {
      const item = await getMandatoryItem(db, request.params.id);
      return reply.page({
        title: request.t('dataProgramme.edit_item'),
        nav: 'datasets',
        body: itemForm(request.pageContext(), { ...item }, undefined, item.id),
      });
    },
  );

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/data-programme/list/:id/edit',
    { ...admin, schema: { params: idParams } },
    async (request, reply) => {
      const item = await getMandatoryItem(db, request.params.id);
      return submitForm(request, reply, {
        title: request.t('dataProgramme.edit_item'),
        action: async () => {
          const input = parseItemInput(request.body);
          await db.transaction((tx) => updateMandatoryItem(tx, actorOf(request), item.id, input));
          return '/data-programme/list?saved=1';
        },
        form: (errors) => itemForm(request.pageContext(), request.body ?? {}, errors, item.id),
      });
    },
  );

  app.get<{ Params: { slug: string } }>(
    '/cities/:slug/compliance',
    { schema: { params: cityParams } },
    async (request, reply) => {
      const city = await getCity(db, request.params.slug);
      const [compliance, history] = await Promise.all([
        cityCompliance(db, city.id, clock.now()),
        complianceHistory(db, city.id),
      ]);
      return reply.page({
        title: request.t('dataProgramme.city_title', { city: localName(city, request.locale) }),
        nav: 'datasets',
        alternates: [{ href: `/api/v1/cities/${city.slug}/compliance`, type: 'application/json' }],
        body: cityPage(request.pageContext(), city, compliance, history, pageUrl(city.slug), {
          canPublish: canPublishCompliance(request.user, city.id),
          published: (await db.one('SELECT 1 FROM datasets WHERE name = $1', [complianceDatasetName(city.slug)]))
            ? complianceDatasetName(city.slug)
            : null,
        }),
      });
    },
  );

  app.get<{ Params: { slug: string } }>(
    '/cities/:slug/compliance.csv',
    { schema: { params: cityParams } },
    async (request, reply) => {
      const city = await getCity(db, request.params.slug);
      const compliance = await cityCompliance(db, city.id, clock.now());
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${city.slug}-compliance.csv"`)
        .send(complianceCsv(compliance, (name) => `${app.config.publicUrl}/datasets/${name}`));
    },
  );

  app.post<{ Params: { slug: string } }>(
    '/cities/:slug/compliance/publish',
    { preHandler: allow(signedIn), schema: { params: cityParams }, config: formRateLimit(30) },
    async (request, reply) => {
      const city = await getCity(db, request.params.slug);
      if (!canPublishCompliance(request.user, city.id)) throw new ForbiddenError('not an editor of this city');
      await db.transaction((tx) => publishCompliance(tx, actorOf(request), city, clock.now()));
      return reply.redirect(`/cities/${city.slug}/compliance`, 303);
    },
  );

  app.get<{ Params: { slug: string } }>(
    '/cities/:slug/compliance/history.svg',
    { schema: { params: cityParams } },
    async (request, reply) => {
      const city = await getCity(db, request.params.slug);
      const history = await complianceHistory(db, city.id);
      return reply
        .type('image/svg+xml')
        .header('cache-control', 'public, max-age=300')
        .header('vary', 'Cookie, Accept-Language')
        .send(historyChartSvg(history, request.t('dataProgramme.history_title'), request.locale));
    },
  );

  // ---- Declaring which list item a dataset fulfils (the form on the dataset's page) ----

  const datasetFor = async (request: FastifyRequest, name: string) => {
    const dataset = await getDataset(db, name, visibilityFor(request.user));
    assertCanDeclareFor(request.user, dataset);
    return dataset;
  };

  app.post<{ Params: { name: string }; Body: Record<string, unknown> }>(
    '/datasets/:name/mandatory-items',
    { preHandler: allow(() => true), schema: { params: datasetParams }, config: formRateLimit(60) },
    async (request, reply) => {
      const dataset = await datasetFor(request, request.params.name);
      const check = new Checker(request.body);
      const itemId = check.number('item', { integer: true, min: 1, max: 2_147_483_647, required: true });
      check.done();
      await db.transaction((tx) => declareItem(tx, actorOf(request), dataset, itemId!, clock.now()));
      return reply.redirect(`/datasets/${dataset.name}#dataset-mandatory-items`, 303);
    },
  );

  app.post<{ Params: { name: string; item: number } }>(
    '/datasets/:name/mandatory-items/:item/remove',
    { preHandler: allow(() => true), schema: { params: declarationParams }, config: formRateLimit(60) },
    async (request, reply) => {
      const dataset = await datasetFor(request, request.params.name);
      await db.transaction((tx) => withdrawItem(tx, actorOf(request), dataset, request.params.item, clock.now()));
      return reply.redirect(`/datasets/${dataset.name}#dataset-mandatory-items`, 303);
    },
  );

  // ---- /api/v1 ----

  app.get(
    '/api/v1/mandatory-datasets',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['data programme'],
        operationId: 'listMandatoryDatasets',
        summary: 'The reference lists of datasets bodies must publish, with each item’s source',
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: itemJson } } },
          ...errorResponses,
        },
      },
    },
    async () => ({ items: (await listMandatoryItems(db)).map(presentItem) }),
  );

  app.get(
    '/api/v1/compliance',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['data programme'],
        operationId: 'listCompliance',
        summary: 'Every city’s compliance with its mandatory datasets',
        response: {
          200: {
            type: 'object',
            properties: { rule: { type: 'string' }, items: { type: 'array', items: cityScoreJson } },
          },
          ...errorResponses,
        },
      },
    },
    async () => ({
      rule: RULE,
      items: (await national()).map(({ city, compliance }) => presentScore(city, compliance)),
    }),
  );

  app.get<{ Params: { slug: string } }>(
    '/api/v1/cities/:slug/compliance',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['data programme'],
        operationId: 'getCityCompliance',
        summary: 'One city’s compliance: each list item’s checks, the score and its history',
        params: cityParams,
        response: { 200: cityComplianceJson, 404: problemSchema, ...errorResponses },
      },
    },
    async (request) => {
      const city = await getCity(db, request.params.slug);
      const [compliance, history] = await Promise.all([
        cityCompliance(db, city.id, clock.now()),
        complianceHistory(db, city.id),
      ]);
      return {
        ...presentScore(city, compliance),
        rule: RULE,
        items: compliance.items.map((i) => ({
          item: presentItem(i.item),
          checks: i.checks,
          points: i.points,
          datasets: i.datasets.map((d) => d.name),
        })),
        history: history.map((s) => ({
          date: s.taken_on,
          score: s.score,
          items_total: s.items_total,
          items_published: s.items_published,
        })),
      };
    },
  );
}

export const dataProgrammeModule = fp(routes, { name: 'data-programme' });
