// The public pages of the transparency ranking: the table with its map, a city's profile, the
// comparison, an indicator, the best-practices library, a city's recommendations report and
// the methodology of each year.
import { brandHeading, type CityBrand } from '../cities/brand-view.ts';
import { html, jsonForHtml, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, pagination, type PageContext } from '../../platform/html/layout.ts';
import { selectField, textAreaField, type FieldValues } from '../../platform/html/fields.ts';
import { formatDateTime, formatNumber } from '../../platform/i18n/locales.ts';
import { collationKey } from '../../platform/i18n/collation.ts';
import { localName, type Oblast } from '../cities/service.ts';
import type { Board, BoardRow, CityYear, IndicatorScore } from './board.ts';
import { indicatorList } from './board.ts';
import { statusBand } from './scoring.ts';
import { areasChartSize, NARROW_WIDTH } from './charts.ts';
import type { Campaign } from './campaigns.ts';
import type { MethodologyDocument } from './methodology.ts';
import {
  PRACTICE_FACETS,
  type FacetValue,
  type PracticeFacetName,
  type PracticeFilter,
  type PracticePage,
} from './practices.ts';

type Errors = Record<string, string> | undefined;
type Localized = { uk: string; en: string; bg: string };
export type MethodologyIndicator = MethodologyDocument['areas'][number]['indicators'][number];

export const local = (ctx: PageContext, text: Localized) => text[ctx.locale] || text.uk;
export const campaignTitle = (ctx: PageContext, c: Pick<Campaign, 'title_uk' | 'title_en' | 'title_bg'>) =>
  local(ctx, { uk: c.title_uk, en: c.title_en, bg: c.title_bg });

/** A total or percentage as shown: one decimal. The stored values are never rounded. */
export const score = (ctx: PageContext, value: number | null | undefined) =>
  value === null || value === undefined ? '—' : formatNumber(ctx.locale, Math.round(value * 10) / 10);

export function bandLabel(ctx: PageContext, key: string | null): string {
  if (!key) return '—';
  const label = ctx.t(`ranking.band.${key}`);
  return label === `ranking.band.${key}` ? key : label;
}

/** Map colours of the bands, highest first; the same as the .swatch-N classes in app.css. */
const BAND_COLOURS = ['#1e6b33', '#d39e00', '#a4161a', '#5b4db0'];

const bandBadge = (ctx: PageContext, key: string | null) =>
  html`<span class="badge band-${key ?? 'none'}">${bandLabel(ctx, key)}</span>`;

function changeCell(ctx: PageContext, row: BoardRow, label: string): SafeHtml {
  const { change } = row;
  if (change.points === null) return html`<td class="number change" data-label="${label}">—</td>`;
  const sign = (n: number) => (n > 0 ? '+' : n < 0 ? '−' : '±');
  const places =
    change.places === null
      ? ''
      : ` (${sign(change.places)}${formatNumber(ctx.locale, Math.abs(change.places))} ${ctx.t('ranking.places_short')})`;
  return html`<td class="number change" data-label="${label}">${sign(change.points)}${score(ctx, Math.abs(change.points))}${places}${change.comparable ? '' : html` <abbr title="${ctx.t('ranking.not_comparable')}">*</abbr>`}</td>`;
}

export function campaignStatus(ctx: PageContext, board: Pick<Board, 'campaign' | 'revision'>): SafeHtml {
  const { campaign, revision } = board;
  if (revision) {
    return html`<p>${ctx.t('ranking.published_on', { date: formatDateTime(ctx.locale, revision.published_at) })}${
      revision.revision > 1 ? html` · ${ctx.t('ranking.revision', { n: revision.revision })}` : ''
    }</p>`;
  }
  return html`<p class="notice" role="status">${ctx.t('ranking.provisional', { phase: ctx.t(`ranking.phases.${campaign.phase}`) })}</p>`;
}

export type BoardFilters = { oblast: string; population: string; status: string; sort: string };

const SORTS = ['place', 'name', 'total', 'change', 'population'] as const;
export const boardSorts: readonly string[] = SORTS;

