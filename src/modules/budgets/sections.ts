// What participatory budgets add to composed pages (platform/sections.ts): the home page's cycles
// open to residents now and their phase deadlines, and the budgets part of a city's profile.
import type { FastifyInstance } from 'fastify';
import { html } from '../../platform/html/html.ts';
import { sectionBlock } from '../../platform/sections.ts';
import { editableCityIds } from '../catalog/policy.ts';
import { PHASES, phaseAt } from './rules.ts';
import { listCycles, projectsDeliveredBy } from './service.ts';
import { cityBudgetsSection, cycleTitle, homeBudgetsSection, phaseBadge } from './views.ts';

/** The phases in which residents act: proposing projects, voting. */
const OPEN_PHASES = new Set(['proposals', 'voting']);

export function registerBudgetSections(app: FastifyInstance): void {
  const { db } = app;
  const openCycles = async () => {
    const now = app.clock.now();
    return (await listCycles(db)).filter((c) => OPEN_PHASES.has(phaseAt(c.starts, now)));
  };
  app.sections.add('home', {
    id: 'budgets',
    order: 30,
    async render(request) {
      const cycles = await openCycles();
      return cycles.length ? homeBudgetsSection(request.pageContext(), cycles, app.clock.now()) : null;
    },
  });
  app.sections.add('city', {
    id: 'budgets',
    order: 30,
    async render(request, city) {
      return cityBudgetsSection(request.pageContext(), await listCycles(db, city.id), app.clock.now());
    },
  });
  // A procurement procedure's page names the participatory-budget project it delivers.
  app.sections.add('procedure', {
    id: 'budget-projects',
    order: 10,
    async render(request, procedure) {
      const projects = await projectsDeliveredBy(db, procedure.ocid);
      if (!projects.length) return null;
      const ctx = request.pageContext();
      return sectionBlock(
        'budget-projects',
        request.t('budgets.delivers_projects'),
        html`<ul>${projects.map(
          (p) =>
            html`<li><a href="/budgets/${p.cycle_id}/projects/${p.id}">${p.title}</a> — ${cycleTitle(ctx, p)}</li>`,
        )}</ul>`,
      );
    },
  });
  app.sections.addDeadlines(async (request, until) => {
    const now = app.clock.now();
    return (await openCycles()).flatMap((c) => {
      const phase = phaseAt(c.starts, now);
      const ends = c.starts[PHASES[PHASES.indexOf(phase) + 1]!];
      return ends <= until
        ? [
            {
              at: ends,
              title: cycleTitle(request.pageContext(), c),
              url: `/budgets/${c.id}`,
              what: request.t(phase === 'voting' ? 'home.deadline_voting' : 'home.deadline_proposals'),
            },
          ]
        : [];
    });
  });
  // The cycles an editor runs, with their phase; the ballots a resident cast or left unconfirmed.
  app.sections.add('dashboard', {
    id: 'budgets',
    order: 30,
    async render(request, user) {
      const { t } = request;
      const ctx = request.pageContext();
      const now = app.clock.now();
      const cities = editableCityIds(user);
      const [cycles, ballots] = await Promise.all([
        listCycles(db),
        db.query<{ cycle_id: number; confirmed_at: Date | null }>(
          'SELECT cycle_id, confirmed_at FROM budget_ballots WHERE user_id = $1',
          [user.id],
        ),
      ]);
      const run = cycles.filter((c) => cities === null || cities.includes(c.city_id));
      const voted = cycles.flatMap((c) => {
        const ballot = ballots.find((b) => b.cycle_id === c.id);
        return ballot ? [{ cycle: c, confirmed: ballot.confirmed_at !== null }] : [];
      });
      const voting = cycles.filter(
        (c) => phaseAt(c.starts, now) === 'voting' && !voted.some((v) => v.cycle.id === c.id),
      );
      if (!run.length && !voted.length && !voting.length) return null;
      return sectionBlock(
        'dash-budgets',
        t('nav.budgets'),
        html`${
          run.length && (cities === null || cities.length)
            ? html`<h3>${t('dashboard.cycles_you_run')}</h3><ul>${run.map(
                (c) =>
                  html`<li><a href="/budgets/${c.id}">${cycleTitle(ctx, c)}</a> ${phaseBadge(ctx, phaseAt(c.starts, now))}</li>`,
              )}</ul>`
            : ''
        }${
          voting.length
            ? html`<h3>${t('dashboard.vote_now')}</h3><ul>${voting.map(
                (c) => html`<li><a href="/budgets/${c.id}/ballot">${cycleTitle(ctx, c)}</a></li>`,
              )}</ul>`
            : ''
        }${
          voted.length
            ? html`<h3>${t('dashboard.ballots')}</h3><ul>${voted.map(
                (v) =>
                  html`<li><a href="/budgets/${v.cycle.id}/ballot">${cycleTitle(ctx, v.cycle)}</a> <span class="badge">${t(v.confirmed ? 'dashboard.ballot_cast' : 'dashboard.ballot_draft')}</span></li>`,
              )}</ul>`
            : ''
        }`,
      );
    },
  });
}
