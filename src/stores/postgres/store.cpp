#include "stores/postgres/store.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "core/catalog_codec.hpp"
#include "core/check.hpp"

namespace boxoffice::postgres {
namespace {

// Numbered migrations: append, never edit one that has shipped.
const std::vector<std::string_view> migrations = {
    R"sql(
      CREATE TABLE meta (key text PRIMARY KEY, value bigint NOT NULL);
      INSERT INTO meta (key, value) VALUES ('epoch', 0);
      CREATE TABLE venues (id bigserial PRIMARY KEY, body text NOT NULL);
      CREATE TABLE events (
        id bigserial PRIMARY KEY,
        venue_id bigint NOT NULL REFERENCES venues (id),
        body text NOT NULL,
        published boolean NOT NULL DEFAULT false,
        version bigint NOT NULL DEFAULT 1
      );
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
      -- DESIGN.md rule 3: a seat of an event can be sold once, whatever Redis believes.
      CREATE TABLE sold_seats (
        event_id bigint NOT NULL,
        seat_id text NOT NULL,
        order_id text NOT NULL REFERENCES orders (id),
        PRIMARY KEY (event_id, seat_id)
      );
      CREATE TABLE ga_sold (
        event_id bigint NOT NULL,
        area_id text NOT NULL,
        capacity integer NOT NULL,
        sold integer NOT NULL CHECK (sold >= 0 AND sold <= capacity),
        PRIMARY KEY (event_id, area_id)
      );
    )sql",
    // Group commit (see store.hpp): one call commits a batch of orders and captures, and
    // answers each with a row: 'ok', 'conflict' (the hold has an order), 'seats_sold' (with
    // the seats), 'area_full', or for a capture 'not_found'.
    //
    // The fast path writes the whole batch with one statement per table, and holds only if
    // every order passes its guard, as it does unless the holds failed (DESIGN.md rule 3): it
    // runs in a block that is rolled back as a whole (one savepoint) at the first refusal.
    // Then the careful path tries the orders in turn, and one that fails its guard has what it
    // wrote deleted again before the next starts (no savepoint per order: subtransactions
    // past 64 in a transaction slow every snapshot of the server), so the transaction keeps
    // exactly the orders that succeed.
    //
    // Statements that look rows up go through EXECUTE, planned at each call for the size of
    // the table at the time: PL/pgSQL keeps the plans of its static statements, and one made
    // while the table was nearly empty (a scan) would still be used on millions of rows.
    R"sql(
      CREATE TYPE batched_order AS (
        write_index integer, id text, event_id bigint, hold_id text, idempotency_key text,
        request_hash text, seats text[], ga_area text, ga_quantity integer,
        ga_capacity integer, total_cents bigint, currency text, customer_email text,
        customer_name text, payment_id text, payment_status text, created_at bigint,
        units text[], codes text[]);

