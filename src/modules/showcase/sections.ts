// What the showcase adds to composed pages (platform/sections.ts): a dataset's "used in" with the
// number of entries built on it, a city's adopted and wanted entries, and entries found by the
// site-wide search.
import type { FastifyInstance } from 'fastify';
import { html } from '../../platform/html/html.ts';
import { sectionBlock } from '../../platform/sections.ts';
import { listEntries } from './service.ts';
import { citySection, datasetSection } from './views.ts';

export function registerShowcaseSections(app: FastifyInstance): void {
  const { db } = app;
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
