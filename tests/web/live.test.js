// Two people on one event page: what one holds turns grey for the other within a second,
// through the SSE stream, without a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createEvent, launch, openPage, screenshots } from './harness.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

const seatState = (page, ids) => page.evaluate((list) => list.map((id) => {
  const circle = document.querySelector(`circle[data-seat="${id}"]`);
  return circle.classList.contains('held') ? 'held' : circle.classList.contains('sold') ? 'sold' : 'available';
}), ids);

test('seats held in one browser are greyed in another within a second', async () => {
  const { eventId } = await createEvent(server);
  const buyer = await openPage(browser);
  const watcher = await openPage(browser);
  const url = `${server.base}/events/${eventId}`;
  await Promise.all([buyer.goto(url), watcher.goto(url)]);
  for (const page of [buyer, watcher]) {
    await page.locator('#live', { hasText: 'Seats update live' }).waitFor();
  }
  const ids = ['S1-R2-5', 'S1-R2-6'];
  assert.deepEqual(await seatState(watcher, ids), ['available', 'available']);

  for (const id of ids) await buyer.locator(`circle[data-seat="${id}"]`).click();
  assert.equal(await buyer.locator('#picked li').count(), 2);
  assert.match(await buyer.locator('#picked-total').textContent(), /2 seats: \$100\.00/);
  await screenshots(buyer, 'event-picked');

  const held = buyer.waitForResponse((r) => r.url().endsWith(`/v1/events/${eventId}/holds`) && r.status() === 201);
  await buyer.locator('#hold-picked').click();
  await held;
  const answered = Date.now();
  await watcher.waitForFunction((list) => list.every((id) =>
    document.querySelector(`circle[data-seat="${id}"]`).classList.contains('held')), ids, { timeout: 5000 });
  const elapsed = Date.now() - answered;
  console.log(`the other browser saw the hold ${elapsed} ms after its answer`);
  assert.ok(elapsed < 1000, `the other browser saw the hold after ${elapsed} ms`);
  assert.deepEqual(await seatState(watcher, ['S1-R2-4', 'S1-R2-7']), ['available', 'available']);

  // The watcher can't pick a greyed seat; the list picker has it disabled too.
  await watcher.locator('circle[data-seat="S1-R2-5"]').click();
  assert.equal(await watcher.locator('#picked li').count(), 0);
  assert.match(await watcher.locator('#panel-message').textContent(), /not available/);
  await buyer.waitForURL(/\/checkout\/[0-9a-f]{32}$/);
  await screenshots(watcher, 'event-live');
  assert.deepEqual([...buyer.problems, ...watcher.problems], []);
});
