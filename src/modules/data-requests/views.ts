// Pages of data requests: the public list with its filters, a request's page (the city's answers
// and the comments in one timeline, following, the editors' answer forms, moderation), the form to
// ask or edit, per-city statistics, and the parts shown on a city's and a dataset's page.
import { html, paragraphs, trustedHtml, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, pagination, type PageContext } from '../../platform/html/layout.ts';
import {
  selectField,
  textAreaField,
  textField,
  type FieldErrors,
  type FieldValues,
} from '../../platform/html/fields.ts';
import { formatDate, formatDateTime, formatNumber } from '../../platform/i18n/locales.ts';
import { sectionBlock } from '../../platform/sections.ts';
import { localName } from '../cities/service.ts';
import {
  DECLINE_REASONS,
  DESCRIPTION_MAX,
  isOverdue,
  STATES,
  type CityStats,
  type DataRequest,
  type RequestComment,
} from './service.ts';

export interface CityChoice {
  slug: string;
  name_uk: string;
  name_en: string;
  name_bg: string;
}

const STATE_BADGE: Record<string, string> = {
  new: 'info',
  accepted: 'warning',
  published: 'success',
  declined: 'danger',
};

function cityName(ctx: PageContext, r: Pick<DataRequest, 'city_name_uk' | 'city_name_en' | 'city_name_bg'>): string {
  return localName({ name_uk: r.city_name_uk, name_en: r.city_name_en, name_bg: r.city_name_bg }, ctx.locale);
}

export function stateBadge(ctx: PageContext, r: Pick<DataRequest, 'state' | 'answer_due'>, now: Date): SafeHtml {
  return html`<span class="badge ${STATE_BADGE[r.state] ?? 'info'}">${ctx.t(`data_requests.states.${r.state}`)}</span>${
    isOverdue(r, now) ? html` <span class="badge overdue">${ctx.t('data_requests.overdue')}</span>` : ''
  }`;
}

/** A request in a list; on a city's page (withCity false) under that page's section heading. */
function requestItem(ctx: PageContext, r: DataRequest, now: Date, withCity = true): SafeHtml {
  const title = html`<a href="/data-requests/${r.id}">${r.title}</a>`;
  return html`<li>
  ${withCity ? html`<h2>${title}</h2>` : html`<h3>${title}</h3>`}
  <p>${stateBadge(ctx, r, now)} ${r.hidden_at ? html`<span class="badge danger">${ctx.t('data_requests.hidden')}</span>` : ''}</p>
  <p class="hint">${withCity ? html`${cityName(ctx, r)} · ` : ''}${ctx.t('data_requests.asked_on', { date: formatDateTime(ctx.locale, r.created_at) })} · ${ctx.t('data_requests.comments_count', { count: r.comment_count })} · ${ctx.t('data_requests.followers_count', { count: r.follower_count })}</p>
</li>`;
}

export interface ListQuery {
  city?: string;
  state?: string;
  overdue?: boolean;
  q?: string;
  limit: number;
  offset: number;
}

export function listPage(
  ctx: PageContext,
  result: { items: DataRequest[]; total: number },
  query: ListQuery,
  cities: CityChoice[],
  now: Date,
): SafeHtml {
  const { t } = ctx;
  const city = cities.find((c) => c.slug === query.city);
  return html`
<h1>${city ? t('data_requests.city_title', { city: localName(city, ctx.locale) }) : t('data_requests.title')}</h1>
<p class="lead">${t('data_requests.intro')}</p>
<p class="actions"><a class="button" href="/data-requests/new${city ? `?city=${city.slug}` : ''}">${t('data_requests.new')}</a>
  <a href="/data-requests/stats${city ? `?city=${city.slug}` : ''}">${t('data_requests.stats_title')}</a>
  <a href="/data-requests.csv${city ? `?city=${city.slug}` : ''}">${t('data_requests.csv')}</a></p>
<form method="get" action="/data-requests" class="filters" role="search">
  <label>${t('data_requests.search')}<input type="search" name="q" value="${query.q ?? ''}" maxlength="200"></label>
  <label>${t('data_requests.city')}<select name="city"><option value="">${t('data_requests.all_cities')}</option>${cities.map(
    (c) =>
      html`<option value="${c.slug}"${c.slug === query.city ? html` selected` : ''}>${localName(c, ctx.locale)}</option>`,
  )}</select></label>
  <label>${t('data_requests.state')}<select name="state"><option value="">${t('data_requests.all_states')}</option>${STATES.map(
    (s) =>
      html`<option value="${s}"${s === query.state ? html` selected` : ''}>${t(`data_requests.states.${s}`)}</option>`,
  )}</select></label>
  <label>${t('data_requests.deadline')}<select name="overdue"><option value="">${t('data_requests.any_deadline')}</option><option value="1"${query.overdue ? html` selected` : ''}>${t('data_requests.only_overdue')}</option></select></label>
  <button type="submit">${t('data_requests.apply')}</button>
</form>
<p role="status">${t('data_requests.found', { count: result.total })}</p>
${
  result.items.length
    ? html`<ul class="results">${result.items.map((r) => requestItem(ctx, r, now))}</ul>`
    : html`<div class="empty-state"><p>${t('data_requests.none')}</p></div>`
}
${pagination(ctx, '/data-requests', { city: query.city, state: query.state, overdue: query.overdue ? '1' : undefined, q: query.q }, { total: result.total, limit: query.limit, offset: query.offset })}`;
}

