import { describe, expect, it } from 'vitest';
import { defaultGrouping, groupVolume, summarizeVolume } from './volume';

const DAILY = [
  { date: '2025-12-27', count: 1 }, // Saturday
  { date: '2025-12-28', count: 2 }, // Sunday
  { date: '2025-12-29', count: 3 }, // Monday
  { date: '2025-12-30', count: 0 },
  { date: '2025-12-31', count: 4 },
  { date: '2026-01-01', count: 5 },
];

describe('the volume', () => {
  it('groups days into weeks from Monday and into months, counting the days each holds', () => {
    expect(groupVolume(DAILY, 'day')).toHaveLength(6);
    expect(groupVolume(DAILY, 'week')).toEqual([
      { period: '2025-12-22', count: 3, days: 2 },
      { period: '2025-12-29', count: 12, days: 4 },
    ]);
    expect(groupVolume(DAILY, 'month')).toEqual([
      { period: '2025-12', count: 10, days: 5 },
      { period: '2026-01', count: 5, days: 1 },
    ]);
  });

  it('chooses days for a short range, weeks for a middle one, months for years', () => {
    expect(defaultGrouping(31)).toBe('day');
    expect(defaultGrouping(365)).toBe('week');
    expect(defaultGrouping(1097)).toBe('month');
  });

  it('sums up the total, the mean per day and the busiest day', () => {
    expect(summarizeVolume(DAILY)).toEqual({ total: 15, days: 6, perDay: 2.5, busiest: { date: '2026-01-01', count: 5 } });
    expect(summarizeVolume([])).toEqual({ total: 0, days: 0, perDay: 0, busiest: null });
  });
});
