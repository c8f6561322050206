// Addresses of the app's own screens that other screens link to. The Studies screen
// opens a study in its drawer by `?study=<exam_id>` and reads its filters from the
// query string with the server's names (features/studies/searchState.ts).

import { writeFilterParams, type StudyFilterValues } from './studyFilters';

/** The Studies screen with this study open. */
export function studyHref(examId: string): string {
  return `/studies?${new URLSearchParams({ study: examId }).toString()}`;
}

/** The Studies screen showing the studies these filters select. */
export function studiesHref(filters: StudyFilterValues): string {
  const text = writeFilterParams(new URLSearchParams(), filters).toString();
  return `/studies${text ? `?${text}` : ''}`;
}
