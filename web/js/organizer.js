// The organizer console: the admin key (kept for this tab), a venue from a seat-map file
// (drawn before and after it is created), an event with price levels, a price level per
// section and the waiting-room settings, publishing, and links to each event's live sales.
import { api, ApiError, adminKey, say } from './api.js';
import { eventTime } from './format.js';
import { SeatMap } from './seatmap.js';
import { parseSeatMap, parseGaAreas, previewMap } from './venue_file.js';

const $ = (id) => document.getElementById(id);
let layout = null;      // the layout read from the chosen file
let created = null;     // the event just created

// An organizer call that answers 404 for event 0 once the key is right (401/403 otherwise).
async function checkKey() {
  try {
    await api('/v1/events/0/orders', { admin: true });
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return true;
    say($('key-message'), error.message);
    return false;
  }
}

async function useKey(event) {
  event?.preventDefault();
  if (event) adminKey.set($('admin-key').value.trim());
  if (!adminKey.get()) return;
  if (!(await checkKey())) return;
  say($('key-message'), 'Signed in as the organizer.', 'ok');
  $('console').hidden = false;
  await listVenues();
  await listEvents();
}

// --- venues --------------------------------------------------------------------------------------

function drawPreview(map, label) {
  const box = $('venue-preview');
  box.hidden = false;
  const drawn = new SeatMap(box, map, { label });
  const areas = map.ga_areas.length ? ` and ${map.ga_areas.length} general-admission area${map.ga_areas.length === 1 ? '' : 's'}` : '';
  $('venue-summary').textContent = `${drawn.seats.length.toLocaleString()} seats in ${drawn.sections.length} section${drawn.sections.length === 1 ? '' : 's'}${areas}.`;
}

async function readFile() {
  const file = $('venue-file').files[0];
  layout = null;
  if (!file) return;
  try {
    const parsed = parseSeatMap(file.name, await file.text());
    layout = parsed.layout;
    if (parsed.venue) {
      for (const [field, id] of [['name', 'venue-name'], ['city', 'venue-city'], ['country', 'venue-country'],
        ['timezone', 'venue-timezone'], ['lat', 'venue-lat'], ['lon', 'venue-lon']]) {
        if (parsed.venue[field] !== undefined) $(id).value = parsed.venue[field];
      }
    }
    say($('venue-message'), '');
    drawPreview(previewMap(layout), 'Preview of the seat map');
  } catch (error) {
    say($('venue-message'), error.message);
  }
}

async function createVenue(event) {
  event.preventDefault();
  try {
    if (!layout && !$('venue-ga').value.trim()) throw new Error('Choose a seat-map file (JSON or CSV) first.');
    const full = { sections: [], ...(layout || {}) };
    full.ga_areas = [...(full.ga_areas || []), ...parseGaAreas($('venue-ga').value)];
    const body = { name: $('venue-name').value.trim(), city: $('venue-city').value.trim(),
      country: $('venue-country').value.trim(), timezone: $('venue-timezone').value.trim(),
      lat: Number($('venue-lat').value), lon: Number($('venue-lon').value), layout: full };
    const venue = await api('/v1/venues', { method: 'POST', body, admin: true });
    say($('venue-message'), `Venue “${venue.name}” created (id ${venue.id}): ${venue.seat_count.toLocaleString()} seats.`, 'ok');
    const stored = await api(`/v1/venues/${venue.id}`);
    drawPreview(previewMap(stored.layout), `Seat map of ${stored.name}`);
    addVenueOption(stored.id, stored.name, true);
    await choseVenue();
  } catch (error) {
    say($('venue-message'), error.message);
  }
}

// Every venue, for the event form: those without events too.
async function listVenues() {
  try {
    const { venues } = await api('/v1/venues');
    for (const venue of venues) addVenueOption(venue.id, venue.name);
    if ($('event-venue').value && !places.length) await choseVenue();
  } catch (error) {
    say($('key-message'), error.message);
  }
}

function addVenueOption(id, name, select = false) {
  const list = $('event-venue');
  if (![...list.options].some((o) => o.value === String(id))) list.add(new Option(`${name} (id ${id})`, id));
  if (select) list.value = String(id);
}

// --- events -------------------------------------------------------------------------------------

function addLevel(level = { id: '', name: '', price: '', currency: 'USD' }) {
  const row = document.createElement('div');
  row.className = 'level';
  const n = $('levels').children.length + 1;
  row.innerHTML = `<div><label>Id<input name="id" required></label></div><div><label>Name<input name="name" required></label></div>
    <div><label>Price<input name="price" type="number" min="0" step="0.01" required></label></div>
    <div><label>Currency<input name="currency" maxlength="3" required></label></div>
    <button type="button" class="link" aria-label="Remove price level ${n}">Remove</button>`;
  row.querySelector('[name=id]').value = level.id || `p${n}`;
  row.querySelector('[name=name]').value = level.name;
  row.querySelector('[name=price]').value = level.price;
  row.querySelector('[name=currency]').value = level.currency;
  row.querySelector('button').onclick = () => { row.remove(); renderPricing(); };
  row.querySelectorAll('input').forEach((input) => input.addEventListener('change', renderPricing));
  $('levels').append(row);
  renderPricing();
}

