import { ClearOutlined, DownloadOutlined, DownOutlined, RightOutlined } from '@ant-design/icons';
import { Button, Empty, Select, Table, Typography, message as antMessage, type TableProps } from 'antd';
import { useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { DayRangePicker } from '@/components/DayRangePicker';
import { ErrorAlert } from '@/components/ErrorAlert';
import { useNamedTable } from '@/components/namedTable';
import { SearchBox } from '@/components/SearchBox';
import { DesktopSaveError, downloadFile } from '@/lib/download';
import { formatDateTimeFull, formatNumber } from '@/lib/format';
import { auditExportUrl, useAuditOptions, useAuditPage, type AuditEntryOut } from '../api/audit';
import {
  DEFAULT_AUDIT_SEARCH,
  PAGE_SIZES,
  auditSearchFromParams,
  hasAuditFilters,
  paramsFromAuditSearch,
  type AuditSearch,
} from '../auditSearch';
import '../audit.css';

const KNOWN_ACTIONS = ['import', 'export', 'analysis', 'backup', 'restore', 'token_reset', 'link', 'unlink', 'demo', 'database'] as const;
type KnownAction = (typeof KNOWN_ACTIONS)[number];

/** An action in the user's words; one the app does not know yet, as the server names it. */
export function useActionName(): (action: string) => string {
  const { t } = useTranslation();
  return (action) => ((KNOWN_ACTIONS as readonly string[]).includes(action) ? t(`audit.actions.${action as KnownAction}`) : action);
}

function useAuditSearchState() {
  const location = useLocation();
  const navigate = useNavigate();
  const search = useMemo(() => auditSearchFromParams(new URLSearchParams(location.search)), [location.search]);
  const go = useCallback(
    (next: AuditSearch) => {
      const text = paramsFromAuditSearch(next).toString();
      const target = `${location.pathname}${text ? `?${text}` : ''}`;
      if (target !== `${location.pathname}${location.search}`) navigate(target);
    },
    [location.pathname, location.search, navigate],
  );
  /** A change of anything but the page goes back to page 1. */
  const update = useCallback(
    (patch: Partial<AuditSearch>) => {
      const next = { ...search, ...patch };
      if (!('page' in patch)) next.page = 1;
      go(next);
    },
    [go, search],
  );
  const clear = useCallback(() => go({ ...DEFAULT_AUDIT_SEARCH, page_size: search.page_size }), [go, search.page_size]);
  return { search, update, clear };
}

const isPlain = (value: unknown) => value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** A detail's value as text: plain values as they are, a list as `a, b`, a map of
 *  those as `name: a, b; other: c` (the export's filters), anything deeper as JSON. */
export function detailText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (isPlain(value)) return String(value);
  if (Array.isArray(value) && value.every(isPlain)) return value.map(String).join(', ');
  if (typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.every(([, v]) => isPlain(v) || (Array.isArray(v) && v.every(isPlain)))) {
      return entries.length ? entries.map(([k, v]) => `${k}: ${detailText(v)}`).join('; ') : '—';
    }
  }
  return JSON.stringify(value);
}

