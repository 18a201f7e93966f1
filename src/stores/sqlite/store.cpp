#include "stores/sqlite/store.hpp"

#include <boost/json.hpp>

#include "core/catalog_codec.hpp"
#include "core/json_reader.hpp"

namespace boxoffice::sqlite {
namespace {

// Numbered migrations: append, never edit one that has shipped.
const std::vector<std::string_view> migrations = {
    R"sql(
      CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
      INSERT INTO meta (key, value) VALUES ('epoch', 0);
      CREATE TABLE venues (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        venue_id INTEGER NOT NULL REFERENCES venues (id),
        body TEXT NOT NULL,
        published INTEGER NOT NULL DEFAULT 0,
        version INTEGER NOT NULL DEFAULT 1
      );
      CREATE TABLE orders (
        id TEXT PRIMARY KEY,
        event_id INTEGER NOT NULL REFERENCES events (id),
        hold_id TEXT NOT NULL UNIQUE,
        idempotency_key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        seats TEXT NOT NULL,
        ga_area TEXT,
        ga_quantity INTEGER NOT NULL,
        total_cents INTEGER NOT NULL,
        currency TEXT NOT NULL,
        customer_email TEXT NOT NULL,
        customer_name TEXT NOT NULL,
        payment_id TEXT NOT NULL,
        payment_status TEXT NOT NULL CHECK (payment_status IN ('authorized', 'captured')),
        created_at INTEGER NOT NULL
      );
      CREATE INDEX orders_by_event ON orders (event_id, created_at);
      CREATE TABLE tickets (
        order_id TEXT NOT NULL REFERENCES orders (id),
        unit TEXT NOT NULL,
        code TEXT NOT NULL,
        PRIMARY KEY (order_id, unit)
      );
      -- The guard of DESIGN.md rule 3: a seat of an event can be sold once, whatever the
      -- holds in memory believe.
      CREATE TABLE sold_seats (
        event_id INTEGER NOT NULL,
        seat_id TEXT NOT NULL,
        order_id TEXT NOT NULL REFERENCES orders (id),
        PRIMARY KEY (event_id, seat_id)
      );
      CREATE TABLE ga_sold (
        event_id INTEGER NOT NULL,
        area_id TEXT NOT NULL,
        capacity INTEGER NOT NULL,
        sold INTEGER NOT NULL CHECK (sold >= 0 AND sold <= capacity),
        PRIMARY KEY (event_id, area_id)
      );
    )sql",
    // Per-buyer limits: each order's buyer by a key of their email (trimmed, ASCII-lowercased,
    // a +tag of its local part dropped), the same expression as PostgreSQL's (a store contract
    // test holds them to it), and what each buyer has bought of each event.
    R"sql(
      ALTER TABLE orders ADD COLUMN customer_key TEXT GENERATED ALWAYS AS (
        CASE WHEN instr(substr(lower(trim(customer_email, ' ' || char(9))), 1,
                               instr(lower(trim(customer_email, ' ' || char(9))), '@')), '+') > 0
        THEN substr(lower(trim(customer_email, ' ' || char(9))), 1,
                    instr(lower(trim(customer_email, ' ' || char(9))), '+') - 1)
             || substr(lower(trim(customer_email, ' ' || char(9))),
                       instr(lower(trim(customer_email, ' ' || char(9))), '@'))
        ELSE lower(trim(customer_email, ' ' || char(9))) END) VIRTUAL;
      CREATE TABLE customer_units (
        event_id INTEGER NOT NULL,
        customer_key TEXT NOT NULL,
        units INTEGER NOT NULL,
        PRIMARY KEY (event_id, customer_key)
      );
      INSERT INTO customer_units (event_id, customer_key, units)
      SELECT event_id, customer_key, sum(json_array_length(seats) + ga_quantity)
      FROM orders GROUP BY event_id, customer_key;
    )sql",
    // Presale access codes (stores/sqlite/access_codes.cpp), by the hash of each code.
    R"sql(
      CREATE TABLE access_codes (
        event_id INTEGER NOT NULL,
        code_hash TEXT NOT NULL,
        presale_id TEXT NOT NULL,
        uses_left INTEGER NOT NULL CHECK (uses_left >= 0),
        PRIMARY KEY (event_id, code_hash)
      );
    )sql",
};

