// Pages of the cities module: the searchable list, the map, a city's profile, the admin forms.
import { html, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, pagination, type PageContext } from '../../platform/html/layout.ts';
import { selectField, textField } from '../../platform/html/fields.ts';
import { formatNumber } from '../../platform/i18n/locales.ts';
import { brandHeading, cityBrandOf, type CityBrand } from './brand-view.ts';
import { localName, type City, type CitySort, type Oblast } from './service.ts';
import { adminTabs } from '../admin/views.ts';

export interface CityListState {
  q: string;
  oblast: string;
  sort: CitySort;
  offset: number;
  limit: number;
}

function oblastName(oblasts: Map<string, Oblast>, slug: string, ctx: PageContext): string {
  const oblast = oblasts.get(slug);
  return oblast ? localName(oblast, ctx.locale) : slug;
}

export function cityListPage(
  ctx: PageContext,
  state: CityListState,
  result: { items: City[]; total: number },
  oblasts: Oblast[],
): SafeHtml {
  const { t } = ctx;
  const byslug = new Map(oblasts.map((o) => [o.slug, o]));
  const sortLabels: Record<CitySort, string> = {
    name: t('cities.sort_name'),
    '-name': t('cities.sort_name_desc'),
    '-population': t('cities.sort_population_desc'),
    population: t('cities.sort_population'),
  };
  return html`
<h1>${t('cities.title')}</h1>
<form method="get" action="/cities" class="filters" role="search">
  <label for="q">${t('cities.search')}<input type="search" id="q" name="q" value="${state.q}" maxlength="200"></label>
  <label for="oblast">${t('cities.oblast')}
    <select id="oblast" name="oblast">
      <option value="">${t('cities.all_oblasts')}</option>
      ${oblasts.map((o) => html`<option value="${o.slug}"${o.slug === state.oblast ? html` selected` : ''}>${localName(o, ctx.locale)}</option>`)}
    </select></label>
  <label for="sort">${t('cities.sort')}
    <select id="sort" name="sort">
      ${(Object.keys(sortLabels) as CitySort[]).map((key) => html`<option value="${key}"${key === state.sort ? html` selected` : ''}>${sortLabels[key]}</option>`)}
    </select></label>
  <button type="submit">${t('cities.apply')}</button>
</form>
<p role="status">${t('cities.found', { count: result.total })}</p>
${
  result.items.length === 0
    ? html`<div class="empty-state"><p>${t('cities.none')}</p></div>`
    : html`
<div class="table-wrap"><table class="responsive">
  <caption class="visually-hidden">${t('cities.title')}</caption>
  <thead><tr><th scope="col">${t('cities.name')}</th><th scope="col">${t('cities.oblast')}</th><th scope="col" class="number">${t('cities.population')}</th></tr></thead>
  <tbody>
  ${result.items.map(
    (city) => html`<tr>
    <td data-label="${t('cities.name')}"><a href="/cities/${city.slug}">${localName(city, ctx.locale)}</a></td>
    <td data-label="${t('cities.oblast')}">${oblastName(byslug, city.oblast_slug, ctx)}</td>
    <td data-label="${t('cities.population')}" class="number">${city.population === null ? '—' : formatNumber(ctx.locale, city.population)}</td>
  </tr>`,
  )}
  </tbody>
</table></div>`
}
${pagination(ctx, '/cities', { q: state.q, oblast: state.oblast, sort: state.sort === 'name' ? undefined : state.sort }, { ...result, limit: state.limit, offset: state.offset })}
<p><a href="/cities/map">${t('cities.show_map')}</a></p>`;
}