      CREATE FUNCTION commit_batch(orders jsonb, captures jsonb)
      RETURNS TABLE (write_index integer, outcome text, sold_seat_ids text[])
      LANGUAGE plpgsql AS $$
      #variable_conflict use_column
      DECLARE
        batch batched_order[];
        o batched_order;
        seats_wanted bigint;
        areas_wanted bigint;
        written bigint;
        inserted_seats text[];
      BEGIN
        SELECT coalesce(array_agg(x), '{}') INTO batch
        FROM jsonb_populate_recordset(NULL::batched_order, orders) AS x;
        SELECT coalesce(sum(cardinality(b.seats)), 0),
               count(DISTINCT (b.event_id, b.ga_area)) FILTER (WHERE b.ga_area IS NOT NULL)
        INTO seats_wanted, areas_wanted FROM unnest(batch) AS b;
        IF cardinality(batch) = 0 THEN
          batch := NULL;  -- captures only
        ELSE
          BEGIN
            INSERT INTO orders (id, event_id, hold_id, idempotency_key, request_hash, seats,
                                ga_area, ga_quantity, total_cents, currency, customer_email,
                                customer_name, payment_id, payment_status, created_at)
            SELECT b.id, b.event_id, b.hold_id, b.idempotency_key, b.request_hash, b.seats,
                   b.ga_area, b.ga_quantity, b.total_cents, b.currency, b.customer_email,
                   b.customer_name, b.payment_id, b.payment_status, b.created_at
            FROM unnest(batch) AS b
            ON CONFLICT DO NOTHING;
            GET DIAGNOSTICS written = ROW_COUNT;
            IF written <> cardinality(batch) THEN RAISE SQLSTATE 'BX001'; END IF;
            INSERT INTO sold_seats (event_id, seat_id, order_id)
            SELECT b.event_id, seat, b.id FROM unnest(batch) AS b, unnest(b.seats) AS seat
            ON CONFLICT DO NOTHING;
            GET DIAGNOSTICS written = ROW_COUNT;
            IF written <> seats_wanted THEN RAISE SQLSTATE 'BX001'; END IF;
            IF areas_wanted > 0 THEN
              INSERT INTO ga_sold AS g (event_id, area_id, capacity, sold)
              SELECT b.event_id, b.ga_area, max(b.ga_capacity), sum(b.ga_quantity)
              FROM unnest(batch) AS b WHERE b.ga_area IS NOT NULL
              GROUP BY b.event_id, b.ga_area
              HAVING sum(b.ga_quantity) <= max(b.ga_capacity)  -- so the CHECK never raises
              ON CONFLICT (event_id, area_id) DO UPDATE SET sold = g.sold + excluded.sold
              WHERE g.sold + excluded.sold <= g.capacity;
              GET DIAGNOSTICS written = ROW_COUNT;
              IF written <> areas_wanted THEN RAISE SQLSTATE 'BX001'; END IF;
            END IF;
            INSERT INTO tickets (order_id, position, unit, code)
            SELECT b.id, t.position, t.unit, t.code
            FROM unnest(batch) AS b,
                 unnest(b.units, b.codes) WITH ORDINALITY AS t(unit, code, position);
            batch := NULL;  -- all written
          EXCEPTION WHEN SQLSTATE 'BX001' THEN
            NULL;  -- rolled back: the careful path below
          END;
        END IF;

        IF batch IS NULL THEN
          RETURN QUERY SELECT x.write_index, 'ok', NULL::text[]
                       FROM jsonb_to_recordset(orders) AS x(write_index integer);
        END IF;
        FOREACH o IN ARRAY coalesce(batch, '{}') LOOP
          write_index := o.write_index;
          sold_seat_ids := NULL;
          INSERT INTO orders (id, event_id, hold_id, idempotency_key, request_hash, seats,
                              ga_area, ga_quantity, total_cents, currency, customer_email,
                              customer_name, payment_id, payment_status, created_at)
          VALUES (o.id, o.event_id, o.hold_id, o.idempotency_key, o.request_hash, o.seats,
                  o.ga_area, o.ga_quantity, o.total_cents, o.currency, o.customer_email,
                  o.customer_name, o.payment_id, o.payment_status, o.created_at)
          ON CONFLICT DO NOTHING;
          IF NOT FOUND THEN
            outcome := 'conflict';
            RETURN NEXT;
            CONTINUE;
          END IF;
          outcome := 'ok';
          IF cardinality(o.seats) > 0 THEN
            WITH inserted AS (
              INSERT INTO sold_seats (event_id, seat_id, order_id)
              SELECT o.event_id, seat, o.id FROM unnest(o.seats) AS seat
              ON CONFLICT DO NOTHING RETURNING seat_id)
            SELECT coalesce(array_agg(seat_id), '{}') INTO inserted_seats FROM inserted;
            IF cardinality(inserted_seats) <> cardinality(o.seats) THEN
              outcome := 'seats_sold';
              SELECT coalesce(array_agg(seat ORDER BY n), '{}') INTO sold_seat_ids
              FROM unnest(o.seats) WITH ORDINALITY AS s(seat, n) WHERE seat <> ALL (inserted_seats);
              EXECUTE 'DELETE FROM sold_seats WHERE event_id = $1 AND seat_id = ANY ($2)'
                USING o.event_id, inserted_seats;
            END IF;
          END IF;
          IF outcome = 'ok' AND o.ga_area IS NOT NULL THEN
            IF o.ga_quantity <= o.ga_capacity THEN  -- so the CHECK never raises
              INSERT INTO ga_sold AS g (event_id, area_id, capacity, sold)
              VALUES (o.event_id, o.ga_area, o.ga_capacity, o.ga_quantity)
              ON CONFLICT (event_id, area_id) DO UPDATE SET sold = g.sold + excluded.sold
              WHERE g.sold + excluded.sold <= g.capacity;
            END IF;
            IF o.ga_quantity > o.ga_capacity OR NOT FOUND THEN
              outcome := 'area_full';
              EXECUTE 'DELETE FROM sold_seats WHERE event_id = $1 AND seat_id = ANY ($2)'
                USING o.event_id, o.seats;
            END IF;
          END IF;
          IF outcome = 'ok' THEN
            INSERT INTO tickets (order_id, position, unit, code)
            SELECT o.id, t.position, t.unit, t.code
            FROM unnest(o.units, o.codes) WITH ORDINALITY AS t(unit, code, position);
          ELSE
            EXECUTE 'DELETE FROM orders WHERE id = $1' USING o.id;
          END IF;
          RETURN NEXT;
        END LOOP;

