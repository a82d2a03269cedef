// Pages of the showcase: the list with its filters and the demand by city, an entry's page (images,
// links, datasets, where it runs and who wants it, the city editors' and the reviewer's forms), the
// submission and edit form with the images, the review queue, and the parts for a dataset's page
// and a city's profile. Also the entry's schema.org JSON-LD.
import { html, paragraphs, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, pagination, type PageContext } from '../../platform/html/layout.ts';
import { selectField, textAreaField, textField, type FieldValues } from '../../platform/html/fields.ts';
import { formatDate, type Locale } from '../../platform/i18n/locales.ts';
import { localName } from '../cities/service.ts';
import { localTitle } from '../catalog/service.ts';
import {
  ENTRY_KINDS,
  MAX_IMAGES,
  SHOWCASE_LICENCES,
  STAGES,
  type CityRef,
  type Entry,
  type EntryStatus,
} from './service.ts';

export interface CityChoice extends CityRef {}

function kindBadge(ctx: PageContext, e: Pick<Entry, 'kind'>): SafeHtml {
  return html`<span class="badge info">${ctx.t(`showcase.kinds.${e.kind}`)}</span>`;
}
function stageBadge(ctx: PageContext, e: Pick<Entry, 'stage'>): SafeHtml {
  return html`<span class="badge${e.stage === 'in_service' ? ' success' : ''}">${ctx.t(`showcase.stages.${e.stage}`)}</span>`;
}
function statusBadge(ctx: PageContext, status: EntryStatus): SafeHtml {
  const tone = status === 'published' ? 'success' : status === 'rejected' ? 'danger' : 'warning';
  return html`<span class="badge ${tone}">${ctx.t(`showcase.statuses.${status}`)}</span>`;
}

/** Cities where the entry runs now (adoptions without an end, or ending today or later). */
export function runningIn(e: Pick<Entry, 'adoptions'>, today: string): CityRef[] {
  const seen = new Map<number, CityRef>();
  for (const a of e.adoptions) if (a.ended_on === null || a.ended_on >= today) seen.set(a.id, a);
  return [...seen.values()];
}

function cityLinks(ctx: PageContext, cities: CityRef[]): SafeHtml {
  return html`${cities.map((c, i) => html`${i ? ', ' : ''}<a href="/cities/${c.slug}">${localName(c, ctx.locale)}</a>`)}`;
}

function entryCard(ctx: PageContext, e: Entry, today: string): SafeHtml {
  const { t } = ctx;
  const running = runningIn(e, today);
  return html`<li>
  <h2><a href="/showcase/${e.name}">${e.title}</a></h2>
  <p>${kindBadge(ctx, e)} ${stageBadge(ctx, e)}${e.status !== 'published' ? html` ${statusBadge(ctx, e.status)}` : ''}</p>
  ${e.description ? html`<p>${e.description.length > 240 ? `${e.description.slice(0, 240)}…` : e.description}</p>` : ''}
  <p class="hint">${running.length ? html`${t('showcase.runs_in')}: ${cityLinks(ctx, running)}` : t('showcase.runs_nowhere')}${
    e.demand.length ? html` · ${t('showcase.wanted_count', { count: e.demand.length })}` : ''
  } · ${t('showcase.datasets_count', { count: e.datasets.length })}</p>
</li>`;
}

export interface ListQuery {
  kind?: string;
  stage?: string;
  city?: string;
  wanted_by?: string;
  dataset?: string;
  limit: number;
  offset: number;
}

