// Pages of the e-petitions module.
import { brandHeading, type CityBrand } from '../cities/brand-view.ts';
import { html, paragraphs, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, fieldError, pagination, tabs, type PageContext } from '../../platform/html/layout.ts';
import { selectField, textAreaField, textField, type FieldValues } from '../../platform/html/fields.ts';
import { formatDate, formatDateTime, formatNumber } from '../../platform/i18n/locales.ts';
import { localName, type City } from '../cities/service.ts';
import { daysBetween } from './calendar.ts';
import { kyivDate } from '../../platform/clock.ts';
import {
  DECISIONS,
  REJECT_REASONS,
  SORTS,
  STATES,
  TOPICS,
  overdue,
  type Petition,
  type PetitionQuery,
  type PetitionRules,
  type PetitionStats,
  type Signer,
  type Trend,
} from './service.ts';
import { SIGNER_CHECKS } from './identity.ts';

type Errors = Record<string, string> | undefined;

const cityName = (ctx: PageContext, p: Petition) =>
  localName({ name_uk: p.city_name_uk, name_en: p.city_name_en, name_bg: p.city_name_bg }, ctx.locale);

function stateBadge(ctx: PageContext, petition: Petition, now: Date): SafeHtml {
  const late = overdue(petition, now);
  return html`<span class="badge state-${petition.state}">${ctx.t(`petitions.state.${petition.state}`)}</span>${
    late.moderation ? html` <span class="badge overdue">${ctx.t('petitions.overdue_moderation')}</span>` : ''
  }${late.response ? html` <span class="badge overdue">${ctx.t('petitions.overdue_response')}</span>` : ''}`;
}

/** The signature count against the threshold, as a labelled progress bar. */
function progress(ctx: PageContext, petition: Petition): SafeHtml {
  const target = petition.state === 'support' ? (petition.supporters_needed ?? 0) : (petition.signature_threshold ?? 0);
  if (!target || petition.state === 'rejected' || petition.state === 'draft') return html``;
  const label = ctx.t(petition.state === 'support' ? 'petitions.supporters_of' : 'petitions.signatures_of', {
    count: petition.signature_count,
    threshold: target,
  });
  return html`<div class="progress-line"><progress max="${target}" value="${Math.min(petition.signature_count, target)}" aria-label="${label}"></progress>
  <span>${label}</span></div>`;
}

function daysLeft(ctx: PageContext, petition: Petition, now: Date): SafeHtml {
  if (petition.state !== 'open' || !petition.closes_at) return html``;
  const days = Math.max(0, daysBetween(kyivDate(now), kyivDate(petition.closes_at)));
  return html`<span class="days-left">${ctx.t('petitions.days_left', { count: days })}</span>`;
}