        IF jsonb_array_length(captures) > 0 THEN
          RETURN QUERY EXECUTE $sql$
            WITH wanted AS (
              SELECT * FROM jsonb_to_recordset($1) AS c(write_index integer, id text)),
            captured AS (
              UPDATE orders SET payment_status = 'captured'
              WHERE id = ANY (ARRAY(SELECT id FROM wanted)) RETURNING id)
            SELECT wanted.write_index,
                   CASE WHEN wanted.id IN (SELECT id FROM captured) THEN 'ok' ELSE 'not_found' END,
                   NULL::text[]
            FROM wanted $sql$ USING captures;
        END IF;
      END
      $$;
    )sql",
    // Per-buyer limits: each order's buyer by a key of their email (trimmed, ASCII-lowercased
    // as the C collation does, a +tag of its local part dropped), the same key as SQLite's (a
    // store contract test holds them to it), and what each buyer has bought of each event,
    // kept by triggers so that commit_batch's every path counts. An order that takes a buyer
    // past the event's max_per_customer raises BX002: the statement fails, and the store
    // commits each write of the batch alone, so that only that order is refused.
    R"sql(
      ALTER TABLE orders ADD COLUMN customer_key text GENERATED ALWAYS AS (
        regexp_replace(lower(btrim(customer_email, E' \t') COLLATE "C"),
                       '^([^@+]*)\+[^@]*@', '\1@')) STORED;
      CREATE TABLE customer_units (
        event_id bigint NOT NULL,
        customer_key text NOT NULL,
        units integer NOT NULL,
        PRIMARY KEY (event_id, customer_key)
      );
      INSERT INTO customer_units (event_id, customer_key, units)
      SELECT event_id, customer_key, sum(cardinality(seats) + ga_quantity)
      FROM orders GROUP BY event_id, customer_key;

