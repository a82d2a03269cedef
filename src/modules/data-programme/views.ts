// Pages of the data programme: the reference list of mandatory datasets (and its admin form),
// the national compliance view with its map, a city's compliance with its history, and the part
// of a dataset's page where its editors declare which list items it fulfils.
import { html, jsonForHtml, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, type PageContext } from '../../platform/html/layout.ts';
import { selectField, textAreaField, textField, type FieldValues } from '../../platform/html/fields.ts';
import { formatDate, formatNumber } from '../../platform/i18n/locales.ts';
import { localName, type City, type Oblast } from '../cities/service.ts';
import { FREQUENCY_CODES } from '../catalog/vocabularies.ts';
import {
  BODY_KINDS,
  CHECKS,
  MACHINE_READABLE_FORMATS,
  itemName,
  type CityCompliance,
  type ItemCompliance,
  type MandatoryItem,
  type Snapshot,
} from './service.ts';

type Errors = Record<string, string> | undefined;

/** Score bands for the map and badges: the same thresholds everywhere on these pages. */
export const SCORE_BANDS = [
  { min: 75, key: 'high', colour: '#1e6b33' },
  { min: 40, key: 'middle', colour: '#d39e00' },
  { min: 0, key: 'low', colour: '#a4161a' },
] as const;
export const bandOf = (score: number) => SCORE_BANDS.find((b) => score >= b.min) ?? SCORE_BANDS[2];

const datasetTitle = (ctx: PageContext, d: { title_uk: string; title_en: string; title_bg: string }) =>
  (ctx.locale === 'en' ? d.title_en : ctx.locale === 'bg' ? d.title_bg : d.title_uk) || d.title_uk;

export const scoreText = (ctx: PageContext, score: number) => `${formatNumber(ctx.locale, score)} %`;

function tabs(ctx: PageContext, current: 'national' | 'list'): SafeHtml {
  const { t } = ctx;
  const tab = (key: string, href: string, label: string) =>
    html`<li><a href="${href}"${key === current ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<nav class="tabs" aria-label="${t('dataProgramme.title')}"><ul>
  ${tab('national', '/data-programme', t('dataProgramme.national_title'))}
  ${tab('list', '/data-programme/list', t('dataProgramme.list_title'))}
  ${tab('handbook', '/handbook', t('handbook.nav'))}
</ul></nav>`;
}

/** The scoring rule, stated wherever a score is shown. */
export function ruleText(ctx: PageContext): SafeHtml {
  const { t } = ctx;
  return html`<details class="rule"><summary>${t('dataProgramme.rule_title')}</summary>
<p>${t('dataProgramme.rule_intro')}</p>
<ul>${CHECKS.map((c) => html`<li><strong>${t(`dataProgramme.checks.${c}`)}</strong>: ${t(`dataProgramme.check_rules.${c}`, { formats: MACHINE_READABLE_FORMATS.join(', ') })}</li>`)}</ul>
<p>${t('dataProgramme.rule_score')}</p></details>`;
}

// ---- The reference list ----

