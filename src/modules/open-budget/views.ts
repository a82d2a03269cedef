// City budget pages: the list of cities, a city's year (plan against execution by fund, the
// drill-down with a treemap and the same numbers in a table, the execution curve, the largest
// programmes, change against previous years, per-resident figures), the comparison of cities,
// "where do my taxes go", and the editors' import page with its report.
import { html, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, type PageContext } from '../../platform/html/layout.ts';
import { formatDateTime, formatNumber, type Locale } from '../../platform/i18n/locales.ts';
import { localName, type City } from '../cities/service.ts';
import { type ClassificationKind, lookupCode } from './classifications.ts';
import { curveSvg, millions, treemapSvg } from './charts.ts';
import { FILE_KINDS, kindKey, type ReportEntry } from './parser.ts';
import { type BudgetDocument, DOCUMENT_TYPES } from './documents.ts';
import type {
  BudgetImport,
  compareCities,
  FileRows,
  FinancingSummary,
  ItemSummary,
  ParticipatoryCycle,
  Totals,
  TreeNode,
  yearlyTotals,
} from './service.ts';

const svgImage = (svg: string, alt: string, height: number) =>
  html`<figure class="chart"><img src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}" alt="${alt}" width="900" height="${height}"></figure>`;

const percent = (locale: Locale, part: number, whole: number) =>
  whole > 0 ? `${formatNumber(locale, Math.round((part / whole) * 1000) / 10)} %` : '—';

const LIST_OF: Record<string, ClassificationKind> = {
  INCOMES: 'income',
  PROGRAM: 'program',
  FUNCTIONAL: 'functional',
  ECONOMIC: 'economic',
};

/** A code's name in the reader's language from the reference list, else the file's, else the code. */
export function codeName(locale: Locale, list: ClassificationKind, code: string, year: number, fileName = ''): string {
  return lookupCode(list, code, year)?.name[locale] || fileName || code;
}

function totalsCells(ctx: PageContext, totals: Totals | undefined): SafeHtml {
  const { t, locale } = ctx;
  if (!totals) return html`<td colspan="4">—</td>`;
  return html`<td class="number" data-label="${t('openBudget.plan_year')}">${millions(locale, totals.planYear)}</td>
<td class="number" data-label="${t('openBudget.plan_to_date')}">${millions(locale, totals.planPeriod)}</td>
<td class="number" data-label="${t('openBudget.executed')}">${millions(locale, totals.executed)}</td>
<td class="number" data-label="${t('openBudget.executed_share')}">${percent(locale, totals.executed, totals.planYear)}</td>`;
}

function fundsTable(ctx: PageContext, caption: string, summary: ItemSummary): SafeHtml {
  const { t } = ctx;
  return html`<table class="responsive">
<caption>${caption} — ${t('openBudget.as_of_month', { month: summary.month })}</caption>
<thead><tr><th scope="col">${t('openBudget.fund')}</th><th scope="col" class="number">${t('openBudget.plan_year')}</th><th scope="col" class="number">${t('openBudget.plan_to_date')}</th><th scope="col" class="number">${t('openBudget.executed')}</th><th scope="col" class="number">${t('openBudget.executed_share')}</th></tr></thead>
<tbody>${(['C', 'S', 'T'] as const).map((fund) => (summary.funds[fund] ? html`<tr><th scope="row">${t(`openBudget.funds.${fund}`)}</th>${totalsCells(ctx, summary.funds[fund])}</tr>` : ''))}</tbody>
</table>`;
}

export function indexPage(
  ctx: PageContext,
  cities: { slug: string; name_uk: string; name_en: string; name_bg: string; latest: number }[],
): SafeHtml {
  const { t, locale } = ctx;
  return html`<h1>${t('openBudget.title')}</h1>
<p class="lead">${t('openBudget.intro')}</p>
<p><a href="/city-budget/compare">${t('openBudget.compare.title')}</a> · <a href="/city-budget/taxes">${t('openBudget.taxes.title')}</a> · <a href="/budgets">${t('openBudget.not_participatory')}</a></p>
${
  cities.length
    ? html`<ul class="cards">${cities.map(
        (c) =>
          html`<li class="card"><h2><a href="/city-budget/${c.slug}/${c.latest}">${localName(c, locale)}</a></h2><p>${t('openBudget.latest_year', { year: String(c.latest) })}</p></li>`,
      )}</ul>`
    : html`<p class="empty-state">${t('openBudget.none_yet')}</p>`
}`;
}

export interface YearPageData {
  city: City;
  year: number;
  years: number[];
  summary: { incomes?: ItemSummary; expenses?: ItemSummary };
  view: 'INCOMES' | 'PROGRAM' | 'FUNCTIONAL' | 'ECONOMIC';
  views: string[];
  tree: { month: number; roots: TreeNode[] } | null;
  /** The node drilled into, and the path to it from the top. */
  focus: TreeNode | null;
  path: TreeNode[];
  largest: { code: string; name: string; executed: string; plan_year: string }[];
  history: Awaited<ReturnType<typeof yearlyTotals>>;
  approved: { item: string; code: string; fund: string; amount: string; decision: string }[];
  financing: FinancingSummary;
  documents: BudgetDocument[];
  /** Participatory-budget cycles paid from a programme, by programme code. */
  participatory: Map<string, ParticipatoryCycle[]>;
  canEdit: boolean;
  demo: boolean;
}

