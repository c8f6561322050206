// The Reports screen's search lives in the URL's query string with the server's own
// parameter names (q, status, exam_status, page, page_size), and the open report as
// `report`, so that back and forward work and a link reopens the same view. Reading
// is forgiving, writing canonical (defaults left out, a fixed order).

import type { Query } from '@/lib/api';
import { cleanText, integerParam } from '@/lib/studyFilters';

export const PAGE_SIZES = [20, 50, 100, 200] as const;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 1000;

/** The parameter naming the report open in the drawer (not part of the search). */
export const REPORT_PARAM = 'report';

export interface ReportSearch {
  q: string;
  /** The report's own status, exactly. */
  status: string | null;
  /** The status of the report's study, exactly. */
  exam_status: string | null;
  page: number;
  page_size: number;
}

export const DEFAULT_REPORT_SEARCH: ReportSearch = { q: '', status: null, exam_status: null, page: 1, page_size: DEFAULT_PAGE_SIZE };

export function searchFromParams(params: URLSearchParams): ReportSearch {
  return {
    q: cleanText(params.get('q') ?? ''),
    status: cleanText(params.get('status') ?? '') || null,
    exam_status: cleanText(params.get('exam_status') ?? '') || null,
    page: integerParam(params.get('page'), 1, 10_000_000) ?? 1,
    page_size: integerParam(params.get('page_size'), 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE,
  };
}

export function paramsFromSearch(search: ReportSearch): URLSearchParams {
  const params = new URLSearchParams();
  if (search.q) params.set('q', search.q);
  if (search.status) params.set('status', search.status);
  if (search.exam_status) params.set('exam_status', search.exam_status);
  if (search.page !== 1) params.set('page', String(search.page));
  if (search.page_size !== DEFAULT_PAGE_SIZE) params.set('page_size', String(search.page_size));
  return params;
}

/** The query for GET /reports/search. */
export function searchQuery(search: ReportSearch): Query {
  return { q: search.q, status: search.status, exam_status: search.exam_status, page: search.page, page_size: search.page_size };
}

export function hasFilters(search: ReportSearch): boolean {
  return search.q !== '' || search.status !== null || search.exam_status !== null;
}

/** The same search without its text and filters; the page size stays. */
export function clearedFilters(search: ReportSearch): ReportSearch {
  return { ...DEFAULT_REPORT_SEARCH, page_size: search.page_size };
}