export function listPage(
  ctx: PageContext,
  result: { items: Petition[]; total: number },
  query: PetitionQuery & { city?: string },
  cities: City[],
  now: Date,
  stats: PetitionStats | null,
  brand: CityBrand | null = null,
): SafeHtml {
  const { t } = ctx;
  const values: FieldValues = {
    city: query.city,
    state: query.state,
    topic: query.topic,
    q: query.q,
    sort: query.sort ?? 'signatures',
  };
  return html`
${brand ? brandHeading(ctx, brand, `${t('petitions.title')}: ${localName(brand.names, ctx.locale)}`) : html`<h1>${t('petitions.title')}</h1>`}
<p class="lead">${t('petitions.intro')}</p>
${petitionTabs(ctx, 'all')}
<p class="actions"><a class="button" href="/petitions/new">${t('petitions.new')}</a>
  <a href="/petitions/feed.atom">${t('petitions.feed')}</a></p>
${stats ? statsCards(ctx, stats) : ''}
<details class="facet-panel" open>
<summary class="button">${t('petitions.filters')}${[query.city, query.state, query.topic, query.q].filter(Boolean).length ? ` (${[query.city, query.state, query.topic, query.q].filter(Boolean).length})` : ''}</summary>
<form method="get" action="/petitions" class="filters" role="search">
  <label>${t('petitions.search')}<input type="search" name="q" value="${query.q ?? ''}" maxlength="200"></label>
  <label>${t('petitions.city')}<select name="city"><option value="">${t('petitions.all_cities')}</option>${cities.map(
    (c) =>
      html`<option value="${c.slug}"${c.slug === query.city ? html` selected` : ''}>${localName(c, ctx.locale)}</option>`,
  )}</select></label>
  <label>${t('petitions.status')}<select name="state"><option value="">${t('petitions.all_states')}</option>${STATES.filter(
    (s) => s !== 'draft',
  ).map(
    (s) => html`<option value="${s}"${s === query.state ? html` selected` : ''}>${t(`petitions.state.${s}`)}</option>`,
  )}</select></label>
  <label>${t('petitions.topic')}<select name="topic"><option value="">${t('petitions.all_topics')}</option>${TOPICS.map(
    (s) => html`<option value="${s}"${s === query.topic ? html` selected` : ''}>${t(`petitions.topics.${s}`)}</option>`,
  )}</select></label>
  <label>${t('petitions.sort')}<select name="sort">${SORTS.map(
    (s) => html`<option value="${s}"${s === values.sort ? html` selected` : ''}>${t(`petitions.sorts.${s}`)}</option>`,
  )}</select></label>
  <button type="submit">${t('petitions.apply')}</button>
</form>
</details>
<p role="status">${t('petitions.found', { count: result.total })}</p>
<ul class="results">${result.items.map(
    (p) => html`<li>
  <h2><a href="/petitions/${p.id}">${p.title}</a></h2>
  <p>${stateBadge(ctx, p, now)} · ${cityName(ctx, p)} · ${t(`petitions.topics.${p.topic}`)}${p.submitted_at ? html` · ${formatDateTime(ctx.locale, p.submitted_at)}` : ''} ${daysLeft(ctx, p, now)}</p>
  ${progress(ctx, p)}
</li>`,
  )}</ul>
${pagination(ctx, '/petitions', { city: query.city, state: query.state, topic: query.topic, q: query.q, sort: query.sort }, { total: result.total, limit: query.limit, offset: query.offset })}`;
}

export function statsCards(ctx: PageContext, stats: PetitionStats): SafeHtml {
  const { t } = ctx;
  return html`<ul class="cards petition-stats">
  <li class="card"><span class="stat">${formatNumber(ctx.locale, stats.submitted)}</span>${t('petitions.stats.submitted')}</li>
  <li class="card"><span class="stat">${formatNumber(ctx.locale, stats.successful)}</span>${t('petitions.stats.successful')}</li>
  <li class="card"><span class="stat">${formatNumber(ctx.locale, stats.answered_on_time)}</span>${t('petitions.stats.answered_on_time', { answered: stats.answered })}</li>
</ul>`;
}

export function formPage(
  ctx: PageContext,
  cities: City[],
  values: FieldValues,
  errors: Errors,
  existingId: number | null,
): SafeHtml {
  const { t } = ctx;
  return html`
<p><a href="${existingId ? `/petitions/${existingId}` : '/petitions'}">← ${t(existingId ? 'petitions.back_to_petition' : 'petitions.title')}</a></p>
<h1>${t(existingId ? 'petitions.edit' : 'petitions.new')}</h1>
<p class="lead">${t('petitions.draft_intro')}</p>
${errors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
<form method="post" action="${existingId ? `/petitions/${existingId}/edit` : '/petitions/new'}" class="stacked wide" novalidate>
  ${csrfField(ctx)}
  ${
    existingId
      ? ''
      : selectField({
          name: 'city',
          label: t('petitions.city'),
          values,
          errors,
          empty: '—',
          choices: cities.map((c) => ({ value: c.slug, label: localName(c, ctx.locale) })),
        })
  }
  ${textField({ name: 'title', label: t('petitions.field_title'), values, errors, extra: html` maxlength="200" required` })}
  ${selectField({
    name: 'topic',
    label: t('petitions.topic'),
    values,
    errors,
    empty: '—',
    choices: TOPICS.map((s) => ({ value: s, label: t(`petitions.topics.${s}`) })),
  })}
  ${textAreaField({ name: 'body', label: t('petitions.field_body'), values, errors, rows: 12, hint: t('petitions.body_hint') })}
  <button type="submit">${t('petitions.save_draft')}</button>
</form>`;
}