      CREATE FUNCTION count_customer_units() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        bought integer;
        allowed integer;
      BEGIN
        IF TG_OP = 'DELETE' THEN
          UPDATE customer_units SET units = units - (cardinality(OLD.seats) + OLD.ga_quantity)
          WHERE event_id = OLD.event_id AND customer_key = OLD.customer_key;
          RETURN NULL;
        END IF;
        INSERT INTO customer_units AS c (event_id, customer_key, units)
        VALUES (NEW.event_id, NEW.customer_key, cardinality(NEW.seats) + NEW.ga_quantity)
        ON CONFLICT (event_id, customer_key) DO UPDATE SET units = c.units + excluded.units
        RETURNING units INTO bought;
        SELECT (body::jsonb ->> 'max_per_customer')::integer INTO allowed
        FROM events WHERE id = NEW.event_id;
        IF bought > allowed THEN
          RAISE SQLSTATE 'BX002' USING MESSAGE = 'over max_per_customer';
        END IF;
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER orders_count_customer_units AFTER INSERT OR DELETE ON orders
      FOR EACH ROW EXECUTE FUNCTION count_customer_units();
    )sql",
    // Presale access codes (stores/postgres/access_codes.cpp), by the hash of each code.
    R"sql(
      CREATE TABLE access_codes (
        event_id bigint NOT NULL,
        code_hash text NOT NULL,
        presale_id text NOT NULL,
        uses_left integer NOT NULL CHECK (uses_left >= 0),
        PRIMARY KEY (event_id, code_hash)
      );
    )sql",
};

// Raised by the trigger of migration 3 when an order passes the event's max_per_customer.
constexpr std::string_view customer_limit_sqlstate = "BX002";

// Any number: all nodes agree on it, and nothing else takes it.
constexpr std::string_view migration_lock_id = "727274";

// Parses a text[] as PostgreSQL prints it: {a,"b c"}.
std::vector<std::string> parse_text_array(const std::string& literal) {
  std::vector<std::string> values;
  if (literal.size() < 2) return values;
  std::string current;
  bool quoted = false;
  bool any = false;
  for (std::size_t i = 1; i + 1 < literal.size(); ++i) {
    const char c = literal[i];
    if (quoted) {
      if (c == '\\') {
        current += literal[++i];
      } else if (c == '"') {
        quoted = false;
      } else {
        current += c;
      }
    } else if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      values.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
      any = true;
    }
  }
  if (any || !values.empty()) values.push_back(std::move(current));
  return values;
}

std::string to_text(std::int64_t value) { return std::to_string(value); }

}  // namespace

Store::Store(std::string url, std::size_t connections)
    : pool_(std::move(url), connections),
      writes_(writes_per_batch_max,
              [this](const std::vector<Write*>& batch) { write_batch(batch); }),
      lookups_(lookups_per_batch_max,
               [this](const std::vector<Lookup*>& batch) { lookup_batch(batch); }) {}

void Store::stop_batches() {
  writes_.stop();
  lookups_.stop();
}

Status Store::migrate() {
  auto lease = pool_.acquire();
  if (!lease) return std::move(lease).error();
  Connection& db = **lease;
  if (auto locked = db.exec("SELECT pg_advisory_lock(" + std::string(migration_lock_id) + ")");
      !locked) {
    return std::move(locked).error();
  }
  Status result = ok_status();
  auto created = db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations "
      "(version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
  if (!created) result = std::move(created).error();
  for (std::size_t i = 0; result.ok() && i < migrations.size(); ++i) {
    const std::string version = std::to_string(i + 1);
    auto applied = db.exec("SELECT 1 FROM schema_migrations WHERE version = " + version);
    if (!applied) {
      result = std::move(applied).error();
    } else if (applied->empty()) {
      auto done =
          db.exec("BEGIN;\n" + std::string(migrations[i]) +
                  "\nINSERT INTO schema_migrations (version) VALUES (" + version + ");\nCOMMIT;");
      if (!done) {
        (void)db.exec("ROLLBACK");
        result = std::move(done).error();
      }
    }
  }
  (void)db.exec("SELECT pg_advisory_unlock(" + std::string(migration_lock_id) + ")");
  return result;
}

Result<std::int64_t> Store::create_venue(const Venue& venue) {
  Venue stored = venue;
  stored.id = 0;
  auto lease = pool_.acquire();
  if (!lease) return std::move(lease).error();
  auto rows = (*lease)->query("create_venue", "INSERT INTO venues (body) VALUES ($1) RETURNING id",
                              {boost::json::serialize(encode_venue(stored))});
  if (!rows) return std::move(rows).error();
  return rows->integer(0, 0);
}

