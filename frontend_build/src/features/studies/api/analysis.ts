// Running an analysis from the study drawer.

import { useMutation, useQuery } from '@tanstack/react-query';
import { api, segment } from '@/lib/api';
import type { AnalysisOptionsOut, AnalysisTaskCreated, AnalysisTaskOut } from '@/lib/api-types';

export const ANALYSIS_POLL_MS = 500;

export function useAnalysisOptions(enabled = true) {
  return useQuery({
    queryKey: ['analysis', 'options'],
    queryFn: ({ signal }) => api.get<AnalysisOptionsOut>('/analysis/options', undefined, signal),
    staleTime: Infinity,
    enabled,
  });
}

export function useStartAnalysis() {
  return useMutation({
    mutationFn: (body: { exam_id: string; analysis_type: string }) => api.post<AnalysisTaskCreated>('/analysis/tasks', body),
  });
}

/** A task, polled until it has completed or failed. */
export function useAnalysisTask(taskId: number) {
  return useQuery({
    queryKey: ['analysis', 'task', taskId],
    queryFn: ({ signal }) => api.get<AnalysisTaskOut>(`/analysis/tasks/${segment(taskId)}`, undefined, signal),
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === 'completed' || status === 'failed' || query.state.error ? false : ANALYSIS_POLL_MS;
    },
    staleTime: 0,
  });
}
