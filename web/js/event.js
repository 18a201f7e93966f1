// The event page: details, the price-level legend, the live seat map, best available, seats
// picked by hand (on the map or from a list), general-admission quantities, and, for events
// with a waiting room, the room itself until this tab is admitted (no reload: the booking
// panel appears in place). A hold leads to /checkout/{hold_id}.
import { api, ApiError, say, pathPart } from './api.js';
import { money, eventTime, priceRange } from './format.js';
import { SeatMap, palette } from './seatmap.js';
import { follow, bitmap, applyGa } from './live.js';
import { accessToken, forgetAccess, waitInRoom } from './queue.js';

const $ = (id) => document.getElementById(id);
const eventId = pathPart(2);
const page = { event: null, map: null, seatmap: null, levels: new Map(), ga: new Map() };

function showDetails(event) {
  document.title = `${event.name} · boxoffice`;
  $('title').textContent = event.name;
  const tz = event.venue?.timezone;
  $('when').textContent = eventTime(event.starts_at, tz);
  $('where').textContent = event.venue ? `${event.venue.name}, ${event.venue.city}` : '';
  $('performers').textContent = event.performers?.length ? `With ${event.performers.join(', ')}` : '';
  $('description').textContent = event.description || '';
  const now = Date.now();
  const presale = (event.presales || []).find((p) => Date.parse(p.ends_at) > now);
  if (Date.parse(event.on_sale_at) > now && presale) {
    // Before the general sale only a presale's codes buy: the code goes with the join and the holds.
    const open = Date.parse(presale.starts_at) <= now;
    $('sale-state').textContent = `${presale.name} presale ${open ? 'now, until' : 'from'} ` +
      `${eventTime(open ? presale.ends_at : presale.starts_at, tz)}, with an access code. ` +
      `On sale to everyone ${eventTime(event.on_sale_at, tz)}.`;
    $('presale').hidden = false;
    $('access-code').value = sessionStorage.getItem(accessCodeKey()) || '';
  } else if (Date.parse(event.on_sale_at) > now) {
    $('sale-state').textContent = `On sale ${eventTime(event.on_sale_at, tz)}.`;
  } else if (Date.parse(event.starts_at) <= now) {
    $('sale-state').textContent = 'This event has started: tickets are no longer sold.';
  } else if (event.price_range) {
    $('sale-state').textContent = `Tickets ${priceRange(event.price_range)}`;
  }
  event.price_levels.forEach((level, i) => page.levels.set(level.id, { ...level, colour: palette[i % palette.length] }));
  const legend = $('legend');
  for (const level of page.levels.values()) {
    const item = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = level.colour;
    item.append(swatch, `${level.name} ${money(level.price_cents, level.currency)}`);
    legend.append(item);
  }
  for (const [cls, text] of [['held', 'Held by someone'], ['sold', 'Sold']]) {
    const item = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = `swatch ${cls}-swatch`;
    swatch.style.background = cls === 'held' ? '#b9bcc4' : '#80848f';
    item.append(swatch, text);
    legend.append(item);
  }
}

// --- holds -----------------------------------------------------------------------------------

const accessCodeKey = () => `boxoffice.access-code.${eventId}`;

// The presale access code typed on this page, if any (kept for the tab, like the queue token).
function accessCode() {
  const code = $('presale').hidden ? '' : $('access-code').value.trim();
  if (code) sessionStorage.setItem(accessCodeKey(), code);
  return code || null;
}

async function hold(body) {
  const code = accessCode();
  if (code) body = { ...body, access_code: code };
  const headers = {};
  const token = accessToken(eventId);
  if (token) headers['X-Queue-Access'] = token;
  say($('panel-message'), 'Holding your seats…', 'info');
  try {
    const held = await api(`/v1/events/${eventId}/holds`, { method: 'POST', body, headers });
    location.assign(`/checkout/${held.hold_id}`);
  } catch (error) {
    if (error instanceof ApiError && error.slug === 'queue-required') {
      forgetAccess(eventId);
      say($('panel-message'), error.message);
      enterRoom();
      return;
    }
    if (error instanceof ApiError && error.slug === 'seats-unavailable') {
      for (const id of error.problem.unavailable || []) {
        const i = page.seatmap?.index.get(id);
        if (i !== undefined) { page.seatmap.setState(i, 'held'); unpick(i); }
      }
    }
    say($('panel-message'), error.message);
  }
}

// --- seats picked by hand ----------------------------------------------------------------------

const picked = new Set();

