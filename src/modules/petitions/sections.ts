// What petitions add to pages composed from several modules (platform/sections.ts): the home
// page's open petitions and their closing dates, and the petitions part of a city's profile.
import type { FastifyInstance } from 'fastify';
import { canModerate, cityPetitionStats, getRules, listPetitions } from './service.ts';
import { html } from '../../platform/html/html.ts';
import { cityPetitionsSection, homePetitionsSection } from './views.ts';

export function registerPetitionSections(app: FastifyInstance): void {
  const { db } = app;
  app.sections.add('home', {
    id: 'petitions',
    order: 20,
    async render(request) {
      const open = await listPetitions(db, { state: 'open', limit: 3, offset: 0 });
      if (!open.items.length) return null;
      return homePetitionsSection(request.pageContext(), open.items, open.total, app.clock.now());
    },
  });
  app.sections.add('city', {
    id: 'petitions',
    order: 20,
    async render(request, city) {
      const [stats, rules] = await Promise.all([cityPetitionStats(db, city.id), getRules(db, city.id)]);
      return cityPetitionsSection(
        request.pageContext(),
        city,
        stats,
        rules?.enabled ?? false,
        canModerate(request.user, city.id),
      );
    },
  });
  app.sections.add('search', {
    id: 'petitions',
    order: 20,
    async render(request, { q }) {
      const found = await listPetitions(db, { q, limit: 5, offset: 0 });
      if (!found.total) return null;
      return html`<section class="search-section" aria-labelledby="search-petitions">
<h2 id="search-petitions">${request.t('nav.petitions')}</h2>
<ul>${found.items.map((p) => html`<li><a href="/petitions/${p.id}">${p.title}</a></li>`)}</ul>
<p><a href="/petitions?q=${encodeURIComponent(q)}">${request.t('search.all_found', { count: found.total })}</a></p>
</section>`;
    },
  });
  app.sections.addDeadlines(async (request, until) => {
    const closing = await listPetitions(db, { state: 'open', sort: 'ending', limit: 5, offset: 0 });
    return closing.items
      .filter((p) => p.closes_at && p.closes_at <= until)
      .map((p) => ({
        at: p.closes_at!,
        title: p.title,
        url: `/petitions/${p.id}`,
        what: request.t('home.deadline_petition'),
      }));
  });
}
