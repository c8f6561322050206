// One ECharts chart (the core build: only the charts and components used here, on
// a canvas). Loaded lazily by ChartCard, so that the dashboard's tables show while
// the chart library arrives. The canvas is an image named by `label`; its numbers
// are in the table beside it, and on hover in its tooltips.

import { BarChart, LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { init, registerLocale, use, type ECharts } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import type { ChartOption } from '../chartOptions';
import { ECHARTS_ZH_TW } from './echartsLocale';

use([BarChart, LineChart, GridComponent, TooltipComponent, DataZoomComponent, LegendComponent, CanvasRenderer]);
registerLocale('ZH-TW', ECHARTS_ZH_TW);

export interface EChartProps {
  option: ChartOption;
  height: number;
  label: string;
  language: string;
}

export default function EChart({ option, height, label, language }: EChartProps) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);

  // ECharts takes its locale at init: a new language is a new chart.
  useEffect(() => {
    const node = element.current;
    if (!node) return;
    const instance = init(node, undefined, { renderer: 'canvas', locale: language === 'zh-TW' ? 'ZH-TW' : 'EN' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(node);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [language]);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option, language]);

  return <div ref={element} className="echart" role="img" aria-label={label} style={{ height }} />;
}
