// A city's compliance score over time, drawn on the server as an SVG image (ECharts). The same
// numbers are in the table beside it, for screen readers and for copying.
import * as echarts from 'echarts';
import { formatNumber, type Locale } from '../../platform/i18n/locales.ts';
import type { Snapshot } from './service.ts';

export function historyChartSvg(history: Snapshot[], title: string, locale: Locale): string {
  const points = [...history].reverse(); // oldest first, left to right
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 900, height: 300 });
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: 'DejaVu Sans, sans-serif', color: '#1b1f24' },
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    grid: { left: 60, right: 30, top: 50, bottom: 40 },
    xAxis: { type: 'category', data: points.map((p) => p.taken_on) },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: (v: number) => formatNumber(locale, v) } },
    series: [{ type: 'line', step: 'end', data: points.map((p) => p.score), itemStyle: { color: '#0b4f8a' } }],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}