export function sortRows(ctx: PageContext, rows: BoardRow[], sort: string): BoardRow[] {
  // Names in the reader's alphabetical order, the same order as every other list on the site; each key computed once.
  const keys = new Map(rows.map((r) => [r, collationKey(localName(r.city, ctx.locale), ctx.locale)]));
  const names = (a: BoardRow, b: BoardRow) => {
    const x = keys.get(a)!;
    const y = keys.get(b)!;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const by: Record<string, (a: BoardRow, b: BoardRow) => number> = {
    place: (a, b) => (a.place ?? 1e9) - (b.place ?? 1e9) || names(a, b),
    name: names,
    total: (a, b) => (b.total ?? -1) - (a.total ?? -1),
    change: (a, b) => (b.change.points ?? -1e9) - (a.change.points ?? -1e9),
    population: (a, b) => (b.city.population ?? 0) - (a.city.population ?? 0),
  };
  return [...rows].sort(by[sort] ?? by.place!);
}

export function boardPage(
  ctx: PageContext,
  board: Board,
  options: {
    campaigns: Campaign[];
    oblasts: Oblast[];
    filters: BoardFilters;
    rows: BoardRow[];
  },
): SafeHtml {
  const { t } = ctx;
  const { campaign } = board;
  const { filters } = options;
  const base = `/ranking/campaigns/${campaign.id}`;
  const query = (sort: string) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries({ ...filters, sort }))
      if (value && !(key === 'sort' && value === 'place')) params.set(key, value);
    const qs = params.toString();
    return qs ? `${base}?${qs}` : base;
  };
  const header = (
    key: string,
    label: string,
    numeric = false,
  ) => html`<th scope="col"${numeric ? html` class="number"` : ''}${filters.sort === key ? html` aria-sort="${key === 'name' || key === 'place' ? 'ascending' : 'descending'}"` : ''}>
    <a href="${query(key)}">${label}</a></th>`;
  const changeLabel = board.previous
    ? t('ranking.change_since', { year: String(board.previous.year) })
    : t('ranking.change');
  const sortLabel = (key: (typeof SORTS)[number]) =>
    ({
      place: t('ranking.place'),
      name: t('ranking.city'),
      total: t('ranking.total'),
      change: changeLabel,
      population: t('cities.population'),
    })[key];
  const oblastName = (slug: string) => {
    const o = options.oblasts.find((x) => x.slug === slug);
    return o ? localName(o, ctx.locale) : slug;
  };
  const bands = [...new Set(board.rows.map((r) => r.populationBand))].sort(
    (a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10),
  );
  // Bands from the highest down take the colours in order; the legend below the map names them.
  const bandsDown = [...campaign.bands].sort((a, b) => b.min - a.min);
  const bandIndex = (key: string | null) =>
    Math.max(
      0,
      bandsDown.findIndex((b) => b.key === key),
    ) % BAND_COLOURS.length;
  const points = options.rows
    .filter((r) => r.city.latitude !== null && r.total !== null)
    .map((r) => ({
      name: localName(r.city, ctx.locale),
      lat: r.city.latitude,
      lon: r.city.longitude,
      total: Math.round(r.total! * 10) / 10,
      url: `${base}/cities/${r.city.slug}`,
      colour: BAND_COLOURS[bandIndex(r.band)],
    }));
  // Each region in the colour of the band its cities' mean total falls in (the averages table gives the means).
  const regionColours = Object.fromEntries(
    [...board.byOblast].flatMap(([slug, { mean }]) => {
      const iso = options.oblasts.find((o) => o.slug === slug)?.iso_code;
      return iso ? [[iso, BAND_COLOURS[bandIndex(statusBand(mean, campaign.bands))]]] : [];
    }),
  );
  return html`
<h1>${campaignTitle(ctx, campaign)}</h1>
<p class="lead">${t('ranking.intro')}</p>
${campaign.demo ? html`<p class="notice">${t('ranking.demo_notice')}</p>` : ''}
${campaignStatus(ctx, board)}
<nav aria-label="${t('ranking.other_years')}"><ul class="inline-list">${options.campaigns.map((c) => html`<li><a href="/ranking/campaigns/${c.id}"${c.id === campaign.id ? html` aria-current="page"` : ''}>${c.year}</a></li>`)}
  <li><a href="/ranking/methodologies/${campaign.methodology_id}">${t('ranking.methodology')}</a></li>
  <li><a href="/ranking/practices">${t('ranking.practices.title')}</a></li>
  <li><a href="${base}/compare">${t('ranking.compare.title')}</a></li></ul></nav>

<form method="get" action="${base}" class="filters" role="search" aria-label="${t('ranking.filter')}">
  ${filterSelect(
    ctx,
    'oblast',
    t('cities.oblast'),
    filters.oblast,
    options.oblasts
      .filter((o) => board.rows.some((r) => r.city.oblast_slug === o.slug))
      .map((o) => ({ value: o.slug, label: localName(o, ctx.locale) })),
  )}
  ${filterSelect(
    ctx,
    'population',
    t('ranking.population_band'),
    filters.population,
    bands.map((b) => ({ value: b, label: populationLabel(ctx, b) })),
  )}
  ${filterSelect(
    ctx,
    'status',
    t('ranking.status'),
    filters.status,
    campaign.bands.map((b) => ({ value: b.key, label: bandLabel(ctx, b.key) })),
  )}
  <label>${t('cities.sort')}<select name="sort">${SORTS.map(
    (key) => html`<option value="${key}"${filters.sort === key ? html` selected` : ''}>${sortLabel(key)}</option>`,
  )}</select></label>
  <button type="submit">${t('ranking.apply')}</button>
</form>

${
  points.length
    ? html`<div id="ranking-map" class="map" role="region" aria-label="${t('ranking.map_label')}" data-points="${jsonForHtml(points)}" data-regions="${jsonForHtml(regionColours)}"></div>
<p class="hint">${t('ranking.map_regions')}</p>
<ul class="map-legend">${bandsDown.map((b, i) => html`<li><span class="swatch swatch-${i % BAND_COLOURS.length}" aria-hidden="true"></span> ${bandLabel(ctx, b.key)} (≥ ${formatNumber(ctx.locale, b.min)})</li>`)}</ul>`
    : ''
}

<div class="table-wrap"><table class="ranking">
<caption>${t('ranking.table_caption', { count: options.rows.length })}</caption>
<thead><tr>${header('place', t('ranking.place'), true)}${header('name', t('ranking.city'))}<th scope="col">${t('cities.oblast')}</th>
  ${header('population', t('cities.population'), true)}${header('total', t('ranking.total'), true)}<th scope="col">${t('ranking.status')}</th>
  ${header('change', changeLabel, true)}</tr></thead>
<tbody>${options.rows.map(
    // On phones each row is a card (place, city and score on its first line); the labels name the rest.
    (r) => html`<tr>
  <td class="number place">${r.place ?? '—'}</td>
  <th scope="row" class="city"><a href="${base}/cities/${r.city.slug}">${localName(r.city, ctx.locale)}</a></th>
  <td class="oblast">${oblastName(r.city.oblast_slug)}</td>
  <td class="number population" data-label="${t('cities.population')}">${r.city.population === null ? '—' : formatNumber(ctx.locale, r.city.population)}</td>
  <td class="number total"><strong>${score(ctx, r.total)}</strong><span class="visually-hidden"> ${t('ranking.points_short')}</span></td>
  <td class="status">${bandBadge(ctx, r.band)}</td>
  ${changeCell(ctx, r, changeLabel)}
