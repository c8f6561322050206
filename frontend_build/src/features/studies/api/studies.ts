// The Studies screen's server state, through the one API client (lib/api.ts).

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, apiUrl, segment } from '@/lib/api';
import type {
  FilterOptions,
  HealthOut,
  RelatedStudiesOut,
  StudyFullOut,
  StudySearchOut,
  StudyStatisticsOut,
} from '@/lib/api-types';
import { exportQuery, filterQuery, searchQuery, type StudySearch } from '../searchState';

export const studyKeys = {
  all: ['studies'] as const,
  search: (search: StudySearch) => ['studies', 'search', searchQuery(search)] as const,
  statistics: (search: StudySearch) => ['studies', 'statistics', filterQuery(search)] as const,
  filterOptions: ['studies', 'filter-options'] as const,
  full: (examId: string) => ['studies', 'full', examId] as const,
  related: (examId: string) => ['studies', 'related', examId] as const,
  health: ['health'] as const,
};

/** One page of studies; the previous page stays shown while the next one loads. */
export function useStudySearch(search: StudySearch, enabled = true) {
  return useQuery({
    queryKey: studyKeys.search(search),
    queryFn: ({ signal }) => api.get<StudySearchOut>('/studies/search', searchQuery(search), signal),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useFilterOptions(enabled = true) {
  return useQuery({
    queryKey: studyKeys.filterOptions,
    queryFn: ({ signal }) => api.get<FilterOptions>('/studies/filters/options', undefined, signal),
    staleTime: 60_000,
    enabled,
  });
}

/** The counts by status, source and item for the current filters. */
export function useStudyStatistics(search: StudySearch, enabled = true) {
  return useQuery({
    queryKey: studyKeys.statistics(search),
    queryFn: ({ signal }) => api.get<StudyStatisticsOut>('/studies/statistics', filterQuery(search), signal),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useHealth() {
  return useQuery({
    queryKey: studyKeys.health,
    queryFn: ({ signal }) => api.get<HealthOut>('/health', undefined, signal),
    staleTime: 30_000,
  });
}

export function useStudyFull(examId: string | null) {
  return useQuery({
    queryKey: studyKeys.full(examId ?? ''),
    queryFn: ({ signal }) => api.get<StudyFullOut>(`/studies/${segment(examId!)}/full`, undefined, signal),
    enabled: examId !== null,
  });
}

export const RELATED_PAGE_SIZE = 20;

export function useRelatedStudies(examId: string | null) {
  return useQuery({
    queryKey: studyKeys.related(examId ?? ''),
    queryFn: ({ signal }) =>
      api.get<RelatedStudiesOut>(`/studies/${segment(examId!)}/related`, { page: 1, page_size: RELATED_PAGE_SIZE }, signal),
    enabled: examId !== null,
  });
}

/** The URL that downloads every study of the search as CSV or Excel. */
export function exportUrl(search: StudySearch, format: 'csv' | 'xlsx'): string {
  return apiUrl('/studies/export', exportQuery(search, format));
}
