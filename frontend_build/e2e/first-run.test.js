// The first run, on an empty database: the app says what it is and offers "Import
// DuckDB file" and "Load demo data"; the demo data loads as an import job with its
// progress, and then the studies are there. Needs a server with an EMPTY data
// folder (tests/test_app_e2e.py starts one).

import assert from 'node:assert/strict';
import { api, e2e, grouped, until, watchProgress } from './support/app.js';
import { expectServerView, studiesTable, totalText } from './support/studies.js';

e2e('first run: an empty database, then "Load demo data"', async (t, open) => {
  const health = await api('health');
  assert.equal(health.studies, 0, 'this test needs a server with an empty database');

  const app = await open();
  const { page } = app;
  await page.getByRole('heading', { name: 'Welcome to Imaging Desk', level: 1 }).waitFor();
  await page.getByText(/finds and reviews your clinic’s imaging examinations on this PC/).waitFor();
  await page.getByText(/Its database is empty/).waitFor();
  const importButton = page.getByRole('button', { name: 'Import DuckDB file', exact: true });
  const demoButton = page.getByRole('button', { name: 'Load demo data', exact: true });
  await importButton.waitFor();
  await demoButton.waitFor();
  assert.equal(await studiesTable(page).count(), 0, 'no studies table on an empty database');
  await app.screenshot('first-run');

  // "Import DuckDB file" leads to the Import screen; back is the first run again.
  await importButton.click();
  await until(() => assert.equal(new URL(page.url()).pathname, '/import'));
  await page.goBack();
  await demoButton.waitFor();

  // "Load demo data": a job, its progress, then the Studies screen with the new studies.
  const started = page.waitForResponse((r) => r.url().endsWith('/api/v1/import/demo') && r.request().method() === 'POST');
  await demoButton.click();
  const response = await started;
  assert.equal(response.status(), 202);
  const { job_id: jobId } = await response.json();
  const readings = await watchProgress(page.getByRole('progressbar', { name: 'Loading demo data' }), async () => (await totalText(page).count()) > 0);
  t.diagnostic(`job ${jobId}; the progress read: ${readings.map((r) => `${r.now}% (${r.text})`).join(' → ') || 'nothing (it was done before the first look)'}`);
  for (let i = 1; i < readings.length; i += 1) assert.ok(readings[i].now >= readings[i - 1].now, 'the progress never goes back');

  const job = await api(`import/jobs/${jobId}`);
  assert.equal(job.state, 'done');
  const studies = (await api('health')).studies;
  assert.equal(studies, job.report.inserted);
  assert.ok(studies > 0);
  const view = await expectServerView(page, { url: '' });
  assert.equal(view.total, studies);
  assert.equal(await totalText(page).innerText(), `${grouped(studies)} studies`);
  await app.screenshot('first-run-demo-loaded');
});
