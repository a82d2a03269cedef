// What the data programme adds to composed pages (platform/sections.ts): a city's compliance on
// its profile, an editor's unpublished list items on the dashboard, and on a dataset's page the
// list items it fulfils (with the form to declare them).
import type { FastifyInstance } from 'fastify';
import { html } from '../../platform/html/html.ts';
import { sectionBlock } from '../../platform/sections.ts';
import { getCity, localName } from '../cities/service.ts';
import { editableCityIds } from '../catalog/policy.ts';
import { canDeclareFor } from './policy.ts';
import { cityCompliance, itemName, itemsOfDataset, listMandatoryItems } from './service.ts';
import { citySection, datasetSection, scoreBadge } from './views.ts';
import { listInventory, overdueEntries, planOf } from './inventory.ts';
import { inventorySummary } from './inventory-views.ts';
import { formatDate } from '../../platform/i18n/locales.ts';

export function registerProgrammeSections(app: FastifyInstance): void {
  const { db } = app;
  app.sections.add('city', {
    id: 'data-programme',
    order: 25,
    async render(request, subject) {
      const city = await getCity(db, subject.slug);
      const now = app.clock.now();
      const [compliance, inventory] = await Promise.all([cityCompliance(db, city.id, now), listInventory(db, city.id)]);
      const ctx = request.pageContext();
      return sectionBlock(
        'city-compliance',
        request.t('dataProgramme.city_section'),
        html`${citySection(ctx, city, compliance)}${inventorySummary(ctx, city, planOf(inventory, now))}`,
      );
    },
  });
  // An editor's cities: the list items nothing of theirs fulfils yet.
  app.sections.add('dashboard', {
    id: 'data-programme',
    order: 25,
    async render(request, user) {
      const cities = editableCityIds(user);
      if (cities === null || !cities.length) return null;
      const ctx = request.pageContext();
      const parts = await Promise.all(
        cities.map(async (cityId) => {
          const city = (await db.one<{ slug: string }>('SELECT slug FROM cities WHERE id = $1', [cityId]))!;
          const full = await getCity(db, city.slug);
          const compliance = await cityCompliance(db, cityId, app.clock.now());
          const missing = compliance.items.filter((i) => !i.checks.published);
          return html`<h3><a href="/cities/${full.slug}/compliance">${localName(full, ctx.locale)}</a> ${scoreBadge(ctx, compliance.score)}</h3>
${
  missing.length
    ? html`<p>${ctx.t('dataProgramme.dashboard_missing', { count: missing.length })}</p><ul>${missing
        .slice(0, 5)
        .map((i) => html`<li><code>${i.item.code}</code> ${itemName(i.item, ctx.locale)}</li>`)}</ul>`
    : html`<p>${ctx.t('dataProgramme.dashboard_complete')}</p>`
}`;
        }),
      );
      const overdue = await overdueEntries(db, cities, app.clock.now());
      const overdueList = overdue.length
        ? html`<h3>${ctx.t('dataProgramme.inventory.overdue_count', { count: overdue.length })}</h3><ul>${overdue.map(
            (e) =>
              html`<li><a href="/cities/${e.city_slug}/inventory/${e.id}/edit">${e.name}</a> — ${ctx.t('dataProgramme.inventory.due', { date: formatDate(ctx.locale, e.planned_on!) })}</li>`,
          )}</ul>`
        : '';
      return sectionBlock('dash-data-programme', request.t('dataProgramme.title'), html`${overdueList}${parts}`);
    },
  });
  app.sections.add('dataset', {
    id: 'data-programme',
    order: 10,
    async render(request, dataset) {
      const canDeclare = canDeclareFor(request.user, dataset);
      const [declared, choices] = await Promise.all([
        itemsOfDataset(db, dataset.id),
        canDeclare ? listMandatoryItems(db) : Promise.resolve([]),
      ]);
      const body = datasetSection(request.pageContext(), dataset, declared, choices, canDeclare);
      return body ? sectionBlock('dataset-mandatory-items', request.t('dataProgramme.dataset_section'), body) : null;
    },
  });
}