export interface PetitionPageState {
  now: Date;
  signers: Signer[];
  /** Which page of the signers is shown (the list pages on, never stops silently). */
  signersPage?: { offset: number; limit: number; total: number };
  signed: boolean;
  isAuthor: boolean;
  isModerator: boolean;
  trends: Trend[];
  files: { id: number; kind: string; file_name: string; size_bytes: number }[];
  invalidations: {
    created_at: Date;
    reason: string;
    invalidated: number;
    ip_block: string | null;
    email_domain: string | null;
  }[];
  publicUrl: string;
  notice?: string;
  errors?: Record<string, string>;
  values?: FieldValues;
}

export function petitionPage(ctx: PageContext, petition: Petition, state: PetitionPageState): SafeHtml {
  const { t } = ctx;
  const { now } = state;
  const values = state.values ?? {};
  const errors = state.errors;
  const url = `${state.publicUrl}/petitions/${petition.id}`;
  const canSign =
    petition.state === 'support' ||
    (petition.state === 'open' && petition.closes_at !== null && now < petition.closes_at);
  const dates: [string, Date | string | null][] = [
    ['petitions.dates.created', petition.created_at],
    ['petitions.dates.submitted', petition.submitted_at],
    [
      'petitions.dates.moderation_due',
      petition.state === 'moderation' || petition.state === 'support' ? petition.moderation_due : null,
    ],
    ['petitions.dates.published', petition.opened_at],
    ['petitions.dates.closes', petition.state === 'open' ? petition.closes_at : null],
    ['petitions.dates.closed', petition.closed_at],
    ['petitions.dates.response_due', petition.response_due],
    ['petitions.dates.answered', petition.answered_at],
  ];
  const attachments = state.files.filter((f) => f.kind === 'attachment');
  const responseFiles = state.files.filter((f) => f.kind === 'response');
  const fileList = (files: typeof state.files) =>
    html`<ul>${files.map((f) => html`<li><a href="/petitions/${petition.id}/files/${f.id}">${f.file_name}</a> (${formatNumber(ctx.locale, Math.ceil(f.size_bytes / 1024))} KB)</li>`)}</ul>`;
  return html`
<p><a href="/petitions">← ${t('petitions.title')}</a></p>
${state.notice ? html`<p class="notice success" role="status">${state.notice}</p>` : ''}
<h1>${petition.title}</h1>
<p>${stateBadge(ctx, petition, now)} · <a href="/cities/${petition.city_slug}">${cityName(ctx, petition)}</a> · ${t(`petitions.topics.${petition.topic}`)}${
    petition.author_name ? html` · ${t('petitions.author')}: ${petition.author_name}` : ''
  }</p>
${progress(ctx, petition)} ${daysLeft(ctx, petition, now)}
<div class="petition-body">${paragraphs(petition.body)}</div>
${attachments.length ? html`<h2>${t('petitions.attachments')}</h2>${fileList(attachments)}` : ''}

<h2>${t('petitions.timeline')}</h2>
<dl class="facts">${dates
    .filter(([, v]) => v)
    .map(
      ([key, value]) =>
        html`<dt>${t(key)}</dt><dd>${
          typeof value === 'string' ? formatDate(ctx.locale, value) : formatDateTime(ctx.locale, value!)
        }</dd>`,
    )}</dl>

${
  petition.state === 'rejected'
    ? html`<h2>${t('petitions.rejected_title')}</h2>
<p><strong>${t(`petitions.reasons.${petition.reject_reason}`)}</strong></p><p>${petition.reject_comment}</p>`
    : ''
}

${
  petition.state === 'answered'
    ? html`<section class="response" aria-labelledby="response-title"><h2 id="response-title">${t('petitions.response')}</h2>
<p><span class="badge">${t(`petitions.decisions.${petition.response_decision}`)}</span> ${formatDateTime(ctx.locale, petition.answered_at!)}</p>
${paragraphs(petition.response_text!)}
${responseFiles.length ? fileList(responseFiles) : ''}</section>`
    : ''
}

${
  state.isAuthor && petition.state === 'draft'
    ? html`<section aria-labelledby="draft-title"><h2 id="draft-title">${t('petitions.your_draft')}</h2>
<p>${t('petitions.draft_preview')}</p>
<p class="actions"><a class="button" href="/petitions/${petition.id}/edit">${t('petitions.edit')}</a></p>
${uploadForm(ctx, petition, 'attachment')}
<form method="post" action="/petitions/${petition.id}/submit">${csrfField(ctx)}
  <button type="submit">${t('petitions.submit')}</button></form></section>`
    : ''
}

${canSign ? signSection(ctx, petition, state) : ''}

${state.isModerator ? moderatorSection(ctx, petition, state, values, errors) : ''}

${
  petition.state !== 'draft' && petition.state !== 'rejected'
    ? html`<h2>${t('petitions.share')}</h2>
<p class="actions"><a href="https://t.me/share/url?url=${encodeURIComponent(url)}" rel="noopener">Telegram</a>
<a href="https://www.facebook.com/sharer/sharer.php?u=${encodeURIComponent(url)}" rel="noopener">Facebook</a>
<a href="mailto:?subject=${encodeURIComponent(petition.title)}&amp;body=${encodeURIComponent(url)}">${t('petitions.share_email')}</a></p>
<p class="hint">${t('petitions.link')}: <code>${url}</code></p>`
    : ''
}

${
  petition.public_signer_names && state.signers.length
    ? html`<h2>${t('petitions.signers')}</h2>
<ol class="signers" start="${(state.signersPage?.offset ?? 0) + 1}">${state.signers.map((s) => html`<li>${s.signer_name || t('petitions.anonymous_signer')} <span class="hint">${formatDateTime(ctx.locale, s.created_at)}</span></li>`)}</ol>
${state.signersPage ? pagination(ctx, `/petitions/${petition.id}`, {}, state.signersPage, 'signers') : ''}`
    : ''
}`;
}

