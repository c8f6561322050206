// Export the current search as CSV and as Excel: each a download of the browser,
// saved where pytest reads it back (IMAGING_DESK_E2E_OUT/export.json names the files
// and the search), to check every study of the search against the server.
// Needs a server with demo data (tests/test_app_e2e.py).

import assert from 'node:assert/strict';
import path from 'node:path';
import { config, e2e, grouped, writeManifest } from './support/app.js';
import { expectServerView, urlSearch } from './support/studies.js';

// More studies than one page, in name order, Latin and Chinese names among them.
const SEARCH = 'exam_source=CT&exam_status=completed&sort=patient_name_asc';

e2e('export: CSV and Excel of every study of the search', async (t, open) => {
  const app = await open({ path: `/?${SEARCH}` });
  const { page } = app;
  const view = await expectServerView(page, { url: SEARCH });
  assert.ok(view.total > view.page_size, `more than one page to export (${view.total})`);

  const files = {};
  for (const [format, button] of [
    ['csv', 'Export CSV'],
    ['xlsx', 'Export Excel'],
  ]) {
    // Excel is fetched by the app (to read how many cells it shortened), then saved
    // from memory; CSV streams straight to the browser.
    const exported =
      format === 'xlsx' && page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/studies/export');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
    const suggested = download.suggestedFilename();
    assert.match(suggested, new RegExp(`^studies_\\d{8}_\\d{6}\\.${format}$`), 'the server names the file');
    const response = exported && (await exported);
    if (response) {
      assert.equal(new URL(download.url()).protocol, 'blob:');
      assert.equal(response.headers()['x-imaging-desk-shortened-cells'], '0');
    }
    const url = new URL(response ? response.url() : download.url());
    assert.equal(url.origin, new URL(config.url).origin);
    assert.equal(url.pathname, '/api/v1/studies/export');
    assert.equal(url.searchParams.get('format'), format);
    const file = path.join(config.out, `export-${suggested}`);
    await download.saveAs(file);
    assert.equal(await download.failure(), null);
    files[format] = { file, suggested, url: url.href };
    t.diagnostic(`${button}: ${suggested} saved as ${file}`);
    // The app says it started, with the count.
    await page.getByText(`The export of ${grouped(view.total)} studies has started.`).first().waitFor();
  }
  await app.screenshot('export');

  writeManifest('export', { search: urlSearch(page).toString(), total: view.total, ...files });
});
