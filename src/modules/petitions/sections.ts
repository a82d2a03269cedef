// What petitions add to pages composed from several modules (platform/sections.ts): the home
// page's open petitions and their closing dates, and the petitions part of a city's profile.
import type { FastifyInstance } from 'fastify';
import {
  canModerate,
  cityPetitionStats,
  getRules,
  listOwnPetitions,
  listPetitions,
  moderationQueue,
  type Petition,
} from './service.ts';
import { html } from '../../platform/html/html.ts';
import { formatDateTime } from '../../platform/i18n/locales.ts';
import { sectionBlock } from '../../platform/sections.ts';
import { editableCityIds } from '../catalog/policy.ts';
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
  // A moderator's queue; anyone's own petitions and the petitions they signed.
  app.sections.add('dashboard', {
    id: 'petitions',
    order: 20,
    async render(request, user) {
      const { t, locale } = request;
      const cities = editableCityIds(user);
      const [queue, own, signed] = await Promise.all([
        cities !== null && cities.length === 0 ? [] : moderationQueue(db, cities),
        listOwnPetitions(db, user.id),
        db.query<{ id: number; title: string; state: string; signed_at: Date }>(
          `SELECT p.id, p.title, p.state, s.created_at AS signed_at FROM petition_signatures s JOIN petitions p ON p.id = s.petition_id
           WHERE s.user_id = $1 AND s.valid ORDER BY s.created_at DESC LIMIT 20`,
          [user.id],
        ),
      ]);
      const item = (p: Pick<Petition, 'id' | 'title' | 'state'>, extra = html``) =>
        html`<li><a href="/petitions/${p.id}">${p.title}</a> <span class="badge state-${p.state}">${t(`petitions.state.${p.state}`)}</span>${extra}</li>`;
      return sectionBlock(
        'dash-petitions',
        t('nav.petitions'),
        html`${
          queue.length
            ? html`<h3>${t('dashboard.to_moderate', { count: queue.length })}</h3><ul>${queue.map((p) =>
                item(
                  p,
                  p.moderation_due
                    ? html` <span class="hint">${t('dashboard.due', { date: p.moderation_due })}</span>`
                    : html``,
                ),
              )}</ul><p><a href="/petitions/moderation">${t('dashboard.moderation_queue')}</a></p>`
            : ''
        }
<h3>${t('dashboard.my_petitions')}</h3>${own.length ? html`<ul>${own.map((p) => item(p))}</ul>` : html`<p class="hint">${t('dashboard.nothing')}</p>`}
<p><a href="/petitions/new">${t('petitions.new')}</a></p>
<h3>${t('dashboard.signed')}</h3>${
          signed.length
            ? html`<ul>${signed.map((p) => item(p as Pick<Petition, 'id' | 'title' | 'state'>, html` <span class="hint">${formatDateTime(locale, p.signed_at)}</span>`))}</ul>`
            : html`<p class="hint">${t('dashboard.nothing')}</p>`
        }`,
      );
    },
  });
}
