// The working pages of the ranking: the methodologist's and campaign manager's pages (admins),
// an assessor's and a coordinator's list of cities, the assessment and verification form of one
// city, and the appeals of a campaign.
import { html, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, type PageContext } from '../../platform/html/layout.ts';
import { checkboxGroup, selectField, textAreaField, textField, type FieldValues } from '../../platform/html/fields.ts';
import { formatDateTime, formatNumber } from '../../platform/i18n/locales.ts';
import { localName, type City } from '../cities/service.ts';
import { CAMPAIGN_PHASES } from './workflow.ts';
import { bandsText, type Campaign } from './campaigns.ts';
import type { IndicatorScore } from './board.ts';
import type { MethodologyDocument } from './methodology.ts';
import { appealBlock, campaignTitle, local, score, type Appeal, type EvidenceFile } from './views.ts';

type Errors = Record<string, string> | undefined;

export interface MethodologySummary {
  id: number;
  year: number;
  version: string;
  title_uk: string;
  title_en: string;
  title_bg: string;
  published_at: Date | null;
  demo: boolean;
}

const errorNotice = (errors: Errors) =>
  errors && Object.keys(errors).length
    ? html`<div class="notice error" role="alert"><ul>${Object.entries(errors).map(([field, message]) => html`<li>${field}: ${message}</li>`)}</ul></div>`
    : '';

export function manageIndexPage(
  ctx: PageContext,
  methodologies: MethodologySummary[],
  campaigns: Campaign[],
  cities: City[],
  values: FieldValues,
  errors: Errors,
): SafeHtml {
  const { t } = ctx;
  const published = methodologies.filter((m) => m.published_at);
  return html`
<p><a href="/ranking">← ${t('ranking.title')}</a></p>
<h1>${t('ranking.manage.title')}</h1>
${errorNotice(errors)}
<h2>${t('ranking.manage.methodologies')}</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">${t('ranking.version')}</th><th scope="col">${t('ranking.year')}</th><th scope="col">${t('ranking.manage.state')}</th><th scope="col">${t('ranking.manage.actions')}</th></tr></thead>
<tbody>${methodologies.map(
    (m) => html`<tr><th scope="row"><a href="/ranking/methodologies/${m.id}">${m.version}</a></th><td>${m.year}</td>
  <td>${m.published_at ? t('ranking.methodology_published') : t('ranking.methodology_draft')}</td>
  <td class="actions">${
    m.published_at
      ? ''
      : html`<a href="/ranking/methodologies/${m.id}/edit">${t('ranking.edit')}</a>
    <form method="post" action="/ranking/methodologies/${m.id}/publish" class="inline-form">${csrfField(ctx)}<button type="submit">${t('ranking.manage.publish_methodology')}</button></form>`
  }
    <form method="post" action="/ranking/methodologies/${m.id}/copy" class="inline-form">${csrfField(ctx)}
      <label for="copy-${m.id}" class="visually-hidden">${t('ranking.manage.new_version')}</label>
      <input type="text" id="copy-${m.id}" name="version" size="12" placeholder="${m.version}-2" required>
      <button type="submit">${t('ranking.manage.copy')}</button></form></td></tr>`,
  )}</tbody></table></div>

<h3>${t('ranking.manage.import')}</h3>
<form method="post" action="/ranking/methodologies/import" enctype="multipart/form-data" class="stacked">
  ${csrfField(ctx)}
  <label for="methodology-file">${t('ranking.manage.import_file')}</label>
  <p class="hint" id="methodology-file-hint">${t('ranking.manage.import_hint')}</p>
  <input type="file" id="methodology-file" name="file" accept=".json,.xlsx,application/json" required aria-describedby="methodology-file-hint">
  <button type="submit">${t('ranking.manage.import_button')}</button>
</form>

<h2>${t('ranking.manage.campaigns')}</h2>
<ul>${campaigns.map((c) => html`<li><a href="/ranking/campaigns/${c.id}/manage">${campaignTitle(ctx, c)}</a> — ${t(`ranking.phases.${c.phase}`)}</li>`)}</ul>
<h3>${t('ranking.manage.new_campaign')}</h3>
<form method="post" action="/ranking/campaigns" class="stacked wide">
  ${csrfField(ctx)}
  ${textField({ name: 'year', label: t('ranking.year'), values, errors, type: 'number', extra: html` min="2000" max="2100" required` })}
  ${selectField({ name: 'methodology_id', label: t('ranking.methodology'), values, errors, choices: published.map((m) => ({ value: String(m.id), label: `${m.version} (${m.year})` })) })}
  ${textField({ name: 'title_uk', label: t('ranking.manage.title_uk'), values, errors, extra: html` required` })}
  ${textField({ name: 'title_en', label: t('ranking.manage.title_en'), values, errors, extra: html` required` })}
  ${textField({ name: 'title_bg', label: t('ranking.manage.title_bg'), values, errors, extra: html` required` })}
  ${textField({ name: 'bands', label: t('ranking.manage.bands'), values: { bands: 'transparent 80, partly 50, not 0', ...values }, errors })}
  ${checkboxGroup({ name: 'cities', legend: t('ranking.manage.cities'), values, errors, choices: cities.map((c) => ({ value: String(c.id), label: localName(c, ctx.locale) })) })}
  <button type="submit">${t('ranking.manage.create_campaign')}</button>
</form>`;
}

