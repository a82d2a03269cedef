// The procurement module's front page (/procurement, the menu's "Procurement"): every city whose
// buyers' procedures are on the platform, with its latest year's figures, and the way to the flags'
// methodology. A city's own page (/cities/{slug}/procurement) has the detail.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { html, type SafeHtml } from '../../platform/html/html.ts';
import type { PageContext } from '../../platform/html/layout.ts';
import { formatNumber } from '../../platform/i18n/locales.ts';

interface CityRow {
  slug: string;
  name_uk: string;
  name_en: string;
  name_bg: string;
  year: number;
  procedures: number;
  spend: number;
  flagged_spend: number;
  demo: boolean;
}

/** Each city's latest year with procedures: counts, money, and the money in flagged procedures. */
const CITY_FIGURES_SQL = `
  WITH latest AS (
    SELECT city_id, max(year) AS year FROM procurement_procedures WHERE city_id IS NOT NULL AND year IS NOT NULL GROUP BY city_id
  )
  SELECT c.slug, c.name_uk, c.name_en, c.name_bg, l.year, count(*)::int AS procedures,
    coalesce(sum(p.spend), 0)::float8 AS spend,
    coalesce(sum(p.spend) FILTER (WHERE EXISTS (SELECT 1 FROM procurement_flags f WHERE f.ocid = p.ocid)), 0)::float8 AS flagged_spend,
    bool_or(p.demo) AS demo
  FROM latest l JOIN cities c ON c.id = l.city_id
  JOIN procurement_procedures p ON p.city_id = l.city_id AND p.year = l.year
  GROUP BY c.slug, c.name_uk, c.name_en, c.name_bg, l.year
  ORDER BY spend DESC, c.slug`;

function overviewPage(ctx: PageContext, cities: CityRow[]): SafeHtml {
  const { t } = ctx;
  const money = (value: number) => `${formatNumber(ctx.locale, Math.round(value))} ₴`;
  const share = (part: number, whole: number) =>
    whole > 0 ? `${formatNumber(ctx.locale, Math.round((1000 * part) / whole) / 10)} %` : '—';
  const rows = cities.map((c) => {
    const name = ctx.locale === 'en' ? c.name_en : ctx.locale === 'bg' ? c.name_bg : c.name_uk;
    return html`<tr>
      <th scope="row" data-label="${t('procurement.city')}"><a href="/cities/${c.slug}/procurement?year=${c.year}">${name}</a>${
        c.demo ? html` <span class="badge">${t('procurement.demo')}</span>` : ''
      }</th>
      <td data-label="${t('procurement.year')}">${c.year}</td>
      <td data-label="${t('procurement.procedures')}" class="num">${formatNumber(ctx.locale, c.procedures)}</td>
      <td data-label="${t('procurement.spend')}" class="num">${money(c.spend)}</td>
      <td data-label="${t('procurement.flagged_share')}" class="num">${share(c.flagged_spend, c.spend)}</td>
    </tr>`;
  });
  return html`<h1>${t('procurement.title')}</h1>
<p class="lead">${t('procurement.overview_intro')}</p>
<p><a href="/procurement/flags">${t('procurement.flags')}</a></p>
${
  cities.length
    ? html`<table class="responsive">
  <caption>${t('procurement.overview_caption')}</caption>
  <thead><tr><th scope="col">${t('procurement.city')}</th><th scope="col">${t('procurement.year')}</th><th scope="col" class="num">${t('procurement.procedures')}</th><th scope="col" class="num">${t('procurement.spend')}</th><th scope="col" class="num">${t('procurement.flagged_share')}</th></tr></thead>
  <tbody>${rows}</tbody>
</table>`
    : html`<div class="empty-state"><p>${t('procurement.overview_empty')}</p></div>`
}`;
}

async function routes(app: FastifyInstance) {
  app.get('/procurement', async (request, reply) => {
    const cities = await app.db.query<CityRow>(CITY_FIGURES_SQL);
    return reply.page({
      title: request.t('procurement.title'),
      nav: 'procurement',
      body: overviewPage(request.pageContext(), cities),
    });
  });
}

export const procurementOverviewModule = fp(routes, { name: 'procurement-overview' });
