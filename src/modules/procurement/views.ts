// Procurement pages: a city's year, a procedure, a supplier or buyer, the flags' methodology, imports.
import { html, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, pagination, type PageContext } from '../../platform/html/layout.ts';
import { formatDateTime, formatNumber } from '../../platform/i18n/locales.ts';
import { INDICATOR_BY_ID, INDICATORS } from './flags.ts';
import { procedureTypeName } from './procedure-types.ts';
import type { ProcedureSummary } from './service.ts';

type Row = Record<string, unknown>;

const money = (ctx: PageContext, value: unknown) =>
  value === null || value === undefined ? '—' : `${formatNumber(ctx.locale, Math.round(Number(value)))} ₴`;
const percent = (ctx: PageContext, value: number | null) =>
  value === null ? '—' : `${formatNumber(ctx.locale, Math.round(value * 1000) / 10)} %`;
const when = (ctx: PageContext, value: unknown) =>
  value ? formatDateTime(ctx.locale, value instanceof Date ? value : String(value)) : '—';
export const procedureUrl = (ocid: string) => `/procurement/procedures/${encodeURIComponent(ocid)}`;

function flagName(ctx: PageContext, id: string) {
  return ctx.t(`procurement.flag.${id}.name`);
}

export function cityPage(
  ctx: PageContext,
  city: { slug: string; name: string },
  data: {
    year: number;
    years: number[];
    q: string;
    method: string;
    flagged: boolean;
    methods: string[];
    figures: Awaited<ReturnType<typeof import('./service.ts').cityFigures>>;
    list: { items: ProcedureSummary[]; total: number };
    limit: number;
    offset: number;
  },
): SafeHtml {
  const { t } = ctx;
  const f = data.figures;
  const base = `/cities/${city.slug}/procurement`;
  const demo = data.list.items.some((p) => p.demo);
  return html`<h1>${t('procurement.city_title', { city: city.name })}</h1>
${demo ? html`<p class="notice">${t('procurement.demo_notice')}</p>` : ''}
<form method="get" action="${base}" class="filters">
  <label>${t('procurement.year')} <select name="year">${data.years.map((y) => html`<option value="${y}"${y === data.year ? html` selected` : ''}>${y}</option>`)}</select></label>
  <label>${t('procurement.search')} <input type="search" name="q" value="${data.q}" maxlength="200"></label>
  <label>${t('procurement.method_type')} <select name="method"><option value="">${t('procurement.any')}</option>${data.methods.map((m) => html`<option value="${m}"${m === data.method ? html` selected` : ''}>${procedureTypeName(ctx, m)}</option>`)}</select></label>
  <span class="checkbox"><input type="checkbox" id="flagged" name="flagged" value="1"${data.flagged ? html` checked` : ''}> <label for="flagged">${t('procurement.flagged_only')}</label></span>
  <button type="submit" class="secondary">${t('procurement.apply')}</button>
</form>
<ul class="cards">
  <li class="card"><p>${t('procurement.procedures')}</p><span class="stat">${formatNumber(ctx.locale, f.totals.procedures)}</span></li>
  <li class="card"><p>${t('procurement.spend')}</p><span class="stat">${money(ctx, f.totals.spend)}</span></li>
  <li class="card"><p>${t('procurement.competitive_share')}</p><span class="stat">${percent(ctx, f.totals.competitive_share)}</span></li>
  <li class="card"><p>${t('procurement.avg_bidders')}</p><span class="stat">${f.totals.avg_bidders === null ? '—' : formatNumber(ctx.locale, Math.round(f.totals.avg_bidders * 10) / 10)}</span></li>
  <li class="card"><p>${t('procurement.flagged_share')}</p><span class="stat">${percent(ctx, f.totals.spend ? f.totals.flagged_spend / f.totals.spend : null)}</span></li>
  <li class="card"><p>${t('procurement.hhi')}</p><span class="stat">${f.hhi === null ? '—' : formatNumber(ctx.locale, Math.round(f.hhi))}</span></li>
</ul>
<h2>${t('procurement.by_division')}</h2>
<table class="responsive"><thead><tr><th scope="col">${t('procurement.division')}</th><th scope="col">${t('procurement.procedures')}</th><th scope="col">${t('procurement.spend')}</th></tr></thead>
<tbody>${f.byDivision.map((d) => html`<tr><td data-label="${t('procurement.division')}">${d.division ? html`${d.division} · ${d.example}` : '—'}</td><td data-label="${t('procurement.procedures')}">${d.procedures}</td><td data-label="${t('procurement.spend')}">${money(ctx, d.spend)}</td></tr>`)}</tbody></table>
<h2>${t('procurement.by_method')}</h2>
<table class="responsive"><thead><tr><th scope="col">${t('procurement.method_type')}</th><th scope="col">${t('procurement.procedures')}</th><th scope="col">${t('procurement.spend')}</th></tr></thead>
<tbody>${f.byMethod.map((m) => html`<tr><td data-label="${t('procurement.method_type')}">${procedureTypeName(ctx, m.method_type)}</td><td data-label="${t('procurement.procedures')}">${m.procedures}</td><td data-label="${t('procurement.spend')}">${money(ctx, m.spend)}</td></tr>`)}</tbody></table>
<h2>${t('procurement.top_suppliers')}</h2>
<table class="responsive"><thead><tr><th scope="col">${t('procurement.supplier')}</th><th scope="col">${t('procurement.amount')}</th><th scope="col">${t('procurement.share')}</th></tr></thead>
<tbody>${f.topSuppliers.map((s) => html`<tr><td data-label="${t('procurement.supplier')}"><a href="/procurement/suppliers/${s.edrpou}">${s.name}</a></td><td data-label="${t('procurement.amount')}">${money(ctx, s.amount)}</td><td data-label="${t('procurement.share')}">${percent(ctx, s.share)}</td></tr>`)}</tbody></table>
<h2>${t('procurement.procedures')}</h2>
${data.list.items.length ? procedureTable(ctx, data.list.items) : html`<p class="empty-state">${t('procurement.none')}</p>`}
${pagination(ctx, base, { year: data.year, q: data.q, method: data.method, flagged: data.flagged ? '1' : '' }, { total: data.list.total, limit: data.limit, offset: data.offset })}
<p><a href="/procurement/flags">${t('procurement.methodology')}</a> · <a href="/api/v1/procurement/cities/${city.slug}/records?year=${data.year}">${t('procurement.open_data')}</a></p>`;
}