export interface CampaignProgress {
  city_id: number;
  scored: number;
  verified: number;
  returned: number;
}
export interface Assignment {
  id: number;
  assessor: string;
  city_id: number;
  conflict_override_reason: string | null;
}

export function campaignManagePage(
  ctx: PageContext,
  campaign: Campaign,
  data: {
    cities: City[];
    indicatorCount: number;
    progress: CampaignProgress[];
    assignments: Assignment[];
    coordinators: { name: string; oblast: string }[];
    assessors: { id: number; name: string }[];
    regionalCoordinators: { id: number; name: string; oblast: string; oblast_name: string }[];
    values: FieldValues;
    errors: Errors;
    notice?: string;
  },
): SafeHtml {
  const { t } = ctx;
  const base = `/ranking/campaigns/${campaign.id}`;
  const index = CAMPAIGN_PHASES.indexOf(campaign.phase);
  const next = CAMPAIGN_PHASES[index + 1];
  const participating = data.cities.filter((c) => campaign.city_ids.includes(c.id));
  return html`
<p><a href="/ranking/manage">← ${t('ranking.manage.title')}</a> · <a href="${base}">${t('ranking.manage.public_page')}</a></p>
${data.notice ? html`<p class="notice success" role="status">${data.notice}</p>` : ''}
<h1>${campaignTitle(ctx, campaign)}</h1>
${errorNotice(data.errors)}
<ol class="phases">${CAMPAIGN_PHASES.map((phase, i) => html`<li${i === index ? html` aria-current="step" class="current"` : ''}>${t(`ranking.phases.${phase}`)}</li>`)}</ol>
<p>${t('ranking.manage.bands')}: <code>${bandsText(campaign.bands)}</code></p>
${
  next && next !== 'published'
    ? html`<form method="post" action="${base}/phase" class="inline-form">${csrfField(ctx)}
  <button type="submit">${t('ranking.manage.advance', { phase: t(`ranking.phases.${next}`) })}</button></form>`
    : ''
}
${campaign.phase === 'final' ? html`<form method="post" action="${base}/publish" class="inline-form">${csrfField(ctx)}<button type="submit">${t('ranking.manage.publish')}</button></form>` : ''}
<p><a href="${base}/work">${t('ranking.work.title')}</a> · <a href="${base}/appeals">${t('ranking.appeals.title')}</a></p>

<h2>${t('ranking.manage.progress')}</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">${t('ranking.city')}</th><th scope="col" class="number">${t('ranking.manage.scored')}</th>
<th scope="col" class="number">${t('ranking.manage.verified')}</th><th scope="col" class="number">${t('ranking.manage.returned')}</th><th scope="col">${t('ranking.manage.assessors')}</th></tr></thead>
<tbody>${participating.map((c) => {
    const p = data.progress.find((x) => x.city_id === c.id);
    return html`<tr><th scope="row"><a href="${base}/cities/${c.slug}/assess">${localName(c, ctx.locale)}</a></th>
    <td class="number">${p?.scored ?? 0} / ${data.indicatorCount}</td><td class="number">${p?.verified ?? 0}</td><td class="number">${p?.returned ?? 0}</td>
    <td>${data.assignments.filter((a) => a.city_id === c.id).map((a, i) => html`${i ? ', ' : ''}${a.assessor}${a.conflict_override_reason ? html` <span class="badge warning" title="${a.conflict_override_reason}">${t('ranking.manage.override')}</span>` : ''}`)}</td></tr>`;
  })}</tbody></table></div>

<h2>${t('ranking.manage.assign')}</h2>
<form method="post" action="${base}/assignments" class="stacked">
  ${csrfField(ctx)}
  ${selectField({ name: 'assessor', label: t('ranking.manage.assessor'), values: data.values, errors: data.errors, choices: data.assessors.map((a) => ({ value: String(a.id), label: a.name })) })}
  ${selectField({ name: 'city', label: t('ranking.city'), values: data.values, errors: data.errors, choices: participating.map((c) => ({ value: String(c.id), label: localName(c, ctx.locale) })) })}
  ${textField({ name: 'override_reason', label: t('ranking.manage.override_reason'), values: data.values, errors: data.errors })}
  <button type="submit">${t('ranking.manage.assign_button')}</button>
</form>
<h2>${t('ranking.manage.coordinators')}</h2>
<ul>${data.coordinators.map((c) => html`<li>${c.name} — ${c.oblast}</li>`)}</ul>
<form method="post" action="${base}/coordinators" class="stacked">
  ${csrfField(ctx)}
  ${selectField({
    name: 'coordinator',
    label: t('ranking.manage.coordinator'),
    values: data.values,
    errors: data.errors,
    choices: data.regionalCoordinators.map((c) => ({
      value: `${c.id}:${c.oblast}`,
      label: `${c.name} (${c.oblast_name})`,
    })),
  })}
  <button type="submit">${t('ranking.manage.assign_button')}</button>
</form>

${
  campaign.phase === 'preparation'
    ? html`<h2>${t('ranking.manage.cities')}</h2>
<form method="post" action="${base}/cities" class="stacked wide">${csrfField(ctx)}
  ${checkboxGroup({
    name: 'cities',
    legend: t('ranking.manage.cities'),
    values: { cities: campaign.city_ids.map(String) },
    errors: data.errors,
    choices: data.cities.map((c) => ({ value: String(c.id), label: localName(c, ctx.locale) })),
  })}
  <button type="submit">${t('ranking.manage.save_cities')}</button></form>`
    : ''
}

${
  campaign.phase === 'published'
    ? html`<h2>${t('ranking.manage.correction')}</h2>
<p>${t('ranking.manage.correction_intro')}</p>
<form method="post" action="${base}/corrections" class="stacked wide">${csrfField(ctx)}
  ${selectField({ name: 'city', label: t('ranking.city'), values: data.values, errors: data.errors, choices: participating.map((c) => ({ value: String(c.id), label: localName(c, ctx.locale) })) })}
  ${textField({ name: 'indicator', label: t('ranking.code'), values: data.values, errors: data.errors, extra: html` required size="6"` })}
  ${textField({ name: 'level', label: t('ranking.level_or_na'), values: data.values, errors: data.errors, extra: html` required size="6"` })}
  ${textAreaField({ name: 'change_note', label: t('ranking.manage.change_note'), values: data.values, errors: data.errors, rows: 3 })}
  <button type="submit">${t('ranking.manage.correct')}</button></form>`
    : ''
}`;
}

