// The keyboard path, with no mouse at all: / focuses the search, typing searches,
// ↓/↑ move through the rows, Enter opens the selected study, Esc closes it, and the
// keys go on working in the list. Needs a server with demo data (tests/test_app_e2e.py).

import assert from 'node:assert/strict';
import { e2e, until } from './support/app.js';
import { bodyRows, expectServerView, searchBox, studiesTable, studyDialog } from './support/studies.js';

/** The index of the row marked selected (aria-selected), or -1. */
async function selectedRow(page) {
  return bodyRows(studiesTable(page)).evaluateAll((rows) => rows.findIndex((row) => row.getAttribute('aria-selected') === 'true'));
}

const isFocused = (locator) => locator.evaluate((element) => element === document.activeElement);

e2e('keyboard: / searches, arrows select, Enter opens, Esc closes', async (t, open) => {
  const app = await open();
  const { page } = app;
  // Only page.keyboard from here: no click, no mouse.
  const keyboard = page.keyboard;
  await expectServerView(page, { url: '' });

  await keyboard.press('/');
  await until(async () => assert.ok(await isFocused(searchBox(page)), '/ focuses the search box'));
  await keyboard.type('chest', { delay: 40 });
  const view = await expectServerView(page, { url: 'q=chest' });
  const ids = view.data.map((row) => row.exam_id);

  // ↓ from the search box goes to the first row, then on down, and ↑ back up.
  await keyboard.press('ArrowDown');
  await until(async () => assert.equal(await selectedRow(page), 0, '↓ from the search selects the first row'));
  assert.ok(!(await isFocused(searchBox(page))), 'the focus has left the search box');
  await keyboard.press('ArrowDown');
  await keyboard.press('ArrowDown');
  await until(async () => assert.equal(await selectedRow(page), 2));
  await keyboard.press('ArrowUp');
  await until(async () => assert.equal(await selectedRow(page), 1));
  await app.screenshot('keyboard-selected');

  // Enter opens the selected study; Esc closes it.
  await keyboard.press('Enter');
  const dialog = studyDialog(page, ids[1]);
  await dialog.waitFor();
  assert.equal(new URL(page.url()).searchParams.get('study'), ids[1]);
  await app.screenshot('keyboard-detail');
  await keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(new URL(page.url()).searchParams.get('study'), null);

  // The list still has the keys: ↓ moves on from the study that was open, Enter opens the next.
  await keyboard.press('ArrowDown');
  await until(async () => assert.equal(await selectedRow(page), 2, '↓ after Esc moves on from the row that was open'));
  await keyboard.press('Enter');
  await studyDialog(page, ids[2]).waitFor();
  await keyboard.press('Escape');
  await studyDialog(page, ids[2]).waitFor({ state: 'hidden' });

  // / again: back in the search box, its text selected, so typing replaces it.
  await keyboard.press('/');
  await until(async () => assert.ok(await isFocused(searchBox(page))));
  await keyboard.type('ct', { delay: 40 });
  await expectServerView(page, { url: 'q=ct' });
});
