// Turns the API's problem+json answers (docs/api.md, "Errors") into sentences a person can act
// on. Pages never show raw JSON or a status code alone.

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

const when = (iso) => {
  if (!iso) return 'later';
  try {
    return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  } catch { return iso; }
};

const declines = {
  insufficient_funds: 'Your card was declined for insufficient funds.',
  card_declined: 'Your card was declined by its bank.',
};

const fields = {
  'payment.card_number': 'That card number is not valid: enter the 16 digits on the card.',
  'customer.email': 'Enter a valid email address: your tickets are sent there.',
  'customer.name': 'Enter the name on the order.',
};

const sentences = {
  'seats-unavailable': (p) =>
    `Someone else just took ${p.unavailable ? plural(p.unavailable.length, 'of those seats', 'of those seats') : 'some of those seats'}. They are greyed out now: pick others.`,
  'not-enough-seats': (p) => (p.available !== undefined
    ? `Only ${plural(p.available, 'place is', 'places are')} left there. Ask for fewer.`
    : 'There are not that many seats together right now. Try fewer seats, or another price level.'),
  'hold-gone': (p) => ({
    expired: 'Your hold expired and the seats went back on sale. Pick your seats again.',
    released: 'These seats were released. Pick your seats again.',
    checked_out: 'This hold has already been paid for: look for the order in your email.',
  }[p.reason] || 'Your hold has ended and the seats went back on sale. Pick your seats again.'),
  'payment-declined': (p) =>
    `${declines[p.decline_code] || 'Your card was declined.'} Your seats stay held until the timer runs out: try another card.`,
  'presale-only': () => 'Right now only presale code holders can buy: enter your access code above.',
  'access-code-invalid': (p) => (p.reason === 'used_up'
    ? 'That access code has been used as many times as it allows.'
    : 'That access code is not valid for the presale open now: check it and try again.'),
  'customer-limit': (p) =>
    `Each buyer may buy at most ${plural(p.max_per_customer, 'ticket', 'tickets')} for this event, and this order would pass that.`,
  'queue-required': () => 'This sale goes through a waiting room. Join the queue to continue.',
  'queue-not-open': (p) => `The waiting room opens ${when(p.opens_at)}. Come back then.`,
  'queue-token-invalid': () => 'Your place in the queue is no longer valid. Join the queue again.',
  'queue-session-ended': () => 'Your shopping time is over. Join the queue again to continue.',
  'proof-of-work-required': () => 'This waiting room needs a moment of work from your browser first. Join again to do it.',
  'proof-of-work-invalid': () => 'Your browser\'s check did not go through. Join the queue again.',
  'not-on-sale': (p) => `Tickets are not on sale now${p.on_sale_at ? `: they go on sale ${when(p.on_sale_at)}` : ''}.`,
  'not-found': () => 'We could not find that. The link may be wrong, or it is no longer available.',
  'over-order-limit': (p) => `You can buy at most ${p.max_per_order ?? 'a few'} tickets in one order.`,
  'unknown-seats': () => 'Some of those seats do not exist at this venue. Reload the page and pick again.',
  'duplicate-seats': () => 'The same seat was picked twice. Pick each seat once.',
  'checkout-in-progress': () => 'Your payment is already being processed. Wait a moment.',
  conflict: () => 'This hold was already paid for in another window.',
  'idempotency-key-reused': () => 'That payment attempt was already sent with other details. Try again.',
  'malformed-json': () => 'The file or form is not valid JSON.',
  'invalid-field': (p) => fields[p.field] || `Check “${p.field || 'the form'}”: ${p.detail || 'it is not valid'}.`,
  unauthorized: () => 'Enter the admin key to use the organizer console.',
  forbidden: () => 'That admin key is not right.',
  'payload-too-large': () => 'That is too large to send (a venue file may be up to 32 MiB).',
  'store-unavailable': () => 'The box office is busy for a moment. Try again in a few seconds.',
  'request-timeout': () => 'That took too long to send. Try again.',
};

// The sentence for a problem (an object with `type`, `status`, ...) of an HTTP answer.
export function sentence(problem, status) {
  const slug = (problem && typeof problem.type === 'string') ? problem.type.replace(/^.*\//, '') : '';
  const make = sentences[slug];
  if (make) return make(problem);
  if (status === 0) return 'We cannot reach the box office. Check your connection and try again.';
  if (status >= 500) return 'Something went wrong on our side. Try again in a moment.';
  return 'That did not work. Reload the page and try again.';
}
