// What every end-to-end test shares: the server it runs against (from the
// environment, set by tests/test_app_e2e.py), the API with the token, Debian's
// Chromium, a browser context signed in through a one-time login link, and the
// watch on every page: no request beyond the app's own origin, no console error.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Chromium as the brief has it: Debian's build, no sandbox (root), nothing of its own online. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-sync',
  '--disable-component-update',
];
export const VIEWPORT = { width: 1280, height: 720 };

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set. These tests run against a real server: run them through pytest ` +
        '(.venv/bin/pytest tests/test_app_e2e.py), or set IMAGING_DESK_E2E_URL and IMAGING_DESK_E2E_TOKEN ' +
        'for a running `imaging-desk serve` (see frontend_build/README.md, "End-to-end tests").',
    );
  }
  return value;
}

/** The server under test and where the artifacts go. */
export const config = {
  /** The app's root URL, e.g. http://127.0.0.1:43939/ */
  url: new URL(required('IMAGING_DESK_E2E_URL')).href,
  token: required('IMAGING_DESK_E2E_TOKEN'),
  chromium: process.env.IMAGING_DESK_E2E_CHROMIUM || '/usr/bin/chromium',
  screenshots: process.env.IMAGING_DESK_E2E_SCREENSHOTS || path.join(E2E_DIR, 'screenshots'),
  /** Downloads and what a test tells pytest (JSON manifests). */
  out: process.env.IMAGING_DESK_E2E_OUT || fs.mkdtempSync(path.join(os.tmpdir(), 'imaging-desk-e2e-')),
};
export const origin = new URL(config.url).origin;

/** An API call with the token, as a script makes it: the parsed JSON (null for 204). */
export async function api(apiPath, { method = 'GET', body } = {}) {
  const response = await fetch(new URL(`api/v1/${apiPath}`, config.url), {
    method,
    headers: { Authorization: `Bearer ${config.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} /api/v1/${apiPath}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A query string for the API from an object; arrays repeat the parameter. */
export function query(params) {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const one of Array.isArray(value) ? value : [value]) if (one !== undefined && one !== null) out.append(key, String(one));
  }
  return out.toString();
}

/** Numbers as the app shows them in English (and zh-TW): `2,999`. */
export const grouped = (n) => n.toLocaleString('en-US');

