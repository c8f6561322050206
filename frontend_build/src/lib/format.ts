// Display forms. Datetimes are shown as stored (the clinic's wall-clock time): the
// text is cut, never parsed into a Date, so no time zone can shift it.

/** `2025-11-06T10:30:00[.ffffff]` -> `2025-11-06 10:30`; anything else as it is. */
export function formatDateTime(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(value);
  return match ? `${match[1]} ${match[2]}` : value;
}

/** With seconds (and microseconds when stored), for the detail view. */
export function formatDateTimeFull(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return value.replace('T', ' ');
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/** `2999` -> `2,999` (English and Traditional Chinese both group by thousands). */
export function formatNumber(value: number, language = 'en', options?: Intl.NumberFormatOptions): string {
  const key = `${language}|${JSON.stringify(options ?? {})}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(language === 'zh-TW' ? 'zh-TW' : 'en-US', options);
    numberFormats.set(key, format);
  }
  return format.format(value);
}

/** Minutes as `45 min`, `2 h 05 min` or `1 d 3 h`. */
export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes)) return '–';
  const sign = minutes < 0 ? '-' : '';
  const total = Math.round(Math.abs(minutes));
  if (total < 60) return `${sign}${Math.abs(minutes) < 10 ? Math.abs(minutes).toFixed(1).replace(/\.0$/, '') : total} min`;
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const mins = total % 60;
  if (days > 0) return `${sign}${days} d ${hours} h`;
  return `${sign}${hours} h ${String(mins).padStart(2, '0')} min`;
}