</tr>`,
  )}</tbody></table></div>
${board.rows.some((r) => !r.change.comparable && r.change.points !== null) ? html`<p class="hint">* ${t('ranking.not_comparable')}</p>` : ''}

<h2>${t('ranking.averages')}</h2>
<div class="cards">
<div class="card"><h3>${t('ranking.by_oblast')}</h3>${averagesTable(
    ctx,
    t('cities.oblast'),
    [...board.byOblast].map(([k, v]) => [oblastName(k), v] as const),
  )}</div>
<div class="card"><h3>${t('ranking.by_population')}</h3>${averagesTable(
    ctx,
    t('ranking.population_band'),
    bands
      .filter((b) => board.byPopulation.has(b))
      .map((b) => [populationLabel(ctx, b), board.byPopulation.get(b)!] as const),
    'given',
  )}</div>
</div>

<h2>${t('ranking.open_results')}</h2>
<ul>
  <li>${t('ranking.exports.results')}: <a href="${base}/results.csv">CSV</a> · <a href="${base}/results.xlsx">XLSX</a> · <a href="${base}/results.json">JSON</a></li>
  <li>${t('ranking.exports.scores')}: <a href="${base}/scores.csv">CSV</a> · <a href="${base}/scores.xlsx">XLSX</a> · <a href="${base}/scores.json">JSON</a></li>
  <li>${t('ranking.methodology')}: <a href="/ranking/methodologies/${campaign.methodology_id}.json">JSON</a> · <a href="/ranking/methodologies/${campaign.methodology_id}.xlsx">XLSX</a></li>
  <li><a href="/api/docs">API</a> · <a href="${base}/appeals">${t('ranking.appeals.title')}</a></li>
</ul>

${
  board.revisions.length > 1
    ? html`<h2>${t('ranking.revisions')}</h2>
<ol reversed class="revisions">${board.revisions.map(
        (r) => html`<li><a href="${base}?revision=${r.revision}">${t('ranking.revision', { n: r.revision })}</a>,
  ${formatDateTime(ctx.locale, r.published_at)}${r.change_note ? html`: ${r.change_note}` : ''}
  ${board.corrections.filter((c) => c.revision === r.revision).map((c) => html`<br><span class="hint">${localName(c.city, ctx.locale)}, ${c.code}: ${score(ctx, c.previous)} → ${score(ctx, c.value)}</span>`)}</li>`,
      )}</ol>`
    : ''
}`;
}

/** A select wrapped in its label, the way the site's filter bars lay out. */
function filterSelect(
  ctx: PageContext,
  name: string,
  label: string,
  current: string,
  choices: { value: string; label: string }[],
): SafeHtml {
  return html`<label>${label}<select name="${name}"><option value="">${ctx.t('ranking.all')}</option>${choices.map(
    (c) => html`<option value="${c.value}"${c.value === current ? html` selected` : ''}>${c.label}</option>`,
  )}</select></label>`;
}

function averagesTable(
  ctx: PageContext,
  label: string,
  rows: readonly (readonly [string, { mean: number; count: number }])[],
  /** Regions read best from the highest mean down; population bands in their own order, smallest first. */
  order: 'mean' | 'given' = 'mean',
): SafeHtml {
  const sorted = order === 'mean' ? [...rows].sort((a, b) => b[1].mean - a[1].mean) : rows;
  return html`<div class="table-wrap"><table class="compact"><thead><tr><th scope="col">${label}</th><th scope="col" class="number">${ctx.t('ranking.mean')}</th><th scope="col" class="number">${ctx.t('ranking.cities_count')}</th></tr></thead>
  <tbody>${sorted.map(([name, v]) => html`<tr><td>${name}</td><td class="number">${score(ctx, v.mean)}</td><td class="number">${v.count}</td></tr>`)}</tbody></table></div>`;
}

export function populationLabel(ctx: PageContext, band: string): string {
  if (band === 'unknown') return '—';
  const [from, to] = band.replace('+', '').split('-').map(Number);
  return to === undefined || Number.isNaN(to)
    ? `${formatNumber(ctx.locale, from!)}+`
    : `${formatNumber(ctx.locale, from!)}–${formatNumber(ctx.locale, to)}`;
}

// ---- A city's profile ----

export interface Appeal {
  id: number;
  city_id: number;
  code: string;
  explanation: string;
  evidence_links: string[];
  state: 'pending' | 'accepted' | 'rejected';
  decision_reason: string | null;
  previous_value: number | null;
  new_value: number | null;
  created_at: Date;
  decided_at: Date | null;
  files: { id: number; file_name: string }[];
}

export interface EvidenceFile {
  id: number;
  code: string;
  file_name: string;
}

function verdictText(
  ctx: PageContext,
  indicator: MethodologyIndicator,
  s: Pick<IndicatorScore, 'value' | 'not_applicable'> | undefined,
): string {
  if (!s) return ctx.t('ranking.not_scored');
  if (s.not_applicable) return ctx.t('ranking.not_applicable');
  const level = indicator.levels.find((l) => l.value === s.value);
  return `${score(ctx, (s.value ?? 0) * indicator.points)} / ${score(ctx, indicator.points)}${level ? ` — ${local(ctx, level.description)}` : ''}`;
}

function evidenceList(
  ctx: PageContext,
  links: string[],
  files: { id: number; file_name: string }[],
  campaignId: number,
): SafeHtml {
  if (!links.length && !files.length) return html``;
  return html`<p>${ctx.t('ranking.evidence')}: ${links.map((link, i) => html`${i ? ', ' : ''}<a href="${link}" rel="nofollow noopener">${link}</a>`)}${files.map(
    (f, i) =>
      html`${i || links.length ? ', ' : ''}<a href="/ranking/campaigns/${campaignId}/files/${f.id}">${f.file_name}</a>`,
  )}</p>`;
}

