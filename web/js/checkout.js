// Hold and checkout: the held seats, a countdown to the hold's expiry, the card form; a
// declined card keeps the hold (say so, and let the person try another card), an expired hold
// sends them back to the event. Each payment attempt has its own Idempotency-Key, reused only
// if the same attempt is sent again after a network failure, so a retry never charges twice.
import { api, ApiError, say, pathPart } from './api.js';
import { money, clock } from './format.js';
import { seatNames } from './seat_names.js';

const $ = (id) => document.getElementById(id);
const holdId = pathPart(2);
let hold = null;
let ticking = null;
let attempt = null;  // {body (JSON text), key}

function expired(text) {
  clearInterval(ticking);
  $('countdown').textContent = '0:00';
  say($('message'), text);
  $('pay').querySelectorAll('input, button').forEach((e) => { e.disabled = true; });
  $('release').hidden = true;
  $('back').hidden = false;
}

function tick() {
  const left = (Date.parse(hold.expires_at) - Date.now()) / 1000;
  $('countdown').textContent = clock(left);
  $('countdown').classList.toggle('urgent', left < 60);
  if (left <= 0) {
    expired('Your hold expired and the seats went back on sale. Pick your seats again.');
    return;
  }
  // Screen readers hear the time left at a few moments, not every second.
  const s = Math.ceil(left);
  if (s === 60 || s === 30 || s === 10) $('countdown-note').textContent = `${s} seconds left to pay.`;
}

async function pay(event) {
  event.preventDefault();
  const body = JSON.stringify({
    payment: { card_number: $('card').value.replace(/[\s-]/g, '') },
    customer: { email: $('email').value.trim(), name: $('name').value.trim() },
  });
  if (!$('name').value.trim()) { say($('message'), 'Enter the name on the order.'); $('name').focus(); return; }
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test($('email').value.trim())) {
    say($('message'), 'Enter a valid email address: your tickets are sent there.');
    $('email').focus();
    return;
  }
  if (!attempt || attempt.body !== body) attempt = { body, key: crypto.randomUUID() };
  const button = $('pay-button');
  button.disabled = true;
  button.textContent = 'Paying…';
  say($('message'), 'Processing your payment…', 'info');
  try {
    const order = await api(`/v1/holds/${holdId}/checkout`, { method: 'POST', body, headers: { 'Idempotency-Key': attempt.key } });
    clearInterval(ticking);
    location.assign(`/orders/${order.order_id}`);
  } catch (error) {
    if (error instanceof ApiError && error.slug === 'hold-gone') {
      expired(error.message);
      return;
    }
    if (error instanceof ApiError && error.slug === 'conflict' && error.problem.order_id) {
      location.assign(`/orders/${error.problem.order_id}`);
      return;
    }
    say($('message'), error.message);
    if (error instanceof ApiError && error.slug === 'payment-declined') $('card').focus();
    button.disabled = false;
    button.textContent = `Pay ${money(hold.total_cents, hold.currency)}`;
  }
}

async function release() {
  try {
    await api(`/v1/holds/${holdId}`, { method: 'DELETE' });
    clearInterval(ticking);
    location.assign(`/events/${hold.event_id}`);
  } catch (error) {
    say($('message'), error.message);
  }
}

async function main() {
  try {
    hold = await api(`/v1/holds/${holdId}`);
  } catch (error) {
    if (error instanceof ApiError && error.slug === 'not-found') {
      expired('This hold no longer exists: it ended or the link is wrong. Pick your seats again.');
    } else {
      expired(error.message);
    }
    return;
  }
  $('back').href = `/events/${hold.event_id}`;
  const listSeats = (names) => {
    const seats = hold.seats?.length ? hold.seats.map(names.seat)
      : hold.ga ? [`${hold.ga.quantity} × general admission (${names.area(hold.ga.area)})`] : [];
    $('seats').replaceChildren(...seats.map((seat) => Object.assign(document.createElement('li'), { textContent: seat })));
  };
  listSeats({ seat: (id) => id, area: (id) => id });  // ids first, names once the map is in
  seatNames(hold.event_id).then(listSeats, () => { /* the ids stand */ });
  $('total').textContent = money(hold.total_cents, hold.currency);
  $('pay-button').textContent = `Pay ${money(hold.total_cents, hold.currency)}`;
  $('pay').onsubmit = pay;
  $('release').onclick = release;
  tick();
  ticking = setInterval(tick, 250);
  try {
    const event = await api(`/v1/events/${hold.event_id}`);
    $('event-name').textContent = event.name;
    $('back').href = `/events/${event.id}`;
  } catch { /* the name is a courtesy */ }
}

main();
