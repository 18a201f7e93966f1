// The organizer console: the admin key, a venue from a CSV seat map drawn before and after it
// is created, an event with two price levels published from the console, and the live sales
// view following a sale made meanwhile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminKey, launch, openPage, screenshots } from './harness.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

// Two sections of 4 rows × 12 seats, the second to the right of the first.
function csv() {
  const lines = ['section,row,seat,x,y'];
  for (const [section, dx] of [['L', 0], ['R', 15]]) {
    for (let row = 1; row <= 4; row++) {
      for (let seat = 1; seat <= 12; seat++) lines.push(`${section},${row},${seat},${dx + seat},${row}`);
    }
  }
  return lines.join('\n');
}

test('an organizer creates a venue from a CSV file and an event, and watches it sell', async () => {
  const page = await openPage(browser);
  await page.goto(`${server.base}/organizer`);
  await page.locator('#admin-key').fill('not the key');
  await page.locator('#key-form button').click();
  await page.locator('#key-message', { hasText: 'admin key is not right' }).waitFor();
  assert.ok(await page.locator('#console').isHidden());
  await page.locator('#admin-key').fill(adminKey);
  await page.locator('#key-form button').click();
  await page.locator('#console').waitFor({ state: 'visible' });

  await page.locator('#venue-name').fill('The Workshop');
  await page.locator('#venue-city').fill('Chicago');
  await page.locator('#venue-timezone').fill('America/Chicago');
  await page.locator('#venue-file').setInputFiles({ name: 'workshop.csv', mimeType: 'text/csv', buffer: Buffer.from(csv()) });
  await page.locator('#venue-summary', { hasText: '96 seats in 2 sections' }).waitFor();
  assert.equal(await page.locator('#venue-preview circle.seat').count(), 96);
  await page.locator('#venue-ga').fill('BAR, Standing at the bar, 40');
  await page.locator('#venue-form button[type=submit]').click();
  await page.locator('#venue-message', { hasText: 'created' }).waitFor();
  // The page says "created" first, then reads the stored venue back and draws it: wait for it.
  await page.locator('#venue-summary', { hasText: '96 seats in 2 sections and 1 general-admission area' }).waitFor();
  assert.equal(await page.locator('#venue-preview circle[data-seat="R-4-12"]').count(), 1);

  // After a reload the venue, which has no event yet, is still offered (GET /v1/venues).
  await page.reload();
  await page.locator('#console').waitFor({ state: 'visible' });
  const workshop = page.locator('#event-venue option', { hasText: 'The Workshop' });
  await workshop.waitFor({ state: 'attached' });
  await page.locator('#event-venue').selectOption(await workshop.getAttribute('value'));
  await page.locator('#pricing select[data-place="L"]').waitFor();

  await page.locator('#event-name').fill('Workshop Sessions');
  await page.locator('#event-performers').fill('The Tinkerers');
  await page.locator('#add-level').click();
  const second = page.locator('#levels .level').nth(1);
  await second.locator('[name=id]').fill('front');
  await second.locator('[name=name]').fill('Front');
  await second.locator('[name=price]').fill('80');
  await second.locator('[name=price]').dispatchEvent('change');
  await page.locator('#pricing select[data-place="L"]').selectOption('front');
  await page.locator('#event-form button[type=submit]').click();
  await page.locator('#event-message', { hasText: 'created' }).waitFor();
  await page.locator('#publish').click();
  await page.locator('#event-message', { hasText: 'is published' }).waitFor();
  await screenshots(page, 'organizer');

  const { events } = (await server.request('GET', '/v1/events')).json;
  const event = events.find((e) => e.name === 'Workshop Sessions');
  assert.ok(event, 'the published event is listed');
  const details = (await server.request('GET', `/v1/events/${event.id}`)).json;
  assert.deepEqual(details.pricing, { L: 'front', R: 'std', BAR: 'std' });
  assert.deepEqual(details.price_levels.map((l) => l.price_cents), [5000, 8000]);

  await page.locator('#event-sales').click();
  await page.waitForURL(`${server.base}/organizer/events/${event.id}`);
  await page.locator('#live', { hasText: 'Live' }).waitFor();
  await page.locator('#available', { hasText: '136' }).waitFor();
  await page.locator('#queue', { hasText: 'no room' }).waitFor();  // this event has none

  const hold = await server.request('POST', `/v1/events/${event.id}/holds`, { seats: ['L-1-1', 'L-1-2'] });
  assert.equal(hold.status, 201, hold.text);
  await page.locator('#held', { hasText: '2' }).waitFor();
  const order = await server.request('POST', `/v1/holds/${hold.json.hold_id}/checkout`,
    { payment: { card_number: '4242424242424242' }, customer: { email: 'a@example.com', name: 'Ada Buyer' } },
    { headers: { 'Idempotency-Key': 'organizer-test-1' } });
  assert.equal(order.status, 201, order.text);
  await page.locator('#sold', { hasText: '2' }).waitFor();
  await page.locator('#revenue', { hasText: '$160.00' }).waitFor();
  assert.equal(await page.locator('#held').textContent(), '0');
  assert.equal(await page.locator('#available').textContent(), '134');
  assert.match(await page.locator('#orders').textContent(), /Ada Buyer/);
  assert.ok(await page.locator('circle[data-seat="L-1-1"].sold').count() === 1);
  await screenshots(page, 'sales');
  assert.deepEqual(page.problems, []);
});
