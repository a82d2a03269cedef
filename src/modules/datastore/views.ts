// Pages of the DataStore: the upload form and a resource's page (file, load status, validation
// report, data dictionary, and the paginated, sortable, filterable preview).
import { chartSize, chartTitle, fieldName } from './chart.ts';
import { html, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, pagination, type PageContext } from '../../platform/html/layout.ts';
import {
  selectField,
  textAreaField,
  textField,
  type FieldErrors,
  type FieldValues,
} from '../../platform/html/fields.ts';
import { formatDateTime, formatNumber } from '../../platform/i18n/locales.ts';
import { localTitle, type Dataset } from '../catalog/service.ts';
import { ENCODINGS } from './detect.ts';
import { describeProblem, type IngestPhase } from './ingest.ts';
import { DOMINANT_SHARE, FIELD_TYPES } from './values.ts';
import type { DatastoreResource, DatastoreResult, JobStatus } from './service.ts';

/** The phases a running load reports, to name on the page. */
const PHASES = new Set<string>(['reading', 'loading', 'indexing'] satisfies IngestPhase[]);

export function uploadPage(
  ctx: PageContext,
  dataset: Dataset,
  values: FieldValues,
  errors: FieldErrors,
  maxBytes: number,
): SafeHtml {
  const { t } = ctx;
  return html`<p><a href="/datasets/${dataset.name}">← ${localTitle(dataset, ctx.locale)}</a></p>
<h1>${t('datastore.upload_title')}</h1>
<p class="lead">${t('datastore.upload_intro', { size: `${formatNumber(ctx.locale, Math.round(maxBytes / 1024 / 1024))} MB` })}</p>
${errors ? html`<p class="notice error" role="alert">${Object.values(errors)[0] ?? t('validation.fix_errors')}</p>` : ''}
<form method="post" action="/datasets/${dataset.name}/resources/upload" enctype="multipart/form-data" class="stacked wide">
  ${csrfField(ctx)}
  ${textField({ name: 'name', label: t('catalog.resource_name'), values, errors, extra: html` maxlength="300"` })}
  ${textAreaField({ name: 'description', label: t('catalog.resource_description'), values, errors, rows: 3 })}
  <label for="file">${t('datastore.file')}</label>
  <input type="file" id="file" name="file" required accept=".csv,.tsv,.txt,.xlsx,.json,.geojson,.xml,.pdf,.zip">
  <button type="submit">${t('datastore.upload_button')}</button>
</form>`;
}

function reportSection(ctx: PageContext, resource: DatastoreResource): SafeHtml {
  const { t } = ctx;
  const report = resource.validation_report;
  if (!report) return html``;
  return html`<h2 id="report">${t('datastore.report')}</h2>
<p>${report.valid ? html`<span class="badge">${t('datastore.valid')}</span>` : html`<span class="badge warning">${t('datastore.problems', { count: report.stats.errors })}</span>`}
  ${report.encoding ? html` · ${t('datastore.encoding')}: ${report.encoding}` : ''}
  ${report.delimiter ? html` · ${t('datastore.delimiter')}: ${t(`datastore.delimiters.${{ ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' }[report.delimiter]}`)}` : ''}
  · ${t('datastore.rows', { count: report.stats.rows })}</p>
${report.errors.some((e) => e.type === 'type-error') ? html`<p class="hint">${t('datastore.type_errors_note', { share: Math.round(DOMINANT_SHARE * 100) })}</p>` : ''}
${
  report.errors.length
    ? html`<table class="responsive report">
  <thead><tr><th scope="col">${t('datastore.error_type')}</th><th scope="col">${t('datastore.row')}</th><th scope="col">${t('datastore.column')}</th><th scope="col">${t('datastore.message')}</th></tr></thead>
  <tbody>${report.errors.slice(0, 100).map((e) => html`<tr><td data-label="${t('datastore.error_type')}"><code>${e.type}</code></td><td data-label="${t('datastore.row')}">${e.rowNumber ?? '—'}</td><td data-label="${t('datastore.column')}">${e.fieldName ?? e.fieldNumber ?? '—'}</td><td data-label="${t('datastore.message')}">${describeProblem(t, e) ?? e.message}</td></tr>`)}</tbody>
</table>
${report.errors.length > 100 || report.truncated ? html`<p class="hint">${t('datastore.more_errors')}</p>` : ''}`
    : ''
}`;
}

const LATITUDE = /^(lat|latitude|широта|географска ширина|y)$/i;
const LONGITUDE = /^(lon|lng|long|longitude|довгота|географска дължина|x)$/i;

