// The ranking's two charts, drawn on the server as SVG images (ECharts): a city's areas against
// the average of all cities, and a city's total over the years. The numbers are also in tables
// beside them, for screen readers and for copying.
import * as echarts from 'echarts';
import { formatNumber, type Locale } from '../../platform/i18n/locales.ts';

const CITY = '#0b4f8a';
const AVERAGE = '#b06f00';

function render(width: number, height: number, option: echarts.EChartsCoreOption): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: 'DejaVu Sans, sans-serif', color: '#1b1f24' },
    ...option,
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

/** Numbers as the page writes them: 88,5 on Ukrainian pages, 88.5 on English ones. */
const number = (locale: Locale) => (value: number) => formatNumber(locale, value);
const labelOf = (locale: Locale) => (p: { value: unknown }) =>
  typeof p.value === 'number' ? formatNumber(locale, p.value) : '';

/** A phone's chart is drawn at the width it is shown at, so its text is not shrunk to a few pixels. */
export const NARROW_WIDTH = 340;

/** The areas chart's size: a row per area; on a phone the area's name has a line of its own. */
export function areasChartSize(areaCount: number, narrow = false): { width: number; height: number } {
  return narrow ? { width: NARROW_WIDTH, height: 70 + areaCount * 52 } : { width: 900, height: 120 + areaCount * 34 };
}

/** Horizontal bars: the city's percent per area beside the average, 0–100. */
export function areasChartSvg(
  areas: { label: string; city: number | null; average: number | null }[],
  names: { city: string; average: string },
  locale: Locale = 'uk',
  narrow = false,
): string {
  const labels = areas.map((a) => a.label).reverse();
  const values = (key: 'city' | 'average') =>
    areas.map((a) => (a[key] === null ? null : Math.round(a[key]! * 10) / 10)).reverse();
  const { width, height } = areasChartSize(areas.length, narrow);
  return render(width, height, {
    legend: { top: 5, ...(narrow ? { left: 8 } : {}), data: [names.city, names.average] },
    // On a phone each area's name stands above its two bars, across the whole image.
    grid: narrow ? { left: 8, right: 40, top: 50, bottom: 24 } : { left: 330, right: 40, top: 40, bottom: 30 },
    xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: number(locale) } },
    yAxis: {
      type: 'category',
      data: labels,
      axisTick: { show: !narrow },
      axisLabel: narrow
        ? {
            inside: true,
            verticalAlign: 'bottom',
            padding: [0, 0, 14, 0],
            width: NARROW_WIDTH - 30,
            overflow: 'truncate',
            interval: 0,
            fontSize: 11,
          }
        : { width: 310, overflow: 'truncate' },
    },
    series: [
      {
        name: names.city,
        type: 'bar',
        data: values('city'),
        itemStyle: { color: CITY },
        label: { show: true, position: 'right', fontSize: 10, formatter: labelOf(locale) },
        ...(narrow ? { barWidth: 7 } : {}),
      },
      {
        name: names.average,
        type: 'bar',
        data: values('average'),
        itemStyle: { color: AVERAGE },
        ...(narrow ? { barWidth: 7 } : {}),
      },
    ],
  });
}

/** A line of the city's total (0–100) per campaign year. */
export function dynamicsChartSvg(
  points: { year: number; total: number | null }[],
  title: string,
  locale: Locale = 'uk',
  narrow = false,
): string {
  return render(narrow ? NARROW_WIDTH : 900, narrow ? 260 : 320, {
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    grid: narrow ? { left: 40, right: 24, top: 50, bottom: 40 } : { left: 60, right: 30, top: 50, bottom: 40 },
    xAxis: { type: 'category', data: points.map((p) => String(p.year)) },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: number(locale) } },
    series: [
      {
        type: 'line',
        data: points.map((p) => (p.total === null ? null : Math.round(p.total * 10) / 10)),
        itemStyle: { color: CITY },
        label: { show: true, formatter: labelOf(locale) },
      },
    ],
  });
}
