// Switching language, English ⇄ 繁體中文: the first language follows the system's,
// the switch changes the texts, and the choice is remembered after a reload and in a
// browser that never saw it (the server keeps the preferences). Needs a server with
// demo data (tests/test_app_e2e.py).

import assert from 'node:assert/strict';
import { e2e, grouped, until } from './support/app.js';
import { searchApi } from './support/studies.js';

const TEXTS = {
  en: { nav: ['Studies', 'Reports', 'Analysis', 'Import', 'Audit trail', 'Backups', 'Settings'], search: 'Search studies', total: (n) => `${grouped(n)} studies`, examId: 'Exam ID', csv: 'Export CSV', radio: 'English' },
  'zh-TW': { nav: ['檢查', '報告', '分析', '匯入', '稽核紀錄', '備份', '設定'], search: '搜尋檢查', total: (n) => `共 ${grouped(n)} 項檢查`, examId: '檢查編號', csv: '匯出 CSV', radio: '繁體中文' },
};

/** Until the Studies screen is all in `language`. */
async function expectLanguage(page, language, total) {
  const texts = TEXTS[language];
  await until(async () => {
    assert.equal(await page.locator('html').getAttribute('lang'), language);
    const switcher = page.getByRole('radiogroup', { name: 'Language' });
    assert.ok(await switcher.getByRole('radio', { name: texts.radio, exact: true }).isChecked(), `${texts.radio} is chosen`);
    const nav = page.getByRole('banner').getByRole('navigation').getByRole('link');
    assert.deepEqual(await nav.allInnerTexts(), texts.nav);
    assert.equal(await page.getByRole('searchbox', { name: texts.search, exact: true }).count(), 1);
    assert.equal(await page.getByText(texts.total(total), { exact: true }).count(), 1, `the total reads "${texts.total(total)}"`);
    assert.equal(await page.getByRole('columnheader', { name: texts.examId, exact: true }).count(), 1);
    assert.equal(await page.getByRole('button', { name: texts.csv, exact: true }).count(), 1);
  });
}

/** Chooses a language with the switch and waits until the server keeps it. */
async function choose(page, language) {
  const saved = page.waitForResponse(
    (response) =>
      response.url().endsWith('/api/v1/preferences') && response.request().method() === 'PUT' && JSON.parse(response.request().postData() ?? '{}').language === language,
  );
  await page.getByRole('radiogroup', { name: 'Language' }).getByRole('radio', { name: TEXTS[language].radio, exact: true }).check();
  assert.equal((await saved).status(), 200);
}

e2e('language: English ⇄ 繁體中文, remembered', async (t, open) => {
  const { total } = await searchApi({ page_size: 1 });

  // A Chinese system, nothing chosen yet: the app starts in 繁體中文.
  const chinese = await open({ locale: 'zh-TW' });
  await expectLanguage(chinese.page, 'zh-TW', total);
  await chinese.screenshot('language-system-zh-TW');
  // English chosen: the texts change, and stay so after a reload despite the system's language.
  await choose(chinese.page, 'en');
  await expectLanguage(chinese.page, 'en', total);
  await chinese.page.reload();
  await expectLanguage(chinese.page, 'en', total);

  // An English system: the choice it finds is English; 繁體中文 chosen and reloaded.
  const english = await open({ locale: 'en-US' });
  await expectLanguage(english.page, 'en', total);
  await choose(english.page, 'zh-TW');
  await expectLanguage(english.page, 'zh-TW', total);
  await english.page.reload();
  await expectLanguage(english.page, 'zh-TW', total);
  await english.screenshot('language-zh-TW');

  // Another browser on this PC, with nothing stored in it: the server's choice holds.
  const fresh = await open({ locale: 'en-US' });
  await expectLanguage(fresh.page, 'zh-TW', total);
  await choose(fresh.page, 'en');
  await expectLanguage(fresh.page, 'en', total);
  await fresh.page.reload();
  await expectLanguage(fresh.page, 'en', total);
  await fresh.screenshot('language-en');
});