export function listPage(
  ctx: PageContext,
  result: { items: Entry[]; total: number },
  query: ListQuery,
  choices: { cities: CityChoice[]; datasets: { name: string; title_uk: string; title_en: string; title_bg: string }[] },
  demand: (CityRef & { wanted: number; adopted: number })[],
  state: { canSubmit: boolean; canReview: boolean; pending: number; today: string },
): SafeHtml {
  const { t } = ctx;
  const select = (
    name: string,
    label: string,
    all: string,
    options: { value: string; label: string }[],
    current: string | undefined,
  ) =>
    html`<label>${label}<select name="${name}"><option value="">${all}</option>${options.map(
      (o) => html`<option value="${o.value}"${o.value === current ? html` selected` : ''}>${o.label}</option>`,
    )}</select></label>`;
  const cityOptions = choices.cities.map((c) => ({ value: c.slug, label: localName(c, ctx.locale) }));
  const wantedCity = choices.cities.find((c) => c.slug === query.wanted_by);
  return html`
<h1>${t('showcase.title')}</h1>
<p class="lead">${t('showcase.intro')}</p>
<p class="actions">${state.canSubmit ? html`<a class="button" href="/showcase/new">${t('showcase.submit')}</a>` : ctx.user ? '' : html`<a href="/login?next=%2Fshowcase%2Fnew">${t('showcase.login_to_submit')}</a>`}
  ${state.canReview ? html`<a href="/showcase/review">${t('showcase.review_queue', { count: state.pending })}</a>` : ''}
  <a href="/showcase/wanted">${t('showcase.wanted_title')}</a></p>
<form method="get" action="/showcase" class="filters" role="search">
  ${select(
    'kind',
    t('showcase.kind'),
    t('showcase.all_kinds'),
    ENTRY_KINDS.map((k) => ({ value: k, label: t(`showcase.kinds.${k}`) })),
    query.kind,
  )}
  ${select(
    'stage',
    t('showcase.stage'),
    t('showcase.all_stages'),
    STAGES.map((s) => ({ value: s, label: t(`showcase.stages.${s}`) })),
    query.stage,
  )}
  ${select('city', t('showcase.runs_in'), t('showcase.all_cities'), cityOptions, query.city)}
  ${select(
    'dataset',
    t('showcase.dataset'),
    t('showcase.all_datasets'),
    choices.datasets.map((d) => ({ value: d.name, label: localTitle(d, ctx.locale) })),
    query.dataset,
  )}
  ${query.wanted_by ? html`<input type="hidden" name="wanted_by" value="${query.wanted_by}">` : ''}
  <button type="submit">${t('showcase.apply')}</button>
</form>
${wantedCity ? html`<p class="notice info">${t('showcase.wanted_by_city', { city: localName(wantedCity, ctx.locale) })} <a href="/showcase">${t('showcase.clear_filter')}</a></p>` : ''}
<p role="status">${t('showcase.found', { count: result.total })}</p>
${
  result.items.length
    ? html`<ul class="results">${result.items.map((e) => entryCard(ctx, e, state.today))}</ul>`
    : html`<div class="empty-state"><p>${t('showcase.none')}</p></div>`
}
${pagination(ctx, '/showcase', { kind: query.kind, stage: query.stage, city: query.city, wanted_by: query.wanted_by, dataset: query.dataset }, { total: result.total, limit: query.limit, offset: query.offset })}
${demand.length ? html`<section aria-labelledby="demand-title"><h2 id="demand-title">${t('showcase.demand_title')}</h2>${demandTable(ctx, demand.slice(0, 10))}${demand.length > 10 ? html`<p><a href="/showcase/wanted">${t('showcase.demand_all')}</a></p>` : ''}</section>` : ''}`;
}

function demandTable(ctx: PageContext, demand: (CityRef & { wanted: number; adopted: number })[]): SafeHtml {
  const { t } = ctx;
  return html`<div class="table-wrap"><table>
<caption class="visually-hidden">${t('showcase.demand_title')}</caption>
<thead><tr><th scope="col">${t('showcase.city')}</th><th scope="col">${t('showcase.wanted_col')}</th><th scope="col">${t('showcase.adopted_col')}</th></tr></thead>
<tbody>${demand.map(
    (c) =>
      html`<tr><th scope="row"><a href="/showcase?wanted_by=${c.slug}">${localName(c, ctx.locale)}</a></th><td>${c.wanted}</td><td>${c.adopted}</td></tr>`,
  )}</tbody></table></div>`;
}

