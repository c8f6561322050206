// The date range presets, as inclusive [first day, last day], for "today" in the
// clinic's (this PC's) local calendar.

import type { Dayjs } from 'dayjs';

export const PRESET_KEYS = ['today', 'yesterday', 'last7', 'last30', 'thisMonth', 'lastMonth', 'last12Months'] as const;
export type PresetKey = (typeof PRESET_KEYS)[number];

export function presetRange(key: PresetKey, today: Dayjs): [Dayjs, Dayjs] {
  const day = today.startOf('day');
  switch (key) {
    case 'today':
      return [day, day];
    case 'yesterday':
      return [day.subtract(1, 'day'), day.subtract(1, 'day')];
    case 'last7':
      return [day.subtract(6, 'day'), day];
    case 'last30':
      return [day.subtract(29, 'day'), day];
    case 'thisMonth':
      return [day.startOf('month'), day.endOf('month').startOf('day')];
    case 'lastMonth': {
      const last = day.subtract(1, 'month');
      return [last.startOf('month'), last.endOf('month').startOf('day')];
    }
    case 'last12Months':
      return [day.subtract(12, 'month').add(1, 'day'), day];
  }
}

export const DAY_FORMAT = 'YYYY-MM-DD';

export function presetDates(key: PresetKey, today: Dayjs): { date_from: string; date_to: string } {
  const [from, to] = presetRange(key, today);
  return { date_from: from.format(DAY_FORMAT), date_to: to.format(DAY_FORMAT) };
}
