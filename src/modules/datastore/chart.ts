// Charts drawn on the server with ECharts as SVG images: they need no script in the page, work
// without JavaScript, and the numbers are also shown in a table beside them.
import * as echarts from 'echarts';
import type { ChartType } from './service.ts';

const PALETTE = ['#0b4f8a', '#d39e00', '#1e6b33', '#a4161a', '#5b4db0', '#00727a', '#8a4a00', '#4a5360'];

export function chartSvg(type: ChartType, points: { label: string; value: number }[], title: string): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 900, height: 420 });
  const labels = points.map((p) => p.label);
  chart.setOption({
    animation: false,
    color: PALETTE,
    title: { text: title, left: 'center', textStyle: { fontSize: 14, color: '#1b1f24' } },
    textStyle: { fontFamily: 'DejaVu Sans, sans-serif' },
    ...(type === 'pie'
      ? {
          series: [
            {
              type: 'pie',
              radius: '60%',
              center: ['50%', '55%'],
              data: points.map((p) => ({ name: p.label, value: p.value })),
              label: { color: '#1b1f24' },
            },
          ],
        }
      : {
          grid: { left: 80, right: 30, top: 50, bottom: 90 },
          xAxis: {
            type: 'category',
            data: labels,
            axisLabel: { rotate: labels.length > 8 ? 40 : 0, color: '#1b1f24', interval: 0 },
          },
          yAxis: { type: 'value', axisLabel: { color: '#1b1f24' } },
          series: [{ type, data: points.map((p) => p.value), itemStyle: { color: PALETTE[0] } }],
        }),
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}
