// The catalog's pages (search, dataset, metadata form, resources, history) and /api/v1 endpoints.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { allow } from '../../platform/http/guards.ts';
import { html } from '../../platform/html/html.ts';
import { actorOf, submitForm } from '../../platform/http/forms.ts';
import { apiRateLimit } from '../../platform/http/rate-limits.ts';
import { errorResponses, localizedText, paginationQuery, problemSchema } from '../../platform/http/schemas.ts';
import { Checker } from '../../platform/validate.ts';
import { getCity, listCities, type City } from '../cities/service.ts';
import {
  DATASET_SORTS,
  DATASET_STATES,
  addResource,
  createDataset,
  getDataset,
  isOverdue,
  listResources,
  listRevisions,
  parseDatasetInput,
  parseResourceLink,
  qualityScore,
  searchDatasets,
  setDatasetState,
  updateDataset,
  type Dataset,
  type DatasetQuery,
  type Resource,
} from './service.ts';
import { assertCanEditDataset, canEditDataset, canPublishData, editableCityIds, visibilityFor } from './policy.ts';
import {
  datasetFormPage,
  datasetListPage,
  datasetPage,
  historyPage,
  resourceFormPage,
  type ListState,
} from './views.ts';
import { THEMES, licence } from './vocabularies.ts';
import { schemaOrgDataset } from './feeds.ts';
import { registerCatalogSections } from './sections.ts';

const nameParam = {
  type: 'object',
  properties: { name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{1,99}$' } },
  required: ['name'],
} as const;

const searchProperties = {
  q: {
    type: 'string',
    maxLength: 200,
    description: 'Words to find in titles, descriptions and keywords (any language, typos tolerated).',
  },
  city: { type: 'string', pattern: '^[a-z0-9-]*$', maxLength: 80, description: 'Publisher city slug.' },
  theme: { type: 'string', enum: ['', ...THEMES], description: 'EU data theme code, e.g. GOVE.' },
  format: { type: 'string', maxLength: 40, description: 'Resource format, e.g. CSV.' },
  license: { type: 'string', maxLength: 40, description: 'Licence id, e.g. CC-BY-4.0.' },
  keyword: { type: 'string', maxLength: 60, description: 'A keyword the dataset carries.' },
  sort: {
    type: 'string',
    enum: [...DATASET_SORTS],
    description: 'relevance (default with q), -modified (default), modified, name',
  },
} as const;

const resourceJson = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    description: { type: 'string' },
    format: { type: 'string' },
    url: { type: ['string', 'null'] },
    created: { type: 'string', format: 'date-time' },
    modified: { type: 'string', format: 'date-time' },
  },
} as const;

const datasetJson = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    state: { type: 'string' },
    publisher: { type: 'string', description: 'City slug' },
    title: localizedText,
    description: localizedText,
    license: { type: 'object', properties: { id: { type: ['string', 'null'] }, url: { type: ['string', 'null'] } } },
    themes: { type: 'array', items: { type: 'string' } },
    keywords: { type: 'array', items: { type: 'string' } },
    frequency: { type: 'string' },
    overdue: { type: 'boolean' },
    quality: { type: 'integer' },
    temporal: {
      type: 'object',
      properties: { start: { type: ['string', 'null'] }, end: { type: ['string', 'null'] } },
    },
    spatial: { type: ['string', 'null'] },
    contact: {
      type: 'object',
      properties: { name: { type: ['string', 'null'] }, email: { type: ['string', 'null'] } },
    },
    legal_basis: { type: ['string', 'null'] },
    purpose: { type: ['string', 'null'] },
    created: { type: 'string', format: 'date-time' },
    modified: { type: 'string', format: 'date-time' },
    resources: { type: 'array', items: resourceJson },
    url: { type: 'string' },
  },
} as const;

export function presentResource(r: Resource) {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    format: r.format,
    url: r.url,
    created: new Date(r.created_at).toISOString(),
    modified: new Date(r.modified_at).toISOString(),
  };
}

export function presentDataset(d: Dataset, resources: Resource[], publicUrl: string) {
  return {
    name: d.name,
    state: d.state,
    publisher: d.city_slug,
    title: { uk: d.title_uk, en: d.title_en, bg: d.title_bg },
    description: { uk: d.description_uk, en: d.description_en, bg: d.description_bg },
    license: { id: d.license_id, url: licence(d.license_id)?.url || null },
    themes: d.themes,
    keywords: d.keywords,
    frequency: d.frequency,
    overdue: isOverdue(d),
    quality: qualityScore(d, resources).score,
    temporal: { start: d.temporal_start, end: d.temporal_end },
    spatial: d.spatial,
    contact: { name: d.contact_name, email: d.contact_email },
    legal_basis: d.legal_basis,
    purpose: d.purpose,
    created: new Date(d.created_at).toISOString(),
    modified: new Date(d.modified_at).toISOString(),
    resources: resources.map(presentResource),
    url: `${publicUrl}/datasets/${d.name}`,
  };
}

/** What the form shows for a stored dataset. */
function formValues(d: Dataset): Record<string, unknown> {
  return { ...d, city: d.city_slug, keywords: d.keywords.join(', ') };
}