export interface RequestPageState {
  now: Date;
  comments: RequestComment[];
  following: boolean;
  canAnswer: boolean;
  canEdit: boolean;
  canModerate: boolean;
  canComment: boolean;
  /** Which form the errors belong to: an answer, or the comment form. */
  form?: string;
  errors?: FieldErrors;
  values?: FieldValues;
  notice?: string;
  error?: string;
}

function answerSummary(ctx: PageContext, r: DataRequest, now: Date): SafeHtml {
  const { t } = ctx;
  if (r.state === 'accepted' && r.planned_date)
    return html`<p class="notice info">${t('data_requests.summary.accepted', { date: formatDate(ctx.locale, r.planned_date) })}</p>`;
  if (r.state === 'published')
    return html`<p class="notice success">${t('data_requests.summary.published')} ${
      r.dataset_name ? html`<a href="/datasets/${r.dataset_name}">${r.dataset_title ?? r.dataset_name}</a>` : ''
    }</p>`;
  if (r.state === 'declined')
    return html`<p class="notice warning">${t('data_requests.summary.declined', { reason: t(`data_requests.reasons.${r.decline_reason}`) })}${
      r.duplicate_of
        ? html` <a href="/data-requests/${r.duplicate_of}">${t('data_requests.duplicate_link', { id: r.duplicate_of })}</a>`
        : ''
    }</p>`;
  const date = formatDate(ctx.locale, r.answer_due);
  return isOverdue(r, now)
    ? html`<p class="notice warning">${t('data_requests.summary.overdue', { date })}</p>`
    : html`<p class="notice">${t('data_requests.summary.new', { date })}</p>`;
}

function timeline(ctx: PageContext, r: DataRequest, state: RequestPageState): SafeHtml {
  const { t } = ctx;
  if (!state.comments.length) return html`<div class="empty-state"><p>${t('data_requests.no_comments')}</p></div>`;
  return html`<ol class="results">${state.comments.map(
    (c) => html`<li id="comment-${c.id}">
  <p>${c.author_name ?? t('data_requests.someone')} ${c.official ? html`<span class="badge success">${t('data_requests.official')}</span>` : ''}
    ${c.state_to ? html`<span class="badge ${STATE_BADGE[c.state_to] ?? 'info'}">${t(`data_requests.moved_to.${c.state_to}`)}</span>` : ''}
    ${c.hidden_at ? html`<span class="badge danger">${t('data_requests.hidden')}</span>` : ''}
    <span class="hint"><time datetime="${c.created_at.toISOString()}">${formatDateTime(ctx.locale, c.created_at)}</time></span></p>
  ${c.body ? paragraphs(c.body) : ''}
  ${
    state.canModerate
      ? html`<form method="post" action="/data-requests/${r.id}/comments/${c.id}/${c.hidden_at ? 'show' : 'hide'}" class="inline-form">${csrfField(ctx)}<button type="submit" class="link-button">${t(c.hidden_at ? 'data_requests.show_again' : 'data_requests.hide_comment')}</button></form>`
      : ''
  }
</li>`,
  )}</ol>`;
}

