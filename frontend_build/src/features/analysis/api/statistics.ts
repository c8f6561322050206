// The clinic statistics for the dashboard, through the one API client (lib/api.ts).

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';
import type { FilterOptions, StudyStatisticsOut } from '@/lib/api-types';
import { filterQuery, type StudyFilterValues } from '@/lib/studyFilters';

export function useClinicStatistics(filters: StudyFilterValues) {
  return useQuery({
    queryKey: ['analysis', 'clinic-statistics', filterQuery(filters)],
    queryFn: ({ signal }) => api.get<StudyStatisticsOut>('/studies/statistics', filterQuery(filters), signal),
    placeholderData: keepPreviousData,
  });
}

export function useFilterOptions() {
  return useQuery({
    queryKey: ['analysis', 'filter-options'],
    queryFn: ({ signal }) => api.get<FilterOptions>('/studies/filters/options', undefined, signal),
    staleTime: 60_000,
  });
}