const PAGE_SIZE = 20;

async function routes(app: FastifyInstance) {
  registerCatalogSections(app);
  const { db } = app;
  const allCities = async (request: FastifyRequest) =>
    (await listCities(db, { locale: request.locale, limit: 1000, offset: 0 })).items;
  const editableCities = async (request: FastifyRequest) => {
    const allowed = editableCityIds(request.user);
    return (await allCities(request)).filter((c) => allowed === null || allowed.includes(c.id));
  };
  const load = (request: FastifyRequest, name: string) => getDataset(db, name, visibilityFor(request.user));
  const loadForEdit = async (request: FastifyRequest, name: string) => {
    const dataset = await load(request, name);
    assertCanEditDataset(request.user, dataset);
    return dataset;
  };

  // ---- API ----
  app.get<{ Querystring: Omit<DatasetQuery, 'visibility'> }>(
    '/api/v1/datasets',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['datasets'],
        operationId: 'listDatasets',
        summary: 'Search datasets',
        description:
          'Full-text search with facets (city, theme, format, licence, keyword). Drafts and private datasets appear only to their editors.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...searchProperties, ...paginationQuery },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: datasetJson },
              total: { type: 'integer' },
              limit: { type: 'integer' },
              offset: { type: 'integer' },
              facets: {
                type: 'object',
                additionalProperties: {
                  type: 'array',
                  items: { type: 'object', properties: { value: { type: 'string' }, count: { type: 'integer' } } },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const result = await searchDatasets(db, { ...request.query, visibility: visibilityFor(request.user) });
      const resources = await listResources(
        db,
        result.items.map((d) => d.id),
      );
      return {
        items: result.items.map((d) =>
          presentDataset(
            d,
            resources.filter((r) => r.dataset_id === d.id),
            app.config.publicUrl,
          ),
        ),
        total: result.total,
        limit: request.query.limit,
        offset: request.query.offset,
        facets: result.facets,
      };
    },
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/datasets/:name',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['datasets'],
        operationId: 'getDataset',
        summary: 'One dataset with its resources',
        params: nameParam,
        response: { 200: datasetJson, 404: problemSchema, ...errorResponses },
      },
    },
    async (request) => {
      const dataset = await load(request, request.params.name);
      return presentDataset(dataset, await listResources(db, [dataset.id]), app.config.publicUrl);
    },
  );

  // ---- Pages ----
  app.get<{ Querystring: Omit<ListState, 'limit'> }>(
    '/datasets',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...searchProperties,
            series: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,99}$' },
            offset: paginationQuery.offset,
          },
        },
      },
    },
    async (request, reply) => {
      const state: ListState = { ...request.query, limit: PAGE_SIZE };
      // Browsing, a series of per-city datasets is one entry; a search or a city's or series' list shows each.
      const collapseSeries = !state.q && !state.city && !state.series;
      const result = await searchDatasets(db, { ...state, collapseSeries, visibility: visibilityFor(request.user) });
      const resources = await listResources(
        db,
        result.items.map((d) => d.id),
      );
      const formats = new Map<number, string[]>();
      for (const r of resources)
        if (r.format) formats.set(r.dataset_id, [...new Set([...(formats.get(r.dataset_id) ?? []), r.format])]);
      const cities = new Map((await allCities(request)).map((c): [string, City] => [c.slug, c]));
      return reply.page({
        title: request.t('catalog.title'),
        nav: 'datasets',
        scripts: ['/static/build/facet-panel.js'],
        alternates: [
          { href: '/catalog.ttl', type: 'text/turtle', title: 'DCAT-AP' },
          { href: '/catalog.jsonld', type: 'application/ld+json', title: 'DCAT-AP' },
          { href: '/catalog.rdf', type: 'application/rdf+xml', title: 'DCAT-AP' },
          { href: '/datasets/feed.atom', type: 'application/atom+xml', title: request.t('catalog.feed') },
        ],
        body: datasetListPage(
          request.pageContext(),
          state,
          result,
          formats,
          cities,
          !!request.user && canPublishData(request.user),
          await app.sections.datasetNotes(
            request,
            result.items.map((d) => d.id),
          ),
        ),
      });
    },
  );

  const editor = { preHandler: allow(canPublishData) };

  app.get('/datasets/new', editor, async (request, reply) => {
    const cities = await editableCities(request);
    return reply.page({
      title: request.t('catalog.new_dataset'),
      nav: 'datasets',
      body: datasetFormPage(
        request.pageContext(),
        cities,
        { license_id: 'CC-BY-4.0', frequency: 'UNKNOWN', city: cities[0]?.slug },
        undefined,
        null,
      ),
    });
  });

  app.post<{ Body: Record<string, unknown> }>('/datasets/new', editor, async (request, reply) => {
    const cities = await editableCities(request);
    return submitForm(request, reply, {
      title: request.t('catalog.new_dataset'),
      action: async () => {
        const input = await parseDatasetInput(db, request.body, editableCityIds(request.user));
        const dataset = await db.transaction((tx) => createDataset(tx, actorOf(request), input));
        return `/datasets/${dataset.name}`;
      },
      form: (errors) => datasetFormPage(request.pageContext(), cities, request.body ?? {}, errors, null),
    });
  });

  app.get<{ Params: { name: string } }>(
    '/datasets/:name',
    { schema: { params: nameParam } },
    async (request, reply) => {
      const dataset = await load(request, request.params.name);
      const resources = await listResources(db, [dataset.id]);
      const city = await getCity(db, dataset.city_slug);
      return reply.page({
        title: dataset[`title_${request.locale}`] || dataset.title_uk,
        nav: 'datasets',
        alternates: [
          { href: `/api/v1/datasets/${dataset.name}`, type: 'application/json' },
          ...(dataset.state === 'published'
            ? [
                { href: `/datasets/${dataset.name}/datapackage.json`, type: 'application/json', title: 'Data Package' },
                { href: `/dataset/${dataset.name}.ttl`, type: 'text/turtle', title: 'DCAT-AP' },
                { href: `/dataset/${dataset.name}.jsonld`, type: 'application/ld+json', title: 'DCAT-AP' },
                { href: `/dataset/${dataset.name}.rdf`, type: 'application/rdf+xml', title: 'DCAT-AP' },
              ]
            : []),
        ],
        jsonLd:
          dataset.state === 'published' ? schemaOrgDataset(dataset, resources, city, app.config.publicUrl) : undefined,
        body: html`${datasetPage(
          request.pageContext(),
          dataset,
          resources,
          city,
          qualityScore(dataset, resources),
          canEditDataset(request.user, dataset),
        )}${await app.sections.render('dataset', request, dataset)}`,
      });
    },
  );

  app.get<{ Params: { name: string } }>(
    '/datasets/:name/edit',
    { ...editor, schema: { params: nameParam } },
    async (request, reply) => {
      const dataset = await loadForEdit(request, request.params.name);
      return reply.page({
        title: request.t('catalog.edit'),
        nav: 'datasets',
        body: datasetFormPage(
          request.pageContext(),
          await editableCities(request),
          formValues(dataset),
          undefined,
          dataset,
        ),
      });
    },
  );

  app.post<{ Params: { name: string }; Body: Record<string, unknown> }>(
    '/datasets/:name/edit',
    { ...editor, schema: { params: nameParam } },
    async (request, reply) => {
      const dataset = await loadForEdit(request, request.params.name);
      const cities = await editableCities(request);
      return submitForm(request, reply, {
        title: request.t('catalog.edit'),
        action: async () => {
          const input = await parseDatasetInput(db, request.body, editableCityIds(request.user));
          const updated = await db.transaction((tx) => updateDataset(tx, actorOf(request), dataset, input));
          return `/datasets/${updated.name}`;
        },
        form: (errors) => datasetFormPage(request.pageContext(), cities, request.body ?? {}, errors, dataset),
      });
    },
  );

  app.post<{ Params: { name: string }; Body: Record<string, unknown> }>(
    '/datasets/:name/state',
    { ...editor, schema: { params: nameParam } },
    async (request, reply) => {
      const dataset = await loadForEdit(request, request.params.name);
      const check = new Checker(request.body);
      const state = check.oneOf('state', [...DATASET_STATES, 'deleted'] as const);
      check.done();
      await db.transaction((tx) => setDatasetState(tx, actorOf(request), dataset, state!));
      return reply.redirect(state === 'deleted' ? '/datasets' : `/datasets/${dataset.name}`, 303);
    },
  );

  app.get<{ Params: { name: string } }>(
    '/datasets/:name/history',
    { ...editor, schema: { params: nameParam } },
    async (request, reply) => {
      const dataset = await loadForEdit(request, request.params.name);
      return reply.page({
        title: request.t('catalog.history'),
        nav: 'datasets',
        body: historyPage(request.pageContext(), dataset, await listRevisions(db, dataset.id)),
      });
    },
  );

  app.get<{ Params: { name: string } }>(
    '/datasets/:name/resources/new',
    { ...editor, schema: { params: nameParam } },
    async (request, reply) => {
      const dataset = await loadForEdit(request, request.params.name);
      return reply.page({
        title: request.t('catalog.add_resource'),
        nav: 'datasets',
        body: resourceFormPage(request.pageContext(), dataset, {}, undefined),
      });
    },
  );

  app.post<{ Params: { name: string }; Body: Record<string, unknown> }>(
    '/datasets/:name/resources/new',
    { ...editor, schema: { params: nameParam } },
    async (request, reply) => {
      const dataset = await loadForEdit(request, request.params.name);
      return submitForm(request, reply, {
        title: request.t('catalog.add_resource'),
        action: async () => {
          const input = parseResourceLink(request.body);
          await db.transaction((tx) => addResource(tx, actorOf(request), dataset, input));
          return `/datasets/${dataset.name}`;
        },
        form: (errors) => resourceFormPage(request.pageContext(), dataset, request.body ?? {}, errors),
      });
    },
  );
}

export const catalogModule = fp(routes, { name: 'catalog' });
