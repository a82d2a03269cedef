// What datathons add to composed pages (platform/sections.ts): a catalog dataset's page names the
// challenges that use it ("challenge: …"), and a person's dashboard shows their invitations,
// their teams and the juries they sit on; the site-wide search finds challenges.
import type { FastifyInstance } from 'fastify';
import { likePattern } from '../../platform/db/index.ts';
import { html } from '../../platform/html/html.ts';
import { hubCard, sectionBlock } from '../../platform/sections.ts';
import { challengesUsingDataset, invitationsFor } from './service.ts';

export function registerDatathonSections(app: FastifyInstance): void {
  app.sections.add('community', {
    id: 'datathons',
    order: 20,
    async render(request) {
      const n = (await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM datathons d JOIN community_events e ON e.id = d.event_id WHERE e.cancelled_at IS NULL`,
        [],
      ))!.n;
      return hubCard({
        id: 'datathons',
        title: request.t('datathons.hub.title'),
        href: '/datathons',
        figure: request.t('datathons.hub.figure', { count: n }),
        text: request.t('datathons.hub.text'),
      });
    },
  });
  const { db } = app;
  app.sections.add('dataset', {
    id: 'datathon-challenges',
    order: 60,
    async render(request, dataset) {
      const challenges = await challengesUsingDataset(db, dataset.id);
      if (!challenges.length) return null;
      return sectionBlock(
        'dataset-challenges',
        request.t('datathons.dataset_section'),
        html`<ul>${challenges.map(
          (c) =>
            html`<li>${request.t('datathons.challenge_prefix')}: <a href="/datathons/${c.event_id}#challenge-${c.id}">${c.title}</a> <span class="hint">(${c.event_title})</span></li>`,
        )}</ul>`,
      );
    },
  });
  app.sections.add('search', {
    id: 'datathon-challenges',
    order: 36,
    async render(request, { q }) {
      const found = await db.query<{ id: number; event_id: number; title: string; event_title: string }>(
        `SELECT ch.id, ch.event_id, ch.title, e.title AS event_title FROM datathon_challenges ch
         JOIN community_events e ON e.id = ch.event_id
         WHERE e.cancelled_at IS NULL AND lower(ch.title || ' ' || ch.statement) LIKE $1
         ORDER BY e.starts_at DESC, ch.id LIMIT 5`,
        [`%${likePattern(q.toLowerCase())}%`],
      );
      if (!found.length) return null;
      return html`<section class="search-section" aria-labelledby="search-datathons">
<h2 id="search-datathons">${request.t('datathons.challenges')}</h2>
<ul>${found.map((c) => html`<li><a href="/datathons/${c.event_id}#challenge-${c.id}">${c.title}</a> <span class="hint">(${c.event_title})</span></li>`)}</ul>
</section>`;
    },
  });
  app.sections.addDeadlines(async (request, until) => {
    const now = app.clock.now();
    const rows = await db.query<{ event_id: number; title: string; submission_deadline: Date; voting_closes_at: Date }>(
      `SELECT d.event_id, e.title, d.submission_deadline, d.voting_closes_at FROM datathons d
       JOIN community_events e ON e.id = d.event_id
       WHERE e.cancelled_at IS NULL AND d.voting_closes_at > $1 AND d.submission_deadline <= $2
       ORDER BY d.submission_deadline LIMIT 10`,
      [now, until],
    );
    return rows.flatMap((d) => [
      ...(d.submission_deadline > now
        ? [
            {
              at: d.submission_deadline,
              title: d.title,
              url: `/datathons/${d.event_id}`,
              what: request.t('datathons.deadline'),
            },
          ]
        : []),
      ...(d.voting_closes_at <= until
        ? [
            {
              at: d.voting_closes_at,
              title: d.title,
              url: `/datathons/${d.event_id}/submissions`,
              what: request.t('datathons.voting_closes'),
            },
          ]
        : []),
    ]);
  });
  app.sections.add('dashboard', {
    id: 'datathons',
    order: 36,
    async render(request, user) {
      const { t } = request;
      const now = app.clock.now();
      const [invitations, teams, judging] = await Promise.all([
        invitationsFor(db, user.id),
        db.query<{ event_id: number; id: number; name: string; event_title: string }>(
          `SELECT t.event_id, t.id, t.name, e.title AS event_title FROM datathon_team_members m
           JOIN datathon_teams t ON t.id = m.team_id JOIN community_events e ON e.id = t.event_id
           JOIN datathons d ON d.event_id = t.event_id
           WHERE m.user_id = $1 AND (d.results_published_at IS NULL OR d.results_published_at > $2::timestamptz - interval '30 days')
           ORDER BY e.starts_at DESC LIMIT 10`,
          [user.id, now],
        ),
        db.query<{ event_id: number; title: string }>(
          `SELECT d.event_id, e.title FROM datathon_judges j JOIN datathons d ON d.event_id = j.event_id
           JOIN community_events e ON e.id = d.event_id
           WHERE j.user_id = $1 AND d.results_published_at IS NULL ORDER BY d.submission_deadline LIMIT 10`,
          [user.id],
        ),
      ]);
      if (!invitations.length && !teams.length && !judging.length) return null;
      return sectionBlock(
        'dash-datathons',
        t('datathons.title'),
        html`${
          invitations.length
            ? html`<h3>${t('datathons.invitations')}</h3><ul>${invitations.map(
                (i) => html`<li>${i.team_name} <span class="hint">(${i.event_title})</span>
<form method="post" action="/datathons/${i.event_id}/requests/${i.id}/accept" class="inline"><input type="hidden" name="_csrf" value="${request.pageContext().csrfToken()}"><button type="submit">${t('datathons.accept')}</button></form>
<form method="post" action="/datathons/${i.event_id}/requests/${i.id}/decline" class="inline"><input type="hidden" name="_csrf" value="${request.pageContext().csrfToken()}"><button type="submit" class="secondary">${t('datathons.decline')}</button></form></li>`,
              )}</ul>`
            : ''
        }${
          teams.length
            ? html`<h3>${t('datathons.your_teams')}</h3><ul>${teams.map(
                (team) =>
                  html`<li><a href="/datathons/${team.event_id}/teams/${team.id}">${team.name}</a> <span class="hint">(${team.event_title})</span></li>`,
              )}</ul>`
            : ''
        }${
          judging.length
            ? html`<h3>${t('datathons.your_juries')}</h3><ul>${judging.map(
                (j) => html`<li><a href="/datathons/${j.event_id}/judging">${j.title}</a></li>`,
              )}</ul>`
            : ''
        }`,
      );
    },
  });
}