function procedureTable(ctx: PageContext, items: ProcedureSummary[]): SafeHtml {
  const { t } = ctx;
  return html`<table class="responsive"><thead><tr><th scope="col">${t('procurement.procedure')}</th><th scope="col">${t('procurement.buyer')}</th><th scope="col">${t('procurement.method_type')}</th><th scope="col">${t('procurement.spend')}</th><th scope="col">${t('procurement.flags')}</th></tr></thead>
<tbody>${items.map(
    (
      p,
    ) => html`<tr><td data-label="${t('procurement.procedure')}"><a href="${procedureUrl(p.ocid)}">${p.title || p.tender_id}</a><br><small>${p.tender_id}</small>${p.demo ? html` <span class="badge">${t('procurement.demo')}</span>` : ''}</td>
<td data-label="${t('procurement.buyer')}">${p.buyer_edrpou ? html`<a href="/procurement/buyers/${p.buyer_edrpou}">${p.buyer_name}</a>` : p.buyer_name}</td>
<td data-label="${t('procurement.method_type')}">${procedureTypeName(ctx, p.method_type)}</td>
<td data-label="${t('procurement.spend')}">${money(ctx, p.spend)}</td>
<td data-label="${t('procurement.flags')}">${p.flags ? html`<span class="badge warning">${p.flags}</span>` : '0'}</td></tr>`,
  )}</tbody></table>`;
}

