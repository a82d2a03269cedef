// Pages of a city's inventory: the public register with its publication plan, the entry form,
// and the import form with its validation report.
import { html, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, type PageContext } from '../../platform/html/layout.ts';
import { selectField, textAreaField, textField, type FieldValues } from '../../platform/html/fields.ts';
import { formatDate, formatNumber } from '../../platform/i18n/locales.ts';
import { localName, type City } from '../cities/service.ts';
import { itemName, type MandatoryItem } from './service.ts';
import {
  COLUMNS,
  CRITERIA,
  STATUSES,
  priorityOf,
  type ImportReport,
  type InventoryItem,
  type InventoryStatus,
  type PlanSummary,
} from './inventory.ts';

type Errors = Record<string, string> | undefined;

const STATUS_TONE: Record<InventoryStatus, string> = {
  not_published: '',
  planned: 'info',
  published: 'success',
  restricted: 'warning',
};

export function statusBadge(ctx: PageContext, status: InventoryStatus): SafeHtml {
  return html`<span class="badge ${STATUS_TONE[status]}">${ctx.t(`dataProgramme.inventory.statuses.${status}`)}</span>`;
}

function statusDetail(ctx: PageContext, item: InventoryItem, today: string): SafeHtml {
  const { t } = ctx;
  switch (item.status) {
    case 'planned':
      return html`${t('dataProgramme.inventory.due', { date: formatDate(ctx.locale, item.planned_on!) })}${
        item.planned_on! < today ? html` <span class="badge danger">${t('dataProgramme.inventory.overdue')}</span>` : ''
      }`;
    case 'published':
      return item.dataset_name ? html`<a href="/datasets/${item.dataset_name}">${item.dataset_name}</a>` : html``;
    case 'restricted':
      return html`${item.restriction_reason ?? ''}`;
    default:
      return html``;
  }
}

export function inventoryPage(
  ctx: PageContext,
  city: City,
  items: InventoryItem[],
  plan: PlanSummary,
  today: string,
  canEdit: boolean,
  notice?: string,
): SafeHtml {
  const { t } = ctx;
  const name = localName(city, ctx.locale);
  const base = `/cities/${city.slug}/inventory`;
  return html`<p><a href="/cities/${city.slug}">${name}</a> · <a href="/cities/${city.slug}/compliance">${t('dataProgramme.city_section')}</a></p>
<h1>${t('dataProgramme.inventory.title', { city: name })}</h1>
${notice ? html`<p class="notice success" role="status">${notice}</p>` : ''}
<p class="lead">${t('dataProgramme.inventory.intro')}</p>
${
  canEdit
    ? html`<p class="actions"><a class="button primary" href="${base}/new">${t('dataProgramme.inventory.new')}</a>
<a class="button secondary" href="${base}/import">${t('dataProgramme.inventory.import')}</a></p>
<form method="post" action="${base}/publish" class="inline-form">${csrfField(ctx)}<button type="submit" class="secondary">${t('dataProgramme.inventory.publish_register')}</button></form>`
    : ''
}
<p>${t('dataProgramme.inventory.download')}: <a href="${base}.csv">CSV</a> · <a href="${base}.xlsx">XLSX</a> · <a href="/api/v1/cities/${city.slug}/inventory">JSON (API)</a></p>

<h2>${t('dataProgramme.inventory.plan_title')}</h2>
<p>${t('dataProgramme.inventory.progress', { published: plan.byStatus.published, total: plan.total - plan.byStatus.restricted, percent: formatNumber(ctx.locale, plan.progress) })}</p>
<progress max="100" value="${plan.progress}" aria-label="${t('dataProgramme.inventory.plan_title')}"></progress>
<ul class="inline-list">${STATUSES.map((s) => html`<li>${statusBadge(ctx, s)} ${plan.byStatus[s]}</li>`)}</ul>
${
  plan.overdue.length
    ? html`<div class="notice warning"><p><strong>${t('dataProgramme.inventory.overdue_count', { count: plan.overdue.length })}</strong></p>
<ul>${plan.overdue.map((i) => html`<li>${i.name} — ${t('dataProgramme.inventory.due', { date: formatDate(ctx.locale, i.planned_on!) })} (${i.unit})</li>`)}</ul></div>`
    : ''
}
${
  plan.planned.length
    ? html`<table class="responsive"><caption>${t('dataProgramme.inventory.planned_caption', { count: plan.planned.length })}</caption>
<thead><tr><th scope="col">${t('dataProgramme.inventory.due_date')}</th><th scope="col">${t('dataProgramme.inventory.fields.name')}</th><th scope="col">${t('dataProgramme.inventory.fields.unit')}</th></tr></thead>
<tbody>${plan.planned.map(
        (
          i,
        ) => html`<tr><td data-label="${t('dataProgramme.inventory.due_date')}">${formatDate(ctx.locale, i.planned_on!)}${i.planned_on! < today ? html` <span class="badge danger">${t('dataProgramme.inventory.overdue')}</span>` : ''}</td>
<th scope="row" data-label="${t('dataProgramme.inventory.fields.name')}">${i.name}</th><td data-label="${t('dataProgramme.inventory.fields.unit')}">${i.unit}</td></tr>`,
      )}</tbody></table>`
    : ''
}

<h2>${t('dataProgramme.inventory.register')}</h2>
<details><summary>${t('dataProgramme.inventory.priority_rule_title')}</summary><ul>${CRITERIA.map((c) => html`<li><strong>${t(`dataProgramme.inventory.fields.${c}`)}</strong>: ${t(`dataProgramme.inventory.criteria.${c}`)}</li>`)}</ul><p>${t('dataProgramme.inventory.priority_rule')}</p></details>
${
  items.length
    ? html`<table class="responsive"><caption>${t('dataProgramme.inventory.caption', { count: items.length })}</caption>
<thead><tr><th scope="col">${t('dataProgramme.inventory.fields.name')}</th><th scope="col">${t('dataProgramme.inventory.fields.unit')}</th><th scope="col">${t('dataProgramme.inventory.where')}</th><th scope="col">${t('dataProgramme.inventory.fields.priority')}</th><th scope="col">${t('dataProgramme.inventory.fields.status')}</th>${canEdit ? html`<th scope="col"><span class="visually-hidden">${t('dataProgramme.edit')}</span></th>` : ''}</tr></thead>
<tbody>${items.map(
        (i) => html`<tr id="entry-${i.id}">
<th scope="row" data-label="${t('dataProgramme.inventory.fields.name')}">${i.name}${i.mandatory_code ? html` <code>${i.mandatory_code}</code>` : ''}${i.personal_data ? html` <span class="badge warning">${t('dataProgramme.inventory.personal')}</span>` : ''}${i.description ? html`<br><span class="hint">${i.description}</span>` : ''}</th>
<td data-label="${t('dataProgramme.inventory.fields.unit')}">${i.unit}</td>
<td data-label="${t('dataProgramme.inventory.where')}">${[i.system, i.format].filter(Boolean).join(' · ')}</td>
<td data-label="${t('dataProgramme.inventory.fields.priority')}" class="number">${priorityOf(i)} / 9</td>
<td data-label="${t('dataProgramme.inventory.fields.status')}">${statusBadge(ctx, i.status)} ${statusDetail(ctx, i, today)}</td>
${canEdit ? html`<td><a href="${base}/${i.id}/edit">${t('dataProgramme.edit')}<span class="visually-hidden"> ${i.name}</span></a></td>` : ''}
</tr>`,
      )}</tbody></table>`
    : html`<p class="empty-state">${t('dataProgramme.inventory.empty')}</p>`
}`;
}

