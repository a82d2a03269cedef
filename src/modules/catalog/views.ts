// Pages of the catalog: search with facets, a dataset, the metadata form, resources, history.
import { html, paragraphs, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, pagination, type PageContext } from '../../platform/html/layout.ts';
import {
  checkboxGroup,
  selectField,
  textAreaField,
  textField,
  type FieldErrors,
  type FieldValues,
} from '../../platform/html/fields.ts';
import { formatDateTime, formatNumber } from '../../platform/i18n/locales.ts';
import { localName, type City } from '../cities/service.ts';
import { FREQUENCY_CODES, LICENCES, THEMES, licence } from './vocabularies.ts';
import {
  DATASET_STATES,
  isOverdue,
  localDescription,
  localTitle,
  type Dataset,
  type DatasetQuery,
  type QualityCheck,
  type Resource,
  type SearchResult,
} from './service.ts';

export type FacetName = 'city' | 'theme' | 'format' | 'license' | 'keyword';
export type ListState = Pick<DatasetQuery, FacetName | 'q' | 'sort' | 'offset' | 'limit' | 'series'>;

function badges(ctx: PageContext, dataset: Dataset): SafeHtml {
  const { t } = ctx;
  return html`${dataset.state !== 'published' ? html`<span class="badge state">${t(`catalog.states.${dataset.state}`)}</span> ` : ''}${
    isOverdue(dataset) ? html`<span class="badge warning">${t('catalog.overdue')}</span>` : ''
  }`;
}

/** How many values of a facet show before the rest fold into "show more". */
const FACET_VALUES_SHOWN = 8;

