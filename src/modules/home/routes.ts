// The home page and the language switch.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { html } from '../../platform/html/html.ts';
import { formatNumber, isLocale, LOCALES } from '../../platform/i18n/locales.ts';
import { LOCALE_COOKIE } from '../../platform/http/context.ts';
import { localPath } from '../../platform/http/redirects.ts';

async function routes(app: FastifyInstance) {
  app.get('/', async (request, reply) => {
    const { t } = request;
    const counts = (await app.db.one<{
      cities: number;
      organizations: number;
      datasets: number;
      petitions: number;
      cycles: number;
      campaigns: number;
    }>(
      `SELECT (SELECT count(*)::int FROM cities) AS cities, (SELECT count(*)::int FROM organizations) AS organizations,
         (SELECT count(*)::int FROM datasets WHERE state = 'published') AS datasets, (SELECT count(*)::int FROM petitions WHERE state = 'open') AS petitions,
         (SELECT count(*)::int FROM budget_cycles) AS cycles, (SELECT count(*)::int FROM ranking_campaigns WHERE phase = 'published') AS campaigns`,
    ))!;
    const count = (n: number) => formatNumber(request.locale, n);
    const body = html`
<h1>${t('home.title')}</h1>
<p class="lead">${t('home.lead')}</p>
<ul class="cards">
  <li class="card"><h2><a href="/datasets">${t('nav.datasets')}</a></h2><span class="stat">${count(counts.datasets)}</span><p>${t('home.datasets_text')}</p></li>
  <li class="card"><h2><a href="/ranking">${t('nav.ranking')}</a></h2><span class="stat">${count(counts.campaigns)}</span><p>${t('home.ranking_text')}</p></li>
  <li class="card"><h2><a href="/petitions">${t('nav.petitions')}</a></h2><span class="stat">${count(counts.petitions)}</span><p>${t('home.petitions_text')}</p></li>
  <li class="card"><h2><a href="/budgets">${t('nav.budgets')}</a></h2><span class="stat">${count(counts.cycles)}</span><p>${t('home.budgets_text')}</p></li>
  <li class="card"><h2><a href="/cities">${t('nav.cities')}</a></h2><span class="stat">${count(counts.cities)}</span><p>${t('home.cities_text')}</p></li>
  <li class="card"><h2><a href="/cities/map">${t('nav.map')}</a></h2><p>${t('home.map_text')}</p></li>
  <li class="card"><h2><a href="/api/docs">${t('nav.api')}</a></h2><p>${t('home.api_text')}</p></li>
  <li class="card"><h2>${t('home.organizations')}</h2><span class="stat">${count(counts.organizations)}</span><p>${t('home.organizations_text')}</p></li>
</ul>`;
    return reply.page({ title: t('home.title'), nav: 'home', body, description: t('home.lead') });
  });

  // Remembers the chosen language in a cookie for a year, then returns to the page it came from.
  app.get<{ Params: { code: string }; Querystring: { next?: string } }>(
    '/lang/:code',
    {
      schema: {
        params: { type: 'object', properties: { code: { type: 'string', enum: [...LOCALES] } } },
        querystring: { type: 'object', properties: { next: { type: 'string', maxLength: 2000 } } },
      },
    },
    async (request, reply) => {
      const code = request.params.code;
      if (!isLocale(code)) return reply.callNotFound();
      // A signed-in person also gets their e-mails in the language they chose.
      if (request.user && request.user.locale !== code)
        await app.db.query('UPDATE users SET locale = $1 WHERE id = $2', [code, request.user.id]);
      reply.setCookie(LOCALE_COOKIE, code, {
        path: '/',
        maxAge: 365 * 24 * 3600,
        sameSite: 'lax',
        httpOnly: true,
        secure: app.config.publicUrl.startsWith('https://'),
      });
      return reply.redirect(localPath(request.query.next, '/'), 303);
    },
  );
}

export const homeRoutes = fp(routes, { name: 'home' });
