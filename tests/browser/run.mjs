// Real-browser checks of Rapport's server-rendered UI.
//
// Starts the `rapport` binary on a free loopback port with a fresh data directory, drives
// Debian's Chromium through playwright-core, and prints one line per check followed by a
// closing `N passed, M failed` line. Exits 1 if any check failed.
//
//   cd tests/browser && npm ci && node run.mjs
//
// Environment:
//   RAPPORT_BIN      the binary to test (default /root/.cache/rapport/target/debug/rapport)
//   RAPPORT_MAIL_SERVERS_BIN  the testkit's mail-servers helper (Dovecot + SMTP sink for the
//                    mailbox check; default: next to RAPPORT_BIN; `cargo build -p rapport-testkit
//                    --bins` builds it)
//   RAPPORT_BROWSER_ONLY  run only the checks whose title contains this text (plus setup)
//   CHROMIUM_PATH    the browser (default /usr/bin/chromium); never downloaded
//
// Screenshots of every check land in tests/browser/screenshots/.

import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import readline from 'node:readline';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import crypto from 'node:crypto';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SHOTS = path.join(HERE, 'screenshots');
const BIN = process.env.RAPPORT_BIN || '/root/.cache/rapport/target/debug/rapport';
const MAIL_SERVERS_BIN = process.env.RAPPORT_MAIL_SERVERS_BIN || path.join(path.dirname(BIN), 'mail-servers');
const BROWSER = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ONLY = process.env.RAPPORT_BROWSER_ONLY || '';
const HEALTH_TIMEOUT_MS = 15_000;
const ACTION_TIMEOUT_MS = 10_000;

const OWNER = {
  orgName: 'Northwind Support',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  password: 'correct horse battery staple',
};
const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 375, height: 740 };

// ---------------------------------------------------------------------------------------
// Small assertion helpers (no test framework).

class CheckError extends Error {}