export function workPage(
  ctx: PageContext,
  campaign: Campaign,
  rows: { city: City; scored: number; verified: number; returned: number; role: 'assess' | 'verify' }[],
  indicatorCount: number,
  pendingAppeals: number,
): SafeHtml {
  const { t } = ctx;
  const base = `/ranking/campaigns/${campaign.id}`;
  return html`
<p><a href="${base}">← ${campaignTitle(ctx, campaign)}</a></p>
<h1>${t('ranking.work.title')}</h1>
<p>${t('ranking.work.phase', { phase: t(`ranking.phases.${campaign.phase}`) })}</p>
${
  rows.length
    ? html`<div class="table-wrap"><table><thead><tr><th scope="col">${t('ranking.city')}</th><th scope="col">${t('ranking.work.role')}</th>
<th scope="col" class="number">${t('ranking.manage.scored')}</th><th scope="col" class="number">${t('ranking.manage.verified')}</th><th scope="col" class="number">${t('ranking.manage.returned')}</th></tr></thead>
<tbody>${rows.map(
        (
          r,
        ) => html`<tr><th scope="row"><a href="${base}/cities/${r.city.slug}/assess">${localName(r.city, ctx.locale)}</a></th><td>${t(`ranking.work.${r.role}`)}</td>
<td class="number"><progress max="${indicatorCount}" value="${r.scored}" aria-label="${t('ranking.manage.scored')}">${r.scored}</progress> ${r.scored} / ${indicatorCount}</td>
<td class="number">${r.verified}</td><td class="number">${r.returned}</td></tr>`,
      )}</tbody></table></div>`
    : html`<div class="empty-state"><p>${t('ranking.work.none')}</p></div>`
}
${pendingAppeals ? html`<p><a href="${base}/appeals">${t('ranking.work.appeals', { count: pendingAppeals })}</a></p>` : ''}`;
}

