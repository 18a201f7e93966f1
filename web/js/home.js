// Home and search. With the search service (GET /v1/search, /v1/search/suggest): type-ahead,
// the query as it was understood shown as removable chips, filters, facets and paging. Without
// it (404: a node without search), the published events (GET /v1/events) filtered here.
// The address keeps the search (?q=&category=&city=&from=&to=), so a result page can be shared
// and Back works.
import { api, ApiError, say } from './api.js';
import { eventTime, wallClock, priceRange, escapeText } from './format.js';

const $ = (id) => document.getElementById(id);
const categories = { concert: 'Concerts', sports: 'Sports', theatre: 'Theatre', comedy: 'Comedy', family: 'Family' };
const suggest_delay_ms = 120;

let searchAvailable = true;
let hideSuggestions = () => {};
let nextCursor = null;
let lastParams = null;

// --- the form and the address --------------------------------------------------------------

function formParams() {
  const params = new URLSearchParams();
  for (const name of ['q', 'category', 'city', 'from', 'to']) {
    const value = $(name).value.trim();
    if (value) params.set(name, value);
  }
  return params;
}

function fillForm(params) {
  for (const name of ['q', 'category', 'city', 'from', 'to']) $(name).value = params.get(name) || '';
}

// Day inputs (venue-agnostic): from the start of `from` to the end of `to`, in UTC.
function apiParams(params) {
  const out = new URLSearchParams(params);
  if (out.get('from')) out.set('from', `${out.get('from')}T00:00:00Z`);
  if (out.get('to')) out.set('to', `${out.get('to')}T23:59:59Z`);
  out.set('tz', Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  return out;
}

// --- results -----------------------------------------------------------------------------------

function resultItem(event) {
  const item = document.createElement('li');
  item.className = 'card result';
  const title = event.highlights?.name ? highlight(event.highlights.name) : escapeText(event.name);
  const badge = event.sold_out ? '<span class="badge out">Sold out</span>'
    : event.on_sale === false ? '<span class="badge low">Not on sale yet</span>'
      : event.on_sale ? '<span class="badge">On sale</span>' : '';
  item.innerHTML = `<a class="title" href="/events/${Number(event.id)}">${title}</a>
    <div class="meta when"></div><div class="meta where"></div><div class="meta price"></div><div>${badge}</div>`;
  item.querySelector('.when').textContent = event.local_starts_at
    ? `${wallClock(event.local_starts_at)} local time` : eventTime(event.starts_at);
  item.querySelector('.where').textContent = event.venue ? `${event.venue.name}, ${event.venue.city}` : '';
  item.querySelector('.price').textContent = event.price_range ? priceRange(event.price_range) : '';
  return item;
}

// The search service marks matches with <mark>…</mark> in unescaped text: escape everything,
// then put the marks back.
function highlight(text) {
  return escapeText(text).replace(/&lt;mark&gt;/g, '<mark>').replace(/&lt;\/mark&gt;/g, '</mark>');
}

function showResults(results, total, append) {
  const list = $('results');
  if (!append) list.replaceChildren();
  list.append(...results.map(resultItem));
  const shown = list.children.length;
  $('count').textContent = shown === 0 ? 'No events match. Remove a filter or try other words.'
    : `${total ?? shown} event${(total ?? shown) === 1 ? '' : 's'}`;
  $('more').hidden = !nextCursor;
}

// --- chips: how the query was understood, each removable ----------------------------------------

function showChips(params, understood) {
  const chips = [];
  const u = understood || {};
  if (u.category) chips.push({ text: categories[u.category] || u.category, drop: 'category' });
  if (u.city) chips.push({ text: u.city.name, drop: 'city' });
  if (u.dates) chips.push({ text: u.dates.label, drop: 'dates' });
  if (params.get('category') && !u.category) chips.push({ text: categories[params.get('category')] || params.get('category'), drop: 'category' });
  if (params.get('city') && !u.city) chips.push({ text: params.get('city'), drop: 'city' });
  if (params.get('from') || params.get('to')) chips.push({ text: `${params.get('from') || '…'} to ${params.get('to') || '…'}`, drop: 'range' });
  const list = $('chips');
  list.replaceChildren(...chips.map((chip) => {
    const item = document.createElement('li');
    item.className = 'chip';
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = '×';
    remove.setAttribute('aria-label', `Remove ${chip.text}`);
    remove.onclick = () => dropChip(chip.drop, params, u);
    item.append(chip.text, remove);
    return item;
  }));
}

// Removing an understood part re-asks with the words left (`understood.words`) and the other
// understood parts as explicit filters (a date range stays as its own words, e.g. "this
// weekend", which the service reads in each venue's time zone).
function dropChip(part, params, understood) {
  const next = new URLSearchParams(params);
  if (understood.summary) {
    const words = [...(understood.words || [])];
    if (understood.topic) words.splice(words.indexOf(understood.topic), 1);
    if (understood.category && part !== 'category') next.set('category', understood.category);
    if (understood.city && part !== 'city') next.set('city', understood.city.name);
    if (understood.dates && part !== 'dates') words.push(understood.dates.label);
    if (understood.topic && part !== 'category') words.unshift(understood.topic);
    next.set('q', words.join(' '));
    if (!next.get('q')) next.delete('q');
  }
  if (part === 'category') next.delete('category');
  if (part === 'city') next.delete('city');
  if (part === 'range') { next.delete('from'); next.delete('to'); }
  fillForm(next);
  run(next, true);
}

function showFacets(facets) {
  if (!facets) return;
  const cities = $('cities');
  cities.replaceChildren(...(facets.city || []).map((f) => new Option(`${f.value}`, f.value)));
}

// --- the two ways to search ----------------------------------------------------------------------

async function searchService(params, cursor) {
  const query = apiParams(params);
  query.set('limit', '20');
  if (cursor) query.set('cursor', cursor);
  const answer = await api(`/v1/search?${query}`);
  nextCursor = answer.next_cursor || null;
  if (!cursor) {
    showChips(params, answer.query?.understood);
    showFacets(answer.facets);
  }
  showResults(answer.results, answer.total, Boolean(cursor));
}

async function listEvents(params) {
  const { events } = await api('/v1/events');
  const words = (params.get('q') || '').toLowerCase().split(/\s+/).filter(Boolean);
  const from = params.get('from') ? Date.parse(`${params.get('from')}T00:00:00Z`) : -Infinity;
  const to = params.get('to') ? Date.parse(`${params.get('to')}T23:59:59Z`) : Infinity;
  const city = (params.get('city') || '').toLowerCase();
  const matches = events.filter((e) => {
    const text = `${e.name} ${e.category} ${e.venue?.name} ${e.venue?.city}`.toLowerCase();
    const at = Date.parse(e.starts_at);
    return words.every((w) => text.includes(w)) && at >= from && at <= to && at > Date.now()
      && (!params.get('category') || e.category === params.get('category'))
      && (!city || (e.venue?.city || '').toLowerCase() === city);
  }).sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  nextCursor = null;
  showChips(params, null);
  $('cities').replaceChildren(...[...new Set(events.map((e) => e.venue?.city).filter(Boolean))].map((c) => new Option(c, c)));
  showResults(matches, matches.length, false);
  // Details carry the price range; ask for the first few only.
  const items = $('results').children;
  await Promise.all(matches.slice(0, 24).map(async (e, i) => {
    try {
      const details = await api(`/v1/events/${e.id}`);
      items[i].querySelector('.price').textContent = priceRange(details.price_range);
      if (details.venue?.timezone) items[i].querySelector('.when').textContent = eventTime(e.starts_at, details.venue.timezone);
      const open = Date.parse(details.on_sale_at) <= Date.now();
      items[i].lastElementChild.innerHTML = open ? '<span class="badge">On sale</span>' : '<span class="badge low">Not on sale yet</span>';
    } catch { /* the list is still useful without it */ }
  }));
}

async function run(params, push) {
  lastParams = params;
  if (push) history.pushState(null, '', params.toString() ? `/?${params}` : '/');
  say($('message'), '');
  try {
    if (searchAvailable) {
      try {
        await searchService(params);
        return;
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404 && error.slug === 'not-found')) throw error;
        searchAvailable = false;
      }
    }
    await listEvents(params);
  } catch (error) {
    say($('message'), error.message);
  }
}

