// What the Data Academy adds to composed pages (platform/sections.ts): a learner's courses and
// progress on the dashboard, and courses found by the site-wide search. (Composed pages have no
// place on an event's page yet; a course lists its events on its own page.)
import type { FastifyInstance } from 'fastify';
import { html } from '../../platform/html/html.ts';
import { hubCard, sectionBlock } from '../../platform/sections.ts';
import { coursesOfEvent, local, myCourses, organisedCourses, progressOf } from './service.ts';

export function registerAcademySections(app: FastifyInstance): void {
  // A training's or meetup's page names the courses it belongs to.
  app.sections.add('event', {
    id: 'academy-courses',
    order: 10,
    async render(request, event) {
      const courses = await coursesOfEvent(app.db, event.id);
      if (!courses.length) return null;
      return sectionBlock(
        'academy-courses',
        request.t('academy.event_courses'),
        html`<ul>${courses.map((c) => html`<li><a href="/academy/${c.slug}">${local(c, 'title', request.locale)}</a></li>`)}</ul>`,
      );
    },
  });
  app.sections.add('community', {
    id: 'academy',
    order: 50,
    async render(request) {
      const n = (await app.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM academy_courses`, []))!.n;
      return hubCard({
        id: 'academy',
        title: request.t('academy.hub.title'),
        href: '/academy',
        figure: request.t('academy.hub.figure', { count: n }),
        text: request.t('academy.hub.text'),
      });
    },
  });
  const { db } = app;
  app.sections.add('dashboard', {
    id: 'academy',
    order: 36,
    async render(request, user) {
      const memberOf = user.memberships.flatMap((m) => (m.organizationId === null ? [] : [m.organizationId]));
      const [courses, organised] = await Promise.all([myCourses(db, user.id), organisedCourses(db, user.id, memberOf)]);
      if (!courses.length && !organised.length) return null;
      const { t, locale } = request;
      const rows = await Promise.all(
        courses.map(async (c) => ({ course: c, progress: await progressOf(db, c.course_id, user.id) })),
      );
      return sectionBlock(
        'dash-academy',
        t('academy.dashboard_title'),
        html`${
          organised.length
            ? html`<h3>${t('academy.dashboard_organised')}</h3><ul>${organised.map(
                (c) =>
                  html`<li><a href="/academy/${c.slug}">${local(c, 'title', locale)}</a> · <a href="/academy/${c.slug}/learners">${t('academy.learners_link', { count: c.learners })}</a></li>`,
              )}</ul>`
            : ''
        }${courses.length ? html`<h3>${t('academy.dashboard_learning')}</h3>` : ''}<ul>${rows.map(
          ({ course, progress }) =>
            html`<li><a href="/academy/${course.slug}">${local(course, 'title', locale)}</a> <span class="hint">${t('academy.progress', { done: progress.done, total: progress.total })}</span>${
              course.certificate_code
                ? html` <a class="badge success" href="/academy/certificates/${course.certificate_code}">${t('academy.certificate_link')}</a>`
                : ''
            }</li>`,
        )}</ul><p><a href="/academy">${t('academy.all_courses')}</a></p>`,
      );
    },
  });
  app.sections.add('search', {
    id: 'academy',
    order: 70,
    async render(request, { q }) {
      const words = q.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8);
      if (!words.length) return null;
      const found = await db.query<{ slug: string; title_uk: string; title_en: string; title_bg: string }>(
        `SELECT slug, title_uk, title_en, title_bg FROM academy_courses
         WHERE ${words.map((_, i) => `lower(title_uk || ' ' || title_en || ' ' || title_bg || ' ' || description_uk || ' ' || description_en || ' ' || description_bg) LIKE $${i + 1}`).join(' AND ')}
         ORDER BY id DESC LIMIT 5`,
        words.map((w) => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`),
      );
      if (!found.length) return null;
      return html`<section class="search-section" aria-labelledby="search-academy">
<h2 id="search-academy">${request.t('academy.title')}</h2>
<ul>${found.map((c) => html`<li><a href="/academy/${c.slug}">${local(c, 'title', request.locale)}</a></li>`)}</ul>
</section>`;
    },
  });
}