/** The "wanted by" page: demand across the network, city by city, with the entries each wants. */
export function wantedPage(
  ctx: PageContext,
  demand: (CityRef & { wanted: number; adopted: number })[],
  wanted: { city_slug: string; name: string; title: string; stage: string; adopted_cities: number }[],
): SafeHtml {
  const { t } = ctx;
  return html`<p><a href="/showcase">← ${t('showcase.title')}</a></p>
<h1>${t('showcase.wanted_title')}</h1>
<p class="lead">${t('showcase.wanted_intro')}</p>
${
  demand.length
    ? html`${demandTable(ctx, demand)}${demand.map(
        (
          c,
        ) => html`<section aria-labelledby="wanted-${c.slug}"><h2 id="wanted-${c.slug}">${localName(c, ctx.locale)}</h2>
<ul>${wanted
          .filter((w) => w.city_slug === c.slug)
          .map(
            (w) =>
              html`<li><a href="/showcase/${w.name}">${w.title}</a> <span class="hint">${t(`showcase.stages.${w.stage}`)} · ${t('showcase.adopted_in_count', { count: w.adopted_cities })}</span></li>`,
          )}</ul></section>`,
      )}`
    : html`<div class="empty-state"><p>${t('showcase.no_demand')}</p></div>`
}`;
}

export interface EntryPageState {
  today: string;
  canEdit: boolean;
  canReview: boolean;
  /** Cities whose adoption and demand this reader may mark. */
  markable: CityChoice[];
  notice?: string;
  errors?: Record<string, string>;
  values?: FieldValues;
}

function licenceLine(id: string | null): SafeHtml | string {
  if (!id) return '—';
  const licence = SHOWCASE_LICENCES.find((l) => l.id === id);
  return licence?.url ? html`<a href="${licence.url}">${licence.title}</a>` : (licence?.title ?? id);
}

function period(ctx: PageContext, from: string, to: string | null): string {
  return to
    ? ctx.t('showcase.period', { from: formatDate(ctx.locale, from), to: formatDate(ctx.locale, to) })
    : ctx.t('showcase.period_open', { from: formatDate(ctx.locale, from) });
}

function cityForms(ctx: PageContext, e: Entry, state: EntryPageState): SafeHtml | string {
  const { t } = ctx;
  if (!state.markable.length || e.status !== 'published') return '';
  const values = state.values ?? {};
  const errors = state.errors;
  const cityChoices = state.markable.map((c) => ({ value: c.slug, label: localName(c, ctx.locale) }));
  const wanted = new Set(e.demand.map((c) => c.id));
  return html`<section aria-labelledby="for-city-title" class="card">
<h2 id="for-city-title">${t('showcase.for_your_city')}</h2>
${
  state.markable.length <= 3
    ? html`<ul class="inline-list">${state.markable.map(
        (c) => html`<li><form method="post" action="/showcase/${e.name}/demand" class="inline-form">${csrfField(ctx)}
  <input type="hidden" name="city" value="${c.slug}"><input type="hidden" name="want" value="${wanted.has(c.id) ? 'no' : 'yes'}">
  <button type="submit" class="button${wanted.has(c.id) ? ' secondary' : ''}">${t(wanted.has(c.id) ? 'showcase.unwant' : 'showcase.want', { city: localName(c, ctx.locale) })}</button></form></li>`,
      )}</ul>`
    : html`<form method="post" action="/showcase/${e.name}/demand" class="stacked" novalidate>${csrfField(ctx)}
  <label for="demand-city">${t('showcase.city')}</label>
  <select id="demand-city" name="city">${cityChoices.map((c) => html`<option value="${c.value}">${c.label}</option>`)}</select>
  <p class="actions"><button type="submit" name="want" value="yes">${t('showcase.want_select')}</button>
  <button type="submit" name="want" value="no" class="button secondary">${t('showcase.unwant_select')}</button></p>
</form>`
}
<h3>${t('showcase.mark_adoption')}</h3>
<form method="post" action="/showcase/${e.name}/adoptions" class="stacked" novalidate>${csrfField(ctx)}
  ${selectField({ name: 'city', label: t('showcase.city'), values: { city: cityChoices[0]?.value, ...values }, errors, choices: cityChoices })}
  ${textField({ name: 'started_on', label: t('showcase.started_on'), values, errors, type: 'date', extra: html` required` })}
  ${textField({ name: 'ended_on', label: t('showcase.ended_on'), values, errors, type: 'date' })}
  ${textField({ name: 'note', label: t('showcase.adoption_note'), values, errors, extra: html` maxlength="500"` })}
  <button type="submit">${t('showcase.add_adoption')}</button>
</form>
</section>`;
}

