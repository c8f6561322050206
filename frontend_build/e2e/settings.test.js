// The Settings screen against a real server and a real PostgreSQL database (made by
// pytest, IMAGING_DESK_E2E_POSTGRES): by the navigation and the keyboard, Test
// connection says in words that a port with nothing listening cannot be reached and
// that a database is missing, then that the real one answers; Save and restart keeps
// it (a browser is asked to restart Imaging Desk), "Use this PC's database" goes back,
// and it is saved again for pytest to restart the server on. Screenshots in English
// and 繁體中文 (settings-en.png, settings-zh.png, ...). Needs its own server.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { api, config, e2e, until } from './support/app.js';

const target = JSON.parse(process.env.IMAGING_DESK_E2E_POSTGRES ?? 'null');
const PASSWORD = 'e2e-Secret-pw';

e2e('settings: a PostgreSQL database tried in words, saved, and this PC’s own again', async (t, open) => {
  assert.ok(target, 'IMAGING_DESK_E2E_POSTGRES names the database (run through pytest)');
  const app = await open({ path: '/' });
  const { page } = app;
  const main = page.getByRole('main');

  // By the navigation, with the keyboard's Enter.
  await page.getByRole('navigation').getByRole('link', { name: 'Settings', exact: true }).focus();
  await page.keyboard.press('Enter');
  await until(() => assert.equal(new URL(page.url()).pathname, '/settings'));
  await main.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  const before = await api('settings/database');
  assert.equal(before.in_use.vendor, 'sqlite');
  await main.getByText(before.in_use.file, { exact: true }).waitFor();
  await app.screenshot('settings-en-local');

  const field = (name) => main.getByRole('textbox', { name, exact: true });
  const alert = main.getByRole('alert');
  // Typed with the keyboard alone: Tab from field to field, Enter tests.
  await field('Server').focus();
  await page.keyboard.type(target.host);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('1'); // nothing listens on port 1
  await page.keyboard.press('Tab');
  await page.keyboard.type(target.database);
  await page.keyboard.press('Tab');
  await page.keyboard.type(target.user);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'password', 'Tab reaches the password');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await alert.filter({ hasText: `The server ${target.host}:1 cannot be reached.` }).waitFor();
  await app.screenshot('settings-en-unreachable');

  await field('Port').fill(String(target.port));
  await field('Database name').fill('no_such_database_here');
  await main.getByRole('button', { name: 'Test connection' }).click();
  await alert.filter({ hasText: 'has no database no_such_database_here' }).waitFor();

  await field('Database name').fill(target.database);
  await main.getByRole('button', { name: 'Test connection' }).click();
  await main.getByText(`The database ${target.database} on ${target.host}:${target.port} answers. It holds no Imaging Desk data yet`).waitFor();
  await app.screenshot('settings-en');

  // Save and restart, in a browser: kept for the next start, and the screen asks for the restart.
  await main.getByRole('button', { name: 'Save and restart' }).click();
  await main.getByText('Saved. Restart Imaging Desk to use it', { exact: true }).waitFor();
  const saved = await api('settings/database');
  assert.equal(saved.next_start.vendor, 'postgresql');
  assert.equal(saved.next_start.name, target.database);
  assert.equal(saved.restart_needed, true);
  assert.ok(!JSON.stringify(saved).includes(PASSWORD), 'no password in the answer');
  await app.screenshot('settings-en-saved');

  await page.getByRole('radio', { name: '繁體中文' }).check();
  await main.getByRole('heading', { name: '設定', level: 1 }).waitFor();
  await main.getByRole('button', { name: '測試連線' }).click();
  await main.getByText(`${target.host}:${target.port} 上的資料庫 ${target.database} 有回應`, { exact: false }).waitFor();
  await app.screenshot('settings-zh');
  await main.getByRole('textbox', { name: '連接埠', exact: true }).fill('1');
  await main.getByRole('button', { name: '測試連線' }).click();
  await alert.filter({ hasText: `無法連上伺服器 ${target.host}:1` }).waitFor();
  await app.screenshot('settings-zh-unreachable');
  await page.getByRole('radio', { name: 'English' }).check();
  await main.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();

  // Back to this PC's own database, then saved again for pytest's restart.
  await main.getByRole('button', { name: "Use this PC's database" }).click();
  await main.getByText('Stop imaging-desk serve and start it again: it then uses this PC’s own database.', { exact: true }).waitFor();
  assert.equal((await api('settings/database')).next_start.vendor, 'sqlite');
  await field('Port').fill(String(target.port));
  await main.getByRole('button', { name: 'Save and restart' }).click();
  await main.getByText(`Stop imaging-desk serve and start it again: it then uses the PostgreSQL database ${target.database} on ${target.host}:${target.port}.`, { exact: true }).waitFor();

  // The page fits 1280x720 without a sideways scroll.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scroll');
  const entries = await api('audit?action=database');
  assert.equal(entries.total, 3, 'each change is in the audit trail');
  assert.ok(!JSON.stringify(entries).includes(PASSWORD), 'no password in the audit trail');
  fs.writeFileSync(path.join(config.out, 'settings.json'), JSON.stringify({ entries: entries.total }));
});