Error failure(const std::exception& e) { return store_error(e, "the database failed: "); }

const char* payment_status_name(PaymentStatus status) {
  return status == PaymentStatus::captured ? "captured" : "authorized";
}

std::string encode_seats(const std::vector<std::string>& seats) {
  boost::json::array array;
  for (const std::string& seat : seats) array.emplace_back(seat);
  return boost::json::serialize(array);
}

std::vector<std::string> decode_seats(const std::string& text) {
  std::vector<std::string> seats;
  const boost::json::value parsed = boost::json::parse(text);
  for (const auto& seat : parsed.as_array()) {
    seats.emplace_back(seat.as_string());
  }
  return seats;
}

// Adds the order's units to what its buyer has bought of the event, inside the order's
// transaction; customer_limit if that passes the event's max_per_customer as stored now.
Status count_customer_units(SQLite::Database& db, const Order& order) {
  SQLite::Statement count(db,
                          "INSERT INTO customer_units AS c (event_id, customer_key, units) "
                          "SELECT event_id, customer_key, ? FROM orders WHERE id = ? "
                          "ON CONFLICT DO UPDATE SET units = c.units + excluded.units "
                          "RETURNING units, (SELECT json_extract(body, '$.max_per_customer') "
                          "FROM events WHERE events.id = customer_units.event_id)");
  count.bind(1, static_cast<std::int64_t>(order.seats.size() + order.ga_quantity));
  count.bind(2, order.id.hex());
  BOXOFFICE_CHECK(count.executeStep());
  if (count.getColumn(1).isNull() ||
      count.getColumn(0).getInt64() <= count.getColumn(1).getInt64()) {
    return ok_status();
  }
  return make_error(Errc::customer_limit, "the buyer has bought as many as one buyer may");
}

}  // namespace

Store::Store(const std::filesystem::path& file) : db_(file, migrations) {}

Result<std::int64_t> Store::create_venue(const Venue& venue) try {
  Venue stored = venue;
  stored.id = 0;
  auto lock = db_.lock();
  SQLite::Statement insert(db_.connection(), "INSERT INTO venues (body) VALUES (?)");
  insert.bind(1, boost::json::serialize(encode_venue(stored)));
  insert.exec();
  return db_.connection().getLastInsertRowid();
} catch (const std::exception& e) {
  return failure(e);
}

Result<std::int64_t> Store::create_event(const Event& event) try {
  auto lock = db_.lock();
  SQLite::Statement insert(db_.connection(),
                           "INSERT INTO events (venue_id, body, published, version) "
                           "VALUES (?, ?, ?, ?)");
  insert.bind(1, event.venue_id);
  insert.bind(2, encode_event_body(event));
  insert.bind(3, event.published ? 1 : 0);
  insert.bind(4, static_cast<std::int64_t>(event.version));
  insert.exec();
  return db_.connection().getLastInsertRowid();
} catch (const std::exception& e) {
  return failure(e);
}

Status Store::update_event(const Event& event) try {
  auto lock = db_.lock();
  SQLite::Statement update(db_.connection(),
                           "UPDATE events SET body = ?1, published = ?2, version = ?3 "
                           "WHERE id = ?4 AND version = ?3 - 1");
  update.bind(1, encode_event_body(event));
  update.bind(2, event.published ? 1 : 0);
  update.bind(3, static_cast<std::int64_t>(event.version));
  update.bind(4, event.id);
  if (update.exec() == 1) return ok_status();
  SQLite::Statement exists(db_.connection(), "SELECT 1 FROM events WHERE id = ?");
  exists.bind(1, event.id);
  if (!exists.executeStep()) return make_error(Errc::not_found, "no such event");
  return make_error(Errc::conflict, "the event was changed meanwhile");
} catch (const std::exception& e) {
  return failure(e);
}

Result<std::vector<Venue>> Store::load_venues() try {
  auto lock = db_.lock();
  SQLite::Statement select(db_.connection(), "SELECT id, body FROM venues ORDER BY id");
  std::vector<Venue> venues;
  while (select.executeStep()) {
    auto venue = decode_venue(boost::json::parse(select.getColumn(1).getString()));
    if (!venue) return std::move(venue).error();
    venue->id = select.getColumn(0).getInt64();
    venues.push_back(std::move(venue).value());
  }
  return venues;
} catch (const std::exception& e) {
  return failure(e);
}

