import { ClearOutlined } from '@ant-design/icons';
import { Button, InputNumber, Select } from 'antd';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { DayRangePicker } from '@/components/DayRangePicker';
import type { FilterOptions, StudyStatisticsOut, ValueCount } from '@/lib/api-types';
import { formatNumber } from '@/lib/format';
import { MAX_AGE, type StudyFilterValues } from '@/lib/studyFilters';

const AGE_DEBOUNCE_MS = 400;
const KNOWN_GENDERS = ['F', 'M', 'U'];

interface Props {
  filters: StudyFilterValues;
  update: (patch: Partial<StudyFilterValues>) => void;
  options: FilterOptions | undefined;
  statistics: StudyStatisticsOut | undefined;
  onClear: () => void;
  canClear: boolean;
  /** The group's name (default "Filters"). */
  label?: string;
  className?: string;
  /** Put first in the bar (a search box). */
  before?: ReactNode;
}

function countsOf(list: ValueCount[] | undefined): Map<string, number> {
  const map = new Map<string, number>();
  for (const entry of list ?? []) if (entry.value !== null) map.set(entry.value, entry.count);
  return map;
}

function OptionWithCount({ text, count, language }: { text: string; count: number | null; language: string }) {
  return (
    <span className="option-with-count">
      <span className="option-value">{text}</span>
      {count !== null ? <span className="option-count">{formatNumber(count, language)}</span> : null}
    </span>
  );
}

function MultiFilter({
  label,
  values,
  selected,
  counts,
  onChange,
  className,
  countsComplete = true,
}: {
  label: string;
  values: string[];
  selected: string[];
  counts: Map<string, number> | null;
  countsComplete?: boolean;
  onChange: (values: string[]) => void;
  className: string;
}) {
  const { i18n } = useTranslation();
  // A value in the URL that the options lack (e.g. none is stored yet) stays visible.
  const all = useMemo(() => [...values, ...selected.filter((v) => !values.includes(v))], [values, selected]);
  return (
    <Select
      mode="multiple"
      className={`filter-select ${className}`}
      aria-label={label}
      placeholder={label}
      value={selected}
      onChange={onChange}
      allowClear
      maxTagCount={1}
      maxTagTextLength={10}
      maxTagPlaceholder={(omitted) => <span title={omitted.map((o) => String(o.value)).join(', ')}>+{omitted.length}</span>}
      showSearch={{ optionFilterProp: 'value' }}
      popupMatchSelectWidth={false}
      options={all.map((value) => ({ value, label: value, title: value }))}
      optionRender={(option) => {
        const value = String(option.value);
        const count = counts ? (counts.get(value) ?? (countsComplete ? 0 : null)) : null;
        return <OptionWithCount text={value} count={count} language={i18n.language} />;
      }}
    />
  );
}

function AgeInput({
  label,
  placeholder,
  value,
  onCommit,
}: {
  label: string;
  placeholder: string;
  value: number | null;
  onCommit: (value: number | null) => void;
}) {
  const [text, setText] = useState<number | null>(value);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => onCommit(text), AGE_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);
  return (
    <InputNumber
      className="age-input"
      aria-label={label}
      placeholder={placeholder}
      min={0}
      max={MAX_AGE}
      precision={0}
      value={text}
      onChange={(next) => setText(typeof next === 'number' ? next : null)}
      onPressEnter={() => onCommit(text)}
    />
  );
}

/**
 * The studies' filter bar: status, source and item as multi-selects with their
 * counts, gender, age range, and the order date with presets. Shared by the Studies
 * screen and the Analysis screen's statistics.
 */
export function StudyFilterBar({ filters, update, options, statistics, onClear, canClear, label, className, before }: Props) {
  const { t, i18n } = useTranslation();
  const statusCounts = useMemo(() => (statistics ? countsOf(statistics.by_status) : null), [statistics]);
  const sourceCounts = useMemo(() => (statistics ? countsOf(statistics.by_source) : null), [statistics]);
  const itemCounts = useMemo(() => (statistics ? countsOf(statistics.by_item.top) : null), [statistics]);
  const genderCounts = useMemo(() => (statistics ? countsOf(statistics.by_gender) : null), [statistics]);

  const genders = useMemo(() => {
    const values = new Set(KNOWN_GENDERS);
    for (const value of genderCounts?.keys() ?? []) values.add(value);
    if (filters.patient_gender) values.add(filters.patient_gender);
    return [...values];
  }, [genderCounts, filters.patient_gender]);


  return (
    <div className={className ? `studies-filters ${className}` : 'studies-filters'} role="group" aria-label={label ?? t('filters.label')}>
      {before}
      <MultiFilter
        className="filter-status"
        label={t('filters.status')}
        values={options?.exam_statuses ?? []}
        selected={filters.exam_status}
        counts={statusCounts}
        onChange={(values) => update({ exam_status: values })}
      />
      <MultiFilter
        className="filter-source"
        label={t('filters.source')}
        values={options?.exam_sources ?? []}
        selected={filters.exam_source}
        counts={sourceCounts}
        onChange={(values) => update({ exam_source: values })}
      />
      <MultiFilter
        className="filter-item"
        label={t('filters.item')}
        values={options?.exam_items ?? []}
        selected={filters.exam_item}
        counts={itemCounts}
        // by_item names only the 20 largest: the rest have no count to show.
        countsComplete={!statistics || statistics.by_item.other === 0}
        onChange={(values) => update({ exam_item: values })}
      />
      <Select
        className="filter-select filter-gender"
        aria-label={t('filters.gender')}
        placeholder={t('filters.gender')}
        allowClear
        value={filters.patient_gender ?? undefined}
        onChange={(value?: string) => update({ patient_gender: value ?? null })}
        popupMatchSelectWidth={false}
        options={genders.map((value) => ({
          value,
          label: ['M', 'F', 'U', 'O'].includes(value) ? t(`gender.${value as 'M' | 'F' | 'U' | 'O'}`) : value,
        }))}
        optionRender={(option) => (
          <OptionWithCount
            text={String(option.label)}
            count={genderCounts ? (genderCounts.get(String(option.value)) ?? 0) : null}
            language={i18n.language}
          />
        )}
      />
      <div className="age-range" role="group" aria-label={t('filters.age')}>
        <span className="filter-label" aria-hidden>
          {t('filters.age')}
        </span>
        <AgeInput
          label={t('filters.ageMin')}
          placeholder={t('filters.ageMinShort')}
          value={filters.patient_age_min}
          onCommit={(value) => update({ patient_age_min: value })}
        />
        <span className="age-separator" aria-hidden>
          –
        </span>
        <AgeInput
          label={t('filters.ageMax')}
          placeholder={t('filters.ageMaxShort')}
          value={filters.patient_age_max}
          onCommit={(value) => update({ patient_age_max: value })}
        />
      </div>
      <DayRangePicker
        label={t('filters.dates')}
        from={filters.date_from}
        to={filters.date_to}
        onChange={(date_from, date_to) => update({ date_from, date_to })}
      />
      <Button icon={<ClearOutlined aria-hidden />} onClick={onClear} disabled={!canClear}>
        {t('filters.clear')}
      </Button>
    </div>
  );
}