function pick(i) {
  const map = page.seatmap;
  if (picked.has(i)) { unpick(i); return; }
  if (map.stateOf(i) !== 'available') {
    say($('panel-message'), 'That seat is not available. Pick a coloured seat.');
    return;
  }
  if (picked.size >= page.event.max_per_order) {
    say($('panel-message'), `You can pick at most ${page.event.max_per_order} seats in one order.`);
    return;
  }
  say($('panel-message'), '');
  picked.add(i);
  map.setSelected(i, true);
  renderPicked();
}

function unpick(i) {
  if (!picked.delete(i)) return;
  page.seatmap.setSelected(i, false);
  renderPicked();
}

function seatName(i) {
  const seat = page.seatmap.seats[i];
  return `${page.seatmap.sections[seat.section].name}, row ${seat.row}, seat ${seat.label}`;
}

function seatPrice(i) {
  const level = page.levels.get(page.seatmap.sections[page.seatmap.seats[i].section].level);
  return level ? level.price_cents : 0;
}

function renderPicked() {
  const list = $('picked');
  list.replaceChildren();
  let total = 0;
  for (const i of picked) {
    total += seatPrice(i);
    const item = document.createElement('li');
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'link';
    remove.textContent = '×';
    remove.setAttribute('aria-label', `Remove ${seatName(i)}`);
    remove.onclick = () => unpick(i);
    item.append(seatName(i), ' ', remove);
    list.append(item);
  }
  const currency = page.event.price_levels[0]?.currency || 'USD';
  $('picked-total').textContent = picked.size ? `${picked.size} seat${picked.size === 1 ? '' : 's'}: ${money(total, currency)}` : '';
  $('hold-picked').disabled = picked.size === 0;
  $('hold-picked').textContent = picked.size ? `Hold ${picked.size} seat${picked.size === 1 ? '' : 's'}` : 'Hold these seats';
  renderRowSeats();
}

// The accessible way to pick: section → row → a checkbox per seat.
function setUpList() {
  const map = page.seatmap;
  const sectionSelect = $('pick-section');
  map.sections.forEach((s, k) => sectionSelect.add(new Option(s.name, k)));
  sectionSelect.onchange = () => {
    const s = map.sections[Number(sectionSelect.value)];
    const rows = [...new Set(map.seats.slice(s.first, s.first + s.count).map((seat) => seat.row))];
    $('pick-row').replaceChildren(...rows.map((row) => new Option(row, row)));
    renderRowSeats();
  };
  $('pick-row').onchange = renderRowSeats;
  sectionSelect.onchange();
}

function renderRowSeats() {
  const map = page.seatmap;
  if (!map || !map.sections.length) return;
  const s = map.sections[Number($('pick-section').value)];
  const row = $('pick-row').value;
  const boxes = [];
  for (let i = s.first; i < s.first + s.count; i++) {
    if (map.seats[i].row !== row) continue;
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = picked.has(i);
    box.disabled = !picked.has(i) && map.stateOf(i) !== 'available';
    box.dataset.seat = map.seats[i].id;
    box.onchange = () => { pick(i); };
    label.append(box, map.seats[i].label);
    boxes.push(label);
  }
  $('pick-seats').replaceChildren(...boxes);
}

// --- live availability --------------------------------------------------------------------------

function applySnapshot(availability) {
  const map = page.seatmap;
  if (map) {
    const held = bitmap(availability.held_bitmap);
    const sold = bitmap(availability.sold_bitmap);
    for (let i = 0; i < map.seats.length; i++) {
      map.setState(i, sold(i) ? 'sold' : held(i) ? 'held' : 'available');
      if (map.stateOf(i) !== 'available') unpick(i);
    }
  }
  for (const area of availability.ga_areas || []) {
    page.ga.set(area.id, { ...page.ga.get(area.id), ...area });
  }
  renderGa();
  renderRowSeats();
}

function applyChange(change) {
  const map = page.seatmap;
  if (map && change.seats) {
    const taken = [];
    for (const id of change.seats) {
      const i = map.index.get(id);
      if (i === undefined) continue;
      map.setState(i, change.kind === 'released' ? 'available' : change.kind);
      if (change.kind !== 'released' && picked.has(i)) { unpick(i); taken.push(seatName(i)); }
    }
    if (taken.length) say($('panel-message'), `Someone else just took ${taken.join('; ')}. Pick another seat.`);
    scheduleRowSeats();
  }
  if (change.ga && page.ga.has(change.ga.area)) {
    applyGa(page.ga.get(change.ga.area), change);
    renderGa();
  }
}

