// Pages of the open budget's reference data: a city's "Codes" block on its profile, the form
// its editors use to change them, and the admins' page of income-tax parameters.
import { html, type SafeHtml } from '../../platform/html/html.ts';
import { textField, type FieldErrors, type FieldValues } from '../../platform/html/fields.ts';
import { csrfField, type PageContext } from '../../platform/html/layout.ts';
import { formatDate, formatNumber } from '../../platform/i18n/locales.ts';
import { sectionBlock } from '../../platform/sections.ts';
import { type CityCodes, MAX_BUDGET_CODE_ROWS } from './city-codes.ts';
import type { CityCodesRights } from './reference-policy.ts';
import { TAX_PARAMETERS, type TaxParameterRow } from './tax-shares.ts';

function validity(ctx: PageContext, from: string, to: string | null): string {
  return to
    ? ctx.t('budgetRef.codes.valid_range', { from: formatDate(ctx.locale, from), to: formatDate(ctx.locale, to) })
    : ctx.t('budgetRef.codes.valid_since', { from: formatDate(ctx.locale, from) });
}

function budgetCodesTable(ctx: PageContext, budgetCodes: CityCodes['budgetCodes']): SafeHtml {
  const { t } = ctx;
  return html`<div class="table-wrap"><table class="responsive">
  <caption class="visually-hidden">${t('budgetRef.codes.budget_codes')}</caption>
  <thead><tr><th scope="col">${t('budgetRef.codes.budget_code')}</th><th scope="col">${t('budgetRef.codes.validity')}</th></tr></thead>
  <tbody>${budgetCodes.map(
    (c) => html`<tr><th scope="row" data-label="${t('budgetRef.codes.budget_code')}"><code>${c.budgetCode}</code></th>
    <td data-label="${t('budgetRef.codes.validity')}">${validity(ctx, c.validFrom, c.validTo)}</td></tr>`,
  )}</tbody>
</table></div>`;
}

/** The "Codes" block of a city's profile; null when there is nothing to show nor to edit. */
export function cityCodesSection(
  ctx: PageContext,
  citySlug: string,
  codes: CityCodes,
  mayEdit: boolean,
): SafeHtml | null {
  const { t } = ctx;
  const empty = !codes.katottg && !codes.council?.edrpou && codes.budgetCodes.length === 0;
  if (empty && !mayEdit) return null;
  const body = html`
${
  empty
    ? html`<p class="empty-state">${t('budgetRef.codes.none')}</p>`
    : html`${
        codes.katottg || codes.council?.edrpou
          ? html`<dl class="facts">
  ${codes.katottg ? html`<dt>${t('budgetRef.codes.katottg')}</dt><dd><code>${codes.katottg}</code></dd>` : ''}
  ${codes.council?.edrpou ? html`<dt>${t('budgetRef.codes.council_edrpou')}</dt><dd><code>${codes.council.edrpou}</code></dd>` : ''}
</dl>`
          : ''
      }
${codes.budgetCodes.length ? budgetCodesTable(ctx, codes.budgetCodes) : ''}`
}
${mayEdit ? html`<p><a class="button secondary" href="/cities/${citySlug}/codes">${t('budgetRef.codes.edit')}</a></p>` : ''}`;
  return sectionBlock('budget-codes', t('budgetRef.codes.title'), body);
}

/** The form's values from stored codes: one row per budget code and empty rows to add more. */
export function cityCodesFormValues(codes: CityCodes): FieldValues {
  const values: FieldValues = { katottg: codes.katottg, council_edrpou: codes.council?.edrpou ?? null };
  codes.budgetCodes.forEach((c, row) => {
    values[`budget_code_${row}`] = c.budgetCode;
    values[`valid_from_${row}`] = c.validFrom;
    values[`valid_to_${row}`] = c.validTo;
  });
  return values;
}

