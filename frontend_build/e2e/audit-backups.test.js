// The Audit trail and Backups screens against a real server whose data folder holds an
// import (made by pytest with the real commands): an export of the Studies screen and
// the import both appear in the audit trail, its filter narrows it, its own Export CSV
// downloads what it shows; on the Backups screen Back up now adds a verified row. Both
// screens are screenshotted in English and 繁體中文 (audit-en.png, backups-zh.png, ...).
// Needs its own server (tests/test_app_e2e.py): it adds backups and audit entries.

import assert from 'node:assert/strict';
import path from 'node:path';
import { api, config, e2e, until, writeManifest } from './support/app.js';

const rowsOf = (table) => table.locator('tbody tr.ant-table-row');
/** Each row's cells' texts; `skip` leading cells (the audit trail's expand button). */
const cellTexts = (table, skip = 1) =>
  rowsOf(table).evaluateAll((rows, n) => rows.map((row) => [...row.querySelectorAll('td')].slice(n).map((cell) => cell.textContent.trim())), skip);

e2e('audit trail and backups: an import and an export are listed, Back up now adds a row', async (t, open) => {
  const app = await open({ path: '/?exam_source=CT' });
  const { page } = app;
  const main = page.getByRole('main');
  await main.getByRole('table', { name: 'Studies' }).locator('tbody tr.study-row').first().waitFor();

  // An export of the Studies screen, as staff make it.
  const [studies] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  await studies.saveAs(path.join(config.out, 'studies.csv'));

  // The Audit trail screen, by the navigation, with the keyboard's Enter.
  await page.getByRole('navigation').getByRole('link', { name: 'Audit trail', exact: true }).focus();
  await page.keyboard.press('Enter');
  await until(() => assert.equal(new URL(page.url()).pathname, '/audit'));
  const trail = main.getByRole('table', { name: 'Audit trail' });
  const expected = await api('audit');
  await until(async () => {
    const shown = await cellTexts(trail);
    assert.deepEqual(shown.map((cells) => cells[3]), expected.data.slice(0, shown.length).map((entry) => entry.summary), 'the server’s entries, newest first');
    const actions = shown.map((cells) => cells[1]);
    assert.ok(actions.includes('Export'), `the export is listed (${actions})`);
    assert.ok(actions.includes('Import'), `the import is listed (${actions})`);
  });
  const exportEntry = expected.data.find((entry) => entry.action === 'export');
  assert.equal(expected.data.filter((entry) => entry.action === 'export').length, 1, 'the export is recorded once');
  // With the keyboard alone: the details' button, then Enter.
  await main.getByRole('button', { name: `Show the details of entry ${exportEntry.id}` }).focus();
  await page.keyboard.press('Enter');
  await main.getByLabel(`Details of entry ${exportEntry.id}`, { exact: true }).waitFor();
  await app.screenshot('audit-en');
  await page.getByRole('radio', { name: '繁體中文' }).check();
  await main.getByRole('table', { name: '稽核紀錄' }).waitFor();
  await main.getByRole('button', { name: '匯出 CSV' }).waitFor();
  await app.screenshot('audit-zh');
  await page.getByRole('radio', { name: 'English' }).check();
  await main.getByRole('table', { name: 'Audit trail' }).waitFor();

  // Filtered to the imports: only they are left, and the export link carries the filter.
  await main.getByRole('combobox', { name: 'Action' }).click();
  await page.getByRole('option', { name: 'Import', exact: true }).click();
  await until(() => assert.equal(new URL(page.url()).searchParams.get('action'), 'import'));
  const imports = await api('audit?action=import');
  assert.ok(imports.total >= 1);
  await until(async () => assert.deepEqual((await cellTexts(trail)).map((cells) => cells[1]), imports.data.map(() => 'Import')));
  await page.getByText(imports.total === 1 ? '1 entry' : `${imports.total} entries`).waitFor();
  const [audit] = await Promise.all([page.waitForEvent('download'), main.getByRole('button', { name: 'Export CSV' }).click()]);
  const auditUrl = new URL(audit.url());
  assert.equal(auditUrl.pathname, '/api/v1/audit/export');
  assert.equal(auditUrl.searchParams.get('action'), 'import');
  const auditFile = path.join(config.out, `audit-${audit.suggestedFilename()}`);
  await audit.saveAs(auditFile);
  assert.equal(await audit.failure(), null);

  // Backups: Back up now adds a verified row.
  await page.getByRole('navigation').getByRole('link', { name: 'Backups', exact: true }).click();
  const backups = main.getByRole('table', { name: 'Backups' });
  const before = (await api('backups')).backups.length;
  await main.getByText((await api('backups')).folder, { exact: true }).waitFor();
  await until(async () => assert.equal(await rowsOf(backups).count(), before));
  await main.getByRole('button', { name: 'Back up now' }).focus();
  await page.keyboard.press('Enter');
  // (Its progress bar shows while it runs: a backup of 3,000 studies may be done before it is seen.)
  await main.getByText(/^Backed up: /).waitFor({ timeout: 60_000 });
  await until(async () => assert.equal(await main.getByRole('button', { name: 'Back up now' }).getAttribute('aria-busy'), null, 'ready for another'));
  // The keyboard's focus stayed on the button all along.
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Back up now');
  await page.waitForTimeout(400); // antd's transitions, for the screenshot
  await until(async () => assert.equal(await rowsOf(backups).count(), before + 1), { timeout: 15_000 });
  const listed = (await api('backups')).backups;
  assert.equal(listed.length, before + 1);
  const [first] = await cellTexts(backups, 0);
  const newest = listed[0];
  assert.equal(newest.kind, 'manual');
  assert.ok(newest.verified, 'the new backup was checked');
  assert.deepEqual([first[1], first[2], first[4], first[6]], ['Manual', newest.name, newest.studies.toLocaleString('en-US'), 'Verified']);
  await app.screenshot('backups-en');
  // No window, no folder to open.
  assert.equal(await main.getByRole('button', { name: 'Open backups folder' }).count(), 0);

  await page.getByRole('radio', { name: '繁體中文' }).check();
  await main.getByRole('table', { name: '備份' }).waitFor();
  await main.getByRole('button', { name: '立即備份' }).waitFor();
  await app.screenshot('backups-zh');

  writeManifest('audit-backups', { audit: auditFile, exportEntry, imports: imports.total, backups: listed.length });
});