export function cityPage(
  ctx: PageContext,
  board: Board,
  row: BoardRow,
  options: {
    scores: IndicatorScore[];
    files: EvidenceFile[];
    appeals: Appeal[];
    years: CityYear[];
    canAppeal: boolean;
    appealValues?: FieldValues;
    appealErrors?: Errors;
    notice?: string;
    /** The city's logo and accent colour, when the page shows them. */
    brand?: CityBrand | null;
  },
): SafeHtml {
  const { t } = ctx;
  const { campaign } = board;
  const base = `/ranking/campaigns/${campaign.id}`;
  const byCode = new Map(options.scores.map((s) => [s.code, s]));
  const name = localName(row.city, ctx.locale);
  return html`
<p><a href="${base}">← ${campaignTitle(ctx, campaign)}</a></p>
${options.notice ? html`<p class="notice success" role="status">${options.notice}</p>` : ''}
${options.brand ? brandHeading(ctx, options.brand, `${name}: ${t('ranking.transparency')}`) : html`<h1>${name}: ${t('ranking.transparency')}</h1>`}
${campaignStatus(ctx, board)}
<div class="cards ranking-summary">
  <div class="card"><h2>${t('ranking.total')}</h2><p class="stat">${score(ctx, row.total)}</p><p>${t('ranking.of_100')}</p></div>
  <div class="card"><h2>${t('ranking.place')}</h2><p class="stat">${row.place ?? '—'}</p><p>${t('ranking.of_cities', { count: board.rows.length })}</p></div>
  <div class="card"><h2>${t('ranking.status')}</h2><p class="stat">${bandBadge(ctx, row.band)}</p></div>
  <div class="card"><h2>${board.previous ? t('ranking.change_since', { year: String(board.previous.year) }) : t('ranking.change')}</h2><p class="stat">${
    row.change.points === null ? '—' : `${row.change.points >= 0 ? '+' : '−'}${score(ctx, Math.abs(row.change.points))}`
  }</p>${
    row.change.points !== null && !row.change.comparable ? html`<p class="hint">${t('ranking.not_comparable')}</p>` : ''
  }</div>
</div>
<p class="actions"><a class="button" href="${base}/cities/${row.city.slug}/recommendations">${t('ranking.recommendations.title')}</a>
  <a href="${base}/compare?cities=${row.city.slug}">${t('ranking.compare.title')}</a> · <a href="/cities/${row.city.slug}">${t('ranking.city_page')}</a></p>

<h2>${t('ranking.by_area')}</h2>
<figure class="chart"><picture>
  <source media="(max-width: 40rem)" srcset="${base}/cities/${row.city.slug}/areas.svg?size=narrow" width="${areasChartSize(board.methodology.areas.length, true).width}" height="${areasChartSize(board.methodology.areas.length, true).height}">
  <img src="${base}/cities/${row.city.slug}/areas.svg" alt="${t('ranking.areas_chart_alt', { city: name })}" width="900" height="${areasChartSize(board.methodology.areas.length).height}">
</picture></figure>
<div class="table-wrap"><table><thead><tr><th scope="col">${t('ranking.area')}</th><th scope="col" class="number">${t('ranking.points')}</th>
  <th scope="col" class="number">${t('ranking.percent')}</th><th scope="col" class="number">${t('ranking.average_percent')}</th></tr></thead>
<tbody>${board.methodology.areas.map((area) => {
    const a = row.areas.find((x) => x.area === area.code);
    return html`<tr><th scope="row"><a href="#area-${area.code}">${local(ctx, area.name)}</a></th><td class="number">${score(ctx, a?.score)} / ${score(ctx, a?.max)}</td>
      <td class="number">${score(ctx, a?.percent)}</td><td class="number">${score(ctx, board.areaMeans.get(area.code))}</td></tr>`;
  })}</tbody></table></div>
<p>${t('ranking.by_type', { legal: score(ctx, row.byType.legal), best: score(ctx, row.byType.best_practice) })}</p>

${
  options.years.length > 1
    ? html`<h2>${t('ranking.dynamics')}</h2>
<figure class="chart"><picture>
  <source media="(max-width: 40rem)" srcset="/ranking/cities/${row.city.slug}/dynamics.svg?size=narrow" width="${NARROW_WIDTH}" height="260">
  <img src="/ranking/cities/${row.city.slug}/dynamics.svg" alt="${t('ranking.dynamics_alt', { city: name })}" width="900" height="320">
</picture></figure>
<table><thead><tr><th scope="col">${t('ranking.year')}</th><th scope="col" class="number">${t('ranking.total')}</th><th scope="col" class="number">${t('ranking.place')}</th></tr></thead>
<tbody>${options.years.map((y) => html`<tr><td><a href="/ranking/campaigns/${y.campaign.id}/cities/${row.city.slug}">${y.campaign.year}</a></td><td class="number">${score(ctx, y.total)}</td><td class="number">${y.place ?? '—'}</td></tr>`)}</tbody></table>`
    : ''
}

<h2>${t('ranking.indicators')}</h2>
${board.methodology.areas.map(
  // Folded per area, each summary giving the area's points: 88 indicators open at once were a wall of text.
  (area) => {
    const a = row.areas.find((x) => x.area === area.code);
    return html`<details class="ranking-area area-panel" id="area-${area.code}"${options.appeals.some((x) => area.indicators.some((i) => i.code === x.code)) ? html` open` : ''}>
<summary><h3 id="area-${area.code}-title">${area.code}. ${local(ctx, area.name)}</h3>
<span class="hint">${score(ctx, a?.score)} / ${score(ctx, a?.max)} · ${score(ctx, a?.percent)}%</span></summary>
<ul class="indicators">${area.indicators.map((indicator) => {
      const s = byCode.get(indicator.code);
      const appeals = options.appeals.filter((a) => a.code === indicator.code);
      return html`<li id="indicator-${indicator.code}" class="${s && !s.not_applicable && s.value === 1 ? 'full' : ''}">
  <p><a href="${base}/indicators/${indicator.code}"><strong>${indicator.code}</strong></a> ${local(ctx, indicator.question)}</p>
  <p><strong>${verdictText(ctx, indicator, s)}</strong></p>
  ${s?.comment ? html`<p>${t('ranking.comment')}: ${s.comment}</p>` : ''}
  ${s?.recommendation ? html`<p>${t('ranking.recommendation')}: ${s.recommendation}</p>` : ''}
  ${evidenceList(
    ctx,
    s?.evidence_links ?? [],
    options.files.filter((f) => f.code === indicator.code),
    campaign.id,
  )}
  ${appeals.map((a) => appealBlock(ctx, a, campaign.id))}
</li>`;
    })}</ul></details>`;
  },
)}

${options.canAppeal ? appealForm(ctx, board, row, options.appealValues ?? {}, options.appealErrors) : ''}`;
}