function answerForms(ctx: PageContext, r: DataRequest, state: RequestPageState): SafeHtml {
  const { t } = ctx;
  const errorsFor = (form: string) => (state.form === form ? state.errors : undefined);
  const valuesFor = (form: string) => (state.form === form ? (state.values ?? {}) : {});
  const open = r.state === 'new' || r.state === 'accepted';
  const block = (form: string, title: string, fields: SafeHtml, button: string) =>
    html`<details class="card"${state.form === form ? html` open` : ''}><summary>${title}</summary>
<form method="post" action="/data-requests/${r.id}/${form}" class="stacked" novalidate>${csrfField(ctx)}
${state.form === form && state.errors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
${fields}
<button type="submit">${button}</button></form></details>`;
  const comment = (form: string, required: boolean) =>
    textAreaField({
      name: 'comment',
      label: t(required ? 'data_requests.answer_comment_required' : 'data_requests.answer_comment'),
      values: valuesFor(form),
      errors: errorsFor(form),
      rows: 3,
    });
  // Each form's fields get ids of their own: several forms are on one page.
  // (The markup is already escaped; only attribute values made of field names change.)
  const safe = (form: string, field: SafeHtml) =>
    trustedHtml(field.toString().replaceAll(/ (id|for|aria-describedby)="([a-z_]+)(-error)?"/g, ` $1="${form}-$2$3"`));
  if (!open)
    return block(
      'reopen',
      t('data_requests.answer.reopen'),
      safe('reopen', comment('reopen', true)),
      t('data_requests.answer.reopen_button'),
    );
  return html`<h2>${t('data_requests.answer_title')}</h2>
${block(
  'accept',
  t(r.state === 'accepted' ? 'data_requests.answer.replan' : 'data_requests.answer.accept'),
  safe(
    'accept',
    html`${textField({ name: 'planned_date', label: t('data_requests.planned_date'), values: { planned_date: r.planned_date ?? '', ...valuesFor('accept') }, errors: errorsFor('accept'), type: 'date' })}${comment('accept', false)}`,
  ),
  t('data_requests.answer.accept_button'),
)}
${block(
  'publish',
  t('data_requests.answer.publish'),
  safe(
    'publish',
    html`${textField({ name: 'dataset', label: t('data_requests.dataset_name'), values: valuesFor('publish'), errors: errorsFor('publish'), extra: html` maxlength="200"` })}<p class="hint">${t('data_requests.dataset_hint')}</p>${comment('publish', false)}`,
  ),
  t('data_requests.answer.publish_button'),
)}
${block(
  'decline',
  t('data_requests.answer.decline'),
  safe(
    'decline',
    html`${selectField({ name: 'decline_reason', label: t('data_requests.reason'), values: valuesFor('decline'), errors: errorsFor('decline'), empty: '', choices: DECLINE_REASONS.map((reason) => ({ value: reason, label: t(`data_requests.reasons.${reason}`) })) })}${textField({ name: 'duplicate_of', label: t('data_requests.duplicate_of'), values: valuesFor('decline'), errors: errorsFor('decline'), type: 'number', extra: html` min="1"` })}${comment('decline', true)}`,
  ),
  t('data_requests.answer.decline_button'),
)}`;
}

export function requestPage(ctx: PageContext, r: DataRequest, state: RequestPageState): SafeHtml {
  const { t } = ctx;
  const commentErrors = state.form === 'comment' ? state.errors : undefined;
  return html`
<p><a href="/data-requests?city=${r.city_slug}">${t('data_requests.city_title', { city: cityName(ctx, r) })}</a></p>
<h1>${r.title}</h1>
${state.notice ? html`<p class="notice success" role="status">${state.notice}</p>` : ''}
${state.error ? html`<p class="notice error" role="alert">${state.error}</p>` : ''}
<p>${stateBadge(ctx, r, state.now)} ${r.hidden_at ? html`<span class="badge danger">${t('data_requests.hidden')}</span>` : ''}</p>
<p class="hint">${t('data_requests.asked_by', { name: r.requester_name ?? t('data_requests.someone'), date: formatDateTime(ctx.locale, r.created_at) })} · ${cityName(ctx, r)}</p>
${answerSummary(ctx, r, state.now)}
<h2>${t('data_requests.what')}</h2>
${paragraphs(r.description)}
${r.purpose ? html`<h2>${t('data_requests.why')}</h2>${paragraphs(r.purpose)}` : ''}
<p class="actions">
  ${
    ctx.user
      ? html`<form method="post" action="/data-requests/${r.id}/${state.following ? 'unfollow' : 'follow'}" class="inline-form">${csrfField(ctx)}<button type="submit">${t(state.following ? 'data_requests.unfollow' : 'data_requests.follow')}</button></form>`
      : html`<a href="/login?next=${encodeURIComponent(`/data-requests/${r.id}`)}">${t('data_requests.login_to_follow')}</a>`
  }
  <span class="hint">${t('data_requests.followers_count', { count: r.follower_count })}</span>
  ${state.canEdit ? html`<a href="/data-requests/${r.id}/edit">${t('data_requests.edit')}</a>` : ''}
  ${
    state.canModerate
      ? html`<form method="post" action="/data-requests/${r.id}/${r.hidden_at ? 'show' : 'hide'}" class="inline-form">${csrfField(ctx)}<button type="submit" class="link-button">${t(r.hidden_at ? 'data_requests.show_again' : 'data_requests.hide_request')}</button></form>`
      : ''
  }
</p>
${state.canAnswer ? answerForms(ctx, r, state) : ''}
<h2>${t('data_requests.timeline')}</h2>
${timeline(ctx, r, state)}
${
  state.canComment
    ? html`<form method="post" action="/data-requests/${r.id}/comments" class="stacked wide" novalidate>${csrfField(ctx)}
${textAreaField({ name: 'comment', label: t(state.canAnswer ? 'data_requests.comment_official' : 'data_requests.comment'), values: state.form === 'comment' ? (state.values ?? {}) : {}, errors: commentErrors, rows: 4 })}
<button type="submit">${t('data_requests.comment_button')}</button></form>`
    : ctx.user
      ? html`<p class="notice">${t('data_requests.error.confirm_email')}</p>`
      : html`<p class="notice"><a href="/login?next=${encodeURIComponent(`/data-requests/${r.id}`)}">${t('data_requests.login_to_comment')}</a></p>`
}`;
}

