import { Progress, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ImportJobOut } from '@/lib/api-types';
import { formatNumber } from '@/lib/format';

/** An import job's progress bar, with its phase and rows. */
export function ImportJobProgress({ job, label }: { job: ImportJobOut | undefined; label?: string }) {
  const { t, i18n } = useTranslation();
  const total = job?.rows_total ?? null;
  const done = job?.rows_done ?? 0;
  const finished = job?.state === 'done';
  const percent = finished ? 100 : total ? Math.min(99, Math.floor((done / total) * 100)) : 0;
  const status = job?.state === 'failed' || job?.state === 'cancelled' ? 'exception' : finished ? 'success' : 'active';
  const phase = job ? t(`importJob.phase.${job.phase}`) : t('importJob.phase.queued');
  const rows =
    total !== null
      ? t('importJob.rows', { done: formatNumber(done, i18n.language), total: formatNumber(total, i18n.language) })
      : t('importJob.rowsUnknown', { done: formatNumber(done, i18n.language) });
  return (
    <div className="import-job-progress">
      <Progress
        percent={percent}
        status={status}
        aria-label={label ?? t('importJob.progress')}
        aria-valuetext={`${phase}, ${rows}`}
      />
      <Typography.Text type="secondary" aria-live="polite">
        {phase} · {rows}
      </Typography.Text>
    </div>
  );
}
