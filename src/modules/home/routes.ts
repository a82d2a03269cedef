// The home page and the language switch.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { html } from '../../platform/html/html.ts';
import { formatDateTime, formatNumber, isLocale, LOCALES, type Translate } from '../../platform/i18n/locales.ts';
import { LOCALE_COOKIE } from '../../platform/http/context.ts';
import { localPath } from '../../platform/http/redirects.ts';
import { allow, signedIn } from '../../platform/http/guards.ts';
import { localName } from '../cities/service.ts';

/** How far ahead the home page lists deadlines. */
const DEADLINE_HORIZON_DAYS = 45;

function searchForm(t: Translate, q: string) {
  return html`<form method="get" action="/search" role="search" class="site-search">
<label for="site-q">${t('search.label')}</label>
<div class="search-row"><input type="search" id="site-q" name="q" value="${q}" maxlength="200" placeholder="${t('search.placeholder')}">
<button type="submit">${t('search.button')}</button></div>
</form>`;
}

async function routes(app: FastifyInstance) {
  // The front door: search across everything, then what each module has going on now
  // (platform/sections.ts), the coming deadlines, and the ways in.
  app.get('/', async (request, reply) => {
    const { t } = request;
    const now = app.clock.now();
    const [sections, deadlines, counts] = await Promise.all([
      app.sections.render('home', request, undefined),
      app.sections.deadlines(request, new Date(now.getTime() + DEADLINE_HORIZON_DAYS * 86_400_000), 6),
      app.db.one<{ cities: number; organizations: number }>(
        'SELECT (SELECT count(*)::int FROM cities) AS cities, (SELECT count(*)::int FROM organizations) AS organizations',
      ),
    ]);
    const count = (n: number) => formatNumber(request.locale, n);
    const body = html`
<div class="hero">
<h1>${t('home.title')}</h1>
<p class="lead">${t('home.lead')}</p>
${searchForm(request.t, '')}
</div>
${sections}
${
  deadlines.length
    ? html`<section class="home-section" id="home-deadlines" aria-labelledby="home-deadlines-title">
<h2 id="home-deadlines-title">${t('home.deadlines')}</h2>
<ul class="deadlines">${deadlines.map(
        (d) =>
          html`<li><time datetime="${d.at.toISOString()}">${formatDateTime(request.locale, d.at)}</time> <a href="${d.url}">${d.title}</a> <span class="hint">${d.what}</span></li>`,
      )}</ul></section>`
    : ''
}
<section class="home-section" aria-labelledby="home-more-title">
<h2 id="home-more-title">${t('home.more')}</h2>
<ul class="cards">
  <li class="card"><h3><a href="/cities">${t('nav.cities')}</a></h3><span class="stat">${count(counts!.cities)}</span><p>${t('home.cities_text')}</p></li>
  <li class="card"><h3><a href="/cities/map">${t('nav.map')}</a></h3><p>${t('home.map_text')}</p></li>
  <li class="card"><h3><a href="/api/docs">${t('nav.api')}</a></h3><p>${t('home.api_text')}</p></li>
  <li class="card"><h3>${t('home.organizations')}</h3><span class="stat">${count(counts!.organizations)}</span><p>${t('home.organizations_text')}</p></li>
</ul>
</section>`;
    return reply.page({ title: t('home.title'), nav: 'home', body, description: t('home.lead') });
  });

  // A signed-in person's starting point: what each module has for them to do or follow.
  app.get('/dashboard', { preHandler: allow(signedIn) }, async (request, reply) => {
    const { t } = request;
    const user = request.user!;
    const [sections, home] = await Promise.all([
      app.sections.render('dashboard', request, user),
      app.db.one<{ slug: string; name_uk: string; name_en: string; name_bg: string }>(
        'SELECT c.slug, c.name_uk, c.name_en, c.name_bg FROM users u JOIN cities c ON c.id = u.home_city_id WHERE u.id = $1',
        [user.id],
      ),
    ]);
    return reply.page({
      title: t('dashboard.title'),
      nav: 'dashboard',
      body: html`<h1>${t('dashboard.title')}</h1>
<p class="lead">${t('dashboard.lead', { name: user.displayName })}</p>
${
  home
    ? html`<p class="home-city">${t('dashboard.home_city')}: <a href="/cities/${home.slug}">${localName(home, request.locale)}</a> ·
  <a href="/petitions?city=${home.slug}">${t('nav.petitions')}</a> · <a href="/datasets?city=${home.slug}">${t('nav.datasets')}</a></p>`
    : ''
}
${sections}
<p><a href="/account">${t('dashboard.account')}</a></p>`,
    });
  });

  // Search across the modules: each shows what it found (platform/sections.ts).
  app.get<{ Querystring: { q?: string } }>(
    '/search',
    { schema: { querystring: { type: 'object', properties: { q: { type: 'string', maxLength: 200 } } } } },
    async (request, reply) => {
      const { t } = request;
      const q = (request.query.q ?? '').trim();
      const results = q ? await app.sections.render('search', request, { q }) : html``;
      return reply.page({
        title: q ? t('search.title_for', { q }) : t('search.title'),
        body: html`<h1>${t('search.title')}</h1>
${searchForm(t, q)}
${q ? (results.value.trim() ? results : html`<div class="empty-state" role="status"><p>${t('search.none', { q })}</p></div>`) : ''}`,
      });
    },
  );

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
