// Starts the real boxoffice binary on a free loopback port (as tests/integration/harness.py
// does), sets up venues and events through the API as an organizer would, and opens Debian's
// Chromium through playwright-core. Screenshots go to SCREENSHOT_DIR (the build folder's
// screenshots/), one desktop and one phone (390 px wide) picture per page.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
const binary = process.env.BOXOFFICE_BIN || join(root, 'build/asan/src/app/boxoffice');
const screenshotDir = process.env.SCREENSHOT_DIR || join(root, 'build/asan/screenshots');
export const adminKey = 'test-admin-key';
const start_ms_max = 60_000;

export const desktop = { width: 1280, height: 860 };
export const phone = { width: 390, height: 844 };

export async function startServer(extraArgs = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'boxoffice-web-'));
  const child = spawn(binary, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir,
    '--admin-key', adminKey, '--threads', '2', '--web-dir', join(root, 'web'), '--no-access-log',
    ...extraArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('boxoffice did not start in time')), start_ms_max);
    child.on('exit', (code) => reject(new Error(`boxoffice exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(line);
      if (match) { clearTimeout(timer); resolve(Number(match[1])); }
    });
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.on('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
    async request(method, path, body, { admin = false, headers = {} } = {}) {
      const init = { method, headers: { ...headers } };
      if (admin) init.headers.Authorization = `Bearer ${adminKey}`;
      if (body !== undefined) init.body = JSON.stringify(body);
      const response = await fetch(base + path, init);
      const text = await response.text();
      let json = null;
      try { json = text ? JSON.parse(text) : null; } catch { json = null; }
      return { status: response.status, headers: response.headers, json, text };
    },
  };
}

// Seats "S<s>-R<r>-<n>", as in tests/integration/harness.py.
export function gridVenue({ sections = 1, rows = 5, seatsPerRow = 10, gaCapacity = 0, name = 'Test Hall' } = {}) {
  const layout = { stage: { x: seatsPerRow / 2, y: -4 }, sections: [], ga_areas: [] };
  for (let s = 1; s <= sections; s++) {
    const rowList = [];
    for (let r = 1; r <= rows; r++) {
      const seats = [];
      for (let n = 1; n <= seatsPerRow; n++) {
        seats.push({ id: `S${s}-R${r}-${n}`, label: String(n), x: n + (s - 1) * (seatsPerRow + 2), y: r });
      }
      rowList.push({ label: `R${r}`, seats });
    }
    layout.sections.push({ id: `S${s}`, name: `Section ${s}`, rows: rowList });
  }
  if (gaCapacity) layout.ga_areas.push({ id: 'FLOOR', name: 'Floor', capacity: gaCapacity });
  return { name, city: 'Los Angeles', country: 'US', timezone: 'America/Los_Angeles', lat: 34.05, lon: -118.24, layout };
}

export const iso = (secondsFromNow) => new Date(Date.now() + secondsFromNow * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

// A published event at a fresh grid venue; answers {eventId, venue}.
export async function createEvent(server, { venue = gridVenue(), ...overrides } = {}) {
  const created = await server.request('POST', '/v1/venues', venue, { admin: true });
  if (created.status !== 201) throw new Error(`venue: ${created.text}`);
  const places = [...venue.layout.sections.map((s) => s.id), ...venue.layout.ga_areas.map((a) => a.id)];
  const levels = [{ id: 'std', name: 'Standard', price_cents: 5000, currency: 'USD' }];
  const event = {
    venue_id: created.json.id, name: 'The Test Tour', performers: ['The Testers'], category: 'concert',
    tags: ['rock'], starts_at: iso(30 * 86400), on_sale_at: iso(-3600), price_levels: levels,
    pricing: Object.fromEntries(places.map((p) => [p, 'std'])), max_per_order: 8, ...overrides,
  };
  const made = await server.request('POST', '/v1/events', event, { admin: true });
  if (made.status !== 201) throw new Error(`event: ${made.text}`);
  const published = await server.request('POST', `/v1/events/${made.json.id}/publish`, undefined, { admin: true });
  if (published.status !== 200) throw new Error(`publish: ${published.text}`);
  return { eventId: made.json.id, venue };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    // Root in a container has no user namespaces for Chromium's sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

// A page whose console errors and failed requests fail the test that reads `page.problems`.
export async function openPage(browser, viewport = desktop, contextOptions = {}) {
  const context = await browser.newContext({ viewport, ...contextOptions });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/the server responded with a status of (401|402|403|404|409|410)/.test(message.text())) {
      page.problems.push(`console: ${message.text()}`);
    }
  });
  return page;
}

// Saves `name`-desktop.png and `name`-phone.png of the page as it is now.
export async function screenshots(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const size = page.viewportSize();
  await page.setViewportSize(desktop);
  await page.screenshot({ path: join(screenshotDir, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(phone);
  await page.waitForTimeout(100);
  await page.screenshot({ path: join(screenshotDir, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(size);
}