Result<std::int64_t> Store::create_event(const Event& event) {
  auto lease = pool_.acquire();
  if (!lease) return std::move(lease).error();
  auto rows = (*lease)->query(
      "create_event",
      "INSERT INTO events (venue_id, body, published, version) VALUES ($1, $2, $3, $4) "
      "RETURNING id",
      {to_text(event.venue_id), encode_event_body(event), event.published ? "true" : "false",
       to_text(static_cast<std::int64_t>(event.version))});
  if (!rows) return std::move(rows).error();
  return rows->integer(0, 0);
}

Status Store::update_event(const Event& event) {
  auto lease = pool_.acquire();
  if (!lease) return std::move(lease).error();
  auto rows =
      (*lease)->query("update_event",
                      "UPDATE events SET body = $1, published = $2, version = $3 "
                      "WHERE id = $4 AND version = $3::bigint - 1",
                      {encode_event_body(event), event.published ? "true" : "false",
                       to_text(static_cast<std::int64_t>(event.version)), to_text(event.id)});
  if (!rows) return std::move(rows).error();
  if (rows->affected() == 1) return ok_status();
  auto found =
      (*lease)->query("event_exists", "SELECT 1 FROM events WHERE id = $1", {to_text(event.id)});
  if (!found) return std::move(found).error();
  if (found->size() == 0) return make_error(Errc::not_found, "no such event");
  return make_error(Errc::conflict, "the event was changed meanwhile");
}

Result<std::vector<Venue>> Store::load_venues() {
  auto lease = pool_.acquire();
  if (!lease) return std::move(lease).error();
  auto rows = (*lease)->query("load_venues", "SELECT id, body FROM venues ORDER BY id", {});
  if (!rows) return std::move(rows).error();
  std::vector<Venue> venues;
  for (int i = 0; i < rows->size(); ++i) {
    auto venue = decode_venue(boost::json::parse(rows->text(i, 1)));
    if (!venue) return std::move(venue).error();
    venue->id = rows->integer(i, 0);
    venues.push_back(std::move(venue).value());
  }
  return venues;
}

Result<std::vector<Event>> Store::load_events() {
  auto lease = pool_.acquire();
  if (!lease) return std::move(lease).error();
  auto rows = (*lease)->query("load_events",
                              "SELECT id, body, published, version FROM events ORDER BY id", {});
  if (!rows) return std::move(rows).error();
  std::vector<Event> events;
  for (int i = 0; i < rows->size(); ++i) {
    auto event = decode_event(boost::json::parse(rows->text(i, 1)));
    if (!event) return std::move(event).error();
    event->id = rows->integer(i, 0);
    event->published = rows->text(i, 2) == "t";
    event->version = static_cast<std::uint64_t>(rows->integer(i, 3));
    events.push_back(std::move(event).value());
  }
  return events;
}

