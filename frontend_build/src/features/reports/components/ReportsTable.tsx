import { Button, Table, type TableColumnsType, type TableProps } from 'antd';
import { useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Highlight } from '@/components/Highlight';
import { useNamedTable } from '@/components/namedTable';
import { StatusTag } from '@/components/StatusTag';
import type { ReportOut } from '@/lib/api-types';
import { formatDateTime } from '@/lib/format';
import { snippet } from '@/lib/highlight';
import { PAGE_SIZES, type ReportSearch } from '../searchState';

/** How much of the findings a row shows: around the first match. */
export const FINDINGS_SNIPPET = 110;

interface Props {
  rows: ReportOut[];
  total: number;
  search: ReportSearch;
  loading: boolean;
  openId: string | null;
  empty: ReactNode;
  onOpen: (reportId: string) => void;
  onPage: (page: number, pageSize: number) => void;
}

export function ReportsTable({ rows, total, search, loading, openId, empty, onOpen, onPage }: Props) {
  const { t } = useTranslation();
  const q = search.q;

  const columns = useMemo<TableColumnsType<ReportOut>>(() => {
    const none = <span className="null-value">{t('common.none')}</span>;
    const text = (value: string | null, highlight = false) =>
      value === null ? none : <span title={value}>{highlight ? <Highlight text={value} query={q} /> : value}</span>;
    return [
      {
        key: 'report_id',
        dataIndex: 'report_id',
        title: t('reports.columns.report_id'),
        width: 132,
        render: (value: string) => (
          <Button
            type="link"
            size="small"
            className="mono link-cell"
            aria-label={t('reports.openReport', { reportId: value })}
            onClick={(event) => {
              event.stopPropagation();
              onOpen(value);
            }}
          >
            <Highlight text={value} query={q} />
          </Button>
        ),
      },
      { key: 'exam_id', dataIndex: 'exam_id', title: t('reports.columns.exam_id'), width: 118, render: (v: string) => <span className="mono">{v}</span> },
      { key: 'patient_name', dataIndex: 'patient_name', title: t('reports.columns.patient_name'), width: 140, ellipsis: true, render: (v: string | null) => text(v, true) },
      { key: 'exam_item', dataIndex: 'exam_item', title: t('reports.columns.exam_item'), width: 150, ellipsis: true, render: (v: string | null) => text(v) },
      {
        key: 'findings',
        dataIndex: 'findings',
        title: t('reports.columns.findings'),
        render: (v: string | null) =>
          v === null ? none : (
            <span className="report-snippet">
              <Highlight text={snippet(v, q, FINDINGS_SNIPPET)} query={q} />
            </span>
          ),
      },
      { key: 'radiologist', dataIndex: 'radiologist', title: t('reports.columns.radiologist'), width: 140, ellipsis: true, render: (v: string | null) => text(v, true) },
      {
        key: 'created_at',
        dataIndex: 'created_at',
        title: t('reports.columns.created_at'),
        width: 136,
        render: (v: string | null) => (v === null ? none : <span className="nowrap">{formatDateTime(v)}</span>),
      },
      { key: 'status', dataIndex: 'status', title: t('reports.columns.status'), width: 104, render: (v: string | null) => (v === null ? none : <StatusTag value={v} />) },
    ];
  }, [q, t, onOpen]);

  const onChange: TableProps<ReportOut>['onChange'] = (pagination, _filters, _sorter, extra) => {
    if (extra.action === 'paginate') onPage(pagination.current ?? 1, pagination.pageSize ?? search.page_size);
  };
  const components = useNamedTable(t('reports.tableLabel'));
  const pageSizeOptions = [...new Set([...PAGE_SIZES, search.page_size])].sort((a, b) => a - b).map(String);

  return (
    <Table<ReportOut>
      className="studies-table reports-table"
      rowKey="report_id"
      size="small"
      tableLayout="fixed"
      columns={columns}
      dataSource={rows}
      loading={loading ? { delay: 200 } : false}
      components={components}
      locale={{ emptyText: empty }}
      onChange={onChange}
      onRow={(record) => ({
        className: record.report_id === openId ? 'study-row study-row-selected' : 'study-row',
        onClick: () => onOpen(record.report_id),
      })}
      pagination={{
        current: search.page,
        pageSize: search.page_size,
        total,
        showSizeChanger: true,
        pageSizeOptions,
        showQuickJumper: total > search.page_size * 5,
        showLessItems: true,
        placement: ['bottomEnd'],
      }}
    />
  );
}