export interface AssessMode {
  assess: boolean;
  rework: boolean;
  verify: boolean;
}

/**
 * An indicator about the budget: the methodology has no tag for it, so its own question or its
 * area's name naming the budget (бюджет, budget, in any of the three languages) marks it.
 */
export function isBudgetIndicator(
  area: Pick<MethodologyDocument['areas'][number], 'name'>,
  indicator: Pick<MethodologyDocument['areas'][number]['indicators'][number], 'question'>,
): boolean {
  return [area.name, indicator.question].some((text) =>
    Object.values(text).some((value) => /бюджет|budget/i.test(value)),
  );
}

/** One indicator's form on the assessment page: the assessor's score, or the coordinator's verification. */
function indicatorForm(
  ctx: PageContext,
  base: string,
  indicator: MethodologyDocument['areas'][number]['indicators'][number],
  s: IndicatorScore | undefined,
  files: EvidenceFile[],
  mode: AssessMode,
  errors: Errors,
  budgetPage: { url: string; year: number } | null = null,
): SafeHtml {
  const { t } = ctx;
  const id = indicator.code;
  // In verification the assessor reworks only what the coordinator returned.
  const assess = mode.assess || (mode.rework && s?.verification === 'returned');
  const filesBase = base.replace(/\/cities\/[^/]+$/, '/files');
  const current = s
    ? s.assessed_not_applicable
      ? 'na'
      : s.assessed_value === null
        ? ''
        : String(s.assessed_value)
    : '';
  const err = (field: string) => errors?.[`${id}.${field}`];
  const state = !s ? t('ranking.assess.state_empty') : t(`ranking.assess.state_${s.verification}`);
  return html`<li id="indicator-${id}" class="assess-item">
<h4>${id}. ${local(ctx, indicator.question)} <span class="hint">(${t('ranking.points_n', { count: indicator.points })})</span> <span class="badge verification-badge verification-${s?.verification ?? 'none'}">${state}</span></h4>
${local(ctx, indicator.guidance) ? html`<p class="hint">${local(ctx, indicator.guidance)}</p>` : ''}
${s?.verifier_comment ? html`<p class="notice">${t('ranking.assess.verifier_said')}: ${s.verifier_comment}</p>` : ''}
${
  assess
    ? html`<form method="post" action="${base}/scores/${id}" class="stacked wide score-form" data-autosave${s ? html` data-scored` : ''} data-saving-text="${t('ranking.saving')}" data-saved-text="${t('ranking.saved')}" data-pending-text="${t('ranking.assess.state_pending')}">
  ${csrfField(ctx)}
  <fieldset${err('level') ? html` aria-describedby="${id}-level-error" aria-invalid="true"` : ''}><legend>${t('ranking.assess.level')}</legend>
  ${indicator.levels.map(
    (
      l,
      i,
    ) => html`<span class="checkbox"><input type="radio" id="${id}-l${i}" name="level" value="${String(l.value)}"${current === String(l.value) ? html` checked` : ''}>
    <label for="${id}-l${i}"><strong>${t('ranking.points_n', { count: l.value * indicator.points })}</strong> — ${local(ctx, l.description)}</label></span>`,
  )}
  ${indicator.not_applicable_allowed ? html`<span class="checkbox"><input type="radio" id="${id}-na" name="level" value="na"${current === 'na' ? html` checked` : ''}><label for="${id}-na">${t('ranking.not_applicable')}</label></span>` : ''}
  ${err('level') ? html`<p class="field-error" id="${id}-level-error">${err('level')}</p>` : ''}
  </fieldset>
  <label for="${id}-comment">${t('ranking.comment')}</label><textarea id="${id}-comment" name="comment" rows="2">${s?.comment ?? ''}</textarea>
  <label for="${id}-recommendation">${t('ranking.recommendation')}</label><textarea id="${id}-recommendation" name="recommendation" rows="2">${s?.recommendation ?? ''}</textarea>
  <label for="${id}-links">${t('ranking.evidence_links')}</label><textarea id="${id}-links" name="evidence_links" rows="1"${err('evidence_links') ? html` aria-describedby="${id}-links-error" aria-invalid="true"` : ''}>${(s?.evidence_links ?? []).filter((l) => l !== budgetPage?.url).join('\n')}</textarea>
  ${
    budgetPage
      ? html`<span class="checkbox"><input type="checkbox" id="${id}-budget-page" name="evidence_links" value="${budgetPage.url}"${s?.evidence_links.includes(budgetPage.url) ? html` checked` : ''}><label for="${id}-budget-page">${t('openBudget.evidence.cite', { year: String(budgetPage.year) })}</label></span>
  <p class="hint"><a href="${budgetPage.url}">${budgetPage.url}</a></p>`
      : ''
  }
  ${err('evidence_links') ? html`<p class="field-error" id="${id}-links-error">${err('evidence_links')}</p>` : ''}
  <button type="submit">${t('ranking.assess.save')}</button> <span class="save-status" role="status" aria-live="polite"></span>
</form>
<form method="post" action="${base}/scores/${id}/files" enctype="multipart/form-data" class="inline-form evidence-upload">
  ${csrfField(ctx)}
  <label for="${id}-file">${t('ranking.evidence_file')}</label> <input type="file" id="${id}-file" name="file" accept="application/pdf,image/png,image/jpeg,image/webp">
  <button type="submit" class="secondary">${t('ranking.assess.upload')}</button>
  ${err('file') ? html`<p class="field-error">${err('file')}</p>` : ''}
</form>`
    : html`<p><strong>${t('ranking.assess.assessed')}:</strong> ${!s ? '—' : s.assessed_not_applicable ? t('ranking.not_applicable') : score(ctx, s.assessed_value)}${
        s?.comment ? html` — ${s.comment}` : ''
      }</p>${s?.recommendation ? html`<p>${t('ranking.recommendation')}: ${s.recommendation}</p>` : ''}
  ${s?.evidence_links.length ? html`<p>${t('ranking.evidence')}: ${s.evidence_links.map((l, i) => html`${i ? ', ' : ''}<a href="${l}" rel="nofollow noopener">${l}</a>`)}</p>` : ''}`
}
${files.length ? html`<p>${t('ranking.evidence_files')}: ${files.map((f, i) => html`${i ? ', ' : ''}<a href="${filesBase}/${f.id}">${f.file_name}</a>`)}</p>` : ''}
${
  mode.verify && s
    ? html`<form method="post" action="${base}/scores/${id}/verify" class="stacked wide verify-form">
  ${csrfField(ctx)}
  <fieldset><legend>${t('ranking.verify.decision')}</legend>
    <span class="checkbox"><input type="radio" id="${id}-accept" name="decision" value="accept" required><label for="${id}-accept">${t('ranking.verify.accept')}</label></span>
    <span class="checkbox"><input type="radio" id="${id}-return" name="decision" value="return"><label for="${id}-return">${t('ranking.verify.return')}</label></span>
  </fieldset>
  <label for="${id}-vlevel">${t('ranking.verify.level')}</label>
  <select id="${id}-vlevel" name="level"><option value="">${t('ranking.verify.keep')}</option>${indicator.levels.map((l) => html`<option value="${String(l.value)}">${formatNumber(ctx.locale, l.value)}</option>`)}${
    indicator.not_applicable_allowed ? html`<option value="na">${t('ranking.not_applicable')}</option>` : ''
  }</select>
  <label for="${id}-vcomment">${t('ranking.verify.comment')}</label><textarea id="${id}-vcomment" name="verifier_comment" rows="2"${err('verifier_comment') ? html` aria-describedby="${id}-vc-error" aria-invalid="true"` : ''}></textarea>
  ${err('verifier_comment') ? html`<p class="field-error" id="${id}-vc-error">${err('verifier_comment')}</p>` : ''}
  <button type="submit">${t('ranking.verify.save')}</button>
</form>`
    : ''
}
</li>`;
}