export function entryPage(ctx: PageContext, e: Entry, state: EntryPageState): SafeHtml {
  const { t } = ctx;
  const markable = new Set(state.markable.map((c) => c.id));
  const running = runningIn(e, state.today);
  return html`
<p><a href="/showcase">← ${t('showcase.title')}</a></p>
${state.notice ? html`<p class="notice success" role="status">${state.notice}</p>` : ''}
${state.errors && Object.keys(state.errors).length ? html`<p class="notice danger" role="alert">${Object.values(state.errors).join(' ')}</p>` : ''}
<h1>${e.title}</h1>
<p>${kindBadge(ctx, e)} ${stageBadge(ctx, e)}${e.status !== 'published' ? html` ${statusBadge(ctx, e.status)}` : ''}</p>
${e.status === 'rejected' && e.review_note && state.canEdit ? html`<p class="notice warning">${t('showcase.rejected_because')}: ${e.review_note}</p>` : ''}
${e.status === 'pending' ? html`<p class="notice info">${t('showcase.pending_notice')}</p>` : ''}
${state.canEdit ? html`<p class="actions"><a href="/showcase/${e.name}/edit">${t('showcase.edit')}</a></p>` : ''}
${
  e.images.length
    ? html`<ul class="gallery">${e.images.map(
        (i) =>
          html`<li><figure><img src="/showcase/${e.name}/images/${i.id}" alt="${i.alt}" loading="lazy"><figcaption>${i.alt}</figcaption></figure></li>`,
      )}</ul>`
    : ''
}
${e.description ? paragraphs(e.description) : ''}
<dl class="facts">
  <dt>${t('showcase.kind')}</dt><dd>${t(`showcase.kinds.${e.kind}`)}</dd>
  <dt>${t('showcase.stage')}</dt><dd>${t(`showcase.stages.${e.stage}`)}</dd>
  <dt>${t('showcase.authors')}</dt><dd>${
    e.authors.length
      ? e.authors.map(
          (a, i) =>
            html`${i ? ', ' : ''}${a.name}${a.organization ? html` (<a href="/organizations/${a.organization.slug}">${localName(a.organization, ctx.locale)}</a>)` : ''}`,
        )
      : '—'
  }</dd>
  <dt>${t('showcase.licence')}</dt><dd>${licenceLine(e.license_id)}</dd>
  ${e.datathon_event_id ? html`<dt>${t('showcase.datathon')}</dt><dd><a href="/events/${e.datathon_event_id}">${e.datathon_title}</a></dd>` : ''}
  <dt>${t('showcase.runs_in')}</dt><dd>${running.length ? cityLinks(ctx, running) : t('showcase.runs_nowhere')}</dd>
</dl>
${
  e.links.length
    ? html`<h2>${t('showcase.links')}</h2><ul>${e.links.map(
        (l) =>
          html`<li>${t(`showcase.link_kinds.${l.kind}`)}: <a href="${l.url}" rel="nofollow noopener">${l.url}</a></li>`,
      )}</ul>`
    : ''
}
<h2>${t('showcase.datasets')}</h2>
${
  e.datasets.length
    ? html`<ul>${e.datasets.map((d) => html`<li><a href="/datasets/${d.name}">${localTitle(d, ctx.locale)}</a></li>`)}</ul>`
    : html`<p>${t('showcase.no_datasets')}</p>`
}
<h2 id="adoption-title">${t('showcase.adoption_title')}</h2>
${
  e.adoptions.length
    ? html`<ol class="phases" aria-labelledby="adoption-title">${e.adoptions.map(
        (a) =>
          html`<li><a href="/cities/${a.slug}">${localName(a, ctx.locale)}</a>: ${period(ctx, a.started_on, a.ended_on)}${a.note ? html` — ${a.note}` : ''}${
            markable.has(a.id)
              ? html` <form method="post" action="/showcase/${e.name}/adoptions/${a.adoption_id}/remove" class="inline-form">${csrfField(ctx)}<button type="submit" class="button secondary">${t('showcase.remove_adoption')}</button></form>`
              : ''
          }</li>`,
      )}</ol>`
    : html`<p>${t('showcase.no_adoptions')}</p>`
}
<h2>${t('showcase.wanted_by')}</h2>
${e.demand.length ? html`<p>${cityLinks(ctx, e.demand)}</p>` : html`<p>${t('showcase.no_wanted')}</p>`}
${cityForms(ctx, e, state)}
${state.canReview ? reviewForm(ctx, e, state) : ''}`;
}

