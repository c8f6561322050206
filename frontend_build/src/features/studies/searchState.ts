// The Studies screen's whole search state lives in the URL's query string, with the
// server's own parameter names, so that back and forward work and a link reopens
// the same view. Reading is forgiving (a value the server would refuse is dropped);
// writing is canonical (defaults left out, a fixed order), so equal states give
// equal URLs.

import type { Query } from '@/lib/api';
import {
  DEFAULT_FILTERS,
  filterQuery,
  filtersFromParams,
  integerParam,
  writeFilterParams,
  type StudyFilterValues,
} from '@/lib/studyFilters';

export { MAX_AGE, filterQuery, hasFilters } from '@/lib/studyFilters';

export const SORTS = ['order_datetime_desc', 'order_datetime_asc', 'patient_name_asc'] as const;
export type Sort = (typeof SORTS)[number];
export const DEFAULT_SORT: Sort = 'order_datetime_desc';

export const PAGE_SIZES = [20, 50, 100, 200, 500] as const;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 1000;

/** The parameter naming the study open in the drawer (not part of the search). */
export const STUDY_PARAM = 'study';

/** The filters (src/lib/studyFilters.ts), the order and the page. */
export interface StudySearch extends StudyFilterValues {
  sort: Sort;
  page: number;
  page_size: number;
}

export const DEFAULT_SEARCH: StudySearch = {
  ...DEFAULT_FILTERS,
  sort: DEFAULT_SORT,
  page: 1,
  page_size: DEFAULT_PAGE_SIZE,
};

/** The search a query string describes. */
export function searchFromParams(params: URLSearchParams): StudySearch {
  const sort = params.get('sort');
  return {
    ...filtersFromParams(params),
    sort: (SORTS as readonly string[]).includes(sort ?? '') ? (sort as Sort) : DEFAULT_SORT,
    page: integerParam(params.get('page'), 1, 10_000_000) ?? 1,
    page_size: integerParam(params.get('page_size'), 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE,
  };
}

/** The canonical query string of a search (defaults left out). */
export function paramsFromSearch(search: StudySearch): URLSearchParams {
  const params = writeFilterParams(new URLSearchParams(), search);
  if (search.sort !== DEFAULT_SORT) params.set('sort', search.sort);
  if (search.page !== 1) params.set('page', String(search.page));
  if (search.page_size !== DEFAULT_PAGE_SIZE) params.set('page_size', String(search.page_size));
  return params;
}

/** The search's query for GET /studies/search. */
export function searchQuery(search: StudySearch): Query {
  return { ...filterQuery(search), sort: search.sort === DEFAULT_SORT ? undefined : search.sort, page: search.page, page_size: search.page_size };
}

/** The query for GET /studies/export: every matching study, in the search's order. */
export function exportQuery(search: StudySearch, format: 'csv' | 'xlsx'): Query {
  return { ...filterQuery(search), sort: search.sort === DEFAULT_SORT ? undefined : search.sort, format };
}

/** The same search without any filter: sort and page size are kept. */
export function clearedFilters(search: StudySearch): StudySearch {
  return { ...DEFAULT_SEARCH, sort: search.sort, page_size: search.page_size };
}

/** What to remember of a search for next time: no page, no open study. */
export function rememberedSearch(search: StudySearch): string {
  return paramsFromSearch({ ...search, page: 1 }).toString();
}
