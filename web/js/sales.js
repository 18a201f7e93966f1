// The organizer's live sales view of one event: sold, held and available (seats and
// general-admission places, from the availability stream), revenue and the latest orders
// (GET …/orders with the admin key, read again after each sale, at most once a second), the
// event's waiting room (GET …/queue: people waiting, shopping, let in), and the seat map
// greying as it sells.
import { api, ApiError, adminKey, say, pathPart } from './api.js';
import { money, eventTime } from './format.js';
import { SeatMap } from './seatmap.js';
import { follow, bitmap, applyGa } from './live.js';

const $ = (id) => document.getElementById(id);
const eventId = pathPart(3);
const orders_refresh_ms = 1000;
const queue_refresh_ms = 2000;
const totals = { seats: { available: 0, held: 0, sold: 0 }, ga: new Map() };
let seatmap = null;
let currency = 'USD';

function render() {
  let { available, held, sold } = totals.seats;
  for (const area of totals.ga.values()) { available += area.available; held += area.held; sold += area.sold; }
  $('sold').textContent = sold.toLocaleString();
  $('held').textContent = held.toLocaleString();
  $('available').textContent = available.toLocaleString();
}

function snapshot(a) {
  const isHeld = bitmap(a.held_bitmap), isSold = bitmap(a.sold_bitmap);
  const count = seatmap ? seatmap.seats.length : 0;
  totals.seats = { available: 0, held: 0, sold: 0 };
  for (let i = 0; i < count; i++) {
    const state = isSold(i) ? 'sold' : isHeld(i) ? 'held' : 'available';
    totals.seats[state] += 1;
    seatmap.setState(i, state);
  }
  totals.ga = new Map((a.ga_areas || []).map((area) => [area.id, { ...area }]));
  render();
  refreshOrders();
}

function change(c) {
  if (c.seats && seatmap) {
    for (const id of c.seats) {
      const i = seatmap.index.get(id);
      if (i === undefined) continue;
      totals.seats[seatmap.stateOf(i)] -= 1;
      const state = c.kind === 'released' ? 'available' : c.kind;
      totals.seats[state] += 1;
      seatmap.setState(i, state);
    }
  }
  if (c.ga && totals.ga.has(c.ga.area)) applyGa(totals.ga.get(c.ga.area), c);
  render();
  if (c.kind === 'sold') refreshOrders();
}

let ordersTimer = null;
function refreshOrders() {
  if (ordersTimer) return;
  ordersTimer = setTimeout(async () => {
    ordersTimer = null;
    try {
      const { orders } = await api(`/v1/events/${eventId}/orders`, { admin: true });
      const revenue = orders.reduce((sum, o) => sum + o.total_cents, 0);
      $('revenue').textContent = money(revenue, orders[0]?.currency || currency);
      $('orders').replaceChildren(...orders.slice(-20).reverse().map((o) => {
        const row = document.createElement('tr');
        for (const text of [new Date(o.created_at).toLocaleTimeString(), o.customer?.name || '', String(o.tickets.length), money(o.total_cents, o.currency)]) {
          row.append(Object.assign(document.createElement('td'), { textContent: text }));
        }
        return row;
      }));
    } catch (error) {
      say($('message'), error.message);
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) $('key-form').hidden = false;
    }
  }, orders_refresh_ms);
}

async function refreshQueue(room) {
  try {
    const counts = await api(`/v1/events/${eventId}/queue`, { admin: true });
    $('queue').textContent = counts.waiting.toLocaleString();
    $('queue-detail').textContent = `${counts.active.toLocaleString()} of ${room.active_limit.toLocaleString()} shopping · ${counts.admitted.toLocaleString()} let in`;
  } catch { /* the counts are a courtesy */ }
  setTimeout(() => refreshQueue(room), queue_refresh_ms);
}

async function main() {
  $('key-form').onsubmit = (e) => {
    e.preventDefault();
    adminKey.set($('admin-key').value.trim());
    $('key-form').hidden = true;
    say($('message'), '');
    refreshOrders();
  };
  if (!adminKey.get()) $('key-form').hidden = false;
  try {
    const [event, map] = await Promise.all([api(`/v1/events/${eventId}`, { admin: true }), api(`/v1/events/${eventId}/seatmap`, { admin: true })]);
    document.title = `Live sales: ${event.name} · boxoffice`;
    $('title').textContent = `Live sales: ${event.name}`;
    $('subtitle').textContent = `${eventTime(event.starts_at, event.venue?.timezone)} · ${event.venue?.name || ''}${event.published ? '' : ' · not published'}`;
    currency = event.price_levels[0]?.currency || currency;
    if (map.sections.length) seatmap = new SeatMap($('seatmap'), map, { label: `Seat map of ${event.name}` });
    else $('seatmap').parentElement.hidden = true;
    follow(eventId, { snapshot, change, status: (s) => { $('live').textContent = s === 'live' ? 'Live: updates as fans buy.' : 'Reconnecting…'; } });
    if (event.waiting_room?.enabled) refreshQueue(event.waiting_room);
    else $('queue').textContent = 'no room';
  } catch (error) {
    say($('message'), error.message);
  }
}

main();
