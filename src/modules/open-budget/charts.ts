// The city budget's charts, drawn on the server as SVG (ECharts), inline in the page: a treemap of
// a classification level and the cumulative execution curve against an even pace. The same
// numbers are always in a table beside them.
import * as echarts from 'echarts';
import { formatNumber, type Locale } from '../../platform/i18n/locales.ts';

const COLOURS = ['#0b4f8a', '#1d7a46', '#b06f00', '#8a2f6e', '#4d5b6a', '#2a6f97', '#7a4a1d', '#5a3f99'];

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

/** Millions with one decimal, in the page's language. */
export function millions(locale: Locale, value: number): string {
  return formatNumber(locale, Math.round(value / 100_000) / 10);
}

/** A treemap of the parts of one level (their children one level deeper), labelled with names and millions. */
export function treemapSvg(
  parts: { name: string; value: number; children: { name: string; value: number }[] }[],
  locale: Locale,
): string {
  return render(900, 420, {
    color: COLOURS,
    series: [
      {
        type: 'treemap',
        roam: false,
        nodeClick: false,
        breadcrumb: { show: false },
        width: '100%',
        height: '100%',
        top: 0,
        left: 0,
        leafDepth: 1,
        label: {
          show: true,
          formatter: (p: { name: string; value: number }) => `${p.name}\n${millions(locale, p.value)}`,
          overflow: 'break',
          fontSize: 12,
          color: '#fff',
        },
        upperLabel: { show: false },
        itemStyle: { borderColor: '#fff', borderWidth: 2, gapWidth: 2 },
        data: parts
          .filter((p) => p.value > 0)
          .map((p) => ({ name: p.name, value: p.value, children: p.children.filter((c) => c.value > 0) })),
      },
    ],
  });
}

/** Cumulative execution by month against the even pace (the year's plan spread evenly over 12 months). */
export function curveSvg(
  points: { month: number; executed: number; planYear: number }[],
  names: { executed: string; pace: string },
  locale: Locale,
): string {
  const plan = points.length ? points[points.length - 1]!.planYear : 0;
  const months = Array.from({ length: 12 }, (_, i) => String(i + 1));
  const executed = months.map((_, i) => points.find((p) => p.month === i + 1)?.executed ?? null);
  return render(900, 340, {
    legend: { top: 5, data: [names.executed, names.pace] },
    grid: { left: 80, right: 30, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: months },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => millions(locale, v) } },
    series: [
      { name: names.executed, type: 'line', data: executed, itemStyle: { color: COLOURS[0] }, lineStyle: { width: 3 } },
      {
        name: names.pace,
        type: 'line',
        data: months.map((_, i) => Math.round((plan * (i + 1)) / 12)),
        itemStyle: { color: COLOURS[2] },
        lineStyle: { type: 'dashed' },
        symbol: 'none',
      },
    ],
  });
}