export function cityMapPage(ctx: PageContext, cities: City[], oblasts: Oblast[]): SafeHtml {
  const { t } = ctx;
  const byslug = new Map(oblasts.map((o) => [o.slug, o]));
  return html`
<h1>${t('map.title')}</h1>
<p class="lead">${t('map.lead')}</p>
<div id="cities-map" class="map" role="region" aria-label="${t('map.title')}"
  data-src="/api/v1/cities?limit=500" data-lang="${ctx.locale}" data-population-label="${t('cities.population')}"></div>
<p class="hint">${t('map.outline_note')}</p>
<h2>${t('map.list')}</h2>
<ul class="cards">
${cities.map(
  (city) => html`<li class="card"><a href="/cities/${city.slug}">${localName(city, ctx.locale)}</a><br>
  <span class="hint">${oblastName(byslug, city.oblast_slug, ctx)}${city.latitude !== null ? html` · ${city.latitude.toFixed(2)}, ${city.longitude!.toFixed(2)}` : ''}</span></li>`,
)}
</ul>`;
}

export interface OrganizationSummary {
  slug: string;
  kind: string;
  name: string;
}

export interface OpenDataSummary {
  count: number;
  overdue: number;
  quality: number | null;
}

export function cityProfilePage(
  ctx: PageContext,
  city: City,
  oblast: Oblast | undefined,
  organizations: OrganizationSummary[],
  openData: OpenDataSummary,
  participation: SafeHtml = html``,
  options: { brand: CityBrand; mayBrand: boolean } = { brand: cityBrandOf(city), mayBrand: false },
): SafeHtml {
  const { t } = ctx;
  return html`
<p><a href="/cities">← ${t('cities.title')}</a></p>
${brandHeading(ctx, options.brand, localName(city, ctx.locale))}
${options.mayBrand ? html`<p><a class="button secondary" href="/cities/${city.slug}/brand">${t('cities.brand.edit')}</a></p>` : ''}
<dl class="facts">
  <dt>${t('cities.oblast')}</dt><dd>${oblast ? localName(oblast, ctx.locale) : city.oblast_slug}</dd>
  <dt>${t('cities.population')}</dt><dd>${city.population === null ? '—' : formatNumber(ctx.locale, city.population)}</dd>
  ${city.latitude !== null ? html`<dt>${t('cities.coordinates')}</dt><dd>${city.latitude.toFixed(4)}, ${city.longitude!.toFixed(4)}</dd>` : ''}
  ${city.website ? html`<dt>${t('cities.website')}</dt><dd><a href="${city.website}" rel="noopener nofollow">${city.website}</a></dd>` : ''}
  ${city.katottg ? html`<dt>${t('cities.katottg')}</dt><dd>${city.katottg}</dd>` : ''}
  ${city.edrpou ? html`<dt>${t('cities.edrpou')}</dt><dd>${city.edrpou}</dd>` : ''}
  <dt>${t('cities.other_names')}</dt><dd><span lang="uk">${city.name_uk}</span> · <span lang="en">${city.name_en}</span> · <span lang="bg">${city.name_bg}</span></dd>
</dl>
${
  city.latitude !== null
    ? html`<div id="cities-map" class="map small" role="region" aria-label="${t('cities.location_map')}"
  data-src="/api/v1/cities/${city.slug}" data-lang="${ctx.locale}" data-population-label="${t('cities.population')}"></div>`
    : ''
}
<h2>${t('cities.open_data')}</h2>
<ul class="cards">
  <li class="card"><h3>${t('cities.datasets')}</h3><span class="stat">${formatNumber(ctx.locale, openData.count)}</span>
    ${openData.count > 0 ? html`<a href="/datasets?city=${city.slug}">${t('cities.see_datasets')}</a>` : ''}</li>
  <li class="card"><h3>${t('cities.overdue')}</h3><span class="stat">${formatNumber(ctx.locale, openData.overdue)}</span></li>
  <li class="card"><h3>${t('cities.quality')}</h3><span class="stat">${openData.quality === null ? '—' : `${openData.quality} / 100`}</span></li>
</ul>
${participation}
<h2>${t('cities.organizations')}</h2>
${
  organizations.length === 0
    ? html`<div class="empty-state"><p>${t('cities.no_organizations')}</p></div>`
    : html`<ul>
  ${organizations.map((o) => html`<li>${o.name} <span class="badge">${t(`organizations.kind.${o.kind}`)}</span></li>`)}
</ul>`
}
<p><a href="/api/v1/cities/${city.slug}">${t('cities.as_json')}</a></p>`;
}

