#include "stores/postgres/store.hpp"

#include "core/catalog_codec.hpp"

#include <boost/json.hpp>

#include <set>

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
};

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

Store::Store(std::string url, std::size_t connections) : pool_(std::move(url), connections) {}

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
      auto done = db.exec("BEGIN;\n" + std::string(migrations[i]) +
                          "\nINSERT INTO schema_migrations (version) VALUES (" + version +
                          ");\nCOMMIT;");
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
  auto rows = (*lease)->query(
      "update_event", "UPDATE events SET body = $1, published = $2, version = $3 WHERE id = $4",
      {encode_event_body(event), event.published ? "true" : "false",
       to_text(static_cast<std::int64_t>(event.version)), to_text(event.id)});
  if (!rows) return std::move(rows).error();
  if (rows->affected() != 1) return make_error(Errc::not_found, "no such event");
  return ok_status();
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
  auto rows = (*lease)->query(
      "load_events", "SELECT id, body, published, version FROM events ORDER BY id", {});
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

// The body of commit_order's transaction.
Status Store::insert_order(Connection& db, const Order& order, std::uint32_t ga_capacity) {
  const std::string id = order.id.hex();
  auto inserted = db.query(
      "insert_order",
      "INSERT INTO orders (id, event_id, hold_id, idempotency_key, request_hash, seats, ga_area, "
      "ga_quantity, total_cents, currency, customer_email, customer_name, payment_id, "
      "payment_status, created_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
      {id, to_text(order.event_id), order.hold_id.hex(), order.idempotency_key,
       order.request_hash, text_array(order.seats), order.ga_area,
       to_text(order.ga_quantity), to_text(order.total_cents), order.currency,
       order.customer_email, order.customer_name, order.payment_id,
       order.payment_status == PaymentStatus::captured ? "captured" : "authorized",
       to_text(order.created_at)});
  if (!inserted) {
    if (sqlstate_of(inserted.error()) == "23505") {
      return make_error(Errc::conflict, "the hold already has an order");
    }
    return std::move(inserted).error();
  }
  if (!order.seats.empty()) {
    auto sold = db.query("sell_seats",
                         "INSERT INTO sold_seats (event_id, seat_id, order_id) "
                         "SELECT $1, seat, $3 FROM unnest($2::text[]) AS seat "
                         "ON CONFLICT DO NOTHING RETURNING seat_id",
                         {to_text(order.event_id), text_array(order.seats), id});
    if (!sold) return std::move(sold).error();
    if (sold->size() != static_cast<int>(order.seats.size())) {
      std::set<std::string> got;
      for (int i = 0; i < sold->size(); ++i) got.insert(sold->text(i, 0));
      boost::json::array taken;
      for (const std::string& seat : order.seats) {
        if (!got.contains(seat)) taken.emplace_back(seat);
      }
      return make_error(Errc::seats_unavailable, "some seats are already sold",
                        {{"unavailable", std::move(taken)}});
    }
  }
  if (order.ga_area) {
    auto area = db.query("sell_ga",
                         "INSERT INTO ga_sold AS g (event_id, area_id, capacity, sold) "
                         "VALUES ($1, $2, $3, $4) ON CONFLICT (event_id, area_id) DO UPDATE "
                         "SET sold = g.sold + excluded.sold WHERE g.sold + excluded.sold <= g.capacity",
                         {to_text(order.event_id), *order.ga_area, to_text(ga_capacity),
                          to_text(order.ga_quantity)});
    if (!area) {
      if (sqlstate_of(area.error()) == "23514") {  // the CHECK: over capacity on first sale
        return make_error(Errc::seats_unavailable, "not enough places left in the area");
      }
      return std::move(area).error();
    }
    if (area->affected() != 1) {
      return make_error(Errc::seats_unavailable, "not enough places left in the area");
    }
  }
  std::vector<std::string> units;
  std::vector<std::string> codes;
  for (const Ticket& ticket : order.tickets) {
    units.push_back(ticket.unit);
    codes.push_back(ticket.code);
  }
  auto tickets = db.query("insert_tickets",
                          "INSERT INTO tickets (order_id, position, unit, code) "
                          "SELECT $1, t.position, t.unit, t.code "
                          "FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t(unit, code, position)",
                          {id, text_array(units), text_array(codes)});
  if (!tickets) return std::move(tickets).error();
  return ok_status();
}

Status Store::commit_order(const Order& order, std::uint32_t ga_capacity) {
  auto lease = pool_.acquire();
  if (!lease) return std::move(lease).error();
  Connection& db = **lease;
  if (auto begun = db.exec("BEGIN"); !begun) return std::move(begun).error();
  Status inserted = insert_order(db, order, ga_capacity);
  if (!inserted) {
    (void)db.exec("ROLLBACK");
    return inserted;
  }
  if (auto committed = db.exec("COMMIT"); !committed) return std::move(committed).error();
  return ok_status();
}

Status Store::mark_captured(const OrderId& order) {
  auto lease = pool_.acquire();
  if (!lease) return std::move(lease).error();
  auto rows = (*lease)->query("mark_captured",
                              "UPDATE orders SET payment_status = 'captured' WHERE id = $1",
                              {order.hex()});
  if (!rows) return std::move(rows).error();
  if (rows->affected() != 1) return make_error(Errc::not_found, "no such order");
  return ok_status();
}

Result<std::vector<Order>> Store::select_orders(std::string_view name, std::string_view where,
                                                const std::vector<Param>& params) {
  auto lease = pool_.acquire();
  if (!lease) return std::move(lease).error();
  // One query for orders and their tickets (in order), instead of one per order.
  auto rows = (*lease)->query(
      name,
      "SELECT o.id, o.event_id, o.hold_id, o.idempotency_key, o.request_hash, o.seats, "
      "o.ga_area, o.ga_quantity, o.total_cents, o.currency, o.customer_email, o.customer_name, "
      "o.payment_id, o.payment_status, o.created_at, "
      "COALESCE((SELECT array_agg(t.unit ORDER BY t.position) FROM tickets t WHERE t.order_id = o.id), '{}'), "
      "COALESCE((SELECT array_agg(t.code ORDER BY t.position) FROM tickets t WHERE t.order_id = o.id), '{}') "
      "FROM orders o WHERE " + std::string(where) + " ORDER BY o.created_at, o.id",
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
  return first_of(select_orders("find_order", "o.id = $1", {id.hex()}));
}

Result<std::optional<Order>> Store::find_order_by_hold(const HoldId& hold) {
  return first_of(select_orders("find_order_by_hold", "o.hold_id = $1", {hold.hex()}));
}

Result<std::vector<Order>> Store::orders_of_event(std::int64_t event_id) {
  return select_orders("orders_of_event", "o.event_id = $1", {to_text(event_id)});
}

Result<std::vector<Order>> Store::uncaptured_orders() {
  return select_orders("uncaptured_orders", "o.payment_status = 'authorized'", {});
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