export function yearPage(ctx: PageContext, d: YearPageData): SafeHtml {
  const { t, locale } = ctx;
  const name = localName(d.city, locale);
  const base = `/city-budget/${d.city.slug}/${d.year}`;
  const population = d.city.population ?? 0;
  const perResident = (value: number | undefined) =>
    population > 0 && value !== undefined ? formatNumber(locale, Math.round(value / population)) : '—';
  const list = LIST_OF[d.view]!;
  const level = d.focus ? d.focus.children : (d.tree?.roots ?? []);
  const nodeName = (n: TreeNode) => codeName(locale, list, n.code, d.year, n.name);
  const levelTotal = level.reduce((s, n) => s + n.totals.executed, 0);
  // The participatory budget's programmes, marked on their rows and on the groups above them.
  const holdsParticipatory = (n: TreeNode): boolean =>
    d.participatory.has(n.code) || n.children.some(holdsParticipatory);
  const participatoryBadge = (on: boolean) =>
    on ? html` <span class="badge info">${t('openBudget.participatory.badge')}</span>` : '';
  const cycleTitle = (c: { title_uk: string; title_en: string; title_bg: string }) =>
    ({ uk: c.title_uk, en: c.title_en, bg: c.title_bg })[locale] || c.title_uk;
  return html`<h1>${t('openBudget.city_title', { city: name, year: String(d.year) })}</h1>
${d.demo ? html`<p class="notice info">${t('openBudget.demo_notice')}</p>` : ''}
<nav class="tabs" aria-label="${t('openBudget.years')}"><ul>${d.years.map(
    (y) =>
      html`<li><a href="/city-budget/${d.city.slug}/${y}"${y === d.year ? html` aria-current="page"` : ''}>${y}</a></li>`,
  )}</ul></nav>
${d.canEdit ? html`<p><a class="button secondary" href="/city-budget/${d.city.slug}/imports">${t('openBudget.imports.title')}</a></p>` : ''}
<section aria-labelledby="ob-overview"><h2 id="ob-overview">${t('openBudget.overview')}</h2>
<div class="cards">
<div class="card"><h3>${t('openBudget.revenues')}</h3><span class="stat">${d.summary.incomes?.funds.T ? millions(locale, d.summary.incomes.funds.T.executed) : '—'}</span> ${t('openBudget.million_uah')}
<p>${t('openBudget.per_resident')}: ${perResident(d.summary.incomes?.funds.T?.executed)} ${t('openBudget.uah')}</p>
${d.summary.incomes?.funds.T ? html`<progress max="100" value="${Math.min(100, Math.round((d.summary.incomes.funds.T.executed / (d.summary.incomes.funds.T.planYear || 1)) * 100))}" aria-label="${t('openBudget.executed_share')}"></progress> ${percent(locale, d.summary.incomes.funds.T.executed, d.summary.incomes.funds.T.planYear)}` : ''}</div>
<div class="card"><h3>${t('openBudget.spending')}</h3><span class="stat">${d.summary.expenses?.funds.T ? millions(locale, d.summary.expenses.funds.T.executed) : '—'}</span> ${t('openBudget.million_uah')}
<p>${t('openBudget.per_resident')}: ${perResident(d.summary.expenses?.funds.T?.executed)} ${t('openBudget.uah')}</p>
${d.summary.expenses?.funds.T ? html`<progress max="100" value="${Math.min(100, Math.round((d.summary.expenses.funds.T.executed / (d.summary.expenses.funds.T.planYear || 1)) * 100))}" aria-label="${t('openBudget.executed_share')}"></progress> ${percent(locale, d.summary.expenses.funds.T.executed, d.summary.expenses.funds.T.planYear)}` : ''}</div>
</div>
<p class="hint">${t('openBudget.population_note', { population: population ? formatNumber(locale, population) : '—' })} ${t('openBudget.amounts_note')}</p>
<div class="table-wrap">${d.summary.incomes ? fundsTable(ctx, t('openBudget.revenues'), d.summary.incomes) : ''}${d.summary.expenses ? fundsTable(ctx, t('openBudget.spending'), d.summary.expenses) : ''}</div>
</section>

<section aria-labelledby="ob-drill"><h2 id="ob-drill">${t('openBudget.structure')}</h2>
<nav class="tabs" aria-label="${t('openBudget.classification')}"><ul>${d.views.map(
    (v) =>
      html`<li><a href="${base}?view=${v}#ob-drill"${v === d.view ? html` aria-current="page"` : ''}>${t(`openBudget.views.${v}`)}</a></li>`,
  )}</ul></nav>
${
  d.tree
    ? html`<nav aria-label="${t('openBudget.breadcrumb')}"><p><a href="${base}?view=${d.view}#ob-drill">${t('openBudget.all_sections')}</a>${d.path.map(
        (n) => html` › <a href="${base}?view=${d.view}&code=${n.code}#ob-drill">${nodeName(n)}</a>`,
      )}</p></nav>
${svgImage(
  treemapSvg(
    level.map((n) => ({
      name: nodeName(n),
      value: n.totals.executed,
      children: n.children.map((c) => ({
        name: codeName(locale, list, c.code, d.year, c.name),
        value: c.totals.executed,
      })),
    })),
    locale,
  ),
  t('openBudget.treemap_alt', { what: d.focus ? nodeName(d.focus) : t(`openBudget.views.${d.view}`) }),
  420,
)}
<div class="table-wrap"><table class="responsive">
<caption>${d.focus ? nodeName(d.focus) : t(`openBudget.views.${d.view}`)} — ${t('openBudget.as_of_month', { month: d.tree.month })}, ${t('openBudget.million_uah')}</caption>
<thead><tr><th scope="col">${t('openBudget.code')}</th><th scope="col">${t('openBudget.name')}</th><th scope="col" class="number">${t('openBudget.plan_year')}</th><th scope="col" class="number">${t('openBudget.plan_to_date')}</th><th scope="col" class="number">${t('openBudget.executed')}</th><th scope="col" class="number">${t('openBudget.executed_share')}</th><th scope="col" class="number">${t('openBudget.share_of_level')}</th></tr></thead>
<tbody>${level.map(
        (
          n,
        ) => html`<tr><td data-label="${t('openBudget.code')}"><code>${n.code}</code>${n.known ? '' : html` <span class="badge warning">${t('openBudget.unknown_code')}</span>`}</td>
<td data-label="${t('openBudget.name')}">${n.children.length ? html`<a href="${base}?view=${d.view}&code=${n.code}#ob-drill">${nodeName(n)}</a>` : nodeName(n)}${participatoryBadge(d.view === 'PROGRAM' && holdsParticipatory(n))}</td>
${totalsCells(ctx, n.totals)}<td class="number" data-label="${t('openBudget.share_of_level')}">${percent(locale, n.totals.executed, levelTotal)}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="empty-state">${t('openBudget.no_data_view')}</p>`
}
</section>

${
  d.participatory.size
    ? html`<section aria-labelledby="ob-participatory"><h2 id="ob-participatory">${t('openBudget.participatory.title')}</h2>
<ul>${[...d.participatory].flatMap(([code, cycles]) =>
        cycles.map(
          (c) =>
            html`<li><a href="/budgets/${c.id}">${cycleTitle(c)}</a> — ${t('openBudget.participatory.line')} <a href="${base}?view=PROGRAM&code=${code}#ob-drill"><code>${code}</code> ${codeName(locale, 'program', code, d.year, c.programme_name)}</a></li>`,
        ),
      )}</ul></section>`
    : ''
}

${
  d.summary.expenses?.curve.length || d.summary.incomes?.curve.length
    ? html`<section aria-labelledby="ob-curve"><h2 id="ob-curve">${t('openBudget.curve')}</h2>
${[d.summary.incomes, d.summary.expenses].map((s) =>
  s
    ? html`<h3>${t(s.item === 'INCOMES' ? 'openBudget.revenues' : 'openBudget.spending')}</h3>${svgImage(
        curveSvg(s.curve, { executed: t('openBudget.executed_cumulative'), pace: t('openBudget.even_pace') }, locale),
        t('openBudget.curve_alt'),
        340,
      )}
<div class="table-wrap"><table class="responsive"><caption>${t('openBudget.curve')}, ${t('openBudget.million_uah')}</caption>
<thead><tr><th scope="col">${t('openBudget.month')}</th><th scope="col" class="number">${t('openBudget.executed_cumulative')}</th><th scope="col" class="number">${t('openBudget.executed_in_month')}</th><th scope="col" class="number">${t('openBudget.even_pace')}</th></tr></thead>
<tbody>${s.curve.map(
        (
          p,
          i,
        ) => html`<tr><th scope="row">${p.month}</th><td class="number" data-label="${t('openBudget.executed_cumulative')}">${millions(locale, p.executed)}</td>
<td class="number" data-label="${t('openBudget.executed_in_month')}">${millions(locale, p.executed - (i > 0 && s.curve[i - 1]!.month === p.month - 1 ? s.curve[i - 1]!.executed : 0))}</td>
<td class="number" data-label="${t('openBudget.even_pace')}">${millions(locale, (s.curve[s.curve.length - 1]!.planYear * p.month) / 12)}</td></tr>`,
      )}</tbody></table></div>`
    : '',
)}</section>`
    : ''
}

${
  d.largest.length
    ? html`<section aria-labelledby="ob-largest"><h2 id="ob-largest">${t('openBudget.largest')}</h2>
<div class="table-wrap"><table class="responsive"><caption>${t('openBudget.largest')}, ${t('openBudget.million_uah')}</caption>
<thead><tr><th scope="col">${t('openBudget.code')}</th><th scope="col">${t('openBudget.name')}</th><th scope="col" class="number">${t('openBudget.plan_year')}</th><th scope="col" class="number">${t('openBudget.executed')}</th><th scope="col" class="number">${t('openBudget.per_resident')}</th></tr></thead>
<tbody>${d.largest.map(
        (
          p,
        ) => html`<tr><td data-label="${t('openBudget.code')}"><code>${p.code}</code></td><td data-label="${t('openBudget.name')}">${codeName(locale, 'program', p.code, d.year, p.name)}${participatoryBadge(d.participatory.has(p.code))}</td>
<td class="number" data-label="${t('openBudget.plan_year')}">${millions(locale, Number(p.plan_year))}</td><td class="number" data-label="${t('openBudget.executed')}">${millions(locale, Number(p.executed))}</td>
<td class="number" data-label="${t('openBudget.per_resident')}">${perResident(Number(p.executed))}</td></tr>`,
      )}</tbody></table></div></section>`
    : ''
}

<section aria-labelledby="ob-history"><h2 id="ob-history">${t('openBudget.history')}</h2>
<div class="table-wrap"><table class="responsive"><caption>${t('openBudget.history')}, ${t('openBudget.million_uah')}</caption>
<thead><tr><th scope="col">${t('openBudget.year')}</th><th scope="col" class="number">${t('openBudget.revenues')}</th><th scope="col" class="number">${t('openBudget.change')}</th><th scope="col" class="number">${t('openBudget.spending')}</th><th scope="col" class="number">${t('openBudget.change')}</th></tr></thead>
<tbody>${d.history.map((h, i) => {
    const before = i > 0 ? d.history[i - 1] : undefined;
    const change = (now?: number, then?: number) =>
      now !== undefined && then
        ? `${now >= then ? '+' : ''}${formatNumber(locale, Math.round(((now - then) / then) * 1000) / 10)} %`
        : '—';
    return html`<tr><th scope="row">${h.year}${h.month < 12 ? html` <span class="badge">${t('openBudget.months_in', { months: h.month })}</span>` : ''}</th>
<td class="number" data-label="${t('openBudget.revenues')}">${h.incomes !== undefined ? millions(locale, h.incomes) : '—'}</td><td class="number" data-label="${t('openBudget.change')}">${change(h.incomes, before?.incomes)}</td>
<td class="number" data-label="${t('openBudget.spending')}">${h.expenses !== undefined ? millions(locale, h.expenses) : '—'}</td><td class="number" data-label="${t('openBudget.change')}">${change(h.expenses, before?.expenses)}</td></tr>`;
  })}</tbody></table></div>
<p class="hint">${t('openBudget.history_note')}</p></section>

${financingSection(ctx, d)}

${approvedSection(ctx, d)}

<section aria-labelledby="ob-data"><h2 id="ob-data">${t('openBudget.open_data')}</h2>
<ul><li><a href="${base}/facts.csv">${t('openBudget.download_csv')}</a></li>
<li><a href="${base}/datapackage.json">${t('openBudget.download_fdp')}</a></li>
<li><a href="/api/v1/city-budgets/${d.city.slug}/${d.year}">${t('openBudget.api_link')}</a></li></ul></section>`;
}

const TYPE_LABELS: Record<string, string> = Object.fromEntries(
  Object.entries(DOCUMENT_TYPES).map(([type, mime]) => [mime, type.toUpperCase()]),
);

/** The council's approved budget: its decision as files to download, and the table an editor entered. */
function approvedSection(ctx: PageContext, d: YearPageData): SafeHtml {
  const { t, locale } = ctx;
  if (!d.approved.length && !d.documents.length) return html``;
  return html`<section aria-labelledby="ob-approved"><h2 id="ob-approved">${t('openBudget.approved.title')}</h2>
${
  d.documents.length
    ? html`<ul>${d.documents.map(
        (doc) => html`<li><a href="/city-budget/${d.city.slug}/${d.year}/documents/${doc.id}" download>${doc.title}</a>
<span class="hint">${TYPE_LABELS[doc.mime_type] ?? ''}, ${formatNumber(locale, Math.max(1, Math.round(doc.size_bytes / 1024)))} ${t('openBudget.documents.kb')} · ${doc.file_name}</span>${
          d.canEdit
            ? html` <form class="inline-form" method="post" action="/city-budget/${d.city.slug}/${d.year}/documents/${doc.id}/delete">${csrfField(ctx)}<button type="submit" class="link-button">${t('openBudget.documents.remove')}<span class="visually-hidden"> ${doc.title}</span></button></form>`
            : ''
        }</li>`,
      )}</ul>`
    : ''
}
${
  d.approved.length
    ? html`<div class="table-wrap"><table class="responsive"><caption>${t('openBudget.approved.title')}</caption>
<thead><tr><th scope="col">${t('openBudget.item')}</th><th scope="col">${t('openBudget.code')}</th><th scope="col">${t('openBudget.fund')}</th><th scope="col" class="number">${t('openBudget.approved.amount')}</th><th scope="col">${t('openBudget.approved.decision')}</th></tr></thead>
<tbody>${d.approved.map(
        (
          a,
        ) => html`<tr><td data-label="${t('openBudget.item')}">${t(`openBudget.items.${a.item}`)}</td><td data-label="${t('openBudget.code')}"><code>${a.code}</code></td><td data-label="${t('openBudget.fund')}">${t(`openBudget.funds.${a.fund}`)}</td>
<td class="number" data-label="${t('openBudget.approved.amount')}">${millions(locale, Number(a.amount))}</td><td data-label="${t('openBudget.approved.decision')}">${a.decision}</td></tr>`,
      )}</tbody></table></div>`
    : ''
}</section>`;
}

/** Financing (deficit or surplus, borrowing, repayment) and lending, with the files' own rows. */
function financingSection(ctx: PageContext, d: YearPageData): SafeHtml {
  const { t, locale } = ctx;
  const f = d.financing;
  if (!f.debts && !f.creditor && !f.credits) return html``;
  const amount = (value: number) => `${millions(locale, Math.abs(value))} ${t('openBudget.million_uah')}`;
  const card = (title: string, value: { executed: number; planYear: number } | undefined, plan?: string) =>
    value
      ? html`<div class="card"><h3>${title}</h3><span class="stat">${millions(locale, Math.abs(value.executed))}</span> ${t('openBudget.million_uah')}
<p>${plan ?? t('openBudget.financing.plan', { amount: amount(value.planYear) })}</p></div>`
      : '';
  const total = f.total;
  const balance = total
    ? total.executed > 0.005
      ? t('openBudget.financing.deficit')
      : total.executed < -0.005
        ? t('openBudget.financing.surplus')
        : t('openBudget.financing.balanced')
    : '';
  const rowsTable = (what: string, list: ClassificationKind, file: FileRows | undefined) =>
    file
      ? html`<details class="accordion"><summary>${what}</summary>
<div class="table-wrap"><table class="responsive"><caption>${t('openBudget.financing.rows_caption', { what, month: file.month })}</caption>
<thead><tr><th scope="col">${t('openBudget.code')}</th><th scope="col">${t('openBudget.name')}</th><th scope="col" class="number">${t('openBudget.plan_year')}</th><th scope="col" class="number">${t('openBudget.executed')}</th></tr></thead>
<tbody>${file.rows.map(
          (
            r,
          ) => html`<tr><td data-label="${t('openBudget.code')}"><code>${r.code}</code></td><td data-label="${t('openBudget.name')}">${r.isLeaf ? '' : html`<strong>`}${codeName(locale, list, r.code, d.year, r.name)}${r.isLeaf ? '' : html`</strong>`}</td>
<td class="number" data-label="${t('openBudget.plan_year')}">${millions(locale, r.planYear)}</td><td class="number" data-label="${t('openBudget.executed')}">${millions(locale, r.executed)}</td></tr>`,
        )}</tbody></table></div></details>`
      : '';
  return html`<section aria-labelledby="ob-financing"><h2 id="ob-financing">${t('openBudget.financing.title')}</h2>
<p>${t('openBudget.financing.intro')}</p>
<div class="cards">
${
  total
    ? card(
        balance,
        total,
        t(total.planYear < 0 ? 'openBudget.financing.plan_surplus' : 'openBudget.financing.plan_deficit', {
          amount: amount(total.planYear),
        }),
      )
    : ''
}
${card(t('openBudget.financing.borrowing'), f.borrowing)}
${card(t('openBudget.financing.repayment'), f.repayment)}
${card(t('openBudget.financing.granted'), f.granted)}
${card(t('openBudget.financing.repaid'), f.repaid)}
</div>
${total ? html`<p class="hint">${t('openBudget.financing.sign_note')}</p>` : ''}
${rowsTable(t('openBudget.items.FINANCING_DEBTS'), 'financing', f.debts)}
${rowsTable(t('openBudget.items.FINANCING_CREDITOR'), 'financing', f.creditor)}
${rowsTable(t('openBudget.items.CREDITS'), 'credit', f.credits)}
<p class="hint">${t('openBudget.financing.rows_note')}</p></section>`;
}

export function comparePage(
  ctx: PageContext,
  year: number,
  years: number[],
  cities: Awaited<ReturnType<typeof compareCities>>,
): SafeHtml {
  const { t, locale } = ctx;
  const sections = [...new Set(cities.flatMap((c) => [...c.byFunction.keys()]))].sort();
  const per = (value: number, population: number | null) =>
    population ? formatNumber(locale, Math.round(value / population)) : '—';
  return html`<h1>${t('openBudget.compare.title')}</h1>
<p class="lead">${t('openBudget.compare.intro', { year: String(year) })}</p>
<form method="get" action="/city-budget/compare" class="inline"><label for="cmp-year">${t('openBudget.year')}</label>
<select id="cmp-year" name="year">${years.map((y) => html`<option value="${y}"${y === year ? html` selected` : ''}>${y}</option>`)}</select>
<button type="submit" class="secondary">${t('openBudget.compare.show')}</button></form>
${
  cities.length
    ? html`<div class="table-wrap"><table class="responsive">
<caption>${t('openBudget.compare.caption', { year: String(year) })}</caption>
<thead><tr><th scope="col">${t('openBudget.city')}</th><th scope="col" class="number">${t('openBudget.population')}</th><th scope="col" class="number">${t('openBudget.compare.months')}</th><th scope="col" class="number">${t('openBudget.compare.revenues_pr')}</th><th scope="col" class="number">${t('openBudget.compare.spending_pr')}</th>${sections.map(
        (s) => html`<th scope="col" class="number">${codeName(locale, 'functional', s, year)}</th>`,
      )}</tr></thead>
<tbody>${cities.map(
        (c) => html`<tr><th scope="row"><a href="/city-budget/${c.slug}/${year}">${c.names[locale]}</a></th>
<td class="number" data-label="${t('openBudget.population')}">${c.population ? formatNumber(locale, c.population) : '—'}</td>
<td class="number" data-label="${t('openBudget.compare.months')}">${c.month}</td>
<td class="number" data-label="${t('openBudget.compare.revenues_pr')}">${per(c.incomes, c.population)}</td>
<td class="number" data-label="${t('openBudget.compare.spending_pr')}">${per(c.expenses, c.population)}</td>
${sections.map((s) => html`<td class="number" data-label="${codeName(locale, 'functional', s, year)}">${per(c.byFunction.get(s) ?? 0, c.population)}</td>`)}</tr>`,
      )}</tbody></table></div>
<p class="hint">${t('openBudget.compare.note')}</p>`
    : html`<p class="empty-state">${t('openBudget.none_yet')}</p>`
}`;
}

export function taxesPage(
  ctx: PageContext,
  form: { cities: { slug: string; name: string }[]; city: string; salary: string; error?: string },
  result: {
    year: number;
    rate: { share: number; source: string; sourceUrl: string | null } | null;
    share: { share: number; source: string; sourceUrl: string | null } | null;
    split: { code: string; amount: number }[];
    monthlyToCity: number;
  } | null,
): SafeHtml {
  const { t, locale } = ctx;
  const money = (v: number) => formatNumber(locale, Math.round(v * 100) / 100);
  return html`<h1>${t('openBudget.taxes.title')}</h1>
<p class="lead">${t('openBudget.taxes.intro')}</p>
<form method="get" action="/city-budget/taxes" class="stacked">
<label for="tx-city">${t('openBudget.city')}</label>
<select id="tx-city" name="city">${form.cities.map((c) => html`<option value="${c.slug}"${c.slug === form.city ? html` selected` : ''}>${c.name}</option>`)}</select>
<label for="tx-salary">${t('openBudget.taxes.salary')}</label>
<input id="tx-salary" name="salary" inputmode="decimal" value="${form.salary}"${form.error ? html` aria-invalid="true" aria-describedby="tx-salary-error"` : ''}>
${form.error ? html`<p class="field-error" id="tx-salary-error">${form.error}</p>` : ''}
<button type="submit" class="primary">${t('openBudget.taxes.show')}</button></form>
${
  result
    ? !result.rate || !result.share
      ? html`<p class="notice warning">${t('openBudget.taxes.no_parameters', { year: String(result.year) })}</p>`
      : html`<section aria-labelledby="tx-result"><h2 id="tx-result">${t('openBudget.taxes.result', { year: String(result.year) })}</h2>
<p>${t('openBudget.taxes.explain', {
          rate: formatNumber(locale, result.rate.share * 100),
          share: formatNumber(locale, Math.round(result.share.share * 1000) / 10),
          amount: money(result.monthlyToCity),
        })}</p>
<p class="hint">${t('openBudget.taxes.sources')}: ${result.rate.sourceUrl ? html`<a href="${result.rate.sourceUrl}">${result.rate.source}</a>` : result.rate.source}; ${
          result.share.sourceUrl
            ? html`<a href="${result.share.sourceUrl}">${result.share.source}</a>`
            : result.share.source
        }</p>
${
  result.split.length
    ? html`<div class="table-wrap"><table class="responsive"><caption>${t('openBudget.taxes.split_caption')}</caption>
<thead><tr><th scope="col">${t('openBudget.taxes.function')}</th><th scope="col" class="number">${t('openBudget.taxes.per_month')}</th><th scope="col" class="number">${t('openBudget.taxes.per_year')}</th></tr></thead>
<tbody>${result.split.map(
        (s) =>
          html`<tr><th scope="row">${codeName(locale, 'functional', s.code, result.year)}</th><td class="number" data-label="${t('openBudget.taxes.per_month')}">${money(s.amount)}</td><td class="number" data-label="${t('openBudget.taxes.per_year')}">${money(s.amount * 12)}</td></tr>`,
      )}</tbody></table></div><p class="hint">${t('openBudget.taxes.split_note')}</p>`
    : html`<p class="empty-state">${t('openBudget.no_data_view')}</p>`
}</section>`
    : ''
}`;
}

export function reportTable(ctx: PageContext, report: ReportEntry[]): SafeHtml {
  const { t } = ctx;
  if (!report.length) return html`<p class="notice success">${t('openBudget.report.clean')}</p>`;
  return html`<div class="table-wrap"><table class="responsive report"><caption>${t('openBudget.report.caption')}</caption>
<thead><tr><th scope="col">${t('openBudget.report.severity')}</th><th scope="col">${t('openBudget.report.file')}</th><th scope="col">${t('openBudget.report.row')}</th><th scope="col">${t('openBudget.report.column')}</th><th scope="col">${t('openBudget.report.problem')}</th></tr></thead>
<tbody>${report.map(
    (
      r,
    ) => html`<tr><td data-label="${t('openBudget.report.severity')}"><span class="badge ${r.severity === 'error' ? 'danger' : 'warning'}">${t(`openBudget.report.${r.severity}`)}</span></td>
<td data-label="${t('openBudget.report.file')}">${r.file}</td><td data-label="${t('openBudget.report.row')}">${r.row ?? '—'}</td><td data-label="${t('openBudget.report.column')}">${r.column ?? '—'}</td>
<td data-label="${t('openBudget.report.problem')}">${t(`openBudget.report.problems.${r.problem}`, r.params ?? {})}</td></tr>`,
  )}</tbody></table></div>`;
}

export function importsPage(
  ctx: PageContext,
  city: City,
  imports: BudgetImport[],
  defaults: { year: number; budgetCode: string | null },
  errors: Record<string, string> = {},
): SafeHtml {
  const { t, locale } = ctx;
  const kinds = FILE_KINDS.map((k) => kindKey(k));
  const kindSelect = (id: string) =>
    html`<label for="${id}">${t('openBudget.imports.kind')}</label><select id="${id}" name="kind">${kinds.map((k) => html`<option value="${k}">${t(`openBudget.kinds.${k.replace('/', '_')}`)}</option>`)}</select>`;
  const yearInput = (id: string) =>
    html`<label for="${id}">${t('openBudget.year')}</label><input id="${id}" name="year" inputmode="numeric" value="${defaults.year}" required>`;
  const error = (field: string) =>
    errors[field] ? html`<p class="field-error" role="alert">${errors[field]}</p>` : '';
  return html`<h1>${t('openBudget.imports.title')} — ${localName(city, locale)}</h1>
<p>${t('openBudget.imports.intro')}</p>
<div class="cards">
<form class="card stacked" method="post" action="/city-budget/${city.slug}/imports/upload" enctype="multipart/form-data">
<h2>${t('openBudget.imports.upload')}</h2>${csrfField(ctx)}
${kindSelect('up-kind')}${yearInput('up-year')}
<label for="up-file">${t('openBudget.imports.file')}</label><input id="up-file" type="file" name="file" accept=".csv,text/csv" required>
${error('file')}<button type="submit" class="primary">${t('openBudget.imports.start')}</button></form>
<form class="card stacked" method="post" action="/city-budget/${city.slug}/imports/datastore">
<h2>${t('openBudget.imports.datastore')}</h2>${csrfField(ctx)}
${kindSelect('ds-kind')}${yearInput('ds-year')}
<label for="ds-resource">${t('openBudget.imports.resource')}</label><input id="ds-resource" name="resource" required pattern="[0-9a-f-]{36}">
${error('resource')}<button type="submit" class="primary">${t('openBudget.imports.start')}</button></form>
<form class="card stacked" method="post" action="/city-budget/${city.slug}/imports/openbudget">
<h2>${t('openBudget.imports.openbudget')}</h2>${csrfField(ctx)}
${kindSelect('api-kind')}${yearInput('api-year')}
<label for="api-code">${t('openBudget.imports.budget_code')}</label><input id="api-code" name="budget_code" inputmode="numeric" pattern="[0-9]{10,11}" value="${defaults.budgetCode ?? ''}" required>
${error('budget_code')}<button type="submit" class="primary">${t('openBudget.imports.start')}</button></form>
</div>
<h2>${t('openBudget.imports.history')}</h2>
${
  imports.length
    ? html`<div class="table-wrap"><table class="responsive"><caption>${t('openBudget.imports.history')}</caption>
<thead><tr><th scope="col">#</th><th scope="col">${t('openBudget.imports.when')}</th><th scope="col">${t('openBudget.imports.kind')}</th><th scope="col">${t('openBudget.year')}</th><th scope="col">${t('openBudget.imports.source')}</th><th scope="col">${t('openBudget.imports.status')}</th></tr></thead>
<tbody>${imports.map(
        (
          i,
        ) => html`<tr><td data-label="#"><a href="/city-budget/${city.slug}/imports/${i.id}">${i.id}</a></td><td data-label="${t('openBudget.imports.when')}">${formatDateTime(locale, i.created_at)}</td>
<td data-label="${t('openBudget.imports.kind')}">${t(`openBudget.kinds.${kindKey(i).replace('/', '_')}`)}</td><td data-label="${t('openBudget.year')}">${i.year}</td>
<td data-label="${t('openBudget.imports.source')}">${t(`openBudget.sources.${i.source}`)}</td><td data-label="${t('openBudget.imports.status')}">${statusBadge(ctx, i.status)}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="empty-state">${t('openBudget.imports.none')}</p>`
}
<h2>${t('openBudget.approved.title')}</h2>
<form class="stacked" method="post" action="/city-budget/${city.slug}/approved">${csrfField(ctx)}
<p>${t('openBudget.approved.intro')}</p>
${yearInput('ap-year')}
<label for="ap-item">${t('openBudget.item')}</label><select id="ap-item" name="item"><option value="INCOMES">${t('openBudget.items.INCOMES')}</option><option value="EXPENSES">${t('openBudget.items.EXPENSES')}</option></select>
<label for="ap-code">${t('openBudget.code')}</label><input id="ap-code" name="code" inputmode="numeric" required>${error('code')}
<label for="ap-fund">${t('openBudget.fund')}</label><select id="ap-fund" name="fund">${(['T', 'C', 'S'] as const).map((f) => html`<option value="${f}">${t(`openBudget.funds.${f}`)}</option>`)}</select>
<label for="ap-amount">${t('openBudget.approved.amount_uah')}</label><input id="ap-amount" name="amount" inputmode="decimal" required>${error('amount')}
<label for="ap-decision">${t('openBudget.approved.decision')}</label><input id="ap-decision" name="decision" maxlength="500">
<button type="submit" class="secondary">${t('openBudget.approved.save')}</button></form>
<h2>${t('openBudget.documents.title')}</h2>
<form class="stacked" method="post" action="/city-budget/${city.slug}/documents" enctype="multipart/form-data">${csrfField(ctx)}
<p>${t('openBudget.documents.intro')}</p>
<label for="doc-year">${t('openBudget.year')}</label><input id="doc-year" name="year" inputmode="numeric" value="${defaults.year}" required>${error('doc_year')}
<label for="doc-title">${t('openBudget.documents.name')}</label><input id="doc-title" name="title" maxlength="300" required>${error('title')}
<label for="doc-file">${t('openBudget.documents.file')}</label><input id="doc-file" type="file" name="document" accept=".pdf,.docx,.xlsx,application/pdf,${DOCUMENT_TYPES.docx},${DOCUMENT_TYPES.xlsx}" required aria-describedby="doc-file-hint">
<p class="hint" id="doc-file-hint">${t('openBudget.documents.hint')}</p>${error('document')}
<button type="submit" class="secondary">${t('openBudget.documents.upload')}</button></form>`;
}

export function statusBadge(ctx: PageContext, status: BudgetImport['status']): SafeHtml {
  const tone = status === 'done' ? 'success' : status === 'rejected' || status === 'failed' ? 'danger' : 'info';
  return html`<span class="badge ${tone}">${ctx.t(`openBudget.status.${status}`)}</span>`;
}

export function importPage(ctx: PageContext, city: City, imp: BudgetImport): SafeHtml {
  const { t, locale } = ctx;
  return html`<h1>${t('openBudget.imports.one', { id: imp.id })}</h1>
<p><a href="/city-budget/${city.slug}/imports">${t('openBudget.imports.back')}</a></p>
<dl class="facts">
<dt>${t('openBudget.city')}</dt><dd>${localName(city, locale)}</dd>
<dt>${t('openBudget.imports.kind')}</dt><dd>${t(`openBudget.kinds.${kindKey(imp).replace('/', '_')}`)}</dd>
<dt>${t('openBudget.year')}</dt><dd>${imp.year}</dd>
<dt>${t('openBudget.imports.source')}</dt><dd>${t(`openBudget.sources.${imp.source}`)}: <code>${imp.source_ref}</code></dd>
<dt>${t('openBudget.imports.status')}</dt><dd>${statusBadge(ctx, imp.status)}</dd>
${imp.row_count !== null ? html`<dt>${t('openBudget.imports.rows')}</dt><dd>${formatNumber(locale, imp.row_count)}</dd>` : ''}
${imp.months?.length ? html`<dt>${t('openBudget.imports.months')}</dt><dd>${imp.months.join(', ')}</dd>` : ''}
${imp.encoding ? html`<dt>${t('openBudget.imports.encoding')}</dt><dd>${imp.encoding}</dd>` : ''}
</dl>
${imp.status === 'queued' || imp.status === 'running' ? html`<p class="notice info">${t('openBudget.imports.pending')}</p>` : reportTable(ctx, imp.report)}
${imp.status === 'done' ? html`<p><a href="/city-budget/${city.slug}/${imp.year}">${t('openBudget.imports.see_page')}</a></p>` : ''}`;
}
