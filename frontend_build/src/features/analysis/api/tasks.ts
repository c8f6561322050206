// The analysis tasks beside the dashboard: listed with live progress, deleted.

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, segment } from '@/lib/api';
import type { AnalysisStatisticsOut, AnalysisStatus, AnalysisTaskListItem, AnalysisTaskListOut } from '@/lib/api-types';

/** How often the list is read again while one of its tasks is pending or running. */
export const TASKS_POLL_MS = 1000;
export const TASKS_PAGE_SIZE = 10;

export const taskKeys = {
  all: ['analysis', 'tasks'] as const,
  list: (status: AnalysisStatus | null, page: number) => ['analysis', 'tasks', 'list', status, page] as const,
  statistics: ['analysis', 'tasks', 'statistics'] as const,
};

export function isLive(task: Pick<AnalysisTaskListItem, 'status'>): boolean {
  return task.status === 'pending' || task.status === 'running';
}

export function useTasks(status: AnalysisStatus | null, page: number) {
  return useQuery({
    queryKey: taskKeys.list(status, page),
    queryFn: ({ signal }) => api.get<AnalysisTaskListOut>('/analysis/tasks', { status, page, page_size: TASKS_PAGE_SIZE }, signal),
    placeholderData: keepPreviousData,
    staleTime: 0,
    refetchInterval: (query) => (query.state.data?.data.some(isLive) && !query.state.error ? TASKS_POLL_MS : false),
  });
}

export function useTaskStatistics(live: boolean) {
  return useQuery({
    queryKey: taskKeys.statistics,
    queryFn: ({ signal }) => api.get<AnalysisStatisticsOut>('/analysis/statistics', undefined, signal),
    staleTime: 0,
    refetchInterval: live ? TASKS_POLL_MS : false,
  });
}

/** DELETE /analysis/tasks/{id}: cancels a running task and deletes its record (204). */
export function useDeleteTask() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (taskId: number) => api.delete(`/analysis/tasks/${segment(taskId)}`),
    onSettled: (_data, _error, taskId) => {
      queryClient.removeQueries({ queryKey: ['analysis', 'task', taskId] });
      void queryClient.invalidateQueries({ queryKey: taskKeys.all });
    },
  });
}
