import { Button, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '@/components/ErrorAlert';
import { useNamedTable } from '@/components/namedTable';
import type { ImportHistoryRow, ImportState } from '@/lib/api-types';
import { formatDateTime, formatNumber } from '@/lib/format';
import { HISTORY_PAGE_SIZE, useImportHistory } from '../api/import';

export const OUTCOME_COLORS: Record<ImportState, string> = {
  queued: 'gold',
  running: 'processing',
  done: 'green',
  failed: 'red',
  cancelled: 'default',
};

export function useKindName() {
  const { t } = useTranslation();
  return (kind: string) => (kind === 'import' || kind === 'sync' ? t(`importPage.history.kinds.${kind}`) : kind);
}

/** Every import, newest first, a page at a time; a row shows its job above. */
export function ImportHistory({ currentJobId, onShow }: { currentJobId: number | null; onShow: (jobId: number) => void }) {
  const { t, i18n } = useTranslation();
  const kindName = useKindName();
  const [page, setPage] = useState(1);
  const history = useImportHistory(page);
  const components = useNamedTable(t('importPage.history.tableLabel'));
  const n = (value: number | null) => formatNumber(value ?? 0, i18n.language);
  const none = <span className="null-value">{t('common.none')}</span>;

  const result = (row: ImportHistoryRow) => {
    if (row.error) return <Typography.Text type={row.outcome === 'failed' ? 'danger' : 'secondary'}>{row.error}</Typography.Text>;
    if (row.outcome !== 'done') return none;
    return t('importPage.history.resultText', {
      inserted: n(row.inserted),
      updated: n(row.updated),
      unchanged: n(row.unchanged),
      duplicates: n(row.duplicates),
      quarantined: n(row.quarantined),
      not_in_source: n(row.not_in_source),
    });
  };

  return (
    <section className="panel import-history" aria-labelledby="import-history-title">
      <h2 id="import-history-title" className="panel-title">
        {t('importPage.history.title')}
      </h2>
      {history.error ? <ErrorAlert error={history.error} title={t('importPage.history.errorTitle')} onRetry={() => void history.refetch()} /> : null}
      <Table<ImportHistoryRow>
        className="studies-table history-table"
        size="small"
        tableLayout="fixed"
        components={components}
        rowKey="job_id"
        dataSource={history.data?.data ?? []}
        loading={history.isFetching && !history.data ? { delay: 200 } : false}
        locale={{ emptyText: history.isLoading ? t('common.loading') : history.error ? ' ' : t('importPage.history.empty') }}
        onRow={(row) => ({
          className: row.job_id === currentJobId ? 'study-row study-row-selected' : 'study-row',
          onClick: () => onShow(row.job_id),
        })}
        columns={[
          {
            key: 'job_id',
            title: t('importPage.history.job'),
            dataIndex: 'job_id',
            width: 76,
            render: (id: number) => (
              <Button
                type="link"
                size="small"
                className="link-cell"
                aria-label={t('importPage.history.show', { id })}
                onClick={(event) => {
                  event.stopPropagation();
                  onShow(id);
                }}
              >
                #{id}
              </Button>
            ),
          },
          { key: 'kind', title: t('importPage.history.kind'), dataIndex: 'kind', width: 76, render: kindName },
          {
            key: 'path',
            title: t('importPage.history.file'),
            dataIndex: 'path',
            ellipsis: true,
            render: (v: string | null) => (v === null ? none : <span className="mono" title={v}>{v}</span>),
          },
          { key: 'started_at', title: t('importPage.history.started'), dataIndex: 'started_at', width: 136, render: (v: string | null) => (v ? <span className="nowrap">{formatDateTime(v)}</span> : none) },
          { key: 'finished_at', title: t('importPage.history.finished'), dataIndex: 'finished_at', width: 136, render: (v: string | null) => (v ? <span className="nowrap">{formatDateTime(v)}</span> : none) },
          {
            key: 'outcome',
            title: t('importPage.history.outcome'),
            dataIndex: 'outcome',
            width: 100,
            render: (v: ImportState) => <Tag color={OUTCOME_COLORS[v] ?? 'default'}>{t(`importPage.history.outcomes.${v}`, { defaultValue: v })}</Tag>,
          },
          { key: 'source_rows', title: t('importPage.history.rows'), dataIndex: 'source_rows', width: 84, align: 'right', render: (v: number | null) => (v === null ? none : n(v)) },
          { key: 'result', title: t('importPage.history.result'), width: 380, render: (_: unknown, row) => <span className="history-result">{result(row)}</span> },
        ]}
        pagination={
          (history.data?.total ?? 0) > HISTORY_PAGE_SIZE
            ? { current: page, pageSize: HISTORY_PAGE_SIZE, total: history.data?.total ?? 0, showSizeChanger: false, onChange: setPage, placement: ['bottomEnd'] }
            : false
        }
      />
    </section>
  );
}
