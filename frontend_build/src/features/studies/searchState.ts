// The Studies screen's whole search state lives in the URL's query string, with the
// server's own parameter names, so that back and forward work and a link reopens
// the same view. Reading is forgiving (a value the server would refuse is dropped);
// writing is canonical (defaults left out, a fixed order), so equal states give
// equal URLs.

import type { Query } from '@/lib/api';

export const SORTS = ['order_datetime_desc', 'order_datetime_asc', 'patient_name_asc'] as const;
export type Sort = (typeof SORTS)[number];
export const DEFAULT_SORT: Sort = 'order_datetime_desc';

export const PAGE_SIZES = [20, 50, 100, 200, 500] as const;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 1000;
export const MAX_AGE = 200;

/** The parameter naming the study open in the drawer (not part of the search). */
export const STUDY_PARAM = 'study';

export interface StudySearch {
  q: string;
  exam_status: string[];
  exam_source: string[];
  exam_item: string[];
  patient_gender: string | null;
  patient_age_min: number | null;
  patient_age_max: number | null;
  /** YYYY-MM-DD, inclusive. */
  date_from: string | null;
  date_to: string | null;
  sort: Sort;
  page: number;
  page_size: number;
}

export const DEFAULT_SEARCH: StudySearch = {
  q: '',
  exam_status: [],
  exam_source: [],
  exam_item: [],
  patient_gender: null,
  patient_age_min: null,
  patient_age_max: null,
  date_from: null,
  date_to: null,
  sort: DEFAULT_SORT,
  page: 1,
  page_size: DEFAULT_PAGE_SIZE,
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isRealDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const [y, m, d] = text.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d && y >= 1;
}

function integer(text: string | null, min: number, max: number): number | null {
  if (text === null || !/^\d{1,7}$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

function cleanText(text: string): string {
  // The server refuses NUL everywhere and U+001F in q.
  return text.replace(/[\u0000\u001f]/g, '');
}

function distinct(values: string[]): string[] {
  return [...new Set(values.map(cleanText).filter((v) => v !== ''))];
}

/** The search a query string describes. */
export function searchFromParams(params: URLSearchParams): StudySearch {
  const sort = params.get('sort');
  let ageMin = integer(params.get('patient_age_min'), 0, MAX_AGE);
  let ageMax = integer(params.get('patient_age_max'), 0, MAX_AGE);
  if (ageMin !== null && ageMax !== null && ageMin > ageMax) [ageMin, ageMax] = [ageMax, ageMin];
  let dateFrom = params.get('date_from');
  let dateTo = params.get('date_to');
  dateFrom = dateFrom && isRealDate(dateFrom) ? dateFrom : null;
  dateTo = dateTo && isRealDate(dateTo) ? dateTo : null;
  if (dateFrom && dateTo && dateFrom > dateTo) [dateFrom, dateTo] = [dateTo, dateFrom];
  const gender = cleanText(params.get('patient_gender') ?? '');
  return {
    q: cleanText(params.get('q') ?? ''),
    exam_status: distinct(params.getAll('exam_status')),
    exam_source: distinct(params.getAll('exam_source')),
    exam_item: distinct(params.getAll('exam_item')),
    patient_gender: gender || null,
    patient_age_min: ageMin,
    patient_age_max: ageMax,
    date_from: dateFrom,
    date_to: dateTo,
    sort: (SORTS as readonly string[]).includes(sort ?? '') ? (sort as Sort) : DEFAULT_SORT,
    page: integer(params.get('page'), 1, 10_000_000) ?? 1,
    page_size: integer(params.get('page_size'), 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE,
  };
}

/** The canonical query string of a search (defaults left out). */
export function paramsFromSearch(search: StudySearch): URLSearchParams {
  const params = new URLSearchParams();
  if (search.q) params.set('q', search.q);
  for (const value of search.exam_status) params.append('exam_status', value);
  for (const value of search.exam_source) params.append('exam_source', value);
  for (const value of search.exam_item) params.append('exam_item', value);
  if (search.patient_gender) params.set('patient_gender', search.patient_gender);
  if (search.patient_age_min !== null) params.set('patient_age_min', String(search.patient_age_min));
  if (search.patient_age_max !== null) params.set('patient_age_max', String(search.patient_age_max));
  if (search.date_from) params.set('date_from', search.date_from);
  if (search.date_to) params.set('date_to', search.date_to);
  if (search.sort !== DEFAULT_SORT) params.set('sort', search.sort);
  if (search.page !== 1) params.set('page', String(search.page));
  if (search.page_size !== DEFAULT_PAGE_SIZE) params.set('page_size', String(search.page_size));
  return params;
}

/** The filters alone, as the server takes them (for statistics and export). */
export function filterQuery(search: StudySearch): Query {
  return {
    q: search.q,
    exam_status: search.exam_status,
    exam_source: search.exam_source,
    exam_item: search.exam_item,
    patient_gender: search.patient_gender,
    patient_age_min: search.patient_age_min,
    patient_age_max: search.patient_age_max,
    date_from: search.date_from,
    date_to: search.date_to,
  };
}

/** The search's query for GET /studies/search. */
export function searchQuery(search: StudySearch): Query {
  return { ...filterQuery(search), sort: search.sort === DEFAULT_SORT ? undefined : search.sort, page: search.page, page_size: search.page_size };
}

/** The query for GET /studies/export: every matching study, in the search's order. */
export function exportQuery(search: StudySearch, format: 'csv' | 'xlsx'): Query {
  return { ...filterQuery(search), sort: search.sort === DEFAULT_SORT ? undefined : search.sort, format };
}

/** Whether any filter (or a search text) narrows the studies. */
export function hasFilters(search: StudySearch): boolean {
  const f = filterQuery(search);
  return Object.values(f).some((v) => (Array.isArray(v) ? v.length > 0 : v !== null && v !== undefined && v !== ''));
}

/** The same search without any filter: sort and page size are kept. */
export function clearedFilters(search: StudySearch): StudySearch {
  return { ...DEFAULT_SEARCH, sort: search.sort, page_size: search.page_size };
}

/** What to remember of a search for next time: no page, no open study. */
export function rememberedSearch(search: StudySearch): string {
  return paramsFromSearch({ ...search, page: 1 }).toString();
}
