// Search as a fan types it: type-ahead, a relative date ("tomorrow") understood and shown as a
// chip, only tomorrow's event found, and the chip removed to widen the search again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createEvent, gridVenue, iso, launch, openPage, desktop, screenshots } from './harness.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

const zone = 'America/Los_Angeles';

// The instant of `hour`:00 on the Los Angeles calendar day `days` after today there.
function losAngeles(days, hour) {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date());  // YYYY-MM-DD
  const [y, m, d] = today.split('-').map(Number);
  let guess = Date.UTC(y, m - 1, d + days, hour) + 8 * 3600_000;
  const shownHour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(new Date(guess)));
  guess -= (shownHour - hour) * 3600_000;  // 7 h behind in summer time
  return new Date(guess).toISOString().replace(/\.\d+Z$/, 'Z');
}

async function searchable(q, count) {
  for (let i = 0; i < 100; i++) {
    const answer = await server.request('GET', `/v1/search?q=${encodeURIComponent(q)}`);
    if (answer.status === 200 && answer.json.results.length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`"${q}" never found ${count} events`);
}

test('search with a relative date shows it as a chip and finds only that day', async () => {
  const venue = gridVenue({ name: 'Blue Room' });
  await createEvent(server, { venue, name: 'Marlow Quartet Tomorrow Night', category: 'concert', tags: ['jazz'],
    performers: ['Marlow Quartet'], starts_at: losAngeles(1, 20), on_sale_at: iso(-3600) });
  await createEvent(server, { venue, name: 'Marlow Quartet Returns', category: 'concert', tags: ['jazz'],
    performers: ['Marlow Quartet'], starts_at: losAngeles(12, 20), on_sale_at: iso(-3600) });
  await searchable('marlow', 2);

  const page = await openPage(browser, desktop, { timezoneId: zone });
  await page.goto(`${server.base}/`);
  await page.locator('.result').first().waitFor();
  await page.locator('#q').pressSequentially('marl');
  await page.locator('#suggestions li', { hasText: 'marlow quartet' }).first().waitFor();
  assert.equal(await page.locator('#q').getAttribute('aria-expanded'), 'true');
  await page.locator('#q').fill('marlow tomorrow');
  await page.locator('#q').press('Enter');
  await page.waitForURL(/q=marlow\+tomorrow/);
  await page.locator('#chips .chip', { hasText: 'tomorrow' }).waitFor();
  await page.locator('#suggestions').waitFor({ state: 'hidden' });
  await page.waitForFunction(() => document.querySelectorAll('.result').length === 1);
  assert.equal(await page.locator('.result a.title').textContent(), 'Marlow Quartet Tomorrow Night');
  assert.match(await page.locator('.result .meta.when').textContent(), /8:00\s?PM local time/);
  assert.match(await page.locator('.result .price').textContent(), /\$50\.00/);
  await screenshots(page, 'search');

  await page.locator('#chips button[aria-label="Remove tomorrow"]').click();
  await page.waitForFunction(() => document.querySelectorAll('.result').length === 2);
  assert.equal(await page.locator('#chips .chip').count(), 0);
  assert.equal(await page.locator('#q').inputValue(), 'marlow');
  assert.deepEqual(page.problems, []);
});
