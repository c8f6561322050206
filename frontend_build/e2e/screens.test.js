// Every screen through the navigation: Studies, Reports (a search), Analysis (the
// clinic statistics and the tasks), Import, Audit trail and Backups, with the page
// making no request beyond its own origin and logging no console error on any of them (the check every test
// ends with). Each screen is checked and screenshotted even when another fails, and
// the test then names every screen that fell short. Needs a server with demo data
// (tests/test_app_e2e.py).

import assert from 'node:assert/strict';
import { api, e2e, query, until } from './support/app.js';
import { bodyRows, expectServerView } from './support/studies.js';

const firstCells = (table) => bodyRows(table).evaluateAll((rows) => rows.map((row) => row.querySelector('td')?.textContent?.trim() ?? ''));

e2e('screens: each one by the navigation, all offline', async (t, open) => {
  const app = await open();
  const { page } = app;
  const main = page.getByRole('main');
  const problems = [];
  const screen = async (link, pathname, check) => {
    await page.getByRole('navigation').getByRole('link', { name: link, exact: true }).click();
    try {
      await until(() => assert.equal(new URL(page.url()).pathname, pathname));
      await check();
    } catch (error) {
      const message = error.message.replace(/\x1b\[[0-9;]*m/g, '').split('\n').slice(0, 3).join(' ');
      problems.push(`${link}: ${message}`);
    }
    await app.screenshot(`screen-${link.toLowerCase()}`);
  };
  await expectServerView(page, { url: '' });

  // Reports: a search, its rows in the server's order, the match highlighted.
  await screen('Reports', '/reports', async () => {
    await main.getByRole('searchbox', { name: 'Search reports' }).fill('nodule', { timeout: 8000 });
    const expected = await api(`reports/search?${query({ q: 'nodule' })}`);
    assert.ok(expected.total > 0, 'the demo reports mention nodules');
    const reports = main.getByRole('table', { name: 'Reports' });
    await until(async () => {
      const shown = await firstCells(reports);
      assert.ok(shown.length > 0, 'reports are listed');
      assert.deepEqual(shown, expected.data.slice(0, shown.length).map((report) => report.report_id), 'the reports in the server’s order');
      assert.ok((await reports.locator('mark').count()) > 0, 'the match is highlighted');
    });
  });

  // Analysis: the clinic statistics and the analysis tasks.
  await screen('Analysis', '/analysis', async () => {
    await main.getByRole('heading', { name: 'Clinic statistics' }).waitFor({ timeout: 8000 });
    await main.getByRole('table', { name: 'Analysis tasks' }).waitFor({ timeout: 8000 });
    // The charts load when the screen opens; the volume chart is drawn on its canvas.
    await main.getByRole('img', { name: /^Chart: Volume/ }).locator('canvas').waitFor({ timeout: 8000 });
  });

  // Import: the path field, the button, and the history of the imports so far.
  await screen('Import', '/import', async () => {
    await main.getByRole('textbox', { name: 'DuckDB file path' }).waitFor({ timeout: 8000 });
    await main.getByRole('button', { name: 'Import', exact: true }).waitFor({ timeout: 8000 });
    const history = await api('import/history');
    const historyTable = main.getByRole('table', { name: 'Import history' });
    await until(async () => assert.equal(await bodyRows(historyTable).count(), Math.min(history.total, 10), 'a row per import'), { timeout: 8000 });
  });

  // Audit trail: the demo data's import among its entries, a row per entry of the first page.
  await screen('Audit trail', '/audit', async () => {
    const entries = await api('audit');
    assert.ok(entries.data.some((entry) => entry.action === 'import'), 'the demo import is recorded');
    const trail = main.getByRole('table', { name: 'Audit trail' });
    await until(async () => assert.equal(await bodyRows(trail).count(), Math.min(entries.total, 20), 'a row per entry'), { timeout: 8000 });
  });

  // Backups: the folder and its list, and the button.
  await screen('Backups', '/backups', async () => {
    const listing = await api('backups');
    await main.getByText(listing.folder, { exact: true }).waitFor({ timeout: 8000 });
    await main.getByRole('button', { name: 'Back up now' }).waitFor({ timeout: 8000 });
    await main.getByRole('table', { name: 'Backups' }).waitFor({ timeout: 8000 });
  });

  // And back to the studies.
  await screen('Studies', '/', () => expectServerView(page, { url: '' }));
  assert.deepEqual(problems, [], 'every screen shows its test hooks');
});
