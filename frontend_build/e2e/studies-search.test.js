// Search, filter, sort and page the studies, then walk the browser's history back
// and forward: the whole search lives in the URL, and every view is what the server
// answers for it. Needs a server with demo data (tests/test_app_e2e.py).

import assert from 'node:assert/strict';
import { e2e, until } from './support/app.js';
import { expectServerView, searchBox, studiesTable } from './support/studies.js';

e2e('studies: search, filter, sort, page, back and forward', async (t, open) => {
  const app = await open();
  const { page } = app;

  const states = [];
  const step = async (label, expectedUrl, { settle = false } = {}) => {
    let view = await expectServerView(page, { url: expectedUrl });
    if (settle) {
      // History steps: the view must stay (the app may not replace it with another search).
      await page.waitForTimeout(600);
      view = await expectServerView(page, { url: expectedUrl, timeout: 0 });
    }
    states.push({ label, url: expectedUrl, total: view.total, first: view.data[0]?.exam_id });
    t.diagnostic(`${label}: ?${expectedUrl} -> ${view.total} studies, first ${view.data[0]?.exam_id}`);
    return view;
  };

  const all = await step('start', '');
  assert.ok(all.total > 1000, `demo data expected, the server has ${all.total} studies`);

  // Search: typed text, debounced into one search (and one history entry).
  await searchBox(page).fill('chest');
  const searched = await step('search', 'q=chest');
  assert.ok(searched.total > 40 && searched.total < all.total, 'the search narrows to more than two pages');
  const marks = studiesTable(page).locator('mark');
  await until(async () => assert.ok((await marks.count()) > 0, 'the matched text is highlighted'));
  assert.match(await marks.first().innerText(), /^chest$/i);

  // Filter: a status from the multi-select (offered with its count), then an age.
  await page.getByRole('combobox', { name: 'Status' }).click();
  await page.getByRole('option', { name: /^completed [\d,]+$/ }).click();
  await page.keyboard.press('Escape');
  await step('status filter', 'q=chest&exam_status=completed');
  await page.getByRole('spinbutton', { name: 'Minimum age' }).fill('40');
  await step('age filter', 'q=chest&exam_status=completed&patient_age_min=40');

  // Sort: by patient name, on the server.
  await studiesTable(page).getByRole('columnheader', { name: 'Patient' }).click();
  const sorted = await step('sort', 'q=chest&exam_status=completed&patient_age_min=40&sort=patient_name_asc');
  const names = sorted.data.map((row) => row.patient_name ?? '\u{10FFFF}');
  assert.deepEqual(names, [...names].sort(), 'the page is in name order');

  // Page: the second page.
  await page.getByRole('listitem', { name: '2', exact: true }).click();
  const paged = await step('page 2', 'q=chest&exam_status=completed&patient_age_min=40&sort=patient_name_asc&page=2');
  assert.notEqual(paged.data[0].exam_id, sorted.data[0].exam_id);
  await page.evaluate(() => window.scrollTo(0, 0)); // the pager is at the bottom: show the filters too
  await app.screenshot('studies-search');

  // Back through every state, and the search box follows the URL.
  const forward = [...states];
  for (let index = forward.length - 2; index >= 0; index -= 1) {
    await page.goBack();
    const back = await step(`back to ${forward[index].label}`, forward[index].url, { settle: true });
    assert.equal(back.total, forward[index].total);
    const q = new URLSearchParams(forward[index].url).get('q') ?? '';
    await until(async () => assert.equal(await searchBox(page).inputValue(), q, 'the search box shows the URL’s text'));
  }
  await page.goForward();
  await step('forward to search', 'q=chest', { settle: true });
  await until(async () => assert.equal(await searchBox(page).inputValue(), 'chest'));

  // A link reopens the same view.
  await app.goto('/?q=chest&exam_status=completed&patient_age_min=40&sort=patient_name_asc&page=2');
  const reopened = await step('reopened link', 'q=chest&exam_status=completed&patient_age_min=40&sort=patient_name_asc&page=2');
  assert.deepEqual(reopened.data, paged.data);
  await app.screenshot('studies-search-reopened');
});
