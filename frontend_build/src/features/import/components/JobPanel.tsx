import { CloseOutlined, StopOutlined } from '@ant-design/icons';
import { Alert, Button, Typography } from 'antd';
import type { UseQueryResult } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ErrorAlert, useErrorText } from '@/components/ErrorAlert';
import { ImportJobProgress } from '@/components/import-job/ImportJobProgress';
import { isJobFinished } from '@/components/import-job/useImportJob';
import type { ImportJobOut } from '@/lib/api-types';
import { formatNumber } from '@/lib/format';
import { useCancelJob, type JobKind } from '../api/import';
import { QuarantinedRows } from './QuarantinedRows';
import { Reconciliation } from './Reconciliation';

interface Props {
  jobId: number;
  kind: JobKind;
  path: string | null;
  job: UseQueryResult<ImportJobOut>;
  onClose: () => void;
}

/** One import job: its progress bar and Cancel while it runs, then its outcome, reconciliation and quarantined rows. */
export function JobPanel({ jobId, kind, path, job, onClose }: Props) {
  const { t, i18n } = useTranslation();
  const describe = useErrorText();
  const cancel = useCancelJob(jobId);
  const data = job.data;
  const active = data !== undefined && !isJobFinished(data);
  const title = kind === 'sync' ? t('importPage.job.titleSync', { id: jobId }) : t('importPage.job.title', { id: jobId });
  const report = data?.state === 'done' ? data.report : null;

  return (
    <section className="panel import-job" aria-labelledby="import-job-title" aria-busy={active || undefined}>
      <header className="panel-header">
        <div className="import-job-heading">
          <h2 id="import-job-title" className="panel-title">
            {title}
          </h2>
          {path ? <span className="mono import-job-path" title={path}>{path}</span> : null}
        </div>
        <div className="import-job-actions">
          {active ? (
            <Button danger icon={<StopOutlined aria-hidden />} onClick={() => cancel.mutate()} loading={cancel.isPending}>
              {t('importPage.job.cancel')}
            </Button>
          ) : null}
          {!active ? (
            <Button type="text" icon={<CloseOutlined aria-hidden />} aria-label={t('importPage.job.close')} title={t('importPage.job.close')} onClick={onClose} />
          ) : null}
        </div>
      </header>
      {job.error && !data ? (
        <ErrorAlert error={job.error} title={t('importPage.job.errorTitle', { id: jobId })} onRetry={() => void job.refetch()} />
      ) : (
        <ImportJobProgress job={data} />
      )}
      {cancel.error ? <Alert type="error" showIcon role="alert" title={t('importPage.job.cancelFailed', { detail: describe(cancel.error).detail })} /> : null}
      {data?.state === 'failed' ? (
        <Alert type="error" showIcon role="alert" title={t('importPage.job.failedTitle')} description={<span className="error-detail">{data.error}</span>} />
      ) : null}
      {data?.state === 'cancelled' ? (
        <Alert type="warning" showIcon title={t('importPage.job.cancelledTitle')} description={<span className="error-detail">{data.error}</span>} />
      ) : null}
      {data?.state === 'done' ? (
        <Alert
          type="success"
          showIcon
          title={
            report ? t('importPage.job.done', { seconds: formatNumber(report.duration_s, i18n.language, { maximumFractionDigits: 1 }) }) : t('importPage.job.doneNoReport')
          }
        />
      ) : null}
      {report ? (
        <div className="import-result">
          <section aria-labelledby="import-reconciliation-title">
            <h3 id="import-reconciliation-title" className="detail-heading">
              {t('importPage.reconciliation.title')}
            </h3>
            <Reconciliation report={report} />
          </section>
          <QuarantinedRows jobId={jobId} total={report.quarantined + (report.reports?.quarantined ?? 0)} />
        </div>
      ) : null}
      {job.isLoading ? <Typography.Text type="secondary">{t('importPage.job.loading', { id: jobId })}</Typography.Text> : null}
    </section>
  );
}
