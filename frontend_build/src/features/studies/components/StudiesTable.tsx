import { Table, type TableColumnsType, type TableProps } from 'antd';
import type { SortOrder } from 'antd/es/table/interface';
import { useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Highlight } from '@/components/Highlight';
import { useNamedTable } from '@/components/namedTable';
import { StatusTag } from '@/components/StatusTag';
import type { StudyField, StudyOut } from '@/lib/api-types';
import { formatDateTime } from '@/lib/format';
import { PAGE_SIZES, type Sort, type StudySearch } from '../searchState';

interface Props {
  rows: StudyOut[];
  total: number;
  search: StudySearch;
  columns: StudyField[];
  loading: boolean;
  selectedIndex: number;
  empty: ReactNode;
  onSelect: (index: number) => void;
  onOpen: (examId: string) => void;
  onPage: (page: number, pageSize: number) => void;
  onSort: (sort: Sort) => void;
}

function sortOrderOf(column: StudyField, sort: Sort): SortOrder {
  if (column === 'order_datetime') return sort === 'order_datetime_desc' ? 'descend' : sort === 'order_datetime_asc' ? 'ascend' : null;
  if (column === 'patient_name') return sort === 'patient_name_asc' ? 'ascend' : null;
  return null;
}

export function StudiesTable({ rows, total, search, columns, loading, selectedIndex, empty, onSelect, onOpen, onPage, onSort }: Props) {
  const { t } = useTranslation();
  const q = search.q;

  const definitions = useMemo<TableColumnsType<StudyOut>>(() => {
    const text = (value: string | null) => (value === null ? <span className="null-value">{t('common.none')}</span> : value);
    const all: Record<StudyField, TableColumnsType<StudyOut>[number]> = {
      exam_id: { width: 128, render: (v: string) => <span className="mono"><Highlight text={v} query={q} /></span> },
      patient_name: {
        width: 170,
        ellipsis: true,
        sorter: true,
        sortDirections: ['ascend'],
        render: (v: string | null) => (v === null ? text(v) : <span title={v}><Highlight text={v} query={q} /></span>),
      },
      patient_gender: { width: 72, render: text },
      patient_age: { width: 58, align: 'right', render: (v: number | null) => (v === null ? text(null) : v) },
      exam_status: { width: 112, render: (v: string | null) => (v === null ? text(v) : <StatusTag value={v} />) },
      exam_source: { width: 84, render: text },
      exam_item: {
        ellipsis: true,
        render: (v: string | null) => (v === null ? text(v) : <span title={v}><Highlight text={v} query={q} /></span>),
      },
      order_datetime: {
        width: 142,
        sorter: true,
        sortDirections: ['descend', 'ascend'],
        render: (v: string) => <span className="nowrap">{formatDateTime(v)}</span>,
      },
      check_in_datetime: { width: 142, render: (v: string | null) => (v === null ? text(v) : <span className="nowrap">{formatDateTime(v)}</span>) },
      report_certification_datetime: {
        width: 150,
        render: (v: string | null) => (v === null ? text(v) : <span className="nowrap">{formatDateTime(v)}</span>),
      },
    };
    return columns.map((name) => ({
      key: name,
      dataIndex: name,
      title: t(`columns.${name}`),
      sortOrder: sortOrderOf(name, search.sort),
      ...all[name],
    }));
  }, [columns, q, search.sort, t]);

  const onChange: TableProps<StudyOut>['onChange'] = (pagination, _filters, sorter, extra) => {
    if (extra.action === 'paginate') {
      onPage(pagination.current ?? 1, pagination.pageSize ?? search.page_size);
    } else if (extra.action === 'sort') {
      const one = Array.isArray(sorter) ? sorter[0] : sorter;
      if (one?.columnKey === 'order_datetime' && one.order === 'ascend') onSort('order_datetime_asc');
      else if (one?.columnKey === 'patient_name' && one.order === 'ascend') onSort('patient_name_asc');
      else onSort('order_datetime_desc');
    }
  };

  // The table element itself is named, so that it can be found as "Studies".
  const components = useNamedTable(t('studies.tableLabel'));
  const pageSizeOptions = [...new Set([...PAGE_SIZES, search.page_size])].sort((a, b) => a - b).map(String);

  return (
    <Table<StudyOut>
      className="studies-table"
      rowKey="exam_id"
      size="small"
      columns={definitions}
      dataSource={rows}
      loading={loading ? { delay: 200 } : false}
      showSorterTooltip={false}
      components={components}
      locale={{ emptyText: empty }}
      onChange={onChange}
      onRow={(record, index) => ({
        className: index === selectedIndex ? 'study-row study-row-selected' : 'study-row',
        'aria-selected': index === selectedIndex,
        onClick: () => {
          if (index !== undefined) onSelect(index);
          onOpen(record.exam_id);
        },
      })}
      pagination={{
        current: search.page,
        pageSize: search.page_size,
        total,
        showSizeChanger: true,
        pageSizeOptions,
        showQuickJumper: total > search.page_size * 5,
        showLessItems: true,
        hideOnSinglePage: false,
        placement: ['bottomEnd'],
      }}
    />
  );
}
