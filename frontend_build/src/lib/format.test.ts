import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDateTimeFull, formatMinutes, formatNumber } from './format';

describe('format', () => {
  it('shows datetimes as stored, without converting time zones', () => {
    expect(formatDateTime('2025-11-06T10:30:00')).toBe('2025-11-06 10:30');
    expect(formatDateTime('2025-11-07T09:05:12.250000')).toBe('2025-11-07 09:05');
    expect(formatDateTime(null)).toBe('');
    expect(formatDateTimeFull('2025-11-07T09:05:12.250000')).toBe('2025-11-07 09:05:12.250000');
  });

  it('groups numbers by thousands in both languages', () => {
    expect(formatNumber(2999)).toBe('2,999');
    expect(formatNumber(1_000_000, 'zh-TW')).toBe('1,000,000');
  });

  it('reads minutes', () => {
    expect(formatMinutes(20.28)).toBe('20 min');
    expect(formatMinutes(4.5)).toBe('4.5 min');
    expect(formatMinutes(293.3)).toBe('4 h 53 min');
    expect(formatMinutes(1926.13)).toBe('1 d 8 h');
    expect(formatMinutes(null)).toBe('–');
  });
});
