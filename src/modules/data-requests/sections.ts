// What data requests add to composed pages (platform/sections.ts): a city's latest requests and
// how the city answers, and on a dataset's page the requests it answered.
import type { FastifyInstance } from 'fastify';
import { cityStats, listRequests } from './service.ts';
import { citySection, datasetSection } from './views.ts';

export function registerDataRequestSections(app: FastifyInstance): void {
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
}
