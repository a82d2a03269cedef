// What data requests add to composed pages (platform/sections.ts): a city's latest requests and
// how the city answers, on a dataset's page the requests it answered, on a person's dashboard the
// requests awaiting their city's answer (editors) and those they follow, and search results.
import { hubCard } from '../../platform/sections.ts';
import type { FastifyInstance } from 'fastify';
import { html } from '../../platform/html/html.ts';
import { editableCityIds } from '../catalog/policy.ts';
import { cityStats, listRequests } from './service.ts';
import { citySection, dashboardSection, datasetSection } from './views.ts';

export function registerDataRequestSections(app: FastifyInstance): void {
  app.sections.add('community', {
    id: 'data-requests',
    order: 40,
    async render(request) {
      const n = (await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM data_requests WHERE hidden_at IS NULL AND state IN ('new', 'accepted')`,
        [],
      ))!.n;
      return hubCard({
        id: 'data-requests',
        title: request.t('data_requests.hub.title'),
        href: '/data-requests',
        figure: request.t('data_requests.hub.figure', { count: n }),
        text: request.t('data_requests.hub.text'),
      });
    },
  });
  const { db } = app;
  app.sections.add('city', {
    id: 'data-requests',
    order: 45,
    async render(request, city) {
      const now = app.clock.now();
      const [latest, stats] = await Promise.all([
        listRequests(db, { cityId: city.id, limit: 3, offset: 0 }, now),
        cityStats(db, { cityId: city.id, limit: 1, offset: 0 }, now),
      ]);
      return citySection(request.pageContext(), city.slug, latest.items, stats.items[0], now);
    },
  });
  app.sections.add('dataset', {
    id: 'data-requests',
    order: 45,
    async render(request, dataset) {
      const found = await listRequests(db, { datasetId: dataset.id, limit: 20, offset: 0 }, app.clock.now());
      return found.items.length ? datasetSection(request.pageContext(), found.items) : null;
    },
  });
  app.sections.add('dashboard', {
    id: 'data-requests',
    order: 45,
    async render(request, user) {
      const now = app.clock.now();
      const cities = editableCityIds(user);
      const [awaiting, followed] = await Promise.all([
        cities === null || cities.length
          ? listRequests(db, { cityIds: cities ?? undefined, state: 'new', ascending: true, limit: 10, offset: 0 }, now)
          : Promise.resolve({ items: [], total: 0 }),
        listRequests(db, { followerId: user.id, limit: 10, offset: 0 }, now),
      ]);
      if (!awaiting.items.length && !followed.items.length) return null;
      return dashboardSection(request.pageContext(), awaiting, followed.items, now);
    },
  });
  app.sections.add('search', {
    id: 'data-requests',
    order: 45,
    async render(request, { q }) {
      const found = await listRequests(db, { q, limit: 5, offset: 0 }, app.clock.now());
      if (!found.total) return null;
      return html`<section class="search-section" aria-labelledby="search-data-requests">
<h2 id="search-data-requests">${request.t('data_requests.title')}</h2>
<ul>${found.items.map((r) => html`<li><a href="/data-requests/${r.id}">${r.title}</a></li>`)}</ul>
<p><a href="/data-requests?q=${encodeURIComponent(q)}">${request.t('data_requests.all_found', { count: found.total })}</a></p>
</section>`;
    },
  });
}