function signSection(ctx: PageContext, petition: Petition, state: PetitionPageState): SafeHtml {
  const { t } = ctx;
  if (state.signed) return html`<p class="notice success" id="signed">${t('petitions.you_signed')}</p>`;
  if (!ctx.user)
    return html`<p class="notice"><a href="/login?next=${encodeURIComponent(`/petitions/${petition.id}`)}">${t('petitions.login_to_sign')}</a></p>`;
  if (!ctx.user.emailConfirmed) return html`<p class="notice">${t('petitions.error.confirm_email')}</p>`;
  return html`<form method="post" action="/petitions/${petition.id}/sign" class="stacked sign-form">
  ${csrfField(ctx)}
  <h2>${t(petition.state === 'support' ? 'petitions.support_title' : 'petitions.sign_title')}</h2>
  ${fieldError(state.errors, 'identity')}${fieldError(state.errors, 'email')}${fieldError(state.errors, 'state')}
  ${petition.public_signer_names ? html`<div class="checkbox"><input type="checkbox" id="show_name" name="show_name" value="on" checked><label for="show_name">${t('petitions.show_name')}</label></div>` : ''}
  <div class="checkbox"><input type="checkbox" id="notify" name="notify" value="on"><label for="notify">${t('petitions.notify')}</label></div>
  <button type="submit">${t(petition.state === 'support' ? 'petitions.support' : 'petitions.sign')}</button>
</form>`;
}