export function appealBlock(ctx: PageContext, a: Appeal, campaignId: number): SafeHtml {
  const { t } = ctx;
  return html`<div class="appeal"><p><span class="badge state-${a.state === 'accepted' ? 'answered' : a.state === 'rejected' ? 'rejected' : 'open'}">${t(`ranking.appeals.state.${a.state}`)}</span>
  ${t('ranking.appeals.filed', { date: formatDateTime(ctx.locale, a.created_at) })}: ${a.explanation}</p>
  ${evidenceList(ctx, a.evidence_links, a.files, campaignId)}
  ${a.decision_reason ? html`<p>${t('ranking.appeals.decision')}: ${a.decision_reason}${a.state === 'accepted' ? ` (${score(ctx, a.previous_value)} → ${score(ctx, a.new_value)})` : ''}</p>` : ''}</div>`;
}

function appealForm(ctx: PageContext, board: Board, row: BoardRow, values: FieldValues, errors: Errors): SafeHtml {
  const { t } = ctx;
  return html`<section class="appeal-form" aria-labelledby="appeal-title">
<h2 id="appeal-title">${t('ranking.appeals.file')}</h2>
<p>${t('ranking.appeals.intro')}</p>
<form method="post" action="/ranking/campaigns/${board.campaign.id}/cities/${row.city.slug}/appeals" enctype="multipart/form-data" class="stacked wide">
  ${csrfField(ctx)}
  ${selectField({
    name: 'indicator',
    label: t('ranking.indicator'),
    values,
    errors,
    empty: '—',
    choices: indicatorList(board.methodology).map((i) => ({
      value: i.code,
      label: `${i.code} ${local(ctx, i.question)}`,
    })),
  })}
  ${textAreaField({ name: 'explanation', label: t('ranking.appeals.explanation'), values, errors, rows: 5 })}
  ${textAreaField({ name: 'evidence_links', label: t('ranking.evidence_links'), values, errors, rows: 2, hint: t('ranking.evidence_links_hint') })}
  <label for="appeal-file">${t('ranking.evidence_file')}</label>
  <p class="hint" id="appeal-file-hint">${t('ranking.evidence_file_hint')}</p>
  <input type="file" id="appeal-file" name="file" accept="application/pdf,image/png,image/jpeg,image/webp" aria-describedby="appeal-file-hint">
  ${errors?.file ? html`<p class="field-error">${errors.file}</p>` : ''}
  <button type="submit">${t('ranking.appeals.send')}</button>
</form></section>`;
}

// ---- Compare, indicator, practices, recommendations, methodology ----

/** A cell's tint by the share of points it got (full, partial, none); the numbers stay in the cell. */
const levelClass = (share: number | null) =>
  share === null ? '' : share >= 0.8 ? 'level-high' : share >= 0.5 ? 'level-mid' : 'level-low';

export function comparePage(
  ctx: PageContext,
  board: Board,
  chosen: BoardRow[],
  scores: Map<number, Map<string, IndicatorScore>>,
): SafeHtml {
  const { t } = ctx;
  const base = `/ranking/campaigns/${board.campaign.id}`;
  const cityChoices = sortRows(ctx, board.rows, 'name').map((r) => ({
    value: r.city.slug,
    label: localName(r.city, ctx.locale),
  }));
  const picker = (i: number) => html`<label>${t('ranking.compare.city', { n: i + 1 })}
    <select name="cities"><option value="">—</option>${cityChoices.map((c) => html`<option value="${c.value}"${chosen[i]?.city.slug === c.value ? html` selected` : ''}>${c.label}</option>`)}</select></label>`;
  const cityName = (r: BoardRow) => localName(r.city, ctx.locale);
  // On phones each row (an area, an indicator) is a card listing every compared city by name.
  const cols = chosen.map(
    (r) =>
      html`<th scope="col" class="number"><a href="${base}/cities/${r.city.slug}">${localName(r.city, ctx.locale)}</a></th>`,
  );
  return html`
<p><a href="${base}">← ${campaignTitle(ctx, board.campaign)}</a></p>
<h1>${t('ranking.compare.title')}</h1>
<form method="get" action="${base}/compare" class="filters">${[0, 1, 2].map(picker)}<button type="submit">${t('ranking.compare.go')}</button></form>
${
  chosen.length
    ? html`<div class="table-wrap"><table class="compare responsive"><thead><tr><th scope="col">${t('ranking.area')}</th>${cols}</tr></thead>
<tbody>
<tr><th scope="row">${t('ranking.total')}</th>${chosen.map((r) => html`<td class="number" data-label="${cityName(r)}"><strong>${score(ctx, r.total)}</strong></td>`)}</tr>
<tr><th scope="row">${t('ranking.place')}</th>${chosen.map((r) => html`<td class="number" data-label="${cityName(r)}">${r.place ?? '—'}</td>`)}</tr>
<tr><th scope="row">${t('ranking.status')}</th>${chosen.map((r) => html`<td class="number" data-label="${cityName(r)}">${bandBadge(ctx, r.band)}</td>`)}</tr>
${board.methodology.areas.map(
  (area) =>
    html`<tr><th scope="row">${local(ctx, area.name)}</th>${chosen.map((r) => {
      const a = r.areas.find((x) => x.area === area.code);
      return html`<td class="number ${levelClass(a?.percent === undefined || a?.percent === null ? null : a.percent / 100)}" data-label="${cityName(r)}">${score(ctx, a?.score)} / ${score(ctx, a?.max)}</td>`;
    })}</tr>`,
)}
</tbody></table></div>
<h2>${t('ranking.indicators')}</h2>
<div class="table-wrap"><table class="compare responsive"><thead><tr><th scope="col">${t('ranking.indicator')}</th>${cols}</tr></thead>
<tbody>${indicatorList(board.methodology).map(
        (i) =>
          html`<tr><th scope="row"><a href="${base}/indicators/${i.code}">${i.code}</a> ${local(ctx, i.question)}</th>${chosen.map(
            (r) => {
              const s = scores.get(r.cityId)?.get(i.code);
              return html`<td class="number ${levelClass(!s || s.not_applicable ? null : (s.value ?? 0))}" data-label="${cityName(r)}">${!s ? '—' : s.not_applicable ? t('ranking.na_short') : html`${score(ctx, (s.value ?? 0) * i.points)} / ${score(ctx, i.points)}`}</td>`;
            },
          )}</tr>`,
      )}</tbody></table></div>`
    : html`<div class="empty-state"><p>${t('ranking.compare.pick')}</p></div>`
}`;
}