function flagList(ctx: PageContext, flags: Row[]): SafeHtml {
  const { t } = ctx;
  if (!flags.length) return html`<p>${t('procurement.no_flags')}</p>`;
  return html`${flags.map((f) => {
    const indicator = INDICATOR_BY_ID.get(String(f.indicator));
    return html`<details class="flag" open><summary><strong>${String(f.indicator)}</strong> · ${flagName(ctx, String(f.indicator))}</summary>
<p>${t(`procurement.flag.${String(f.indicator)}.explanation`)}</p>
<p><strong>${t('procurement.evidence')}:</strong></p>${evidence(f.evidence as Row)}
${indicator ? html`<p><small>${t('procurement.source')}: <a href="${indicator.sourceUrl}">${indicator.source}</a></small></p>` : ''}
</details>`;
  })}`;
}

/** A value of the evidence as words: objects as "key: value" pairs with spaces, so that they wrap on a phone. */
function evidenceText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.map(evidenceText).join('; ');
  if (typeof value === 'object')
    return Object.entries(value as Row)
      .map(([k, v]) => `${k}: ${evidenceText(v)}`)
      .join(', ');
  return String(value);
}

/** The evidence object as a definition list; lists of things as a list. */
function evidence(value: Row): SafeHtml {
  return html`<dl class="facts">${Object.entries(value ?? {}).map(
    ([key, v]) =>
      html`<dt>${key}</dt><dd>${
        Array.isArray(v) ? html`<ul>${v.map((x) => html`<li>${evidenceText(x)}</li>`)}</ul>` : evidenceText(v)
      }</dd>`,
  )}</dl>`;
}

export function procedurePage(
  ctx: PageContext,
  data: Awaited<ReturnType<typeof import('./service.ts').getProcedure>>,
  watch: { watching: boolean; canWatch: boolean },
  linked: SafeHtml,
): SafeHtml {
  const { t } = ctx;
  const p = data.procedure as Row;
  const table = (caption: string, heads: string[], rows: unknown[][]) =>
    rows.length
      ? html`<table class="responsive"><caption>${caption}</caption><thead><tr>${heads.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows.map(
          (r) => html`<tr>${r.map((c, i) => html`<td data-label="${heads[i]!}">${c as SafeHtml | string}</td>`)}</tr>`,
        )}</tbody></table>`
      : html`<h2>${caption}</h2><p>${t('procurement.nothing')}</p>`;
  return html`<h1>${String(p.title || p.tender_id)}</h1>
${p.demo ? html`<p class="notice">${t('procurement.demo_notice')}</p>` : ''}
<p>${String(p.tender_id)} · ${procedureTypeName(ctx, p.method_type as string | null)} · ${t('procurement.status')}: ${String(p.status ?? '—')}</p>
<p>${t('procurement.buyer')}: ${p.buyer_edrpou ? html`<a href="/procurement/buyers/${String(p.buyer_edrpou)}">${String(p.buyer_name)}</a>` : String(p.buyer_name)} · ${t('procurement.expected_value')}: ${money(ctx, p.value_amount)}</p>
<p><a href="https://prozorro.gov.ua/tender/${String(p.tender_id)}">${t('procurement.on_prozorro')}</a></p>
${watchForm(ctx, 'procedure', String(p.ocid), watch)}
${linked}
<h2>${t('procurement.flags')}</h2>
${flagList(ctx, data.flags)}
<h2>${t('procurement.timeline')}</h2>
<ul class="timeline">
  <li>${t('procurement.published')}: ${when(ctx, p.started_at)}</li>
  ${p.tender_end ? html`<li>${t('procurement.tender_end')}: ${when(ctx, p.tender_end)}</li>` : ''}
  ${data.awards.map((a) => html`<li>${t('procurement.awards')}: ${String(a.supplier_name)} (${String(a.status)}) — ${when(ctx, a.date)}</li>`)}
  ${data.contracts.map((c) => html`<li>${t('procurement.signed')}: ${when(ctx, c.date_signed)}</li>`)}
  ${data.changes.map((c) => html`<li>${t('procurement.changes')}: ${String(c.rationale)} — ${when(ctx, c.date)}</li>`)}
</ul>
${table(
  t('procurement.lots'),
  [t('procurement.description'), t('procurement.status'), t('procurement.amount')],
  data.lots.map((l) => [String(l.title), String(l.status ?? '—'), money(ctx, l.value_amount)]),
)}
${table(
  t('procurement.items'),
  [t('procurement.description'), t('procurement.classification'), t('procurement.quantity')],
  data.items.map((i) => [
    String(i.description),
    String(i.cpv ?? '—'),
    `${String(i.quantity ?? '')} ${String(i.unit ?? '')}`,
  ]),
)}
${table(
  t('procurement.bids'),
  [t('procurement.tenderer'), t('procurement.amount'), t('procurement.status'), t('procurement.date')],
  data.bids.map((b) => [
    b.tenderer_edrpou
      ? html`<a href="/procurement/suppliers/${String(b.tenderer_edrpou)}">${String(b.tenderer_name)}</a>`
      : String(b.tenderer_name),
    money(ctx, b.amount),
    String(b.status ?? '—'),
    when(ctx, b.date),
  ]),
)}
${table(
  t('procurement.awards'),
  [t('procurement.supplier'), t('procurement.amount'), t('procurement.status'), t('procurement.date')],
  data.awards.map((a) => [String(a.supplier_name), money(ctx, a.amount), String(a.status ?? '—'), when(ctx, a.date)]),
)}
${table(
  t('procurement.contracts'),
  [t('procurement.supplier'), t('procurement.amount'), t('procurement.signed'), t('procurement.period')],
  data.contracts.map((c) => [
    c.supplier_edrpou
      ? html`<a href="/procurement/suppliers/${String(c.supplier_edrpou)}">${String(c.supplier_name)}</a>`
      : String(c.supplier_name),
    money(ctx, c.amount),
    when(ctx, c.date_signed),
    `${when(ctx, c.period_start)} – ${when(ctx, c.period_end)}`,
  ]),
)}
${table(
  t('procurement.changes'),
  [t('procurement.rationale'), t('procurement.status'), t('procurement.date')],
  data.changes.map((c) => [
    `${String(c.rationale)} (${(c.rationale_types as string[]).join(', ')})`,
    String(c.status ?? '—'),
    when(ctx, c.date),
  ]),
)}
${table(
  t('procurement.complaints'),
  [t('procurement.description'), t('procurement.status'), t('procurement.decision')],
  data.complaints.map((c) => [String(c.title), String(c.status ?? '—'), when(ctx, c.date_decision)]),
)}`;
}