namespace {

// libpq passes parameters as C strings, so text used to end at its first NUL; PostgreSQL's
// text can't hold one, and jsonb refuses \u0000: the same cut keeps the old behaviour.
std::string_view sql_text(std::string_view text) { return text.substr(0, text.find('\0')); }

boost::json::array json_texts(const std::vector<std::string>& values) {
  boost::json::array array;
  for (const std::string& value : values) array.emplace_back(sql_text(value));
  return array;
}

boost::json::object encode_batched_order(std::size_t index, const Order& order,
                                         std::uint32_t ga_capacity) {
  std::vector<std::string> units;
  std::vector<std::string> codes;
  for (const Ticket& ticket : order.tickets) {
    units.push_back(ticket.unit);
    codes.push_back(ticket.code);
  }
  boost::json::value ga_area = nullptr;
  if (order.ga_area) ga_area = sql_text(*order.ga_area);
  return {{"write_index", index},
          {"id", order.id.hex()},
          {"event_id", order.event_id},
          {"hold_id", order.hold_id.hex()},
          {"idempotency_key", sql_text(order.idempotency_key)},
          {"request_hash", sql_text(order.request_hash)},
          {"seats", json_texts(order.seats)},
          {"ga_area", std::move(ga_area)},
          {"ga_quantity", order.ga_quantity},
          {"ga_capacity", ga_capacity},
          {"total_cents", order.total_cents},
          {"currency", sql_text(order.currency)},
          {"customer_email", sql_text(order.customer_email)},
          {"customer_name", sql_text(order.customer_name)},
          {"payment_id", sql_text(order.payment_id)},
          {"payment_status",
           order.payment_status == PaymentStatus::captured ? "captured" : "authorized"},
          {"created_at", order.created_at},
          {"units", json_texts(units)},
          {"codes", json_texts(codes)}};
}

// The answer of one write from its row of commit_batch (see the migration).
Status answer_of(std::string_view outcome, const std::string& sold_seat_ids) {
  if (outcome == "ok") return ok_status();
  if (outcome == "conflict") return make_error(Errc::conflict, "the hold already has an order");
  if (outcome == "seats_sold") {
    return make_error(Errc::seats_unavailable, "some seats are already sold",
                      {.seat_ids = parse_text_array(sold_seat_ids)});
  }
  if (outcome == "area_full") {
    return make_error(Errc::seats_unavailable, "not enough places left in the area");
  }
  BOXOFFICE_CHECK(outcome == "not_found");
  return make_error(Errc::not_found, "no such order");
}

}  // namespace

Status Store::commit_order(const Order& order, std::uint32_t ga_capacity) {
  Write write{.order = &order, .ga_capacity = ga_capacity};
  writes_.submit_and_wait(write);
  return std::move(write.answer);
}

Status Store::mark_captured(const OrderId& order) {
  Write write{.captured = &order};
  writes_.submit_and_wait(write);
  return std::move(write.answer);
}

boost::asio::awaitable<Status> Store::async_commit_order(const Order& order,
                                                         std::uint32_t ga_capacity,
                                                         boost::asio::thread_pool&) {
  Write write{.order = &order, .ga_capacity = ga_capacity};
  co_await writes_.submit(write);
  co_return std::move(write.answer);
}

boost::asio::awaitable<Status> Store::async_mark_captured(const OrderId& order,
                                                          boost::asio::thread_pool&) {
  Write write{.captured = &order};
  co_await writes_.submit(write);
  co_return std::move(write.answer);
}

void Store::write_batch(const std::vector<Write*>& batch) {
  auto lease = pool_.acquire();
  if (!lease) {
    for (Write* write : batch) write->answer = lease.error();
    return;
  }
  Status together = commit_batch(**lease, batch);
  if (together) return;
  // A statement error (a deadlock with another node's batch, a value the server refused) has
  // rolled the whole batch back, and says nothing of which write caused it: each write again
  // on its own, so that only the one at fault fails.
  if (batch.size() > 1 && !together.error().facts.sqlstate.empty()) {
    for (Write* write : batch) {
      const std::vector<Write*> alone = {write};
      if (Status committed = commit_batch(**lease, alone); !committed) {
        write->answer = std::move(committed);
      }
    }
    return;
  }
  for (Write* write : batch) write->answer = together.error();
}

