import { ExperimentOutlined } from '@ant-design/icons';
import { Alert, Button, Progress, Select, Space, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AnalysisResult } from '@/components/analysis/AnalysisResult';
import { ErrorAlert, useErrorText } from '@/components/ErrorAlert';
import type { AnalysisStatus } from '@/lib/api-types';
import { useAnalysisOptions, useAnalysisTask, useStartAnalysis } from '../api/analysis';

const KNOWN_TYPES = ['lung_nodule_detection', 'turnaround_review'] as const;
type KnownType = (typeof KNOWN_TYPES)[number];

function useTypeName() {
  const { t } = useTranslation();
  return (name: string) => ((KNOWN_TYPES as readonly string[]).includes(name) ? t(`analysis.types.${name as KnownType}`) : name);
}

const STATUS_COLORS: Record<AnalysisStatus, string> = {
  pending: 'gold',
  running: 'processing',
  completed: 'green',
  failed: 'red',
};

function TaskView({ taskId }: { taskId: number }) {
  const { t } = useTranslation();
  const typeName = useTypeName();
  const task = useAnalysisTask(taskId);
  if (task.error) return <ErrorAlert error={task.error} onRetry={() => void task.refetch()} />;
  const data = task.data;
  const status = data?.status ?? 'pending';
  const finished = status === 'completed' || status === 'failed';
  return (
    <article className="panel analysis-task" aria-label={t('analysis.taskTitle', { type: data ? typeName(data.analysis_type) : '…', id: taskId })}>
      <header className="panel-header">
        <Typography.Text strong>{t('analysis.taskTitle', { type: data ? typeName(data.analysis_type) : '…', id: taskId })}</Typography.Text>
        <Tag color={STATUS_COLORS[status]}>{t(`analysis.status.${status}`)}</Tag>
      </header>
      {!finished ? (
        <Progress
          percent={data?.progress ?? 0}
          status="active"
          aria-label={t('analysis.taskTitle', { type: data ? typeName(data.analysis_type) : '', id: taskId })}
        />
      ) : null}
      {data && finished ? <AnalysisResult analysisType={data.analysis_type} results={data.results} /> : null}
    </article>
  );
}

/** Run an analysis on this study; its progress and result show in place. */
export function AnalysisRunner({ examId }: { examId: string }) {
  const { t } = useTranslation();
  const typeName = useTypeName();
  const describe = useErrorText();
  const options = useAnalysisOptions();
  const start = useStartAnalysis();
  const [type, setType] = useState<string | undefined>(undefined);
  const [tasks, setTasks] = useState<number[]>([]);
  const types = options.data?.analysis_types ?? [];

  useEffect(() => {
    if (type === undefined && types.length > 0) setType(types[0].name);
  }, [type, types]);

  const chosen = types.find((entry) => entry.name === type);

  return (
    <Space orientation="vertical" size="small" className="analysis-runner">
      {options.error ? <ErrorAlert error={options.error} onRetry={() => void options.refetch()} /> : null}
      <Space wrap>
        <Select
          aria-label={t('analysis.type')}
          className="analysis-type"
          loading={options.isLoading}
          value={type}
          onChange={setType}
          options={types.map((entry) => ({ value: entry.name, label: typeName(entry.name) }))}
          popupMatchSelectWidth={false}
        />
        <Button
          type="primary"
          icon={<ExperimentOutlined aria-hidden />}
          disabled={!type}
          loading={start.isPending}
          onClick={() => {
            if (!type) return;
            start.mutate(
              { exam_id: examId, analysis_type: type },
              { onSuccess: (created) => setTasks((previous) => [created.task_id, ...previous]) },
            );
          }}
        >
          {t('analysis.run')}
        </Button>
      </Space>
      {chosen ? (
        <Typography.Paragraph type="secondary" className="analysis-description" ellipsis={{ rows: 2, expandable: true }}>
          {chosen.description}
        </Typography.Paragraph>
      ) : null}
      {start.error ? <Alert type="error" showIcon title={t('analysis.startFailed', { detail: describe(start.error).detail })} /> : null}
      {tasks.map((taskId) => (
        <TaskView key={taskId} taskId={taskId} />
      ))}
    </Space>
  );
}
