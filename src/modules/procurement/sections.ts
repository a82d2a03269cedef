// What procurement adds to composed pages (platform/sections.ts): a city's profile links its
// procurement year, the site-wide search finds procedures, suppliers and buyers, and a person's
// dashboard lists what they watch.
import type { FastifyInstance } from 'fastify';
import { html } from '../../platform/html/html.ts';
import { sectionBlock } from '../../platform/sections.ts';
import { cityYears, listProcedures } from './service.ts';
import { procedureUrl } from './views.ts';

export function registerProcurementSections(app: FastifyInstance): void {
  const { db } = app;
  app.sections.add('city', {
    id: 'procurement',
    order: 40,
    async render(request, city) {
      const years = await cityYears(db, city.id);
      if (!years.length) return null;
      const year = years[0]!;
      const { total } = await listProcedures(db, { cityId: city.id, year }, 1, 0);
      return sectionBlock(
        'city-procurement',
        request.t('procurement.section_title'),
        html`<p><a href="/cities/${city.slug}/procurement?year=${year}">${request.t('procurement.section_link', { year: String(year), count: total })}</a></p>`,
      );
    },
  });

  app.sections.add('search', {
    id: 'procurement',
    order: 45,
    async render(request, { q }) {
      const words = q.trim().toLowerCase();
      if (words.length < 2) return null;
      const [procedures, parties] = await Promise.all([
        db.query<{ ocid: string; title: string; tender_id: string }>(
          `SELECT ocid, title, tender_id FROM procurement_procedures WHERE strpos(search_text, $1) > 0
           ORDER BY spend DESC, ocid LIMIT 5`,
          [words],
        ),
        db.query<{ edrpou: string; name: string; buyer: boolean }>(
          `SELECT p.edrpou, p.name, EXISTS (SELECT 1 FROM procurement_procedures x WHERE x.buyer_edrpou = p.edrpou) AS buyer
           FROM procurement_parties p WHERE strpos(lower(p.name), $1) > 0 OR p.edrpou = $1 ORDER BY p.name LIMIT 5`,
          [words],
        ),
      ]);
      if (!procedures.length && !parties.length) return null;
      return html`<section class="search-section" aria-labelledby="search-procurement">
<h2 id="search-procurement">${request.t('procurement.title')}</h2>
<ul>${procedures.map((p) => html`<li><a href="${procedureUrl(p.ocid)}">${p.title || p.tender_id}</a> <small>${p.tender_id}</small></li>`)}
${parties.map((p) => html`<li><a href="/procurement/${p.buyer ? 'buyers' : 'suppliers'}/${p.edrpou}">${p.name}</a> <small>${request.t('procurement.edrpou')} ${p.edrpou}</small></li>`)}</ul>
</section>`;
    },
  });

  app.sections.add('dashboard', {
    id: 'procurement',
    order: 45,
    async render(request, user) {
      const watches = await db.query<{ subject_type: string; subject_id: string; label: string | null }>(
        `SELECT w.subject_type, w.subject_id,
           coalesce((SELECT title FROM procurement_procedures WHERE ocid = w.subject_id), (SELECT name FROM procurement_parties WHERE edrpou = w.subject_id)) AS label
         FROM procurement_watches w WHERE w.user_id = $1 ORDER BY w.created_at DESC LIMIT 20`,
        [user.id],
      );
      if (!watches.length) return null;
      const url = (w: { subject_type: string; subject_id: string }) =>
        w.subject_type === 'procedure' ? procedureUrl(w.subject_id) : `/procurement/${w.subject_type}s/${w.subject_id}`;
      return sectionBlock(
        'dash-procurement',
        request.t('procurement.watched'),
        html`<ul>${watches.map((w) => html`<li><a href="${url(w)}">${w.label ?? w.subject_id}</a></li>`)}</ul>`,
      );
    },
  });
}
