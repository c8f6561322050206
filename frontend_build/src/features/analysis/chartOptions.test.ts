import { describe, expect, it } from 'vitest';
import { barsOption, escapeHtml, turnaroundOption, volumeOption } from './chartOptions';

type Formatter = (params: unknown) => string;
const formatterOf = (option: { tooltip?: unknown }) => (option.tooltip as { formatter: Formatter }).formatter;

describe('the chart options', () => {
  it('draw counts as bars, largest first, with the number on hover, escaped', () => {
    const option = barsOption({
      labels: ['CT', '<img src=x onerror=alert(1)>'],
      values: [1233, 92],
      seriesName: 'Studies',
      tooltip: (index) => `Studies: ${[1233, 92][index].toLocaleString('en-US')}`,
    });
    expect(option.yAxis).toMatchObject({ type: 'category', inverse: true, data: ['CT', '<img src=x onerror=alert(1)>'] });
    expect((option.series as { data: number[] }[])[0].data).toEqual([1233, 92]);
    expect(formatterOf(option)([{ dataIndex: 0 }])).toBe('<strong>CT</strong><br/>Studies: 1,233');
    expect(formatterOf(option)([{ dataIndex: 1 }])).not.toContain('<img');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });

  it('draw the volume zoomable, bars for a short run and a line for a long one', () => {
    const short = volumeOption({ periods: ['2025-11-01', '2025-11-02'], counts: [3, 4], seriesName: 'Studies', tooltip: (i) => `Studies: ${[3, 4][i]}` });
    expect((short.series as { type: string }[])[0].type).toBe('bar');
    expect(formatterOf(short)([{ dataIndex: 1 }])).toBe('<strong>2025-11-02</strong><br/>Studies: 4');
    const days = Array.from({ length: 365 }, (_, i) => `d${i}`);
    const long = volumeOption({ periods: days, counts: days.map(() => 1), seriesName: 'Studies', tooltip: () => '', zoomFrom: 75 });
    expect((long.series as { type: string }[])[0].type).toBe('line');
    expect(long.dataZoom).toMatchObject([{ type: 'inside', start: 75 }, { type: 'slider', start: 75 }]);
  });

  it('draw the turnaround median and 90th percentile, in readable durations', () => {
    const option = turnaroundOption({
      labels: ['Order → check-in', 'Check-in → report certified'],
      median: [29.38, 477.62],
      p90: [97.8, null],
      names: { median: 'Median', p90: '90th percentile' },
      formatMinutes: (m) => (m === null ? '–' : `${Math.round(m)} min`),
    });
    expect((option.series as { name: string; data: unknown[] }[]).map((s) => [s.name, s.data])).toEqual([
      ['Median', [29.38, 477.62]],
      ['90th percentile', [97.8, null]],
    ]);
    expect(formatterOf(option)([{ dataIndex: 1 }])).toBe('<strong>Check-in → report certified</strong><br/>Median: 478 min<br/>90th percentile: –');
  });
});