function uploadForm(ctx: PageContext, petition: Petition, kind: 'attachment' | 'response'): SafeHtml {
  // The token comes before the file, so it is checked before anything is stored.
  const { t } = ctx;
  return html`<form method="post" action="/petitions/${petition.id}/files" enctype="multipart/form-data" class="stacked">
  ${csrfField(ctx)}
  <label for="file-${kind}">${t(kind === 'attachment' ? 'petitions.add_attachment' : 'petitions.add_response_file')}</label>
  <p class="hint" id="file-${kind}-hint">${t('petitions.file_hint')}</p>
  <input type="file" id="file-${kind}" name="file" required accept=".pdf,.png,.jpg,.jpeg" aria-describedby="file-${kind}-hint">
  <button type="submit">${t('petitions.upload')}</button>
</form>`;
}

function moderatorSection(
  ctx: PageContext,
  petition: Petition,
  state: PetitionPageState,
  values: FieldValues,
  errors: Errors,
): SafeHtml {
  const { t } = ctx;
  const moderation = petition.state === 'moderation' || petition.state === 'support';
  return html`<section class="moderation" aria-labelledby="moderation-title"><h2 id="moderation-title">${t('petitions.moderator_tools')}</h2>
${errors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
${
  moderation
    ? html`<form method="post" action="/petitions/${petition.id}/publish">${csrfField(ctx)}
  <button type="submit">${t('petitions.publish')}</button></form>
<form method="post" action="/petitions/${petition.id}/reject" class="stacked wide">${csrfField(ctx)}
  <h3>${t('petitions.reject')}</h3>
  ${selectField({
    name: 'reason',
    label: t('petitions.reject_reason'),
    values,
    errors,
    empty: '—',
    choices: REJECT_REASONS.map((r) => ({ value: r, label: t(`petitions.reasons.${r}`) })),
  })}
  ${textAreaField({ name: 'comment', label: t('petitions.reject_comment'), values, errors })}
  <button type="submit" class="danger">${t('petitions.reject')}</button></form>`
    : ''
}
${
  petition.state === 'successful'
    ? html`<form method="post" action="/petitions/${petition.id}/respond" class="stacked wide">${csrfField(ctx)}
  <h3>${t('petitions.respond')}</h3>
  ${selectField({
    name: 'decision',
    label: t('petitions.decision'),
    values,
    errors,
    empty: '—',
    choices: DECISIONS.map((d) => ({ value: d, label: t(`petitions.decisions.${d}`) })),
  })}
  ${textAreaField({ name: 'response', label: t('petitions.response'), values, errors, rows: 10 })}
  <button type="submit">${t('petitions.publish_response')}</button></form>
${uploadForm(ctx, petition, 'response')}`
    : ''
}
${
  petition.state !== 'draft' && petition.state !== 'rejected'
    ? html`
<h3>${t('petitions.trends')}</h3>
${
  state.trends.length
    ? html`<div class="table-wrap"><table><thead><tr><th scope="col">${t('petitions.trend_source')}</th><th scope="col">${t('petitions.trend_hour')}</th><th scope="col" class="number">${t('petitions.trend_count')}</th></tr></thead>
<tbody>${state.trends.map((tr) => html`<tr><td>${tr.kind === 'ip' ? t('petitions.ip_block') : t('petitions.email_domain')}: <code>${tr.value}</code></td><td>${formatDateTime(ctx.locale, tr.hour)}</td><td class="number">${tr.signatures}</td></tr>`)}</tbody></table></div>`
    : html`<div class="empty-state"><p>${t('petitions.no_trends')}</p></div>`
}
<form method="post" action="/petitions/${petition.id}/invalidate" class="stacked wide">${csrfField(ctx)}
  <h3>${t('petitions.invalidate')}</h3>
  <p class="hint">${t('petitions.invalidate_hint')}</p>
  ${textField({ name: 'ip_block', label: t('petitions.ip_block'), values, errors })}
  ${textField({ name: 'email_domain', label: t('petitions.email_domain'), values, errors })}
  ${textField({ name: 'from', label: t('petitions.from'), values, errors, type: 'datetime-local' })}
  ${textField({ name: 'to', label: t('petitions.to'), values, errors, type: 'datetime-local' })}
  ${textAreaField({ name: 'reason', label: t('petitions.invalidation_reason'), values, errors, rows: 2 })}
  <button type="submit" class="danger">${t('petitions.invalidate')}</button></form>
${
  state.invalidations.length
    ? html`<h3>${t('petitions.invalidations')}</h3><ul>${state.invalidations.map(
        (i) =>
          html`<li>${formatDateTime(ctx.locale, i.created_at)}: ${t('petitions.invalidated_count', {
            count: i.invalidated,
          })} — ${[i.ip_block, i.email_domain].filter(Boolean).join(', ')} — ${i.reason}</li>`,
      )}</ul>`
    : ''
}`
    : ''
}
</section>`;
}