export function assessPage(
  ctx: PageContext,
  campaign: Campaign,
  city: City,
  methodology: MethodologyDocument,
  data: {
    scores: IndicatorScore[];
    files: EvidenceFile[];
    mode: AssessMode;
    errors: Errors;
    notice?: string;
    /** The city's budget page on this platform, offered as evidence for budget indicators. */
    budgetPage?: { url: string; year: number } | null;
  },
): SafeHtml {
  const { t } = ctx;
  const base = `/ranking/campaigns/${campaign.id}/cities/${city.slug}`;
  const byCode = new Map(data.scores.map((s) => [s.code, s]));
  const total = methodology.areas.reduce((n, a) => n + a.indicators.length, 0);
  const errorCodes = Object.keys(data.errors ?? {}).map((key) => key.split('.')[0]);
  const openArea = (
    methodology.areas.find((a) => a.indicators.some((i) => errorCodes.includes(i.code))) ??
    methodology.areas.find((a) => a.indicators.some((i) => !byCode.has(i.code))) ??
    methodology.areas[0]
  )?.code;
  return html`
<p><a href="/ranking/campaigns/${campaign.id}/work">← ${t('ranking.work.title')}</a></p>
<h1>${t('ranking.assess.title', { city: localName(city, ctx.locale) })}</h1>
<p>${campaignTitle(ctx, campaign)} · ${t(`ranking.phases.${campaign.phase}`)}</p>
${data.notice ? html`<p class="notice success" role="status">${data.notice}</p>` : ''}
${data.errors && Object.keys(data.errors).length ? html`<p class="notice error" role="alert">${t('ranking.assess.has_errors')}</p>` : ''}
<p>${data.mode.assess || data.mode.rework ? t('ranking.assess.intro') : data.mode.verify ? t('ranking.verify.intro') : t('ranking.assess.read_only')}</p>
<h2>${t('ranking.assess.progress')}</h2>
<p><progress id="assess-progress" max="${total}" value="${data.scores.length}" aria-label="${t('ranking.assess.progress')}">${data.scores.length}</progress> <span id="assess-count">${data.scores.length}</span> / ${total}</p>
<ul class="area-progress">${methodology.areas.map((area) => {
    const done = area.indicators.filter((i) => byCode.has(i.code)).length;
    return html`<li><a href="#area-${area.code}">${area.code}. ${local(ctx, area.name)}</a>: <span data-area-progress="${area.code}">${done}</span> / ${area.indicators.length}</li>`;
  })}</ul>
${methodology.areas.map(
  // One area open at a time to work in: the first with indicators left (or with an error), the rest folded.
  (
    area,
  ) => html`<details class="area-panel" id="area-${area.code}" data-area="${area.code}"${area.code === openArea ? html` open` : ''}>
<summary><h3 id="area-${area.code}-title">${area.code}. ${local(ctx, area.name)}</h3>
<span class="hint"><span data-area-progress="${area.code}">${area.indicators.filter((i) => byCode.has(i.code)).length}</span> / ${area.indicators.length}</span></summary>
<ol class="assess-list">${area.indicators.map((i) =>
    indicatorForm(
      ctx,
      base,
      i,
      byCode.get(i.code),
      data.files.filter((f) => f.code === i.code),
      data.mode,
      data.errors,
      data.budgetPage && isBudgetIndicator(area, i) ? data.budgetPage : null,
    ),
  )}</ol>
</details>`,
)}`;
}

