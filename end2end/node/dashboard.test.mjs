// The dashboard in headless Chromium, against a rampart with no org yet:
// sign up → create an API key → use it through the proxy → see the request in
// the log → revoke the key → the proxy refuses it → log out → log in again.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { openBrowser, retry } from './browser.mjs';

const base = process.env.RAMPART_EMPTY_BASE_URL;

const run = randomUUID().slice(0, 8);
const org = `Acme e2e ${run}`;
const email = `owner-${run}@example.com`;
const password = `correct-horse-${run}`;
const keyName = `e2e key ${run}`;
const endUser = 'e2e-user';

let browser;
let context;
let page;
let problems;
let assets;
let settled;
let shot;
let step;
/** While set, failed log-in answers are provoked on purpose: their statuses go here, not to `problems`. */
let refusedLogins = null;

before(async () => {
  assert.ok(base, 'RAMPART_EMPTY_BASE_URL must name a rampart with no org: run through end2end/run.sh');
  const expectFailure = (url, status) => {
    if (refusedLogins && url.pathname.startsWith('/api/log_in')) {
      refusedLogins.push(status);
      return true;
    }
    return false;
  };
  ({ browser, context, page, problems, assets, settled, shot, step } = await openBrowser({ expectFailure }));
});

after(async () => {
  await browser?.close();
});

async function heading() {
  return (await page.locator('main h1').first().textContent())?.trim();
}