function levels() {
  return [...$('levels').children].map((row) => ({
    id: row.querySelector('[name=id]').value.trim(),
    name: row.querySelector('[name=name]').value.trim(),
    price_cents: Math.round(Number(row.querySelector('[name=price]').value) * 100),
    currency: row.querySelector('[name=currency]').value.trim().toUpperCase(),
  }));
}

let places = [];  // [{id, name}] of the chosen venue
async function choseVenue() {
  const id = $('event-venue').value;
  places = [];
  if (id) {
    try {
      const venue = await api(`/v1/venues/${id}`);
      if ($('event-venue').value !== id) return;  // chosen again meanwhile: that call draws
      places = [...venue.layout.sections, ...venue.layout.ga_areas].map((p) => ({ id: p.id, name: p.name }));
    } catch (error) {
      say($('event-message'), error.message);
    }
  }
  renderPricing();
}

function renderPricing() {
  const box = $('pricing');
  const chosen = new Map([...box.querySelectorAll('select')].map((s) => [s.dataset.place, s.value]));
  const options = levels().filter((l) => l.id);
  if (!places.length) return;
  box.replaceChildren(...places.map((place) => {
    const label = document.createElement('label');
    const select = document.createElement('select');
    select.dataset.place = place.id;
    for (const level of options) select.add(new Option(level.name || level.id, level.id));
    if (chosen.has(place.id)) select.value = chosen.get(place.id);
    label.append(`${place.name} (${place.id})`, select);
    return label;
  }));
}

const instant = (value) => (value ? new Date(value).toISOString().replace(/\.\d+Z$/, 'Z') : undefined);

async function createEvent(event) {
  event.preventDefault();
  const split = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);
  const body = {
    venue_id: Number($('event-venue').value), name: $('event-name').value.trim(),
    performers: split($('event-performers').value), category: $('event-category').value,
    tags: split($('event-tags').value), description: $('event-description').value.trim(),
    starts_at: instant($('event-starts').value), on_sale_at: instant($('event-on-sale').value),
    price_levels: levels(),
    pricing: Object.fromEntries([...$('pricing').querySelectorAll('select')].map((s) => [s.dataset.place, s.value])),
    max_per_order: Number($('event-max').value), hold_seconds: Number($('event-hold').value),
  };
  if ($('room-enabled').checked) {
    body.waiting_room = { enabled: true, active_limit: Number($('room-active').value),
      admit_per_second: Number($('room-rate').value), session_seconds: Number($('room-session').value) };
    if ($('room-pre').value) body.waiting_room.pre_queue_opens_at = instant($('room-pre').value);
  }
  try {
    created = await api('/v1/events', { method: 'POST', body, admin: true });
    say($('event-message'), `Event “${created.name}” created (id ${created.id}). It is not public until you publish it.`, 'ok');
    $('event-actions').hidden = false;
    $('event-sales').href = `/organizer/events/${created.id}`;
  } catch (error) {
    say($('event-message'), error.message);
  }
}

async function publish() {
  try {
    await api(`/v1/events/${created.id}/publish`, { method: 'POST', admin: true });
    say($('event-message'), `“${created.name}” is published: fans can find it and buy from its on-sale time.`, 'ok');
    $('publish').hidden = true;
    await listEvents();
  } catch (error) {
    say($('event-message'), error.message);
  }
}

async function listEvents() {
  try {
    const { events } = await api('/v1/events');
    $('events').replaceChildren(...events.map((e) => {
      const row = document.createElement('tr');
      row.innerHTML = '<td><a class="fan"></a></td><td></td><td></td><td><a class="sales">Live sales</a></td>';
      row.querySelector('.fan').textContent = e.name;
      row.querySelector('.fan').href = `/events/${e.id}`;
      row.children[1].textContent = eventTime(e.starts_at);
      row.children[2].textContent = e.venue ? `${e.venue.name}, ${e.venue.city}` : '';
      row.querySelector('.sales').href = `/organizer/events/${e.id}`;
      return row;
    }));
  } catch (error) {
    say($('key-message'), error.message);
  }
}

function main() {
  $('key-form').onsubmit = useKey;
  $('venue-file').onchange = readFile;
  $('venue-form').onsubmit = createVenue;
  $('event-form').onsubmit = createEvent;
  $('event-venue').onchange = choseVenue;
  $('add-level').onclick = () => addLevel();
  $('publish').onclick = publish;
  addLevel({ id: 'std', name: 'Standard', price: '50.00', currency: 'USD' });
  const inDays = (days) => { const d = new Date(Date.now() + days * 86400000); d.setSeconds(0, 0);
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16); };
  $('event-starts').value = inDays(30);
  $('event-on-sale').value = inDays(0);
  if (adminKey.get()) { $('admin-key').value = adminKey.get(); useKey(); }
}

main();
