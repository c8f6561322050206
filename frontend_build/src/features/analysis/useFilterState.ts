import { useCallback, useMemo } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { DEFAULT_FILTERS, filtersFromParams, writeFilterParams, type StudyFilterValues } from '@/lib/studyFilters';

/**
 * The statistics' filters, in the URL with the studies search's own names (so
 * "Show these studies" is the same query on /studies, lib/links.ts); each change a
 * history entry.
 */
export function useFilterState() {
  const location = useLocation();
  const navigate = useNavigate();
  const filters = useMemo(() => filtersFromParams(new URLSearchParams(location.search)), [location.search]);

  const go = useCallback(
    (next: StudyFilterValues) => {
      const text = writeFilterParams(new URLSearchParams(), next).toString();
      const target = `${location.pathname}${text ? `?${text}` : ''}`;
      if (target !== `${location.pathname}${location.search}`) navigate(target);
    },
    [location.pathname, location.search, navigate],
  );

  return {
    filters,
    update: useCallback((patch: Partial<StudyFilterValues>) => go({ ...filters, ...patch }), [go, filters]),
    clear: useCallback(() => go(DEFAULT_FILTERS), [go]),
  };
}
