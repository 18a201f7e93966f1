// Follows an event's availability over server-sent events (GET …/availability/stream): the
// first message is a snapshot (bitmaps, bit i = seat i of the seat map), then deltas naming
// seats. EventSource reconnects by itself with Last-Event-ID, and the server answers with
// exactly the changes missed (or a fresh snapshot), so nothing here tracks sequence numbers.

// bit i of a base64 bitmap, least significant bit first in each byte.
export function bitmap(base64) {
  const text = atob(base64 || '');
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return (i) => (bytes[i >> 3] >> (i & 7)) & 1;
}

// handlers: snapshot(availability JSON), change({kind, seats, ga}), status('live'|'reconnecting').
export function follow(eventId, { snapshot, change, status = () => {} }) {
  const source = new EventSource(`/v1/events/${encodeURIComponent(eventId)}/availability/stream`);
  source.addEventListener('snapshot', (message) => snapshot(JSON.parse(message.data)));
  source.addEventListener('delta', (message) => {
    for (const item of JSON.parse(message.data).changes) change(item);
  });
  source.addEventListener('open', () => status('live'));
  source.addEventListener('error', () => status('reconnecting'));
  return () => source.close();
}

// Applies a GA change to an area's {available, held, sold} counts.
export function applyGa(area, { kind, ga }) {
  const q = ga.quantity;
  if (kind === 'held') { area.available -= q; area.held += q; }
  if (kind === 'released') { area.available += q; area.held -= q; }
  if (kind === 'sold') { area.held -= q; area.sold += q; }
}
