// Cities: public pages (list, map, profile), the /api/v1 endpoints, and the admin forms.
import fp from 'fastify-plugin';
import { html } from '../../platform/html/html.ts';
import type { FastifyInstance } from 'fastify';
import { allow } from '../../platform/http/guards.ts';
import { actorOf, submitForm } from '../../platform/http/forms.ts';
import { apiRateLimit } from '../../platform/http/rate-limits.ts';
import { AnonymousCache } from '../../platform/http/anonymous-cache.ts';
import { layout } from '../../platform/html/layout.ts';
import {
  adminListQuery,
  errorResponses,
  localizedText,
  pageOf,
  paginationQuery,
  problemSchema,
  slugParam,
} from '../../platform/http/schemas.ts';
import { LOCALES, type Locale } from '../../platform/i18n/locales.ts';
import { listOrganizations } from '../organizations/service.ts';
import { cityOpenDataSummary } from '../catalog/service.ts';
import { cityCodes } from '../open-budget/city-codes.ts';
import { geoRoutes } from './geo.ts';
import { localName } from './service.ts';
import {
  CITY_SORTS,
  createCity,
  deleteCity,
  getCity,
  listCities,
  listOblasts,
  parseCityInput,
  updateCity,
  type City,
  type CitySort,
  type Oblast,
} from './service.ts';
import { adminCityListPage, cityFormPage, cityListPage, cityMapPage, cityProfilePage } from './views.ts';
import { canBrandCity, canManageCities } from './policy.ts';
import { brandRoutes } from './brand-routes.ts';
import { brandStyles, cityBrandOf } from './brand-view.ts';

const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';

const oblastJson = {
  type: 'object',
  properties: { slug: { type: 'string' }, name: localizedText },
} as const;

const cityJson = {
  type: 'object',
  required: ['slug', 'name', 'oblast', 'population', 'location', 'url'],
  properties: {
    slug: { type: 'string', examples: ['lviv'] },
    name: localizedText,
    oblast: oblastJson,
    population: { type: ['integer', 'null'], description: 'Approximate number of residents.' },
    location: {
      type: ['object', 'null'],
      properties: { latitude: { type: 'number' }, longitude: { type: 'number' } },
    },
    website: { type: ['string', 'null'] },
    codes: {
      type: 'object',
      properties: {
        katottg: { type: ['string', 'null'], description: 'КАТОТТГ: "UA" and 17 digits.' },
        edrpou: { type: ['string', 'null'] },
        council_edrpou: {
          type: ['string', 'null'],
          description: 'ЄДРПОУ of the city council organisation (only in the single-city response).',
        },
        budget_codes: {
          type: 'array',
          description: 'Treasury budget codes (COD_BUDGET) with their validity (only in the single-city response).',
          items: {
            type: 'object',
            required: ['budget_code', 'valid_from', 'valid_to'],
            properties: {
              budget_code: { type: 'string', examples: ['13563000000'] },
              valid_from: { type: 'string', format: 'date' },
              valid_to: { type: ['string', 'null'], format: 'date' },
            },
          },
        },
      },
    },
    url: { type: 'string', description: 'The city profile page.' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

function presentOblast(oblast: Oblast | undefined, slug: string) {
  return {
    slug,
    name: oblast ? { uk: oblast.name_uk, en: oblast.name_en, bg: oblast.name_bg } : { uk: slug, en: slug, bg: slug },
  };
}

function presentCity(city: City, oblasts: Map<string, Oblast>, publicUrl: string) {
  return {
    slug: city.slug,
    name: { uk: city.name_uk, en: city.name_en, bg: city.name_bg },
    oblast: presentOblast(oblasts.get(city.oblast_slug), city.oblast_slug),
    population: city.population,
    location:
      city.latitude === null || city.longitude === null ? null : { latitude: city.latitude, longitude: city.longitude },
    website: city.website,
    codes: { katottg: city.katottg, edrpou: city.edrpou },
    url: `${publicUrl}/cities/${city.slug}`,
    updated_at: new Date(city.updated_at).toISOString(),
  };
}

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 200, description: 'Matches any part of the name in any language.' },
    oblast: {
      type: 'string',
      pattern: '^[a-z0-9-]*$',
      maxLength: 80,
      description: 'Oblast slug, see /api/v1/oblasts.',
    },
    sort: {
      type: 'string',
      enum: [...CITY_SORTS],
      default: 'name',
      description: 'name, -name, population, -population',
    },
    lang: { type: 'string', enum: [...LOCALES], default: 'uk', description: 'Alphabet used to sort by name.' },
    ...paginationQuery,
  },
} as const;

interface ListQuery {
  q?: string;
  oblast?: string;
  sort: CitySort;
  lang: Locale;
  limit: number;
  offset: number;
}