export function listPage(ctx: PageContext, items: MandatoryItem[], canManage: boolean, notice?: string): SafeHtml {
  const { t } = ctx;
  const groups = BODY_KINDS.map((kind) => ({ kind, items: items.filter((i) => i.body_kind === kind) }));
  return html`<h1>${t('dataProgramme.list_title')}</h1>
${tabs(ctx, 'list')}
${notice ? html`<p class="notice success" role="status">${notice}</p>` : ''}
<p class="lead">${t('dataProgramme.list_intro')}</p>
<p class="notice info">${t('dataProgramme.list_partial')}</p>
${canManage ? html`<p><a class="button primary" href="/data-programme/list/new">${t('dataProgramme.new_item')}</a></p>` : ''}
${groups.map(
  (g) => html`<h2>${t(`dataProgramme.body_kinds.${g.kind}`)}</h2>
${
  g.items.length
    ? html`<table class="responsive"><caption>${t('dataProgramme.list_caption', { count: g.items.length })}</caption>
<thead><tr><th scope="col">${t('dataProgramme.code')}</th><th scope="col">${t('dataProgramme.name')}</th><th scope="col">${t('dataProgramme.frequency')}</th><th scope="col">${t('dataProgramme.source')}</th>${canManage ? html`<th scope="col"><span class="visually-hidden">${t('dataProgramme.edit')}</span></th>` : ''}</tr></thead>
<tbody>${g.items.map(
        (i) => html`<tr id="item-${i.id}">
  <td data-label="${t('dataProgramme.code')}"><code>${i.code}</code>${i.retired ? html` <span class="badge">${t('dataProgramme.retired')}</span>` : ''}</td>
  <th scope="row" data-label="${t('dataProgramme.name')}">${itemName(i, ctx.locale)}</th>
  <td data-label="${t('dataProgramme.frequency')}">${i.frequency ? t(`catalog.frequencies.${i.frequency}`) : t('dataProgramme.frequency_none')}</td>
  <td data-label="${t('dataProgramme.source')}"><details><summary>${i.legal_act}</summary><p>${i.legal_basis}</p><p class="hint">${i.source}</p></details></td>
  ${canManage ? html`<td><a href="/data-programme/list/${i.id}/edit">${t('dataProgramme.edit')}</a></td>` : ''}
</tr>`,
      )}</tbody></table>`
    : html`<p class="empty-state">${t('dataProgramme.list_empty')}</p>`
}`,
)}
<p><a href="/api/v1/mandatory-datasets">${t('dataProgramme.api_link')}</a></p>`;
}

export function itemForm(ctx: PageContext, values: FieldValues, errors: Errors, id: number | null): SafeHtml {
  const { t } = ctx;
  return html`<h1>${id ? t('dataProgramme.edit_item') : t('dataProgramme.new_item')}</h1>
${errors ? html`<p class="notice error" role="alert">${errors._form ?? t('validation.fix_errors')}</p>` : ''}
<form method="post" action="${id ? `/data-programme/list/${id}/edit` : '/data-programme/list/new'}" class="stack">
${csrfField(ctx)}
${textField({ name: 'country', label: t('dataProgramme.country'), values, errors, extra: html` required maxlength="2" autocomplete="off"` })}
${textField({ name: 'legal_act', label: t('dataProgramme.legal_act'), values, errors, extra: html` required maxlength="100"` })}
${textField({ name: 'code', label: t('dataProgramme.code'), values, errors, extra: html` required maxlength="40"` })}
${textAreaField({ name: 'name_uk', label: t('dataProgramme.name_uk'), values, errors, rows: 2 })}
${textAreaField({ name: 'name_en', label: t('dataProgramme.name_en'), values, errors, rows: 2 })}
${textAreaField({ name: 'name_bg', label: t('dataProgramme.name_bg'), values, errors, rows: 2 })}
${selectField({ name: 'frequency', label: t('dataProgramme.frequency'), values, errors, empty: t('dataProgramme.frequency_none'), choices: FREQUENCY_CODES.map((f) => ({ value: f, label: t(`catalog.frequencies.${f}`) })) })}
${textAreaField({ name: 'legal_basis', label: t('dataProgramme.legal_basis'), values, errors, rows: 2 })}
${selectField({ name: 'body_kind', label: t('dataProgramme.body_kind'), values, errors, choices: BODY_KINDS.map((k) => ({ value: k, label: t(`dataProgramme.body_kinds.${k}`) })) })}
${textAreaField({ name: 'source', label: t('dataProgramme.source'), values, errors, rows: 2, hint: t('dataProgramme.source_hint') })}
${textField({ name: 'position', label: t('dataProgramme.position'), values, errors, type: 'number', extra: html` min="0" max="100000"` })}
<p><label><input type="checkbox" name="retired"${values.retired === true || values.retired === 'on' ? html` checked` : ''}> ${t('dataProgramme.retired')}</label></p>
<p><button type="submit" class="primary">${t('dataProgramme.save')}</button> <a href="/data-programme/list">${t('dataProgramme.cancel')}</a></p>
</form>`;
}

