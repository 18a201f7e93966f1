-- The yardstick's schema for checkout_bench.sh: our orders and tickets tables as they are
-- (src/stores/postgres/store.cpp, migration 1), and the textbook's seats table, one row per
-- seat of the event with the order that bought it, to lock and update.
CREATE TABLE events (id bigint PRIMARY KEY);
INSERT INTO events VALUES (1);
CREATE TABLE orders (
  id text PRIMARY KEY,
  event_id bigint NOT NULL REFERENCES events (id),
  hold_id text NOT NULL UNIQUE,
  idempotency_key text NOT NULL,
  request_hash text NOT NULL,
  seats text[] NOT NULL,
  ga_area text,
  ga_quantity integer NOT NULL,
  total_cents bigint NOT NULL,
  currency text NOT NULL,
  customer_email text NOT NULL,
  customer_name text NOT NULL,
  payment_id text NOT NULL,
  payment_status text NOT NULL CHECK (payment_status IN ('authorized', 'captured')),
  created_at bigint NOT NULL
);
CREATE INDEX orders_by_event ON orders (event_id, created_at);
CREATE INDEX orders_uncaptured ON orders (payment_status) WHERE payment_status = 'authorized';
CREATE TABLE tickets (
  order_id text NOT NULL REFERENCES orders (id),
  position integer NOT NULL,
  unit text NOT NULL,
  code text NOT NULL,
  PRIMARY KEY (order_id, position)
);
CREATE TABLE seats (
  event_id bigint NOT NULL REFERENCES events (id),
  id text NOT NULL,
  order_id text REFERENCES orders (id),
  PRIMARY KEY (event_id, id)
);
INSERT INTO seats (event_id, id) SELECT 1, 'seat-' || n FROM generate_series(1, :seats) AS n;
VACUUM ANALYZE;