/** The columns to map, when the table has numeric latitude and longitude columns. */
export function coordinateColumns(resource: DatastoreResource): { lat: string; lon: string; label?: string } | null {
  const fields = resource.datastore_fields ?? [];
  const numeric = fields.filter((f) => f.type === 'number' || f.type === 'integer');
  const lat = numeric.find((f) => LATITUDE.test(f.id.trim()));
  const lon = numeric.find((f) => LONGITUDE.test(f.id.trim()));
  if (!lat || !lon) return null;
  return { lat: lat.id, lon: lon.id, label: fields.find((f) => f.type === 'text')?.id };
}

/** GeoJSON small enough for a browser to draw whole is shown on a map from the original file. */
export const MAX_MAPPED_GEOJSON_BYTES = 20 * 1024 * 1024;
export function mapsGeoJson(resource: DatastoreResource): boolean {
  return (
    resource.format === 'GEOJSON' &&
    resource.file_key !== null &&
    Number(resource.size_bytes) <= MAX_MAPPED_GEOJSON_BYTES
  );
}

export interface ChartState {
  type: 'bar' | 'line' | 'pie';
  group: string;
  value?: string;
  op: 'count' | 'sum' | 'avg';
  points: { label: string; value: number }[];
  error?: string;
}

function chartSection(
  ctx: PageContext,
  base: string,
  resource: DatastoreResource,
  form: ChartState | { defaultGroup: string | null } | null,
): SafeHtml {
  const { t } = ctx;
  const fields = resource.datastore_fields ?? [];
  // Before a chart is drawn the builder offers the column worth grouping by (chart.ts), never `_id`.
  const chart = form && 'points' in form ? form : null;
  const group = chart?.group ?? (form && 'defaultGroup' in form ? (form.defaultGroup ?? undefined) : undefined);
  const title = chart ? chartTitle(t, fields, chart) : '';
  const size = chart
    ? chartSize(
        chart.type,
        chart.points.map((p) => p.label),
      )
    : null;
  const narrowSize = chart
    ? chartSize(
        chart.type,
        chart.points.map((p) => p.label),
        true,
      )
    : null;
  const numeric = fields.filter((f) => f.type === 'integer' || f.type === 'number');
  const option = (value: string, label: string, current: string | undefined) =>
    html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`;
  const imageQuery = chart
    ? new URLSearchParams({
        type: chart.type,
        group: chart.group,
        op: chart.op,
        ...(chart.value ? { value: chart.value } : {}),
      }).toString()
    : '';
  return html`<h2 id="chart">${t('datastore.chart')}</h2>
<form method="get" action="${base}#chart" class="filters">
  <label for="chart-type">${t('datastore.chart_type')}<select id="chart-type" name="chart.type">
    ${(['bar', 'line', 'pie'] as const).map((type) => option(type, t(`datastore.charts.${type}`), chart?.type))}</select></label>
  <label for="chart-group">${t('datastore.chart_group')}<select id="chart-group" name="chart.group">
    ${fields.map((f) => option(f.id, f.label ?? f.id, group))}</select></label>
  <label for="chart-op">${t('datastore.chart_op')}<select id="chart-op" name="chart.op">
    ${(['count', 'sum', 'avg'] as const).map((op) => option(op, t(`datastore.ops.${op}`), chart?.op))}</select></label>
  <label for="chart-value">${t('datastore.chart_value')}<select id="chart-value" name="chart.value"><option value="">—</option>
    ${numeric.map((f) => option(f.id, f.label ?? f.id, chart?.value))}</select></label>
  <button type="submit">${t('datastore.draw')}</button>
</form>
${chart?.error ? html`<p class="notice error" role="alert">${chart.error}</p>` : ''}
${
  chart && !chart.error
    ? html`<figure class="chart">
  <picture>
    <source media="(max-width: 40rem)" srcset="${base}/chart.svg?${imageQuery}&amp;size=narrow" width="${narrowSize!.width}" height="${narrowSize!.height}">
    <img src="${base}/chart.svg?${imageQuery}" alt="${t('datastore.chart_alt', { group: title })}" width="${size!.width}" height="${size!.height}">
  </picture>
  <figcaption><details><summary>${t('datastore.chart_data')}</summary>
    <table><thead><tr><th scope="col">${fieldName(fields, chart.group)}</th><th scope="col" class="number">${t(`datastore.ops.${chart.op}`)}${chart.value ? ` (${fieldName(fields, chart.value)})` : ''}</th></tr></thead>
    <tbody>${chart.points.map((p) => html`<tr><td>${p.label}</td><td class="number">${formatNumber(ctx.locale, Math.round(p.value * 100) / 100)}</td></tr>`)}</tbody></table>
  </details></figcaption>
</figure>`
    : ''
}`;
}

export interface PreviewState {
  sort?: string;
  desc?: boolean;
  filters: Record<string, string>;
  offset: number;
  limit: number;
}

const GEOMETRY_TYPES = new Set([
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
  'GeometryCollection',
]);

/** The positions of a GeoJSON geometry's coordinates (any nesting), or -1 when they are not positions. */
function countPositions(coordinates: unknown): number {
  if (!Array.isArray(coordinates)) return -1;
  if (typeof coordinates[0] === 'number') return 1;
  let count = 0;
  for (const item of coordinates) {
    const n = countPositions(item);
    if (n < 0) return -1;
    count += n;
  }
  return count;
}

const coordinate = (value: unknown) => (typeof value === 'number' ? String(Math.round(value * 1e5) / 1e5) : '?');

/**
 * A GeoJSON geometry in a few words ("Point 24.03, 49.84", "Polygon, 12 points",
 * "MultiPolygon, 3 parts, 120 points"); undefined when the text is not one.
 */
export function geometrySummary(ctx: Pick<PageContext, 't'>, text: string): string | undefined {
  if (!text.startsWith('{') || !text.includes('"type"')) return undefined;
  let geometry: { type?: unknown; coordinates?: unknown; geometries?: unknown };
  try {
    geometry = JSON.parse(text);
  } catch {
    return undefined;
  }
  const type = geometry?.type;
  if (typeof type !== 'string' || !GEOMETRY_TYPES.has(type)) return undefined;
  if (type === 'GeometryCollection') {
    const parts = Array.isArray(geometry.geometries) ? geometry.geometries.length : 0;
    return `${type}, ${ctx.t('datastore.geometry_parts', { count: parts })}`;
  }
  const coordinates = geometry.coordinates;
  if (type === 'Point' && Array.isArray(coordinates))
    return `${type} ${coordinate(coordinates[0])}, ${coordinate(coordinates[1])}`;
  const points = countPositions(coordinates);
  if (points < 0) return undefined;
  const parts =
    type.startsWith('Multi') && Array.isArray(coordinates)
      ? `, ${ctx.t('datastore.geometry_parts', { count: coordinates.length })}`
      : '';
  return `${type}${parts}, ${ctx.t('datastore.geometry_points', { count: points })}`;
}

/** A cell as a reader wants it: numbers and yes/no in the page's language, geometries summed up (downloads keep raw values). */
function previewCell(ctx: PageContext, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return formatNumber(ctx.locale, value);
  if (typeof value === 'boolean') return ctx.t(value ? 'datastore.yes' : 'datastore.no');
  if (typeof value === 'string') return geometrySummary(ctx, value) ?? value;
  return typeof value === 'object'
    ? (geometrySummary(ctx, JSON.stringify(value)) ?? JSON.stringify(value))
    : String(value);
}

function previewSection(
  ctx: PageContext,
  base: string,
  resource: DatastoreResource,
  result: DatastoreResult,
  state: PreviewState,
): SafeHtml {
  const { t } = ctx;
  const fields = result.fields.filter((f) => f.id !== '_id');
  const link = (changes: Partial<PreviewState>) => {
    const next = { ...state, ...changes };
    const params = new URLSearchParams();
    if (next.sort) params.set('sort', next.sort);
    if (next.desc) params.set('desc', '1');
    for (const [id, value] of Object.entries(next.filters)) if (value) params.set(`f.${id}`, value);
    if (next.offset) params.set('offset', String(next.offset));
    return `${base}?${params.toString()}#preview`;
  };
  return html`<h2 id="preview">${t('datastore.preview')}</h2>
<details class="facet-panel" open>
<summary class="button">${t('datastore.column_filters')}${Object.values(state.filters).filter(Boolean).length ? ` (${Object.values(state.filters).filter(Boolean).length})` : ''}</summary>
<form method="get" action="${base}#preview" class="filters">
  ${fields.slice(0, 6).map((f, i) => html`<label for="filter-${i}">${f.info?.label ?? f.id}<input type="text" id="filter-${i}" name="f.${f.id}" value="${state.filters[f.id] ?? ''}" maxlength="200"></label>`)}
  ${state.sort ? html`<input type="hidden" name="sort" value="${state.sort}">` : ''}
  <button type="submit">${t('datastore.filter')}</button>
</form>
</details>
<p role="status">${t('datastore.rows', { count: result.total ?? 0 })}</p>
<div class="table-wrap"><table class="preview">
  <thead><tr>${fields.map((f) => {
    const sorted = state.sort === f.id;
    return html`<th scope="col"${sorted ? html` aria-sort="${state.desc ? 'descending' : 'ascending'}"` : ''}><a href="${link({ sort: f.id, desc: sorted && !state.desc, offset: 0 })}">${f.info?.label ?? f.id}${sorted ? (state.desc ? ' ▼' : ' ▲') : ''}</a><br><span class="hint">${t(`datastore.types.${f.type}`)}</span></th>`;
  })}</tr></thead>
  <tbody>${result.records.map(
    (r) =>
      html`<tr>${fields.map(
        (f) =>
          html`<td${f.type === 'integer' || f.type === 'number' ? html` class="number"` : ''}>${previewCell(ctx, r[f.id])}</td>`,
      )}</tr>`,
  )}</tbody>
</table></div>
${pagination(
  ctx,
  base,
  {
    sort: state.sort,
    desc: state.desc ? '1' : undefined,
    ...Object.fromEntries(Object.entries(state.filters).map(([k, v]) => [`f.${k}`, v])),
  },
  { total: result.total ?? 0, limit: state.limit, offset: state.offset },
)}
<p>${t('datastore.download_rows')}: <a href="/datastore/dump/${resource.id}">CSV</a> · <a href="/datastore/dump/${resource.id}?format=tsv">TSV</a> · <a href="/datastore/dump/${resource.id}?format=json">JSON</a> · <a href="/datastore/dump/${resource.id}?format=xlsx">XLSX</a>${
    Object.keys(state.filters).length
      ? html` · <a href="/datastore/dump/${resource.id}?filters=${encodeURIComponent(JSON.stringify(state.filters))}">${t('datastore.download_filtered')}</a>`
      : ''
  } · <a href="/api/3/action/datastore_search?resource_id=${resource.id}">datastore_search (API)</a></p>`;
}