const PAGE_SIZE = 25;

async function routes(app: FastifyInstance) {
  const { db } = app;
  await geoRoutes(app);
  await brandRoutes(app);
  app.sections.add('search', {
    id: 'cities',
    order: 30,
    async render(request, { q }) {
      const found = await listCities(db, { q, locale: request.locale, limit: 8, offset: 0 });
      if (!found.total) return null;
      return html`<section class="search-section" aria-labelledby="search-cities">
<h2 id="search-cities">${request.t('nav.cities')}</h2>
<ul>${found.items.map((c) => html`<li><a href="/cities/${c.slug}">${localName(c, request.locale)}</a></li>`)}</ul>
<p><a href="/cities?q=${encodeURIComponent(q)}">${request.t('search.all_found', { count: found.total })}</a></p>
</section>`;
    },
  });
  const oblastMap = async (locale: Locale) => new Map((await listOblasts(db, locale)).map((o) => [o.slug, o]));
  // The public list, page and API, as anonymous visitors get it: rendered once per change of the cities.
  const anonymous = new AnonymousCache(app.versions);

  // ---- API ----
  app.get<{ Querystring: ListQuery }>(
    '/api/v1/cities',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['cities'],
        operationId: 'listCities',
        summary: 'List cities',
        description: 'Search, filter by oblast, sort and paginate the cities on the platform.',
        querystring: listQuery,
        response: { 200: pageOf(cityJson), ...errorResponses },
      },
    },
    async (request, reply) =>
      anonymous.send(request, reply, ['cities'], async () => {
        const { q, oblast, sort, lang, limit, offset } = request.query;
        const result = await listCities(db, { q, oblast: oblast || undefined, sort, locale: lang, limit, offset });
        const oblasts = await oblastMap(lang);
        const items = result.items.map((c) => presentCity(c, oblasts, app.config.publicUrl));
        // Serialized by the route's response schema, as Fastify would have.
        return { type: JSON_TYPE, body: String(reply.serialize({ items, total: result.total, limit, offset })) };
      }),
  );

  app.get<{ Params: { slug: string } }>(
    '/api/v1/cities/:slug',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['cities'],
        operationId: 'getCity',
        summary: 'One city',
        params: { type: 'object', properties: { slug: slugParam }, required: ['slug'] },
        response: { 200: cityJson, 404: problemSchema, ...errorResponses },
      },
    },
    async (request) => {
      const city = await getCity(db, request.params.slug);
      const presented = presentCity(city, await oblastMap('uk'), app.config.publicUrl);
      // The open budget's reference codes (open-budget/city-codes.ts).
      const { council, budgetCodes } = await cityCodes(db, city.id);
      return {
        ...presented,
        codes: {
          ...presented.codes,
          council_edrpou: council?.edrpou ?? null,
          budget_codes: budgetCodes.map((c) => ({
            budget_code: c.budgetCode,
            valid_from: c.validFrom,
            valid_to: c.validTo,
          })),
        },
      };
    },
  );

  app.get(
    '/api/v1/oblasts',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['cities'],
        operationId: 'listOblasts',
        summary: 'List oblasts (regions)',
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: oblastJson }, total: { type: 'integer' } },
          },
        },
      },
    },
    async () => {
      const oblasts = await listOblasts(db, 'uk');
      return { items: oblasts.map((o) => presentOblast(o, o.slug)), total: oblasts.length };
    },
  );

  // ---- Pages ----
  app.get<{ Querystring: { q?: string; oblast?: string; sort: CitySort; offset: number } }>(
    '/cities',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            q: listQuery.properties.q,
            oblast: listQuery.properties.oblast,
            sort: listQuery.properties.sort,
            offset: paginationQuery.offset,
          },
        },
      },
    },
    async (request, reply) =>
      anonymous.send(request, reply, ['cities'], async () => {
        const state = {
          q: request.query.q ?? '',
          oblast: request.query.oblast ?? '',
          sort: request.query.sort,
          offset: request.query.offset,
          limit: PAGE_SIZE,
        };
        const [result, oblasts] = await Promise.all([
          listCities(db, {
            q: state.q || undefined,
            oblast: state.oblast || undefined,
            sort: state.sort,
            locale: request.locale,
            limit: PAGE_SIZE,
            offset: state.offset,
          }),
          listOblasts(db, request.locale),
        ]);
        const ctx = request.pageContext();
        const page = {
          title: request.t('cities.title'),
          nav: 'cities' as const,
          body: cityListPage(ctx, state, result, oblasts),
        };
        return { type: HTML_TYPE, body: layout(ctx, page) };
      }),
  );

  app.get('/cities/map', async (request, reply) => {
    const [result, oblasts] = await Promise.all([
      listCities(db, { locale: request.locale, limit: 500, offset: 0 }),
      listOblasts(db, request.locale),
    ]);
    return reply.page({
      title: request.t('map.title'),
      nav: 'cities',
      body: cityMapPage(request.pageContext(), result.items, oblasts),
      scripts: ['/static/build/cities-map.js'],
      styles: ['/static/vendor/leaflet/leaflet.css'],
    });
  });

  app.get<{ Params: { slug: string } }>(
    '/cities/:slug',
    {
      schema: { params: { type: 'object', properties: { slug: slugParam } } },
    },
    async (request, reply) => {
      const city = await getCity(db, request.params.slug);
      const oblasts = await oblastMap(request.locale);
      const organizations = await listOrganizations(db, { cityId: city.id, limit: 100, offset: 0 });
      const openData = await cityOpenDataSummary(db, city.id);
      // Petitions, budgets, the ranking… each module adds its part (platform/sections.ts).
      const participation = await app.sections.render('city', request, { id: city.id, slug: city.slug });
      const brand = cityBrandOf(city);
      return reply.page({
        title: localName(city, request.locale),
        nav: 'cities',
        body: cityProfilePage(
          request.pageContext(),
          city,
          oblasts.get(city.oblast_slug),
          organizations.items.map((o) => ({ slug: o.slug, kind: o.kind, name: localName(o, request.locale) })),
          openData,
          participation,
          { brand, mayBrand: canBrandCity(request.user, city.id) },
        ),
        scripts: city.latitude !== null ? ['/static/build/cities-map.js'] : [],
        styles: [...(city.latitude !== null ? ['/static/vendor/leaflet/leaflet.css'] : []), ...brandStyles(brand)],
      });
    },
  );

  // ---- Admin ----
  const admin = { preHandler: allow(canManageCities) };
  app.get<{ Querystring: { offset: number; saved?: string } }>(
    '/admin/cities',
    { ...admin, schema: { querystring: adminListQuery } },
    async (request, reply) => {
      const { offset } = request.query;
      const result = await listCities(db, { locale: request.locale, limit: 50, offset });
      const notice = request.query.saved ? request.t('admin.saved') : undefined;
      return reply.page({
        title: request.t('admin.cities'),
        nav: 'admin',
        body: adminCityListPage(
          request.pageContext(),
          result.items,
          { total: result.total, limit: 50, offset },
          notice,
        ),
      });
    },
  );

  app.get('/admin/cities/new', admin, async (request, reply) => {
    const oblasts = await listOblasts(db, request.locale);
    return reply.page({
      title: request.t('admin.new_city'),
      nav: 'admin',
      body: cityFormPage(request.pageContext(), oblasts, {}, undefined, null),
    });
  });

  app.post<{ Body: Record<string, unknown> }>('/admin/cities/new', admin, async (request, reply) => {
    const oblasts = await listOblasts(db, request.locale);
    return submitForm(request, reply, {
      title: request.t('admin.new_city'),
      action: async () => {
        const input = await parseCityInput(db, request.body);
        await db.transaction((tx) => createCity(tx, actorOf(request), input));
        return '/admin/cities?saved=1';
      },
      form: (errors) => cityFormPage(request.pageContext(), oblasts, request.body ?? {}, errors, null),
    });
  });

  app.get<{ Params: { slug: string } }>('/admin/cities/:slug/edit', admin, async (request, reply) => {
    const city = await getCity(db, request.params.slug);
    const oblasts = await listOblasts(db, request.locale);
    return reply.page({
      title: request.t('admin.edit_city'),
      nav: 'admin',
      body: cityFormPage(
        request.pageContext(),
        oblasts,
        city as unknown as Record<string, unknown>,
        undefined,
        city.slug,
      ),
    });
  });

  app.post<{ Params: { slug: string }; Body: Record<string, unknown> }>(
    '/admin/cities/:slug/edit',
    admin,
    async (request, reply) => {
      await getCity(db, request.params.slug);
      const oblasts = await listOblasts(db, request.locale);
      return submitForm(request, reply, {
        title: request.t('admin.edit_city'),
        action: async () => {
          const input = await parseCityInput(db, request.body);
          await db.transaction((tx) => updateCity(tx, actorOf(request), request.params.slug, input));
          return '/admin/cities?saved=1';
        },
        form: (errors) => cityFormPage(request.pageContext(), oblasts, request.body ?? {}, errors, request.params.slug),
      });
    },
  );

  app.post<{ Params: { slug: string } }>('/admin/cities/:slug/delete', admin, async (request, reply) => {
    await db.transaction((tx) => deleteCity(tx, actorOf(request), request.params.slug));
    return reply.redirect('/admin/cities?saved=1', 303);
  });
}

export const citiesModule = fp(routes, { name: 'cities' });