export function datasetListPage(
  ctx: PageContext,
  state: ListState,
  result: SearchResult,
  formats: Map<number, string[]>,
  cities: Map<string, City>,
  canCreate: boolean,
  /** What other modules say about each dataset ("used in 3 apps"). */
  notes: Map<number, SafeHtml[]> = new Map(),
): SafeHtml {
  const { t } = ctx;
  const query = (changes: Partial<ListState>) => {
    const next = { ...state, ...changes, offset: changes.offset ?? 0 };
    const params = new URLSearchParams();
    for (const key of ['q', 'city', 'theme', 'format', 'license', 'keyword', 'series', 'sort'] as const) {
      const value = next[key];
      if (value) params.set(key, String(value));
    }
    const qs = params.toString();
    return qs ? `/datasets?${qs}` : '/datasets';
  };
  const label = (facet: FacetName, value: string) =>
    facet === 'city'
      ? cities.get(value)
        ? localName(cities.get(value)!, ctx.locale)
        : value
      : facet === 'theme'
        ? t(`catalog.themes.${value}`)
        : facet === 'license'
          ? (licence(value)?.title ?? value)
          : value;
  // Each facet shows its most frequent values; the rest fold away (no script needed). Facet links
  // are nofollow: crawlers need not walk every combination of filters.
  const facetGroup = (facet: FacetName, title: string) => {
    const values = result.facets[facet];
    if (values.length === 0) return '';
    const item = (f: { value: string; count: number }) => {
      const active = state[facet] === f.value;
      return html`<li><a rel="nofollow" href="${query({ [facet]: active ? undefined : f.value })}"${active ? html` aria-current="true"` : ''}>${label(facet, f.value)}</a> (${formatNumber(ctx.locale, f.count)})</li>`;
    };
    const shown = values.slice(0, FACET_VALUES_SHOWN);
    const folded = values.slice(FACET_VALUES_SHOWN);
    // An active value stays in sight even when it is a rare one.
    const activeFolded = folded.filter((f) => state[facet] === f.value);
    return html`<h2>${title}</h2><ul>${[...shown, ...activeFolded].map(item)}</ul>${
      folded.length > activeFolded.length
        ? html`<details class="more-values"><summary>${t('catalog.more_values', { count: folded.length - activeFolded.length })}<span class="visually-hidden">: ${title}</span></summary>
<ul>${folded.filter((f) => state[facet] !== f.value).map(item)}</ul></details>`
        : ''
    }`;
  };
  const active = (['city', 'theme', 'format', 'license', 'keyword'] as const).filter((f) => state[f]);
  return html`<h1>${t('catalog.title')}</h1>
<p class="lead">${t('catalog.lead')} <a href="/datasets/feed.atom">${t('catalog.feed')}</a></p>
${canCreate ? html`<p><a class="button" href="/datasets/new">${t('catalog.new_dataset')}</a></p>` : ''}
<form method="get" action="/datasets" class="filters" role="search">
  <label for="q">${t('catalog.search')}<input type="search" id="q" name="q" value="${state.q ?? ''}" maxlength="200"></label>
  ${active.map((f) => html`<input type="hidden" name="${f}" value="${state[f] ?? ''}">`)}
  ${state.series ? html`<input type="hidden" name="series" value="${state.series}">` : ''}
  <label for="sort">${t('cities.sort')}
    <select id="sort" name="sort">
      ${(['relevance', '-modified', 'modified', 'name'] as const).map((s) => html`<option value="${s}"${s === (state.sort ?? (state.q ? 'relevance' : '-modified')) ? html` selected` : ''}>${t(`catalog.sorts.${s}`)}</option>`)}
    </select></label>
  <button type="submit">${t('catalog.search_button')}</button>
</form>
${
  active.length || state.series
    ? html`<p class="active-filters">${t('catalog.active_filters')}: ${active.map(
        (f) =>
          html`<a class="badge" href="${query({ [f]: undefined })}">${label(f, state[f]!)} ✕<span class="visually-hidden"> ${t('catalog.remove_filter')}</span></a>`,
      )}${
        state.series
          ? html` <a class="badge" href="${query({ series: undefined })}">${t('catalog.series_filter', { series: state.series })} ✕<span class="visually-hidden"> ${t('catalog.remove_filter')}</span></a>`
          : ''
      }</p>`
    : ''
}
<div class="with-sidebar">
  <details class="facet-panel" open>
  <summary class="button">${t('catalog.filters')}${active.length ? ` (${active.length})` : ''}</summary>
  <nav class="facets" aria-label="${t('catalog.facets')}">
    ${facetGroup('city', t('catalog.facet_city'))}
    ${facetGroup('theme', t('catalog.facet_theme'))}
    ${facetGroup('format', t('catalog.facet_format'))}
    ${facetGroup('license', t('catalog.facet_license'))}
    ${facetGroup('keyword', t('catalog.facet_keyword'))}
  </nav>
  </details>
  <div>
    <p role="status">${t('catalog.found', { count: result.datasets ?? result.total })}${
      result.datasets !== undefined && result.datasets > result.total
        ? html` ${t('catalog.series_folded', { count: result.total })}`
        : ''
    }</p>
    ${
      result.items.length === 0
        ? html`<div class="empty-state"><p>${t('catalog.none')}</p></div>`
        : html`<ul class="results">
      ${result.items.map(
        (d) => html`<li>
        <h2><a href="/datasets/${d.name}">${localTitle(d, ctx.locale)}</a></h2>
        <p class="hint">${cities.get(d.city_slug) ? localName(cities.get(d.city_slug)!, ctx.locale) : d.city_slug} · ${
          // The date the overdue mark is measured from: the data's, not the description's.
          d.data_updated_at || d.published_at
            ? html`${t('catalog.data_updated')}: ${formatDateTime(ctx.locale, (d.data_updated_at ?? d.published_at)!)}`
            : html`${t('catalog.modified')}: ${formatDateTime(ctx.locale, d.modified_at)}`
        }</p>
        <p>${badges(ctx, d)} ${(formats.get(d.id) ?? []).map((f) => html`<span class="badge">${f}</span> `)}</p>
        ${notes.get(d.id)?.length ? html`<p class="dataset-notes">${notes.get(d.id)!.map((note, i) => html`${i ? ' · ' : ''}${note}`)}</p>` : ''}
        ${
          result.series?.has(d.id)
            ? html`<p class="series-note">${t('catalog.series_of', { count: result.series.get(d.id)!.size })} <a href="${query({ series: result.series.get(d.id)!.key })}">${t('catalog.series_all')}</a></p>`
            : ''
        }
        <p>${localDescription(d, ctx.locale).slice(0, 240)}${localDescription(d, ctx.locale).length > 240 ? '…' : ''}</p>
      </li>`,
      )}
    </ul>`
    }
    ${pagination(
      ctx,
      '/datasets',
      {
        q: state.q,
        city: state.city,
        theme: state.theme,
        format: state.format,
        license: state.license,
        keyword: state.keyword,
        series: state.series,
        sort: state.sort,
      },
      { total: result.total, limit: state.limit, offset: state.offset },
    )}
  </div>
</div>`;
}

