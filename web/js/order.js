// The order: what was bought, and each ticket with a QR code of its ticket code (the code a
// gate verifies offline: `boxoffice check-ticket CODE`).
import { api, say, pathPart } from './api.js';
import { money, eventTime } from './format.js';
import { qrSvg } from './qr.js';
import { seatNames } from './seat_names.js';

const $ = (id) => document.getElementById(id);

async function main() {
  let order;
  try {
    order = await api(`/v1/orders/${pathPart(2)}`);
  } catch (error) {
    $('title').textContent = 'Order not found';
    say($('message'), error.message);
    return;
  }
  say($('message'), `Payment approved. Your order is ${order.status}.`, 'ok');
  const count = order.tickets.length;
  $('summary').textContent = `${count} ticket${count === 1 ? '' : 's'}, ${money(order.total_cents, order.currency)}, for ${order.customer.name} (${order.customer.email}).`;
  const list = $('tickets');
  let qrFailed = false;
  const names = await seatNames(order.event_id).catch(() => null);
  const unitName = (unit) => (names ? names.unit(unit)
    : unit.includes('#') ? `General admission ${unit.replace('#', ', place ')}` : `Seat ${unit}`);
  for (const ticket of order.tickets) {
    const item = document.createElement('li');
    item.className = 'card ticket';
    const text = document.createElement('div');
    const seat = document.createElement('p');
    seat.innerHTML = '<strong></strong>';
    seat.firstChild.textContent = unitName(ticket.seat);
    const code = document.createElement('code');
    code.textContent = ticket.code;
    text.append(seat, code);
    try {
      item.append(await qrSvg(ticket.code, `QR code of the ticket for ${unitName(ticket.seat)}`), text);
    } catch {
      qrFailed = true;
      item.append(text);
    }
    list.append(item);
  }
  if (qrFailed) say($('message'), 'Your order is confirmed, but the QR codes could not be drawn here: show the ticket codes below at the gate.', 'info');
  try {
    const event = await api(`/v1/events/${order.event_id}`);
    const link = document.createElement('a');
    link.href = `/events/${event.id}`;
    link.textContent = event.name;
    $('event').replaceChildren(link, `, ${eventTime(event.starts_at, event.venue?.timezone)}, ${event.venue?.name || ''}`);
  } catch { /* the event's name is a courtesy */ }
}

main();
