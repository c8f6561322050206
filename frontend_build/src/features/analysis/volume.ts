// The daily volume, grouped by day, week (from Monday) or month for the chart and its
// table. Dates are the server's calendar days (YYYY-MM-DD), handled as text and
// day arithmetic only, so no time zone can shift them.

import dayjs from 'dayjs';

export const GROUPINGS = ['day', 'week', 'month'] as const;
export type Grouping = (typeof GROUPINGS)[number];

export interface VolumePoint {
  /** The period's first day (YYYY-MM-DD), or the month (YYYY-MM). */
  period: string;
  count: number;
  /** How many days of the range the period holds (a range may start mid-week). */
  days: number;
}

function weekStart(date: string): string {
  const day = dayjs(date, 'YYYY-MM-DD');
  return day.subtract((day.day() + 6) % 7, 'day').format('YYYY-MM-DD');
}

export function groupVolume(daily: { date: string; count: number }[], grouping: Grouping): VolumePoint[] {
  if (grouping === 'day') return daily.map((entry) => ({ period: entry.date, count: entry.count, days: 1 }));
  const out: VolumePoint[] = [];
  for (const entry of daily) {
    const period = grouping === 'month' ? entry.date.slice(0, 7) : weekStart(entry.date);
    const last = out[out.length - 1];
    if (last && last.period === period) {
      last.count += entry.count;
      last.days += 1;
    } else {
      out.push({ period, count: entry.count, days: 1 });
    }
  }
  return out;
}

/** Day by day for up to three months, week by week up to two years, else by month. */
export function defaultGrouping(days: number): Grouping {
  if (days <= 92) return 'day';
  if (days <= 730) return 'week';
  return 'month';
}

export interface VolumeSummary {
  total: number;
  days: number;
  perDay: number;
  busiest: { date: string; count: number } | null;
}

export function summarizeVolume(daily: { date: string; count: number }[]): VolumeSummary {
  let total = 0;
  let busiest: { date: string; count: number } | null = null;
  for (const entry of daily) {
    total += entry.count;
    if (entry.count > 0 && (!busiest || entry.count > busiest.count)) busiest = entry;
  }
  return { total, days: daily.length, perDay: daily.length ? total / daily.length : 0, busiest };
}
