// Organisations: the /api/v1 endpoints and the admin forms.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { allow } from '../../platform/http/guards.ts';
import { actorOf, submitForm } from '../../platform/http/forms.ts';
import { apiRateLimit } from '../../platform/http/rate-limits.ts';
import {
  adminListQuery,
  errorResponses,
  localizedText,
  pageOf,
  paginationQuery,
  problemSchema,
  slugParam,
} from '../../platform/http/schemas.ts';
import { listCities } from '../cities/service.ts';
import {
  ORGANIZATION_KINDS,
  createOrganization,
  deleteOrganization,
  getOrganization,
  listOrganizations,
  parseOrganizationInput,
  updateOrganization,
  type Organization,
  type OrganizationKind,
} from './service.ts';
import { adminOrganizationListPage, organizationFormPage } from './views.ts';
import { canManageOrganizations } from './policy.ts';

const organizationJson = {
  type: 'object',
  properties: {
    slug: { type: 'string' },
    kind: { type: 'string', enum: [...ORGANIZATION_KINDS] },
    name: localizedText,
    city: { type: ['string', 'null'], description: 'Slug of the city the organisation is based in.' },
    website: { type: ['string', 'null'] },
    edrpou: { type: ['string', 'null'] },
    parent: {
      type: ['string', 'null'],
      description: 'Slug of the city council a budget institution belongs to (its purchases count as that city’s).',
    },
  },
} as const;

function present(o: Organization) {
  return {
    slug: o.slug,
    kind: o.kind,
    name: { uk: o.name_uk, en: o.name_en, bg: o.name_bg },
    city: o.city_slug,
    website: o.website,
    edrpou: o.edrpou,
    parent: o.parent_slug,
  };
}

async function routes(app: FastifyInstance) {
  const { db } = app;

  app.get<{ Querystring: { kind?: OrganizationKind; city?: string; limit: number; offset: number } }>(
    '/api/v1/organizations',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['organizations'],
        operationId: 'listOrganizations',
        summary: 'List organisations',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: [...ORGANIZATION_KINDS], description: 'Kind of organisation.' },
            city: { ...slugParam, description: 'City slug.' },
            ...paginationQuery,
          },
        },
        response: { 200: pageOf(organizationJson), ...errorResponses },
      },
    },
    async (request) => {
      const { kind, city, limit, offset } = request.query;
      let cityId: number | undefined;
      if (city) {
        const row = await db.one<{ id: number }>('SELECT id FROM cities WHERE slug = $1', [city]);
        if (!row) return { items: [], total: 0, limit, offset };
        cityId = row.id;
      }
      const result = await listOrganizations(db, { kind, cityId, limit, offset });
      return { items: result.items.map(present), total: result.total, limit, offset };
    },
  );

  app.get<{ Params: { slug: string } }>(
    '/api/v1/organizations/:slug',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['organizations'],
        operationId: 'getOrganization',
        summary: 'One organisation',
        params: { type: 'object', properties: { slug: slugParam }, required: ['slug'] },
        response: { 200: organizationJson, 404: problemSchema, ...errorResponses },
      },
    },
    async (request) => present(await getOrganization(db, request.params.slug)),
  );

  const admin = { preHandler: allow(canManageOrganizations) };
  const councils = async () => (await listOrganizations(db, { kind: 'city_council', limit: 1000, offset: 0 })).items;
  const allCities = (request: { locale: 'uk' | 'en' | 'bg' }) =>
    listCities(db, { locale: request.locale, limit: 1000, offset: 0 }).then((r) => r.items);

  app.get<{ Querystring: { offset: number; saved?: string } }>(
    '/admin/organizations',
    { ...admin, schema: { querystring: adminListQuery } },
    async (request, reply) => {
      const { offset } = request.query;
      const result = await listOrganizations(db, { limit: 50, offset });
      return reply.page({
        title: request.t('admin.organizations'),
        nav: 'admin',
        body: adminOrganizationListPage(
          request.pageContext(),
          result.items,
          { total: result.total, limit: 50, offset },
          request.query.saved ? request.t('admin.saved') : undefined,
        ),
      });
    },
  );

  app.get('/admin/organizations/new', admin, async (request, reply) =>
    reply.page({
      title: request.t('admin.new_organization'),
      nav: 'admin',
      body: organizationFormPage(
        request.pageContext(),
        await allCities(request),
        await councils(),
        { kind: 'cso' },
        undefined,
        null,
      ),
    }),
  );

  app.post<{ Body: Record<string, unknown> }>('/admin/organizations/new', admin, async (request, reply) => {
    const [cities, parents] = [await allCities(request), await councils()];
    return submitForm(request, reply, {
      title: request.t('admin.new_organization'),
      action: async () => {
        const input = await parseOrganizationInput(db, request.body);
        await db.transaction((tx) => createOrganization(tx, actorOf(request), input));
        return '/admin/organizations?saved=1';
      },
      form: (errors) => organizationFormPage(request.pageContext(), cities, parents, request.body ?? {}, errors, null),
    });
  });

  app.get<{ Params: { slug: string } }>('/admin/organizations/:slug/edit', admin, async (request, reply) => {
    const organization = await getOrganization(db, request.params.slug);
    return reply.page({
      title: request.t('admin.edit_organization'),
      nav: 'admin',
      body: organizationFormPage(
        request.pageContext(),
        await allCities(request),
        await councils(),
        organization as unknown as Record<string, unknown>,
        undefined,
        organization.slug,
      ),
    });
  });

  app.post<{ Params: { slug: string }; Body: Record<string, unknown> }>(
    '/admin/organizations/:slug/edit',
    admin,
    async (request, reply) => {
      await getOrganization(db, request.params.slug);
      const [cities, parents] = [await allCities(request), await councils()];
      return submitForm(request, reply, {
        title: request.t('admin.edit_organization'),
        action: async () => {
          const input = await parseOrganizationInput(db, request.body);
          await db.transaction((tx) => updateOrganization(tx, actorOf(request), request.params.slug, input));
          return '/admin/organizations?saved=1';
        },
        form: (errors) =>
          organizationFormPage(request.pageContext(), cities, parents, request.body ?? {}, errors, request.params.slug),
      });
    },
  );

  app.post<{ Params: { slug: string } }>('/admin/organizations/:slug/delete', admin, async (request, reply) => {
    await db.transaction((tx) => deleteOrganization(tx, actorOf(request), request.params.slug));
    return reply.redirect('/admin/organizations?saved=1', 303);
  });
}

export const organizationsModule = fp(routes, { name: 'organizations' });
