// What the transparency ranking adds to composed pages (platform/sections.ts): the home page's
// latest published ranking, and a city's results over the years on its profile.
import type { FastifyInstance } from 'fastify';
import { cityHistory, loadBoard } from './board.ts';
import { listCampaigns } from './campaigns.ts';
import { cityRankingSection, homeRankingSection } from './views.ts';

export function registerRankingSections(app: FastifyInstance): void {
  const { db } = app;
  app.sections.add('home', {
    id: 'ranking',
    order: 40,
    async render(request) {
      const latest = (await listCampaigns(db))
        .filter((c) => c.phase === 'published')
        .sort((a, b) => b.year - a.year || b.id - a.id)[0];
      if (!latest) return null;
      const board = await loadBoard(db, latest, undefined, await app.versions.of('cities'));
      return homeRankingSection(request.pageContext(), board, 5);
    },
  });
  app.sections.add('city', {
    id: 'ranking',
    order: 40,
    async render(request, city) {
      return cityRankingSection(request.pageContext(), city.slug, await cityHistory(db, city.id));
    },
  });
}
