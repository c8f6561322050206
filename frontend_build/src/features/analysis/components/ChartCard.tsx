import { lazy, Suspense, useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChartOption } from '../chartOptions';

// The chart library loads when the first chart shows; the tables do not wait for it.
const EChart = lazy(() => import('./EChart'));

interface Props {
  title: string;
  option: ChartOption | null;
  chartHeight: number;
  /** The numbers of the chart, readable without it. */
  table: ReactNode;
  /** Chart above the table (a narrow card), or beside it (a wide one). */
  layout?: 'stack' | 'side';
  extra?: ReactNode;
  note?: ReactNode;
  className?: string;
}

/** A dashboard card: a heading, a chart (its numbers on hover) and the same numbers as a table. */
export function ChartCard({ title, option, chartHeight, table, layout = 'stack', extra, note, className }: Props) {
  const { t, i18n } = useTranslation();
  const headingId = useId();
  return (
    <section className={`panel chart-card chart-card-${layout}${className ? ` ${className}` : ''}`} aria-labelledby={headingId}>
      <header className="chart-card-header">
        <h3 id={headingId} className="chart-card-title">
          {title}
        </h3>
        {extra}
      </header>
      {note ? <div className="chart-card-note">{note}</div> : null}
      <div className="chart-card-body">
        <div className="chart-card-chart" style={{ minHeight: chartHeight }}>
          {option ? (
            <Suspense fallback={<div className="chart-placeholder" style={{ height: chartHeight }} />}>
              <EChart option={option} height={chartHeight} label={t('dashboard.chartLabel', { title })} language={i18n.language} />
            </Suspense>
          ) : null}
        </div>
        <div className="chart-card-table">{table}</div>
      </div>
    </section>
  );
}
