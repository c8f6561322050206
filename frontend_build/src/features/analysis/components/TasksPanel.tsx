import { DeleteOutlined, EyeOutlined, StopOutlined } from '@ant-design/icons';
import { Button, Empty, Modal, Progress, Select, Table, Tag, Tooltip, Typography, message as antMessage } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { ErrorAlert, useErrorText } from '@/components/ErrorAlert';
import { useNamedTable } from '@/components/namedTable';
import type { AnalysisStatus, AnalysisTaskListItem } from '@/lib/api-types';
import { formatDateTime, formatNumber } from '@/lib/format';
import { studyHref } from '@/lib/links';
import { TASKS_PAGE_SIZE, isLive, useDeleteTask, useTaskStatistics, useTasks } from '../api/tasks';
import { taskSummary, typeName } from '../taskSummary';
import { TaskDrawer } from './TaskDrawer';
import { STATUS_COLORS } from './taskParts';

const STATUSES: AnalysisStatus[] = ['pending', 'running', 'completed', 'failed'];

function TaskStatistics({ live }: { live: boolean }) {
  const { t, i18n } = useTranslation();
  const statistics = useTaskStatistics(live);
  const data = statistics.data;
  const n = (value: number | undefined) => (value === undefined ? '–' : formatNumber(value, i18n.language));
  const items: [string, string][] = [
    [t('tasks.total'), n(data?.total_tasks)],
    [t('tasks.completed'), n(data?.completed_tasks)],
    [t('tasks.running'), n(data?.running_tasks)],
    [t('tasks.failed'), n(data?.failed_tasks)],
    [
      t('tasks.averageDuration'),
      data?.average_duration_seconds === null || data === undefined
        ? '–'
        : t('tasks.seconds', { value: formatNumber(data.average_duration_seconds, i18n.language, { maximumFractionDigits: 1 }) }),
    ],
    [
      t('tasks.successRate'),
      data?.success_rate === null || data === undefined ? '–' : formatNumber(data.success_rate, i18n.language, { style: 'percent', maximumFractionDigits: 1 }),
    ],
  ];
  return (
    <section aria-label={t('tasks.statisticsLabel')} className="task-statistics">
      {statistics.error ? <ErrorAlert error={statistics.error} onRetry={() => void statistics.refetch()} /> : null}
      <dl className="task-stats">
        {items.map(([label, value]) => (
          <div key={label} className="task-stat">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** The analysis tasks: their live progress and results; cancel or delete one (after a confirmation); the task statistics. */
export function TasksPanel() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const describe = useErrorText();
  const [status, setStatus] = useState<AnalysisStatus | null>(null);
  const [page, setPage] = useState(1);
  const [openId, setOpenId] = useState<number | null>(null);
  const tasks = useTasks(status, page);
  const remove = useDeleteTask();
  const [modal, modalHolder] = Modal.useModal();
  const [message, messageHolder] = antMessage.useMessage();
  const rows = useMemo(() => tasks.data?.data ?? [], [tasks.data]);
  const total = tasks.data?.total ?? null;
  const live = rows.some(isLive);
  const components = useNamedTable(t('tasks.tableLabel'));
  const open = rows.find((row) => row.task_id === openId) ?? null;

  // A page emptied by deletions goes back one.
  useEffect(() => {
    if (tasks.data && tasks.data.data.length === 0 && page > 1 && !tasks.isPlaceholderData) setPage((p) => Math.max(1, p - 1));
  }, [tasks.data, tasks.isPlaceholderData, page]);

  const confirmDelete = (task: AnalysisTaskListItem) => {
    const stopping = isLive(task);
    void modal.confirm({
      title: stopping ? t('tasks.confirmStopTitle', { id: task.task_id }) : t('tasks.confirmDeleteTitle', { id: task.task_id }),
      content: stopping ? t('tasks.confirmStopText') : t('tasks.confirmDeleteText'),
      okText: stopping ? t('tasks.stopOk') : t('tasks.deleteOk'),
      okButtonProps: { danger: true },
      cancelText: t('tasks.keep'),
      onOk: () =>
        remove.mutateAsync(task.task_id).then(
          () => {
            if (openId === task.task_id) setOpenId(null);
            void message.success(t('tasks.deleted', { id: task.task_id }));
          },
          (error: unknown) => void message.error(t('tasks.deleteFailed', { id: task.task_id, detail: describe(error).detail })),
        ),
    });
  };

  const empty = tasks.error ? (
    <span />
  ) : tasks.isLoading ? (
    <div className="table-loading" aria-busy="true">
      {t('tasks.loading')}
    </div>
  ) : status !== null ? (
    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tasks.emptyFiltered')} />
  ) : (
    <Empty
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      description={
        <span className="empty-text">
          <strong>{t('tasks.emptyTitle')}</strong>
          <br />
          {t('tasks.emptyText')}
        </span>
      }
    >
      <Button onClick={() => navigate('/studies')}>{t('tasks.goToStudies')}</Button>
    </Empty>
  );

  return (
    <section className="panel tasks-panel" aria-labelledby="tasks-title">
      {modalHolder}
      {messageHolder}
      <header className="panel-header">
        <h2 id="tasks-title" className="section-title">
          {t('tasks.title')}
        </h2>
        {live ? (
          <Tag color="processing" className="live-tag">
            {t('tasks.live')}
          </Tag>
        ) : null}
      </header>
      <TaskStatistics live={live} />
      <div className="tasks-toolbar">
        <Select<AnalysisStatus>
          className="tasks-status"
          aria-label={t('tasks.statusFilter')}
          placeholder={t('tasks.allStatuses')}
          allowClear
          value={status ?? undefined}
          onChange={(value?: AnalysisStatus) => {
            setStatus(value ?? null);
            setPage(1);
          }}
          options={(tasks.data?.filters.statuses ?? STATUSES).map((value) => ({ value, label: t(`analysis.status.${value}`) }))}
        />
        <Typography.Text type="secondary" role="status" aria-live="polite">
          {total !== null ? t('tasks.count', { count: total, total: formatNumber(total, i18n.language) }) : '\u00a0'}
        </Typography.Text>
      </div>
      {tasks.error ? <ErrorAlert error={tasks.error} title={t('tasks.errorTitle')} onRetry={() => void tasks.refetch()} /> : null}
      <Table<AnalysisTaskListItem>
        className="studies-table tasks-table"
        size="small"
        tableLayout="fixed"
        components={components}
        rowKey="task_id"
        dataSource={rows}
        locale={{ emptyText: empty }}
        onRow={(row) => ({ className: row.task_id === openId ? 'study-row study-row-selected' : 'study-row', onClick: () => setOpenId(row.task_id) })}
        columns={[
          {
            key: 'task',
            title: t('tasks.columns.task'),
            render: (_: unknown, row) => (
              <div className="task-cell">
                <div className="task-name">
                  <span className="task-id">#{row.task_id}</span> {typeName(t, row.analysis_type)}
                </div>
                <div className="task-meta">
                  <Link to={studyHref(row.exam_id)} className="mono" onClick={(event) => event.stopPropagation()} aria-label={t('tasks.openStudy', { examId: row.exam_id })}>
                    {row.exam_id}
                  </Link>
                  {row.patient_name ? <span> · {row.patient_name}</span> : null}
                </div>
                <div className="task-meta nowrap">{formatDateTime(row.created_at)}</div>
              </div>
            ),
          },
          {
            key: 'status',
            title: t('tasks.columns.status'),
            width: 170,
            render: (_: unknown, row) => {
              const summary = taskSummary(t, row, i18n.language);
              return (
                <div className="task-status">
                  <Tag color={STATUS_COLORS[row.status]}>{t(`analysis.status.${row.status}`)}</Tag>
                  {isLive(row) ? (
                    <Progress
                      size="small"
                      percent={row.progress}
                      status="active"
                      aria-label={t('analysis.taskTitle', { type: typeName(t, row.analysis_type), id: row.task_id })}
                    />
                  ) : summary ? (
                    <div className={row.status === 'failed' ? 'task-summary task-summary-failed' : 'task-summary'}>{summary}</div>
                  ) : null}
                </div>
              );
            },
          },
          {
            key: 'actions',
            title: <span className="visually-hidden">{t('tasks.columns.actions')}</span>,
            width: 76,
            render: (_: unknown, row) => (
              <div className="task-actions">
                <Tooltip title={t('tasks.show', { id: row.task_id })}>
                  <Button
                    size="small"
                    type="text"
                    icon={<EyeOutlined aria-hidden />}
                    aria-label={t('tasks.show', { id: row.task_id })}
                    onClick={(event) => {
                      event.stopPropagation();
                      setOpenId(row.task_id);
                    }}
                  />
                </Tooltip>
                <Tooltip title={isLive(row) ? t('tasks.stop', { id: row.task_id }) : t('tasks.remove', { id: row.task_id })}>
                  <Button
                    size="small"
                    type="text"
                    danger
                    icon={isLive(row) ? <StopOutlined aria-hidden /> : <DeleteOutlined aria-hidden />}
                    aria-label={isLive(row) ? t('tasks.stop', { id: row.task_id }) : t('tasks.remove', { id: row.task_id })}
                    onClick={(event) => {
                      event.stopPropagation();
                      confirmDelete(row);
                    }}
                  />
                </Tooltip>
              </div>
            ),
          },
        ]}
        pagination={
          (total ?? 0) > TASKS_PAGE_SIZE
            ? { current: page, pageSize: TASKS_PAGE_SIZE, total: total ?? 0, onChange: setPage, showSizeChanger: false, size: 'small', placement: ['bottomEnd'] }
            : false
        }
      />
      <TaskDrawer task={open} onClose={() => setOpenId(null)} />
    </section>
  );
}
