import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SEARCH,
  clearedFilters,
  exportQuery,
  hasFilters,
  paramsFromSearch,
  rememberedSearch,
  searchFromParams,
  searchQuery,
  type StudySearch,
} from './searchState';
import { queryString } from '@/lib/api';

const parse = (text: string) => searchFromParams(new URLSearchParams(text));

describe('URL <-> search state', () => {
  it('reads an empty query string as the default search', () => {
    expect(parse('')).toEqual(DEFAULT_SEARCH);
    expect(paramsFromSearch(DEFAULT_SEARCH).toString()).toBe('');
  });

  it('round-trips every parameter, repeated ones included', () => {
    const search: StudySearch = {
      q: 'zhang wei',
      exam_status: ['completed', 'pending'],
      exam_source: ['CT', 'MRI'],
      exam_item: ['Chest CT'],
      patient_gender: 'F',
      patient_age_min: 0,
      patient_age_max: 64,
      date_from: '2025-11-01',
      date_to: '2025-11-30',
      sort: 'patient_name_asc',
      page: 50000,
      page_size: 100,
    };
    const text = paramsFromSearch(search).toString();
    expect(text).toBe(
      'q=zhang+wei&exam_status=completed&exam_status=pending&exam_source=CT&exam_source=MRI&exam_item=Chest+CT' +
        '&patient_gender=F&patient_age_min=0&patient_age_max=64&date_from=2025-11-01&date_to=2025-11-30' +
        '&sort=patient_name_asc&page=50000&page_size=100',
    );
    expect(parse(text)).toEqual(search);
  });

  it('keeps text exactly, in any script', () => {
    const text = paramsFromSearch({ ...DEFAULT_SEARCH, q: '李娜 50%_x&y=z', exam_source: ['X-ray'] }).toString();
    expect(parse(text).q).toBe('李娜 50%_x&y=z');
    expect(parse(text).exam_source).toEqual(['X-ray']);
  });

  it('drops what the server would refuse instead of failing', () => {
    const search = parse('page=0&page_size=5000&sort=newest&patient_age_min=abc&date_from=2025-02-30&q=a%00b&exam_status=');
    expect(search).toEqual({ ...DEFAULT_SEARCH, q: 'ab' });
  });

  it('puts swapped bounds in order', () => {
    const search = parse('patient_age_min=70&patient_age_max=30&date_from=2025-12-01&date_to=2025-01-01');
    expect([search.patient_age_min, search.patient_age_max]).toEqual([30, 70]);
    expect([search.date_from, search.date_to]).toEqual(['2025-01-01', '2025-12-01']);
  });

  it('builds the server queries: search with paging, export without', () => {
    const search = parse('q=zh&exam_source=CT&exam_source=MRI&sort=order_datetime_asc&page=3&page_size=50');
    expect(queryString(searchQuery(search))).toBe('?q=zh&exam_source=CT&exam_source=MRI&sort=order_datetime_asc&page=3&page_size=50');
    expect(queryString(exportQuery(search, 'xlsx'))).toBe('?q=zh&exam_source=CT&exam_source=MRI&sort=order_datetime_asc&format=xlsx');
    expect(queryString(searchQuery(DEFAULT_SEARCH))).toBe('?page=1&page_size=20');
  });

  it('clears filters but keeps sort and page size; remembers without the page', () => {
    const search = parse('q=zh&patient_gender=M&sort=order_datetime_asc&page=4&page_size=50');
    expect(hasFilters(search)).toBe(true);
    expect(clearedFilters(search)).toEqual({ ...DEFAULT_SEARCH, sort: 'order_datetime_asc', page_size: 50 });
    expect(hasFilters(clearedFilters(search))).toBe(false);
    expect(rememberedSearch(search)).toBe('q=zh&patient_gender=M&sort=order_datetime_asc&page_size=50');
  });
});