export function requestForm(
  ctx: PageContext,
  options: { id: number | null; values: FieldValues; errors?: FieldErrors; cities: CityChoice[] },
): SafeHtml {
  const { t } = ctx;
  const { id, values, errors, cities } = options;
  return html`
<h1>${t(id ? 'data_requests.edit_title' : 'data_requests.new_title')}</h1>
${id ? '' : html`<p class="lead">${t('data_requests.new_intro')}</p>`}
${errors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
<form method="post" action="${id ? `/data-requests/${id}/edit` : '/data-requests/new'}" class="stacked wide" novalidate>${csrfField(ctx)}
${
  id
    ? ''
    : selectField({
        name: 'city',
        label: t('data_requests.which_city'),
        values,
        errors,
        empty: '',
        choices: cities.map((c) => ({ value: c.slug, label: localName(c, ctx.locale) })),
      })
}
${textField({ name: 'title', label: t('data_requests.field_title'), values, errors, extra: html` maxlength="200" required` })}
${textAreaField({ name: 'description', label: t('data_requests.field_description'), values, errors, rows: 6, hint: t('data_requests.description_hint', { max: DESCRIPTION_MAX }) })}
${textAreaField({ name: 'purpose', label: t('data_requests.field_purpose'), values, errors, rows: 3 })}
<button type="submit">${t(id ? 'data_requests.save' : 'data_requests.submit')}</button>
</form>`;
}