/** Retries `check` (which throws, e.g. an assert) until it passes; then its last error. */
export async function until(check, { timeout = 15_000, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

let browser = null;
async function theBrowser() {
  if (!browser) {
    if (!fs.existsSync(config.chromium)) throw new Error(`No Chromium at ${config.chromium} (apt-get install chromium)`);
    browser = await chromium.launch({ executablePath: config.chromium, args: CHROMIUM_ARGS, headless: true });
  }
  return browser;
}
after(async () => {
  await browser?.close();
  browser = null;
});

/** Where a screenshot named `name` goes: <screenshots>/<name>.png */
export function screenshotPath(name) {
  fs.mkdirSync(config.screenshots, { recursive: true });
  return path.join(config.screenshots, `${name}.png`);
}

/**
 * A browser window signed in to the app: a fresh context (its own cookies and
 * localStorage), every page watched for requests to other hosts and console errors.
 */
class AppWindow {
  constructor(context, page) {
    this.context = context;
    this.page = page;
    /** Requests to any other origin than the server's: must stay empty. */
    this.foreignRequests = [];
    /** Console errors and uncaught exceptions of the page: must stay empty. */
    this.consoleErrors = [];
    this.requests = 0;
    context.on('request', (request) => {
      const url = request.url();
      if (url.startsWith('data:') || url.startsWith('blob:')) return;
      this.requests += 1;
      if (new URL(url).origin !== origin) this.foreignRequests.push(`${request.method()} ${url}`);
    });
    context.on('websocket', (socket) => this.foreignRequests.push(`websocket ${socket.url()}`));
    const watchPage = (p) => {
      p.on('console', (message) => {
        if (message.type() === 'error') {
          const where = message.location();
          this.consoleErrors.push(`${message.text()}${where?.url ? ` (${where.url}:${where.lineNumber})` : ''}`);
        }
      });
      p.on('pageerror', (error) => this.consoleErrors.push(`uncaught: ${error.stack || error.message}`));
    };
    context.on('page', watchPage);
    watchPage(page);
  }

  /** Opens a path of the app (e.g. `/?q=chest`) and waits for its header. */
  async goto(appPath) {
    await this.page.goto(new URL(appPath.replace(/^\//, ''), config.url).href);
    await this.page.getByRole('banner').waitFor();
  }

  async screenshot(name) {
    const file = screenshotPath(name);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** No request left the app's origin, and the console stayed free of errors. */
  assertClean() {
    assert.deepEqual(this.foreignRequests, [], 'the page made requests beyond its own origin');
    assert.deepEqual(this.consoleErrors, [], 'the page logged console errors');
    assert.ok(this.requests > 0, 'the watch saw no request at all');
  }
}

/** A fresh one-time login link (POST /api/v1/auth/login-links with the token). */
export async function loginLink() {
  const link = await api('auth/login-links', { method: 'POST' });
  assert.equal(new URL(link.url).origin, origin, 'the login link points at the server');
  assert.ok(link.expires_in_s > 0 && link.expires_in_s <= 60);
  return link.url;
}

/**
 * One end-to-end test. `body(t, open)` gets node's test context and `open(options)`,
 * which returns a signed-in AppWindow (options: locale, default en-US; path, default /).
 * The user's preferences on the server start empty (as after a first install), so
 * that no earlier test's language or remembered search carries over. Every window
 * opened is checked (no foreign request, no console error) when the body has passed,
 * screenshotted as <name>-failure-N.png when it has not, and closed.
 */
export function e2e(name, body, { timeout = 120_000 } = {}) {
  test(name, { timeout }, async (t) => {
    await api('preferences', { method: 'PUT', body: {} });
    const windows = [];
    const open = async ({ locale = 'en-US', path: appPath = '/' } = {}) => {
      const context = await (await theBrowser()).newContext({ viewport: VIEWPORT, locale, acceptDownloads: true });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const window = new AppWindow(context, page);
      windows.push(window);
      // The link sets the session cookie and redirects to /.
      await page.goto(await loginLink());
      assert.equal(new URL(page.url()).pathname, '/', 'the login link lands on the app');
      await page.getByRole('banner').waitFor();
      if (appPath !== '/') await window.goto(appPath);
      return window;
    };
    // "study detail: ..." -> study-detail-failure-1.png; an earlier run's are removed.
    const slug = name.split(':')[0].replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
    for (const file of fs.existsSync(config.screenshots) ? fs.readdirSync(config.screenshots) : []) {
      if (file.startsWith(`${slug}-failure-`)) fs.rmSync(path.join(config.screenshots, file));
    }
    try {
      await body(t, open);
      for (const window of windows) window.assertClean();
      const requests = windows.reduce((sum, w) => sum + w.requests, 0);
      t.diagnostic(`${windows.length} window(s), ${requests} requests, all to ${origin}; no console error`);
    } catch (error) {
      for (const [index, window] of windows.entries()) {
        const file = screenshotPath(`${slug}-failure-${index + 1}`);
        await window.page.screenshot({ path: file }).catch(() => {});
        console.error(`screenshot of window ${index + 1} at the failure: ${file}  (at ${window.page.url()})`);
        if (window.consoleErrors.length) console.error(`console errors:\n  ${window.consoleErrors.join('\n  ')}`);
        if (window.foreignRequests.length) console.error(`foreign requests:\n  ${window.foreignRequests.join('\n  ')}`);
      }
      throw error;
    } finally {
      for (const window of windows) await window.context.close().catch(() => {});
    }
  });
}

/** Writes what a test found for pytest to read back (e.g. the downloads' paths). */
export function writeManifest(name, value) {
  fs.mkdirSync(config.out, { recursive: true });
  const file = path.join(config.out, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

/**
 * Watches a progress bar until `done(reading)` is true: every distinct reading of it
 * (aria-valuenow and aria-valuetext), polled every 50 ms while it is shown. `done`
 * gets the reading just recorded (null while no bar is shown), so that what it
 * decides on is the last reading returned.
 */
export async function watchProgress(progressbar, done, { timeout = 60_000 } = {}) {
  const readings = [];
  const deadline = Date.now() + timeout;
  for (;;) {
    const reading = await progressbar
      .first()
      .evaluate((bar) => ({ now: Number(bar.getAttribute('aria-valuenow')), text: bar.getAttribute('aria-valuetext') }), null, { timeout: 50 })
      .catch(() => null);
    const last = readings.at(-1);
    if (reading && (!last || last.now !== reading.now || last.text !== reading.text)) readings.push(reading);
    if (await done(reading)) return readings;
    if (Date.now() > deadline) throw new Error(`still not done after ${timeout} ms; the progress read ${JSON.stringify(readings)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The value shown for a label, whatever the markup (a statistic's title and value,
 * a description's term and definition, "Label: value" in one element): the first
 * text after the innermost element whose whole text is `label`, outside any table's
 * header row. `scope` is a Locator (e.g. the main region). Null when there is none.
 */
export async function labelledValue(scope, label) {
  return scope.evaluate((root, wanted) => {
    const inline = (text) => (text.startsWith(wanted) ? text.slice(wanted.length).match(/^:?\s+([\d,.]+)$/) : null);
    const isLabel = (element) => {
      const text = element.textContent.trim();
      return (text === wanted || text === `${wanted}:` || inline(text) !== null) && !element.closest('thead');
    };
    const labels = [...root.querySelectorAll('*')].filter((element) => isLabel(element) && ![...element.children].some(isLabel));
    for (const element of labels) {
      const same = inline(element.textContent.trim());
      if (same) return same[1];
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      walker.currentNode = element;
      let node = walker.nextNode();
      while (node && element.contains(node)) node = walker.nextNode();
      for (let steps = 0; node && steps < 8; steps += 1, node = walker.nextNode()) {
        const text = node.textContent.trim();
        if (text) return text;
      }
    }
    return null;
  }, label);
}