export function datasetPage(
  ctx: PageContext,
  dataset: Dataset,
  resources: Resource[],
  city: City | undefined,
  quality: { score: number; checks: QualityCheck[] },
  canEdit: boolean,
): SafeHtml {
  const { t } = ctx;
  const lic = licence(dataset.license_id);
  const row = (label: string, value: SafeHtml | string | null | undefined) =>
    value ? html`<dt>${label}</dt><dd>${value}</dd>` : '';
  return html`<p><a href="/datasets">← ${t('catalog.title')}</a></p>
<h1>${localTitle(dataset, ctx.locale)}</h1>
<p>${badges(ctx, dataset)}</p>
${
  canEdit
    ? html`<p class="actions"><a class="button" href="/datasets/${dataset.name}/edit">${t('catalog.edit')}</a>
  <a class="button" href="/datasets/${dataset.name}/resources/upload">${t('datastore.upload')}</a>
  <a class="button" href="/datasets/${dataset.name}/resources/new">${t('catalog.add_resource')}</a>
  <a href="/datasets/${dataset.name}/history">${t('catalog.history')}</a></p>`
    : ''
}
${paragraphs(localDescription(dataset, ctx.locale))}
<h2>${t('catalog.resources')}</h2>
${
  resources.length === 0
    ? html`<div class="empty-state"><p>${t('catalog.no_resources')}</p></div>`
    : html`<ul class="results">
  ${resources.map(
    (
      r,
    ) => html`<li><h3><a href="/datasets/${dataset.name}/resources/${r.id}">${r.name}</a> ${r.format ? html`<span class="badge">${r.format}</span>` : ''}</h3>
    ${r.description ? html`<p>${r.description}</p>` : ''}
    ${r.url ? html`<p><a href="${r.url}" rel="noopener nofollow">${t('catalog.open_resource')}<span class="visually-hidden"> ${r.name}</span></a></p>` : ''}</li>`,
  )}
</ul>`
}
<h2>${t('catalog.metadata')}</h2>
<dl class="facts">
  ${row(t('catalog.publisher'), city ? html`<a href="/cities/${city.slug}">${localName(city, ctx.locale)}</a>` : dataset.city_slug)}
  ${row(t('catalog.licence'), lic ? (lic.url ? html`<a href="${lic.url}" rel="license noopener">${lic.title}</a>` : lic.title) : dataset.license_id)}
  ${row(t('catalog.themes_label'), dataset.themes.map((th) => t(`catalog.themes.${th}`)).join(', '))}
  ${row(t('catalog.keywords'), dataset.keywords.join(', '))}
  ${row(t('catalog.frequency'), t(`catalog.frequencies.${dataset.frequency}`))}
  ${row(t('catalog.temporal'), dataset.temporal_start || dataset.temporal_end ? `${dataset.temporal_start ?? '…'} — ${dataset.temporal_end ?? '…'}` : null)}
  ${row(t('catalog.spatial'), dataset.spatial)}
  ${row(t('catalog.contact'), dataset.contact_email ? html`${dataset.contact_name ?? ''} <a href="mailto:${dataset.contact_email}">${dataset.contact_email}</a>` : dataset.contact_name)}
  ${row(t('catalog.legal_basis'), dataset.legal_basis)}
  ${row(t('catalog.purpose'), dataset.purpose)}
  ${row(t('catalog.created'), formatDateTime(ctx.locale, dataset.created_at))}
  ${row(t('catalog.modified'), formatDateTime(ctx.locale, dataset.modified_at))}
  ${row(t('catalog.data_updated'), dataset.data_updated_at ? formatDateTime(ctx.locale, dataset.data_updated_at) : null)}
</dl>
<h2>${t('catalog.quality')}</h2>
<p><span class="quality">${quality.score}</span> / 100</p>
<ul class="checks">${quality.checks.map((c) => html`<li${c.ok ? html` class="ok"` : ''}>${t(`catalog.checks.${c.key}`)}<span class="visually-hidden">: ${c.ok ? t('catalog.check_ok') : t('catalog.check_missing')}</span></li>`)}</ul>
<p><a href="/api/v1/datasets/${dataset.name}">${t('cities.as_json')}</a> · <a href="/api/3/action/package_show?id=${dataset.name}">CKAN API</a>${
    dataset.state === 'published' ? html` · <a href="/datasets/${dataset.name}/datapackage.json">Data Package</a>` : ''
  }</p>`;
}

