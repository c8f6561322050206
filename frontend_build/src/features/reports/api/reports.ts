// The Reports screen's server state, through the one API client (lib/api.ts).

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, isApiError, segment } from '@/lib/api';
import type { FilterOptions, ReportOut, ReportSearchOut, StudyOut } from '@/lib/api-types';
import { searchQuery, type ReportSearch } from '../searchState';

export const reportKeys = {
  search: (search: ReportSearch) => ['reports', 'search', searchQuery(search)] as const,
  one: (reportId: string) => ['reports', 'one', reportId] as const,
  studyStored: (examId: string) => ['reports', 'study-stored', examId] as const,
  studyStatuses: ['reports', 'study-statuses'] as const,
};

/** One page of reports; the previous page stays shown while the next one loads. */
export function useReportSearch(search: ReportSearch) {
  return useQuery({
    queryKey: reportKeys.search(search),
    queryFn: ({ signal }) => api.get<ReportSearchOut>('/reports/search', searchQuery(search), signal),
    placeholderData: keepPreviousData,
  });
}

/** One report in full (the drawer), shown at once from the page's row when it has it. */
export function useReport(reportId: string | null, row: ReportOut | undefined) {
  return useQuery({
    queryKey: reportKeys.one(reportId ?? ''),
    queryFn: ({ signal }) => api.get<ReportOut>(`/reports/${segment(reportId!)}`, undefined, signal),
    enabled: reportId !== null,
    placeholderData: row,
  });
}

/** Whether the report's study is stored (an orphan report's is not: 404). */
export function useStudyStored(examId: string, enabled: boolean) {
  return useQuery({
    queryKey: reportKeys.studyStored(examId),
    queryFn: async ({ signal }) => {
      try {
        await api.get<StudyOut>(`/studies/${segment(examId)}`, undefined, signal);
        return true;
      } catch (error) {
        if (isApiError(error) && error.kind === 'http' && error.status === 404) return false;
        throw error;
      }
    },
    enabled,
  });
}

/** The studies' statuses, for the "Study status" filter. */
export function useStudyStatuses() {
  return useQuery({
    queryKey: reportKeys.studyStatuses,
    queryFn: ({ signal }) => api.get<FilterOptions>('/studies/filters/options', undefined, signal),
    select: (options) => options.exam_statuses,
    staleTime: 60_000,
  });
}
