import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { isJobFinished, useImportJob } from '@/components/import-job/useImportJob';
import { integerParam } from '@/lib/studyFilters';
import { useImportHistory, useStartJob, type JobKind, type StartRequest } from '../api/import';
import { ChooseFile } from './ChooseFile';
import { ImportHistory } from './ImportHistory';
import { JobPanel } from './JobPanel';
import { LinkedSource } from './LinkedSource';
import '../import.css';

/** The parameter naming the job shown (its progress, then its report), so that a reload keeps it. */
export const JOB_PARAM = 'job';

function useJobParam(): [number | null, (jobId: number | null) => void] {
  const location = useLocation();
  const navigate = useNavigate();
  const jobId = integerParam(new URLSearchParams(location.search).get(JOB_PARAM), 1, 2 ** 31);
  const setJobId = useCallback(
    (next: number | null) => {
      const params = new URLSearchParams(location.search);
      if (next === null) params.delete(JOB_PARAM);
      else params.set(JOB_PARAM, String(next));
      const text = params.toString();
      navigate(`${location.pathname}${text ? `?${text}` : ''}`);
    },
    [location.pathname, location.search, navigate],
  );
  return [jobId, setJobId];
}

/**
 * The Import screen: choose a DuckDB file and import or link it, follow the job, read
 * its reconciliation and quarantined rows; the linked file; the import history.
 */
export function ImportPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [urlJobId, setJobId] = useJobParam();
  const [started, setStarted] = useState<{ jobId: number; action: StartRequest['action'] } | null>(null);
  const [startError, setStartError] = useState<{ action: StartRequest['action']; error: unknown } | null>(null);
  const start = useStartJob();
  const history = useImportHistory(1);

  // Without a job in the URL, follow one that is running (started elsewhere, say the first-run screen).
  const newest = history.data?.data[0];
  const runningElsewhere = newest && (newest.outcome === 'queued' || newest.outcome === 'running') ? newest.job_id : null;
  const jobId = urlJobId ?? runningElsewhere;
  const job = useImportJob(jobId);
  const active = job.data !== undefined && !isJobFinished(job.data);

  const row = useMemo(() => history.data?.data.find((entry) => entry.job_id === jobId), [history.data, jobId]);
  const kind: JobKind = started?.jobId === jobId && started.action === 'link' ? 'sync' : row?.kind === 'sync' ? 'sync' : 'import';
  const linking = kind === 'sync' && active;

  // When a job this page saw running ends, what it changed is shown afresh everywhere.
  const seenActive = useRef<number | null>(null);
  useEffect(() => {
    if (jobId === null || !job.data) return;
    if (!isJobFinished(job.data)) {
      seenActive.current = jobId;
    } else if (seenActive.current === jobId) {
      seenActive.current = null;
      void queryClient.invalidateQueries({ predicate: (query) => !(query.queryKey[0] === 'import' && query.queryKey[1] === 'job') });
    }
  }, [jobId, job.data, queryClient]);

  const onStart = (request: StartRequest) => {
    setStartError(null);
    start.mutate(request, {
      onSuccess: ({ job_id }) => {
        setStarted({ jobId: job_id, action: request.action });
        setJobId(job_id);
      },
      onError: (error) => setStartError({ action: request.action, error }),
    });
  };

  return (
    <section className="import-page" aria-labelledby="import-title">
      <h1 id="import-title" className="page-title">
        {t('importPage.title')}
      </h1>
      <div className="import-top">
        <ChooseFile busy={active || start.isPending} starting={start.isPending ? (start.variables?.action ?? null) : null} startError={startError} onStart={onStart} />
        <LinkedSource linking={linking} onShowJob={setJobId} />
      </div>
      {jobId !== null ? (
        <JobPanel key={jobId} jobId={jobId} kind={kind} path={row?.path ?? null} job={job} onClose={() => setJobId(null)} />
      ) : null}
      <ImportHistory currentJobId={jobId} onShow={setJobId} />
    </section>
  );
}
