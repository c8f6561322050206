import { useQuery } from '@tanstack/react-query';
import { api, segment } from '@/lib/api';
import type { ImportJobOut } from '@/lib/api-types';

export const IMPORT_JOB_POLL_MS = 250;

export function isJobFinished(job: ImportJobOut | undefined): boolean {
  return job !== undefined && ['done', 'failed', 'cancelled'].includes(job.state);
}

/** One import job, polled every 250 ms until it has ended (done, failed, cancelled). */
export function useImportJob(jobId: number | null) {
  return useQuery({
    queryKey: ['import', 'job', jobId],
    queryFn: ({ signal }) => api.get<ImportJobOut>(`/import/jobs/${segment(jobId!)}`, undefined, signal),
    enabled: jobId !== null,
    refetchInterval: (query) => (isJobFinished(query.state.data) || query.state.error ? false : IMPORT_JOB_POLL_MS),
    staleTime: 0,
  });
}