export function statsPage(
  ctx: PageContext,
  result: { items: CityStats[]; total: number },
  query: { city?: string; limit: number; offset: number },
  cities: CityChoice[],
  configurable: { citySlug: string; days: number; errors?: FieldErrors; saved?: boolean } | null,
): SafeHtml {
  const { t } = ctx;
  const n = (value: number) => formatNumber(ctx.locale, value);
  const city = cities.find((c) => c.slug === query.city);
  return html`
<p><a href="/data-requests${city ? `?city=${city.slug}` : ''}">${t('data_requests.title')}</a></p>
<h1>${city ? t('data_requests.city_stats_title', { city: localName(city, ctx.locale) }) : t('data_requests.stats_title')}</h1>
<p class="lead">${t('data_requests.stats_intro')}</p>
<form method="get" action="/data-requests/stats" class="filters">
  <label>${t('data_requests.city')}<select name="city"><option value="">${t('data_requests.all_cities')}</option>${cities.map(
    (c) =>
      html`<option value="${c.slug}"${c.slug === query.city ? html` selected` : ''}>${localName(c, ctx.locale)}</option>`,
  )}</select></label>
  <button type="submit">${t('data_requests.apply')}</button>
</form>
${
  result.items.length
    ? html`<div class="table-wrap"><table>
<caption class="visually-hidden">${t('data_requests.stats_title')}</caption>
<thead><tr><th scope="col">${t('data_requests.city')}</th><th scope="col" class="number">${t('data_requests.stats.period')}</th><th scope="col" class="number">${t('data_requests.stats.received')}</th><th scope="col" class="number">${t('data_requests.stats.answered')}</th><th scope="col" class="number">${t('data_requests.stats.on_time')}</th><th scope="col" class="number">${t('data_requests.stats.published')}</th><th scope="col" class="number">${t('data_requests.stats.declined')}</th><th scope="col" class="number">${t('data_requests.stats.overdue')}</th><th scope="col" class="number">${t('data_requests.stats.median')}</th></tr></thead>
<tbody>${result.items.map(
        (
          s,
        ) => html`<tr><th scope="row"><a href="/data-requests?city=${s.city_slug}">${localName({ name_uk: s.city_name_uk, name_en: s.city_name_en, name_bg: s.city_name_bg }, ctx.locale)}</a></th>
<td class="number">${n(s.answer_working_days)}</td>
<td class="number">${n(s.received)}</td><td class="number">${n(s.answered)}</td><td class="number">${n(s.answered_on_time)}</td><td class="number">${n(s.published)}</td>
<td class="number">${n(s.declined)}${
          s.declined
            ? DECLINE_REASONS.filter((reason) => s.declined_by_reason[reason] > 0).map(
                (reason) =>
                  html`<br><span class="hint">${t(`data_requests.reasons.${reason}`)}: ${n(s.declined_by_reason[reason])}</span>`,
              )
            : ''
        }</td>
<td class="number">${n(s.overdue)}</td><td class="number">${s.median_days_to_answer === null ? '—' : n(s.median_days_to_answer)}</td></tr>`,
      )}</tbody></table></div>`
    : html`<div class="empty-state"><p>${t('data_requests.none')}</p></div>`
}
<p class="hint">${t('data_requests.stats_note')}</p>
${pagination(ctx, '/data-requests/stats', { city: query.city }, { total: result.total, limit: query.limit, offset: query.offset })}
${
  configurable
    ? html`<h2>${t('data_requests.period_title')}</h2>
${configurable.saved ? html`<p class="notice success" role="status">${t('data_requests.period_saved')}</p>` : ''}
<form method="post" action="/data-requests/stats/${configurable.citySlug}/period" class="stacked" novalidate>${csrfField(ctx)}
${textField({ name: 'answer_working_days', label: t('data_requests.period_label'), values: { answer_working_days: configurable.days }, errors: configurable.errors, type: 'number', extra: html` min="1" max="60" required` })}
<p class="hint">${t('data_requests.period_hint')}</p>
<button type="submit">${t('data_requests.save')}</button></form>`
    : ''
}`;
}

/** The city page's part: the latest requests and how the city answers. */
export function citySection(
  ctx: PageContext,
  citySlug: string,
  items: DataRequest[],
  stats: CityStats | undefined,
  now: Date,
): SafeHtml {
  const { t } = ctx;
  return html`<section id="city-data-requests" aria-labelledby="city-data-requests-title">
<h2 id="city-data-requests-title">${t('data_requests.title')}</h2>
${
  stats
    ? html`<p>${t('data_requests.city_summary', { received: stats.received, answered: stats.answered, on_time: stats.answered_on_time, published: stats.published })}</p>`
    : ''
}
${items.length ? html`<ul class="results">${items.map((r) => requestItem(ctx, r, now, false))}</ul>` : html`<p>${t('data_requests.none_city')}</p>`}
<p class="actions"><a href="/data-requests?city=${citySlug}">${t('data_requests.all_of_city')}</a> <a href="/data-requests/new?city=${citySlug}">${t('data_requests.new')}</a></p>
</section>`;
}

/** The dataset page's part: the requests it answered. */
export function datasetSection(ctx: PageContext, items: DataRequest[]): SafeHtml {
  return sectionBlock(
    'dataset-data-requests',
    ctx.t('data_requests.dataset_section'),
    html`<ul>${items.map((r) => html`<li><a href="/data-requests/${r.id}">${r.title}</a></li>`)}</ul>`,
  );
}

/** The dashboard's part: requests awaiting the editor's city's answer (soonest due first), and those the person follows. */
export function dashboardSection(
  ctx: PageContext,
  awaiting: { items: DataRequest[]; total: number },
  followed: DataRequest[],
  now: Date,
): SafeHtml {
  const { t } = ctx;
  const line = (r: DataRequest) =>
    html`<li><a href="/data-requests/${r.id}">${r.title}</a> ${stateBadge(ctx, r, now)} <span class="hint">${cityName(ctx, r)}</span></li>`;
  return sectionBlock(
    'dash-data-requests',
    t('data_requests.title'),
    html`${
      awaiting.items.length
        ? html`<h3>${t('data_requests.dashboard_awaiting', { count: awaiting.total })}</h3><ul>${awaiting.items.map(line)}</ul>`
        : ''
    }${followed.length ? html`<h3>${t('data_requests.dashboard_following')}</h3><ul>${followed.map(line)}</ul>` : ''}`,
  );
}
