import { Descriptions, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '@/components/ErrorAlert';
import { useNamedTable } from '@/components/namedTable';
import type { ImportIssueRow, SourceValue } from '@/lib/api-types';
import { formatNumber } from '@/lib/format';
import { ISSUES_PAGE_SIZE, useImportIssues } from '../api/import';

function sourceText(value: SourceValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The rows a job quarantined, with their reasons, a page at a time; each row's source values on expanding it. */
export function QuarantinedRows({ jobId, total }: { jobId: number; total: number }) {
  const { t, i18n } = useTranslation();
  const [page, setPage] = useState(1);
  const issues = useImportIssues(jobId, page, total > 0);
  const components = useNamedTable(t('importPage.issues.tableLabel'));
  const none = <span className="null-value">{t('common.none')}</span>;
  return (
    <section className="import-issues" aria-labelledby="import-issues-title">
      <h3 id="import-issues-title" className="detail-heading">
        {t('importPage.issues.title')}
      </h3>
      {total > 0 ? (
        <Typography.Paragraph type="warning">
          {t('importPage.issues.count', { count: total, total: formatNumber(total, i18n.language) })}
        </Typography.Paragraph>
      ) : null}
      {issues.error ? <ErrorAlert error={issues.error} title={t('importPage.issues.errorTitle')} onRetry={() => void issues.refetch()} /> : null}
      <Table<ImportIssueRow>
        className="studies-table issues-table"
        size="small"
        components={components}
        rowKey={(row) => `${row.source_table}-${row.source_row}`}
        dataSource={total > 0 ? (issues.data?.data ?? []) : []}
        loading={issues.isFetching ? { delay: 200 } : false}
        locale={{ emptyText: issues.isLoading ? t('common.loading') : t('importPage.issues.none') }}
        columns={[
          { key: 'source_table', title: t('importPage.issues.table'), dataIndex: 'source_table', width: 200, render: (v: string) => <span className="mono">{v}</span> },
          { key: 'source_row', title: t('importPage.issues.row'), dataIndex: 'source_row', width: 72, align: 'right', render: (v: number) => formatNumber(v, i18n.language) },
          { key: 'exam_id', title: t('importPage.issues.exam_id'), dataIndex: 'exam_id', width: 130, render: (v: string | null) => (v === null ? none : <span className="mono">{v}</span>) },
          { key: 'report_id', title: t('importPage.issues.report_id'), dataIndex: 'report_id', width: 130, render: (v: string | null) => (v === null ? none : <span className="mono">{v}</span>) },
          { key: 'reason', title: t('importPage.issues.reason'), dataIndex: 'reason' },
        ]}
        expandable={{
          expandedRowRender: (row) => (
            <Descriptions
              size="small"
              bordered
              column={2}
              title={t('importPage.issues.raw')}
              items={Object.entries(row.raw).map(([name, value]) => ({
                key: name,
                label: <span className="mono">{name}</span>,
                children: <span className="mono">{sourceText(value)}</span>,
              }))}
            />
          ),
        }}
        pagination={
          total > ISSUES_PAGE_SIZE
            ? {
                current: page,
                pageSize: ISSUES_PAGE_SIZE,
                total: issues.data?.total ?? total,
                showSizeChanger: false,
                onChange: setPage,
                placement: ['bottomEnd'],
              }
            : false
        }
      />
    </section>
  );
}
