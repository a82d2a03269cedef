// The open budget's reference data on the site: a city's codes (its block on the profile and
// the editors' form) and the admins' page of income-tax parameters. Who may: reference-policy.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ForbiddenError } from '../../platform/errors.ts';
import { actorOf, fieldMessages } from '../../platform/http/forms.ts';
import { allow, signedIn } from '../../platform/http/guards.ts';
import { formRateLimit } from '../../platform/http/rate-limits.ts';
import { slugParam } from '../../platform/http/schemas.ts';
import { ValidationError } from '../../platform/errors.ts';
import { getCity, localName, type City } from '../cities/service.ts';
import { cityCodes, parseCityCodesInput, saveCityCodes } from './city-codes.ts';
import { canEditCityCodes, canEditTaxParameters, cityCodesRights } from './reference-policy.ts';
import {
  cityCodesFormPage,
  cityCodesFormValues,
  cityCodesSection,
  dashboardReferenceSection,
  taxParametersPage,
} from './reference-views.ts';
import { listTaxParameters, parseTaxParameterInput, saveTaxParameter } from './tax-shares.ts';

const params = { type: 'object', properties: { slug: slugParam }, required: ['slug'] } as const;
const savedQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { saved: { type: 'string', maxLength: 1 } },
} as const;

async function budgetReference(app: FastifyInstance): Promise<void> {
  const { db } = app;

  async function editableCity(request: FastifyRequest): Promise<City> {
    const city = await getCity(db, (request.params as { slug: string }).slug);
    if (!canEditCityCodes(request.user, city.id))
      throw new ForbiddenError('only the city’s editors may change its codes');
    return city;
  }

  app.sections.add('city', {
    id: 'budget-codes',
    order: 80,
    async render(request, city) {
      return cityCodesSection(
        request.pageContext(),
        city.slug,
        await cityCodes(db, city.id),
        canEditCityCodes(request.user, city.id),
      );
    },
  });

  // On a signed-in person's dashboard: the codes of the cities they edit; for admins, also the
  // income-tax parameters.
  app.sections.add('dashboard', {
    id: 'budget-reference',
    order: 85,
    async render(request, user) {
      const cities = user.isAdmin
        ? []
        : await db.query<{ slug: string; name_uk: string; name_en: string; name_bg: string }>(
            `SELECT DISTINCT c.slug, c.name_uk, c.name_en, c.name_bg FROM cities c
              WHERE c.id = ANY($1::int[]) ORDER BY c.slug`,
            [user.memberships.filter((m) => m.role === 'city_editor' && m.cityId !== null).map((m) => m.cityId)],
          );
      if (!user.isAdmin && !cities.length) return null;
      return dashboardReferenceSection(
        request.pageContext(),
        cities.map((c) => ({ slug: c.slug, name: localName(c, request.locale) })),
        canEditTaxParameters(user),
      );
    },
  });

  app.get<{ Params: { slug: string }; Querystring: { saved?: string } }>(
    '/cities/:slug/codes',
    { preHandler: allow(signedIn), schema: { params, querystring: savedQuery } },
    async (request, reply) => {
      const city = await editableCity(request);
      const codes = await cityCodes(db, city.id);
      const name = localName(city, request.locale);
      return reply.page({
        title: request.t('budgetRef.codes.form_title', { city: name }),
        nav: 'cities',
        body: cityCodesFormPage(
          request.pageContext(),
          { slug: city.slug, name },
          codes,
          cityCodesRights(request.user!),
          cityCodesFormValues(codes),
          undefined,
          request.query.saved ? request.t('admin.saved') : undefined,
        ),
      });
    },
  );

  app.post<{ Params: { slug: string }; Body: Record<string, unknown> }>(
    '/cities/:slug/codes',
    { preHandler: allow(signedIn), schema: { params }, config: formRateLimit(60) },
    async (request, reply) => {
      const city = await editableCity(request);
      const name = localName(city, request.locale);
      try {
        const input = parseCityCodesInput(request.body);
        await db.transaction((tx) =>
          saveCityCodes(tx, actorOf(request), cityCodesRights(request.user!), city.id, input),
        );
        return reply.redirect(`/cities/${city.slug}/codes?saved=1`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const codes = await cityCodes(db, city.id);
        return reply.page(
          {
            title: request.t('budgetRef.codes.form_title', { city: name }),
            nav: 'cities',
            body: cityCodesFormPage(
              request.pageContext(),
              { slug: city.slug, name },
              codes,
              cityCodesRights(request.user!),
              request.body ?? {},
              fieldMessages(request.t, error),
            ),
          },
          error.statusCode,
        );
      }
    },
  );

  const admin = { preHandler: allow(canEditTaxParameters) };
  app.get<{ Querystring: { saved?: string } }>(
    '/admin/budget-tax-parameters',
    { ...admin, schema: { querystring: savedQuery } },
    async (request, reply) =>
      reply.page({
        title: request.t('budgetRef.tax.title'),
        nav: 'admin',
        body: taxParametersPage(
          request.pageContext(),
          await listTaxParameters(db),
          { year: app.clock.now().getUTCFullYear() },
          undefined,
          request.query.saved ? request.t('admin.saved') : undefined,
        ),
      }),
  );

  app.post<{ Body: Record<string, unknown> }>(
    '/admin/budget-tax-parameters',
    { ...admin, config: formRateLimit(60) },
    async (request, reply) => {
      try {
        const row = parseTaxParameterInput(request.body);
        await db.transaction((tx) => saveTaxParameter(tx, actorOf(request), row, app.clock.now()));
        return reply.redirect('/admin/budget-tax-parameters?saved=1', 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return reply.page(
          {
            title: request.t('budgetRef.tax.title'),
            nav: 'admin',
            body: taxParametersPage(
              request.pageContext(),
              await listTaxParameters(db),
              request.body ?? {},
              fieldMessages(request.t, error),
            ),
          },
          error.statusCode,
        );
      }
    },
  );
}

export const budgetReferenceModule = fp(budgetReference, { name: 'budget-reference' });