/** A signed-in person's views of the petitions as tabs: all, their own and (editors) the moderation queue. */
function petitionTabs(ctx: PageContext, current: 'all' | 'mine' | 'moderation'): SafeHtml | string {
  const { t, user } = ctx;
  if (!user) return '';
  const moderates = user.isAdmin || user.memberships.some((m) => m.role === 'city_editor');
  return tabs(t('petitions.title'), [
    { href: '/petitions', label: t('petitions.all'), current: current === 'all' },
    { href: '/petitions/mine', label: t('petitions.mine'), current: current === 'mine' },
    ...(moderates
      ? [{ href: '/petitions/moderation', label: t('petitions.moderation'), current: current === 'moderation' }]
      : []),
  ]);
}

export function moderationPage(ctx: PageContext, queue: Petition[], trends: Trend[], now: Date): SafeHtml {
  const { t } = ctx;
  const flagged = new Set(trends.map((tr) => tr.petition_id));
  return html`
<h1>${t('petitions.moderation')}</h1>
${petitionTabs(ctx, 'moderation')}
<p class="lead">${t('petitions.moderation_intro')}</p>
${
  queue.length
    ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${t('petitions.field_title')}</th><th scope="col">${t('petitions.city')}</th><th scope="col">${t('petitions.status')}</th><th scope="col">${t('petitions.due')}</th></tr></thead>
<tbody>${queue.map(
        (
          p,
        ) => html`<tr><td><a href="/petitions/${p.id}">${p.title}</a>${flagged.has(p.id) ? html` <span class="badge overdue">${t('petitions.flagged')}</span>` : ''}</td>
<td>${cityName(ctx, p)}</td><td>${stateBadge(ctx, p, now)}</td><td>${(p.moderation_due ?? p.response_due) ? formatDate(ctx.locale, (p.moderation_due ?? p.response_due)!) : '—'}</td></tr>`,
      )}</tbody></table></div>`
    : html`<div class="empty-state"><p>${t('petitions.queue_empty')}</p></div>`
}
${
  trends.length
    ? html`<h2>${t('petitions.trends')}</h2><ul>${trends.map(
        (tr) =>
          html`<li><a href="/petitions/${tr.petition_id}">#${tr.petition_id}</a>: ${
            tr.kind === 'ip' ? t('petitions.ip_block') : t('petitions.email_domain')
          } <code>${tr.value}</code> — ${t('petitions.trend_line', { count: tr.signatures })} (${formatDateTime(ctx.locale, tr.hour)})</li>`,
      )}</ul>`
    : ''
}`;
}

export function minePage(ctx: PageContext, items: Petition[], now: Date): SafeHtml {
  const { t } = ctx;
  return html`
