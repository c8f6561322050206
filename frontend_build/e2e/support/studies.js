// The Studies screen, found by role and accessible name (the English test hooks),
// and what the server says it should show.

import assert from 'node:assert/strict';
import { api, grouped, query, until } from './app.js';

export const searchBox = (page) => page.getByRole('searchbox', { name: 'Search studies' });
export const studiesTable = (page) => page.getByRole('table', { name: 'Studies' });
/** The total, "2,999 studies" (or "1 study"). */
export const totalText = (page) => page.getByText(/^[\d,]+ stud(y|ies)$/);

/** The rows of a table below its header row (a row with cells, not column headers). */
export const bodyRows = (table) => table.getByRole('row').filter({ has: table.page().getByRole('cell') });

/** The exam IDs of the rows shown, in order (the first cell of each row). */
export async function shownExamIds(page) {
  return bodyRows(studiesTable(page)).evaluateAll((rows) => rows.map((row) => row.querySelector('td')?.textContent?.trim() ?? ''));
}

/** GET /studies/search with these parameters (the names of the app's URL). */
export function searchApi(params) {
  return api(`studies/search?${query(params)}`);
}

/** The search parameters of the app's URL (the drawer's `study` left out). */
export function urlSearch(page) {
  const params = new URL(page.url()).searchParams;
  params.delete('study');
  return params;
}

function sortedParams(params) {
  const copy = new URLSearchParams(params);
  copy.sort();
  return copy.toString();
}

/**
 * Until the screen shows what the server answers for its URL: the total and the page
 * of rows (and, with `url`, until the URL's search is exactly that, order aside).
 * Returns the server's answer.
 */
export async function expectServerView(page, { url, timeout = 15_000 } = {}) {
  return until(
    async () => {
      const params = urlSearch(page);
      if (url !== undefined) assert.equal(sortedParams(params), sortedParams(url), 'the search in the URL');
      const expected = await searchApi(Object.fromEntries([...params.keys()].map((key) => [key, params.getAll(key)])));
      const ids = await shownExamIds(page);
      assert.deepEqual(ids, expected.data.map((row) => row.exam_id), `the rows shown for ?${params}`);
      assert.equal(await totalText(page).textContent(), `${grouped(expected.total)} ${expected.total === 1 ? 'study' : 'studies'}`);
      return expected;
    },
    { timeout },
  );
}

/** The study drawer: a dialog whose name contains the exam ID. */
export const studyDialog = (page, examId) => page.getByRole('dialog', { name: new RegExp(`\\b${examId}\\b`) });
