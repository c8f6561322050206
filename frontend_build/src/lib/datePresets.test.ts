import dayjs from 'dayjs';
import { describe, expect, it } from 'vitest';
import { PRESET_KEYS, presetDates } from './datePresets';

const at = (day: string) => dayjs(`${day}T15:45:00`);

describe('date presets', () => {
  it('gives inclusive day ranges around today', () => {
    const today = at('2025-03-15');
    expect(Object.fromEntries(PRESET_KEYS.map((key) => [key, presetDates(key, today)]))).toEqual({
      today: { date_from: '2025-03-15', date_to: '2025-03-15' },
      yesterday: { date_from: '2025-03-14', date_to: '2025-03-14' },
      last7: { date_from: '2025-03-09', date_to: '2025-03-15' },
      last30: { date_from: '2025-02-14', date_to: '2025-03-15' },
      thisMonth: { date_from: '2025-03-01', date_to: '2025-03-31' },
      lastMonth: { date_from: '2025-02-01', date_to: '2025-02-28' },
      last12Months: { date_from: '2024-03-16', date_to: '2025-03-15' },
    });
  });

  it('crosses year ends and leap days', () => {
    expect(presetDates('yesterday', at('2025-01-01'))).toEqual({ date_from: '2024-12-31', date_to: '2024-12-31' });
    expect(presetDates('lastMonth', at('2024-03-31'))).toEqual({ date_from: '2024-02-01', date_to: '2024-02-29' });
    expect(presetDates('lastMonth', at('2025-01-10'))).toEqual({ date_from: '2024-12-01', date_to: '2024-12-31' });
    expect(presetDates('last12Months', at('2024-02-29'))).toEqual({ date_from: '2023-03-01', date_to: '2024-02-29' });
  });
});
