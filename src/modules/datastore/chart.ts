// Charts drawn on the server with ECharts as SVG images: they need no script in the page, work
// without JavaScript, and the numbers are also shown in a table beside them. Titles are written
// as a person would ("Касові видатки, грн — сума за розпорядником"), numbers in the page's
// locale, and bars turn horizontal when their labels are long or many, so none is rotated.
import * as echarts from 'echarts';
import type { Queryable } from '../../platform/db/index.ts';
import { quoteIdentifier } from '../../platform/db/index.ts';
import { formatNumber, type Locale } from '../../platform/i18n/locales.ts';
import type { Field } from './ingest.ts';
import type { Aggregate, ChartType } from './service.ts';

const PALETTE = ['#0b4f8a', '#d39e00', '#1e6b33', '#a4161a', '#5b4db0', '#00727a', '#8a4a00', '#4a5360'];
const TEXT = '#1b1f24';
const WIDTH = 900;
/** A phone's chart: drawn at the width it is shown at, so its text stays 11–13 px instead of shrinking to 5. */
const NARROW_WIDTH = 340;

/** Bars lie on their side when there are more than 8 or a label is longer than 12 characters. */
export function horizontalBars(type: ChartType, labels: string[]): boolean {
  return type === 'bar' && (labels.length > 8 || labels.some((l) => [...l].length > 12));
}

/** The image's size: horizontal bars get a row each; a narrow chart is for phones. */
export function chartSize(type: ChartType, labels: string[], narrow = false): { width: number; height: number } {
  const width = narrow ? NARROW_WIDTH : WIDTH;
  if (horizontalBars(type, labels))
    return { width, height: narrow ? 90 + labels.length * 44 : Math.max(240, 90 + labels.length * 28) };
  return { width, height: narrow ? 320 : 420 };
}

/** Axis numbers: short (5 млрд, 12 тис.) in the page's locale. */
function compact(locale: Locale): (value: number) => string {
  const format = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
  return (value) => format.format(value);
}

/** Data labels and tooltips: the whole number in the page's locale, at most two decimals. */
const full = (locale: Locale) => (value: number) => formatNumber(locale, Math.round(value * 100) / 100);