export function entryForm(
  ctx: PageContext,
  city: City,
  values: FieldValues,
  errors: Errors,
  id: number | null,
  datasets: { name: string; title: string }[],
  items: MandatoryItem[],
): SafeHtml {
  const { t } = ctx;
  const f = (name: string) => t(`dataProgramme.inventory.fields.${name}`);
  const base = `/cities/${city.slug}/inventory`;
  const score = (name: string) =>
    selectField({
      name,
      label: `${f(name)} — ${t(`dataProgramme.inventory.criteria.${name}`)}`,
      values,
      errors,
      choices: [0, 1, 2, 3].map((n) => ({ value: String(n), label: String(n) })),
    });
  return html`<p><a href="${base}">${t('dataProgramme.inventory.title', { city: localName(city, ctx.locale) })}</a></p>
<h1>${id ? t('dataProgramme.inventory.edit') : t('dataProgramme.inventory.new')}</h1>
${errors ? html`<p class="notice error" role="alert">${errors._form ?? t('validation.fix_errors')}</p>` : ''}
<form method="post" action="${id ? `${base}/${id}/edit` : `${base}/new`}" class="stack">
${csrfField(ctx)}
${textField({ name: 'name', label: f('name'), values, errors, extra: html` required maxlength="500"` })}
${textAreaField({ name: 'description', label: f('description'), values, errors, rows: 3 })}
${textField({ name: 'unit', label: f('unit'), values, errors, extra: html` required maxlength="300"` })}
${textField({ name: 'contact', label: f('contact'), values, errors, extra: html` maxlength="300"` })}
${textField({ name: 'system', label: f('system'), values, errors, extra: html` maxlength="300"` })}
${textField({ name: 'format', label: f('format'), values, errors, extra: html` maxlength="100"` })}
${selectField({
  name: 'personal_data',
  label: f('personal_data'),
  values,
  errors,
  choices: [
    { value: 'no', label: t('dataProgramme.no') },
    { value: 'yes', label: t('dataProgramme.yes') },
  ],
})}
${textField({ name: 'legal_limits', label: f('legal_limits'), values, errors, extra: html` maxlength="1000"` })}
<fieldset><legend>${t('dataProgramme.inventory.value_legend')}</legend>
${CRITERIA.map(score)}
</fieldset>
${selectField({ name: 'status', label: f('status'), values, errors, choices: STATUSES.map((s) => ({ value: s, label: t(`dataProgramme.inventory.statuses.${s}`) })) })}
<fieldset><legend>${t('dataProgramme.inventory.statuses.planned')}</legend>
${textField({ name: 'planned_on', label: f('planned_on'), values, errors, type: 'date' })}
${textField({ name: 'responsible_name', label: f('responsible_name'), values, errors, extra: html` maxlength="300"` })}
${textField({ name: 'responsible_email', label: f('responsible_email'), values, errors, type: 'email', extra: html` maxlength="254"` })}
</fieldset>
${selectField({ name: 'dataset', label: f('dataset'), values, errors, empty: '—', choices: datasets.map((d) => ({ value: d.name, label: d.title })) })}
${textAreaField({ name: 'restriction_reason', label: f('restriction_reason'), values, errors, rows: 2 })}
${selectField({ name: 'mandatory_code', label: f('mandatory_code'), values, errors, empty: '—', choices: items.map((i) => ({ value: i.code, label: `${i.code} — ${itemName(i, ctx.locale)}` })) })}
<p><button type="submit" class="primary">${t('dataProgramme.save')}</button> <a href="${base}">${t('dataProgramme.cancel')}</a></p>
</form>
${
  id
    ? html`<form method="post" action="${base}/${id}/delete" class="stack">${csrfField(ctx)}<p><button type="submit" class="danger">${t('dataProgramme.inventory.delete')}</button></p></form>`
    : ''
}`;
}