function reviewForm(ctx: PageContext, e: Entry, state: EntryPageState): SafeHtml {
  const { t } = ctx;
  const values = { review_note: e.review_note, ...(state.values ?? {}) };
  return html`<section aria-labelledby="review-title" class="card">
<h2 id="review-title">${t('showcase.review')}</h2>
<p>${t('showcase.status')}: ${statusBadge(ctx, e.status)}</p>
<form method="post" action="/showcase/${e.name}/review" class="stacked" novalidate>${csrfField(ctx)}
  ${textAreaField({ name: 'review_note', label: t('showcase.review_note'), values, errors: state.errors, rows: 3 })}
  <p class="actions"><button type="submit" name="decision" value="published">${t('showcase.publish')}</button>
  <button type="submit" name="decision" value="rejected" class="button secondary">${t('showcase.reject')}</button></p>
</form>
</section>`;
}

export function entryForm(
  ctx: PageContext,
  options: {
    entry: Entry | null;
    values: FieldValues;
    errors?: Record<string, string>;
    datathons: { id: number; title: string }[];
    imageErrors?: Record<string, string>;
    notice?: string;
  },
): SafeHtml {
  const { t } = ctx;
  const { entry, values, errors } = options;
  const action = entry ? `/showcase/${entry.name}/edit` : '/showcase/new';
  return html`<p><a href="${entry ? `/showcase/${entry.name}` : '/showcase'}">← ${entry ? entry.title : t('showcase.title')}</a></p>
${options.notice ? html`<p class="notice success" role="status">${options.notice}</p>` : ''}
<h1>${t(entry ? 'showcase.edit_title' : 'showcase.new_title')}</h1>
${entry ? '' : html`<p class="lead">${t('showcase.review_rule')}</p>`}
${errors && Object.keys(errors).length ? html`<p class="notice danger" role="alert">${t('showcase.form_errors')}</p>` : ''}
<form method="post" action="${action}" class="stacked wide" novalidate>${csrfField(ctx)}
  ${textField({ name: 'title', label: t('showcase.field_title'), values, errors, extra: html` required maxlength="200"` })}
  ${textField({ name: 'name', label: t('showcase.field_name'), values, errors, extra: html` required maxlength="100"${errors?.name ? '' : html` aria-describedby="name-hint"`}` })}
  <p class="hint" id="name-hint">${t('showcase.field_name_hint')}</p>
  ${selectField({ name: 'kind', label: t('showcase.kind'), values, errors, choices: ENTRY_KINDS.map((k) => ({ value: k, label: t(`showcase.kinds.${k}`) })) })}
  ${selectField({ name: 'stage', label: t('showcase.stage'), values, errors, choices: STAGES.map((s) => ({ value: s, label: t(`showcase.stages.${s}`) })) })}
  ${textAreaField({ name: 'description', label: t('showcase.field_description'), values, errors, rows: 8 })}
  ${textAreaField({ name: 'datasets', label: t('showcase.datasets'), values, errors, rows: 3, hint: t('showcase.field_datasets_hint') })}
  ${textAreaField({ name: 'links', label: t('showcase.links'), values, errors, rows: 4, hint: t('showcase.field_links_hint') })}
  ${entry ? '' : html`<span class="checkbox"><input type="checkbox" id="i_am_author" name="i_am_author"${values.i_am_author ? html` checked` : ''}><label for="i_am_author">${t('showcase.i_am_author')}</label></span>`}
  ${textAreaField({ name: 'authors', label: t(entry ? 'showcase.field_authors_named' : 'showcase.field_authors'), values, errors, rows: 3, hint: t('showcase.field_authors_hint') })}
  ${selectField({ name: 'license_id', label: t('showcase.licence'), values, errors, empty: t('showcase.no_licence'), choices: SHOWCASE_LICENCES.map((l) => ({ value: l.id, label: l.title })) })}
  ${selectField({ name: 'datathon', label: t('showcase.datathon'), values, errors, empty: t('showcase.no_datathon'), choices: options.datathons.map((d) => ({ value: String(d.id), label: d.title })) })}
  <button type="submit">${t(entry ? 'showcase.save' : 'showcase.send')}</button>
</form>
${entry ? imagesBlock(ctx, entry, options.imageErrors) : ''}`;
}

