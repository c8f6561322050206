// Import a DuckDB file on the Import screen: its path typed in, the progress bar fed
// by the job until done, then the reconciliation numbers, the quarantined rows and the
// import history, all as the server reports them. Needs a server of its own and the
// file to import in IMAGING_DESK_E2E_IMPORT_FILE (tests/test_app_e2e.py makes both).

import assert from 'node:assert/strict';
import path from 'node:path';
import { api, e2e, grouped, labelledValue, until, watchProgress } from './support/app.js';
import { bodyRows, expectServerView } from './support/studies.js';

const FILE = process.env.IMAGING_DESK_E2E_IMPORT_FILE;

// The reconciliation: each label the screen shows, and the report's field it stands for.
const RECONCILIATION = [
  ['Inserted', 'inserted'],
  ['Updated', 'updated'],
  ['Unchanged', 'unchanged'],
  ['Duplicates', 'duplicates'],
  ['Quarantined', 'quarantined'],
  ['Not in source', 'not_in_source'],
];

e2e('import: a DuckDB file, its progress to done, and the reconciliation', async (t, open) => {
  assert.ok(FILE, 'IMAGING_DESK_E2E_IMPORT_FILE names the DuckDB file to import');
  const before = await api('import/history');

  const app = await open();
  const { page } = app;
  await page.getByRole('navigation').getByRole('link', { name: 'Import', exact: true }).click();
  await until(() => assert.equal(new URL(page.url()).pathname, '/import'));
  const main = page.getByRole('main');

  await main.getByRole('textbox', { name: 'DuckDB file path' }).fill(FILE);
  const started = page.waitForResponse((r) => r.url().endsWith('/api/v1/import/duckdb') && r.request().method() === 'POST');
  await main.getByRole('button', { name: 'Import', exact: true }).click();
  const response = await started;
  assert.equal(response.status(), 202, await response.text());
  const { job_id: jobId } = await response.json();

  // The progress, watched until the bar reads 100 % (or the reconciliation shows, for
  // a clearer failure than a time-out if the bar never gets there); Cancel while it runs.
  const progressbar = main.getByRole('progressbar', { name: /Import/ });
  const cancel = main.getByRole('button', { name: 'Cancel', exact: true });
  let cancelSeen = false;
  let runningShot = false;
  let reconciledAt = null;
  const readings = await watchProgress(progressbar, async (reading) => {
    const now = reading?.now ?? 0;
    if (now < 100 && (await cancel.isVisible())) {
      cancelSeen = true;
      if (!runningShot) {
        runningShot = true;
        await app.screenshot('import-running');
      }
    }
    if (now === 100) return true;
    // Shown before the bar got there: give the bar 3 s more, then fail on its reading.
    if (reconciledAt === null && (await labelledValue(main, 'Inserted')) !== null) reconciledAt = Date.now();
    return reconciledAt !== null && Date.now() - reconciledAt > 3000;
  });
  t.diagnostic(`job ${jobId}; the progress read: ${readings.map((r) => `${r.now}% (${r.text})`).join(' → ')}; Cancel shown while running: ${cancelSeen}`);
  for (let i = 1; i < readings.length; i += 1) assert.ok(readings[i].now >= readings[i - 1].now, 'the progress never goes back');
  assert.equal(readings.at(-1)?.now, 100, 'the progress bar reaches 100 %');

  const job = await api(`import/jobs/${jobId}`);
  assert.equal(job.state, 'done', JSON.stringify(job));
  const { report } = job;

  // The reconciliation numbers, as the report has them.
  for (const [label, field] of RECONCILIATION) {
    await until(async () => assert.equal(await labelledValue(main, label), grouped(report[field]), `"${label}" shows the report's ${field}`));
  }
  await app.screenshot('import-done');

  // The quarantined rows, with their reasons.
  const issues = await api(`import/jobs/${jobId}/issues?page_size=100`);
  assert.equal(issues.total, report.quarantined);
  const quarantined = main.getByRole('table', { name: 'Quarantined rows' });
  assert.ok(issues.total > 0 && issues.total <= 10, 'the file has a few quarantined rows: one page');
  await until(async () => assert.equal(await bodyRows(quarantined).count(), issues.total));
  const shown = await quarantined.textContent();
  for (const issue of issues.data) assert.ok(shown.includes(issue.reason), `the reason is shown: ${issue.reason}`);
  await quarantined.scrollIntoViewIfNeeded();
  await app.screenshot('import-quarantined');

  // The import history: every import, newest (this one) first.
  const history = await api('import/history');
  assert.equal(history.total, before.total + 1);
  assert.equal(history.data[0].job_id, jobId);
  const historyTable = main.getByRole('table', { name: 'Import history' });
  assert.ok(history.total <= 10, 'a few imports: one page');
  await until(async () => assert.equal(await bodyRows(historyTable).count(), history.total));
  assert.ok((await bodyRows(historyTable).first().textContent()).includes(path.basename(FILE)), 'the newest import names its file');

  // The studies are there.
  await page.getByRole('navigation').getByRole('link', { name: 'Studies', exact: true }).click();
  const view = await expectServerView(page, { url: '' });
  assert.equal(view.total, (await api('health')).studies);
});
