import { Segmented, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNamedTable } from '@/components/namedTable';
import type { StudyStatisticsOut, TurnaroundStat, ValueCount } from '@/lib/api-types';
import { formatMinutes, formatNumber } from '@/lib/format';
import { barsOption, turnaroundOption, volumeOption, SECONDARY } from '../chartOptions';
import { defaultGrouping, groupVolume, summarizeVolume, type Grouping, type VolumePoint } from '../volume';
import { ChartCard } from './ChartCard';
import { CountTable, type CountRow } from './CountTable';

const INTERVALS = ['order_to_check_in', 'check_in_to_certification', 'order_to_certification'] as const;
type Interval = (typeof INTERVALS)[number];

/** The physicians the chart shows; the table lists them all. */
export const CHART_PHYSICIANS = 15;
const BAR_HEIGHT = 24;

function barsHeight(count: number): number {
  return Math.max(120, count * BAR_HEIGHT + 16);
}

/** Counts as table rows, the missing value (null) named "(none)". */
function countRows(list: ValueCount[], none: string, label: (value: string) => string = (value) => value): CountRow[] {
  return list.map((entry, index) => ({
    key: entry.value === null ? `null-${index}` : `v-${entry.value}`,
    label: entry.value === null ? none : label(entry.value),
    count: entry.count,
    muted: entry.value === null,
  }));
}

function useBars(rows: CountRow[], total: number, color?: string) {
  const { t, i18n } = useTranslation();
  return useMemo(
    () =>
      barsOption({
        labels: rows.map((row) => row.label),
        values: rows.map((row) => row.count),
        seriesName: t('dashboard.count'),
        color,
        tooltip: (index) => {
          const count = rows[index].count;
          const share = total > 0 ? formatNumber(count / total, i18n.language, { style: 'percent', maximumFractionDigits: 1 }) : '–';
          return `${t('dashboard.count')}: ${formatNumber(count, i18n.language)} (${share})`;
        },
      }),
    [rows, total, color, t, i18n.language],
  );
}

function CountCard({ title, rows, total, layout = 'stack', maxRows, color }: { title: string; rows: CountRow[]; total: number; layout?: 'stack' | 'side'; maxRows?: number; color?: string }) {
  const { t } = useTranslation();
  const charted = useMemo(() => (maxRows ? rows.slice(0, maxRows) : rows), [rows, maxRows]);
  const option = useBars(charted, total, color);
  const height = barsHeight(charted.length);
  return (
    <ChartCard
      title={title}
      layout={layout}
      option={charted.length > 0 ? option : null}
      chartHeight={charted.length > 0 ? height : 0}
      note={maxRows && rows.length > maxRows ? t('dashboard.physiciansMore', { shown: maxRows, total: rows.length }) : undefined}
      table={<CountTable name={title} valueTitle={t('dashboard.value')} rows={rows} total={total} maxHeight={layout === 'side' ? Math.max(height, 240) : undefined} />}
    />
  );
}

function Kpis({ statistics }: { statistics: StudyStatisticsOut }) {
  const { t, i18n } = useTranslation();
  const tile = (key: Interval) => {
    const stat: TurnaroundStat = statistics.turnaround_minutes[key];
    return (
      <div className="kpi" key={key}>
        <div className="kpi-label">{t(`dashboard.turnaround.${key}`)}</div>
        <div className="kpi-value">{formatMinutes(stat.median)}</div>
        <div className="kpi-sub">{stat.median === null ? t('dashboard.kpi.noTimes') : t('dashboard.kpi.medianOf', { p90: formatMinutes(stat.p90) })}</div>
      </div>
    );
  };
  return (
    <div className="kpis">
      <div className="kpi">
        <div className="kpi-label">{t('dashboard.kpi.total')}</div>
        <div className="kpi-value">{formatNumber(statistics.total, i18n.language)}</div>
        <div className="kpi-sub">
          {statistics.daily_volume.length > 0
            ? `${statistics.daily_volume[0].date} – ${statistics.daily_volume[statistics.daily_volume.length - 1].date}`
            : '\u00a0'}
        </div>
      </div>
      {INTERVALS.map(tile)}
    </div>
  );
}