function dictionaryForm(
  ctx: PageContext,
  base: string,
  resource: DatastoreResource,
  values: FieldValues,
  errors: FieldErrors,
): SafeHtml {
  const { t } = ctx;
  const fields = resource.datastore_fields ?? [];
  const options = resource.ingest_options;
  const delimiterName =
    ({ ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' } as Record<string, string>)[options.delimiter ?? ''] ??
    '';
  return html`<h2 id="dictionary">${t('datastore.dictionary')}</h2>
<p>${t('datastore.dictionary_intro')}</p>
<form method="post" action="${base}/dictionary" class="stacked wide" novalidate>
  ${csrfField(ctx)}
  ${selectField({
    name: 'encoding',
    label: t('datastore.encoding'),
    values: { encoding: options.encoding ?? '', ...values },
    errors,
    empty: t('datastore.detect'),
    choices: ENCODINGS.map((e) => ({ value: e, label: e })),
  })}
  ${selectField({
    name: 'delimiter',
    label: t('datastore.delimiter'),
    values: { delimiter: delimiterName, ...values },
    errors,
    empty: t('datastore.detect'),
    choices: ['comma', 'semicolon', 'tab', 'pipe'].map((d) => ({ value: d, label: t(`datastore.delimiters.${d}`) })),
  })}
  ${
    fields.length
      ? html`<div class="table-wrap"><table>
    <thead><tr><th scope="col">${t('datastore.column')}</th><th scope="col">${t('datastore.type')}</th><th scope="col">${t('datastore.label')}</th><th scope="col">${t('datastore.description')}</th></tr></thead>
    <tbody>${fields.map(
      (f, i) => html`<tr><th scope="row">${f.id}</th>
      <td><select name="type_${i}" aria-label="${t('datastore.type')}: ${f.id}">${FIELD_TYPES.map((type) => html`<option value="${type}"${type === f.type ? html` selected` : ''}>${t(`datastore.types.${type}`)}</option>`)}</select></td>
      <td><input type="text" name="label_${i}" value="${f.label ?? ''}" maxlength="200" aria-label="${t('datastore.label')}: ${f.id}"></td>
      <td><input type="text" name="description_${i}" value="${f.description ?? ''}" maxlength="2000" aria-label="${t('datastore.description')}: ${f.id}"></td></tr>`,
    )}</tbody>
  </table></div>`
      : ''
  }
  <button type="submit">${t('datastore.reload')}</button>
</form>`;
}

/** Why the load failed, in the page's language, when the report says (job errors are stored in English). */
export function loadFailure(ctx: Pick<PageContext, 't'>, resource: DatastoreResource): string | undefined {
  const sourceError = resource.validation_report?.errors.find((e) => e.type === 'source-error');
  return sourceError ? describeProblem(ctx.t, sourceError) : undefined;
}

/** A load still to finish: its page follows it (an island polling the status, or a refresh without JavaScript). */
export function loadPending(job: JobStatus): boolean {
  return job.state === 'queued' || job.state === 'running';
}

/** Seconds between reloads of a page whose load is pending, for browsers without JavaScript. */
export const STATUS_REFRESH_SECONDS = 5;

/**
 * The state of a resource's latest load: phase, rows read or loaded (of how many, with a bar, while
 * loading), why it failed, when it finished. The page shows it, and the status endpoint sends it
 * to the page's island as it changes.
 */
export function jobStatus(ctx: PageContext, job: JobStatus, failure?: string): SafeHtml {
  const { t } = ctx;
  const { phase, rows, total } = job.progress;
  const counting = job.state === 'running' && phase === 'loading' && rows !== undefined && total;
  return html`<span id="job-state" data-state="${job.state}">${t(`datastore.job.${job.state}`)}</span>${
    job.state === 'running' && PHASES.has(phase ?? '') ? html` · ${t(`datastore.phases.${phase}`)}` : ''
  }${
    counting
      ? html` · ${t('datastore.rows_of', { done: formatNumber(ctx.locale, rows), total: t('datastore.rows', { count: total }) })} <progress max="${total}" value="${Math.min(rows, total)}" aria-label="${t('datastore.load')}"></progress>`
      : rows
        ? html` · ${t('datastore.rows', { count: rows })}`
        : ''
  }${job.error ? html` — ${failure ?? job.error}` : ''}${
    job.finished_at ? html` · ${formatDateTime(ctx.locale, job.finished_at)}` : ''
  }`;
}

export function resourcePage(
  ctx: PageContext,
  dataset: Dataset,
  resource: DatastoreResource,
  job: JobStatus | undefined,
  preview: { result: DatastoreResult; state: PreviewState } | null,
  canEdit: boolean,
  form?: { values: FieldValues; errors: FieldErrors },
  chart: ChartState | { defaultGroup: string | null } | null = null,
): SafeHtml {
  const { t } = ctx;
  const base = `/datasets/${dataset.name}/resources/${resource.id}`;
  const failure = loadFailure(ctx, resource);
  return html`<p><a href="/datasets/${dataset.name}">← ${localTitle(dataset, ctx.locale)}</a></p>
<h1>${resource.name} ${resource.format ? html`<span class="badge">${resource.format}</span>` : ''}</h1>
${resource.description ? html`<p>${resource.description}</p>` : ''}
<dl class="facts">
  ${
    resource.file_name
      ? html`<dt>${t('datastore.file')}</dt><dd><a href="${base}/download">${resource.file_name}</a> (${formatNumber(ctx.locale, resource.size_bytes ?? 0)} ${t('datastore.bytes')})</dd>
  <dt>SHA-256</dt><dd><code>${resource.sha256}</code></dd>`
      : ''
  }
  ${resource.url ? html`<dt>${t('catalog.resource_url')}</dt><dd><a href="${resource.url}" rel="noopener nofollow">${resource.url}</a></dd>` : ''}
  ${
    job
      ? html`<dt>${t('datastore.load')}</dt><dd id="job-status"${
          loadPending(job) ? html` data-status-url="${base}/status"` : ''
        }>${jobStatus(ctx, job, failure)}</dd>`
      : ''
  }
</dl>
${job && loadPending(job) ? html`<p class="notice" role="status">${t('datastore.loading_note')} <a href="${base}">${t('datastore.refresh')}</a></p>` : ''}
${reportSection(ctx, resource)}
${
  mapsGeoJson(resource)
    ? html`<h2>${t('datastore.map')}</h2>
<div id="rows-map" class="map" role="region" aria-label="${t('datastore.map')}" data-geojson="${base}/download"></div>`
    : preview && coordinateColumns(resource)
      ? html`<h2>${t('datastore.map')}</h2>
<div id="rows-map" class="map" role="region" aria-label="${t('datastore.map')}" data-resource="${resource.id}"
  data-lat="${coordinateColumns(resource)!.lat}" data-lon="${coordinateColumns(resource)!.lon}" data-label="${coordinateColumns(resource)!.label ?? ''}"></div>`
      : ''
}
${preview ? previewSection(ctx, base, resource, preview.result, preview.state) : ''}
${preview ? chartSection(ctx, base, resource, chart) : ''}
${canEdit && resource.file_key ? dictionaryForm(ctx, base, resource, form?.values ?? {}, form?.errors) : ''}`;
}