<h1>${t('petitions.mine')}</h1>
${petitionTabs(ctx, 'mine')}
<p><a class="button" href="/petitions/new">${t('petitions.new')}</a></p>
${
  items.length
    ? html`<ul class="results">${items.map((p) => html`<li><h2><a href="/petitions/${p.id}">${p.title}</a></h2><p>${stateBadge(ctx, p, now)} · ${cityName(ctx, p)}</p></li>`)}</ul>`
    : html`<div class="empty-state"><p>${t('petitions.none_yet')}</p></div>`
}`;
}

export function rulesPage(ctx: PageContext, city: City, values: FieldValues, errors: Errors, saved: boolean): SafeHtml {
  const { t } = ctx;
  const number = (name: string) =>
    textField({ name, label: t(`petitions.rules.${name}`), values, errors, type: 'number' });
  const checkbox = (name: string) =>
    html`<div class="checkbox"><input type="checkbox" id="${name}" name="${name}" value="on"${
      values[name] === true || values[name] === 'on' ? html` checked` : ''
    }><label for="${name}">${t(`petitions.rules.${name}`)}</label></div>`;
  return html`
<p><a href="/cities/${city.slug}">← ${localName(city, ctx.locale)}</a></p>
<h1>${t('petitions.rules.title', { city: localName(city, ctx.locale) })}</h1>
<p class="lead">${t('petitions.rules.intro')}</p>
${saved ? html`<p class="notice success" role="status">${t('admin.saved')}</p>` : ''}
${errors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
<form method="post" action="/cities/${city.slug}/petition-rules" class="stacked" novalidate>
  ${csrfField(ctx)}
  ${checkbox('enabled')}
  ${number('signature_threshold')}
  ${number('collection_days')}
  ${number('supporters_needed')}
  ${number('moderation_working_days')}
  ${number('response_working_days')}
  ${selectField({
    name: 'signer_check',
    label: t('petitions.rules.signer_check'),
    values,
    errors,
    choices: SIGNER_CHECKS.map((c) => ({ value: c, label: t(`petitions.rules.checks.${c}`) })),
  })}
  ${checkbox('public_signer_names')}
  ${textAreaField({ name: 'holidays', label: t('petitions.rules.holidays'), values, errors, rows: 4, hint: t('petitions.rules.holidays_hint') })}
  <button type="submit">${t('admin.save')}</button>
</form>`;
}

/** The rules as form values. */
export function rulesValues(rules: Omit<PetitionRules, 'city_id'>): FieldValues {
  return { ...rules, holidays: rules.holidays.join('\n') };
}

/** The petitions part of a city's page: its statistics, and the rules link for its editors. */
/** The home page's "collecting signatures now": the open petitions closest to their threshold. */
export function homePetitionsSection(ctx: PageContext, petitions: Petition[], total: number, now: Date): SafeHtml {
  const { t } = ctx;
  return html`<section class="home-section" id="home-petitions" aria-labelledby="home-petitions-title">
<h2 id="home-petitions-title">${t('home.petitions_now')}</h2>
<ul class="cards">${petitions.map(
    (p) => html`<li class="card"><h3><a href="/petitions/${p.id}">${p.title}</a></h3>
  <p class="hint">${cityName(ctx, p)} · ${daysLeft(ctx, p, now)}</p>${progress(ctx, p)}</li>`,
  )}</ul>
<p><a href="/petitions?state=open">${t('home.all_open_petitions', { count: total })}</a></p>
</section>`;
}

export function cityPetitionsSection(
  ctx: PageContext,
  city: Pick<City, 'slug'>,
  stats: PetitionStats,
  enabled: boolean,
  canEditRules: boolean,
): SafeHtml {
  const { t } = ctx;
  if (!enabled && !canEditRules) return html``;
  return html`<h2>${t('petitions.title')}</h2>
${
  enabled
    ? html`${statsCards(ctx, stats)}<p class="actions"><a href="/petitions?city=${city.slug}">${t('petitions.city_petitions')}</a>
  <a href="/petitions/new?city=${city.slug}">${t('petitions.new')}</a></p>`
    : html`<p>${t('petitions.city_disabled')}</p>`
}
${canEditRules ? html`<p><a href="/cities/${city.slug}/petition-rules">${t('petitions.rules.edit')}</a></p>` : ''}`;
}
