// The demo catalog in a browser: the home page lists and filters events, and the 20,000-seat
// arena's map shows its sections at a glance, then seats when zoomed, and a seat can be picked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, screenshots } from './harness.js';

let server;
let browser;
before(async () => { server = await startServer(['--demo']); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('the home page lists upcoming events and filters them by category', async () => {
  const page = await openPage(browser);
  await page.goto(`${server.base}/`);
  await page.locator('.result').first().waitFor();
  const all = await page.locator('.result').count();
  assert.ok(all >= 20, `${all} events listed`);
  await page.locator('.result .price', { hasText: '$' }).first().waitFor();
  await screenshots(page, 'home');

  await page.locator('#category').selectOption('comedy');
  await page.waitForURL(/category=comedy/);
  await page.waitForFunction((n) => document.querySelectorAll('.result').length < n, all);
  const names = await page.locator('.result a.title').allTextContents();
  const { events } = (await server.request('GET', '/v1/events')).json;
  const comedy = new Set(events.filter((e) => e.category === 'comedy').map((e) => e.name));
  assert.ok(names.length > 0 && names.every((n) => comedy.has(n)), names.join(', '));
  assert.equal((await page.locator('#chips .chip').allTextContents()).join(), 'Comedy×');
  await page.locator('#chips .chip button').click();
  await page.waitForFunction((n) => document.querySelectorAll('.result').length === n, all);
  assert.deepEqual(page.problems, []);
});

test('a 20,000-seat map shows sections, then seats when zoomed, and a seat can be picked', async () => {
  const { events } = (await server.request('GET', '/v1/events')).json;
  let arena = null;
  for (const e of events) {
    const details = (await server.request('GET', `/v1/events/${e.id}`)).json;
    if (details.venue.seat_count >= 20000 && Date.parse(details.on_sale_at) < Date.now()) { arena = details; break; }
  }
  assert.ok(arena, 'the demo has an arena on sale');
  const page = await openPage(browser);
  const started = Date.now();
  await page.goto(`${server.base}/events/${arena.id}`);
  await page.locator('#live', { hasText: 'Seats update live' }).waitFor({ timeout: 30000 });
  const ready = Date.now() - started;
  const seats = await page.locator('circle.seat').count();
  assert.equal(seats, arena.venue.seat_count);
  assert.equal(await page.locator('#seatmap svg.zoomed').count(), 0, 'sections at a glance first');
  assert.ok(await page.locator('.section-shape').count() >= 20);
  console.log(`arena map of ${seats} seats ready in ${ready} ms`);
  await screenshots(page, 'event-arena');

  // Zoom with the wheel over the map until seats show, then pick one that is free.
  const box = await page.locator('#seatmap svg').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.3);
  for (let i = 0; i < 12 && !(await page.locator('#seatmap svg.zoomed').count()); i++) {
    await page.mouse.wheel(0, -400);
  }
  assert.equal(await page.locator('#seatmap svg.zoomed').count(), 1, 'seats show when zoomed in');
  const free = await page.evaluate(() => {
    const svg = document.querySelector('#seatmap svg').getBoundingClientRect();
    for (const c of document.querySelectorAll('circle.seat:not(.held):not(.sold)')) {
      const r = c.getBoundingClientRect();
      if (r.left > svg.left + 60 && r.right < svg.right - 60 && r.top > svg.top + 20 && r.bottom < svg.bottom - 40) return c.dataset.seat;
    }
    return null;
  });
  assert.ok(free, 'a free seat in view');
  await page.locator(`circle[data-seat="${free}"]`).click();
  assert.equal(await page.locator('#picked li').count(), 1);
  await screenshots(page, 'event-arena-zoomed');
  await page.locator('button[aria-label="Show the whole venue"]').click();
  assert.equal(await page.locator('#seatmap svg.zoomed').count(), 0);
  assert.deepEqual(page.problems, []);
});
