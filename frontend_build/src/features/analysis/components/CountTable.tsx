import { Table } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNamedTable } from '@/components/namedTable';
import { formatNumber } from '@/lib/format';

export interface CountRow {
  key: string;
  label: string;
  count: number;
  /** A row that is not a value of its own ("All other items", "(none)"). */
  muted?: boolean;
}

/** Counts as a table named `name`: the value, its studies and its share of `total`. */
export function CountTable({ name, valueTitle, rows, total, maxHeight }: { name: string; valueTitle: string; rows: CountRow[]; total: number; maxHeight?: number }) {
  const { t, i18n } = useTranslation();
  const components = useNamedTable(name);
  const share = (count: number) => (total > 0 ? formatNumber(count / total, i18n.language, { style: 'percent', maximumFractionDigits: 1 }) : '–');
  const table = (
    <Table<CountRow>
      className="count-table"
      size="small"
      components={components}
      pagination={false}
      rowKey="key"
      dataSource={rows}
      locale={{ emptyText: t('dashboard.emptyTitle') }}
      columns={[
        {
          key: 'label',
          title: valueTitle,
          dataIndex: 'label',
          ellipsis: true,
          render: (label: string, row) => (row.muted ? <span className="null-value-text">{label}</span> : <span title={label}>{label}</span>),
        },
        { key: 'count', title: t('dashboard.count'), dataIndex: 'count', align: 'right', width: 86, render: (v: number) => formatNumber(v, i18n.language) },
        { key: 'share', title: t('dashboard.share'), dataIndex: 'count', align: 'right', width: 72, render: share },
      ]}
    />
  );
  return maxHeight ? (
    // Scrolls by itself: focusable, so that the keyboard can scroll it too.
    <div className="table-scroll" style={{ maxHeight }} tabIndex={0} role="group" aria-label={name}>
      {table}
    </div>
  ) : (
    table
  );
}