export function indicatorPage(
  ctx: PageContext,
  board: Board,
  indicator: MethodologyIndicator & { area: MethodologyDocument['areas'][number] },
  scores: IndicatorScore[],
): SafeHtml {
  const { t } = ctx;
  const base = `/ranking/campaigns/${board.campaign.id}`;
  const byCity = new Map(scores.map((s) => [s.city_id, s]));
  const full = board.rows.filter((r) => {
    const s = byCity.get(r.cityId);
    return s && !s.not_applicable && s.value === 1;
  });
  const count = (value: number | 'na') =>
    scores.filter((s) => (value === 'na' ? s.not_applicable : !s.not_applicable && s.value === value)).length;
  return html`
<p><a href="${base}">← ${campaignTitle(ctx, board.campaign)}</a></p>
<h1>${indicator.code}: ${local(ctx, indicator.question)}</h1>
<p>${local(ctx, indicator.area.name)} · ${t('ranking.points_n', { count: indicator.points })} · ${t(`ranking.type.${indicator.type}`)}</p>
${local(ctx, indicator.guidance) ? html`<p>${local(ctx, indicator.guidance)}</p>` : ''}
<h2>${t('ranking.levels')}</h2>
<ul>${indicator.levels.map((l) => html`<li><strong>${formatNumber(ctx.locale, l.value)}</strong> — ${local(ctx, l.description)} (${t('ranking.cities_n', { count: count(l.value) })})</li>`)}
${indicator.not_applicable_allowed ? html`<li>${t('ranking.not_applicable')} (${t('ranking.cities_n', { count: count('na') })})</li>` : ''}</ul>
<h2>${t('ranking.how_cities_do')}</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">${t('ranking.city')}</th><th scope="col" class="number">${t('ranking.points')}</th><th scope="col">${t('ranking.comment')}</th></tr></thead>
<tbody>${sortRows(ctx, board.rows, 'name').map((r) => {
    const s = byCity.get(r.cityId);
    return html`<tr><th scope="row"><a href="${base}/cities/${r.city.slug}#indicator-${indicator.code}">${localName(r.city, ctx.locale)}</a></th>
      <td class="number">${!s ? '—' : s.not_applicable ? t('ranking.na_short') : score(ctx, (s.value ?? 0) * indicator.points)}</td><td>${s?.comment ?? ''}</td></tr>`;
  })}</tbody></table></div>
<h2>${t('ranking.practices.title')}</h2>
${
  full.length
    ? html`<ul class="practices">${full.map((r) => {
        const s = byCity.get(r.cityId)!;
        return html`<li><strong><a href="${base}/cities/${r.city.slug}#indicator-${indicator.code}">${localName(r.city, ctx.locale)}</a></strong>: ${s.comment}
      ${evidenceList(ctx, s.evidence_links, [], board.campaign.id)}</li>`;
      })}</ul>`
    : html`<div class="empty-state"><p>${t('ranking.practices.none')}</p></div>`
}`;
}

/** How many values of a practices facet show before the rest fold into "show more". */
const PRACTICE_FACET_VALUES_SHOWN = 8;