function assert(cond, message) {
  if (!cond) throw new CheckError(message);
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes; returns the value. */
async function until(fn, message, timeoutMs = ACTION_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? ` (${last.message.split('\n')[0]})` : '';
      throw new CheckError(`${message}${why}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function visible(page, selector, what = selector) {
  const loc = page.locator(selector).first();
  try {
    await loc.waitFor({ state: 'visible', timeout: ACTION_TIMEOUT_MS });
  } catch {
    throw new CheckError(`${what} is not visible on ${page.url()}`);
  }
  return loc;
}

function pathOf(page) {
  return new URL(page.url()).pathname;
}

async function expectPath(page, expected) {
  await until(() => pathOf(page) === expected, `expected to be on ${expected}, but the page is ${page.url()}`);
}

// ---------------------------------------------------------------------------------------
// The server.

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startServer(mail) {
  if (!existsSync(BIN)) {
    throw new Error(`rapport binary not found at ${BIN} (build it, or set RAPPORT_BIN)`);
  }
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rapport-browser-'));
  const port = await freePort();
  // Gmail mailboxes connect through the mail servers' OAuth fake (every provider URL and mail
  // host is configuration); the public URL is the address the browser uses, so the
  // provider's redirect comes back to the signed-in session.
  const o = mail.settings.oauth;
  const config = path.join(dataDir, 'rapport.toml');
  await fs.writeFile(config, [
    `public_url = "http://127.0.0.1:${port}"`,
    '[[mail_oauth]]',
    'provider = "google"',
    `client_id = "${o.client_id}"`,
    `client_secret = "${o.client_secret}"`,
    `auth_url = "${o.base_url}/o/oauth2/v2/auth"`,
    `token_url = "${o.base_url}/token"`,
    'imap_host = "127.0.0.1"',
    `imap_port = ${o.imap_port}`,
    'imap_tls = false',
    'smtp_host = "127.0.0.1"',
    `smtp_port = ${o.smtp_port}`,
    'smtp_security = "none"',
    '',
  ].join('\n'));
  const env = { ...process.env };
  // The tests run against the embedded SQLite database in the fresh data directory, whatever
  // the surrounding shell points at.
  for (const key of ['RAPPORT_TEST_DATABASE_URL', 'RAPPORT_DATABASE_URL', 'RAPPORT_CONFIG', 'RAPPORT_DEMO', 'RAPPORT_BIND', 'RAPPORT_DATA_DIR']) {
    delete env[key];
  }
  // Webhook checks deliver to a receiver on this machine's loopback.
  env.RAPPORT_EGRESS_ALLOW_PRIVATE = 'true';
  const child = spawn(BIN, ['serve', '--bind', `127.0.0.1:${port}`, '--data-dir', dataDir, '--config', config], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = [];
  const keep = (chunk) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim()) log.push(line);
    }
    if (log.length > 400) log.splice(0, log.length - 400);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exit = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });
  const server = { child, dataDir, port, log, exit, base: `http://127.0.0.1:${port}` };
  running = server;

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  for (;;) {
    if (exited) {
      await stopServer(server);
      throw new Error(`rapport exited early (${JSON.stringify(exited)}):\n${log.slice(-30).join('\n')}`);
    }
    try {
      const res = await fetch(`${server.base}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopServer(server);
      throw new Error(`GET /healthz did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000} s:\n${log.slice(-30).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The live server, for the interrupt handler. */
let running = null;

async function stopServer(server) {
  if (!server) return;
  if (running === server) running = null;
  const { child } = server;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await server.exit;
    clearTimeout(timer);
  }
  await fs.rm(server.dataDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------
// Real mail servers: crates/rapport-testkit/src/bin/mail-servers.rs starts Dovecot and an SMTP
// sink on loopback with a small backlog in the mailbox, prints their settings as one JSON line
// and answers `wait-smtp ADDRESS` with the headers of the next mail sent there. Closing its
// stdin stops it and the servers.

async function startMailServers() {
  if (!existsSync(MAIL_SERVERS_BIN)) {
    throw new CheckError(`mail-servers not found at ${MAIL_SERVERS_BIN} (cargo build -p rapport-testkit --bins, or set RAPPORT_MAIL_SERVERS_BIN)`);
  }
  const child = spawn(MAIL_SERVERS_BIN, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr = [];
  child.stderr.on('data', (chunk) => {
    stderr.push(chunk.toString());
    if (stderr.length > 50) stderr.shift();
  });
  const lines = readline.createInterface({ input: child.stdout });
  const queue = [];
  const waiting = [];
  lines.on('line', (line) => (waiting.length ? waiting.shift()(line) : queue.push(line)));
  // Ended (it panics when Dovecot or aiosmtpd cannot start): whoever waits hears it at once.
  const exit = new Promise((resolve) => child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w(null);
    resolve(code);
  }));
  const next = (what, timeoutMs) => {
    if (queue.length) return Promise.resolve(JSON.parse(queue.shift()));
    const why = (problem) => new CheckError(`mail-servers: no ${what}, ${problem}: ${stderr.join('').slice(-800)}`);
    if (child.exitCode !== null) return Promise.reject(why('it has exited'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(why(`not within ${timeoutMs / 1000} s`)), timeoutMs);
      waiting.push((line) => {
        clearTimeout(timer);
        if (line === null) reject(why('it exited'));
        else resolve(JSON.parse(line));
      });
    });
  };
  const stop = async () => {
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(timer);
  };
  try {
    const settings = await next('settings', 30_000);
    return {
      settings,
      stop,
      /** The headers of the next mail the SMTP sink receives for `address`. */
      async waitSmtp(address, command = 'wait-smtp') {
        child.stdin.write(`${command} ${address}\n`);
        const got = await next(`mail to ${address}`, 40_000);
        if (got.error) throw new CheckError(`no mail to ${address} reached the SMTP server: ${got.error.slice(0, 400)}`);
        return got;
      },
      /** The same for the XOAUTH2 sink the OAuth mailbox sends through. */
      waitOAuthSmtp(address) {
        return this.waitSmtp(address, 'wait-oauth-smtp');
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------
// Per-check bookkeeping: console errors, uncaught page errors, off-host requests, screenshots.

/** The check that is running; listeners report into it. */
let current = null;

function watch(page) {
  page.on('console', (msg) => {
    if (msg.type() !== 'error' || !current) return;
    const text = msg.text();
    // A navigation that the check itself expects to answer 4xx (a 404 page, a rejected form)
    // is logged by Chromium as a failed load; it is not a page bug.
    const m = /^Failed to load resource: the server responded with a status of (\d{3})/.exec(text);
    const loc = msg.location()?.url || '';
    if (m && current.expectedStatuses.has(Number(m[1])) && current.documentUrls.has(loc)) return;
    current.problems.push(`console error on ${page.url()}: ${text}${loc ? ` (${loc})` : ''}`);
  });
  page.on('pageerror', (err) => {
    if (current) current.problems.push(`uncaught exception on ${page.url()}: ${err.message}`);
  });
  page.on('request', (req) => {
    const url = req.url();
    if (!/^(https?|wss?):/i.test(url)) return; // data:, blob:, about: stay on the machine
    if (new URL(url).hostname !== '127.0.0.1' && current) {
      current.problems.push(`request to a non-127.0.0.1 origin: ${req.method()} ${url}`);
    }
  });
  page.on('response', (res) => {
    if (current && res.request().isNavigationRequest()) current.documentUrls.add(res.url());
  });
}

async function newContext(browser, base, options = {}) {
  const context = await browser.newContext({
    baseURL: base,
    viewport: DESKTOP,
    locale: 'en-US',
    timezoneId: 'Europe/Berlin',
    ...options,
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
  context.on('page', watch);
  return context;
}

function slug(text) {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

async function screenshot(page, name) {
  if (!page || page.isClosed()) return;
  try {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
  } catch (err) {
    console.log(`# screenshot ${name} failed: ${err.message.split('\n')[0]}`);
  }
}

// ---------------------------------------------------------------------------------------
// Shared steps.

async function signIn(page, { email = OWNER.email, password = OWNER.password } = {}) {
  await page.goto('/login');
  await expectPath(page, '/login');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form.form button[type=submit]')]);
}

async function noHorizontalOverflow(page, width) {
  const { scrollWidth, culprit } = await page.evaluate((limit) => {
    const doc = document.documentElement;
    let widest = null;
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > limit + 1 && (!widest || r.right > widest.right)) {
        widest = { right: Math.round(r.right), tag: el.tagName.toLowerCase(), cls: el.className?.toString() || '' };
      }
    }
    return { scrollWidth: doc.scrollWidth, culprit: widest };
  }, width);
  const who = culprit ? `; widest element <${culprit.tag} class="${culprit.cls}"> reaches ${culprit.right}px` : '';
  assert(scrollWidth <= width + 1, `${pathOf(page)} overflows horizontally: scrollWidth ${scrollWidth} > ${width}${who}`);
}

function luminanceSum(cssColor) {
  const m = /rgba?\(\s*(\d+)[,\s]+(\d+)[,\s]+(\d+)/.exec(cssColor);
  assert(m, `unexpected colour format: ${cssColor}`);
  return Number(m[1]) + Number(m[2]) + Number(m[3]);
}

// ---------------------------------------------------------------------------------------
// The checks, in order. Each gets `t`: { page, browser, base, shot(name), expectStatus(code),
// use(page) } and throws to fail.

async function rootRedirectsToSetup(t) {
  const { page } = t;
  await page.goto('/');
  await expectPath(page, '/setup');
  await visible(page, 'h1', 'the setup heading');
}
rootRedirectsToSetup.title = 'root redirects to setup on a fresh install';

async function setupCreatesOrgAndSignsIn(t) {
  const { page } = t;
  if (pathOf(page) !== '/setup') await page.goto('/setup');
  await expectPath(page, '/setup');
  const zone = page.locator('input[name=time_zone]');
  const tz = await until(() => zone.inputValue(), 'app.js did not fill input[name=time_zone] with the browser time zone');
  assert(tz === 'Europe/Berlin', `time zone filled with "${tz}", expected the browser's "Europe/Berlin"`);

  // First an invalid email: the form comes back with an error and keeps what was typed.
  await page.fill('#org_name', OWNER.orgName);
  await page.fill('#name', OWNER.name);
  await page.fill('#email', 'not-an-email');
  await page.fill('#password', OWNER.password);
  t.expectStatus(422);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form.form button[type=submit]')]);
  await expectPath(page, '/setup');
  await visible(page, '.alert-error', 'the form error alert');
  assert((await page.inputValue('#org_name')) === OWNER.orgName, 'the organization name was not kept after the error');
  assert((await page.inputValue('#name')) === OWNER.name, 'the owner name was not kept after the error');
  assert((await page.inputValue('#email')) === 'not-an-email', 'the rejected email was not shown back');
  assert(await page.locator('.field.has-error #email').count(), 'the email field is not marked as the one in error');
  assert((await page.inputValue('#password')) === '', 'the password was echoed back into the page');
  await t.shot('setup-with-error');

  // Then the real thing.
  assert((await zone.inputValue()) !== '', 'the time zone was lost after the error');
  await page.fill('#email', OWNER.email);
  await page.fill('#password', OWNER.password);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form.form button[type=submit]')]);
  await expectPath(page, '/');
  await visible(page, '.alert-success', 'the success flash');
  const h1 = await (await visible(page, 'h1')).innerText();
  assert(h1.includes('Ada'), `the greeting "${h1}" does not name Ada`);
  const org = await (await visible(page, '.org-name')).innerText();
  assert(org.includes(OWNER.orgName), `.org-name shows "${org}"`);
  const tzShown = await page.locator('dl.facts').last().innerText();
  assert(tzShown.includes('Europe/Berlin'), `the account card does not show the browser time zone: ${tzShown}`);
}
setupCreatesOrgAndSignsIn.title = 'setup creates the organization and signs the owner in';

async function adminCanOpenJobs(t) {
  const { page } = t;
  if (pathOf(page) !== '/') await page.goto('/');
  const link = page.locator('nav a[href="/admin/jobs"]');
  await link.waitFor({ state: 'visible' });
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
  await expectPath(page, '/admin/jobs');
  await visible(page, 'h1', 'the jobs heading');
  await visible(page, 'nav.tabs', 'the state tabs');
  const card = page.locator('section.card', { has: page.locator('h2', { hasText: 'Periodic jobs' }) });
  await card.waitFor({ state: 'visible' }).catch(() => {
    throw new CheckError('no "Periodic jobs" card');
  });
  const row = () => card.locator('tbody tr', { hasText: 'outbox.dispatch' }).count();
  let found = false;
  const deadline = Date.now() + 5_000;
  let reloaded = false;
  while (Date.now() < deadline) {
    if (await row()) {
      found = true;
      break;
    }
    if (!reloaded && Date.now() > deadline - 2_500) {
      await page.reload();
      reloaded = true;
      continue;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!found && !reloaded) {
    await page.reload();
    found = (await row()) > 0;
  }
  assert(found, `the "Periodic jobs" card lists no outbox.dispatch row: ${(await card.innerText()).replace(/\s+/g, ' ')}`);

  // The "finished" tab lists the jobs the workers have completed (scheduled runs, at least).
  await showFinishedJobs(page);
  await t.shot('jobs-finished');
  await page.goto('/admin/jobs');
}
adminCanOpenJobs.title = 'admin can open background jobs';

/** Opens the "finished" tab of the jobs page and waits until it lists a finished job. */
async function showFinishedJobs(page) {
  const tab = page.locator('nav.tabs a.tab[href$="state=done"]');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), tab.click()]);
  await until(async () => {
    if (await page.locator('table tbody tr .badge-done').count()) return true;
    await page.reload();
    return false;
  }, 'the finished tab lists no finished job', 5_000);
}

async function signOutAndBackIn(t) {
  const { page } = t;
  await visible(page, '.user-menu button.link', 'the sign-out button');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('.user-menu button.link')]);
  await expectPath(page, '/login');
  await visible(page, '.alert-success', 'the signed-out flash');
  await t.shot('login-signed-out');

  // A signed-out browser is sent to the login page.
  await page.goto('/');
  await expectPath(page, '/login');

  t.expectStatus(401);
  await signIn(page, { password: 'wrong password, surely' });
  await expectPath(page, '/login');
  await visible(page, '.alert-error', 'the failed sign-in alert');
  assert((await page.inputValue('#email')) === OWNER.email, 'the email was not kept after a failed sign-in');
  await t.shot('login-wrong-password');

  await signIn(page);
  await expectPath(page, '/');
  await visible(page, '.org-name', 'the signed-in top bar');
}
signOutAndBackIn.title = 'sign out and sign back in';

async function unknownPageIs404(t) {
  const { page } = t;
  t.expectStatus(404);
  const res = await page.goto('/no-such-page');
  assert(res && res.status() === 404, `status ${res && res.status()}, expected 404`);
  const code = await (await visible(page, '.error-code', 'the error code')).innerText();
  assert(code.trim() === '404', `.error-code shows "${code}"`);
  await visible(page, 'h1', 'the error heading');
  const home = page.locator('a[href="/"]');
  await home.first().waitFor({ state: 'visible' }).catch(() => {
    throw new CheckError('no visible link back home');
  });
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), home.first().click()]);
  await expectPath(page, '/');
  await page.goto('/no-such-page');
}
unknownPageIs404.title = 'unknown page shows a readable 404';

async function setupClosedAfterFirstOrg(t) {
  const { page } = t;
  await page.goto('/setup');
  await expectPath(page, '/login');
  await visible(page, '.alert-info', 'the "setup is closed" notice');
  await visible(page, '#email', 'the sign-in form');
}
setupClosedAfterFirstOrg.title = 'setup is closed after the first org';

async function mobileLayout(t) {
  const context = await newContext(t.browser, t.base, { viewport: MOBILE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  t.cleanup.push(() => context.close());
  const page = t.use(await context.newPage());
  await page.goto('/login');
  await noHorizontalOverflow(page, MOBILE.width);
  await t.shot('mobile-login');
  await signIn(page);
  await expectPath(page, '/');
  await visible(page, 'h1');
  await noHorizontalOverflow(page, MOBILE.width);
  await t.shot('mobile-home');
  await page.goto('/admin/jobs');
  await visible(page, 'h1');
  await noHorizontalOverflow(page, MOBILE.width);
  await t.shot('mobile-jobs');
  await showFinishedJobs(page);
  await noHorizontalOverflow(page, MOBILE.width);
  await t.shot('mobile-jobs-finished');
  await page.goto('/');
}
mobileLayout.title = 'mobile layout';

async function darkModeRenders(t) {
  const context = await newContext(t.browser, t.base, { colorScheme: 'dark' });
  t.cleanup.push(() => context.close());
  const page = t.use(await context.newPage());
  await page.goto('/login');
  await t.shot('dark-login');
  await signIn(page);
  await expectPath(page, '/');
  await visible(page, 'h1');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const sum = luminanceSum(bg);
  assert(sum < 200, `body background ${bg} is not dark (RGB sum ${sum})`);
  const fg = await page.evaluate(() => getComputedStyle(document.querySelector('h1')).color);
  assert(luminanceSum(fg) > 450, `the heading colour ${fg} is too dark for a dark page`);
  await page.goto('/admin/jobs');
  await visible(page, 'h1');
  await t.shot('dark-jobs');
  await page.goto('/');
}
darkModeRenders.title = 'dark mode renders';

/**
 * The member's own account pages: security and tokens load cleanly (desktop, 375 px, dark),
 * a token made through the form shows its secret once, and the authenticator app is set up
 * through the pages with a code computed here (RFC 6238 over node:crypto), then turned off
 * again so later checks still sign in with the password alone.
 */
async function accountChecks(t) {
  const { createHmac } = await import('node:crypto');
  const totpNow = (base32) => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let bits = '';
    for (const ch of base32.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
    const key = Buffer.from((bits.match(/.{8}/g) || []).map((b) => parseInt(b, 2)));
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)));
    const mac = createHmac('sha1', key).update(counter).digest();
    const at = mac[mac.length - 1] & 0xf;
    return String((mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000).padStart(6, '0');
  };
  const context = await newContext(t.browser, t.base);
  t.cleanup.push(() => context.close());
  const page = t.use(await context.newPage());
  await signIn(page);
  await expectPath(page, '/');
  const submit = (selector) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);

  // Both pages load, with their navigation entry marked current.
  for (const [path, label] of [['/settings/security', 'security'], ['/settings/tokens', 'tokens']]) {
    await page.goto(path);
    await visible(page, 'h1');
    assert(await page.locator(`nav a[href="${path}"][aria-current="page"]`).count(), `the nav does not mark ${path} as current`);
    await t.shot(`account-${label}`);
  }

  // A token through the form: the secret is shown once, with a copy button that answers.
  await page.fill('#token-name', 'Browser check');
  await page.selectOption('#token-expiry', '30');
  await submit('#create button[type=submit]');
  const secret = (await (await visible(page, '[data-testid=token-secret]', 'the new token secret')).textContent()).trim();
  assert(/^rpt_\S{20,}$/.test(secret), `unexpected token secret "${secret}"`);
  const copy = page.locator('[data-testid=new-token] button[data-copy-target]');
  const before = await copy.innerText();
  await copy.click();
  await until(async () => (await copy.innerText()) !== before, 'the copy button did not react');
  assert(await page.locator('table[data-testid=tokens] tbody tr').count() === 1, 'the new token is not listed');
  await t.shot('account-token-created');
  await page.setViewportSize(MOBILE);
  await noHorizontalOverflow(page, MOBILE.width);
  await t.shot('account-token-created-mobile');
  await page.goto('/settings/tokens');
  assert(!(await page.content()).includes(secret), 'the token secret is shown again after a reload');
  await page.goto('/settings/security');
  await visible(page, 'h1');
  await noHorizontalOverflow(page, MOBILE.width);
  await t.shot('account-security-mobile');
  await page.setViewportSize(DESKTOP);

  // The authenticator app, set up through the pages.
  await submit('#two-step a[href="/settings/security/totp"]');
  await expectPath(page, '/settings/security/totp');
  await visible(page, '.acct-qr svg', 'the QR code');
  const seed = (await page.locator('[data-testid=totp-secret]').textContent()).trim();
  assert(/^[A-Z2-7]{16,}=*$/.test(seed), `unexpected TOTP secret "${seed}"`);
  await t.shot('account-totp-setup');
  await page.fill('#code', totpNow(seed));
  await submit('form[action="/settings/security/totp"] button[type=submit]');
  await visible(page, '[data-testid=recovery-codes]', 'the recovery codes');
  const codes = await page.locator('[data-testid=recovery-codes] li').count();
  assert(codes === 10, `${codes} recovery codes shown, expected 10`);
  await t.shot('account-recovery-codes');
  await submit('a[href="/settings/security"].btn-primary');
  await visible(page, '#two-step .badge-done', 'the "on" badge');
  await page.emulateMedia({ colorScheme: 'dark' });
  await t.shot('account-security-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // Off again (password required), so the owner signs in with the password alone afterwards.
  await page.click('#two-step details.acct-confirm > summary');
  await page.fill('#totp-off-password', OWNER.password);
  await submit('form[action="/settings/security/totp/disable"] button[type=submit]');
  await visible(page, '.alert-success', 'the "turned off" flash');
  await visible(page, '#two-step a[href="/settings/security/totp"]', 'the set-up button');
}
accountChecks.title = 'account pages: security, tokens, authenticator app';

async function adminChecks(t) {
  const context = await newContext(t.browser, t.base);
  t.cleanup.push(() => context.close());
  const page = t.use(await context.newPage());
  await signIn(page);
  await expectPath(page, '/');
  const submit = (selector) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
  const PAGES = [
    ['/admin/members', 'members'],
    ['/admin/teams', 'teams'],
    ['/admin/roles', 'roles'],
    ['/admin/settings', 'settings'],
    ['/admin/access-review', 'access-review'],
    ['/admin/audit', 'audit'],
  ];

  // Every page loads from the navigation, marked current.
  for (const [path, label] of PAGES) {
    await page.goto('/');
    await submit(`nav a[href="${path}"]`);
    await expectPath(page, path);
    await visible(page, 'h1');
    assert(await page.locator(`nav a[href="${path}"][aria-current="page"]`).count(), `the nav does not mark ${path} as current`);
    await t.shot(`admin-${label}`);
  }

  // Invite someone: without mail, the link is shown once with a copy button that answers.
  await page.goto('/admin/members');
  await page.fill('#invite-email', 'grace@example.com');
  await page.selectOption('#invite-role', 'agent');
  await submit('form[action="/admin/members/invite"] button[type=submit]');
  const link = await (await visible(page, '#invite-link', 'the invitation link')).inputValue();
  assert(/^https?:\/\/[^/]+\/invite\/\S{20,}$/.test(link), `unexpected invitation link "${link}"`);
  const copy = page.locator('button[data-copy-from="invite-link"]');
  const before = await copy.innerText();
  await copy.click();
  await until(async () => (await copy.innerText()) !== before, 'the copy button did not react');
  assert(await page.locator('tr[id^="invitation-"]', { hasText: 'grace@example.com' }).count() === 1, 'the invitation is not listed as open');
  await t.shot('admin-invite-link');
  await page.click('tr[id^="member-"] details.adm-action > summary');
  await t.shot('admin-members-change-role');

  // A custom role, then the matrix shows it beside the built-in roles.
  await page.goto('/admin/roles/new');
  await page.fill('#role-name', 'Support lead');
  await page.fill('#role-description', 'Runs the inbox, no admin rights');
  for (const p of ['contacts.read', 'conversations.read', 'conversations.reply', 'conversations.assign', 'reports.read']) {
    await page.check(`input[name=permissions][value="${p}"]`);
  }
  await t.shot('admin-role-form');
  await submit('form.adm-role-form button[type=submit]');
  await expectPath(page, '/admin/roles');
  await visible(page, '.alert-success', 'the "role created" flash');
  assert(await page.locator('tr[id^="role-"]', { hasText: 'Support lead' }).count() === 1, 'the role is not listed');
  assert(await page.locator('.adm-matrix thead th', { hasText: 'Support lead' }).count() === 1, 'the matrix has no column for the role');
  await t.shot('admin-roles-with-custom');

  // A team with a member.
  await page.goto('/admin/teams');
  await page.fill('#team-name', 'Billing');
  await page.fill('#team-description', 'Invoices, refunds and plan changes');
  await page.check('input[name=members] >> nth=0');
  await submit('form[action="/admin/teams"] button[type=submit]');
  await visible(page, '.adm-team .adm-chip', 'the team member chip');
  await t.shot('admin-team-created');

  // The audit log lists what just happened, filters, and unfolds details.
  await page.goto('/admin/audit');
  const rows = await page.locator('table tbody tr[id^="audit-"]').count();
  assert(rows >= 4, `only ${rows} audit entries listed`);
  await page.click('tr[id^="audit-"] details.adm-details > summary');
  await visible(page, 'tr.adm-detail-row .facts', 'the unfolded details');
  await t.shot('admin-audit-details');
  await page.selectOption('#f-action', 'member.');
  await submit('form.adm-filters button[type=submit]');
  await visible(page, 'tbody tr .badge', 'a filtered entry');
  const labels = await page.locator('tbody tr[id^="audit-"] .badge').allInnerTexts();
  assert(labels.length > 0 && labels.every((l) => l.includes('member')), `unexpected entries for member.*: ${labels.join(', ')}`);
  await t.shot('admin-audit-filtered');

  // Narrow screens: no page scrolls sideways.
  await page.setViewportSize(MOBILE);
  for (const [path, label] of [...PAGES, ['/admin/roles/new', 'role-form']]) {
    await page.goto(path);
    await visible(page, 'h1');
    await noHorizontalOverflow(page, MOBILE.width);
    await t.shot(`admin-${label}-mobile`);
  }
  await page.setViewportSize(DESKTOP);
  await page.emulateMedia({ colorScheme: 'dark' });
  for (const [path, label] of [['/admin/members', 'members'], ['/admin/roles', 'roles'], ['/admin/audit', 'audit']]) {
    await page.goto(path);
    await visible(page, 'h1');
    await t.shot(`admin-${label}-dark`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
adminChecks.title = 'admin pages: members, invitations, roles, teams, settings, access review, audit';

async function invitationAndRecoveryPages(t) {
  // The owner invites someone; the invitee opens the link in their own browser, creates the
  // account and lands signed in. Then: the forgot-password page without mail, the org list.
  const owner = await newContext(t.browser, t.base);
  t.cleanup.push(() => owner.close());
  const page = t.use(await owner.newPage());
  await signIn(page);
  await page.goto('/admin/members');
  await page.fill('#invite-email', 'hedy@example.com');
  await page.selectOption('#invite-role', 'agent');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form[action="/admin/members/invite"] button[type=submit]')]);
  const link = await (await visible(page, '#invite-link', 'the invitation link')).inputValue();

  const guest = await newContext(t.browser, t.base);
  t.cleanup.push(() => guest.close());
  const invitee = t.use(await guest.newPage());
  await invitee.goto(new URL(link).pathname);
  await visible(invitee, 'h1');
  assert((await invitee.locator('h1').innerText()).includes('Northwind Support'), 'the invitation names the org');
  await t.shot('invite-accept');
  await invitee.fill('#name', 'Hedy Lamarr');
  await invitee.fill('#password', 'frequency hopping spread spectrum');
  await Promise.all([invitee.waitForNavigation({ waitUntil: 'load' }), invitee.click('form.form button[type=submit]')]);
  await expectPath(invitee, '/');
  await visible(invitee, '.alert-success', 'the welcome flash');
  assert((await invitee.locator('.user-name').innerText()).includes('Hedy'), 'the invitee is signed in');
  await t.shot('invite-accepted-home');
  // The link is single use: 410 Gone, with an explanation.
  t.expectStatus(410);
  await invitee.goto(new URL(link).pathname);
  await visible(invitee, 'h1');
  assert(await invitee.locator('form.form input[name=password]').count() === 0, 'a used invitation still offers the form');

  const anon = await newContext(t.browser, t.base);
  t.cleanup.push(() => anon.close());
  const forgot = t.use(await anon.newPage());
  await forgot.goto('/forgot');
  await visible(forgot, '.alert-info', 'the "no mail configured" explanation');
  await t.shot('forgot-without-mail');

  t.use(page);
  await page.goto('/orgs');
  await visible(page, '.org-row.current', 'the current org');
  await t.shot('orgs');
}
invitationAndRecoveryPages.title = 'invitation acceptance, forgot password without mail, org list';

async function crmRecordsChecks(t) {
  // Custom fields, a company and a contact through the forms; the record pages on desktop,
  // mobile and in dark mode; a refused contact form keeps what was typed.
  const context = await newContext(t.browser, t.base);
  t.cleanup.push(() => context.close());
  const page = t.use(await context.newPage());
  await signIn(page);
  await expectPath(page, '/');
  const submit = (selector) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);

  await page.goto('/admin/settings');
  await page.fill('#org-default-country', 'US');
  await submit('form[action="/admin/settings"] button[type=submit]');
  await visible(page, '.alert-success', 'the "settings saved" flash');

  // Custom fields: the options editor appears for choice fields only.
  await page.goto('/');
  await submit('nav a[href="/admin/custom-fields"]');
  await expectPath(page, '/admin/custom-fields');
  assert(await page.locator('#cf-options').isHidden(), 'options shown for a text field');
  await page.fill('#cf-label', 'Industry');
  await page.selectOption('#cf-type', 'select');
  await visible(page, '#cf-options', 'the options editor');
  await page.fill('#cf-options', 'Software\nRetail\nManufacturing');
  await page.check('form[data-crm-field-form] input[name=filterable]');
  await t.shot('crm-custom-field-form');
  await submit('form[data-crm-field-form] button[type=submit]');
  await visible(page, '.alert-success', 'the "field added" flash');
  await page.click('details.adm-disclosure > summary');
  await page.fill('#cf-label', 'Budget');
  await page.selectOption('#cf-type', 'currency');
  await visible(page, '#cf-currency', 'the currency input');
  await page.fill('#cf-currency', 'EUR');
  await submit('form[data-crm-field-form] button[type=submit]');
  assert(await page.locator('.crm-field-item').count() === 2, 'both fields are listed');
  await t.shot('crm-custom-fields');

  // A company.
  await page.goto('/companies/new');
  await page.fill('#f-name', 'Acme Inc');
  await page.fill('#domains', 'acme.com');
  await page.fill('#f-industry', 'Software');
  await page.selectOption('#size', '51-200');
  await page.fill('#f-city', 'Berlin');
  await page.fill('#f-country', 'DE');
  await submit('form.crm-form button[type=submit]');
  await visible(page, '.crm-head h1', 'the company header');
  assert((await page.locator('.crm-head h1').innerText()).includes('Acme Inc'), 'the company page names it');

  // A refused contact keeps what was typed, with the message beside the field.
  await page.goto('/contacts/new');
  await page.fill('#first_name', 'Ann');
  await page.fill('#email-new', 'ann@');
  t.expectStatus(422);
  await submit('form.crm-form button[type=submit]');
  await visible(page, '.crm-rows.has-error .field-error', 'the email error');
  assert(await page.inputValue('#first_name') === 'Ann', 'the typed name was kept');
  await t.shot('crm-contact-form-error');

  // A contact with two emails (the second row added by the button), a phone and custom values.
  await page.goto('/contacts/new');
  await page.fill('#first_name', 'Ann');
  await page.fill('#last_name', 'Lee');
  await page.fill('#title', 'Head of Operations');
  await page.fill('#email-new', 'ann@acme.com');
  await page.click('[data-crm-rows]:has(#email-new) [data-crm-add]');
  await page.locator('[data-crm-rows]:has(#email-new) input[name=emails]').last().fill('ann.lee@home.example');
  await page.fill('#phone-new', '(415) 555-0132');
  await page.fill('#phone-label-new', 'mobile');
  await page.fill('#social-linkedin', 'https://linkedin.com/in/annlee');
  await page.selectOption('#lifecycle_stage', 'opportunity');
  await page.fill('#tags', 'vip, beta');
  await page.selectOption('#cf-industry', 'software');
  await page.fill('#cf-budget', '12,500');
  await t.shot('crm-contact-form');
  await submit('form.crm-form button[type=submit]');
  await visible(page, '.crm-head h1', 'the contact header');
  assert((await page.locator('.crm-head h1').innerText()) === 'Ann Lee', 'the contact page names Ann Lee');
  assert(await page.locator('.crm-head-sub a', { hasText: 'Acme Inc' }).count() === 1, 'linked to Acme by the email domain');
  assert(await page.locator('.crm-props', { hasText: '+14155550132' }).count() + await page.locator('.crm-props a[href="tel:+14155550132"]').count() > 0, 'the phone is stored in E.164');
  assert(await page.locator('.crm-props', { hasText: '12500.00 EUR' }).count() === 1, 'the budget is shown');
  await t.shot('crm-contact');
  const contactPath = pathOf(page);

  // Edit, then the company page lists the contact.
  await page.click('.crm-head-actions a[href$="/edit"]');
  await expectPath(page, `${contactPath}/edit`);
  await page.selectOption('#lifecycle_stage', 'customer');
  await submit('form.crm-form button[type=submit]');
  await visible(page, '.crm-stage-customer', 'the customer stage badge');
  await submit('.crm-head-sub a');
  await visible(page, '.crm-links a', 'the contact on the company page');
  await t.shot('crm-company');

  await page.setViewportSize(MOBILE);
  for (const [p, label] of [[contactPath, 'contact'], [`${contactPath}/edit`, 'contact-form'], ['/admin/custom-fields', 'custom-fields']]) {
    await page.goto(p);
    await visible(page, 'h1');
    await noHorizontalOverflow(page, MOBILE.width);
    await t.shot(`crm-${label}-mobile`);
  }
  await page.setViewportSize(DESKTOP);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(contactPath);
  await visible(page, 'h1');
  await t.shot('crm-contact-dark');
  await page.emulateMedia({ colorScheme: 'light' });
}
crmRecordsChecks.title = 'CRM records: custom fields, company and contact forms and pages';

// Deals: the board loads from the nav; a card dragged to another column, and one moved with
// the keyboard, stay there after a reload; the deal page marks a deal won; pipeline settings
// add a stage; the board fits a phone and dark mode.
async function dealChecks(t) {
  const context = await newContext(t.browser, t.base);
  t.cleanup.push(() => context.close());
  const page = t.use(await context.newPage());
  await signIn(page);
  await expectPath(page, '/');
  const submit = (selector) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
  await submit('nav a[href="/deals"]');
  await expectPath(page, '/deals');
  assert(await page.locator('.dl-column').count() === 6, 'the default pipeline has six columns');

  const deals = [
    ['Northwind renewal', '48,000', '2027-02-26'],
    ['Contoso pilot', '12,500.50', ''],
    ['Fabrikam expansion', '93,200', '2026-12-18'],
    ['Tailspin onboarding', '7,800', ''],
  ];
  // The company picker narrows as you type (and asks the API for names the page left out).
  await page.goto('/deals/new');
  const companySearch = page.locator('#d-company').locator('xpath=preceding-sibling::input[@type="search"]');
  await visible(page, '.picker-search', 'the picker search box');
  await companySearch.fill('acm');
  await until(async () => (await page.locator('#d-company option:not([hidden])').allInnerTexts()).some((n) => n.includes('Acme Inc')), 'typing did not keep Acme Inc');
  const shown = await page.locator('#d-company option:not([hidden])').allInnerTexts();
  assert(shown.every((n) => n.includes('Acme') || n === 'No company'), `the company list shows ${shown.join('|')}`);
  await page.locator('#d-company').selectOption({ label: 'Acme Inc' });
  await page.fill('#d-title', 'Acme expansion');
  await t.shot('deal-form-picker');
  await submit('form.dl-form button[type=submit]');
  await visible(page, '.alert-success', 'the "deal created" flash');
  assert((await page.locator('main').innerText()).includes('Acme Inc'), 'the deal page names the picked company');

  for (const [title, amount, close] of deals) {
    await page.goto('/deals/new');
    await page.fill('#d-title', title);
    await page.fill('#d-amount', amount);
    if (close) await page.fill('#d-close', close);
    await submit('form.dl-form button[type=submit]');
    await visible(page, '.alert-success', 'the "deal created" flash');
  }
  await t.shot('deal-page');
  await page.goto('/deals');
  const column = (name) => page.locator(`.dl-column[data-stage-name="${name}"]`);
  const card = (title) => page.locator('.dl-card', { hasText: title });
  assert(await column('Qualification').locator('.dl-card').count() === 5, 'new deals start in Qualification');

  // Drag and drop into Proposal.
  await card('Northwind renewal').dragTo(column('Proposal').locator('.dl-cards'));
  await until(async () => (await page.locator('#dl-live').innerText()).includes('Moved'), 'the drop was not announced');
  await page.reload();
  assert(await column('Proposal').locator('.dl-card', { hasText: 'Northwind renewal' }).count() === 1, 'the dragged card did not stay in Proposal');
  assert((await column('Proposal').locator('.dl-total').innerText()).includes('48,000'), 'the Proposal total shows the amount');

  // Keyboard: Space picks up, two steps right, Enter drops.
  await card('Contoso pilot').focus();
  await page.keyboard.press('Space');
  await until(async () => (await page.locator('#dl-live').innerText()).includes('Picked up'), 'picking up was not announced');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await until(async () => (await page.locator('#dl-live').innerText()).includes('Moved Contoso pilot to Proposal'), 'the keyboard move was not announced');
  await until(async () => (await page.evaluate(() => document.activeElement && document.activeElement.id)).startsWith('deal-'), 'focus stays on the moved card');
  await page.reload();
  const order = await column('Proposal').locator('.dl-card-title').allInnerTexts();
  assert(order.join('|') === 'Northwind renewal|Contoso pilot', `Proposal order is ${order.join('|')}`);
  await card('Fabrikam expansion').focus();
  await t.shot('deals-board');

  // The deal page: mark won.
  await submit('.dl-card-title >> text=Fabrikam expansion');
  await visible(page, '.dl-progress');
  await submit('.dl-won-btn');
  await visible(page, '.badge.dl-badge-won', 'the won badge');
  await t.shot('deal-won');

  // Filters.
  await page.goto('/deals?status=won');
  assert(await page.locator('.dl-card').count() === 1, 'the status filter keeps only won deals');

  // Pipeline settings: add a stage.
  await page.goto('/');
  await submit('nav a[href="/admin/pipelines"]');
  await expectPath(page, '/admin/pipelines');
  await page.fill('input[name=name][placeholder="Contract sent"]', 'Contract sent');
  await page.fill('.dl-add-stage input[name=probability]', '90');
  await submit('.dl-add-stage button[type=submit]');
  await visible(page, '.alert-success', 'the "stage added" flash');
  assert(await page.locator('.dl-stage-row input[value="Contract sent"]').count() === 1, 'the new stage is listed');
  await t.shot('pipelines-settings');
  await page.locator('.dl-stage-row', { has: page.locator('input[value="Contract sent"]') }).locator('details.dl-stage-delete > summary').click();
  await t.shot('pipelines-delete-stage');

  // Phone and dark mode.
  const phone = await newContext(t.browser, t.base, { viewport: MOBILE, isMobile: true, hasTouch: true, deviceScaleFactor: 2, colorScheme: 'dark' });
  t.cleanup.push(() => phone.close());
  const mobile = t.use(await phone.newPage());
  await signIn(mobile);
  await mobile.goto('/deals');
  await visible(mobile, '.dl-board');
  const width = await mobile.evaluate(() => document.documentElement.scrollWidth);
  assert(width <= MOBILE.width + 1, `the board page is ${width}px wide on a phone`);
  await t.shot('deals-board-mobile-dark');
  await mobile.goto('/admin/pipelines');
  await noHorizontalOverflow(mobile, MOBILE.width);
  await t.shot('pipelines-mobile-dark');
}
dealChecks.title = 'deals board, deal page and pipeline settings';

// Seeds rows straight into the embedded SQLite database (Python's sqlite3 module, which the
// test peers already need): CRM records have no page of their own in this check's scope, and a
// notification comes only from the reminder job, which runs once a minute.
function seedSql(dataDir, script) {
  const py = `
import sqlite3, sys, uuid, json
db = sqlite3.connect(sys.argv[1], timeout=10)
db.execute("PRAGMA foreign_keys=ON")
out = {}
${script}
db.commit()
print(json.dumps(out))
`;
  const res = spawnSync('python3', ['-c', py, path.join(dataDir, 'rapport.sqlite3')], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`seeding failed: ${res.stderr}`);
  return JSON.parse(res.stdout);
}

async function crmWorkPages(t) {
  // The activity page of a contact: the note composer posts a note that appears, rendered;
  // the task composer adds a task; /tasks quick-adds and checks off; the bell counts an unread
  // notification and /notifications marks all read.
  const seeded = seedSql(t.dataDir, `
org = db.execute("SELECT id FROM orgs LIMIT 1").fetchone()[0]
user = db.execute("SELECT id FROM users WHERE email = ?", ("${OWNER.email}",)).fetchone()[0]
cid = uuid.uuid4()
now = "2026-11-27 12:00:00+00:00"
db.execute("""INSERT INTO contacts (id, org_id, first_name, last_name, display_name, lifecycle_stage,
  social, custom, consent_marketing, consent_ai, created_at, updated_at)
  VALUES (?, ?, 'Grace', 'Hopper', 'Grace Hopper', 'lead', '{}', '{}', 0, 1, ?, ?)""", (cid.bytes, org, now, now))
out["contact"] = str(cid)
out["user"] = str(uuid.UUID(bytes=user))
out["org"] = str(uuid.UUID(bytes=org))
`);
  const ctx = await newContext(t.browser, t.base);
  t.cleanup.push(() => ctx.close());
  const page = t.use(await ctx.newPage());
  const submit = (selector) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
  await signIn(page);

  const activity = `/records/contact/${seeded.contact}/activity`;
  await page.goto(activity);
  await visible(page, 'h1');
  assert((await page.locator('h1').innerText()).includes('Grace Hopper'), 'the record name heads the page');
  await visible(page, '.tl-empty', 'the empty timeline');
  await page.fill('textarea[name=body]', 'Discussed **pricing** for the [pilot](https://example.com/pilot).\n\n- three seats\n- start in January');
  await submit('form[action$="/notes"] button[type=submit]');
  await expectPath(page, activity);
  await visible(page, '.alert-success', 'the "note added" flash');
  const note = await visible(page, '.tl-note', 'the note on the timeline');
  assert((await note.innerHTML()).includes('<strong>pricing</strong>'), 'the note renders its Markdown');
  assert(await page.locator('.tl-note a[rel="noopener noreferrer nofollow"]').count() === 1, 'links in notes get rel=noopener');
  await page.click('details.tl-compose:not([open]) > summary');
  await page.fill('input[name=title]', 'Send Grace the pilot contract');
  await page.fill('input[name=due]', '2030-01-10T10:00');
  await page.selectOption('select[name=remind]', '60');
  await submit('form[action$="/tasks"] button[type=submit]');
  await visible(page, '.tl-k-task .tl-detail a', 'the task on the timeline');
  await t.shot('activity');

  // Tasks: quick add, then check off inline.
  await page.goto('/tasks');
  await visible(page, 'h1');
  await page.fill('#tk-title', 'Call Grace back');
  await page.fill('#tk-due', '2030-01-09T09:30');
  await submit('form.tk-quick button[type=submit]');
  await expectPath(page, '/tasks');
  const row = await visible(page, '.tk-row:has-text("Call Grace back")', 'the quick-added task');
  assert(await page.locator('.tk-row:has-text("Send Grace the pilot contract") .tk-link', { hasText: 'Grace Hopper' }).count() === 1, 'the linked record chip');
  await t.shot('tasks');
  await submit('.tk-row:has-text("Call Grace back") button.tk-check');
  await visible(page, '.tk-group-done .tk-row.tk-is-done:has-text("Call Grace back")', 'the task under "Recently done"');
  await t.shot('tasks-done');
  void row;
  await page.goto('/tasks/' + (await page.locator('.tk-row:has-text("Send Grace") a.tk-title').getAttribute('href')).split('/').pop());
  await visible(page, 'form.tk-form', 'the task form');
  assert(await page.inputValue('#t-due') === '2030-01-10T10:00', 'the due time shows in the member\'s zone');
  await t.shot('task-form');

  // Notifications: the bell counts, the page marks all read.
  seedSql(t.dataDir, `
nid = uuid.uuid4()
db.execute("""INSERT INTO notifications (id, org_id, user_id, kind, title, body, link, created_at)
  VALUES (?, ?, ?, 'task.reminder', 'Reminder: Call Grace back', 'Due Thu, Jan 9, 2030 at 9:30 AM (UTC)', '/tasks', '2026-11-27 12:00:00+00:00')""",
  (nid.bytes, uuid.UUID("${seeded.org}").bytes, uuid.UUID("${seeded.user}").bytes))
`);
  await page.goto('/');
  const badge = await visible(page, '.nt-bell .nt-badge', 'the unread badge on the bell');
  assert((await badge.getAttribute('data-unread')) === '1', 'the bell counts one unread notification');
  await page.click('.nt-bell');
  await expectPath(page, '/notifications');
  await visible(page, '.nt-row.nt-unread', 'the unread notification');
  await t.shot('notifications');
  await submit('form[action="/notifications/read-all"] button[type=submit]');
  await visible(page, '.alert-success', 'the "all read" flash');
  assert(await page.locator('.nt-row.nt-unread').count() === 0, 'nothing is unread after "mark all read"');
  assert(await page.locator('.nt-bell .nt-badge').count() === 0, 'the bell has no badge');

  // Narrow screens and the dark theme.
  await page.setViewportSize(MOBILE);
  for (const [p, label] of [[activity, 'activity'], ['/tasks', 'tasks'], ['/notifications', 'notifications']]) {
    await page.goto(p);
    await visible(page, 'h1');
    await noHorizontalOverflow(page, MOBILE.width);
    await t.shot(`${label}-mobile`);
  }
  await page.setViewportSize(DESKTOP);
  await page.emulateMedia({ colorScheme: 'dark' });
  for (const [p, label] of [[activity, 'activity'], ['/tasks', 'tasks']]) {
    await page.goto(p);
    await visible(page, 'h1');
    await t.shot(`${label}-dark`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
crmWorkPages.title = 'notes, tasks and notifications: activity composer, quick add, check off, mark all read';

// CRM lists: rows are inserted straight into the SQLite file (creating contacts belongs to
// the record pages), then the contacts list is filtered with the builder and saved as a segment.
function seedContacts(dataDir) {
  const db = path.join(dataDir, 'rapport.sqlite3');
  const at = (n) => `strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-${n} minutes')`;
  const people = [
    ['Grace', 'Hopper', 'customer', 'grace@navy.test', 'Admiral', 'vip'],
    ['Alan', 'Turing', 'lead', 'alan@bletchley.test', 'Researcher', ''],
    ['Katherine', 'Johnson', 'customer', 'katherine@nasa.test', 'Mathematician', 'vip'],
    ['Linus', 'Torvalds', 'opportunity', 'linus@kernel.test', 'Maintainer', ''],
    ['Margaret', 'Hamilton', 'subscriber', 'margaret@mit.test', 'Director', 'newsletter'],
    ['Tim', 'Berners-Lee', 'lead', 'tim@w3.test', '', ''],
  ];
  const sql = ["CREATE TEMP TABLE o AS SELECT id FROM orgs LIMIT 1;",
    `INSERT INTO companies (id, org_id, name, industry, custom, created_at, updated_at) SELECT randomblob(16), id, 'Analytical Engines', 'Software', '{}', ${at(90)}, ${at(90)} FROM o;`];
  people.forEach(([first, last, stage, email, title, tag], i) => {
    sql.push(`INSERT INTO contacts (id, org_id, first_name, last_name, display_name, title, lifecycle_stage, primary_email, company_id, social, custom, consent_marketing, consent_ai, created_at, updated_at)
      SELECT randomblob(16), o.id, '${first}', '${last}', '${first} ${last}', NULLIF('${title}', ''), '${stage}', '${email}', (SELECT id FROM companies LIMIT 1), '{}', '{}', 0, 1, ${at(60 - i)}, ${at(60 - i)} FROM o;`);
    if (tag) sql.push(`INSERT INTO contact_tags (org_id, contact_id, tag) SELECT org_id, id, '${tag}' FROM contacts WHERE primary_email = '${email}';`);
  });
  execFileSync('sqlite3', [db, sql.join('\n')]);
}

async function crmLists(t) {
  seedContacts(t.dataDir);
  const page = t.use(t.page);
  await page.goto('/contacts');
  if (pathOf(page) === '/login') {
    await signIn(page);
    await page.goto('/contacts');
  }
  await visible(page, '#crm-table', 'the contacts table');
  const count = () => page.locator('#crm-table tbody tr').count();
  // Earlier checks add contacts of their own: the seeded six are among what the table shows.
  const all = await count();
  assert(all >= 6, `expected at least 6 contacts, saw ${all}`);
  await visible(page, '#crm-builder', 'the filter builder');
  await t.shot('contacts');
  // Builder: lifecycle stage = customer.
  const row = page.locator('.crm-row').first();
  await row.locator('select.crm-field').selectOption('lifecycle_stage');
  await row.locator('select.crm-op').selectOption('=');
  await row.locator('select.crm-value').selectOption('customer');
  const text = await page.inputValue('#crm-filter');
  assert(text === 'lifecycle_stage = customer', `the builder wrote "${text}"`);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#crm-apply')]);
  const customers = await page.locator('#crm-table tbody tr', { hasText: 'Customer' }).count();
  await until(async () => (await count()) === customers && customers >= 2 && customers < all,
    'the filtered table shows only customers');
  await visible(page, 'text=Grace Hopper');
  await t.shot('contacts-filtered');
  // Save it as a segment.
  if (!(await page.locator('#crm-seg-name').isVisible())) await page.click('.crm-save summary');
  await page.fill('#crm-seg-name', 'Customers');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#crm-save-form button[type=submit]')]);
  await visible(page, '.crm-seg.active >> text=Customers', 'the saved segment in the sidebar');
  assert((await count()) === customers, 'the segment shows the customers');
  await t.shot('contacts-segment');
  await page.goto('/companies');
  await visible(page, 'text=Analytical Engines');
  await page.goto('/deals/list');
  await visible(page, '#crm-table, .empty-state', 'the deals list');
  // Phone width: no horizontal scrolling.
  const context = await newContext(t.browser, t.base, { viewport: MOBILE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  t.cleanup.push(() => context.close());
  const phone = t.use(await context.newPage());
  await signIn(phone);
  await phone.goto('/contacts');
  await visible(phone, '#crm-table');
  await noHorizontalOverflow(phone, MOBILE.width);
  await t.shot('mobile-contacts');
}
crmLists.title = 'CRM lists: contacts table, filter builder, saved segment';

/**
 * Contact import wizard end to end with a small CSV (upload through the page's script, map,
 * refused run, run skipping the invalid row, result), then the duplicates list and the merge
 * screen; the mapping and merge pages at 375 px and in dark mode.
 */
async function crmImportChecks(t) {
  const context = await newContext(t.browser, t.base);
  t.cleanup.push(() => context.close());
  const page = t.use(await context.newPage());
  await signIn(page);
  await expectPath(page, '/');
  await page.goto('/contacts');
  const link = page.locator('a#crm-import');
  await link.waitFor({ state: 'visible' });
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
  await visible(page, '#crm-import-form', 'the upload form');
  await t.shot('import-upload');
  const csv = 'First Name;Last Name;E-mail;Phone;Company;Tags\n' +
    'Ada;Lovelace;ada@example.com;+1 415 555 0132;Analytical Engines;vip\n' +
    'ada;lovelace;ada.l@engines.example;;Analytical Engines;\n' +
    'Grace;Hopper;grace@navy.example;+1 202 555 0199;US Navy;\n' +
    'Bad;Row;not-an-email;123;;\n';
  await page.setInputFiles('#imp-file', { name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await Promise.all([page.waitForURL(/\/contacts\/import\/[0-9a-f-]+$/), page.click('#imp-submit')]);
  await visible(page, 'table.imp-map', 'the mapping table');
  await visible(page, 'table.imp-preview', 'the preview');
  await visible(page, 'table.imp-errors', 'the error list');
  const selected = await page.$eval('#map-2', (el) => el.value);
  assert(selected === 'email', `the E-mail column is suggested as ${selected}`);
  await t.shot('import-map');
  const submit = (selector) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
  await submit('#imp-run');
  await visible(page, '#imp-refused', 'the refusal');
  await page.check('input[name=skip_invalid]');
  await submit('#imp-run');
  await visible(page, '#imp-result', 'the result');
  const counts = await page.locator('#imp-result .stat-value').allTextContents();
  assert(counts.join(',') === '3,0,1', `result counts ${counts}`);
  await t.shot('import-done');
  const mapUrl = page.url();

  await page.goto('/contacts/duplicates');
  await visible(page, '.dup-pair', 'a duplicate pair');
  await t.shot('duplicates');
  await submit('.dup-pair a.btn');
  await visible(page, 'table.merge-table', 'the merge table');
  await t.shot('merge');
  const mergeUrl = page.url();
  for (const [label, options] of [['mobile', { viewport: MOBILE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }], ['dark', { colorScheme: 'dark' }]]) {
    const ctx = await newContext(t.browser, t.base, options);
    t.cleanup.push(() => ctx.close());
    const other = await ctx.newPage();
    await signIn(other);
    for (const [name, url] of [['import', mapUrl], ['merge', mergeUrl], ['duplicates', '/contacts/duplicates']]) {
      await other.goto(url);
      await visible(other, 'h1');
      if (label === 'mobile') await noHorizontalOverflow(other, MOBILE.width);
      await screenshot(other, `crm-${label}-${name}`);
    }
  }
  await submit('#merge-submit');
  await expectPath(page, '/contacts/duplicates');
  await visible(page, '.flash-stack, .alert-success', 'the merged message');
  await t.shot('merged');
}
crmImportChecks.title = 'contact import, duplicates and merge';

async function inboxChecks(t) {
  // The agent inbox: an integration posts two customers' messages through the API channel; the
  // agent finds them unread in "All", opens one, replies with Ctrl+Enter, adds a private note
  // (n), assigns it to themself, labels it, resolves it (e) and moves on with j.
  const ctx = await newContext(t.browser, t.base);
  t.cleanup.push(() => ctx.close());
  const page = t.use(await ctx.newPage());
  const submit = (action) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  await signIn(page);
  await page.goto('/inbox');
  await visible(page, '.ib-list h1', 'the inbox');
  const seeded = await page.evaluate(async () => {
    const csrf = document.querySelector('meta[name=csrf-token]').content;
    const call = async (path, body, key) => {
      const headers = { 'content-type': 'application/json', 'x-csrf-token': csrf };
      if (key) headers['idempotency-key'] = key;
      const res = await fetch('/api/v1' + path, { method: 'POST', headers, body: JSON.stringify(body) });
      return res.json();
    };
    const inbox = await call('/inboxes', { name: 'Website' });
    const a = await call(`/inboxes/${inbox.id}/messages`, {
      contact: { identifier: 'visitor-1', name: 'Ada Byron', email: 'ada.byron@example.org' },
      content: 'Hello! My invoice shows the wrong address.\nCan you fix it?', subject: 'Wrong address on invoice',
    }, 'b-1');
    const b = await call(`/inboxes/${inbox.id}/messages`, {
      contact: { identifier: 'visitor-2', name: 'Alan Turing' }, content: 'Is there a discount for schools?',
    }, 'b-2');
    return { inbox: inbox.id, a: a.conversation_id, b: b.conversation_id };
  });
  await page.goto('/inbox?folder=all&status=open');
  await visible(page, '.ib-item.unread', 'an unread conversation');
  assert(await page.locator('.ib-item').count() === 2, 'both conversations are listed');
  await t.shot('inbox-list');

  await submit(() => page.click(`.ib-item[data-conversation="${seeded.a}"]`));
  await visible(page, '.ib-msg-in .ib-text', 'the customer message');
  assert((await page.locator('.ib-convo-head h2').innerText()).includes('Wrong address on invoice'), 'the subject heads the conversation');
  assert(await page.locator('.ib-item.selected.unread').count() === 0, 'the open conversation is read');
  await page.fill('#ib-body', 'Sorry about that, Ada. The corrected invoice is on its way.');
  await submit(() => page.press('#ib-body', 'Control+Enter'));
  await visible(page, '.alert-success', 'the "reply sent" flash');
  await visible(page, '.ib-msg-out:has-text("corrected invoice")', 'the reply in the thread');

  await page.keyboard.press('n');
  assert(await page.locator('.ib-composer.note-mode').count() === 1, 'n switches the composer to a private note');
  await page.keyboard.type('Check the **billing** address in the CRM too, @Ada');
  await visible(page, '.ib-mention-option.active', 'the @mention suggestion');
  await t.shot('inbox-mention');
  await page.keyboard.press('Enter');
  assert((await page.inputValue('#ib-body')).endsWith(`@${OWNER.name} `), 'Enter puts the full name in the note');
  await submit(() => page.click('[data-send]'));
  const note = await visible(page, '.ib-msg-note', 'the private note');
  assert((await note.innerHTML()).includes('<strong>billing</strong>'), 'the note renders Markdown');
  const mentioned = await page.evaluate(async (conv) => {
    const items = (await fetch(`/api/v1/conversations/${conv}/messages`).then((r) => r.json())).items;
    return items.filter((m) => m.kind === 'note').map((m) => m.metadata.mentions.length);
  }, seeded.a);
  assert(mentioned.length === 1 && mentioned[0] === 1, 'the note records the mention');

  await page.selectOption('#ib-assignee', { label: OWNER.name });
  await submit(() => page.click('[data-assign-form] button[type=submit]:not([name])'));
  await visible(page, '.ib-activity:has-text("assigned this to")', 'the assignment line');
  await page.fill('#ib-label', 'Billing');
  await submit(() => page.press('#ib-label', 'Enter'));
  await visible(page, '.ib-labels .ib-label:has-text("billing")', 'the new label');
  await t.shot('inbox-conversation');

  await submit(() => page.keyboard.press('e'));
  await visible(page, '.ib-side .ib-status-resolved', 'the conversation is resolved');
  await page.goto(`/inbox?folder=all&status=all&c=${seeded.a}`);
  await visible(page, '.ib-item.selected');
  const items = page.locator('.ib-item');
  const order = [await items.nth(0).getAttribute('data-conversation'), await items.nth(1).getAttribute('data-conversation')];
  const next = order[order.indexOf(seeded.a) + 1] || null;
  if (next) {
    await submit(() => page.keyboard.press('j'));
    assert(new URL(page.url()).searchParams.get('c') === next, 'j opens the next conversation');
  }
  await t.shot('inbox-next');
}
inboxChecks.title = 'inbox: folders, unread, reply, note, assign, label, resolve and j/k shortcuts';

async function inboxFilesChecks(t) {
  // Files: a customer's screenshot arrives through the API channel and previews in the thread;
  // the agent attaches a file in the composer (uploaded at once, shown as a chip) and sends it
  // without text; the reply lists the file as a download.
  const ctx = await newContext(t.browser, t.base);
  t.cleanup.push(() => ctx.close());
  const page = t.use(await ctx.newPage());
  const submit = (action) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  await signIn(page);
  await page.goto('/inbox');
  await visible(page, '.ib-list h1', 'the inbox');
  const conv = await page.evaluate(async () => {
    const csrf = document.querySelector('meta[name=csrf-token]').content;
    const canvas = document.createElement('canvas');
    canvas.width = 480; canvas.height = 270;
    const g = canvas.getContext('2d');
    const grad = g.createLinearGradient(0, 0, 480, 270);
    grad.addColorStop(0, '#6366f1'); grad.addColorStop(1, '#14b8a6');
    g.fillStyle = grad; g.fillRect(0, 0, 480, 270);
    g.fillStyle = '#fff'; g.font = 'bold 28px sans-serif'; g.fillText('Error 502 at checkout', 40, 140);
    const png = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
    const up = await fetch('/api/v1/uploads?filename=checkout-error.png', {
      method: 'POST', headers: { 'content-type': 'image/png', 'x-csrf-token': csrf }, body: png,
    }).then((r) => r.json());
    const headers = { 'content-type': 'application/json', 'x-csrf-token': csrf };
    const inbox = await fetch('/api/v1/inboxes', { method: 'POST', headers, body: JSON.stringify({ name: 'Shop' }) }).then((r) => r.json());
    const msg = await fetch(`/api/v1/inboxes/${inbox.id}/messages`, {
      method: 'POST', headers: { ...headers, 'idempotency-key': 'files-1' },
      body: JSON.stringify({
        contact: { identifier: 'grace', name: 'Grace Hopper' }, subject: 'Checkout fails',
        content: 'Checkout fails with this error, see the screenshot.', attachments: [up.id],
      }),
    }).then((r) => r.json());
    return msg.conversation_id;
  });
  await page.goto(`/inbox?folder=all&status=open&c=${conv}`);
  const preview = await visible(page, '.ib-msg-in .ib-file-preview img', 'the screenshot preview');
  // The image may still be on its way when the element shows (a loaded machine): wait for it.
  await until(() => preview.evaluate((img) => img.complete && img.naturalWidth === 480), 'the preview image loads');
  assert((await page.locator('.ib-msg-in .ib-file-name').innerText()) === 'checkout-error.png', 'the file is named');

  await page.setInputFiles('#ib-file-input', { name: 'refund-policy.txt', mimeType: 'text/plain', buffer: Buffer.from('Refunds within 30 days.') });
  await visible(page, '.ib-chip:not(.uploading) .ib-chip-remove', 'the uploaded file chip');
  await t.shot('inbox-files-composer');
  await submit(() => page.click('[data-send]'));
  await visible(page, '.alert-success', 'the "reply sent" flash');
  const link = await visible(page, '.ib-msg-out .ib-file-link:has-text("refund-policy.txt")', 'the sent file');
  const href = await link.getAttribute('href');
  const res = await page.request.get(href);
  assert(res.status() === 200 && (res.headers()['content-disposition'] || '').startsWith('attachment'), 'the file downloads as an attachment');
  assert((await res.text()) === 'Refunds within 30 days.', 'the download is the file');
  await t.shot('inbox-files');
}
inboxFilesChecks.title = 'inbox files: image preview, composer upload chip, reply with a file, download';

async function inboxViewsChecks(t) {
  // Saved views: the agent opens "New view" from the folder pane, saves "Urgent in Helpdesk"
  // (inbox + least priority), lands on it, and the list shows only the urgent conversation.
  const ctx = await newContext(t.browser, t.base);
  t.cleanup.push(() => ctx.close());
  const page = t.use(await ctx.newPage());
  const submit = (action) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  await signIn(page);
  await page.goto('/inbox');
  await visible(page, '.ib-list h1', 'the inbox');
  await page.evaluate(async () => {
    const csrf = document.querySelector('meta[name=csrf-token]').content;
    const headers = { 'content-type': 'application/json', 'x-csrf-token': csrf };
    const post = (path, body, key) => fetch('/api/v1' + path, {
      method: 'POST', headers: key ? { ...headers, 'idempotency-key': key } : headers, body: JSON.stringify(body),
    }).then((r) => r.json());
    const inbox = await post('/inboxes', { name: 'Helpdesk' });
    const hot = await post(`/inboxes/${inbox.id}/messages`, {
      contact: { identifier: 'hot-1', name: 'Katherine Johnson' }, content: 'Our whole team is locked out!', subject: 'Locked out',
    }, 'views-1');
    await post(`/inboxes/${inbox.id}/messages`, {
      contact: { identifier: 'calm-1', name: 'Dorothy Vaughan' }, content: 'Small question about invoices.',
    }, 'views-2');
    await post(`/conversations/${hot.conversation_id}/priority`, { priority: 'urgent' });
  });
  await page.goto('/inbox');
  await submit(() => page.locator('.ib-folder-new, .ib-new-view').locator('visible=true').first().click());
  await visible(page, '#view-name', 'the view form');
  await page.fill('#view-name', 'Urgent in Helpdesk');
  await page.selectOption('#view-inbox', { label: 'Helpdesk' });
  await page.selectOption('#view-priority', 'urgent');
  await t.shot('inbox-view-form');
  await submit(() => page.click('form[action="/inbox/views"] .form-actions button[type=submit]'));
  await visible(page, '.ib-folder.active:has-text("Urgent in Helpdesk")', 'the open view in the folder pane');
  assert((await page.locator('.ib-list h1').innerText()) === 'Urgent in Helpdesk', 'the list is titled by the view');
  const names = await page.locator('.ib-item').allInnerTexts();
  assert(names.length === 1 && names[0].includes('Katherine Johnson'), 'only the urgent Helpdesk conversation is listed');
  await t.shot('inbox-view');
}
inboxViewsChecks.title = 'inbox saved views: new view form, open view lists only matching conversations';

async function inboxLiveChecks(t) {
  // Realtime: with the inbox open, a new customer message appears in the list and in the open
  // thread without a reload, and a colleague who opens the same conversation and types shows
  // up above the composer (collision detection).
  const ctx = await newContext(t.browser, t.base);
  t.cleanup.push(() => ctx.close());
  const page = t.use(await ctx.newPage());
  await signIn(page);
  await page.goto('/inbox?folder=all&status=open');
  await visible(page, '.ib-list h1', 'the inbox');
  const seeded = await page.evaluate(async () => {
    const csrf = document.querySelector('meta[name=csrf-token]').content;
    const call = async (path, body, key) => {
      const headers = { 'content-type': 'application/json', 'x-csrf-token': csrf };
      if (key) headers['idempotency-key'] = key;
      const res = await fetch('/api/v1' + path, { method: 'POST', headers, body: JSON.stringify(body) });
      return res.json();
    };
    const inbox = await call('/inboxes', { name: 'Live chat' });
    await call('/users', { email: 'grace@example.com', name: 'Grace Hopper', password: 'correct horse battery staple', role: 'agent' });
    return { inbox: inbox.id };
  });
  await page.waitForSelector('[data-inbox][data-live-ready]', { timeout: ACTION_TIMEOUT_MS });
  const before = await page.locator('.ib-item').count();
  const post = (key, content) => page.evaluate(async ({ inbox, key, content }) => {
    const csrf = document.querySelector('meta[name=csrf-token]').content;
    const res = await fetch(`/api/v1/inboxes/${inbox}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, 'idempotency-key': key },
      body: JSON.stringify({ contact: { identifier: 'live-1', name: 'Katherine Johnson' }, content }),
    });
    return res.json();
  }, { inbox: seeded.inbox, key, content });
  const first = await post('live-a', 'Are you there? The launch window closes at noon.');
  await page.waitForFunction((n) => document.querySelectorAll('.ib-item').length > n, before, { timeout: ACTION_TIMEOUT_MS });
  await visible(page, `.ib-item[data-conversation="${first.conversation_id}"].unread`, 'the new conversation, unread, without a reload');

  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(`.ib-item[data-conversation="${first.conversation_id}"]`)]);
  await page.waitForSelector('[data-inbox][data-live-ready]', { timeout: ACTION_TIMEOUT_MS });
  const colleagueCtx = await newContext(t.browser, t.base);
  t.cleanup.push(() => colleagueCtx.close());
  const colleague = t.use(await colleagueCtx.newPage());
  await signIn(colleague, { email: 'grace@example.com', password: 'correct horse battery staple' });
  await colleague.goto(`/inbox?folder=all&status=open&c=${first.conversation_id}`);
  await colleague.waitForSelector('[data-inbox][data-live-ready]', { timeout: ACTION_TIMEOUT_MS });
  await visible(page, '[data-presence]:has-text("Grace Hopper is viewing")', 'the colleague viewing the conversation');
  await visible(colleague, `[data-presence]:has-text("${OWNER.name} is viewing")`, 'the colleague sees who else is here');
  await colleague.fill('#ib-body', 'I have this one');
  await colleague.type('#ib-body', '!');
  await visible(page, '[data-presence].typing:has-text("Grace Hopper is typing")', 'the colleague typing');

  await post('live-b', 'Never mind, found it in the docs. Thanks!');
  await visible(page, '.ib-msg-in:has-text("found it in the docs")', 'the customer\'s new message in the open thread');
  await t.shot('inbox-live');
}
inboxLiveChecks.title = 'inbox live: new messages without reload, colleagues viewing and typing';

async function cannedChecks(t) {
  // Canned responses: an admin adds one on the settings page; in a conversation the composer's
  // "Canned" button and "/" at the start of the reply both list it, and choosing it inserts the
  // text filled in for the conversation's contact and the agent.
  const ctx = await newContext(t.browser, t.base);
  t.cleanup.push(() => ctx.close());
  const page = t.use(await ctx.newPage());
  const submit = (action) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  await signIn(page);
  await page.goto('/admin/canned-responses');
  await visible(page, 'h1:has-text("Canned responses")', 'the canned responses page');
  await page.fill('#cr-code', 'thanks');
  await page.fill('#cr-title', 'Sign-off');
  await page.fill('#cr-body', 'Thanks, {{ contact.first_name }}!\n{{ agent.first_name }}{{ contact.unknown }}');
  await submit(() => page.click('[data-canned-add] button[type=submit]'));
  await visible(page, '.alert-success', 'the "canned response added" flash');
  await visible(page, '.crm-field-item:has-text("/thanks")', 'the new canned response');
  await t.shot('canned-settings');

  const conv = await page.evaluate(async () => {
    const csrf = document.querySelector('meta[name=csrf-token]').content;
    const call = async (path, body, key) => {
      const headers = { 'content-type': 'application/json', 'x-csrf-token': csrf };
      if (key) headers['idempotency-key'] = key;
      const res = await fetch('/api/v1' + path, { method: 'POST', headers, body: JSON.stringify(body) });
      return res.json();
    };
    const inbox = await call('/inboxes', { name: 'Canned check' });
    const posted = await call(`/inboxes/${inbox.id}/messages`, {
      contact: { identifier: 'canned-1', name: 'Rosa Parks' }, content: 'Got it, thanks!',
    }, 'canned-1');
    return posted.conversation_id;
  });
  await page.goto(`/inbox/conversations/${conv}`);
  await visible(page, '#ib-body', 'the composer');
  const want = `Thanks, Rosa!\n${OWNER.name.split(' ')[0]}`;

  await page.click('[data-canned-toggle]');
  await visible(page, '.cr-option:has-text("/thanks")', 'the picker lists the canned response');
  await page.fill('[data-canned-search]', 'sign');
  await visible(page, '.cr-option:has-text("Sign-off")', 'filtering by title');
  await t.shot('canned-picker');
  await page.click('.cr-option:has-text("Sign-off")');
  await until(async () => (await page.inputValue('#ib-body')) === want, 'the button inserts the rendered text');
  assert(await page.locator('[data-canned-pop]').isHidden(), 'the picker closes');

  await page.fill('#ib-body', '');
  await page.focus('#ib-body');
  await page.keyboard.type('/tha');
  await visible(page, '.cr-option.active:has-text("/thanks")', 'typing /tha offers it');
  await page.keyboard.press('Enter');
  await until(async () => (await page.inputValue('#ib-body')) === want, '"/" then Enter replaces the shortcut with the text');
  await page.keyboard.type(' Bye.');
  assert((await page.inputValue('#ib-body')) === `${want} Bye.`, 'the caret ends after the inserted text');
}
cannedChecks.title = 'canned responses: settings page, composer picker by button and by "/"';

async function automationChecks(t) {
  // Automation: an admin writes a rule in the editor (a condition, two actions, the second
  // added with "Add action"), sees it said in words, a customer's matching message gets the
  // rule's label and priority without anyone touching it, and the run log says so.
  const ctx = await newContext(t.browser, t.base);
  t.cleanup.push(() => ctx.close());
  const page = t.use(await ctx.newPage());
  const submit = (action) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  await signIn(page);
  await page.goto('/admin/automation');
  await visible(page, 'h1:has-text("Automation rules")', 'the automation page');
  await submit(() => page.click('a:has-text("New rule")'));
  await page.fill('#au-name', 'Refunds to billing');
  await page.selectOption('#au-trigger', 'message_received');
  const cond = page.locator('[data-cond]').first();
  await cond.locator('[data-field]').selectOption('content');
  await cond.locator('[data-operator]').selectOption('contains');
  await cond.locator('[data-value]').fill('refund');
  assert(await cond.locator('[data-choice]').isHidden(), 'a text field hides the list of values');
  const first = page.locator('[data-act]').first();
  await first.locator('[data-kind]').selectOption('add_label');
  await first.locator('input[name=a_label]').fill('billing');
  await page.click('[data-add="act"]');
  const second = page.locator('[data-act]').nth(1);
  await second.locator('[data-kind]').selectOption('set_priority');
  assert(await second.locator('input[name=a_label]').isHidden(), 'only the inputs the action needs show');
  await second.locator('select[name=a_priority]').selectOption('high');
  await t.shot('automation-editor');
  await submit(() => page.click('.au-form button[type=submit]'));
  await visible(page, '.alert-success', 'the "rule added" flash');
  await visible(page, '.au-rule:has-text("Message text contains “refund”")', 'the condition in words');
  await visible(page, '.au-rule:has-text("Set the priority to High")', 'the actions in words');
  await t.shot('automation-list');

  const conv = await page.evaluate(async () => {
    const csrf = document.querySelector('meta[name=csrf-token]').content;
    const call = async (path, body, key) => {
      const headers = { 'content-type': 'application/json', 'x-csrf-token': csrf };
      if (key) headers['idempotency-key'] = key;
      const res = await fetch('/api/v1' + path, { method: 'POST', headers, body: JSON.stringify(body) });
      return res.json();
    };
    const inbox = await call('/inboxes', { name: 'Automation check' });
    const posted = await call(`/inboxes/${inbox.id}/messages`, {
      contact: { identifier: 'auto-1', name: 'Mary Jackson' }, content: 'Please refund my order',
    }, 'auto-1');
    return posted.conversation_id;
  });
  await until(async () => {
    const c = await page.evaluate(async (id) => (await fetch(`/api/v1/conversations/${id}`)).json(), conv);
    return c.priority === 'high' && (c.labels || []).includes('billing');
  }, 'the rule labelled and raised the new conversation');
  await page.goto(`/inbox/conversations/${conv}`);
  await visible(page, '.ib-activity:has-text("Automation “Refunds to billing”")', 'the thread names the rule');
  await page.goto('/admin/automation');
  await submit(() => page.click('.au-rule:has-text("Refunds to billing") a:has-text("Run log")'));
  await visible(page, '.au-runs .badge:has-text("Applied")', 'the run log shows the run');
  await t.shot('automation-runs');
}
automationChecks.title = 'automation: rule editor, rule runs on a new message, run log';

async function webhookChecks(t) {
  // Webhooks: an admin adds a "Call a webhook" action pointing at a receiver on loopback,
  // finds the signing secret on the automation page, and a matching message reaches the
  // receiver signed with that secret; the run log says it was delivered.
  const received = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { received.push({ headers: req.headers, body }); res.writeHead(204); res.end(); });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  t.cleanup.push(() => new Promise((resolve) => receiver.close(resolve)));
  const hookUrl = `http://127.0.0.1:${receiver.address().port}/rapport`;
  const ctx = await newContext(t.browser, t.base);
  t.cleanup.push(() => ctx.close());
  const page = t.use(await ctx.newPage());
  const submit = (action) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  await signIn(page);
  await page.goto('/admin/automation/new');
  await page.fill('#au-name', 'Escalations to on-call');
  await page.selectOption('#au-trigger', 'message_received');
  const cond = page.locator('[data-cond]').first();
  await cond.locator('[data-field]').selectOption('content');
  await cond.locator('[data-operator]').selectOption('contains');
  await cond.locator('[data-value]').fill('outage');
  const act = page.locator('[data-act]').first();
  await act.locator('[data-kind]').selectOption('call_webhook');
  assert(await act.locator('input[name=a_url]').isVisible(), 'the webhook action asks for a URL');
  await act.locator('input[name=a_url]').fill('ftp://nope');
  t.expectStatus(422);
  await submit(() => page.click('.au-form button[type=submit]'));
  await visible(page, '.alert-error', 'a bad URL is refused with a message');
  await page.locator('[data-act] input[name=a_url]').first().fill(hookUrl);
  await t.shot('automation-webhook-editor');
  await submit(() => page.click('.au-form button[type=submit]'));
  await visible(page, '.alert-success', 'the "rule added" flash');
  await visible(page, `.au-rule:has-text("Send the conversation to ${hookUrl}")`, 'the action in words');
  await page.click('#webhook-secret summary:has-text("Show secret")');
  const secret = (await page.locator('#webhook-secret [data-secret]').textContent()).trim();
  assert(secret.startsWith('whsec_'), 'the signing secret is shown');
  await t.shot('automation-webhook-secret');

  await page.evaluate(async () => {
    const csrf = document.querySelector('meta[name=csrf-token]').content;
    const call = async (path, body, key) => {
      const headers = { 'content-type': 'application/json', 'x-csrf-token': csrf };
      if (key) headers['idempotency-key'] = key;
      const res = await fetch('/api/v1' + path, { method: 'POST', headers, body: JSON.stringify(body) });
      return res.json();
    };
    const inbox = await call('/inboxes', { name: 'Webhook check' });
    await call(`/inboxes/${inbox.id}/messages`, {
      contact: { identifier: 'hook-1', name: 'Dorothy Vaughan' }, content: 'We have an outage in EU',
    }, 'hook-1');
  });
  await until(async () => received.length > 0, 'the receiver got the webhook');
  const { headers, body } = received[0];
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const mac = crypto.createHmac('sha256', key)
    .update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest('base64');
  assert(headers['webhook-signature'] === `v1,${mac}`, 'the delivery verifies with the shown secret');
  assert(JSON.parse(body).data.message.text === 'We have an outage in EU', 'the delivery carries the message');
  await page.goto('/admin/automation');
  await submit(() => page.click('.au-rule:has-text("Escalations to on-call") a:has-text("Run log")'));
  await until(async () => {
    await page.reload();
    return page.locator('.au-runs .badge:has-text("Webhook delivered")').isVisible();
  }, 'the run log shows the delivery');
  await t.shot('automation-webhook-runs');
}
webhookChecks.title = 'automation: webhook action, signing secret, signed delivery, run log';

async function slaChecks(t) {
  // SLA: an admin adds a policy for an inbox on the settings page (targets typed as "30m",
  // "1d"); a conversation that arrives there shows its first-reply deadline in the list and
  // in its header.
  const ctx = await newContext(t.browser, t.base);
  t.cleanup.push(() => ctx.close());
  const page = t.use(await ctx.newPage());
  const submit = (action) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  await signIn(page);
  const inbox = await page.evaluate(async () => {
    const csrf = document.querySelector('meta[name=csrf-token]').content;
    const res = await fetch('/api/v1/inboxes', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ name: 'SLA check' }) });
    return (await res.json()).id;
  });
  await page.goto('/admin/sla');
  await visible(page, 'h1:has-text("SLA policies")', 'the SLA page');
  const add = page.locator('[data-sla-add] form');
  await add.locator('input[name=name]').fill('Priority support');
  await add.locator(`input[name=inbox_ids][value="${inbox}"]`).check();
  await add.locator('input[name=fr_none]').fill('30m');
  await add.locator('input[name=res_none]').fill('1d');
  await add.locator('input[name=hours][value=always]').check();
  await t.shot('sla-form');
  await submit(() => add.locator('button[type=submit]').click());
  await visible(page, '.alert-success', 'the "policy added" flash');
  await visible(page, '.au-rule:has-text("Priority support"):has-text("first reply 30m, resolved 1d")', 'the policy in words');
  await visible(page, '.au-rule:has-text("SLA check")', 'the covered inbox');
  await t.shot('sla-list');

  const conv = await page.evaluate(async (inboxId) => {
    const csrf = document.querySelector('meta[name=csrf-token]').content;
    const res = await fetch(`/api/v1/inboxes/${inboxId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, 'idempotency-key': 'sla-1' },
      body: JSON.stringify({ contact: { identifier: 'sla-1', name: 'Katherine Johnson' }, content: 'How long will this take?' }),
    });
    return (await res.json()).conversation_id;
  }, inbox);
  await page.goto(`/inbox?folder=all&status=open&c=${conv}`);
  await visible(page, `.ib-item[data-conversation="${conv}"] [data-sla]:has-text("Reply in")`, 'the deadline in the list');
  await visible(page, '.ib-convo-head [data-sla]:has-text("Reply in")', 'the deadline in the header');
  await t.shot('sla-inbox');
}
slaChecks.title = 'SLA: policy settings page, deadline badges in the inbox';

async function inboxSettingsChecks(t) {
  // Inbox settings and availability: an admin adds an API inbox that assigns round-robin;
  // a customer's message there is assigned to them (the only member online); away, the next
  // one waits unassigned; the header switch says so.
  const ctx = await newContext(t.browser, t.base);
  t.cleanup.push(() => ctx.close());
  const page = t.use(await ctx.newPage());
  const submit = (action) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  await signIn(page);
  await page.goto('/admin/inboxes');
  await visible(page, 'h1:has-text("Inboxes")', 'the inbox settings page');
  await page.click('[data-inbox-add] summary');
  const add = page.locator('[data-inbox-add] form');
  await add.locator('input[name=name]').fill('Returns');
  await add.locator('select[name=auto_assign]').selectOption('round_robin');
  await submit(() => add.locator('button[type=submit]').click());
  await visible(page, '.alert-success', 'the "inbox added" flash');
  await visible(page, '.au-rule:has-text("Returns"):has-text("Round-robin")', 'the new inbox and how it assigns');
  await visible(page, '.au-rule:has-text("Returns") code:has-text("POST /api/v1/inboxes/")', 'where integrations post');
  await t.shot('inbox-settings');

  const post = async (key) => page.evaluate(async (key) => {
    const csrf = document.querySelector('meta[name=csrf-token]').content;
    const inboxes = await (await fetch('/api/v1/inboxes')).json();
    const inbox = inboxes.items.find((i) => i.name === 'Returns');
    const res = await fetch(`/api/v1/inboxes/${inbox.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, 'idempotency-key': key },
      body: JSON.stringify({ contact: { identifier: key }, content: 'Where do I send the parcel back?' }),
    });
    const posted = await res.json();
    const conv = await (await fetch(`/api/v1/conversations/${posted.conversation_id}`)).json();
    const me = await (await fetch('/api/v1/me')).json();
    return conv.assignee && conv.assignee.id === me.id;
  }, key);
  assert(await post('returns-1'), 'an online member gets the new conversation');

  await page.click('.av-state');
  await submit(() => page.click('.av-choice.av-away'));
  await visible(page, '[data-availability="away"]', 'the header says away');
  assert(!(await post('returns-2')), 'away, nobody gets it');
  await page.click('.av-state');
  await t.shot('availability-menu');
  await submit(() => page.click('.av-choice.av-online'));
  await visible(page, '[data-availability="online"]', 'back online');
}
inboxSettingsChecks.title = 'inbox settings: add an inbox that assigns round-robin, availability switch';

async function emailInboxChecks(t) {
  // Connecting a mailbox: the servers are tried before anything is saved, so a mailbox that
  // cannot be reached is refused with the reason next to the form, the typed settings kept
  // and the password not echoed. (The next check connects a real mailbox.)
  const ctx = await newContext(t.browser, t.base);
  t.cleanup.push(() => ctx.close());
  const page = t.use(await ctx.newPage());
  await signIn(page);
  await page.goto('/admin/inboxes');
  await page.click('[data-email-add] summary');
  const form = page.locator('[data-email-add] form');
  await form.locator('input[name=name]').fill('Support mail');
  await form.locator('input[name=address]').fill('support@example.com');
  await form.locator('input[name=imap_host]').fill('127.0.0.1');
  await form.locator('input[name=imap_port]').fill('9');
  await form.locator('select[name=imap_security]').selectOption('none');
  await form.locator('input[name=imap_username]').fill('support');
  await form.locator('input[name=imap_password]').fill('secret-password');
  await form.locator('input[name=smtp_host]').fill('127.0.0.1');
  await form.locator('input[name=smtp_port]').fill('9');
  await form.locator('select[name=smtp_security]').selectOption('none');
  t.expectStatus(422);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), form.locator('button[type=submit]').click()]);
  await visible(page, '.alert-error:has-text("IMAP server"):has-text("cannot reach 127.0.0.1:9")', 'why the mailbox was refused');
  await visible(page, '.alert-error:has-text("SMTP server")', 'why the SMTP server was refused');
  const kept = page.locator('[data-email-add] form');
  assert((await kept.locator('input[name=imap_host]').inputValue()) === '127.0.0.1', 'the typed host is kept');
  assert((await kept.locator('input[name=imap_password]').inputValue()) === '', 'the password is not echoed');
  await t.shot('email-inbox-refused');
}
emailInboxChecks.title = 'email inbox: connecting an unreachable mailbox is refused with the reason';

async function emailMailboxChecks(t) {
  // A real mailbox (the testkit's Dovecot and SMTP sink, with a backlog of three customers'
  // threads waiting) connected through the settings page: the backlog arrives in the inbox,
  // Ana's two messages in one conversation; the agent's reply reaches the SMTP server as an
  // answer to her last message (In-Reply-To, References) under "Re: " and her subject.
  const { mail } = t;
  const { imap, smtp, backlog } = mail.settings;
  const ctx = await newContext(t.browser, t.base);
  t.cleanup.push(() => ctx.close());
  const page = t.use(await ctx.newPage());
  const submit = (action) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  await signIn(page);
  await page.goto('/admin/inboxes');
  await page.click('[data-email-add] summary');
  const form = page.locator('[data-email-add] form');
  await form.locator('input[name=name]').fill('Customer mail');
  await form.locator('input[name=address]').fill(mail.settings.address);
  await form.locator('input[name=display_name]').fill('Northwind Support');
  await form.locator('input[name=imap_host]').fill(imap.host);
  await form.locator('input[name=imap_port]').fill(String(imap.port));
  await form.locator('select[name=imap_security]').selectOption(imap.security);
  await form.locator('input[name=imap_username]').fill(imap.username);
  await form.locator('input[name=imap_password]').fill(imap.password);
  await form.locator('input[name=smtp_host]').fill(smtp.host);
  await form.locator('input[name=smtp_port]').fill(String(smtp.port));
  await form.locator('select[name=smtp_security]').selectOption(smtp.security);
  await page.evaluate(() => window.scrollTo(0, 0)); // a full-page shot of a scrolled page repeats the fixed bars
  await t.shot('email-connect-form');
  await submit(() => form.locator('button[type=submit]').click());
  await visible(page, '.alert-success', 'the "inbox added" flash');
  const card = page.locator('.au-rule', { hasText: 'Customer mail' });
  await visible(page, `.au-rule:has-text("Customer mail"):has-text("${mail.settings.address}")`, 'the connected mailbox');
  await t.shot('email-connected');

  // The backlog arrives while the reader works in the background: reload until it is there.
  await submit(() => card.locator('a[href^="/inbox?folder=inbox:"]').click());
  const subjects = [...new Set(backlog.map((m) => m.subject.replace(/^Re: /, '')))];
  await until(async () => {
    const listed = await page.locator('.ib-item').count();
    if (listed === subjects.length) return true;
    await page.reload();
    return false;
  }, `the ${subjects.length} backlog conversations did not all arrive`, 30_000);
  for (const subject of subjects) {
    await visible(page, `.ib-item .ib-subject:text-is("${subject}")`, `"${subject}" in the list`);
  }
  const ana = page.locator('.ib-item', { hasText: 'Ana Lima' });
  assert((await ana.count()) === 1, 'Ana\'s two messages make one conversation');
  await t.shot('email-backlog');

  await submit(() => ana.click());
  await visible(page, `.ib-convo-head h2:has-text("${subjects[0]}")`, 'her subject heads the conversation');
  await until(async () => (await page.locator('.ib-msg-in').count()) === 2, 'both of Ana\'s messages are in the thread');
  await page.fill('#ib-body', 'Hi Ana, the lamp left our warehouse this morning: you will have it by Thursday. Sorry for the wait!');
  await submit(() => page.click('[data-send]'));
  await visible(page, '.alert-success', 'the "reply sent" flash');
  await visible(page, '.ib-msg-out:has-text("left our warehouse")', 'the reply in the thread');

  const sent = await mail.waitSmtp('ana@customer.test');
  const [first, second] = backlog.filter((m) => m.from === 'ana@customer.test').map((m) => m.message_id);
  assert(sent.subject === `Re: ${subjects[0]}`, `the reply's subject is "${sent.subject}"`);
  assert(sent.in_reply_to === second, `In-Reply-To is ${sent.in_reply_to}, expected ${second}`);
  assert((sent.references || '').includes(first) && sent.references.includes(second), `References is ${sent.references}, expected ${first} and ${second}`);
  await until(async () => {
    await page.reload();
    return page.locator('.ib-msg-out .ib-delivery:not(.failed)').filter({ hasText: /sent|delivered/i }).count();
  }, 'the reply is marked sent');
  await t.shot('email-replied');
}
emailMailboxChecks.title = 'email inbox: connect a real mailbox, the backlog arrives threaded, a reply leaves threaded';

async function emailOAuthChecks(t) {
  // "Connect a Gmail … mailbox": the browser goes to the provider (the mail servers' Google
  // fake, which consents at once) and back; the mailbox signs in with the token (XOAUTH2 on
  // Dovecot and on an SMTP server that takes nothing else), its mail arrives, a reply leaves.
  const { mail } = t;
  const o = mail.settings.oauth;
  const ctx = await newContext(t.browser, t.base);
  t.cleanup.push(() => ctx.close());
  const page = t.use(await ctx.newPage());
  const submit = (action) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  await signIn(page);
  await page.goto('/admin/inboxes');
  await visible(page, '[data-email-oauth] a[data-oauth=google]', 'the Google button');
  await t.shot('email-oauth-offer');
  // Three redirects: to the provider, back to the callback, on to the settings page.
  await Promise.all([
    page.waitForResponse((res) => new URL(res.url()).pathname === '/oauth/mail/callback'),
    page.click('[data-email-oauth] a[data-oauth=google]'),
  ]);
  await page.waitForLoadState('load');
  await expectPath(page, '/admin/inboxes');
  await visible(page, '.alert-success', 'the "mailbox connected" flash');
  const card = page.locator('.au-rule', { hasText: o.account });
  await visible(page, `.au-rule:has-text("${o.account}") [data-oauth-status]:has-text("Google")`, 'the card says it signs in with Google');
  await t.shot('email-oauth-connected');

  await submit(() => card.locator('a[href^="/inbox?folder=inbox:"]').click());
  await until(async () => {
    if (await page.locator('.ib-item').count()) return true;
    await page.reload();
    return false;
  }, 'the mailbox\'s message did not arrive', 30_000);
  await submit(() => page.locator('.ib-item', { hasText: o.subject }).click());
  await page.fill('#ib-body', 'Hi Dara, our partner team will write to you today.');
  await submit(() => page.click('[data-send]'));
  await visible(page, '.alert-success', 'the "reply sent" flash');
  const sent = await mail.waitOAuthSmtp(o.from);
  assert(sent.subject === `Re: ${o.subject}`, `the reply's subject is "${sent.subject}"`);
  assert(sent.from === o.account, `sent as ${sent.from}`);
  await t.shot('email-oauth-replied');
}
emailOAuthChecks.title = 'email inbox: connect a Gmail mailbox with OAuth, its mail arrives, a reply leaves';

async function csatChecks(t) {
  // Satisfaction: resolving a conversation of an inbox with surveys on sends the customer a
  // link; on that page (no account) they pick a face and comment; the agent sees the rating.
  const ctx = await newContext(t.browser, t.base);
  t.cleanup.push(() => ctx.close());
  const page = t.use(await ctx.newPage());
  await signIn(page);
  const { conv, link } = await page.evaluate(async () => {
    const csrf = document.querySelector('meta[name=csrf-token]').content;
    const call = async (method, path, body, key) => {
      const headers = { 'content-type': 'application/json', 'x-csrf-token': csrf };
      if (key) headers['idempotency-key'] = key;
      const res = await fetch('/api/v1' + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
      return res.json();
    };
    const inbox = await call('POST', '/inboxes', { name: 'Survey check', csat_enabled: true });
    const posted = await call('POST', `/inboxes/${inbox.id}/messages`, {
      contact: { identifier: 'csat-1', name: 'Dorothy Vaughan' }, content: 'Thanks for the fix!',
    }, 'csat-1');
    const conv = posted.conversation_id;
    await call('POST', `/conversations/${conv}/status`, { status: 'resolved' });
    const thread = await (await fetch(`/api/v1/conversations/${conv}/messages`)).json();
    const survey = thread.items.find((m) => m.metadata && m.metadata.csat);
    const text = survey.content;
    return { conv, link: text.slice(text.indexOf('/csat/')).split(/\s/)[0] };
  });
  const customerCtx = await newContext(t.browser, t.base);
  t.cleanup.push(() => customerCtx.close());
  const customer = t.use(await customerCtx.newPage());
  await customer.goto(link);
  await visible(customer, 'h1:has-text("How did we do?")', 'the survey page');
  await customer.click('.csat-choice:has(input[value="4"])');
  await customer.fill('#csat-comment', 'Fixed in minutes.');
  await t.shot('csat-survey');
  await Promise.all([customer.waitForNavigation({ waitUntil: 'load' }), customer.click('.csat-form button[type=submit]')]);
  await visible(customer, '[data-csat-thanks]', 'the thank-you');
  await page.goto(`/inbox/conversations/${conv}`);
  await visible(page, '[data-csat]:has-text("4/5")', 'the rating in the side panel');
  await visible(page, '.ib-activity:has-text("rated this conversation 4/5")', 'the rating in the thread');
}
csatChecks.title = 'satisfaction survey: link sent on resolve, public rating page, rating in the inbox';

async function privacyExportChecks(t) {
  // A contact's page offers the privacy manager their personal-data export; the account page
  // offers every member their own. Both download a ZIP.
  const context = await newContext(t.browser, t.base, { acceptDownloads: true });
  t.cleanup.push(() => context.close());
  const page = t.use(await context.newPage());
  await signIn(page);
  await expectPath(page, '/');
  const submit = (selector) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
  const zipFrom = async (selector, what) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
    assert(download.suggestedFilename().endsWith('.zip'), `${what}: a .zip, not ${download.suggestedFilename()}`);
    const bytes = await fs.readFile(await download.path());
    assert(bytes.subarray(0, 2).toString() === 'PK', `${what}: the file is a ZIP`);
    return bytes;
  };

  await page.goto('/contacts/new');
  await page.fill('#first_name', 'Pia');
  await page.fill('#last_name', 'Export');
  await page.fill('#email-new', 'pia.export@example.org');
  await submit('form.crm-form button[type=submit]');
  await visible(page, '.crm-head h1', 'the contact header');
  const exportLink = await visible(page, '.crm-head-actions a[href$="/personal-data"]', 'the "Export personal data" button');
  assert((await exportLink.innerText()).includes('Export personal data'), 'the button says what it does');
  await t.shot('privacy-contact-export');
  const contactZip = await zipFrom('.crm-head-actions a[href$="/personal-data"]', 'the contact export');
  assert(contactZip.includes(Buffer.from('export.json')), 'the contact export holds export.json');

  await page.goto('/settings/security');
  await visible(page, '#your-data', 'the "Your data" card');
  await t.shot('privacy-my-data');
  const mine = await zipFrom('[data-testid=my-data]', 'my export');
  assert(mine.includes(Buffer.from('export.json')), 'my export holds export.json');
}
privacyExportChecks.title = 'privacy: export a contact\'s personal data, download my own data';

const CHECKS = [
  rootRedirectsToSetup,
  setupCreatesOrgAndSignsIn,
  adminCanOpenJobs,
  signOutAndBackIn,
  unknownPageIs404,
  setupClosedAfterFirstOrg,
  mobileLayout,
  darkModeRenders,
  accountChecks,
  adminChecks,
  invitationAndRecoveryPages,
  crmRecordsChecks,
  dealChecks,
  crmWorkPages,
  crmLists,
  crmImportChecks,
  inboxChecks,
  inboxFilesChecks,
  inboxViewsChecks,
  cannedChecks,
  inboxLiveChecks,
  automationChecks,
  webhookChecks,
  slaChecks,
  inboxSettingsChecks,
  emailInboxChecks,
  emailMailboxChecks,
  emailOAuthChecks,
  csatChecks,
  privacyExportChecks,
];

// ---------------------------------------------------------------------------------------

async function main() {
  let passed = 0;
  let failed = 0;
  let server = null;
  let browser = null;
  let mail = null;
  try {
    await fs.rm(SHOTS, { recursive: true, force: true });
    await fs.mkdir(SHOTS, { recursive: true });
    mail = await startMailServers();
    server = await startServer(mail);
    console.log(`# rapport ${BIN} on ${server.base}`);
    browser = await chromium.launch({
      executablePath: BROWSER,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const shared = await newContext(browser, server.base);
    const sharedPage = await shared.newPage();

    for (const [i, check] of CHECKS.entries()) {
      const name = check.title || check.name;
      // The first two checks set the instance up (the owner every other check signs in as).
      if (ONLY && i >= 2 && !name.includes(ONLY)) continue;
      const prefix = String(i + 1).padStart(2, '0');
      const t = {
        browser,
        base: server.base,
        mail,
        dataDir: server.dataDir,
        dataDir: server.dataDir,
        page: sharedPage,
        lastPage: sharedPage,
        cleanup: [],
        use(page) {
          this.lastPage = page;
          return page;
        },
        expectStatus(code) {
          current.expectedStatuses.add(code);
        },
        shot(label) {
          return screenshot(this.lastPage, `${prefix}-${label}`);
        },
      };
      current = { name, problems: [], expectedStatuses: new Set(), documentUrls: new Set() };
      let error = null;
      try {
        await check(t);
        // Let late console messages arrive before judging.
        await new Promise((r) => setTimeout(r, 150));
        if (current.problems.length) throw new CheckError(current.problems.join('; '));
      } catch (err) {
        error = err;
      }
      await screenshot(t.lastPage, `${prefix}-${slug(name)}`);
      for (const fn of t.cleanup.reverse()) await fn().catch(() => {});
      current = null;
      if (error) {
        failed += 1;
        const msg = error instanceof CheckError ? error.message : (error.stack || String(error)).split('\n').slice(0, 3).join(' | ');
        console.log(`not ok - ${name}: ${msg.replace(/\n/g, ' ')}`);
      } else {
        passed += 1;
        console.log(`ok - ${name}`);
      }
    }
  } catch (err) {
    failed += 1;
    console.log(`not ok - harness: ${(err.stack || String(err)).replace(/\n/g, '\n# ')}`);
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (failed && server) {
      console.log('# last lines of the server log:');
      for (const line of server.log.slice(-20)) console.log(`#   ${line}`);
    }
    await stopServer(server).catch((err) => console.log(`# stopping the server: ${err.message}`));
    if (mail) await mail.stop().catch(() => {});
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.log(`# interrupted by ${sig}`);
    if (running) {
      running.child.kill('SIGTERM');
      rmSync(running.dataDir, { recursive: true, force: true });
    }
    process.exit(130);
  });
}

await main();
