import { Descriptions, Drawer, Progress, Tag } from 'antd';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { AnalysisResult } from '@/components/analysis/AnalysisResult';
import type { AnalysisTaskListItem } from '@/lib/api-types';
import { formatDateTimeFull, formatNumber } from '@/lib/format';
import { studyHref } from '@/lib/links';
import { isLive } from '../api/tasks';
import { typeName } from '../taskSummary';
import { STATUS_COLORS } from './taskParts';

/** Milliseconds of a naive local time on one clock (read as UTC, so no zone or DST shifts it). */
function clock(value: string): number {
  return Date.parse(`${value.slice(0, 23)}Z`);
}

/** Seconds from one naive local time to another. */
function seconds(from: string, to: string | null): number | null {
  if (!to) return null;
  const a = clock(from);
  const b = clock(to);
  return Number.isFinite(a) && Number.isFinite(b) ? Math.max(0, (b - a) / 1000) : null;
}

/** A task in full: what it ran on, when, and its result readably. */
export function TaskDrawer({ task, onClose }: { task: AnalysisTaskListItem | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const titleId = useId();
  const took = task ? seconds(task.created_at, task.completed_at) : null;
  return (
    <Drawer
      aria-labelledby={titleId}
      open={task !== null}
      onClose={onClose}
      size={680}
      destroyOnHidden
      className="task-drawer"
      title={task ? <span id={titleId}>{t('tasks.dialogTitle', { id: task.task_id, type: typeName(t, task.analysis_type) })}</span> : null}
      closable={{ 'aria-label': t('common.close') }}
    >
      {task ? (
        <div className="detail-body">
          <Descriptions
            size="small"
            bordered
            column={2}
            items={[
              {
                key: 'study',
                label: t('tasks.columns.study'),
                children: (
                  <Link to={studyHref(task.exam_id)} className="mono">
                    {task.exam_id}
                  </Link>
                ),
              },
              { key: 'patient', label: t('tasks.patient'), children: task.patient_name ?? t('common.none') },
              { key: 'status', label: t('tasks.columns.status'), children: <Tag color={STATUS_COLORS[task.status]}>{t(`analysis.status.${task.status}`)}</Tag> },
              { key: 'took', label: t('tasks.took'), children: took === null ? t('common.none') : t('tasks.seconds', { value: formatNumber(took, i18n.language, { maximumFractionDigits: 1 }) }) },
              { key: 'created', label: t('tasks.created'), children: formatDateTimeFull(task.created_at) },
              { key: 'finished', label: t('tasks.finished'), children: task.completed_at ? formatDateTimeFull(task.completed_at) : t('common.none') },
            ]}
          />
          <div className="task-result">
            {isLive(task) ? (
              <Progress percent={task.progress} status="active" aria-label={t('analysis.taskTitle', { type: typeName(t, task.analysis_type), id: task.task_id })} />
            ) : (
              <AnalysisResult analysisType={task.analysis_type} results={task.results} />
            )}
          </div>
        </div>
      ) : null}
    </Drawer>
  );
}
