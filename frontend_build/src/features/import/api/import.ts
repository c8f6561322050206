// The Import screen's server state, through the one API client (lib/api.ts). A job's
// progress is polled by the shared useImportJob (components/import-job).

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, segment } from '@/lib/api';
import type { ImportHistoryOut, ImportIssuesOut, ImportJobOut, ImportStartOut, LinkStatusOut } from '@/lib/api-types';

export const DEMO_ROWS = 2000;
export const ISSUES_PAGE_SIZE = 10;
export const HISTORY_PAGE_SIZE = 10;

export const importKeys = {
  /** The key useImportJob polls a job under. */
  job: (jobId: number) => ['import', 'job', jobId] as const,
  issues: (jobId: number, page: number) => ['import', 'issues', jobId, page] as const,
  history: (page: number) => ['import', 'history', page] as const,
  historyAll: ['import', 'history'] as const,
  link: ['import', 'link'] as const,
};

export type JobKind = 'import' | 'sync';

/** How a job was started here: an import of a path, a link (its first sync), demo data. */
export type StartRequest = { action: 'import'; path: string } | { action: 'link'; path: string } | { action: 'demo' };

export function useStartJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: StartRequest) =>
      request.action === 'import'
        ? api.post<ImportStartOut>('/import/duckdb', { path: request.path })
        : request.action === 'link'
          ? api.post<ImportStartOut>('/import/link', { path: request.path })
          : api.post<ImportStartOut>('/import/demo', { rows: DEMO_ROWS }),
    // After a refusal too: one because another PC's import holds the database puts that
    // import first in the history, and the page then follows its progress.
    onSettled: () => void queryClient.invalidateQueries({ queryKey: importKeys.historyAll }),
  });
}

/** DELETE /import/jobs/{id}: answers the job's final status once its child has ended. */
export function useCancelJob(jobId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete<ImportJobOut>(`/import/jobs/${segment(jobId)}`),
    onSuccess: (status) => {
      if (status) queryClient.setQueryData(importKeys.job(jobId), status);
      void queryClient.invalidateQueries({ queryKey: importKeys.historyAll });
    },
  });
}

/** One page of the rows a job quarantined. */
export function useImportIssues(jobId: number, page: number, enabled: boolean) {
  return useQuery({
    queryKey: importKeys.issues(jobId, page),
    queryFn: ({ signal }) => api.get<ImportIssuesOut>(`/import/jobs/${segment(jobId)}/issues`, { page, page_size: ISSUES_PAGE_SIZE }, signal),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useImportHistory(page: number) {
  return useQuery({
    queryKey: importKeys.history(page),
    queryFn: ({ signal }) => api.get<ImportHistoryOut>('/import/history', { page, page_size: HISTORY_PAGE_SIZE }, signal),
    placeholderData: keepPreviousData,
    staleTime: 0,
  });
}

export function useLinkedSource() {
  return useQuery({
    queryKey: importKeys.link,
    queryFn: ({ signal }) => api.get<LinkStatusOut>('/import/link', undefined, signal),
    staleTime: 0,
  });
}

export function useUnlink() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete('/import/link'),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: importKeys.link }),
  });
}