export function datasetFormPage(
  ctx: PageContext,
  cities: City[],
  values: FieldValues,
  errors: FieldErrors,
  existing: Dataset | null,
): SafeHtml {
  const { t } = ctx;
  const action = existing ? `/datasets/${existing.name}/edit` : '/datasets/new';
  const text = (name: string, label: string, type = 'text', extra: SafeHtml = html``) =>
    textField({ name, label, type, values, errors, extra });
  return html`<p><a href="${existing ? `/datasets/${existing.name}` : '/datasets'}">← ${existing ? localTitle(existing, ctx.locale) : t('catalog.title')}</a></p>
<h1>${existing ? t('catalog.edit') : t('catalog.new_dataset')}</h1>
${errors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
<form method="post" action="${action}" class="stacked wide" novalidate>
  ${csrfField(ctx)}
  ${text('name', t('catalog.name'), 'text', html` required maxlength="100"`)}
  <p class="hint">${t('catalog.name_hint')}</p>
  ${selectField({ name: 'city', label: t('catalog.publisher'), values, errors, choices: cities.map((c) => ({ value: c.slug, label: localName(c, ctx.locale) })) })}
  ${text('title_uk', t('catalog.title_uk'), 'text', html` required maxlength="300"`)}
  ${text('title_en', t('catalog.title_en'))}
  ${text('title_bg', t('catalog.title_bg'))}
  ${textAreaField({ name: 'description_uk', label: t('catalog.description_uk'), values, errors, rows: 6 })}
  ${textAreaField({ name: 'description_en', label: t('catalog.description_en'), values, errors })}
  ${textAreaField({ name: 'description_bg', label: t('catalog.description_bg'), values, errors })}
  ${selectField({ name: 'license_id', label: t('catalog.licence'), values, errors, choices: LICENCES.map((l) => ({ value: l.id, label: l.title })) })}
  ${checkboxGroup({ name: 'themes', legend: t('catalog.themes_label'), values, errors, choices: THEMES.map((th) => ({ value: th, label: t(`catalog.themes.${th}`) })) })}
  ${text('keywords', t('catalog.keywords'))}
  <p class="hint">${t('catalog.keywords_hint')}</p>
  ${selectField({ name: 'frequency', label: t('catalog.frequency'), values, errors, choices: FREQUENCY_CODES.map((f) => ({ value: f, label: t(`catalog.frequencies.${f}`) })) })}
  ${text('temporal_start', t('catalog.temporal_start'), 'date')}
  ${text('temporal_end', t('catalog.temporal_end'), 'date')}
  ${text('spatial', t('catalog.spatial'))}
  ${text('contact_name', t('catalog.contact_name'))}
  ${text('contact_email', t('catalog.contact_email'), 'email')}
  ${textAreaField({ name: 'legal_basis', label: t('catalog.legal_basis'), values, errors, rows: 2 })}
  ${textAreaField({ name: 'purpose', label: t('catalog.purpose'), values, errors, rows: 2 })}
  <button type="submit">${t('admin.save')}</button>
</form>
${
  existing
    ? html`<form method="post" action="/datasets/${existing.name}/state" class="stacked">
  ${csrfField(ctx)}
  <h2>${t('catalog.state')}</h2>
  ${selectField({
    name: 'state',
    label: t('catalog.state'),
    values: { state: existing.state },
    errors: undefined,
    choices: [...DATASET_STATES, 'deleted'].map((s) => ({ value: s, label: t(`catalog.states.${s}`) })),
  })}
  <p class="hint">${t('catalog.state_hint')}</p>
  <button type="submit">${t('catalog.change_state')}</button>
</form>`
    : ''
}`;
}

export function resourceFormPage(
  ctx: PageContext,
  dataset: Dataset,
  values: FieldValues,
  errors: FieldErrors,
): SafeHtml {
  const { t } = ctx;
  return html`<p><a href="/datasets/${dataset.name}">← ${localTitle(dataset, ctx.locale)}</a></p>
<h1>${t('catalog.add_resource')}</h1>
${errors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
<form method="post" action="/datasets/${dataset.name}/resources/new" class="stacked wide" novalidate>
  ${csrfField(ctx)}
  ${textField({ name: 'name', label: t('catalog.resource_name'), values, errors, extra: html` required maxlength="300"` })}
  ${textField({ name: 'url', label: t('catalog.resource_url'), type: 'url', values, errors, extra: html` required` })}
  ${textField({ name: 'format', label: t('catalog.resource_format'), values, errors })}
  <p class="hint">${t('catalog.format_hint')}</p>
  ${textAreaField({ name: 'description', label: t('catalog.resource_description'), values, errors, rows: 3 })}
  <button type="submit">${t('admin.save')}</button>
</form>`;
}

export function historyPage(
  ctx: PageContext,
  dataset: Dataset,
  revisions: { at: Date; actor_label: string; note: string }[],
): SafeHtml {
  const { t } = ctx;
  return html`<p><a href="/datasets/${dataset.name}">← ${localTitle(dataset, ctx.locale)}</a></p>
<h1>${t('catalog.history')}</h1>
<div class="table-wrap"><table>
  <thead><tr><th scope="col">${t('admin.when')}</th><th scope="col">${t('admin.who')}</th><th scope="col">${t('catalog.change')}</th></tr></thead>
  <tbody>${revisions.map((r) => html`<tr><td>${formatDateTime(ctx.locale, r.at)}</td><td>${r.actor_label}</td><td>${r.note}</td></tr>`)}</tbody>
</table></div>`;
}
