// The dashboard's ECharts options, built from the statistics (pure functions, so
// that they are tested without a canvas). Tooltips show each number as the table
// beside the chart does; their text is escaped, since values (an item, a physician)
// are the source's free text.

import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import type { DataZoomComponentOption, GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';

export type ChartOption = ComposeOption<
  BarSeriesOption | LineSeriesOption | GridComponentOption | TooltipComponentOption | DataZoomComponentOption | LegendComponentOption
>;

export const PRIMARY = '#1668dc';
export const SECONDARY = '#fa8c16';
const AXIS_TEXT = 'rgba(0, 0, 0, 0.65)';
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans CJK TC', 'Microsoft JhengHei', 'PingFang TC', Arial, sans-serif";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

interface AxisParam {
  dataIndex: number;
  seriesName?: string;
  marker?: string;
  value?: unknown;
}

function asParams(params: unknown): AxisParam[] {
  return (Array.isArray(params) ? params : [params]) as AxisParam[];
}

const tooltipBase: TooltipComponentOption = {
  trigger: 'axis',
  axisPointer: { type: 'shadow' },
  confine: true,
  textStyle: { fontFamily: FONT, fontSize: 13 },
};

/** Horizontal bars, the largest first at the top: counts by source, status, item, ... */
export function barsOption({
  labels,
  values,
  seriesName,
  tooltip,
  color = PRIMARY,
}: {
  labels: string[];
  values: number[];
  seriesName: string;
  /** The tooltip's line for bar `index` (plain text). */
  tooltip: (index: number) => string;
  color?: string;
}): ChartOption {
  const longest = Math.max(0, ...labels.map((label) => label.length));
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    // ECharts 6 keeps the axis labels inside the grid by itself (outerBoundsMode 'auto').
    grid: { left: 8, right: 24, top: 4, bottom: 4 },
    tooltip: {
      ...tooltipBase,
      formatter: (params: unknown) => {
        const [first] = asParams(params);
        return first ? `<strong>${escapeHtml(labels[first.dataIndex])}</strong><br/>${escapeHtml(tooltip(first.dataIndex))}` : '';
      },
    },
    xAxis: { type: 'value', axisLabel: { color: AXIS_TEXT, hideOverlap: true }, splitLine: { lineStyle: { color: '#f0f0f0' } } },
    yAxis: {
      type: 'category',
      inverse: true,
      data: labels,
      axisTick: { show: false },
      axisLabel: { color: AXIS_TEXT, width: longest > 18 ? 130 : undefined, overflow: 'truncate', interval: 0 },
    },
    series: [{ type: 'bar', name: seriesName, data: values, itemStyle: { color, borderRadius: [0, 3, 3, 0] }, barMaxWidth: 18 }],
  };
}

/** The volume over time: bars (a line for long runs of days), zoomable, the last periods shown first. */
export function volumeOption({
  periods,
  counts,
  seriesName,
  tooltip,
  zoomFrom = 0,
}: {
  periods: string[];
  counts: number[];
  seriesName: string;
  tooltip: (index: number) => string;
  /** The percentage of the range the zoom starts at (0: all of it). */
  zoomFrom?: number;
}): ChartOption {
  const line = periods.length > 120;
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: { left: 8, right: 16, top: 12, bottom: 56 },
    tooltip: {
      ...tooltipBase,
      axisPointer: { type: line ? 'line' : 'shadow' },
      formatter: (params: unknown) => {
        const [first] = asParams(params);
        return first ? `<strong>${escapeHtml(periods[first.dataIndex])}</strong><br/>${escapeHtml(tooltip(first.dataIndex))}` : '';
      },
    },
    xAxis: { type: 'category', data: periods, axisLabel: { color: AXIS_TEXT, hideOverlap: true }, axisTick: { alignWithLabel: true } },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { color: AXIS_TEXT }, splitLine: { lineStyle: { color: '#f0f0f0' } } },
    dataZoom: [
      { type: 'inside', start: zoomFrom, end: 100 },
      { type: 'slider', start: zoomFrom, end: 100, height: 22, bottom: 8, labelFormatter: (_value: number, text: string) => text },
    ],
    series: [
      line
        ? { type: 'line', name: seriesName, data: counts, showSymbol: false, lineStyle: { color: PRIMARY, width: 1.5 }, itemStyle: { color: PRIMARY }, areaStyle: { color: 'rgba(22, 104, 220, 0.12)' } }
        : { type: 'bar', name: seriesName, data: counts, itemStyle: { color: PRIMARY, borderRadius: [3, 3, 0, 0] }, barMaxWidth: 28 },
    ],
  };
}

/** The turnaround intervals: median and 90th percentile side by side, in minutes. */
export function turnaroundOption({
  labels,
  median,
  p90,
  names,
  formatMinutes,
}: {
  labels: string[];
  median: (number | null)[];
  p90: (number | null)[];
  names: { median: string; p90: string };
  formatMinutes: (minutes: number | null) => string;
}): ChartOption {
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    legend: { top: 0, left: 0, itemWidth: 12, itemHeight: 10, textStyle: { color: AXIS_TEXT } },
    grid: { left: 8, right: 24, top: 28, bottom: 4 },
    tooltip: {
      ...tooltipBase,
      formatter: (params: unknown) => {
        const list = asParams(params);
        if (list.length === 0) return '';
        const index = list[0].dataIndex;
        const lines = [
          `${escapeHtml(names.median)}: ${escapeHtml(formatMinutes(median[index]))}`,
          `${escapeHtml(names.p90)}: ${escapeHtml(formatMinutes(p90[index]))}`,
        ];
        return `<strong>${escapeHtml(labels[index])}</strong><br/>${lines.join('<br/>')}`;
      },
    },
    xAxis: {
      type: 'value',
      axisLabel: { color: AXIS_TEXT, hideOverlap: true, formatter: (value: number) => formatMinutes(value) },
      splitLine: { lineStyle: { color: '#f0f0f0' } },
    },
    yAxis: { type: 'category', inverse: true, data: labels, axisTick: { show: false }, axisLabel: { color: AXIS_TEXT, interval: 0 } },
    series: [
      { type: 'bar', name: names.median, data: median, itemStyle: { color: PRIMARY, borderRadius: [0, 3, 3, 0] }, barMaxWidth: 14 },
      { type: 'bar', name: names.p90, data: p90, itemStyle: { color: SECONDARY, borderRadius: [0, 3, 3, 0] }, barMaxWidth: 14 },
    ],
  };
}
