// Shared by the browser tests: Debian's Chromium driven by playwright-core, a
// page that records what went wrong on it, and steps that stop at the first
// failure with a screenshot.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const executablePath = process.env.RAMPART_CHROMIUM || '/usr/bin/chromium';
const results = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-results');

/**
 * Opens Chromium and one page. `expectFailure(url, status)` may claim an error
 * answer the test provokes on purpose, so it is not counted as a problem.
 */
export async function openBrowser({ expectFailure = () => false } = {}) {
  await mkdir(results, { recursive: true });
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Marks the page once the wasm bundle is instantiated and the hydration that
  // follows it in the same task has run, so the steps click a live page rather
  // than race the plain HTML form submission.
  await context.addInitScript(() => {
    for (const name of ['instantiateStreaming', 'instantiate']) {
      const original = WebAssembly[name];
      if (typeof original !== 'function') continue;
      WebAssembly[name] = function (...args) {
        return original.apply(this, args).then((result) => {
          setTimeout(() => {
            window.__e2eHydrated = true;
          }, 0);
          return result;
        });
      };
    }
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  /** Problems the page reported: uncaught errors, console errors, failed loads. */
  const problems = [];
  /** The site's own assets (JS, wasm, CSS) and their statuses. */
  const assets = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    // A failed load is reported (with its address) by the response handler below.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console error: ${msg.text()}`);
  });
  page.on('requestfailed', (req) => {
    // Leaving or reloading a page aborts what it still had in flight: not a fault.
    const reason = req.failure()?.errorText;
    if (reason !== 'net::ERR_ABORTED') problems.push(`request failed: ${req.method()} ${req.url()} ${reason}`);
  });
  page.on('response', (res) => {
    const url = new URL(res.url());
    if (url.pathname.startsWith('/pkg/')) assets.push({ path: url.pathname, status: res.status() });
    if (res.status() >= 400 && !expectFailure(url, res.status())) {
      problems.push(`${res.status()} from ${res.request().method()} ${url.pathname}`);
    }
  });

  /** Waits until the page has loaded and hydrated, and nothing went wrong on it. */
  async function settled() {
    await page.waitForLoadState('networkidle');
    try {
      await page.waitForFunction(() => window.__e2eHydrated === true, null, { timeout: 10_000 });
    } catch (err) {
      const why = JSON.stringify({ url: page.url(), assets, problems });
      throw new Error(`the page did not hydrate: ${why}`, { cause: err });
    }
    // A hydration mismatch panics the wasm and leaves a page whose links and forms are dead.
    assert.deepEqual(problems, [], `the page at ${page.url()} reported errors`);
  }

  async function shot(name) {
    await page.screenshot({ path: path.join(results, name), fullPage: true });
  }

  /** The name of the first step that failed; the steps after it are skipped. */
  let broken = null;

  /** One step of a flow, as a subtest; a failure screenshots the page as `failurePng`. */
  async function step(t, name, fn, failurePng = 'failure.png') {
    await t.test(name, async (st) => {
      if (broken) {
        st.skip(`an earlier step failed: ${broken}`);
        return;
      }
      try {
        await fn(st);
      } catch (err) {
        broken = name;
        await shot(failurePng).catch(() => {});
        throw err;
      }
    });
  }

  return { browser, context, page, problems, assets, settled, shot, step };
}

/** Repeats `call` until `done(result)` or `ms` passed; returns the last result. */
export async function retry(call, done, ms = 5_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const result = await call();
    if (done(result) || Date.now() > deadline) return result;
    await new Promise((r) => setTimeout(r, 200));
  }
}