export function adminCityListPage(
  ctx: PageContext,
  cities: City[],
  page: { total: number; limit: number; offset: number },
  notice?: string,
): SafeHtml {
  const { t } = ctx;
  return html`
<h1>${t('admin.cities')}</h1>
${adminTabs(ctx, 'cities')}
${notice ? html`<p class="notice success" role="status">${notice}</p>` : ''}
<p><a class="button" href="/admin/cities/new">${t('admin.new_city')}</a></p>
<div class="table-wrap"><table class="responsive">
  <thead><tr><th scope="col">${t('cities.name')}</th><th scope="col">${t('admin.slug_column')}</th><th scope="col" class="number">${t('cities.population')}</th><th scope="col">${t('admin.actions')}</th></tr></thead>
  <tbody>${cities.map(
    (
      c,
    ) => html`<tr><th scope="row">${localName(c, ctx.locale)}</th><td data-label="${t('admin.slug_column')}">${c.slug}</td>
    <td class="number" data-label="${t('cities.population')}">${c.population === null ? '—' : formatNumber(ctx.locale, c.population)}</td>
    <td><a href="/admin/cities/${c.slug}/edit">${t('admin.edit')}<span class="visually-hidden"> ${localName(c, ctx.locale)}</span></a></td></tr>`,
  )}</tbody>
</table></div>
${pagination(ctx, '/admin/cities', {}, page)}`;
}

export function cityFormPage(
  ctx: PageContext,
  oblasts: Oblast[],
  values: Record<string, unknown>,
  errors: Record<string, string> | undefined,
  existingSlug: string | null,
): SafeHtml {
  const { t } = ctx;
  const input = (name: string, label: string, type = 'text', extra: SafeHtml = html``) =>
    textField({ name, label, type, extra, values, errors });
  const action = existingSlug ? `/admin/cities/${existingSlug}/edit` : '/admin/cities/new';
  return html`
<p><a href="/admin/cities">← ${t('admin.cities')}</a></p>
<h1>${existingSlug ? t('admin.edit_city') : t('admin.new_city')}</h1>
${errors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
<form method="post" action="${action}" class="stacked" novalidate>
  ${csrfField(ctx)}
  ${input('slug', t('admin.slug'), 'text', html` required pattern="[a-z0-9\\-]+"`)}
  <p class="hint">${t('admin.slug_hint')}</p>
  ${input('name_uk', t('admin.name_uk'), 'text', html` required`)}
  ${input('name_en', t('admin.name_en'), 'text', html` required`)}
  ${input('name_bg', t('admin.name_bg'), 'text', html` required`)}
  ${selectField({
    name: 'oblast_slug',
    label: t('cities.oblast'),
    values,
    errors,
    empty: '—',
    choices: oblasts.map((o) => ({ value: o.slug, label: localName(o, ctx.locale) })),
  })}
  ${input('population', t('cities.population'), 'text', html` inputmode="numeric"`)}
  ${input('latitude', t('admin.latitude'), 'text', html` inputmode="decimal"`)}
  ${input('longitude', t('admin.longitude'), 'text', html` inputmode="decimal"`)}
  ${input('website', t('cities.website'), 'url')}
  ${input('katottg', t('cities.katottg'))}
  ${input('edrpou', t('cities.edrpou'))}
  <button type="submit">${t('admin.save')}</button>
</form>
${
  existingSlug
    ? html`<form method="post" action="/admin/cities/${existingSlug}/delete" class="stacked">
  ${csrfField(ctx)}
  <h2>${t('admin.danger_zone')}</h2>
  <p>${t('admin.delete_city_warning')}</p>
  <button type="submit" class="danger">${t('admin.delete')}</button>
</form>`
    : ''
}`;
}
