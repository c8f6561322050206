import { CloudUploadOutlined, FolderOpenOutlined } from '@ant-design/icons';
import { Alert, Button, Empty, Progress, Table, Tag, Typography, type TableProps } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { ErrorAlert, useErrorText } from '@/components/ErrorAlert';
import { useNamedTable } from '@/components/namedTable';
import { formatDateTimeFull, formatNumber } from '@/lib/format';
import { integerParam } from '@/lib/studyFilters';
import { isBackupJobFinished, useBackupJob, useBackups, useStartBackup, type BackupInfoOut } from '../api/backups';
import '../backups.css';

const KINDS = ['manual', 'daily', 'after-import', 'before-restore'] as const;
type Kind = (typeof KINDS)[number];

/** `1536` -> `1.5 KB`, `734003200` -> `700 MB` (powers of 1024, one decimal). */
export function formatBytes(bytes: number, language = 'en'): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${formatNumber(value, language, { maximumFractionDigits: unit === 0 ? 0 : 1 })} ${units[unit]}`;
}

function useKindName(): (kind: string) => string {
  const { t } = useTranslation();
  return (kind) => ((KINDS as readonly string[]).includes(kind) ? t(`backups.kinds.${kind as Kind}`) : kind);
}

/** The window's "Open backups folder", when the page runs in the desktop window (its bridge). */
function useOpenFolder(): (() => Promise<string | null>) | null {
  const find = () => {
    const open = typeof window === 'undefined' ? undefined : window.pywebview?.api?.open_backups_folder;
    return typeof open === 'function' ? open : null;
  };
  const [open, setOpen] = useState(() => find());
  useEffect(() => {
    const check = () => setOpen(() => find());
    check();
    window.addEventListener('pywebviewready', check);
    return () => window.removeEventListener('pywebviewready', check);
  }, []);
  return open;
}

/** A backup job started here: its progress bar, then what came of it, in words. */
function BackupJob({ jobId }: { jobId: number }) {
  const { t, i18n } = useTranslation();
  const job = useBackupJob(jobId);
  const data = job.data;
  if (job.error && !data) return <ErrorAlert error={job.error} title={t('backups.jobErrorTitle')} onRetry={() => void job.refetch()} />;
  const finished = isBackupJobFinished(data);
  const percent = data?.status === 'done' ? 100 : Math.max(0, Math.min(99, Math.round(data?.progress ?? 0)));
  const status = data?.status === 'failed' ? 'exception' : data?.status === 'done' ? 'success' : 'active';
  const n = (value: number | null) => (value === null ? t('common.none') : formatNumber(value, i18n.language));
  return (
    <div className="backup-job" aria-busy={!finished || undefined}>
      {/* Once it has ended, what came of it says all: the bar goes. */}
      {!finished ? <Progress percent={percent} status={status} aria-label={t('backups.progress')} /> : null}
      {data?.status === 'done' && data.backup ? (
        <Alert
          type="success"
          showIcon
          role="status"
          title={t('backups.done', { name: data.backup.name })}
          description={t('backups.doneText', {
            studies: n(data.backup.studies),
            reports: n(data.backup.reports),
            size: formatBytes(data.backup.size_bytes, i18n.language),
            path: data.backup.path,
          })}
        />
      ) : null}
      {data?.status === 'failed' ? (
        <Alert type="error" showIcon role="alert" title={t('backups.failedTitle')} description={<span className="error-detail">{data.error}</span>} />
      ) : null}
      {!finished ? (
        <Typography.Text type="secondary" aria-live="polite">
          {t('backups.running')}
        </Typography.Text>
      ) : null}
    </div>
  );
}

/** The Backups screen: the folder, every backup with its counts, and one taken now. */
export function BackupsPage() {
  const { t, i18n } = useTranslation();
  const describe = useErrorText();
  const kindName = useKindName();
  const backups = useBackups();
  const start = useStartBackup();
  const openFolder = useOpenFolder();
  // The window's File > Back up now… opens this screen at ?job=N to show its job.
  const location = useLocation();
  const [jobId, setJobId] = useState<number | null>(() => integerParam(new URLSearchParams(location.search).get('job'), 1, 2 ** 31));
  const [folderError, setFolderError] = useState<string | null>(null);
  const job = useBackupJob(jobId);
  const running = start.isPending || (jobId !== null && !isBackupJobFinished(job.data) && !job.error);
  const components = useNamedTable(t('backups.tableLabel'));
  // A PostgreSQL dump has no counts to show.
  const count = (value: number | null) => (value === null ? <span className="null-value">{t('common.none')}</span> : formatNumber(value, i18n.language));
  const rows = backups.data?.backups ?? [];

  const backUpNow = () => {
    if (running) return;
    start.mutate(undefined, { onSuccess: ({ job_id }) => setJobId(job_id) });
  };
  const open = async () => {
    setFolderError(null);
    try {
      await openFolder?.();
    } catch (error) {
      setFolderError(error instanceof Error ? error.message : String(error));
    }
  };

  const columns: TableProps<BackupInfoOut>['columns'] = [
    { key: 'created_at', dataIndex: 'created_at', title: t('backups.columns.created_at'), width: 176, render: (v: string) => <span className="nowrap mono">{formatDateTimeFull(v).slice(0, 19)}</span> },
    { key: 'kind', dataIndex: 'kind', title: t('backups.columns.kind'), width: 140, render: kindName },
    { key: 'name', dataIndex: 'name', title: t('backups.columns.name'), ellipsis: true, render: (v: string, row) => <span className="mono" title={row.path}>{v}</span> },
    { key: 'size_bytes', dataIndex: 'size_bytes', title: t('backups.columns.size'), width: 100, align: 'right', render: (v: number) => formatBytes(v, i18n.language) },
    { key: 'studies', dataIndex: 'studies', title: t('backups.columns.studies'), width: 100, align: 'right', render: count },
    { key: 'reports', dataIndex: 'reports', title: t('backups.columns.reports'), width: 100, align: 'right', render: count },
    {
      key: 'verified',
      dataIndex: 'verified',
      title: t('backups.columns.verified'),
      width: 200,
      render: (verified: boolean, row) =>
        verified ? (
          <Tag color="green">{t('backups.verified')}</Tag>
        ) : (
          <span className="backup-unverified">
            <Tag color="red">{t('backups.notVerified')}</Tag>
            {row.integrity && row.integrity !== 'ok' ? <Typography.Text type="danger">{row.integrity}</Typography.Text> : null}
          </span>
        ),
    },
  ];

  return (
    <section className="backups-page" aria-labelledby="backups-title">
      <h1 id="backups-title" className="page-title">
        {t('backups.title')}
      </h1>
      <section className="panel backups-now" aria-labelledby="backups-folder-title">
        <div className="backups-folder">
          <h2 id="backups-folder-title" className="panel-title">
            {t('backups.folder')}
          </h2>
          <code className="backups-folder-path">{backups.data?.folder ?? '\u00a0'}</code>
          <Typography.Paragraph type="secondary" className="backups-note">
            {t('backups.note')}
          </Typography.Paragraph>
        </div>
        <div className="backups-actions">
          {/* Loading, not disabled, while it runs: a disabled button would drop the keyboard's focus. */}
          <Button type="primary" icon={<CloudUploadOutlined aria-hidden />} onClick={backUpNow} loading={running} aria-busy={running || undefined}>
            {t('backups.backUpNow')}
          </Button>
          {openFolder ? (
            <Button icon={<FolderOpenOutlined aria-hidden />} onClick={() => void open()}>
              {t('backups.openFolder')}
            </Button>
          ) : null}
        </div>
        {start.error ? (
          <Alert type="error" showIcon role="alert" title={t('backups.startFailed')} description={<span className="error-detail">{describe(start.error).detail}</span>} />
        ) : null}
        {folderError ? <Alert type="error" showIcon role="alert" title={t('backups.openFailed', { detail: folderError })} /> : null}
        {jobId !== null ? <BackupJob key={jobId} jobId={jobId} /> : null}
      </section>
      <section className="panel backups-list" aria-labelledby="backups-list-title">
        <h2 id="backups-list-title" className="panel-title">
          {t('backups.listTitle')}
        </h2>
        {backups.error ? <ErrorAlert error={backups.error} title={t('backups.errorTitle')} onRetry={() => void backups.refetch()} /> : null}
        <Table<BackupInfoOut>
          className="studies-table backups-table"
          rowKey="path"
          size="small"
          tableLayout="fixed"
          columns={columns}
          dataSource={rows}
          components={components}
          loading={backups.isFetching && !backups.data ? { delay: 200 } : false}
          pagination={rows.length > 20 ? { pageSize: 20, showSizeChanger: false, placement: ['bottomEnd'] } : false}
          locale={{
            emptyText: backups.isLoading ? (
              t('common.loading')
            ) : backups.error ? (
              ' '
            ) : (
              <Empty
                image={Empty.PRESENTED_IMAGE_SIMPLE}
                description={
                  <span className="empty-text">
                    <strong>{t('backups.emptyTitle')}</strong>
                    <br />
                    {t('backups.emptyText')}
                  </span>
                }
              />
            ),
          }}
        />
      </section>
    </section>
  );
}