function watchForm(
  ctx: PageContext,
  type: string,
  id: string,
  watch: { watching: boolean; canWatch: boolean },
): SafeHtml {
  if (!watch.canWatch) return html``;
  const { t } = ctx;
  return html`<form method="post" action="/procurement/watch" class="inline-form">${csrfField(ctx)}
<input type="hidden" name="type" value="${type}"><input type="hidden" name="id" value="${id}"><input type="hidden" name="on" value="${watch.watching ? '0' : '1'}">
<button type="submit" class="secondary">${watch.watching ? t('procurement.unwatch') : t('procurement.watch')}</button>${watch.watching ? html` <small>${t('procurement.watching')}</small>` : ''}</form>`;
}

export function partyPage(
  ctx: PageContext,
  role: 'supplier' | 'buyer',
  data: Awaited<ReturnType<typeof import('./service.ts').partyProfile>>,
  watch: { watching: boolean; canWatch: boolean },
): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t(role === 'buyer' ? 'procurement.buyer_title' : 'procurement.supplier_title', { name: data.party.name })}</h1>
<p>${t('procurement.edrpou')}: ${data.party.edrpou} · ${t(role === 'buyer' ? 'procurement.spend' : 'procurement.won')}: ${money(ctx, data.total)}</p>
${watchForm(ctx, role, data.party.edrpou, watch)}
<h2>${t('procurement.flags')}</h2>
${flagList(ctx, data.flags as unknown as Row[])}
<h2>${t('procurement.procedures')}</h2>
<table class="responsive"><thead><tr><th scope="col">${t('procurement.procedure')}</th><th scope="col">${t('procurement.city')}</th><th scope="col">${t('procurement.amount')}</th><th scope="col">${t('procurement.flags')}</th></tr></thead>
<tbody>${data.procedures.map(
    (
      p,
    ) => html`<tr><td data-label="${t('procurement.procedure')}"><a href="${procedureUrl(p.ocid)}">${p.title || p.tender_id}</a></td>
<td data-label="${t('procurement.city')}">${p.city_slug ? html`<a href="/cities/${p.city_slug}/procurement">${p.city_name}</a>` : '—'}</td>
<td data-label="${t('procurement.amount')}">${money(ctx, p.amount)}</td><td data-label="${t('procurement.flags')}">${p.flags}</td></tr>`,
  )}</tbody></table>`;
}

export function methodologyPage(ctx: PageContext): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('procurement.flags')}</h1><p>${t('procurement.flags_intro')}</p>
${INDICATORS.map(
  (i) => html`<section class="card" id="flag-${i.id}"><h2>${i.id} · ${flagName(ctx, i.id)}</h2>
