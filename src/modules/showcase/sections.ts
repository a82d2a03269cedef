// What the showcase adds to composed pages (platform/sections.ts): the home page's apps that run
// in most cities, a dataset's "used in" with the number of entries built on it, a city's adopted
// and wanted entries, entries found by the site-wide search, and a person's own entries on the
// dashboard (so that one waiting for review or rejected is found again).
import type { FastifyInstance } from 'fastify';
import { html } from '../../platform/html/html.ts';
import { hubCard, sectionBlock } from '../../platform/sections.ts';
import { listEntries } from './service.ts';
import { citySection, datasetSection, entryCards } from './views.ts';

export function registerShowcaseSections(app: FastifyInstance): void {
  // The catalog's list counts where each dataset is used (published entries only).
  app.sections.addDatasetNotes(async (request, datasetIds) => {
    const rows = await app.db.query<{ dataset_id: number; n: number }>(
      `SELECT d.dataset_id, count(*)::int AS n FROM showcase_entry_datasets d
       JOIN showcase_entries e ON e.id = d.entry_id AND e.status = 'published'
       WHERE d.dataset_id = ANY($1::int[]) GROUP BY d.dataset_id`,
      [datasetIds],
    );
    return new Map(rows.map((r) => [r.dataset_id, html`${request.t('showcase.used_in_count', { count: r.n })}`]));
  });
  app.sections.add('community', {
    id: 'showcase',
    order: 30,
    async render(request) {
      const n = (await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM showcase_entries WHERE status = 'published'`,
        [],
      ))!.n;
      return hubCard({
        id: 'showcase',
        title: request.t('showcase.hub.title'),
        href: '/showcase',
        figure: request.t('showcase.hub.figure', { count: n }),
        text: request.t('showcase.hub.text'),
      });
    },
  });
  const { db } = app;
  app.sections.add('home', {
    id: 'showcase',
    order: 38,
    async render(request) {
      const top = await listEntries(db, { limit: 3, offset: 0 });
      if (!top.total) return null;
      return html`<section class="home-section" id="home-showcase" aria-labelledby="home-showcase-title">
<h2 id="home-showcase-title">${request.t('showcase.home_title')}</h2>
${entryCards(request.pageContext(), top.items)}
<p><a href="/showcase">${request.t('showcase.all_entries', { count: top.total })}</a></p>
</section>`;
    },
  });
  app.sections.add('dashboard', {
    id: 'showcase',
    order: 38,
    async render(request, user) {
      const mine = await db.query<{ name: string; title: string; status: string }>(
        `SELECT e.name, e.title, e.status FROM showcase_entries e
         WHERE e.submitted_by = $1 OR EXISTS (SELECT 1 FROM showcase_entry_authors a WHERE a.entry_id = e.id AND a.user_id = $1)
         ORDER BY e.updated_at DESC LIMIT 20`,
        [user.id],
      );
      if (!mine.length) return null;
      return sectionBlock(
        'dash-showcase',
        request.t('showcase.dashboard_title'),
        html`<ul>${mine.map(
          (e) =>
            html`<li><a href="/showcase/${e.name}">${e.title}</a> <span class="badge">${request.t(`showcase.statuses.${e.status}`)}</span></li>`,
        )}</ul>`,
      );
    },
  });
  app.sections.add('dataset', {
    id: 'showcase',
    order: 40,
    async render(request, dataset) {
      const used = await listEntries(db, { datasetId: dataset.id, limit: 10, offset: 0 });
      if (!used.total) return null;
      return sectionBlock(
        'dataset-showcase',
        request.t('showcase.used_in'),
        datasetSection(request.pageContext(), used.items, used.total, dataset.name),
      );
    },
  });
  app.sections.add('city', {
    id: 'showcase',
    order: 40,
    async render(request, city) {
      const [adopted, wanted] = await Promise.all([
        listEntries(db, { adoptedInCityId: city.id, limit: 5, offset: 0 }),
        listEntries(db, { wantedByCityId: city.id, limit: 5, offset: 0 }),
      ]);
      if (!adopted.total && !wanted.total) return null;
      return sectionBlock(
        'city-showcase',
        request.t('showcase.title'),
        citySection(request.pageContext(), city, adopted.items, wanted.items),
      );
    },
  });
  app.sections.add('search', {
    id: 'showcase',
    order: 40,
    async render(request, { q }) {
      const found = await listEntries(db, { q, limit: 5, offset: 0 });
      if (!found.total) return null;
      return html`<section class="search-section" aria-labelledby="search-showcase">
<h2 id="search-showcase">${request.t('showcase.title')}</h2>
<ul>${found.items.map((e) => html`<li><a href="/showcase/${e.name}">${e.title}</a></li>`)}</ul>
</section>`;
    },
  });
}
