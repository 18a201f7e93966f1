// A hold that expires while its checkout page is open: the countdown reaches zero, the page
// says what happened and offers to pick again, and the seats come back for everyone else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createEvent, launch, openPage, screenshots } from './harness.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('a hold that expires while the page is open gives its seats back', async () => {
  const { eventId } = await createEvent(server, { hold_seconds: 3 });
  const buyer = await openPage(browser);
  const watcher = await openPage(browser);
  const url = `${server.base}/events/${eventId}`;
  await Promise.all([buyer.goto(url), watcher.goto(url)]);
  for (const page of [buyer, watcher]) await page.locator('#live', { hasText: 'Seats update live' }).waitFor();

  await buyer.locator('#pick-list summary').click();
  await buyer.locator('#pick-row').selectOption('R3');
  await buyer.locator('#pick-seats input[data-seat="S1-R3-4"]').check();
  await buyer.locator('#hold-picked').click();
  await buyer.waitForURL(/\/checkout\//);
  const greyed = (page) => page.evaluate(() => document.querySelector('circle[data-seat="S1-R3-4"]').classList.contains('held'));
  await watcher.waitForFunction(() => document.querySelector('circle[data-seat="S1-R3-4"]').classList.contains('held'));

  await buyer.locator('#message', { hasText: 'Your hold expired' }).waitFor({ timeout: 8000 });
  assert.equal(await buyer.locator('#countdown').textContent(), '0:00');
  assert.ok(await buyer.locator('#pay-button').isDisabled());
  assert.ok(await buyer.locator('#back').isVisible());
  await screenshots(buyer, 'checkout-expired');

  // The sweeper releases it and says so on the stream: the seat is coloured again.
  await watcher.waitForFunction(() => !document.querySelector('circle[data-seat="S1-R3-4"]').classList.contains('held'), null, { timeout: 3000 });
  assert.equal(await greyed(watcher), false);
  await buyer.locator('#back').click();
  await buyer.waitForURL(url);
  await buyer.locator('#live', { hasText: 'Seats update live' }).waitFor();
  await buyer.waitForFunction(() => document.querySelector('circle[data-seat="S1-R3-4"]') !== null);
  assert.equal(await greyed(buyer), false);
  assert.deepEqual([...buyer.problems, ...watcher.problems], []);
});