// ---- Compliance ----

function checkCell(ctx: PageContext, ok: boolean, label: string): SafeHtml {
  return html`<td data-label="${label}" class="check">${ok ? html`<span class="badge success">✓ ${ctx.t('dataProgramme.yes')}</span>` : html`<span class="badge danger">✗ ${ctx.t('dataProgramme.no')}</span>`}</td>`;
}

export function scoreBadge(ctx: PageContext, score: number): SafeHtml {
  const tone = { high: 'success', middle: 'warning', low: 'danger' }[bandOf(score).key];
  return html`<span class="badge ${tone}">${scoreText(ctx, score)}</span>`;
}

export interface NationalRow {
  city: City;
  compliance: CityCompliance;
}

export function nationalPage(ctx: PageContext, rows: NationalRow[], oblasts: Oblast[], publicUrl: string): SafeHtml {
  const { t } = ctx;
  const sorted = [...rows].sort(
    (a, b) => b.compliance.score - a.compliance.score || a.city.name_uk.localeCompare(b.city.name_uk, 'uk'),
  );
  const byOblast = new Map<string, number[]>();
  for (const r of rows)
    byOblast.set(r.city.oblast_slug, [...(byOblast.get(r.city.oblast_slug) ?? []), r.compliance.score]);
  const oblastRows = [...byOblast]
    .map(([slug, scores]) => ({
      oblast: oblasts.find((o) => o.slug === slug),
      mean: Math.round((10 * scores.reduce((a, b) => a + b, 0)) / scores.length) / 10,
      cities: scores.length,
    }))
    .filter((o) => o.oblast)
    .sort((a, b) => b.mean - a.mean);
  const regionColours = Object.fromEntries(
    oblastRows.flatMap((o) => (o.oblast?.iso_code ? [[o.oblast.iso_code, bandOf(o.mean).colour]] : [])),
  );
  const points = rows
    .filter((r) => r.city.latitude !== null && r.city.longitude !== null)
    .map((r) => ({
      name: localName(r.city, ctx.locale),
      lat: r.city.latitude,
      lon: r.city.longitude,
      total: scoreText(ctx, r.compliance.score),
      url: `/cities/${r.city.slug}/compliance`,
      colour: bandOf(r.compliance.score).colour,
    }));
  const itemsTotal = rows[0]?.compliance.items.length ?? 0;
  return html`<h1>${t('dataProgramme.title')}</h1>
${tabs(ctx, 'national')}
<p class="lead">${t('dataProgramme.national_intro', { items: itemsTotal })}</p>
${ruleText(ctx)}
<div id="compliance-map" class="map" role="region" aria-label="${t('dataProgramme.map_label')}" data-points="${jsonForHtml(points)}" data-regions="${jsonForHtml(regionColours)}"></div>
<p class="hint">${t('dataProgramme.map_hint')}</p>
<ul class="map-legend">${SCORE_BANDS.map((b, i) => html`<li><span class="swatch swatch-${i === 0 ? 0 : i === 1 ? 1 : 2}" aria-hidden="true"></span> ${t(`dataProgramme.bands.${b.key}`)} (≥ ${formatNumber(ctx.locale, b.min)} %)</li>`)}</ul>
<h2>${t('dataProgramme.by_oblast')}</h2>
<table class="responsive"><caption>${t('dataProgramme.by_oblast_caption')}</caption>
<thead><tr><th scope="col">${t('cities.oblast')}</th><th scope="col">${t('dataProgramme.cities_count')}</th><th scope="col">${t('dataProgramme.mean_score')}</th></tr></thead>
<tbody>${oblastRows.map(
    (o) =>
      html`<tr><th scope="row" data-label="${t('cities.oblast')}">${localName(o.oblast!, ctx.locale)}</th><td data-label="${t('dataProgramme.cities_count')}" class="number">${o.cities}</td><td data-label="${t('dataProgramme.mean_score')}" class="number">${scoreBadge(ctx, o.mean)}</td></tr>`,
  )}</tbody></table>
<h2>${t('dataProgramme.by_city')}</h2>
<table class="responsive"><caption>${t('dataProgramme.by_city_caption', { count: rows.length })}</caption>
<thead><tr><th scope="col">${t('dataProgramme.city')}</th><th scope="col">${t('cities.oblast')}</th><th scope="col">${t('dataProgramme.published_items')}</th><th scope="col">${t('dataProgramme.score')}</th></tr></thead>
<tbody>${sorted.map(
    (
      r,
    ) => html`<tr><th scope="row" data-label="${t('dataProgramme.city')}"><a href="/cities/${r.city.slug}/compliance">${localName(r.city, ctx.locale)}</a></th>
<td data-label="${t('cities.oblast')}">${localName(oblasts.find((o) => o.slug === r.city.oblast_slug) ?? { name_uk: r.city.oblast_slug, name_en: r.city.oblast_slug, name_bg: r.city.oblast_slug }, ctx.locale)}</td>
<td data-label="${t('dataProgramme.published_items')}" class="number">${r.compliance.published} / ${r.compliance.items.length}</td>
<td data-label="${t('dataProgramme.score')}" class="number">${scoreBadge(ctx, r.compliance.score)}</td></tr>`,
  )}</tbody></table>
<p><a href="/api/v1/compliance">${t('dataProgramme.api_link')}</a> · <a href="${publicUrl}/data-programme/compliance.csv">${t('dataProgramme.csv_link')}</a></p>`;
}