Result<std::vector<Event>> Store::load_events() try {
  auto lock = db_.lock();
  SQLite::Statement select(db_.connection(),
                           "SELECT id, body, published, version FROM events ORDER BY id");
  std::vector<Event> events;
  while (select.executeStep()) {
    auto event = decode_event(boost::json::parse(select.getColumn(1).getString()));
    if (!event) return std::move(event).error();
    event->id = select.getColumn(0).getInt64();
    event->published = select.getColumn(2).getInt() != 0;
    event->version = static_cast<std::uint64_t>(select.getColumn(3).getInt64());
    events.push_back(std::move(event).value());
  }
  return events;
} catch (const std::exception& e) {
  return failure(e);
}

namespace {

// An order's rows, within the batch's transaction (its savepoint undoes a refusal). Throws
// what SQLite throws.
Status insert_order(SQLite::Database& db, const Order& order, std::uint32_t ga_capacity) {
  {
    SQLite::Statement existing(db, "SELECT 1 FROM orders WHERE hold_id = ?");
    existing.bind(1, order.hold_id.hex());
    if (existing.executeStep()) {
      return make_error(Errc::conflict, "the hold already has an order");
    }
  }
  SQLite::Statement insert(db,
                           "INSERT INTO orders (id, event_id, hold_id, idempotency_key, "
                           "request_hash, seats, ga_area, ga_quantity, total_cents, currency, "
                           "customer_email, customer_name, payment_id, payment_status, created_at)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, order.id.hex());
  insert.bind(2, order.event_id);
  insert.bind(3, order.hold_id.hex());
  insert.bind(4, order.idempotency_key);
  insert.bind(5, order.request_hash);
  insert.bind(6, encode_seats(order.seats));
  if (order.ga_area) insert.bind(7, *order.ga_area);
  insert.bind(8, static_cast<std::int64_t>(order.ga_quantity));
  insert.bind(9, order.total_cents);
  insert.bind(10, order.currency);
  insert.bind(11, order.customer_email);
  insert.bind(12, order.customer_name);
  insert.bind(13, order.payment_id);
  insert.bind(14, payment_status_name(order.payment_status));
  insert.bind(15, order.created_at);
  insert.exec();

  std::vector<std::string> taken;
  SQLite::Statement sell(db,
                         "INSERT INTO sold_seats (event_id, seat_id, order_id) VALUES (?, ?, ?) "
                         "ON CONFLICT DO NOTHING");
  for (const std::string& seat : order.seats) {
    sell.bind(1, order.event_id);
    sell.bind(2, seat);
    sell.bind(3, order.id.hex());
    if (sell.exec() != 1) taken.push_back(seat);
    sell.reset();
  }
  if (!taken.empty()) {
    return make_error(Errc::seats_unavailable, "some seats are already sold",
                      {.seat_ids = std::move(taken)});
  }
  if (order.ga_area) {
    SQLite::Statement area(db,
                           "INSERT INTO ga_sold (event_id, area_id, capacity, sold) "
                           "VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING");
    area.bind(1, order.event_id);
    area.bind(2, *order.ga_area);
    area.bind(3, static_cast<std::int64_t>(ga_capacity));
    area.exec();
    SQLite::Statement add(db,
                          "UPDATE ga_sold SET sold = sold + ? "
                          "WHERE event_id = ? AND area_id = ? AND sold + ? <= capacity");
    add.bind(1, static_cast<std::int64_t>(order.ga_quantity));
    add.bind(2, order.event_id);
    add.bind(3, *order.ga_area);
    add.bind(4, static_cast<std::int64_t>(order.ga_quantity));
    if (add.exec() != 1) {
      return make_error(Errc::seats_unavailable, "not enough places left in the area");
    }
  }
  if (Status limit = count_customer_units(db, order); !limit) return limit;
  SQLite::Statement ticket(db, "INSERT INTO tickets (order_id, unit, code) VALUES (?, ?, ?)");
  for (const Ticket& t : order.tickets) {
    ticket.bind(1, order.id.hex());
    ticket.bind(2, t.unit);
    ticket.bind(3, t.code);
    ticket.exec();
    ticket.reset();
  }
  return ok_status();
}

Status set_captured(SQLite::Database& db, const OrderId& order) {
  SQLite::Statement update(db, "UPDATE orders SET payment_status = 'captured' WHERE id = ?");
  update.bind(1, order.hex());
  if (update.exec() != 1) return make_error(Errc::not_found, "no such order");
  return ok_status();
}

// One write in a savepoint of the batch's transaction: a refused order leaves nothing behind.
// nullopt when even the savepoint could not be undone: the whole transaction must go.
std::optional<Status> write_alone(SQLite::Database& db, const Store::Write& write) {
  try {
    db.exec("SAVEPOINT write");
  } catch (const std::exception&) {
    return std::nullopt;
  }
  Status done = ok_status();
  try {
    done = write.order != nullptr ? insert_order(db, *write.order, write.ga_capacity)
                                  : set_captured(db, write.captured);
  } catch (const std::exception& e) {
    done = failure(e);
  }
  try {
    if (!done) db.exec("ROLLBACK TO write");
    db.exec("RELEASE write");
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return done;
}

}  // namespace

// Group commit: the writes of concurrent checkouts in one transaction and one fsync, each in a
// savepoint of its own, so one refused (a seat sold meanwhile, a buyer's limit) fails alone.
// Every caller is answered once the COMMIT is durable; if it fails, none was written.
void Store::write_batch(const std::vector<Write*>& batch) {
  auto lock = db_.lock();
  SQLite::Database& db = db_.connection();
  const auto fail_all = [&](const Error& error) {
    for (Write* write : batch) write->answer = error;
  };
  const auto roll_back = [&db] {
    try {
      db.exec("ROLLBACK");
    } catch (const std::exception&) {  // SQLite has rolled back by itself then
    }
  };
  try {
    db.exec("BEGIN IMMEDIATE");
  } catch (const std::exception& e) {
    return fail_all(failure(e));
  }
  for (Write* write : batch) {
    auto answer = write_alone(db, *write);
    if (!answer) {
      fail_all(make_error(Errc::store_unavailable, "the database failed within a batch"));
      return roll_back();
    }
    write->answer = std::move(*answer);
  }
  try {
    db.exec("COMMIT");
  } catch (const std::exception& e) {
    fail_all(failure(e));
    roll_back();
  }
}

Status Store::commit_order(const Order& order, std::uint32_t ga_capacity) {
  Write write{.order = &order, .ga_capacity = ga_capacity};
  writes_.submit_and_wait(write);
  return write.answer;
}

Status Store::mark_captured(const OrderId& order) {
  Write write{.captured = order};
  writes_.submit_and_wait(write);
  return write.answer;
}

boost::asio::awaitable<Status> Store::async_commit_order(const Order& order,
                                                         std::uint32_t ga_capacity,
                                                         boost::asio::thread_pool&) {
  Write write{.order = &order, .ga_capacity = ga_capacity};
  co_await writes_.submit(write);
  co_return write.answer;
}

boost::asio::awaitable<Status> Store::async_mark_captured(const OrderId& order,
                                                          boost::asio::thread_pool&) {
  Write write{.captured = order};
  co_await writes_.submit(write);
  co_return write.answer;
}

void Store::stop_batches() { writes_.stop(); }

Result<std::vector<Order>> Store::select_orders(std::string_view where, const std::string& value) {
  auto lock = db_.lock();
  SQLite::Database& db = db_.connection();
  SQLite::Statement select(
      db,
      "SELECT id, event_id, hold_id, idempotency_key, request_hash, seats, ga_area, "
      "ga_quantity, total_cents, currency, customer_email, customer_name, payment_id, "
      "payment_status, created_at FROM orders WHERE " +
          std::string(where) + " ORDER BY created_at, id");
  if (!value.empty()) select.bind(1, value);
  SQLite::Statement tickets(db, "SELECT unit, code FROM tickets WHERE order_id = ? ORDER BY rowid");
  std::vector<Order> orders;
  while (select.executeStep()) {
    Order order;
    order.id = *Id128::from_hex(select.getColumn(0).getString());
    order.event_id = select.getColumn(1).getInt64();
    order.hold_id = *Id128::from_hex(select.getColumn(2).getString());
    order.idempotency_key = select.getColumn(3).getString();
    order.request_hash = select.getColumn(4).getString();
    order.seats = decode_seats(select.getColumn(5).getString());
    if (!select.getColumn(6).isNull()) order.ga_area = select.getColumn(6).getString();
    order.ga_quantity = static_cast<std::uint32_t>(select.getColumn(7).getInt64());
    order.total_cents = select.getColumn(8).getInt64();
    order.currency = select.getColumn(9).getString();
    order.customer_email = select.getColumn(10).getString();
    order.customer_name = select.getColumn(11).getString();
    order.payment_id = select.getColumn(12).getString();
    order.payment_status = select.getColumn(13).getString() == "captured"
                               ? PaymentStatus::captured
                               : PaymentStatus::authorized;
    order.created_at = select.getColumn(14).getInt64();
    tickets.bind(1, order.id.hex());
    while (tickets.executeStep()) {
      order.tickets.push_back({tickets.getColumn(0).getString(), tickets.getColumn(1).getString()});
    }
    tickets.reset();
    orders.push_back(std::move(order));
  }
  return orders;
}

Result<std::optional<Order>> Store::find_order(const OrderId& id) try {
  auto orders = select_orders("id = ?", id.hex());
  if (!orders) return std::move(orders).error();
  if (orders->empty()) return std::optional<Order>();
  return std::optional<Order>(std::move(orders->front()));
} catch (const std::exception& e) {
  return failure(e);
}

Result<std::optional<Order>> Store::find_order_by_hold(const HoldId& hold) try {
  auto orders = select_orders("hold_id = ?", hold.hex());
  if (!orders) return std::move(orders).error();
  if (orders->empty()) return std::optional<Order>();
  return std::optional<Order>(std::move(orders->front()));
} catch (const std::exception& e) {
  return failure(e);
}

Result<std::vector<Order>> Store::orders_of_event(std::int64_t event_id) try {
  return select_orders("event_id = ?", std::to_string(event_id));
} catch (const std::exception& e) {
  return failure(e);
}

Result<std::vector<Order>> Store::uncaptured_orders() try {
  return select_orders("payment_status = 'authorized'", "");
} catch (const std::exception& e) {
  return failure(e);
}

Result<SoldUnits> Store::sold_units(std::int64_t event_id) try {
  auto lock = db_.lock();
  SoldUnits sold;
  SQLite::Statement seats(db_.connection(), "SELECT seat_id FROM sold_seats WHERE event_id = ?");
  seats.bind(1, event_id);
  while (seats.executeStep()) sold.seats.push_back(seats.getColumn(0).getString());
  SQLite::Statement areas(db_.connection(),
                          "SELECT area_id, sold FROM ga_sold WHERE event_id = ? ORDER BY area_id");
  areas.bind(1, event_id);
  while (areas.executeStep()) {
    sold.ga.emplace_back(areas.getColumn(0).getString(),
                         static_cast<std::uint32_t>(areas.getColumn(1).getInt64()));
  }
  return sold;
} catch (const std::exception& e) {
  return failure(e);
}

Result<std::string> Store::catalog_signature() try {
  auto lock = db_.lock();
  return db_.connection()
      .execAndGet(
          "SELECT (SELECT coalesce(max(id), 0) FROM venues) || ':' || count(*) || ':' || "
          "coalesce(sum(version), 0) FROM events")
      .getString();
} catch (const std::exception& e) {
  return failure(e);
}

Status Store::ping() try {
  auto lock = db_.lock();
  db_.connection().execAndGet("SELECT count(*) FROM meta");
  return ok_status();
} catch (const std::exception& e) {
  return failure(e);
}

Result<std::uint64_t> Store::next_epoch() try {
  auto lock = db_.lock();
  db_.connection().exec("UPDATE meta SET value = value + 1 WHERE key = 'epoch'");
  return static_cast<std::uint64_t>(
      db_.connection().execAndGet("SELECT value FROM meta WHERE key = 'epoch'").getInt64());
} catch (const std::exception& e) {
  return failure(e);
}

}  // namespace boxoffice::sqlite