function imagesBlock(ctx: PageContext, e: Entry, errors: Record<string, string> | undefined): SafeHtml {
  const { t } = ctx;
  return html`<h2 id="images">${t('showcase.images')}</h2>
${
  e.images.length
    ? html`<ul class="gallery">${e.images.map(
        (
          i,
        ) => html`<li><figure><img src="/showcase/${e.name}/images/${i.id}" alt="${i.alt}" loading="lazy"><figcaption>${i.alt}</figcaption></figure>
<form method="post" action="/showcase/${e.name}/images/${i.id}/remove" class="inline-form">${csrfField(ctx)}<button type="submit" class="button secondary">${t('showcase.remove_image')}</button></form></li>`,
      )}</ul>`
    : html`<p>${t('showcase.no_images')}</p>`
}
${
  e.images.length < MAX_IMAGES
    ? html`<form method="post" action="/showcase/${e.name}/images" enctype="multipart/form-data" class="stacked wide">${csrfField(ctx)}
  ${textField({ name: 'alt', label: t('showcase.image_alt'), values: {}, errors, extra: html` required maxlength="300"` })}
  <label for="image-file">${t('showcase.image_file')}</label><input type="file" id="image-file" name="file" accept="image/png,image/jpeg,image/webp"${errors?.file ? html` aria-describedby="file-error" aria-invalid="true"` : ''}>
  ${errors?.file ? html`<p class="field-error" id="file-error">${errors.file}</p>` : ''}
  <p class="hint">${t('showcase.image_hint', { max: MAX_IMAGES })}</p>
  <button type="submit">${t('showcase.upload')}</button>
</form>`
    : html`<p>${t('showcase.too_many_images', { max: MAX_IMAGES })}</p>`
}`;
}

export function reviewQueuePage(ctx: PageContext, result: { items: Entry[]; total: number }, offset: number): SafeHtml {
  const { t } = ctx;
  return html`<p><a href="/showcase">← ${t('showcase.title')}</a></p>
<h1>${t('showcase.review_title')}</h1>
<p class="lead">${t('showcase.review_rule')}</p>
${
  result.items.length
    ? html`<ul class="results">${result.items.map((e) => entryCard(ctx, e, ''))}</ul>`
    : html`<div class="empty-state"><p>${t('showcase.review_empty')}</p></div>`
}
${pagination(ctx, '/showcase/review', {}, { total: result.total, limit: 20, offset })}`;
}