// One statement outside a transaction block is its own transaction, committed before the
// server answers it (with synchronous_commit on, its WAL flushed): so one round trip, and any
// answer read here is durable. The error of the statement, if any, is the batch's.
Status Store::commit_batch(Connection& db, const std::vector<Write*>& batch) {
  boost::json::array orders;
  boost::json::array captures;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const Write& write = *batch[i];
    if (write.order != nullptr) {
      orders.push_back(encode_batched_order(i, *write.order, write.ga_capacity));
    } else {
      captures.push_back(boost::json::object{{"write_index", i}, {"id", write.captured->hex()}});
    }
  }
  auto rows = db.query("commit_batch",
                       "SELECT write_index, outcome, sold_seat_ids "
                       "FROM commit_batch($1::jsonb, $2::jsonb)",
                       {boost::json::serialize(orders), boost::json::serialize(captures)});
  if (!rows && rows.error().facts.sqlstate == customer_limit_sqlstate) {
    // Kept: the caller commits a batch's writes alone to find the one at fault.
    return make_error(Errc::customer_limit, "the buyer has bought as many as one buyer may",
                      {.sqlstate = std::string(customer_limit_sqlstate)});
  }
  if (!rows) return std::move(rows).error();
  BOXOFFICE_CHECK(rows->size() == static_cast<int>(batch.size()));
  for (int row = 0; row < rows->size(); ++row) {
    batch.at(static_cast<std::size_t>(rows->integer(row, 0)))->answer =
        answer_of(rows->text(row, 1), rows->text(row, 2));
  }
  return ok_status();
}

Result<std::vector<Order>> Store::select_orders(std::string_view name, std::string_view from_where,
                                                const std::vector<Param>& params) {
  auto lease = pool_.acquire();
  if (!lease) return std::move(lease).error();
  // One query for orders and their tickets (in order), instead of one per order.
  auto rows = (*lease)->query(
      name,
      "SELECT o.id, o.event_id, o.hold_id, o.idempotency_key, o.request_hash, o.seats, "
      "o.ga_area, o.ga_quantity, o.total_cents, o.currency, o.customer_email, o.customer_name, "
      "o.payment_id, o.payment_status, o.created_at, "
      "COALESCE((SELECT array_agg(t.unit ORDER BY t.position) FROM tickets t WHERE t.order_id = "
      "o.id), '{}'), "
      "COALESCE((SELECT array_agg(t.code ORDER BY t.position) FROM tickets t WHERE t.order_id = "
      "o.id), '{}') " +
          std::string(from_where) + " ORDER BY o.created_at, o.id",
      params);
  if (!rows) return std::move(rows).error();
  std::vector<Order> orders;
  for (int i = 0; i < rows->size(); ++i) {
    Order order;
    order.id = *Id128::from_hex(rows->text(i, 0));
    order.event_id = rows->integer(i, 1);
    order.hold_id = *Id128::from_hex(rows->text(i, 2));
    order.idempotency_key = rows->text(i, 3);
    order.request_hash = rows->text(i, 4);
    order.seats = parse_text_array(rows->text(i, 5));
    if (!rows->is_null(i, 6)) order.ga_area = rows->text(i, 6);
    order.ga_quantity = static_cast<std::uint32_t>(rows->integer(i, 7));
    order.total_cents = rows->integer(i, 8);
    order.currency = rows->text(i, 9);
    order.customer_email = rows->text(i, 10);
    order.customer_name = rows->text(i, 11);
    order.payment_id = rows->text(i, 12);
    order.payment_status =
        rows->text(i, 13) == "captured" ? PaymentStatus::captured : PaymentStatus::authorized;
    order.created_at = rows->integer(i, 14);
    const auto units = parse_text_array(rows->text(i, 15));
    const auto codes = parse_text_array(rows->text(i, 16));
    for (std::size_t t = 0; t < units.size() && t < codes.size(); ++t) {
      order.tickets.push_back({units[t], codes[t]});
    }
    orders.push_back(std::move(order));
  }
  return orders;
}

namespace {

Result<std::optional<Order>> first_of(Result<std::vector<Order>> orders) {
  if (!orders) return std::move(orders).error();
  if (orders->empty()) return std::optional<Order>();
  return std::optional<Order>(std::move(orders->front()));
}

}  // namespace

Result<std::optional<Order>> Store::find_order(const OrderId& id) {
  return first_of(select_orders("find_order", "FROM orders o WHERE o.id = $1", {id.hex()}));
}

