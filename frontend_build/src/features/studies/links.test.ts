import { describe, expect, it } from 'vitest';
import { studiesHref, studyHref } from '@/lib/links';
import { DEFAULT_FILTERS } from '@/lib/studyFilters';
import { STUDY_PARAM, searchFromParams } from './searchState';

describe('the links other screens make to the Studies screen', () => {
  it('open a study by the parameter the Studies screen reads, whatever its ID holds', () => {
    const href = studyHref('EX 1/#?&李');
    expect(href).toBe('/studies?study=EX+1%2F%23%3F%26%E6%9D%8E');
    expect(new URL(href, 'http://x').searchParams.get(STUDY_PARAM)).toBe('EX 1/#?&李');
  });

  it('carry the filters with the names the Studies screen reads', () => {
    const filters = { ...DEFAULT_FILTERS, q: 'zh', exam_source: ['CT', 'MRI'], date_from: '2025-11-01' };
    const href = studiesHref(filters);
    expect(href).toBe('/studies?q=zh&exam_source=CT&exam_source=MRI&date_from=2025-11-01');
    expect(searchFromParams(new URL(href, 'http://x').searchParams)).toMatchObject(filters);
    expect(studiesHref(DEFAULT_FILTERS)).toBe('/studies');
  });
});
