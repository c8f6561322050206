// Open a study's detail from the list: its full record and reports, then the other
// studies of its patient, one of them opened in turn, the back button, and Close.
// Needs a server with demo data (tests/test_app_e2e.py).

import assert from 'node:assert/strict';
import { api, e2e, until } from './support/app.js';
import { bodyRows, searchApi, searchBox, studiesTable, studyDialog, urlSearch } from './support/studies.js';

/** A study of the newest page whose patient has other studies, preferably one with reports. */
async function studyWithRelated() {
  const newest = await searchApi({ page_size: 50 });
  let fallback = null;
  for (const row of newest.data) {
    const related = await api(`studies/${encodeURIComponent(row.exam_id)}/related?page_size=20`);
    if (related.total < 1 || related.matched_by !== 'medical_record_no') continue;
    const full = await api(`studies/${encodeURIComponent(row.exam_id)}/full`);
    const found = { full, related };
    if (full.reports.some((report) => report.findings)) return found;
    fallback ??= found;
  }
  assert.ok(fallback, 'the demo data has a patient with several studies');
  return fallback;
}

e2e('study detail: the full record, and the other studies of its patient', async (t, open) => {
  const { full, related } = await studyWithRelated();
  const examId = full.exam_id;
  t.diagnostic(`${examId} (${full.patient_name}, ${full.medical_record_no}): ${full.reports.length} report(s), ${related.total} other stud(ies)`);

  const app = await open();
  const { page } = app;
  await searchBox(page).fill(examId);
  const row = bodyRows(studiesTable(page)).filter({ hasText: examId });
  await until(async () => assert.equal(await bodyRows(studiesTable(page)).count(), 1, 'the exam ID finds one study'));
  await row.click();

  const dialog = studyDialog(page, examId);
  await dialog.waitFor();
  assert.equal(new URL(page.url()).searchParams.get('study'), examId, 'the open study is in the URL');
  assert.equal(await page.getByRole('dialog').count(), 1);
  // Its name: "Study EX00000007 · 李娜".
  await page.getByRole('dialog', { name: `Study ${examId} · ${full.patient_name}`, exact: true }).waitFor();

  // The full record: the fields beyond the list's, and the reports with their findings.
  for (const value of [full.medical_record_no, full.application_order_no, full.exam_description, full.certified_physician]) {
    if (value) await dialog.getByText(value, { exact: true }).first().waitFor();
  }
  await dialog.getByRole('heading', { name: `Reports (${full.reports.length})` }).waitFor();
  for (const report of full.reports) {
    await dialog.getByText(`Report ${report.report_id}`, { exact: true }).waitFor();
    if (report.findings) await dialog.getByText(report.findings, { exact: true }).waitFor();
  }

  // The other studies of the patient, newest first, as the server lists them.
  await dialog.getByRole('heading', { name: 'Other studies of this patient' }).waitFor();
  await dialog.getByText('Studies with the same medical record number, newest first.').waitFor();
  const openButtons = dialog.getByRole('button', { name: /^Open study / });
  await until(async () =>
    assert.deepEqual(await openButtons.allInnerTexts(), related.data.map((study) => study.exam_id), 'the other studies listed'),
  );
  await app.screenshot('study-detail');
  await dialog.getByRole('heading', { name: 'Other studies of this patient' }).evaluate((heading) => heading.scrollIntoView({ block: 'start' }));
  await app.screenshot('study-detail-other-studies');

  // One of them opens in the same drawer, and the back button returns to the first.
  const other = related.data[0].exam_id;
  await dialog.getByRole('button', { name: `Open study ${other}` }).click();
  const otherDialog = studyDialog(page, other);
  await otherDialog.waitFor();
  assert.equal(new URL(page.url()).searchParams.get('study'), other);
  await until(async () => assert.ok((await otherDialog.getByRole('button', { name: `Open study ${examId}` }).count()) === 1, `${other} lists ${examId} among its patient's studies`));
  await app.screenshot('study-detail-other-opened');

  await page.goBack();
  await studyDialog(page, examId).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('study'), examId);

  // Close: the list stays as it was searched.
  await studyDialog(page, examId).getByRole('button', { name: 'Close' }).click();
  await studyDialog(page, examId).waitFor({ state: 'hidden' });
  assert.equal(new URL(page.url()).searchParams.get('study'), null);
  assert.equal(urlSearch(page).get('q'), examId);
});