<p>${t(`procurement.flag.${i.id}.explanation`)}</p>
<p><strong>${t('procurement.subject')}:</strong> ${t(`procurement.subject_${i.subject}`)}</p>
<p><strong>${t('procurement.rule')}:</strong> <q>${i.rule}</q></p>
<p><strong>${t('procurement.source')}:</strong> <a href="${i.sourceUrl}">${i.source}</a></p>
<p><strong>${t('procurement.needs')}:</strong> ${i.needs.join(', ')}</p></section>`,
)}`;
}

export function importPage(ctx: PageContext, imports: Row[], error?: string): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('procurement.import_title')}</h1><p>${t('procurement.import_help')}</p>
${error ? html`<p class="notice error" role="alert">${error}</p>` : ''}
<form method="post" action="/procurement/imports" enctype="multipart/form-data">${csrfField(ctx)}
<label for="ocds-file">${t('procurement.file')}</label> <input id="ocds-file" type="file" name="file" accept=".json,.jsonl,.ndjson" required>
<button type="submit" class="primary">${t('procurement.upload')}</button></form>
<h2>${t('procurement.imports')}</h2>
<table class="responsive"><thead><tr><th scope="col">${t('procurement.file')}</th><th scope="col">${t('procurement.date')}</th><th scope="col">${t('procurement.state')}</th></tr></thead>
<tbody>${imports.map((i) => {
    const error = i.error as { where: string; message: string } | null;
    return html`<tr><td data-label="${t('procurement.file')}">${String(i.file_name)}</td><td data-label="${t('procurement.date')}">${when(ctx, i.created_at)}</td>
<td data-label="${t('procurement.state')}">${t(`procurement.state_${String(i.state)}`)}${error ? html`<br>${t('procurement.error_at', { where: error.where, message: error.message })}` : ''}${i.counts ? html`<br><small>${JSON.stringify(i.counts)}</small>` : ''}</td></tr>`;
  })}</tbody></table>`;
}

export function feedsPage(
  ctx: PageContext,
  feeds: Row[],
  errors: Record<string, string> = {},
  /** The feed whose change was refused (its form opens with the errors); none: the new feed's. */
  erroneousFeed?: number,
): SafeHtml {
  const { t } = ctx;
  const errorsOf = (feed: number | undefined) => (feed === erroneousFeed ? errors : {});
  const field = (id: string, name: string, label: string, input: SafeHtml, fieldErrors: Record<string, string>) =>
    html`<p><label for="${id}">${label}</label> ${input}${fieldErrors[name] ? html` <span class="field-error" id="${id}-error">${fieldErrors[name]}</span>` : ''}</p>`;
  const schedule = (f: Row) =>
    f.interval_minutes
      ? t('procurement.feed_every', { minutes: Number(f.interval_minutes) })
      : t('procurement.feed_manual');
  const editForm = (f: Row) => {
    const id = Number(f.id);
    const own = errorsOf(id);
    return html`<details${Object.keys(own).length ? html` open` : ''}><summary>${t('procurement.feed_edit')}</summary>
