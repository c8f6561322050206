import { ClearOutlined } from '@ant-design/icons';
import type { InputRef } from 'antd';
import { Button, Empty, Select, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { NoMatch } from '@/components/NoMatch';
import { ErrorAlert } from '@/components/ErrorAlert';
import { SearchBox } from '@/components/SearchBox';
import { isApiError } from '@/lib/api';
import { formatNumber } from '@/lib/format';
import { isTypingTarget } from '@/lib/keyboard';
import { useReportSearch, useStudyStatuses } from '../api/reports';
import { clearedFilters, hasFilters } from '../searchState';
import { useReportSearchState } from '../useReportSearchState';
import { ReportDrawer } from './ReportDrawer';
import { ReportsTable } from './ReportsTable';
import '../reports.css';

function StatusSelect({
  label,
  values,
  value,
  onChange,
  className,
}: {
  label: string;
  values: string[];
  value: string | null;
  onChange: (value: string | null) => void;
  className: string;
}) {
  // A value in the URL that the options lack stays visible.
  const all = value && !values.includes(value) ? [...values, value] : values;
  return (
    <Select
      className={`filter-select ${className}`}
      aria-label={label}
      placeholder={label}
      allowClear
      value={value ?? undefined}
      onChange={(next?: string) => onChange(next ?? null)}
      popupMatchSelectWidth={false}
      options={all.map((entry) => ({ value: entry, label: entry }))}
    />
  );
}

/** The Reports screen: search the findings, filter by status, read a report in full. */
export function ReportsPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const { search, reportId, update, replace, openReport, closeReport } = useReportSearchState();
  const results = useReportSearch(search);
  const studyStatuses = useStudyStatuses();
  const rows = results.data?.data ?? [];
  const total = results.data?.total ?? null;
  const filtered = hasFilters(search);
  const lastPage = total !== null ? Math.max(1, Math.ceil(total / search.page_size)) : 1;
  const searchBox = useRef<InputRef>(null);

  // `/` focuses the search, as on the Studies screen.
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === '/' && !isTypingTarget(event.target) && !reportId) {
        event.preventDefault();
        searchBox.current?.focus({ cursor: 'all' });
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [reportId]);

  const onCommitQuery = useCallback((q: string) => update({ q }), [update]);
  const clear = () => replace(clearedFilters(search));
  const openRow = useMemo(() => rows.find((row) => row.report_id === reportId), [rows, reportId]);

  const empty = results.error ? (
    <span />
  ) : results.isLoading ? (
    <div className="table-loading" aria-busy="true">
      {t('reports.loading')}
    </div>
  ) : !filtered && search.page === 1 ? (
    <Empty
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      description={
        <span className="empty-text">
          <strong>{t('reports.noneStoredTitle')}</strong>
          <br />
          {t('reports.noneStoredText')}
        </span>
      }
    >
      <Button type="primary" onClick={() => navigate('/import')}>
        {t('reports.goToImport')}
      </Button>
    </Empty>
  ) : (
    <NoMatch
      area="reports"
      page={search.page}
      lastPage={lastPage}
      total={total}
      filtered={filtered}
      onLastPage={() => update({ page: lastPage })}
      onClear={clear}
    />
  );

  return (
    <section className="reports-page" aria-labelledby="reports-title">
      <h1 id="reports-title" className="visually-hidden">
        {t('reports.title')}
      </h1>
      <div className="studies-toolbar reports-toolbar" role="group" aria-label={t('reports.filtersLabel')}>
        <SearchBox
          ref={searchBox}
          label={t('reports.searchLabel')}
          placeholder={t('reports.searchPlaceholder')}
          shortcut
          value={search.q}
          onCommit={onCommitQuery}
        />
        <StatusSelect
          className="filter-report-status"
          label={t('reports.status')}
          values={results.data?.filters.statuses ?? []}
          value={search.status}
          onChange={(status) => update({ status })}
        />
        <StatusSelect
          className="filter-exam-status"
          label={t('reports.examStatus')}
          values={studyStatuses.data ?? []}
          value={search.exam_status}
          onChange={(exam_status) => update({ exam_status })}
        />
        <Button icon={<ClearOutlined aria-hidden />} onClick={clear} disabled={!filtered}>
          {t('filters.clear')}
        </Button>
      </div>
      <div className="studies-summary">
        <Typography.Text strong className="studies-total" role="status" aria-live="polite">
          {total !== null ? t('reports.total', { count: total, total: formatNumber(total, i18n.language) }) : '\u00a0'}
        </Typography.Text>
        <Typography.Text type="secondary" className="keyboard-hint">
          {t('reports.keyboardHint')}
        </Typography.Text>
      </div>
      {results.error && !(isApiError(results.error) && results.error.kind === 'session') ? (
        <ErrorAlert
          error={results.error}
          title={t('reports.errorTitle')}
          action={
            <span className="error-actions">
              <Button size="small" onClick={() => void results.refetch()}>
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
      ) : null}
      <div className="studies-table-region">
        <ReportsTable
          rows={rows}
          total={total ?? 0}
          search={search}
          loading={results.isFetching}
          openId={reportId}
          empty={empty}
          onOpen={openReport}
          onPage={(page, pageSize) => {
            if (pageSize !== search.page_size) update({ page_size: pageSize, page: 1 });
            else update({ page });
          }}
        />
      </div>
      <ReportDrawer reportId={reportId} row={openRow} q={search.q} onClose={closeReport} />
    </section>
  );
}
