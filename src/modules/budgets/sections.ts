// What participatory budgets add to composed pages (platform/sections.ts): the home page's cycles
// open to residents now and their phase deadlines, and the budgets part of a city's profile.
import type { FastifyInstance } from 'fastify';
import { PHASES, phaseAt } from './rules.ts';
import { listCycles } from './service.ts';
import { cityBudgetsSection, cycleTitle, homeBudgetsSection } from './views.ts';

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
}
