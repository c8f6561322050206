import { UnorderedListOutlined } from '@ant-design/icons';
import { Button, Empty, Skeleton, Typography } from 'antd';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { ErrorAlert } from '@/components/ErrorAlert';
import { SearchBox } from '@/components/SearchBox';
import { StudyFilterBar } from '@/components/study-filters/StudyFilterBar';
import { isApiError } from '@/lib/api';
import { formatNumber } from '@/lib/format';
import { studiesHref } from '@/lib/links';
import { hasFilters } from '@/lib/studyFilters';
import { useClinicStatistics, useFilterOptions } from '../api/statistics';
import { useFilterState } from '../useFilterState';
import { Dashboard } from './Dashboard';
import { TasksPanel } from './TasksPanel';
import '../analysis.css';

function DashboardSkeleton() {
  const { t } = useTranslation();
  return (
    <div className="dashboard" aria-busy="true" aria-label={t('dashboard.loading')}>
      <div className="kpis">
        {[0, 1, 2, 3].map((key) => (
          <div className="kpi" key={key}>
            <Skeleton active title={false} paragraph={{ rows: 2 }} />
          </div>
        ))}
      </div>
      <div className="panel chart-card">
        <Skeleton active paragraph={{ rows: 8 }} />
      </div>
    </div>
  );
}

/** The Analysis screen: the clinic statistics for the current filters, and beside them the analysis tasks. */
export function AnalysisPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const { filters, update, clear } = useFilterState();
  const statistics = useClinicStatistics(filters);
  const options = useFilterOptions();
  const filtered = hasFilters(filters);
  const data = statistics.data;
  const onCommitQuery = useCallback((q: string) => update({ q }), [update]);

  let body;
  if (statistics.error && !(isApiError(statistics.error) && statistics.error.kind === 'session')) {
    body = (
      <ErrorAlert
        error={statistics.error}
        title={t('dashboard.errorTitle')}
        action={
          <span className="error-actions">
            <Button size="small" onClick={() => void statistics.refetch()}>
              {t('common.retry')}
            </Button>
            {filtered ? (
              <Button size="small" onClick={clear}>
                {t('filters.clear')}
              </Button>
            ) : null}
          </span>
        }
      />
    );
  } else if (!data) {
    body = <DashboardSkeleton />;
  } else if (data.total === 0) {
    body = (
      <div className="panel dashboard-empty">
        <Empty
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          description={
            <span className="empty-text">
              <strong>{filtered ? t('dashboard.emptyTitle') : t('dashboard.noDataTitle')}</strong>
              <br />
              {filtered ? t('dashboard.emptyHint') : t('dashboard.noDataText')}
            </span>
          }
        >
          {filtered ? (
            <Button type="primary" onClick={clear}>
              {t('filters.clear')}
            </Button>
          ) : (
            <Button type="primary" onClick={() => navigate('/import')}>
              {t('reports.goToImport')}
            </Button>
          )}
        </Empty>
      </div>
    );
  } else {
    body = <Dashboard statistics={data} />;
  }

  return (
    <div className="analysis-page">
      <h1 className="visually-hidden">{t('dashboard.title')}</h1>
      <div className="analysis-layout">
        <section className="analysis-dashboard" aria-labelledby="clinic-statistics-title" aria-busy={statistics.isFetching || undefined}>
          <header className="dashboard-header">
            <h2 id="clinic-statistics-title" className="section-title">
              {t('dashboard.statisticsTitle')}
            </h2>
            <Typography.Text strong className="dashboard-total" role="status" aria-live="polite">
              {data ? t('dashboard.studies', { count: data.total, total: formatNumber(data.total, i18n.language) }) : '\u00a0'}
            </Typography.Text>
            {statistics.isFetching && data ? <Typography.Text type="secondary">{t('dashboard.updating')}</Typography.Text> : null}
            <span className="toolbar-spacer" />
            <Link to={studiesHref(filters)} className="show-studies">
              <UnorderedListOutlined aria-hidden /> {t('dashboard.showStudies')}
            </Link>
          </header>
          <StudyFilterBar
            className="dashboard-filters"
            label={t('dashboard.filtersLabel')}
            filters={filters}
            update={update}
            options={options.data}
            statistics={data}
            onClear={clear}
            canClear={filtered}
            before={
              <SearchBox
                className="dashboard-search"
                label={t('dashboard.searchLabel')}
                placeholder={t('dashboard.searchPlaceholder')}
                value={filters.q}
                onCommit={onCommitQuery}
              />
            }
          />
          {body}
        </section>
        <TasksPanel />
      </div>
    </div>
  );
}