export function practicesPage(ctx: PageContext, filter: PracticeFilter, result: PracticePage): SafeHtml {
  const { t } = ctx;
  const state = {
    q: filter.q || undefined,
    year: filter.year === undefined ? undefined : String(filter.year),
    area: filter.area,
    city: filter.city,
    indicator: filter.indicator,
  };
  // A link to this page with some filters changed (and the first page of the new list).
  const link = (changes: Partial<typeof state>) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries({ ...state, ...changes })) if (value) params.set(key, value);
    const qs = params.toString();
    return qs ? `/ranking/practices?${qs}` : '/ranking/practices';
  };
  const label = (facet: PracticeFacetName, value: FacetValue) =>
    facet === 'indicator' ? `${value.value} ${local(ctx, value.name)}` : local(ctx, value.name);
  const activeLabel = (facet: PracticeFacetName) => {
    const value = state[facet]!;
    const known = result.facets[facet].find((v) => v.value === value);
    return known ? label(facet, known) : value;
  };
  // Facet links are nofollow: crawlers need not walk every combination of filters.
  const facetGroup = (facet: PracticeFacetName) => {
    const values = result.facets[facet];
    if (values.length === 0) return '';
    const item = (v: FacetValue) => {
      const active = state[facet] === v.value;
      return html`<li><a rel="nofollow" href="${link({ [facet]: active ? undefined : v.value })}"${active ? html` aria-current="true"` : ''}>${label(facet, v)}</a> (${formatNumber(ctx.locale, v.count)})</li>`;
    };
    const shown = values.slice(0, PRACTICE_FACET_VALUES_SHOWN);
    const folded = values.slice(PRACTICE_FACET_VALUES_SHOWN);
    const activeFolded = folded.filter((v) => state[facet] === v.value);
    const title = t(`ranking.practices.facet_${facet}`);
    return html`<h2>${title}</h2><ul>${[...shown, ...activeFolded].map(item)}</ul>${
      folded.length > activeFolded.length
        ? html`<details class="more-values"><summary>${t('ranking.practices.more_values', { count: folded.length - activeFolded.length })}<span class="visually-hidden">: ${title}</span></summary>
<ul>${folded.filter((v) => state[facet] !== v.value).map(item)}</ul></details>`
        : ''
    }`;
  };
  const active = PRACTICE_FACETS.filter((f) => state[f]);
  return html`
<p><a href="/ranking">← ${t('ranking.title')}</a></p>
<h1>${t('ranking.practices.title')}</h1>
<p class="lead">${t('ranking.practices.intro')}</p>
<form method="get" action="/ranking/practices" class="filters" role="search">
  <label for="practices-q">${t('ranking.practices.search')}</label><input type="search" id="practices-q" name="q" value="${filter.q ?? ''}" maxlength="200">
  ${active.map((f) => html`<input type="hidden" name="${f}" value="${state[f] ?? ''}">`)}
  <button type="submit">${t('ranking.practices.find')}</button>
</form>
${
  active.length
    ? html`<p class="active-filters">${t('ranking.practices.active_filters')}: ${active.map(
        (f) =>
          html`<a class="badge" rel="nofollow" href="${link({ [f]: undefined })}">${activeLabel(f)} ✕<span class="visually-hidden"> ${t('ranking.practices.remove_filter')}</span></a>`,
      )}</p>`
    : ''
}
<div class="with-sidebar">
  <details class="facet-panel" open>
  <summary class="button">${t('ranking.practices.filters')}${active.length ? ` (${active.length})` : ''}</summary>
  <nav class="facets" aria-label="${t('ranking.practices.filters')}">
    ${PRACTICE_FACETS.map(facetGroup)}
  </nav>
  </details>
  <div>
    <p role="status">${t('ranking.practices.found', { count: result.total })}</p>
    ${
      result.items.length === 0
        ? html`<div class="empty-state"><p>${t('ranking.practices.nothing_found')}</p>${
            active.length || filter.q
              ? html`<p><a href="/ranking/practices">${t('ranking.practices.show_all')}</a></p>`
              : ''
          }</div>`
        : html`<ul class="results practices">${result.items.map(
            (p) => html`<li>
  <h2><a href="/ranking/campaigns/${p.campaign_id}/cities/${p.city_slug}#indicator-${p.code}">${local(ctx, p.city)}, ${p.year}</a></h2>
  <p><a href="/ranking/campaigns/${p.campaign_id}/indicators/${p.code}">${p.code}</a> ${local(ctx, p.question)} <span class="hint">(${local(ctx, p.area)})</span></p>
  <p>${p.comment}</p>${evidenceList(ctx, p.evidence_links, [], p.campaign_id)}</li>`,
          )}</ul>`
    }
    ${pagination(ctx, '/ranking/practices', state, { total: result.total, limit: filter.limit, offset: filter.offset })}
  </div>
</div>`;
}

export function recommendationsPage(ctx: PageContext, board: Board, row: BoardRow, scores: IndicatorScore[]): SafeHtml {
  const { t } = ctx;
  const byCode = new Map(scores.map((s) => [s.code, s]));
  const todo = indicatorList(board.methodology)
    .map((i) => {
      const s = byCode.get(i.code);
      return { indicator: i, s, gain: s?.not_applicable ? 0 : i.points * (1 - (s?.value ?? 0)) };
    })
    .filter((x) => x.gain > 0)
    .sort((a, b) => b.gain - a.gain || a.indicator.code.localeCompare(b.indicator.code));
  const name = localName(row.city, ctx.locale);
  return html`
<p class="no-print"><a href="/ranking/campaigns/${board.campaign.id}/cities/${row.city.slug}">← ${name}</a></p>
<h1>${t('ranking.recommendations.heading', { city: name })}</h1>
<p>${campaignTitle(ctx, board.campaign)} · ${t('ranking.total')}: ${score(ctx, row.total)} · ${t('ranking.place')}: ${row.place ?? '—'}</p>
<p class="lead">${t('ranking.recommendations.intro', {
    count: todo.length,
    points: score(
      ctx,
      todo.reduce((s, x) => s + x.gain, 0),
    ),
  })}</p>
<p class="hint no-print">${t('ranking.recommendations.print')}</p>
<ol class="recommendations">${todo.map(
    ({ indicator, s, gain }) => html`<li>
  <p><strong>+${score(ctx, gain)} ${t('ranking.points_short')}</strong> · ${indicator.code} ${local(ctx, indicator.question)} <span class="hint">(${local(ctx, indicator.area.name)})</span></p>
  <p>${s?.recommendation || t('ranking.recommendations.default', { level: local(ctx, indicator.levels.find((l) => l.value === 1)?.description ?? { uk: '', en: '', bg: '' }) })}</p>
</li>`,
  )}</ol>`;
}

export function methodologyPage(
  ctx: PageContext,
  methodology: MethodologyDocument,
  info: { id: number; published: boolean; demo: boolean; campaigns: Campaign[]; canEdit: boolean },
): SafeHtml {
  const { t } = ctx;
  return html`
<p><a href="/ranking">← ${t('ranking.title')}</a> · <a href="/ranking/methodologies">${t('ranking.methodologies')}</a></p>
<h1>${local(ctx, methodology.title)}</h1>
${info.demo ? html`<p class="notice">${t('ranking.demo_methodology')}</p>` : ''}
<p>${t('ranking.version')}: <code>${methodology.version}</code> · ${info.published ? t('ranking.methodology_published') : html`<span class="badge warning">${t('ranking.methodology_draft')}</span>`}
 · <a href="/ranking/methodologies/${info.id}.json">JSON</a> · <a href="/ranking/methodologies/${info.id}.xlsx">XLSX</a>${
   info.canEdit && !info.published
     ? html` · <a href="/ranking/methodologies/${info.id}/edit">${t('ranking.edit')}</a>`
     : ''
 }</p>
${info.campaigns.length ? html`<p>${t('ranking.used_by')}: ${info.campaigns.map((c, i) => html`${i ? ', ' : ''}<a href="/ranking/campaigns/${c.id}">${campaignTitle(ctx, c)}</a>`)}</p>` : ''}
<p>${t('ranking.scoring_rules')}</p>
${methodology.areas.map(
  (
    area,
  ) => html`<section aria-labelledby="m-area-${area.code}"><h2 id="m-area-${area.code}">${area.code}. ${local(ctx, area.name)} <span class="hint">(${t('ranking.max_points', { count: area.max_points })})</span></h2>
<div class="table-wrap"><table><thead><tr><th scope="col">${t('ranking.code')}</th><th scope="col">${t('ranking.indicator')}</th><th scope="col" class="number">${t('ranking.points')}</th>
<th scope="col">${t('ranking.type_label')}</th><th scope="col">${t('ranking.levels')}</th></tr></thead>
<tbody>${area.indicators.map(
    (
      i,
    ) => html`<tr><th scope="row">${i.code}</th><td>${local(ctx, i.question)}${local(ctx, i.guidance) ? html`<br><span class="hint">${local(ctx, i.guidance)}</span>` : ''}
  <br><span class="hint">${t('ranking.evidence_methods')}: ${i.evidence.map((e) => t(`ranking.evidence_method.${e}`)).join(', ')}</span></td>
  <td class="number">${formatNumber(ctx.locale, i.points)}</td><td>${t(`ranking.type.${i.type}`)}</td>
  <td><ul class="levels">${i.levels.map((l) => html`<li>${formatNumber(ctx.locale, l.value)}: ${local(ctx, l.description)}</li>`)}${i.not_applicable_allowed ? html`<li>${t('ranking.not_applicable')}</li>` : ''}</ul></td></tr>`,
  )}</tbody></table></div></section>`,
)}`;
}

