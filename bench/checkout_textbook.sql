-- pgbench script for checkout_bench.sh: the textbook checkout, one transaction per order of
-- one seat. Lock the seat, insert the order and its ticket (values of our sizes: 32-hex ids,
-- a ~90-byte ticket code), mark the seat sold. Each client sells its own seats in turn
-- (client + clients × n, with n kept across transactions), so every order is a real sale.
\set n :n + 1
\set seat :client_id + :clients * :n
BEGIN;
SELECT id, order_id FROM seats WHERE event_id = 1 AND id IN ('seat-' || :seat) FOR UPDATE;
INSERT INTO orders (id, event_id, hold_id, idempotency_key, request_hash, seats, ga_area,
                    ga_quantity, total_cents, currency, customer_email, customer_name,
                    payment_id, payment_status, created_at)
  VALUES (md5('order-' || :seat), 1, md5('hold-' || :seat), md5('key-' || :seat),
          md5('body-' || :seat), ARRAY['seat-' || :seat], NULL, 0, 5000, 'USD',
          'fan@example.com', 'Sam Fan', 'pay_' || md5('pay-' || :seat), 'authorized', :seat);
INSERT INTO tickets (order_id, position, unit, code)
  VALUES (md5('order-' || :seat), 1, 'seat-' || :seat,
          'bx1.' || md5('facts-' || :seat) || md5('more-' || :seat) || '.' || md5('mac-' || :seat));
UPDATE seats SET order_id = md5('order-' || :seat)
  WHERE event_id = 1 AND id IN ('seat-' || :seat) AND order_id IS NULL;
COMMIT;
