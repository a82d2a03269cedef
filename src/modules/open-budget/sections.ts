// What city budgets add to composed pages (platform/sections.ts): this year's execution on a
// city's profile, the cities with budgets in the site-wide search, an editor's imports on the dashboard.
import type { FastifyInstance } from 'fastify';
import { html } from '../../platform/html/html.ts';
import { formatNumber } from '../../platform/i18n/locales.ts';
import { sectionBlock } from '../../platform/sections.ts';
import { localName } from '../cities/service.ts';
import { importingCityIds } from './policy.ts';
import { budgetYears, citiesWithBudgets, listImports, yearSummary } from './service.ts';
import { statusBadge } from './views.ts';

export function registerOpenBudgetSections(app: FastifyInstance): void {
  const { db } = app;
  app.sections.add('city', {
    id: 'city-budget',
    order: 35,
    async render(request, city) {
      const { t, locale } = request;
      const years = await budgetYears(db, city.id);
      if (!years.length) return null;
      const year = years[0]!;
      const { incomes, expenses } = await yearSummary(db, city.id, year);
      const share = (s?: { funds: { T?: { executed: number; planYear: number } } }) =>
        s?.funds.T && s.funds.T.planYear > 0
          ? `${formatNumber(locale, Math.round((s.funds.T.executed / s.funds.T.planYear) * 1000) / 10)} %`
          : '—';
      return sectionBlock(
        'city-budget',
        t('openBudget.title'),
        html`<p>${t('openBudget.profile_line', { year: String(year), revenues: share(incomes), spending: share(expenses), month: Math.max(incomes?.month ?? 0, expenses?.month ?? 0) })}</p>
<p><a href="/city-budget/${city.slug}/${year}">${t('openBudget.profile_link')}</a></p>`,
      );
    },
  });
  app.sections.add('search', {
    id: 'city-budget',
    order: 35,
    async render(request, { q }) {
      const words = q.trim().toLowerCase();
      if (words.length < 2) return null;
      const cities = (await citiesWithBudgets(db)).filter((c) =>
        [c.name_uk, c.name_en, c.name_bg, c.slug].some((n) => n.toLowerCase().includes(words)),
      );
      const budgetWords = ['бюджет', 'budget', 'бюджет на града'].some((w) => words.includes(w));
      if (!cities.length && !budgetWords) return null;
      const { t, locale } = request;
      return sectionBlock(
        'search-city-budget',
        t('openBudget.title'),
        cities.length
          ? html`<ul>${cities.map((c) => html`<li><a href="/city-budget/${c.slug}/${c.latest}">${t('openBudget.city_title', { city: localName(c, locale), year: String(c.latest) })}</a></li>`)}</ul>`
          : html`<p><a href="/city-budget">${t('openBudget.title')}</a></p>`,
      );
    },
  });
  app.sections.add('dashboard', {
    id: 'city-budget',
    order: 35,
    async render(request, user) {
      const cities = importingCityIds(user);
      if (cities !== null && cities.length === 0) return null;
      const imports = await listImports(db, { cityIds: cities, limit: 10 });
      if (!imports.length) return null;
      const ctx = request.pageContext();
      return sectionBlock(
        'dash-city-budget',
        request.t('openBudget.imports.title'),
        html`<ul>${imports.map(
          (i) =>
            html`<li><a href="/city-budget/${i.city_slug}/imports/${i.id}">${i.city_name} ${i.year} · ${request.t(`openBudget.kinds.${i.classification ? `${i.item}_${i.classification}` : i.item}`)}</a> ${statusBadge(ctx, i.status)}</li>`,
        )}</ul>`,
      );
    },
  });
}
