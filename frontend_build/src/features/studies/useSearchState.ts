import { useCallback, useMemo } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { STUDY_PARAM, paramsFromSearch, searchFromParams, type StudySearch } from './searchState';

export interface SearchStateApi {
  search: StudySearch;
  /** The exam ID open in the drawer, if any. */
  studyId: string | null;
  /** Changes the search; a change of anything but the page goes back to page 1. */
  update: (patch: Partial<StudySearch>) => void;
  replace: (search: StudySearch) => void;
  openStudy: (examId: string) => void;
  closeStudy: () => void;
}

/** The Studies screen's state, read from and written to the URL (each change a history entry). */
export function useSearchState(): SearchStateApi {
  const location = useLocation();
  const navigate = useNavigate();
  const params = useMemo(() => new URLSearchParams(location.search), [location.search]);
  const search = useMemo(() => searchFromParams(params), [params]);
  const studyId = params.get(STUDY_PARAM) || null;

  const go = useCallback(
    (next: StudySearch, study: string | null) => {
      const out = paramsFromSearch(next);
      if (study) out.set(STUDY_PARAM, study);
      const text = out.toString();
      const target = `${location.pathname}${text ? `?${text}` : ''}`;
      if (target !== `${location.pathname}${location.search}`) navigate(target);
    },
    [location.pathname, location.search, navigate],
  );

  const update = useCallback(
    (patch: Partial<StudySearch>) => {
      const next = { ...search, ...patch };
      const onlyPage = Object.keys(patch).every((key) => key === 'page');
      if (!onlyPage && !('page' in patch)) next.page = 1;
      go(next, null);
    },
    [go, search],
  );

  return {
    search,
    studyId,
    update,
    replace: useCallback((next: StudySearch) => go(next, null), [go]),
    openStudy: useCallback((examId: string) => go(search, examId), [go, search]),
    closeStudy: useCallback(() => go(search, null), [go, search]),
  };
}