let rowSeatsPending = false;
function scheduleRowSeats() {
  if (rowSeatsPending) return;
  rowSeatsPending = true;
  requestAnimationFrame(() => { rowSeatsPending = false; if ($('pick-list').open) renderRowSeats(); });
}

// --- general admission ---------------------------------------------------------------------------

function renderGa() {
  if (!page.map || !page.map.ga_areas.length) return;
  $('ga').hidden = false;
  const list = $('ga-areas');
  if (!list.children.length) {
    for (const area of page.map.ga_areas) {
      const level = page.levels.get(area.price_level);
      const item = document.createElement('li');
      item.className = 'card';
      item.dataset.area = area.id;
      item.innerHTML = `<form class="row"><div><strong></strong><br><span class="muted price"></span><br><span class="left" aria-live="polite"></span></div>
        <div><label>Quantity <input type="number" name="quantity" min="1" value="2" inputmode="numeric"></label></div>
        <button type="submit">Hold</button></form>`;
      item.querySelector('strong').textContent = area.name;
      item.querySelector('.price').textContent = level ? `${level.name} ${money(level.price_cents, level.currency)}` : '';
      const quantity = item.querySelector('input');
      quantity.max = page.event.max_per_order;
      quantity.setAttribute('aria-label', `Quantity for ${area.name}`);
      item.querySelector('form').onsubmit = (e) => {
        e.preventDefault();
        hold({ ga: { area: area.id, quantity: Number(quantity.value) } });
      };
      list.append(item);
    }
  }
  for (const item of list.children) {
    const state = page.ga.get(item.dataset.area);
    if (!state || state.available === undefined) continue;
    item.querySelector('.left').textContent = state.available > 0 ? `${state.available.toLocaleString()} places left` : 'Sold out';
    item.querySelector('button').disabled = state.available <= 0;
  }
}

// --- set-up -------------------------------------------------------------------------------------

function setUpForms() {
  const event = page.event;
  const count = $('best-count');
  for (let n = 1; n <= event.max_per_order; n++) count.add(new Option(`${n}`, n, n === 2, n === 2));
  const level = $('best-level');
  level.add(new Option('Any price', ''));
  for (const l of page.levels.values()) level.add(new Option(`${l.name} (${money(l.price_cents, l.currency)})`, l.id));
  $('best-form').onsubmit = (e) => {
    e.preventDefault();
    const best = { count: Number(count.value) };
    if (level.value) best.price_level = level.value;
    hold({ best_available: best });
  };
  $('pick-form').onsubmit = (e) => {
    e.preventDefault();
    hold({ seats: [...picked].map((i) => page.seatmap.seats[i].id) });
  };
}

let stopRoom = null;
function enterRoom() {
  $('booking').hidden = true;
  $('queue').hidden = false;
  stopRoom?.();
  stopRoom = waitInRoom(eventId, {
    state: $('queue-state'), position: $('queue-position'), progress: $('queue-progress'),
    eta: $('queue-eta'), join: $('queue-join'),
  }, () => {
    $('queue').hidden = true;
    showBooking();
    say($('message'), 'You are in! Pick your seats now.', 'ok');
  }, page.event.waiting_room?.proof_of_work, accessCode);
}

let mapDrawn = false;
function showBooking() {
  $('booking').hidden = false;
  if (mapDrawn) return;
  mapDrawn = true;
  const map = page.map;
  if (map.sections.length) {
    page.seatmap = new SeatMap($('seatmap'), map, { onSeat: pick, label: `Seat map of ${page.event.venue?.name || 'the venue'}` });
    setUpList();
  } else {
    $('map-section').hidden = true;
    $('best-form').hidden = true;
    $('pick-form').hidden = true;
  }
  follow(eventId, {
    snapshot: applySnapshot,
    change: applyChange,
    status: (state) => {
      $('live').textContent = state === 'live' ? 'Seats update live.' : 'Reconnecting to live updates…';
    },
  });
}

async function main() {
  try {
    const [event, map] = await Promise.all([api(`/v1/events/${eventId}`), api(`/v1/events/${eventId}/seatmap`)]);
    page.event = event;
    page.map = map;
    showDetails(event);
    setUpForms();
    if (event.waiting_room?.enabled && !accessToken(eventId)) enterRoom();
    else showBooking();
  } catch (error) {
    $('title').textContent = 'This event is not available';
    say($('message'), error.message);
  }
}

main();