export function chartSvg(
  type: ChartType,
  points: { label: string; value: number }[],
  title: string,
  locale: Locale = 'uk',
  narrow = false,
): string {
  const labels = points.map((p) => p.label);
  const { width, height } = chartSize(type, labels, narrow);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  const axisLabel = { color: TEXT, formatter: compact(locale) };
  const valueLabel = {
    show: points.length <= 30,
    color: TEXT,
    fontSize: 11,
    // A phone's bars have room for short numbers only; the table under the chart has them whole.
    formatter: (p: { value: number }) => (narrow ? compact(locale) : full(locale))(p.value),
  };
  const series = (position: 'top' | 'right') => ({
    type,
    data: points.map((p) => p.value),
    itemStyle: { color: PALETTE[0] },
    label: { ...valueLabel, position },
  });
  // ECharts measures text on the server roughly: Latin letters about 7 px, other letters 12 px at 12 px.
  const longest = Math.max(0, ...labels.map((l) => [...l].reduce((w, c) => w + (c < '\u0080' ? 7 : 12), 0)));
  const option = (() => {
    if (type === 'pie')
      return {
        series: [
          {
            type: 'pie',
            radius: '60%',
            center: ['50%', '55%'],
            data: points.map((p) => ({ name: p.label, value: p.value })),
            label: {
              color: TEXT,
              formatter: (p: { name: string; value: number }) => `${p.name}: ${full(locale)(p.value)}`,
            },
          },
        ],
      };
    if (horizontalBars(type, labels) && narrow) {
      // On a phone each bar's name stands on its own line above the bar, as wide as the image.
      return {
        grid: { left: 8, right: 64, top: 70, bottom: 10 },
        yAxis: {
          type: 'category',
          inverse: true,
          data: labels,
          axisTick: { show: false },
          axisLabel: {
            color: TEXT,
            inside: true,
            verticalAlign: 'bottom',
            padding: [0, 0, 10, 0],
            width: NARROW_WIDTH - 24,
            overflow: 'truncate',
            interval: 0,
          },
        },
        xAxis: { type: 'value', axisLabel: { show: false } },
        series: [{ ...series('right'), barWidth: 12 }],
      };
    }
    if (horizontalBars(type, labels)) {
      // Labels on the left, as wide as the longest needs (up to 360 px, then cut: the table has them whole); first on top.
      const labelWidth = Math.min(narrow ? 120 : 360, Math.max(60, longest));
      return {
        grid: { left: labelWidth + (narrow ? 10 : 20), right: narrow ? 56 : 80, top: narrow ? 70 : 50, bottom: 30 },
        yAxis: {
          type: 'category',
          inverse: true,
          data: labels,
          axisLabel: { color: TEXT, width: labelWidth, overflow: 'truncate', interval: 0 },
        },
        xAxis: { type: 'value', axisLabel },
        series: [series('right')],
      };
    }
    return {
      grid: { left: narrow ? 56 : 80, right: narrow ? 16 : 30, top: narrow ? 70 : 50, bottom: 50 },
      xAxis: { type: 'category', data: labels, axisLabel: { color: TEXT, interval: 0 } },
      yAxis: { type: 'value', axisLabel },
      series: [series('top')],
    };
  })();
  chart.setOption({
    animation: false,
    color: PALETTE,
    // A long title breaks onto a second line on a phone rather than running off the image.
    title: {
      text: title,
      left: 'center',
      textStyle: { fontSize: narrow ? 13 : 15, color: TEXT, width: width - 20, overflow: 'break' },
    },
    textStyle: { fontFamily: 'DejaVu Sans, sans-serif' },
    ...option,
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

/** A column's name as people read it: its label from the data dictionary, else its id. */
export function fieldName(fields: Field[], id: string | undefined): string {
  const field = fields.find((f) => f.id === id);
  return field?.label || field?.id || id || '';
}

/** The chart's title: "Касові видатки, грн — сума за: Розпорядник", "Кількість записів за: Район". */
export function chartTitle(
  t: (key: string, values?: Record<string, string | number>) => string,
  fields: Field[],
  chart: { group: string; value?: string; op: Aggregate },
): string {
  const group = fieldName(fields, chart.group);
  if (chart.op === 'count') return t('datastore.chart_title.count', { group });
  return t(`datastore.chart_title.${chart.op}`, { value: fieldName(fields, chart.value), group });
}

/** Columns never worth grouping by: row numbers and identifiers. */
export function idLike(field: Field): boolean {
  return /^_?id$|^_|(^|[_\s-])(id|uuid|guid)$|^(id|uuid|guid)[_\s-]/i.test(field.id);
}

/**
 * The column the chart builder groups by at first: the first text column with few distinct
 * values (2 to 30 among the first 5,000 rows), never `_id` or an id-like column; else the first
 * text column that is not id-like; else null (the builder's own first choice).
 */
export async function defaultChartGroup(db: Queryable, table: string, fields: Field[]): Promise<string | null> {
  const candidates = fields.filter((f) => (f.type === 'text' || f.type === 'boolean') && !idLike(f)).slice(0, 12);
  if (candidates.length === 0) return null;
  const counts = candidates.map((f, i) => `count(DISTINCT ${quoteIdentifier(f.column)})::int AS c${i}`).join(', ');
  const columns = candidates.map((f) => quoteIdentifier(f.column)).join(', ');
  const row = await db.one<Record<string, number>>(
    `SELECT ${counts} FROM (SELECT ${columns} FROM datastore.${quoteIdentifier(table)} LIMIT 5000) AS sample`,
  );
  const few = candidates.find((_, i) => {
    const n = row?.[`c${i}`] ?? 0;
    return n >= 2 && n <= 30;
  });
  return (few ?? candidates[0]!).id;
}