Result<std::optional<Order>> Store::find_order_by_hold(const HoldId& hold) {
  Lookup lookup{.hold = &hold};
  lookups_.submit_and_wait(lookup);
  return std::move(lookup.answer);
}

boost::asio::awaitable<Result<std::optional<Order>>> Store::async_find_order_by_hold(
    const HoldId& hold, boost::asio::thread_pool&) {
  Lookup lookup{.hold = &hold};
  co_await lookups_.submit(lookup);
  co_return std::move(lookup.answer);
}

void Store::lookup_batch(const std::vector<Lookup*>& batch) {
  std::vector<std::string> holds;
  for (const Lookup* lookup : batch) holds.push_back(lookup->hold->hex());
  // One probe of the hold_id index per hold (the LATERAL subquery, kept apart by OFFSET 0),
  // whatever the planner would think of a join with a table it last saw nearly empty.
  auto orders = select_orders(
      "find_orders_by_holds",
      "FROM unnest($1::text[]) AS wanted(hold_id), "
      "LATERAL (SELECT * FROM orders WHERE orders.hold_id = wanted.hold_id OFFSET 0) o",
      {text_array(holds)});
  for (Lookup* lookup : batch) {
    if (!orders) {
      lookup->answer = orders.error();
      continue;
    }
    lookup->answer = std::optional<Order>();
    for (Order& order : *orders) {
      if (order.hold_id == *lookup->hold) lookup->answer = std::optional<Order>(order);
    }
  }
}

Result<std::vector<Order>> Store::orders_of_event(std::int64_t event_id) {
  return select_orders("orders_of_event", "FROM orders o WHERE o.event_id = $1",
                       {to_text(event_id)});
}

Result<std::vector<Order>> Store::uncaptured_orders() {
  return select_orders("uncaptured_orders", "FROM orders o WHERE o.payment_status = 'authorized'",
                       {});
}

Result<SoldUnits> Store::sold_units(std::int64_t event_id) {
  auto lease = pool_.acquire();
  if (!lease) return std::move(lease).error();
  auto seats = (*lease)->query("sold_seats", "SELECT seat_id FROM sold_seats WHERE event_id = $1",
                               {to_text(event_id)});
  if (!seats) return std::move(seats).error();
  auto areas = (*lease)->query(
      "sold_ga", "SELECT area_id, sold FROM ga_sold WHERE event_id = $1 ORDER BY area_id",
      {to_text(event_id)});
  if (!areas) return std::move(areas).error();
  SoldUnits sold;
  for (int i = 0; i < seats->size(); ++i) sold.seats.push_back(seats->text(i, 0));
  for (int i = 0; i < areas->size(); ++i) {
    sold.ga.emplace_back(areas->text(i, 0), static_cast<std::uint32_t>(areas->integer(i, 1)));
  }
  return sold;
}

Result<std::string> Store::catalog_signature() {
  auto lease = pool_.acquire();
  if (!lease) return std::move(lease).error();
  auto rows = (*lease)->query(
      "catalog_signature",
      "SELECT (SELECT coalesce(max(id), 0) FROM venues) || ':' || count(*) || ':' || "
      "coalesce(sum(version), 0) FROM events",
      {});
  if (!rows) return std::move(rows).error();
  return std::string(rows->text(0, 0));
}

Status Store::ping() {
  auto lease = pool_.acquire();
  if (!lease) return std::move(lease).error();
  auto rows = (*lease)->query("ping", "SELECT 1", {});
  if (!rows) return std::move(rows).error();
  return ok_status();
}

Result<std::uint64_t> Store::next_epoch() {
  auto lease = pool_.acquire();
  if (!lease) return std::move(lease).error();
  auto rows = (*lease)->query(
      "next_epoch", "UPDATE meta SET value = value + 1 WHERE key = 'epoch' RETURNING value", {});
  if (!rows) return std::move(rows).error();
  return static_cast<std::uint64_t>(rows->integer(0, 0));
}

}  // namespace boxoffice::postgres