// --- type-ahead ---------------------------------------------------------------------------------

function setUpSuggestions() {
  const input = $('q');
  const list = $('suggestions');
  let timer = null;
  let controller = null;
  let active = -1;
  let asked = 0;  // suggestions asked for; an answer to an older question is dropped
  const close = () => { asked += 1; controller?.abort(); list.hidden = true; input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant'); active = -1; };
  const choose = (text) => { input.value = text; close(); run(formParams(), true); };
  const mark = (index) => {
    const items = [...list.children];
    active = (index + items.length) % items.length;
    items.forEach((item, i) => item.setAttribute('aria-selected', String(i === active)));
    input.setAttribute('aria-activedescendant', items[active].id);
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (!searchAvailable || text.length < 2) { close(); return; }
    timer = setTimeout(async () => {
      controller?.abort();
      controller = new AbortController();
      const question = ++asked;
      try {
        const { suggestions } = await api(`/v1/search/suggest?q=${encodeURIComponent(text)}`, { signal: controller.signal });
        if (question !== asked) return;
        list.replaceChildren(...suggestions.map((s, i) => {
          const item = document.createElement('li');
          item.id = `suggestion-${i}`;
          item.setAttribute('role', 'option');
          item.setAttribute('aria-selected', 'false');
          item.innerHTML = '<span class="text"></span><span class="kind"></span>';
          item.firstChild.textContent = s.text;
          item.lastChild.textContent = s.kind;
          item.addEventListener('mousedown', (e) => { e.preventDefault(); choose(s.text); });
          return item;
        }));
        list.hidden = suggestions.length === 0;
        input.setAttribute('aria-expanded', String(!list.hidden));
        active = -1;
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) searchAvailable = false;
        close();
      }
    }, suggest_delay_ms);
  });
  input.addEventListener('keydown', (event) => {
    if (list.hidden) return;
    if (event.key === 'ArrowDown') { event.preventDefault(); mark(active + 1); }
    if (event.key === 'ArrowUp') { event.preventDefault(); mark(active - 1); }
    if (event.key === 'Escape') close();
    if (event.key === 'Enter' && active >= 0) { event.preventDefault(); choose(list.children[active].firstChild.textContent); }
  });
  input.addEventListener('blur', () => setTimeout(close, 100));
  hideSuggestions = () => { clearTimeout(timer); close(); };
}

function main() {
  for (const [value, label] of Object.entries(categories)) $('category').add(new Option(label, value));
  setUpSuggestions();
  $('search').addEventListener('submit', (event) => {
    event.preventDefault();
    hideSuggestions();
    run(formParams(), true);
  });
  for (const name of ['category', 'from', 'to']) $(name).addEventListener('change', () => run(formParams(), true));
  $('more').onclick = async () => {
    try { await searchService(lastParams, nextCursor); } catch (error) { say($('message'), error.message); }
  };
  window.addEventListener('popstate', () => { const p = new URLSearchParams(location.search); fillForm(p); run(p, false); });
  const params = new URLSearchParams(location.search);
  fillForm(params);
  run(params, false);
}

main();
