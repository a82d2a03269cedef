// What the transparency ranking adds to composed pages (platform/sections.ts): the home page's
// latest published ranking, and a city's results over the years on its profile.
import type { FastifyInstance } from 'fastify';
import { html } from '../../platform/html/html.ts';
import { localName } from '../cities/service.ts';
import { sectionBlock } from '../../platform/sections.ts';
import { cityHistory, loadBoard, methodologyOf } from './board.ts';
import { listCampaigns } from './campaigns.ts';
import { campaignTitle, cityRankingSection, homeRankingSection } from './views.ts';

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
  // An assessor's cities with their progress, a coordinator's queue, in the campaigns under way.
  app.sections.add('dashboard', {
    id: 'ranking',
    order: 40,
    async render(request, user) {
      const { t } = request;
      const ctx = request.pageContext();
      const campaigns = (await listCampaigns(db)).filter((c) => c.phase !== 'published');
      const rows = await db.query<{
        campaign_id: number;
        slug: string;
        name_uk: string;
        name_en: string;
        name_bg: string;
        role: 'assess' | 'verify';
        scored: number;
        awaiting: number;
        returned: number;
      }>(
        `SELECT w.campaign_id, c.slug, c.name_uk, c.name_en, c.name_bg, w.role,
           count(s.indicator_id)::int AS scored,
           count(*) FILTER (WHERE s.verification = 'pending')::int AS awaiting,
           count(*) FILTER (WHERE s.verification = 'returned')::int AS returned
         FROM (SELECT campaign_id, city_id, 'assess' AS role FROM ranking_assignments WHERE assessor_id = $1
               UNION SELECT k.campaign_id, cc.city_id, 'verify' FROM ranking_coordinators k
                 JOIN ranking_campaign_cities cc ON cc.campaign_id = k.campaign_id
                 JOIN cities x ON x.id = cc.city_id AND x.oblast_slug = k.oblast_slug WHERE k.coordinator_id = $1) w
         JOIN cities c ON c.id = w.city_id
         LEFT JOIN ranking_scores s ON s.campaign_id = w.campaign_id AND s.city_id = w.city_id
         GROUP BY w.campaign_id, c.slug, c.name_uk, c.name_en, c.name_bg, w.role ORDER BY w.role, c.name_uk`,
        [user.id],
      );
      const mine = campaigns.filter((c) => rows.some((r) => r.campaign_id === c.id));
      if (!mine.length) return null;
      const parts = await Promise.all(
        mine.map(async (campaign) => {
          const total = (await methodologyOf(db, campaign.methodology_id)).areas.reduce(
            (n, a) => n + a.indicators.length,
            0,
          );
          const base = `/ranking/campaigns/${campaign.id}`;
          return html`<h3><a href="${base}/work">${campaignTitle(ctx, campaign)}</a> <span class="badge">${t(`ranking.phases.${campaign.phase}`)}</span></h3>
<ul>${rows
            .filter((r) => r.campaign_id === campaign.id)
            .map(
              (
                r,
              ) => html`<li><a href="${base}/cities/${r.slug}/assess">${localName(r, ctx.locale)}</a> · ${t(`dashboard.ranking_role.${r.role}`)}
  <div class="progress-line"><progress max="${total}" value="${r.scored}" aria-label="${t('dashboard.scored', { count: r.scored, total })}"></progress>
  <span>${t('dashboard.scored', { count: r.scored, total })}${r.role === 'verify' && r.awaiting ? html` · ${t('dashboard.awaiting', { count: r.awaiting })}` : ''}${r.returned ? html` · ${t('dashboard.returned', { count: r.returned })}` : ''}</span></div></li>`,
            )}</ul>`;
        }),
      );
      return sectionBlock('dash-ranking', t('nav.ranking'), html`${parts}`);
    },
  });
}