<form method="post" action="/procurement/feeds/${id}">${csrfField(ctx)}
${field(`feed-${id}-name`, 'name', t('procurement.feed_name'), html`<input id="feed-${id}-name" name="name" maxlength="200" required value="${String(f.name)}">`, own)}
${field(`feed-${id}-pause_ms`, 'pause_ms', t('procurement.feed_pause'), html`<input id="feed-${id}-pause_ms" name="pause_ms" type="number" min="100" max="60000" value="${String(f.pause_ms)}">`, own)}
${field(`feed-${id}-interval_minutes`, 'interval_minutes', t('procurement.feed_interval'), html`<input id="feed-${id}-interval_minutes" name="interval_minutes" type="number" min="15" max="10080" value="${f.interval_minutes === null || f.interval_minutes === undefined ? '' : String(f.interval_minutes)}">`, own)}
<p><label><input type="checkbox" name="enabled"${f.enabled ? html` checked` : ''}> ${t('procurement.feed_enabled')}</label></p>
<button type="submit">${t('procurement.feed_save')}</button></form></details>`;
  };
  const create = errorsOf(undefined);
  return html`<h1>${t('procurement.feeds')}</h1><p>${t('procurement.feeds_help')}</p>
<table class="responsive"><thead><tr><th scope="col">${t('procurement.feed_name')}</th><th scope="col">${t('procurement.feed_url')}</th><th scope="col">${t('procurement.feed_offset')}</th><th scope="col">${t('procurement.feed_schedule')}</th><th scope="col">${t('procurement.state')}</th><th scope="col"><span class="visually-hidden">${t('procurement.feed_run')}</span></th></tr></thead>
<tbody>${feeds.map(
    (
      f,
    ) => html`<tr><td data-label="${t('procurement.feed_name')}">${String(f.name)} (${String(f.resource)})${f.enabled ? '' : html` <span class="badge">${t('procurement.feed_disabled')}</span>`}${editForm(f)}</td><td data-label="${t('procurement.feed_url')}">${String(f.base_url)}</td>
<td data-label="${t('procurement.feed_offset')}">${String(f.next_offset) || '—'}</td>
<td data-label="${t('procurement.feed_schedule')}">${schedule(f)}${f.interval_minutes && f.enabled && f.next_run_at ? html`<br><span class="hint">${t('procurement.feed_next_run')}: ${when(ctx, f.next_run_at)}</span>` : ''}</td>
<td data-label="${t('procurement.state')}">${f.last_error ? String(f.last_error) : when(ctx, f.last_run_at)}</td>
<td><form method="post" action="/procurement/feeds/${String(f.id)}/run" class="inline-form">${csrfField(ctx)}<button type="submit" class="secondary">${t('procurement.feed_run')}</button></form></td></tr>`,
  )}</tbody></table>
<h2>${t('procurement.feed_add')}</h2>
<form method="post" action="/procurement/feeds">${csrfField(ctx)}
${field('feed-name', 'name', t('procurement.feed_name'), html`<input id="feed-name" name="name" maxlength="200" required>`, create)}
${field('feed-base_url', 'base_url', t('procurement.feed_url'), html`<input id="feed-base_url" name="base_url" type="url" value="https://public-api.prozorro.gov.ua/api/2.5" required>`, create)}
${field('feed-resource', 'resource', t('procurement.feed_resource'), html`<select id="feed-resource" name="resource"><option value="tenders">tenders</option><option value="contracts">contracts</option></select>`, create)}
${field('feed-pause_ms', 'pause_ms', t('procurement.feed_pause'), html`<input id="feed-pause_ms" name="pause_ms" type="number" min="100" max="60000" value="1000">`, create)}
${field('feed-interval_minutes', 'interval_minutes', t('procurement.feed_interval'), html`<input id="feed-interval_minutes" name="interval_minutes" type="number" min="15" max="10080" aria-describedby="feed-interval-hint"> <span class="hint" id="feed-interval-hint">${t('procurement.feed_interval_hint')}</span>`, create)}
<button type="submit" class="primary">${t('procurement.feed_add')}</button></form>`;
}