function VolumeCard({ daily }: { daily: StudyStatisticsOut['daily_volume'] }) {
  const { t, i18n } = useTranslation();
  const [chosen, setChosen] = useState<Grouping | null>(null);
  const grouping = chosen ?? defaultGrouping(daily.length);
  const points = useMemo(() => groupVolume(daily, grouping), [daily, grouping]);
  const summary = useMemo(() => summarizeVolume(daily), [daily]);
  const label = (point: VolumePoint) => (grouping === 'week' ? t('dashboard.volume.weekOf', { date: point.period }) : point.period);
  const unit = t(`dashboard.volume.${grouping}`);
  const name = t('dashboard.volume.tableLabel', { unit: unit.toLowerCase() });

  const option = useMemo(
    () =>
      volumeOption({
        periods: points.map((point) => point.period),
        counts: points.map((point) => point.count),
        seriesName: t('dashboard.volume.count'),
        // A long run of days opens on its last three months.
        zoomFrom: grouping === 'day' && points.length > 92 ? Math.round((1 - 92 / points.length) * 100) : 0,
        tooltip: (index) => {
          const point = points[index];
          const days = point.days > 1 ? ` · ${t('dashboard.volume.days', { count: point.days })}` : '';
          return `${t('dashboard.volume.count')}: ${formatNumber(point.count, i18n.language)}${days}`;
        },
      }),
    [points, grouping, t, i18n.language],
  );

  const components = useNamedTable(name);
  const newestFirst = useMemo(() => [...points].reverse(), [points]);
  const table = (
    <Table<VolumePoint>
      className="count-table volume-table"
      size="small"
      components={components}
      rowKey="period"
      dataSource={newestFirst}
      pagination={newestFirst.length > 10 ? { pageSize: 10, size: 'small', showSizeChanger: false, simple: true } : false}
      columns={[
        { key: 'period', title: t(`dashboard.volume.${grouping}`), dataIndex: 'period', render: (_: string, point) => <span className="nowrap">{label(point)}</span> },
        { key: 'count', title: t('dashboard.volume.count'), dataIndex: 'count', align: 'right', width: 96, render: (v: number) => formatNumber(v, i18n.language) },
      ]}
    />
  );

  return (
    <ChartCard
      title={t('dashboard.volume.title')}
      className="volume-card"
      layout="side"
      option={points.length > 0 ? option : null}
      chartHeight={280}
      extra={
        <Segmented<Grouping>
          size="small"
          aria-label={t('dashboard.volume.group')}
          value={grouping}
          onChange={setChosen}
          options={(['day', 'week', 'month'] as const).map((value) => ({ value, label: t(`dashboard.volume.${value}`) }))}
        />
      }
      note={
        <Typography.Text type="secondary">
          {t('dashboard.volume.perDay', { value: formatNumber(summary.perDay, i18n.language, { maximumFractionDigits: 1 }) })}
          {summary.busiest
            ? ` · ${t('dashboard.volume.busiest', { date: summary.busiest.date, studies: formatNumber(summary.busiest.count, i18n.language) })}`
            : ''}
          {points.length > 1 ? ` · ${t('dashboard.volume.zoom')}` : ''}
        </Typography.Text>
      }
      table={table}
    />
  );
}

function TurnaroundCard({ turnaround }: { turnaround: StudyStatisticsOut['turnaround_minutes'] }) {
  const { t, i18n } = useTranslation();
  const labels = useMemo(() => INTERVALS.map((key) => t(`dashboard.turnaround.${key}`)), [t]);
  const option = useMemo(
    () =>
      turnaroundOption({
        labels,
        median: INTERVALS.map((key) => turnaround[key].median),
        p90: INTERVALS.map((key) => turnaround[key].p90),
        names: { median: t('dashboard.turnaround.median'), p90: t('dashboard.turnaround.p90') },
        formatMinutes,
      }),
    [turnaround, labels, t],
  );
  const title = t('dashboard.turnaround.title');
  const components = useNamedTable(title);
  return (
    // Stacked: its table has five columns, too many beside the chart at 1280 px.
    <ChartCard
      title={title}
      layout="stack"
      option={option}
      chartHeight={200}
      note={<Typography.Text type="secondary">{t('dashboard.turnaround.note')}</Typography.Text>}
      table={
        <Table
          className="count-table"
          size="small"
          components={components}
          pagination={false}
          rowKey="key"
          dataSource={INTERVALS.map((key, index) => ({ key, label: labels[index], ...turnaround[key] }))}
          columns={[
            { key: 'label', title: t('dashboard.turnaround.interval'), dataIndex: 'label' },
            { key: 'count', title: t('dashboard.turnaround.count'), dataIndex: 'count', align: 'right', render: (v: number) => formatNumber(v, i18n.language) },
            { key: 'median', title: t('dashboard.turnaround.median'), dataIndex: 'median', align: 'right', render: formatMinutes },
            { key: 'p90', title: t('dashboard.turnaround.p90'), dataIndex: 'p90', align: 'right', render: formatMinutes },
            { key: 'max', title: t('dashboard.turnaround.max'), dataIndex: 'max', align: 'right', render: formatMinutes },
          ]}
        />
      }
    />
  );
}

/** The clinic's statistics for the current filters, each chart with its table. */
export function Dashboard({ statistics }: { statistics: StudyStatisticsOut }) {
  const { t } = useTranslation();
  const total = statistics.total;
  const rows = useMemo(() => {
    const none = t('dashboard.none');
    const gender = (value: string) => (['M', 'F', 'U', 'O'].includes(value) ? t(`gender.${value as 'M' | 'F' | 'U' | 'O'}`) : value);
    const items = countRows(statistics.by_item.top, none);
    if (statistics.by_item.other > 0) items.push({ key: 'other', label: t('dashboard.other'), count: statistics.by_item.other, muted: true });
    return {
      source: countRows(statistics.by_source, none),
      status: countRows(statistics.by_status, none),
      gender: countRows(statistics.by_gender, none, gender),
      age: statistics.by_age_band.map((entry) => ({ key: entry.band, label: t(`dashboard.ageBand.${entry.band}`), count: entry.count, muted: entry.band === 'unknown' })),
      items,
      physicians: countRows(statistics.by_physician, none),
    };
  }, [statistics, t]);

  return (
    <div className="dashboard">
      <Kpis statistics={statistics} />
      <VolumeCard daily={statistics.daily_volume} />
      <div className="dashboard-grid">
        <CountCard title={t('dashboard.bySource')} rows={rows.source} total={total} />
        <CountCard title={t('dashboard.byStatus')} rows={rows.status} total={total} />
        <CountCard title={t('dashboard.byGender')} rows={rows.gender} total={total} />
        <CountCard title={t('dashboard.byAge')} rows={rows.age} total={total} />
      </div>
      <TurnaroundCard turnaround={statistics.turnaround_minutes} />
      <CountCard title={t('dashboard.byItem')} rows={rows.items} total={total} layout="side" />
      <CountCard title={t('dashboard.physicians')} rows={rows.physicians} total={total} layout="side" maxRows={CHART_PHYSICIANS} color={SECONDARY} />
    </div>
  );
}
