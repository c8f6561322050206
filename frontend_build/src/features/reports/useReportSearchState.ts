import { useCallback, useMemo } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { REPORT_PARAM, paramsFromSearch, searchFromParams, type ReportSearch } from './searchState';

/** The Reports screen's state, read from and written to the URL (each change a history entry). */
export function useReportSearchState() {
  const location = useLocation();
  const navigate = useNavigate();
  const params = useMemo(() => new URLSearchParams(location.search), [location.search]);
  const search = useMemo(() => searchFromParams(params), [params]);
  const reportId = params.get(REPORT_PARAM) || null;

  const go = useCallback(
    (next: ReportSearch, report: string | null) => {
      const out = paramsFromSearch(next);
      if (report) out.set(REPORT_PARAM, report);
      const text = out.toString();
      const target = `${location.pathname}${text ? `?${text}` : ''}`;
      if (target !== `${location.pathname}${location.search}`) navigate(target);
    },
    [location.pathname, location.search, navigate],
  );

  /** Changes the search; a change of anything but the page goes back to page 1. */
  const update = useCallback(
    (patch: Partial<ReportSearch>) => {
      const next = { ...search, ...patch };
      if (!('page' in patch)) next.page = 1;
      go(next, null);
    },
    [go, search],
  );

  return {
    search,
    reportId,
    update,
    replace: useCallback((next: ReportSearch) => go(next, null), [go]),
    openReport: useCallback((id: string) => go(search, id), [go, search]),
    closeReport: useCallback(() => go(search, null), [go, search]),
  };
}