export function cityCodesFormPage(
  ctx: PageContext,
  city: { slug: string; name: string },
  codes: CityCodes,
  rights: CityCodesRights,
  values: FieldValues,
  errors?: FieldErrors,
  notice?: string,
): SafeHtml {
  const { t } = ctx;
  const field = (name: string, label: string, extra: SafeHtml = html``) =>
    textField({ name, label, values, errors, extra });
  // The stored rows, those the person typed, and two empty ones, up to the form's limit.
  const filled = Object.keys(values).filter((k) => /^budget_code_\d+$/.test(k) && values[k]).length;
  const rows = Math.min(MAX_BUDGET_CODE_ROWS, Math.max(codes.budgetCodes.length, filled) + 2);
  return html`
<p><a href="/cities/${city.slug}">← ${city.name}</a></p>
<h1>${t('budgetRef.codes.form_title', { city: city.name })}</h1>
${notice ? html`<p class="notice success" role="status">${notice}</p>` : ''}
${errors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
<form method="post" action="/cities/${city.slug}/codes" class="stacked" novalidate>
  ${csrfField(ctx)}
  ${field('katottg', t('budgetRef.codes.katottg'), html` autocomplete="off" spellcheck="false"`)}
  <p class="hint">${t('budgetRef.codes.katottg_hint')}</p>
  ${
    !codes.council
      ? html`<p class="notice info">${t('budgetRef.codes.no_council')}</p>`
      : codes.council.edrpou && !rights.replaceCouncilEdrpou
        ? html`<dl class="facts"><dt>${t('budgetRef.codes.council_edrpou')}</dt><dd><code>${codes.council.edrpou}</code></dd></dl>
  <p class="hint">${t('budgetRef.codes.council_edrpou_admin_only')}</p>`
        : html`${field('council_edrpou', t('budgetRef.codes.council_edrpou'), html` inputmode="numeric" autocomplete="off"`)}
  <p class="hint">${t('budgetRef.codes.council_edrpou_hint')}</p>`
  }
  <h2>${t('budgetRef.codes.budget_codes')}</h2>
  ${
    rights.assignBudgetCodes
      ? html`<p class="hint">${t('budgetRef.codes.budget_codes_hint')}</p>
  ${Array.from(
    { length: rows },
    (_, row) => html`<fieldset class="budget-code-row">
    <legend>${t('budgetRef.codes.row', { n: row + 1 })}</legend>
    ${field(`budget_code_${row}`, t('budgetRef.codes.budget_code'), html` inputmode="numeric" autocomplete="off"`)}
    ${field(`valid_from_${row}`, t('budgetRef.codes.valid_from'), html` placeholder="${t('budgetRef.codes.date_format')}" autocomplete="off"`)}
    ${field(`valid_to_${row}`, t('budgetRef.codes.valid_to'), html` placeholder="${t('budgetRef.codes.open_ended')}" autocomplete="off"`)}
  </fieldset>`,
  )}`
      : html`<p class="notice info">${t('budgetRef.codes.budget_codes_admin_only')}</p>
  ${codes.budgetCodes.length ? budgetCodesTable(ctx, codes.budgetCodes) : html`<p class="empty-state">${t('budgetRef.codes.no_budget_codes')}</p>`}`
  }
  <button type="submit" class="primary">${t('admin.save')}</button>
</form>`;
}

/** The parameters grouped by year, the latest first. */
function byYear(rows: TaxParameterRow[]): [number, Map<string, TaxParameterRow>][] {
  const years = new Map<number, Map<string, TaxParameterRow>>();
  for (const row of rows) {
    if (!years.has(row.year)) years.set(row.year, new Map());
    years.get(row.year)!.set(row.parameter, row);
  }
  return [...years].sort((a, b) => b[0] - a[0]);
}

function percent(ctx: PageContext, share: number): string {
  return `${formatNumber(ctx.locale, Math.round(share * 100000) / 1000)} %`;
}