export function appealsPage(
  ctx: PageContext,
  campaign: Campaign,
  appeals: (Appeal & { city: City; canDecide: boolean; levels: number[]; na: boolean })[],
  errors: Errors,
): SafeHtml {
  const { t } = ctx;
  return html`
<p><a href="/ranking/campaigns/${campaign.id}">← ${campaignTitle(ctx, campaign)}</a></p>
<h1>${t('ranking.appeals.title')}</h1>
${errorNotice(errors)}
${
  appeals.length
    ? html`<ul class="results">${appeals.map(
        (a) => html`<li id="appeal-${a.id}">
  <h2><a href="/ranking/campaigns/${campaign.id}/cities/${a.city.slug}#indicator-${a.code}">${localName(a.city, ctx.locale)}, ${a.code}</a></h2>
  ${appealBlock(ctx, a, campaign.id)}
  ${
    a.canDecide && a.state === 'pending'
      ? html`<form method="post" action="/ranking/appeals/${a.id}/decide" class="stacked wide">${csrfField(ctx)}
    <fieldset><legend>${t('ranking.appeals.decision')}</legend>
      <span class="checkbox"><input type="radio" id="a${a.id}-accept" name="decision" value="accept" required><label for="a${a.id}-accept">${t('ranking.appeals.accept')}</label></span>
      <span class="checkbox"><input type="radio" id="a${a.id}-reject" name="decision" value="reject"><label for="a${a.id}-reject">${t('ranking.appeals.reject')}</label></span>
    </fieldset>
    <label for="a${a.id}-level">${t('ranking.appeals.new_level')}</label>
    <select id="a${a.id}-level" name="level"><option value="">—</option>${a.levels.map((l) => html`<option value="${String(l)}">${formatNumber(ctx.locale, l)}</option>`)}${a.na ? html`<option value="na">${t('ranking.not_applicable')}</option>` : ''}</select>
    <label for="a${a.id}-reason">${t('ranking.appeals.reason')}</label><textarea id="a${a.id}-reason" name="decision_reason" rows="2" required></textarea>
    <button type="submit">${t('ranking.appeals.decide')}</button></form>`
      : ''
  }
</li>`,
      )}</ul>`
    : html`<div class="empty-state"><p>${t('ranking.appeals.none')}</p></div>`
}
<p class="hint">${t('ranking.appeals.public_after', { date: campaign.published_at ? formatDateTime(ctx.locale, campaign.published_at) : '—' })}</p>`;
}

