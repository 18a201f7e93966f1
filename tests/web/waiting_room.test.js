// An event with a waiting room: the page joins, shows its place, and lets the person in the
// moment the room admits them, without a reload; the hold then carries the access token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startServer, createEvent, launch, openPage, screenshots } from './harness.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

// The room's challenge solved here, as the page's worker does it.
async function proof(eventId) {
  const issued = await server.request('GET', `/v1/events/${eventId}/queue/challenge`);
  assert.equal(issued.status, 200, issued.text);
  const { challenge, difficulty } = issued.json;
  for (let counter = 0; ; counter++) {
    const digest = createHash('sha256').update(challenge + counter).digest();
    let bits = 0;
    for (const byte of digest) {
      bits += byte === 0 ? 8 : Math.clz32(byte) - 24;
      if (byte !== 0) break;
    }
    if (bits >= difficulty) return { challenge, solution: String(counter) };
  }
}

async function admitted(eventId, body = undefined) {
  const joined = await server.request('POST', `/v1/events/${eventId}/queue`, body);
  assert.equal(joined.status, 201, joined.text);
  for (let i = 0; i < 100; i++) {
    const status = await server.request('GET', `/v1/events/${eventId}/queue/status`, undefined,
      { headers: { 'X-Queue-Token': joined.json.queue_token } });
    if (status.json.access_token) return status.json.access_token;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('never admitted');
}

test('the waiting room shows the place in line and admits the page without a reload', async () => {
  const { eventId } = await createEvent(server, {
    waiting_room: { enabled: true, active_limit: 1, admit_per_second: 1, session_seconds: 60 },
  });
  // Someone else is shopping: the room's one active place is taken.
  const access = await admitted(eventId);
  const other = await server.request('POST', `/v1/events/${eventId}/holds`, { seats: ['S1-R1-1'] },
    { headers: { 'X-Queue-Access': access } });
  assert.equal(other.status, 201, other.text);

  const page = await openPage(browser);
  await page.goto(`${server.base}/events/${eventId}`);
  await page.locator('#queue-position', { hasText: 'Number 1 in line' }).waitFor();
  assert.ok(await page.locator('#booking').isHidden());
  await page.evaluate(() => { window.sameDocument = true; });
  await screenshots(page, 'waiting-room');

  // The other person is done: their place goes to this page.
  assert.equal((await server.request('DELETE', `/v1/holds/${other.json.hold_id}`)).status, 204);
  await page.locator('#booking').waitFor({ state: 'visible', timeout: 10000 });
  assert.ok(await page.locator('#queue').isHidden());
  assert.equal(await page.evaluate(() => window.sameDocument), true, 'the page was not reloaded');
  assert.match(await page.locator('#message').textContent(), /You are in/);

  await page.locator('#live', { hasText: 'Seats update live' }).waitFor();
  await page.locator('#best-form button[type=submit]').click();
  await page.waitForURL(/\/checkout\/[0-9a-f]{32}$/);
  assert.deepEqual(page.problems, []);
});

test('a room that asks for a proof of work: the page solves it in a worker, then waits its turn', async () => {
  const { eventId } = await createEvent(server, {
    waiting_room: { enabled: true, active_limit: 1, admit_per_second: 1, session_seconds: 60,
      proof_of_work: { difficulty: 12 } },
  });
  const access = await admitted(eventId, await proof(eventId));
  const other = await server.request('POST', `/v1/events/${eventId}/holds`, { seats: ['S1-R1-1'] },
    { headers: { 'X-Queue-Access': access } });
  assert.equal(other.status, 201, other.text);

  const page = await openPage(browser);
  await page.goto(`${server.base}/events/${eventId}`);
  // Joined with a solved challenge: in line behind the one shopping.
  await page.locator('#queue-position', { hasText: 'Number 1 in line' }).waitFor({ timeout: 15000 });
  const counts = await server.request('GET', `/v1/events/${eventId}/queue`, undefined, { admin: true });
  assert.equal(counts.json.waiting, 1, counts.text);

  assert.equal((await server.request('DELETE', `/v1/holds/${other.json.hold_id}`)).status, 204);
  await page.locator('#booking').waitFor({ state: 'visible', timeout: 10000 });
  assert.deepEqual(page.problems, []);
});