export function emptyRankingPage(ctx: PageContext, campaigns: Campaign[], canManage: boolean): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('ranking.title')}</h1><p class="lead">${t('ranking.intro')}</p><div class="empty-state"><p>${t('ranking.none')}</p></div>
${campaigns.length ? html`<ul>${campaigns.map((c) => html`<li><a href="/ranking/campaigns/${c.id}">${campaignTitle(ctx, c)}</a> — ${t(`ranking.phases.${c.phase}`)}</li>`)}</ul>` : ''}
${canManage ? html`<p><a class="button" href="/ranking/manage">${t('ranking.manage.title')}</a></p>` : ''}`;
}

/** The ranking on a city's own page: its result in each published year, linked to its profile there. */
/** The home page's latest published ranking: its leading cities. */
export function homeRankingSection(ctx: PageContext, board: Board, top: number): SafeHtml {
  const { t } = ctx;
  const leaders = board.rows
    .filter((r) => r.place !== null)
    .sort((a, b) => a.place! - b.place!)
    .slice(0, top);
  const base = `/ranking/campaigns/${board.campaign.id}`;
  return html`<section class="home-section" id="home-ranking" aria-labelledby="home-ranking-title">
<h2 id="home-ranking-title">${campaignTitle(ctx, board.campaign)}</h2>
<div class="table-wrap"><table class="responsive"><caption>${t('home.ranking_leaders', { count: leaders.length })}</caption>
<thead><tr><th scope="col" class="number">${t('ranking.place')}</th><th scope="col">${t('ranking.city')}</th>
<th scope="col" class="number">${t('ranking.total')}</th><th scope="col">${t('ranking.status')}</th></tr></thead>
<tbody>${leaders.map(
    (
      r,
    ) => html`<tr><td class="number" data-label="${t('ranking.place')}">${r.place}</td><th scope="row"><a href="${base}/cities/${r.city.slug}">${localName(r.city, ctx.locale)}</a></th>
<td class="number" data-label="${t('ranking.total')}">${score(ctx, r.total)}</td><td data-label="${t('ranking.status')}">${bandBadge(ctx, r.band)}</td></tr>`,
  )}</tbody></table></div>
<p><a href="${base}">${t('home.full_ranking', { count: board.rows.length })}</a></p>
</section>`;
}

export function cityRankingSection(ctx: PageContext, citySlug: string, years: CityYear[]): SafeHtml {
  if (!years.length) return html``;
  const { t } = ctx;
  return html`<h2>${t('ranking.title')}</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">${t('ranking.year')}</th><th scope="col" class="number">${t('ranking.total')}</th>
<th scope="col" class="number">${t('ranking.place')}</th><th scope="col">${t('ranking.status')}</th></tr></thead>
<tbody>${[...years].reverse().map(
    (
      y,
    ) => html`<tr><th scope="row"><a href="/ranking/campaigns/${y.campaign.id}/cities/${citySlug}">${campaignTitle(ctx, y.campaign)}</a></th>
<td class="number">${score(ctx, y.total)}</td><td class="number">${y.place ?? '—'} / ${y.cities}</td><td>${bandBadge(ctx, y.band)}</td></tr>`,
  )}</tbody></table></div>`;
}

/** Every published methodology version, newest year first, with the campaigns that used it. */
export function methodologiesPage(
  ctx: PageContext,
  versions: {
    id: number;
    year: number;
    version: string;
    title_uk: string;
    title_en: string;
    title_bg: string;
    demo: boolean;
  }[],
  campaigns: Campaign[],
): SafeHtml {
  const { t } = ctx;
  return html`
<p><a href="/ranking">← ${t('ranking.title')}</a></p>
<h1>${t('ranking.methodologies')}</h1>
<ul class="results">${versions.map(
    (m) => html`<li>
  <h2><a href="/ranking/methodologies/${m.id}">${local(ctx, { uk: m.title_uk, en: m.title_en, bg: m.title_bg })}</a></h2>
  <p>${t('ranking.version')}: <code>${m.version}</code>${m.demo ? html` · <span class="badge warning">${t('ranking.demo')}</span>` : ''} · <a href="/ranking/methodologies/${m.id}.json">JSON</a> · <a href="/ranking/methodologies/${m.id}.xlsx">XLSX</a></p>
  ${campaigns.some((c) => c.methodology_id === m.id) ? html`<p>${t('ranking.used_by')}: ${campaigns.filter((c) => c.methodology_id === m.id).map((c, i) => html`${i ? ', ' : ''}<a href="/ranking/campaigns/${c.id}">${campaignTitle(ctx, c)}</a>`)}</p>` : ''}
</li>`,
  )}</ul>`;
}