export function taxParametersPage(
  ctx: PageContext,
  rows: TaxParameterRow[],
  values: FieldValues,
  errors?: FieldErrors,
  notice?: string,
): SafeHtml {
  const { t } = ctx;
  const field = (name: string, label: string, extra: SafeHtml = html``) =>
    textField({ name, label, values, errors, extra });
  const current = String(values.parameter ?? 'pit_city_share');
  return html`
<p><a href="/admin">← ${t('admin.title')}</a></p>
<h1>${t('budgetRef.tax.title')}</h1>
<p>${t('budgetRef.tax.intro')}</p>
${notice ? html`<p class="notice success" role="status">${notice}</p>` : ''}
${
  rows.length
    ? html`<div class="table-wrap"><table class="responsive">
  <caption>${t('budgetRef.tax.recorded')}</caption>
  <thead><tr><th scope="col">${t('budgetRef.tax.year')}</th>${TAX_PARAMETERS.map((p) => html`<th scope="col">${t(`budgetRef.tax.${p}`)}</th>`)}</tr></thead>
  <tbody>${byYear(rows).map(
    ([year, values]) => html`<tr><th scope="row" data-label="${t('budgetRef.tax.year')}">${String(year)}</th>
    ${TAX_PARAMETERS.map((p) => {
      const r = values.get(p);
      return html`<td data-label="${t(`budgetRef.tax.${p}`)}">${
        r
          ? html`<strong>${percent(ctx, r.share)}</strong>
      <p class="hint">${r.sourceUrl ? html`<a href="${r.sourceUrl}" rel="noopener nofollow">${r.source}</a>` : r.source}</p>`
          : '—'
      }</td>`;
    })}</tr>`,
  )}</tbody>
</table></div>`
    : html`<p class="empty-state">${t('budgetRef.tax.none')}</p>`
}
<h2>${t('budgetRef.tax.form_title')}</h2>
${errors ? html`<p class="notice error" role="alert">${t('validation.fix_errors')}</p>` : ''}
<form method="post" action="/admin/budget-tax-parameters" class="stacked" novalidate>
  ${csrfField(ctx)}
  ${field('year', t('budgetRef.tax.year'), html` inputmode="numeric" required`)}
  <fieldset>
    <legend>${t('budgetRef.tax.parameter')}</legend>
    ${TAX_PARAMETERS.map(
      (
        p,
      ) => html`<div class="checkbox"><input type="radio" id="parameter-${p}" name="parameter" value="${p}"${current === p ? html` checked` : ''}>
      <label for="parameter-${p}">${t(`budgetRef.tax.${p}`)}</label></div>`,
    )}
    ${errors?.parameter ? html`<p class="field-error">${errors.parameter}</p>` : ''}
  </fieldset>
  ${field('percent', t('budgetRef.tax.percent'), html` inputmode="decimal" required`)}
  ${field('source', t('budgetRef.tax.source'), html` required`)}
  <p class="hint">${t('budgetRef.tax.source_hint')}</p>
  ${textField({ name: 'source_url', label: t('budgetRef.tax.source_url'), type: 'url', values, errors })}
  <button type="submit" class="primary">${t('admin.save')}</button>
</form>`;
}

/** The dashboard block: links to the codes of the cities this person edits, and for admins the tax parameters. */
export function dashboardReferenceSection(
  ctx: PageContext,
  cities: { slug: string; name: string }[],
  mayEditTax: boolean,
): SafeHtml {
  const { t } = ctx;
  return sectionBlock(
    'dash-budget-reference',
    t('budgetRef.dashboard.title'),
    html`<ul>
  ${cities.map((c) => html`<li><a href="/cities/${c.slug}/codes">${t('budgetRef.codes.form_title', { city: c.name })}</a></li>`)}
  ${mayEditTax ? html`<li><a href="/admin/budget-tax-parameters">${t('budgetRef.tax.title')}</a></li>` : ''}
</ul>`,
  );
}