/** A short list of entries as cards, for the home page. */
export function entryCards(ctx: PageContext, entries: Entry[]): SafeHtml {
  return html`<ul class="cards">${entries.map(
    (e) => html`<li class="card"><h3><a href="/showcase/${e.name}">${e.title}</a></h3>
<p>${kindBadge(ctx, e)} ${stageBadge(ctx, e)}</p>${
      e.adoptions.length
        ? html`<p class="hint">${ctx.t('showcase.adopted_in_count', { count: new Set(e.adoptions.map((a) => a.id)).size })}</p>`
        : ''
    }</li>`,
  )}</ul>`;
}

/** A dataset page's "used in": the published entries built on it. */
export function datasetSection(ctx: PageContext, entries: Entry[], total: number, datasetName: string): SafeHtml {
  const { t } = ctx;
  return html`<p>${t('showcase.dataset_used_count', { count: total })}</p>
<ul>${entries.map((e) => html`<li><a href="/showcase/${e.name}">${e.title}</a> <span class="hint">${t(`showcase.kinds.${e.kind}`)} · ${t(`showcase.stages.${e.stage}`)}</span></li>`)}</ul>
${total > entries.length ? html`<p><a href="/showcase?dataset=${datasetName}">${t('showcase.all_found', { count: total })}</a></p>` : ''}`;
}

/** A city's profile: what runs there and what the city wants. */
export function citySection(ctx: PageContext, city: { slug: string }, adopted: Entry[], wanted: Entry[]): SafeHtml {
  const { t } = ctx;
  const list = (entries: Entry[]) =>
    html`<ul>${entries.map((e) => html`<li><a href="/showcase/${e.name}">${e.title}</a> <span class="hint">${t(`showcase.kinds.${e.kind}`)}</span></li>`)}</ul>`;
  return html`${adopted.length ? html`<h3>${t('showcase.city_adopted')}</h3>${list(adopted)}<p><a href="/showcase?city=${city.slug}">${t('showcase.city_adopted_all')}</a></p>` : ''}
${wanted.length ? html`<h3>${t('showcase.city_wanted')}</h3>${list(wanted)}<p><a href="/showcase?wanted_by=${city.slug}">${t('showcase.city_wanted_all')}</a></p>` : ''}`;
}

/**
 * schema.org JSON-LD: apps, tools and APIs are a SoftwareApplication, stories and visualisations a
 * CreativeWork (https://schema.org/SoftwareApplication, https://schema.org/CreativeWork); the
 * datasets it uses are `isBasedOn` (https://schema.org/isBasedOn).
 */
export function entryJsonLd(e: Entry, publicUrl: string, locale: Locale, today: string): Record<string, unknown> {
  const base = publicUrl.replace(/\/$/, '');
  const software = e.kind === 'application' || e.kind === 'tool' || e.kind === 'api';
  const licence = SHOWCASE_LICENCES.find((l) => l.id === e.license_id);
  const site = e.links.find((l) => l.kind === 'site');
  return {
    '@context': 'https://schema.org',
    '@type': software ? 'SoftwareApplication' : 'CreativeWork',
    '@id': `${base}/showcase/${e.name}`,
    name: e.title,
    description: e.description || undefined,
    url: site?.url ?? `${base}/showcase/${e.name}`,
    inLanguage: locale,
    ...(software ? { applicationCategory: e.kind === 'api' ? 'DeveloperApplication' : 'GovernmentApplication' } : {}),
    ...(licence?.url ? { license: licence.url } : {}),
    author: e.authors.map((a) =>
      a.organization
        ? { '@type': 'Organization', name: localName(a.organization, locale) }
        : { '@type': 'Person', name: a.name },
    ),
    image: e.images.map((i) => ({
      '@type': 'ImageObject',
      contentUrl: `${base}/showcase/${e.name}/images/${i.id}`,
      caption: i.alt,
    })),
    isBasedOn: e.datasets.map((d) => ({ '@type': 'Dataset', '@id': `${base}/datasets/${d.name}`, name: d.title_uk })),
    dateCreated: new Date(e.created_at).toISOString(),
    dateModified: new Date(e.updated_at).toISOString(),
    spatialCoverage: runningIn(e, today).map((c) => ({ '@type': 'City', name: c.name_en })),
  };
}