/** Calls the proxy's chat completions with `key` as a plain HTTP client. */
async function chat(key, text) {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-user-id': endUser, 'x-session-id': `s-${run}`, 'x-app-context': 'browser-e2e' },
    body: JSON.stringify({ model: 'mock-echo', messages: [{ role: 'user', content: text }] }),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** The request log as objects keyed by column header. */
async function requestLog() {
  const table = page.locator('[data-testid="request-log"]');
  if ((await table.count()) === 0) return [];
  return table.evaluate((t) => {
    const headers = [...t.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    return [...t.querySelectorAll('tbody tr')].map((tr) =>
      Object.fromEntries([...tr.querySelectorAll('td')].map((td, i) => [headers[i], td.textContent.trim()])),
    );
  });
}

test('dashboard: sign up, keys, request log, revoke, log out, log in', { timeout: 180_000 }, async (t) => {
  await step(t, 'sign up creates the org and lands on the overview', async (st) => {
    await page.goto(`${base}/signup`);
    await settled();
    assert.equal(await heading(), 'Create your organization');
    await page.fill('#org_name', org);
    await page.fill('#email', email);
    await page.fill('#password', password);
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.waitForURL(`${base}/`);
    await page.locator('main.page h1', { hasText: 'Overview' }).waitFor();
    await settled();
    const sidebar = page.locator('nav.sidebar');
    await sidebar.locator('.org', { hasText: org }).waitFor();
    assert.match(await sidebar.locator('.user').textContent(), new RegExp(`${email}.*owner`));
    assert.equal(await page.locator('[data-testid="requests-24h"]').textContent(), '0');
    await shot('overview.png');

    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'rampart_session');
    assert.ok(session, `no session cookie: ${JSON.stringify(cookies)}`);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    st.diagnostic(`session cookie: secure=${session.secure} on ${base}`);
  });

  let apiKey;
  await step(t, 'an API key is created on the default proxy and shown once', async () => {
    await page.locator('nav.sidebar').getByRole('link', { name: 'API keys' }).click();
    await page.waitForURL(`${base}/keys`);
    await page.locator('main.page h1', { hasText: 'API keys' }).waitFor();
    await settled();
    await page.fill('#key-name', keyName);
    const option = page.locator('#key-proxy option', { hasText: 'default' });
    await option.waitFor({ state: 'attached' });
    await page.selectOption('#key-proxy', await option.getAttribute('value'));
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = page.locator('input[data-testid="new-api-key"]');
    await secret.waitFor();
    apiKey = await secret.inputValue();
    assert.match(apiKey, /^rk_[0-9a-f]{16}_[0-9a-f]{64}$/);
    assert.equal(await secret.getAttribute('readonly'), '');

    const row = page.locator('tr[data-key-id]', { hasText: keyName });
    await row.waitFor();
    const cells = (await row.locator('td').allTextContents()).map((s) => s.trim());
    // The table shows only the key's public prefix, never the secret part.
    const prefix = cells[1].replace(/…$/, '');
    assert.ok(prefix.length >= 8 && apiKey.startsWith(prefix), `the row shows ${cells[1]} for ${apiKey}`);
    assert.ok(!cells.join(' ').includes(apiKey.slice(20)), 'the table shows the secret part of the key');
    assert.match(cells[2], /default/);
    assert.equal(cells[5], 'active');
    await shot('keys.png');
  });

  await step(t, 'the new key works through the proxy', async () => {
    const reply = await retry(() => chat(apiKey, `hello from the browser test ${run}`), (r) => r.status !== 401);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.choices[0].message.content, `Echo: hello from the browser test ${run}`);
  });

  await step(t, 'the request log shows the call with its model and user', async () => {
    await page.locator('nav.sidebar').getByRole('link', { name: 'Requests' }).click();
    await page.waitForURL(`${base}/requests`);
    await settled();
    const found = await retry(
      async () => {
        const rows = await requestLog();
        const row = rows.find((r) => r.Model === 'mock-echo' && r.User === endUser);
        if (!row) {
          await page.reload();
          await settled();
        }
        return row;
      },
      (row) => row !== undefined,
    );
    assert.ok(found, `no mock-echo row for ${endUser}: ${JSON.stringify(await requestLog())}`);
    assert.equal(found.Status, '200');
    assert.equal(found.Session, `s-${run}`);
    assert.match(found.API, /openai_chat/);
    assert.equal(found.Context, 'browser-e2e');
    assert.equal(found.Proxy, 'default');
    assert.match(found['Tokens in / out'], /^\d+ \/ \d+$/);
    await shot('requests.png');
  });

  await step(t, 'revoking the key makes the proxy refuse it', async () => {
    await page.locator('nav.sidebar').getByRole('link', { name: 'API keys' }).click();
    await page.waitForURL(`${base}/keys`);
    await settled();
    const row = page.locator('tr[data-key-id]', { hasText: keyName });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.locator('.badge', { hasText: 'revoked' }).waitFor();
    assert.equal(await row.getByRole('button', { name: 'Revoke' }).count(), 0);
    await shot('keys-revoked.png');

    const reply = await retry(() => chat(apiKey, 'after revoke'), (r) => r.status === 401);
    assert.equal(reply.status, 401, JSON.stringify(reply.body));
    assert.equal(reply.body.error.type, 'authentication_error');
  });

  await step(t, 'logging out ends the session', async () => {
    await page.locator('nav.sidebar').getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${base}/login`);
    await page.goto(`${base}/keys`);
    assert.equal(page.url(), `${base}/login`);
    assert.equal(await heading(), 'Log in');
  });

  await step(t, 'sign-up is closed once an org exists', async () => {
    await page.goto(`${base}/signup`);
    await page.getByText('already has an organization').waitFor();
    assert.equal(await page.locator('#org_name').count(), 0);
  });

  await step(t, 'the login form refuses a wrong password and accepts the right one', async (st) => {
    await page.goto(`${base}/login`);
    await settled();
    await page.fill('#email', email);
    await page.fill('#password', 'not-the-password');
    refusedLogins = [];
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();
    assert.equal(refusedLogins.length, 1, `expected one log-in call, saw ${JSON.stringify(refusedLogins)}`);
    // Known: a refused log-in is answered 500 (a server-function error); 4xx would be right.
    st.diagnostic(`a wrong password is answered with HTTP ${refusedLogins[0]}`);
    assert.ok(refusedLogins[0] >= 400, `a wrong password was answered ${refusedLogins[0]}`);
    refusedLogins = null;

    await page.fill('#email', email);
    await page.fill('#password', password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/`);
    await page.locator('main.page h1', { hasText: 'Overview' }).waitFor();
    await page.goto(`${base}/keys`);
    const row = page.locator('tr[data-key-id]', { hasText: keyName });
    await row.locator('.badge', { hasText: 'revoked' }).waitFor();
  });

  await step(t, 'the site loaded and hydrated without errors', async () => {
    assert.ok(
      assets.some((a) => a.path.endsWith('.wasm') && a.status === 200),
      `the wasm bundle was not loaded: ${JSON.stringify(assets)}`,
    );
    assert.ok(assets.some((a) => a.path.endsWith('.css') && a.status === 200), `no stylesheet: ${JSON.stringify(assets)}`);
    assert.deepEqual(assets.filter((a) => a.status >= 400), []);
    // The stylesheet is applied: the sidebar is not on the browser's default transparent background.
    const sidebar = await page.locator('nav.sidebar').evaluate((e) => getComputedStyle(e).backgroundColor);
    assert.notEqual(sidebar, 'rgba(0, 0, 0, 0)', 'the dashboard is unstyled');
    assert.deepEqual(problems, []);
  });
});
