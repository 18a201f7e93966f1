// Buying: best available, the checkout form, a declined card that keeps the hold, then the
// test card that works, and the order with a QR code per ticket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createEvent, launch, openPage, screenshots, iso } from './harness.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

async function holdBest(page, eventId, count) {
  await page.goto(`${server.base}/events/${eventId}`);
  await page.locator('#live', { hasText: 'Seats update live' }).waitFor();
  await page.locator('#best-count').selectOption(String(count));
  await page.locator('#best-form button[type=submit]').click();
  await page.waitForURL(/\/checkout\/[0-9a-f]{32}$/);
  await page.locator('#pay-button', { hasText: 'Pay $' }).waitFor();
  return page.url().split('/').pop();
}

async function fillCheckout(page, card) {
  await page.locator('#name').fill('Sam Fan');
  await page.locator('#email').fill('sam@example.com');
  await page.locator('#card').fill(card);
  await page.locator('#pay-button').click();
}

test('a full purchase with the test card shows the order with a QR code per ticket', async () => {
  const { eventId } = await createEvent(server);
  const page = await openPage(browser);
  const holdId = await holdBest(page, eventId, 3);
  assert.equal(await page.locator('#seats li').count(), 3);
  // Seats as people read them, from the seat map: "Section 1, row R2, seat 7".
  await page.locator('#seats li', { hasText: /^Section \d+, row R\d+, seat \d+$/ }).nth(2).waitFor();
  assert.equal(await page.locator('#total').textContent(), '$150.00');
  assert.match(await page.locator('#countdown').textContent(), /^(9|10):\d\d$/);
  await screenshots(page, 'checkout');

  await fillCheckout(page, '4242 4242 4242 4242');
  await page.waitForURL(/\/orders\/[0-9a-f]{32}$/);
  await page.locator('svg.qr').nth(2).waitFor();
  assert.equal(await page.locator('.ticket').count(), 3);
  assert.match(await page.locator('#message').textContent(), /confirmed/);

  // The order the page shows is the one the API has, and each QR is drawn from its ticket code.
  const orderId = page.url().split('/').pop();
  const order = (await server.request('GET', `/v1/orders/${orderId}`)).json;
  assert.equal(order.hold_id, holdId);
  assert.equal(order.status, 'confirmed');
  const codes = await page.locator('.ticket code').allTextContents();
  assert.deepEqual(codes, order.tickets.map((t) => t.code));
  const named = order.tickets.map((t) => {
    const [, section, row, seat] = t.seat.match(/^S(\d+)-R(\d+)-(\d+)$/);
    return `Section ${section}, row R${row}, seat ${seat}`;
  });
  assert.deepEqual(await page.locator('.ticket strong').allTextContents(), named);
  const modules = await page.locator('svg.qr').first().getAttribute('viewBox');
  const size = Number(modules.split(' ')[2]);
  assert.ok(size >= 25 && (size - 4 - 17) % 4 === 0, `a QR code is 17 + 4·version modules plus the border: ${size}`);
  await screenshots(page, 'order');
  assert.deepEqual(page.problems, []);
});

test('a declined card says so, keeps the hold, and another card then works', async () => {
  const { eventId } = await createEvent(server);
  const page = await openPage(browser);
  const holdId = await holdBest(page, eventId, 2);

  await fillCheckout(page, '4000 0000 0000 9995');
  await page.locator('#message.error').waitFor();
  const message = await page.locator('#message').textContent();
  assert.match(message, /declined for insufficient funds/);
  assert.match(message, /seats stay held/);
  assert.doesNotMatch(message, /[{}]|payment-declined|402/);
  await screenshots(page, 'checkout-declined');
  assert.equal((await server.request('GET', `/v1/holds/${holdId}`)).status, 200);

  await fillCheckout(page, '4000000000000002');
  await page.locator('#message', { hasText: 'declined by its bank' }).waitFor();

  await page.locator('#card').fill('4242424242424242');
  await page.locator('#pay-button').click();
  await page.waitForURL(/\/orders\/[0-9a-f]{32}$/);
  await page.locator('svg.qr').nth(1).waitFor();
  assert.equal(await page.locator('.ticket').count(), 2);
  assert.deepEqual(page.problems, []);
});

test('during a presale the page asks for the access code and holds with it', async () => {
  const { eventId } = await createEvent(server, {
    on_sale_at: iso(3600),
    presales: [{ id: 'fans', name: 'Fan club', starts_at: iso(-60), ends_at: iso(1800) }],
  });
  const made = await server.request('POST', `/v1/events/${eventId}/access-codes`,
    { presale: 'fans', count: 1 }, { admin: true });
  assert.equal(made.status, 201, made.text);
  const code = made.text.split('\r\n')[1].split(',')[0];
  const page = await openPage(browser);
  await page.goto(`${server.base}/events/${eventId}`);
  await page.locator('#sale-state', { hasText: 'Fan club presale now' }).waitFor();
  await page.locator('#live', { hasText: 'Seats update live' }).waitFor();
  await page.locator('#best-form button[type=submit]').click();
  await page.locator('#panel-message', { hasText: 'only presale code holders' }).waitFor();
  await page.locator('#access-code').fill(code.toLowerCase());
  await page.locator('#best-form button[type=submit]').click();
  await page.waitForURL(/\/checkout\/[0-9a-f]{32}$/);
  const used = await server.request('POST', `/v1/events/${eventId}/holds`,
    { seats: ['S1-R5-10'], access_code: code });
  assert.equal(used.json?.reason, 'used_up', used.text);
});
