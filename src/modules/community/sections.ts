// What community events add to composed pages (platform/sections.ts): the home page's upcoming
// events, a city's upcoming and past events, a person's registrations and the events they
// organise on the dashboard, and events found by the site-wide search.
import type { FastifyInstance } from 'fastify';
import { html } from '../../platform/html/html.ts';
import { hubCard, sectionBlock } from '../../platform/sections.ts';
import { organizingOrganizationIds } from './policy.ts';
import { listEvents, type CommunityEvent } from './service.ts';
import { cityEventsSection, eventCards, homeEventsSection } from './views.ts';
import { formatInZone } from './time.ts';

export function registerCommunitySections(app: FastifyInstance): void {
  app.sections.add('community', {
    id: 'events',
    order: 10,
    async render(request) {
      const n = (await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM community_events WHERE cancelled_at IS NULL AND ends_at >= $1`,
        [app.clock.now()],
      ))!.n;
      return hubCard({
        id: 'events',
        title: request.t('community.hub_events.title'),
        href: '/events',
        figure: request.t('community.hub_events.figure', { count: n }),
        text: request.t('community.hub_events.text'),
      });
    },
  });
  const { db } = app;
  app.sections.add('home', {
    id: 'events',
    order: 35,
    async render(request) {
      const upcoming = await listEvents(db, { when: 'upcoming', limit: 3, offset: 0 }, app.clock.now());
      return upcoming.items.length ? homeEventsSection(request.pageContext(), upcoming.items, upcoming.total) : null;
    },
  });
  app.sections.add('city', {
    id: 'events',
    order: 35,
    async render(request, city) {
      const now = app.clock.now();
      const [upcoming, past] = await Promise.all([
        listEvents(db, { cityId: city.id, when: 'upcoming', limit: 3, offset: 0 }, now),
        listEvents(db, { cityId: city.id, when: 'past', limit: 5, offset: 0 }, now),
      ]);
      return cityEventsSection(request.pageContext(), city, upcoming.items, past.items);
    },
  });
  app.sections.add('search', {
    id: 'events',
    order: 35,
    async render(request, { q }) {
      const found = await listEvents(db, { q, when: 'all', limit: 5, offset: 0 }, app.clock.now());
      if (!found.total) return null;
      return html`<section class="search-section" aria-labelledby="search-events">
<h2 id="search-events">${request.t('community.events_title')}</h2>
<ul>${found.items.map((e) => html`<li><a href="/events/${e.id}">${e.title}</a></li>`)}</ul>
</section>`;
    },
  });
  app.sections.addDeadlines(async (request, until) => {
    const now = app.clock.now();
    const open = await listEvents(db, { when: 'upcoming', limit: 20, offset: 0 }, now);
    return open.items
      .filter(
        (e) => e.registration_opens_at <= now && e.registration_closes_at > now && e.registration_closes_at <= until,
      )
      .map((e) => ({
        at: e.registration_closes_at,
        title: e.title,
        url: `/events/${e.id}`,
        what: request.t('community.deadline_registration'),
      }));
  });
  app.sections.add('dashboard', {
    id: 'events',
    order: 35,
    async render(request, user) {
      const ctx = request.pageContext();
      const { t } = request;
      const now = app.clock.now();
      const mine = await db.query<{ id: number; title: string; status: string; starts_at: Date; time_zone: string }>(
        `SELECT e.id, e.title, r.status, e.starts_at, e.time_zone FROM community_registrations r
         JOIN community_events e ON e.id = r.event_id
         WHERE r.user_id = $1 AND r.status <> 'cancelled' AND e.ends_at > $2 AND e.cancelled_at IS NULL ORDER BY e.starts_at`,
        [user.id, now],
      );
      const orgs = organizingOrganizationIds(user);
      let organised: CommunityEvent[] = [];
      if (orgs === null) organised = (await listEvents(db, { when: 'upcoming', limit: 5, offset: 0 }, now)).items;
      else if (orgs.length) {
        for (const organizationId of orgs)
          organised.push(
            ...(await listEvents(db, { organizationId, when: 'upcoming', limit: 5, offset: 0 }, now)).items,
          );
        organised = [...new Map(organised.map((e) => [e.id, e])).values()].slice(0, 5);
      }
      if (!mine.length && !organised.length) return null;
      return sectionBlock(
        'dash-events',
        t('community.events_title'),
        html`${
          mine.length
            ? html`<h3>${t('community.dashboard_registered')}</h3><ul>${mine.map(
                (r) =>
                  html`<li><a href="/events/${r.id}">${r.title}</a> <span class="hint">${formatInZone(ctx.locale, r.starts_at, r.time_zone)}</span> <span class="badge">${t(`community.statuses.${r.status}`)}</span></li>`,
              )}</ul>`
            : ''
        }${
          organised.length
            ? html`<h3>${t('community.dashboard_organised')}</h3>${eventCards(ctx, organised)}<p><a href="/events/new">${t('community.new_event')}</a></p>`
            : ''
        }`,
      );
    },
  });
}
