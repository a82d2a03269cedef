// What the catalog adds to composed pages (platform/sections.ts): the home page's new and updated
// data. Datasets a platform generates per city under one name (`kyiv-transparency-ranking`,
// `lviv-transparency-ranking`…) are one series there, shown once with the number of cities, so that
// they do not push every other dataset off the list.
import type { FastifyInstance } from 'fastify';
import { html } from '../../platform/html/html.ts';
import { formatDateTime } from '../../platform/i18n/locales.ts';
import { sectionBlock } from '../../platform/sections.ts';
import { editableCityIds, visibilityFor } from './policy.ts';
import { isOverdue, localTitle, searchDatasets, type Dataset } from './service.ts';

/** The name a dataset shares with the other cities' datasets of its series: its name without the city. */
const seriesKey = (d: Pick<Dataset, 'name' | 'city_slug'>) =>
  d.name.startsWith(`${d.city_slug}-`) ? d.name.slice(d.city_slug.length + 1) : d.name;

export function registerCatalogSections(app: FastifyInstance): void {
  app.sections.add('home', {
    id: 'datasets',
    order: 10,
    async render(request) {
      const { t, locale } = request;
      const recent = await searchDatasets(app.db, {
        sort: '-modified',
        limit: 60,
        offset: 0,
        visibility: visibilityFor(null),
      });
      const series = new Map<string, { dataset: Dataset; cities: number }>();
      for (const dataset of recent.items) {
        const entry = series.get(seriesKey(dataset));
        if (entry) entry.cities++;
        else series.set(seriesKey(dataset), { dataset, cities: 1 });
      }
      const shown = [...series.values()].slice(0, 6);
      if (!shown.length) return null;
      return html`<section class="home-section" id="home-datasets" aria-labelledby="home-datasets-title">
<h2 id="home-datasets-title">${t('home.datasets_new')}</h2>
<ul class="cards">${shown.map(
        ({
          dataset: d,
          cities,
        }) => html`<li class="card"><h3><a href="/datasets/${d.name}">${localTitle(d, locale)}</a></h3>
  <p class="hint">${t('catalog.modified')}: ${formatDateTime(locale, d.modified_at)}${
    cities > 1 ? html` · ${t('home.series_cities', { count: cities })}` : ''
  }</p></li>`,
      )}</ul>
<p><a href="/datasets">${t('home.all_datasets', { count: recent.total })}</a></p>
</section>`;
    },
  });
  app.sections.add('search', {
    id: 'datasets',
    order: 10,
    async render(request, { q }) {
      const { t, locale } = request;
      const found = await searchDatasets(app.db, { q, limit: 5, offset: 0, visibility: visibilityFor(request.user) });
      if (!found.total) return null;
      return html`<section class="search-section" aria-labelledby="search-datasets">
<h2 id="search-datasets">${t('nav.datasets')}</h2>
<ul>${found.items.map((d) => html`<li><a href="/datasets/${d.name}">${localTitle(d, locale)}</a></li>`)}</ul>
<p><a href="/datasets?q=${encodeURIComponent(q)}">${t('search.all_found', { count: found.total })}</a></p>
</section>`;
    },
  });
  // An editor's data: datasets overdue for an update, drafts, and loads waiting, running or failed.
  app.sections.add('dashboard', {
    id: 'datasets',
    order: 10,
    async render(request, user) {
      const cities = editableCityIds(user);
      if (cities !== null && cities.length === 0) return null;
      const { t, locale } = request;
      const datasets = await searchDatasets(app.db, {
        sort: '-modified',
        limit: 1000,
        offset: 0,
        visibility: visibilityFor(user),
        filter: cities === null ? undefined : (params) => `d.city_id = ANY($${params.push(cities)}::int[])`,
      });
      const now = app.clock.now();
      const overdue = datasets.items.filter((d) => isOverdue(d, now));
      const drafts = datasets.items.filter((d) => d.state === 'draft');
      const loads = await app.db.query<{
        dataset: string;
        resource: string;
        name: string;
        state: string;
        error: string | null;
      }>(
        `SELECT d.name AS dataset, r.id::text AS resource, coalesce(r.name, r.file_name, '') AS name, j.state, j.error
         FROM jobs j JOIN resources r ON r.id = j.resource_id JOIN datasets d ON d.id = r.dataset_id
         WHERE j.state IN ('queued', 'running', 'failed') AND ($1::int[] IS NULL OR d.city_id = ANY($1::int[]))
           AND j.id = (SELECT max(id) FROM jobs WHERE resource_id = r.id)
         ORDER BY j.id DESC LIMIT 20`,
        [cities],
      );
      const list = (items: Dataset[]) =>
        html`<ul>${items.slice(0, 20).map((d) => html`<li><a href="/datasets/${d.name}">${localTitle(d, locale)}</a></li>`)}</ul>`;
      return sectionBlock(
        'dash-datasets',
        t('dashboard.datasets'),
        html`<p><a class="button" href="/datasets/new">${t('catalog.new_dataset')}</a></p>
<h3>${t('dashboard.overdue', { count: overdue.length })}</h3>${overdue.length ? list(overdue) : html`<p class="hint">${t('dashboard.nothing')}</p>`}
<h3>${t('dashboard.drafts', { count: drafts.length })}</h3>${drafts.length ? list(drafts) : html`<p class="hint">${t('dashboard.nothing')}</p>`}
<h3>${t('dashboard.loads', { count: loads.length })}</h3>${
          loads.length
            ? html`<ul>${loads.map(
                (l) =>
                  html`<li><a href="/datasets/${l.dataset}/resources/${l.resource}">${l.name || l.resource}</a> <span class="badge">${t(`dashboard.load_states.${l.state}`)}</span>${l.error ? html` <span class="hint">${l.error.slice(0, 200)}</span>` : ''}</li>`,
              )}</ul>`
            : html`<p class="hint">${t('dashboard.nothing')}</p>`
        }`,
      );
    },
  });
}
