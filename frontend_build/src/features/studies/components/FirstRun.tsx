import { CloudUploadOutlined, ExperimentOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useErrorText } from '@/components/ErrorAlert';
import { ImportJobProgress } from '@/components/import-job/ImportJobProgress';
import { useImportJob } from '@/components/import-job/useImportJob';
import { useStartDemoImport } from '../api/demo';
import { studyKeys } from '../api/studies';

/** An empty database: what Imaging Desk is, and the two ways to fill it. */
export function FirstRun() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const describe = useErrorText();
  const start = useStartDemoImport();
  const [jobId, setJobId] = useState<number | null>(null);
  const job = useImportJob(jobId);
  const state = job.data?.state;

  useEffect(() => {
    if (state === 'done') {
      void queryClient.invalidateQueries({ queryKey: studyKeys.all });
      void queryClient.invalidateQueries({ queryKey: studyKeys.health });
    }
  }, [state, queryClient]);

  const failed = state === 'failed' || state === 'cancelled';
  const running = jobId !== null && !failed;
  const error = start.error ? describe(start.error).detail : job.error ? describe(job.error).detail : failed ? (job.data?.error ?? state) : null;

  return (
    <section className="first-run" aria-labelledby="first-run-title">
      <div className="panel first-run-card">
        <Typography.Title level={1} id="first-run-title" className="first-run-title">
          {t('firstRun.title')}
        </Typography.Title>
        <Typography.Paragraph className="first-run-text">
          {t('firstRun.what')}
          {i18n.language === 'zh-TW' ? '' : ' '}
          {t('firstRun.empty')}
        </Typography.Paragraph>
        <Space wrap size="middle">
          <Button size="large" icon={<CloudUploadOutlined aria-hidden />} onClick={() => navigate('/import')} disabled={running}>
            {t('firstRun.import')}
          </Button>
          <Button
            size="large"
            type="primary"
            icon={<ExperimentOutlined aria-hidden />}
            loading={start.isPending || running}
            onClick={() => {
              setJobId(null);
              start.mutate(undefined, { onSuccess: (started) => setJobId(started.job_id) });
            }}
          >
            {t('firstRun.demo')}
          </Button>
        </Space>
        <Typography.Paragraph type="secondary" className="first-run-note">
          {t('firstRun.demoNote')}
        </Typography.Paragraph>
        {running ? (
          <div className="first-run-progress">
            <Typography.Text strong>{t('firstRun.loading')}</Typography.Text>
            <ImportJobProgress job={job.data} label={t('firstRun.loading')} />
          </div>
        ) : null}
        {error ? <Alert type="error" showIcon role="alert" title={t('firstRun.failed', { detail: error })} /> : null}
      </div>
    </section>
  );
}