/** The methodology editor of a draft version: each area and indicator has its own small form. */
export function methodologyEditPage(
  ctx: PageContext,
  id: number,
  methodology: MethodologyDocument,
  errors: Errors,
  notice?: string,
): SafeHtml {
  const { t } = ctx;
  const base = `/ranking/methodologies/${id}`;
  const three = (prefix: string, label: string, value: { uk: string; en: string; bg: string }, key: string, rows = 0) =>
    (['uk', 'en', 'bg'] as const).map((lang) => {
      const fieldId = `${key}-${prefix}-${lang}`;
      return rows
        ? html`<label for="${fieldId}">${label} (${lang})</label><textarea id="${fieldId}" name="${prefix}_${lang}" rows="${rows}">${value[lang]}</textarea>`
        : html`<label for="${fieldId}">${label} (${lang})</label><input type="text" id="${fieldId}" name="${prefix}_${lang}" value="${value[lang]}" required>`;
    });
  const indicatorFields = (key: string, i: MethodologyDocument['areas'][number]['indicators'][number]) => html`
    ${three('question', t('ranking.indicator'), i.question, key, 2)}
    <details><summary>${t('ranking.edit_guidance')}</summary>${three('guidance', t('ranking.guidance'), i.guidance, key, 2)}</details>
    <label for="${key}-points">${t('ranking.points')}</label><input type="number" id="${key}-points" name="points" value="${i.points}" min="0.5" max="100" step="0.5" required>
    <label for="${key}-type">${t('ranking.type_label')}</label><select id="${key}-type" name="type">${(['legal', 'best_practice', 'both'] as const).map((ty) => html`<option value="${ty}"${i.type === ty ? html` selected` : ''}>${t(`ranking.type.${ty}`)}</option>`)}</select>
    <fieldset class="checkboxes"><legend>${t('ranking.evidence_methods')}</legend>${(
      ['website', 'information_request', 'open_data', 'other'] as const
    ).map(
      (e) => html`<span class="checkbox">
      <input type="checkbox" id="${key}-ev-${e}" name="evidence" value="${e}"${i.evidence.includes(e) ? html` checked` : ''}><label for="${key}-ev-${e}">${t(`ranking.evidence_method.${e}`)}</label></span>`,
    )}</fieldset>
    <span class="checkbox"><input type="checkbox" id="${key}-na" name="not_applicable_allowed" value="on"${i.not_applicable_allowed ? html` checked` : ''}><label for="${key}-na">${t('ranking.na_allowed')}</label></span>
    <label for="${key}-levels">${t('ranking.levels')}</label><p class="hint" id="${key}-levels-hint">${t('ranking.levels_hint')}</p>
    <textarea id="${key}-levels" name="levels" rows="3" aria-describedby="${key}-levels-hint">${i.levels.map((l) => `${l.value} | ${l.description.uk} | ${l.description.en} | ${l.description.bg}`).join('\n')}</textarea>`;
  const blank = {
    code: '',
    question: { uk: '', en: '', bg: '' },
    guidance: { uk: '', en: '', bg: '' },
    points: 1,
    type: 'legal' as const,
    evidence: ['website' as const],
    not_applicable_allowed: false,
    levels: [
      { value: 1, description: { uk: 'Так', en: 'Yes', bg: 'Да' } },
      { value: 0, description: { uk: 'Ні', en: 'No', bg: 'Не' } },
    ],
  };
  return html`
<p><a href="${base}">← ${local(ctx, methodology.title)}</a></p>
<h1>${t('ranking.edit_methodology', { version: methodology.version })}</h1>
${notice ? html`<p class="notice success" role="status">${notice}</p>` : ''}
${errorNotice(errors)}
<p>${t('ranking.edit_intro')}</p>
${methodology.areas.map(
  (area) => html`<section aria-labelledby="e-area-${area.code}" class="edit-area">
<h2 id="e-area-${area.code}">${area.code}. ${local(ctx, area.name)}</h2>
<form method="post" action="${base}/areas/${area.code}" class="stacked wide">${csrfField(ctx)}
  ${three('name', t('ranking.area'), area.name, `a${area.code}`)}
  <label for="a${area.code}-max">${t('ranking.max_points_label')}</label><input type="number" id="a${area.code}-max" name="max_points" value="${area.max_points}" min="0.5" step="0.5" required>
  <button type="submit">${t('ranking.save_area')}</button></form>
${area.indicators.map(
  (i) => html`<details class="edit-indicator"><summary>${i.code}. ${local(ctx, i.question)}</summary>
<form method="post" action="${base}/indicators/${i.code}" class="stacked wide">${csrfField(ctx)}${indicatorFields(`i${i.code}`, i)}
  <button type="submit">${t('ranking.save_indicator')}</button></form>
<form method="post" action="${base}/indicators/${i.code}/delete" class="inline-form">${csrfField(ctx)}<button type="submit" class="danger">${t('ranking.delete_indicator')}</button></form>
</details>`,
)}
<details class="edit-indicator"><summary>${t('ranking.add_indicator')}</summary>
<form method="post" action="${base}/areas/${area.code}/indicators" class="stacked wide">${csrfField(ctx)}
  <label for="n${area.code}-code">${t('ranking.code')}</label><input type="text" id="n${area.code}-code" name="code" required maxlength="20">
  ${indicatorFields(`n${area.code}`, blank)}
  <button type="submit">${t('ranking.add_indicator')}</button></form></details>
</section>`,
)}
<h2>${t('ranking.add_area')}</h2>
<form method="post" action="${base}/areas" class="stacked wide">${csrfField(ctx)}
  <label for="new-area-code">${t('ranking.code')}</label><input type="text" id="new-area-code" name="code" required maxlength="20">
  ${three('name', t('ranking.area'), { uk: '', en: '', bg: '' }, 'new-area')}
  <label for="new-area-max">${t('ranking.max_points_label')}</label><input type="number" id="new-area-max" name="max_points" value="1" min="0.5" step="0.5" required>
  <button type="submit">${t('ranking.add_area')}</button></form>`;
}
