// Money (integer minor units) and times (RFC 3339), shown in the reader's language and, for
// event times, in the venue's time zone.

export function money(cents, currency = 'USD') {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

export function priceRange(range) {
  if (!range) return '';
  const { min_cents: min, max_cents: max, currency } = range;
  return min === max ? money(min, currency) : `${money(min, currency)} – ${money(max, currency)}`;
}

export function eventTime(iso, timeZone) {
  const options = { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
    hour: 'numeric', minute: '2-digit' };
  try {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone, timeZoneName: timeZone ? 'short' : undefined })
      .format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(undefined, options).format(new Date(iso));
  }
}

// A wall-clock time without a zone ("2026-12-19T20:00:00", the search service's
// local_starts_at: the venue's own time), shown as it is.
export function wallClock(text) {
  return new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short',
    year: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(new Date(`${text}Z`));
}

// "4:05" for 245 seconds.
export function clock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

// "about 2 minutes" for an estimated wait.
export function duration(seconds) {
  if (seconds < 60) {
    const s = Math.max(1, Math.round(seconds));
    return `${s} second${s === 1 ? '' : 's'}`;
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `about ${minutes} minute${minutes === 1 ? '' : 's'}`;
  return `about ${Math.round(minutes / 60)} hours`;
}

export const escapeText = (text) => String(text).replace(/[&<>"']/g,
  (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