function itemRow(ctx: PageContext, i: ItemCompliance): SafeHtml {
  const { t } = ctx;
  return html`<tr>
  <th scope="row" data-label="${t('dataProgramme.item')}"><code>${i.item.code}</code> ${itemName(i.item, ctx.locale)}
  ${i.datasets.length ? html`<br><span class="hint">${i.datasets.map((d, n) => html`${n ? ', ' : ''}<a href="/datasets/${d.name}">${datasetTitle(ctx, d)}</a>`)}</span>` : ''}</th>
  ${CHECKS.map((c) => checkCell(ctx, i.checks[c], t(`dataProgramme.checks.${c}`)))}
  <td data-label="${t('dataProgramme.points')}" class="number">${i.points} / ${CHECKS.length}</td>
</tr>`;
}

export function cityPage(
  ctx: PageContext,
  city: City,
  compliance: CityCompliance,
  history: Snapshot[],
  citeUrl: string,
  openData: { canPublish: boolean; published: string | null } = { canPublish: false, published: null },
): SafeHtml {
  const { t } = ctx;
  const name = localName(city, ctx.locale);
  const missing = compliance.items.filter((i) => !i.checks.published);
  return html`<p><a href="/cities/${city.slug}">${name}</a> · <a href="/data-programme">${t('dataProgramme.title')}</a></p>
<h1>${t('dataProgramme.city_title', { city: name })}</h1>
<p class="lead">${t('dataProgramme.score')}: ${scoreBadge(ctx, compliance.score)} · ${t('dataProgramme.city_summary', { published: compliance.published, total: compliance.items.length })}</p>
<progress max="${compliance.items.length || 1}" value="${compliance.published}" aria-label="${t('dataProgramme.published_items')}"></progress>
${ruleText(ctx)}
<div class="notice info"><p>${t('dataProgramme.cite_hint')}</p><p class="token">${citeUrl}</p></div>
<h2>${t('dataProgramme.items_title')}</h2>
<table class="responsive compliance"><caption>${t('dataProgramme.items_caption', { count: compliance.items.length })}</caption>
<thead><tr><th scope="col">${t('dataProgramme.item')}</th>${CHECKS.map((c) => html`<th scope="col">${t(`dataProgramme.checks.${c}`)}</th>`)}<th scope="col">${t('dataProgramme.points')}</th></tr></thead>
<tbody>${compliance.items.map((i) => itemRow(ctx, i))}</tbody></table>
${missing.length ? html`<p class="hint">${t('dataProgramme.missing_hint', { count: missing.length })}</p>` : ''}
<h2>${t('dataProgramme.history_title')}</h2>
${
  history.length
    ? html`${history.length > 1 ? html`<figure class="chart"><img src="/cities/${city.slug}/compliance/history.svg" alt="${t('dataProgramme.history_alt', { city: name })}" width="900" height="300"></figure>` : ''}
<table class="responsive"><caption>${t('dataProgramme.history_caption')}</caption>
<thead><tr><th scope="col">${t('dataProgramme.date')}</th><th scope="col">${t('dataProgramme.published_items')}</th><th scope="col">${t('dataProgramme.score')}</th></tr></thead>
<tbody>${history.map(
        (s) =>
          html`<tr><th scope="row" data-label="${t('dataProgramme.date')}">${formatDate(ctx.locale, s.taken_on)}</th><td data-label="${t('dataProgramme.published_items')}" class="number">${s.items_published} / ${s.items_total}</td><td data-label="${t('dataProgramme.score')}" class="number">${scoreText(ctx, s.score)}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="empty-state">${t('dataProgramme.history_empty')}</p>`
}
<p class="actions"><a href="/api/v1/cities/${city.slug}/compliance">${t('dataProgramme.api_link')}</a> <a href="/cities/${city.slug}/compliance.csv">${t('dataProgramme.compliance_csv')}</a>${
    openData.published
      ? html` <a href="/datasets/${openData.published}">${t('dataProgramme.compliance_published', { name: openData.published })}</a>`
      : ''
  }</p>
${
  openData.canPublish
    ? html`<form method="post" action="/cities/${city.slug}/compliance/publish" class="inline-form">${csrfField(ctx)}<button type="submit" class="secondary">${t('dataProgramme.publish_compliance')}</button></form>`
    : ''
}`;
}

/** On a city's profile: the score and a link to the details. */
export function citySection(ctx: PageContext, city: City, compliance: CityCompliance): SafeHtml {
  const { t } = ctx;
  return html`<p>${t('dataProgramme.score')}: ${scoreBadge(ctx, compliance.score)} · ${t('dataProgramme.city_summary', { published: compliance.published, total: compliance.items.length })}</p>
<p><a href="/cities/${city.slug}/compliance">${t('dataProgramme.city_link')}</a></p>`;
}

// ---- On a dataset's page ----

export function datasetSection(
  ctx: PageContext,
  dataset: { name: string },
  declared: MandatoryItem[],
  choices: MandatoryItem[],
  canDeclare: boolean,
): SafeHtml | null {
  const { t } = ctx;
  if (!declared.length && !canDeclare) return null;
  const free = choices.filter((c) => !declared.some((d) => d.id === c.id));
  return html`${
    declared.length
      ? html`<ul>${declared.map(
          (i) =>
            html`<li><code>${i.code}</code> ${itemName(i, ctx.locale)} <span class="hint">(${i.legal_act})</span>${
              canDeclare
                ? html` <form method="post" action="/datasets/${dataset.name}/mandatory-items/${i.id}/remove" class="inline-form">${csrfField(ctx)}<button type="submit" class="link-button">${t('dataProgramme.withdraw')}<span class="visually-hidden"> ${i.code}</span></button></form>`
                : ''
            }</li>`,
        )}</ul>`
      : html`<p class="hint">${t('dataProgramme.dataset_none')}</p>`
  }${
    canDeclare && free.length
      ? html`<form method="post" action="/datasets/${dataset.name}/mandatory-items" class="stack">${csrfField(ctx)}
${selectField({ name: 'item', label: t('dataProgramme.declare_label'), values: {}, errors: undefined, choices: free.map((i) => ({ value: String(i.id), label: `${i.code} — ${itemName(i, ctx.locale)}` })) })}
<p><button type="submit" class="secondary">${t('dataProgramme.declare')}</button></p></form>`
      : ''
  }`;
}