/** An entry's details as a list of names and values (nested values as JSON). */
function Details({ entry }: { entry: AuditEntryOut }) {
  const { t } = useTranslation();
  const items = Object.entries(entry.details ?? {});
  if (items.length === 0) return <Typography.Text type="secondary">{t('audit.noDetails')}</Typography.Text>;
  return (
    <dl className="audit-details" aria-label={t('audit.detailsOf', { id: entry.id })}>
      {items.map(([name, value]) => (
        <div key={name} className="audit-detail">
          <dt>{name}</dt>
          <dd className={typeof value === 'object' && value !== null ? 'audit-structured' : undefined}>{detailText(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The Audit trail screen: every movement of patient data in or out, filtered, paged, exported. Never edited. */
export function AuditPage() {
  const { t, i18n } = useTranslation();
  const actionName = useActionName();
  const [message, messageHolder] = antMessage.useMessage();
  const { search, update, clear } = useAuditSearchState();
  const entries = useAuditPage(search);
  const options = useAuditOptions();
  const rows = entries.data?.data ?? [];
  const total = entries.data?.total ?? null;
  const filtered = hasAuditFilters(search);
  const components = useNamedTable(t('audit.tableLabel'));
  const onCommitQuery = useCallback((q: string) => update({ q }), [update]);

  // A value in the URL that the options lack stays choosable.
  const withCurrent = (values: string[] | undefined, current: string | null) =>
    current && !(values ?? []).includes(current) ? [...(values ?? []), current] : (values ?? []);

  const exportCsv = async () => {
    try {
      const outcome = await downloadFile(auditExportUrl(search), '');
      if (outcome.via === 'desktop' && outcome.saved) message.success(t('export.saved', { path: outcome.saved }));
    } catch (error) {
      if (error instanceof DesktopSaveError) {
        message.error(t('export.notSaved', { detail: error.message }), 12);
        return;
      }
      message.error(t('audit.exportFailed', { detail: error instanceof Error ? error.message : String(error) }));
    }
  };

  const columns: TableProps<AuditEntryOut>['columns'] = [
    { key: 'at', dataIndex: 'at', title: t('audit.columns.at'), width: 176, render: (v: string) => <span className="nowrap mono">{formatDateTimeFull(v).slice(0, 19)}</span> },
    { key: 'action', dataIndex: 'action', title: t('audit.columns.action'), width: 120, render: (v: string) => <span className={`audit-action audit-action-${v}`}>{actionName(v)}</span> },
    { key: 'user', dataIndex: 'user', title: t('audit.columns.user'), width: 160, ellipsis: true, render: (v: string) => <span title={v}>{v}</span> },
    { key: 'summary', dataIndex: 'summary', title: t('audit.columns.summary'), render: (v: string) => <span className="audit-summary">{v}</span> },
  ];

  const empty = entries.error ? (
    <span />
  ) : entries.isLoading ? (
    <div className="table-loading" aria-busy="true">
      {t('audit.loading')}
    </div>
  ) : (
    <Empty
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      description={
        <span className="empty-text">
          <strong>{filtered ? t('audit.emptyFilteredTitle') : t('audit.emptyTitle')}</strong>
          <br />
          {filtered ? t('audit.emptyFilteredText') : t('audit.emptyText')}
        </span>
      }
    >
      {filtered ? (
        <Button type="primary" onClick={clear}>
          {t('filters.clear')}
        </Button>
      ) : null}
    </Empty>
  );

  return (
    <section className="audit-page" aria-labelledby="audit-title">
      {messageHolder}
      <header className="audit-header">
        <h1 id="audit-title" className="page-title">
          {t('audit.title')}
        </h1>
        <Typography.Text type="secondary" className="audit-note">
          {t('audit.note')}
        </Typography.Text>
      </header>
      <div className="studies-toolbar audit-toolbar" role="group" aria-label={t('audit.filtersLabel')}>
        <SearchBox
          className="studies-search audit-search"
          label={t('audit.searchLabel')}
          placeholder={t('audit.searchPlaceholder')}
          value={search.q}
          onCommit={onCommitQuery}
        />
        <Select
          className="filter-select audit-filter-action"
          aria-label={t('audit.action')}
          placeholder={t('audit.action')}
          allowClear
          value={search.action ?? undefined}
          onChange={(next?: string) => update({ action: next ?? null })}
          popupMatchSelectWidth={false}
          options={withCurrent(options.data?.actions, search.action).map((value) => ({ value, label: actionName(value) }))}
        />
        <Select
          className="filter-select audit-filter-user"
          aria-label={t('audit.user')}
          placeholder={t('audit.user')}
          allowClear
          showSearch
          value={search.user ?? undefined}
          onChange={(next?: string) => update({ user: next ?? null })}
          popupMatchSelectWidth={false}
          options={withCurrent(options.data?.users, search.user).map((value) => ({ value, label: value }))}
        />
        <DayRangePicker
          label={t('audit.dates')}
          from={search.since}
          to={search.until}
          onChange={(since, until) => update({ since, until })}
        />
        <Button icon={<ClearOutlined aria-hidden />} onClick={clear} disabled={!filtered}>
          {t('filters.clear')}
        </Button>
        <span className="toolbar-spacer" />
        <Button icon={<DownloadOutlined aria-hidden />} onClick={() => void exportCsv()} disabled={total === 0} title={t('audit.exportLabel')}>
          {t('audit.exportCsv')}
        </Button>
      </div>
      <div className="studies-summary">
        <Typography.Text strong className="studies-total" role="status" aria-live="polite">
          {total !== null ? t('audit.total', { count: total, total: formatNumber(total, i18n.language) }) : '\u00a0'}
        </Typography.Text>
      </div>
      {entries.error ? <ErrorAlert error={entries.error} title={t('audit.errorTitle')} onRetry={() => void entries.refetch()} /> : null}
      {options.error ? <ErrorAlert error={options.error} title={t('audit.optionsErrorTitle')} onRetry={() => void options.refetch()} /> : null}
      <Table<AuditEntryOut>
        className="studies-table audit-table"
        rowKey="id"
        size="small"
        tableLayout="fixed"
        columns={columns}
        dataSource={rows}
        components={components}
        loading={entries.isFetching && !entries.isLoading ? { delay: 200 } : false}
        locale={{ emptyText: empty }}
        expandable={{
          expandedRowRender: (entry) => <Details entry={entry} />,
          expandIcon: ({ expanded, onExpand, record }) => (
            <Button
              type="text"
              size="small"
              className="audit-expand"
              aria-expanded={expanded}
              aria-label={expanded ? t('audit.hideDetails', { id: record.id }) : t('audit.showDetails', { id: record.id })}
              icon={expanded ? <DownOutlined aria-hidden /> : <RightOutlined aria-hidden />}
              onClick={(event) => onExpand(record, event)}
            />
          ),
        }}
        onChange={(pagination, _filters, _sorter, extra) => {
          if (extra.action !== 'paginate') return;
          const pageSize = pagination.pageSize ?? search.page_size;
          if (pageSize !== search.page_size) update({ page_size: pageSize });
          else update({ page: pagination.current ?? 1 });
        }}
        pagination={{
          current: search.page,
          pageSize: search.page_size,
          total: total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [...new Set([...PAGE_SIZES, search.page_size])].sort((a, b) => a - b).map(String),
          showLessItems: true,
          placement: ['bottomEnd'],
        }}
      />
    </section>
  );
}
