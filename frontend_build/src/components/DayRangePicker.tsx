import { DatePicker } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { DAY_FORMAT, PRESET_KEYS, presetRange } from '@/lib/datePresets';

interface Props {
  /** The first and last day, as YYYY-MM-DD; either may be open (null). */
  from: string | null;
  to: string | null;
  onChange: (from: string | null, to: string | null) => void;
  label: string;
}

// A range of whole days with the date presets: the Studies filters and the Audit
// trail's filter both pick their days with it.
export function DayRangePicker({ from, to, onChange, label }: Props) {
  const { t } = useTranslation();
  const range: [Dayjs | null, Dayjs | null] | null =
    from || to ? [from ? dayjs(from, DAY_FORMAT) : null, to ? dayjs(to, DAY_FORMAT) : null] : null;
  const today = dayjs();
  return (
    <DatePicker.RangePicker
      className="filter-dates"
      aria-label={label}
      placeholder={[t('filters.dateFrom'), t('filters.dateTo')]}
      format={DAY_FORMAT}
      allowEmpty={[true, true]}
      value={range}
      onChange={(values) => {
        const [first, last] = values ?? [null, null];
        onChange(first ? first.format(DAY_FORMAT) : null, last ? last.format(DAY_FORMAT) : null);
      }}
      presets={PRESET_KEYS.map((key) => ({ label: t(`presets.${key}`), value: presetRange(key, today) }))}
    />
  );
}
