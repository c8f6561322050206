// The studies' filters (the search text and the filter bar), as the server names
// them. The Studies screen's search and the Analysis screen's statistics both keep
// them in the URL's query string with these names, so that a link from one opens
// the same studies in the other. Reading is forgiving (a value the server would
// refuse is dropped); writing is canonical (a fixed order, empty values left out).

import type { Query } from './api';

export const MAX_AGE = 200;

export interface StudyFilterValues {
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
}

export const DEFAULT_FILTERS: StudyFilterValues = {
  q: '',
  exam_status: [],
  exam_source: [],
  exam_item: [],
  patient_gender: null,
  patient_age_min: null,
  patient_age_max: null,
  date_from: null,
  date_to: null,
};

/** The names of the filter parameters, in their canonical order. */
export const FILTER_PARAMS: readonly (keyof StudyFilterValues)[] = Object.keys(DEFAULT_FILTERS) as (keyof StudyFilterValues)[];

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isRealDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const [y, m, d] = text.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d && y >= 1;
}

/** A whole number from `min` to `max` written in the URL, else null. */
export function integerParam(text: string | null, min: number, max: number): number | null {
  if (text === null || !/^\d{1,7}$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

/** Text as the server takes it: it refuses NUL everywhere and U+001F in q. */
export function cleanText(text: string): string {
  return text.replace(/[\u0000\u001f]/g, '');
}

function distinct(values: string[]): string[] {
  return [...new Set(values.map(cleanText).filter((v) => v !== ''))];
}

/** The filters a query string describes. */
export function filtersFromParams(params: URLSearchParams): StudyFilterValues {
  let ageMin = integerParam(params.get('patient_age_min'), 0, MAX_AGE);
  let ageMax = integerParam(params.get('patient_age_max'), 0, MAX_AGE);
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
  };
}

/** Appends the filters to `params` in the canonical order (empty ones left out). */
export function writeFilterParams(params: URLSearchParams, filters: StudyFilterValues): URLSearchParams {
  if (filters.q) params.set('q', filters.q);
  for (const value of filters.exam_status) params.append('exam_status', value);
  for (const value of filters.exam_source) params.append('exam_source', value);
  for (const value of filters.exam_item) params.append('exam_item', value);
  if (filters.patient_gender) params.set('patient_gender', filters.patient_gender);
  if (filters.patient_age_min !== null) params.set('patient_age_min', String(filters.patient_age_min));
  if (filters.patient_age_max !== null) params.set('patient_age_max', String(filters.patient_age_max));
  if (filters.date_from) params.set('date_from', filters.date_from);
  if (filters.date_to) params.set('date_to', filters.date_to);
  return params;
}

/** The filters alone, as the server takes them (search, statistics, export). */
export function filterQuery(filters: StudyFilterValues): Query {
  return {
    q: filters.q,
    exam_status: filters.exam_status,
    exam_source: filters.exam_source,
    exam_item: filters.exam_item,
    patient_gender: filters.patient_gender,
    patient_age_min: filters.patient_age_min,
    patient_age_max: filters.patient_age_max,
    date_from: filters.date_from,
    date_to: filters.date_to,
  };
}

/** Whether any filter (or a search text) narrows the studies. */
export function hasFilters(filters: StudyFilterValues): boolean {
  return Object.values(filterQuery(filters)).some((v) => (Array.isArray(v) ? v.length > 0 : v !== null && v !== undefined && v !== ''));
}