export function importPage(ctx: PageContext, city: City, report: ImportReport | null, error: string | null): SafeHtml {
  const { t } = ctx;
  const base = `/cities/${city.slug}/inventory`;
  return html`<p><a href="${base}">${t('dataProgramme.inventory.title', { city: localName(city, ctx.locale) })}</a></p>
<h1>${t('dataProgramme.inventory.import')}</h1>
<p>${t('dataProgramme.inventory.import_intro')}</p>
<p class="hint">${t('dataProgramme.inventory.import_columns')}: <code>${COLUMNS.filter((c) => c !== 'priority').join(', ')}</code></p>
<p>${t('dataProgramme.inventory.import_template')} <a href="${base}.xlsx">XLSX</a> · <a href="${base}.csv">CSV</a></p>
${error ? html`<p class="notice error" role="alert" id="file-error">${error}</p>` : ''}
${
  report
    ? report.errors.length
      ? html`<div class="notice error" role="alert"><p><strong>${t('dataProgramme.inventory.report_failed', { count: report.errors.length })}</strong></p></div>
<table class="responsive" id="import-report"><caption>${t('dataProgramme.inventory.report_caption')}</caption>
<thead><tr><th scope="col">${t('dataProgramme.inventory.row')}</th><th scope="col">${t('dataProgramme.inventory.column')}</th><th scope="col">${t('dataProgramme.inventory.problem')}</th></tr></thead>
<tbody>${report.errors
          .slice(0, 500)
          .map(
            (e) =>
              html`<tr><td data-label="${t('dataProgramme.inventory.row')}" class="number">${e.row}</td><td data-label="${t('dataProgramme.inventory.column')}"><code>${e.field}</code></td><td data-label="${t('dataProgramme.inventory.problem')}">${t(e.message, e.params)}</td></tr>`,
          )}</tbody></table>`
      : html`<p class="notice success" role="status">${t('dataProgramme.inventory.report_done', { created: report.created, updated: report.updated })}</p>`
    : ''
}
<form method="post" action="${base}/import" enctype="multipart/form-data" class="stack">
${csrfField(ctx)}
<label for="file">${t('dataProgramme.inventory.file')}</label>
<input type="file" id="file" name="file" required accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"${error ? html` aria-describedby="file-error"` : ''}>
<p><button type="submit" class="primary">${t('dataProgramme.inventory.import')}</button></p>
</form>`;
}

/** On a city's profile: the register's progress and what is overdue. */
export function inventorySummary(ctx: PageContext, city: City, plan: PlanSummary): SafeHtml {
  const { t } = ctx;
  return html`<p>${t('dataProgramme.inventory.progress', { published: plan.byStatus.published, total: plan.total - plan.byStatus.restricted, percent: formatNumber(ctx.locale, plan.progress) })}${
    plan.overdue.length
      ? html` · <span class="badge danger">${t('dataProgramme.inventory.overdue_count', { count: plan.overdue.length })}</span>`
      : ''
  }</p>
<p><a href="/cities/${city.slug}/inventory">${t('dataProgramme.inventory.link')}</a></p>`;
}
