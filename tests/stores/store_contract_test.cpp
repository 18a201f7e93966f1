// The contract of services/stores.hpp, run against every implementation (today SQLite; the
// PostgreSQL store of the cluster mode joins the list). Each test gets a fresh store.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <latch>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "core/catalog_codec.hpp"
#include "services/stores.hpp"
#include "stores/postgres/store.hpp"
#include "stores/sqlite/store.hpp"

namespace boxoffice {
namespace {

namespace fs = std::filesystem;

struct Stores {
  std::shared_ptr<void> owner;
  CatalogStore* catalog;
  OrderStore* orders;
};

struct Implementation {
  std::string name;
  std::function<Stores(const fs::path& dir)> make;
};

void PrintTo(const Implementation& implementation, std::ostream* out) {
  *out << implementation.name;
}

Stores make_sqlite(const fs::path& dir) {
  auto store = std::make_shared<sqlite::Store>(dir / "boxoffice.sqlite");
  return {store, store.get(), store.get()};
}

// A fresh database of the test PostgreSQL (started by the ctest fixture `postgres`, whose URL
// is in the file BOXOFFICE_TEST_POSTGRES_URL_FILE names) for each test; `dir` names it, so
// reopening the same dir reaches the same data.
std::string postgres_database_url(const fs::path& dir) {
  const char* url_file = std::getenv("BOXOFFICE_TEST_POSTGRES_URL_FILE");
  if (url_file == nullptr) throw std::runtime_error("BOXOFFICE_TEST_POSTGRES_URL_FILE is not set");
  std::string admin_url;
  std::ifstream(url_file) >> admin_url;
  const std::string database =
      "contract_" + std::to_string(std::hash<std::string>{}(dir.string()) % 1'000'000'007);
  postgres::Connection admin(admin_url);
  auto exists = admin.exec("SELECT 1 FROM pg_database WHERE datname = '" + database + "'");
  if (!exists) throw std::runtime_error(exists.error().detail);
  if (exists->empty()) {
    auto created = admin.exec("CREATE DATABASE " + database);
    if (!created) throw std::runtime_error(created.error().detail);
  }
  return admin_url.substr(0, admin_url.rfind('/') + 1) + database;
}

Stores make_postgres(const fs::path& dir) {
  auto store = std::make_shared<postgres::Store>(postgres_database_url(dir), 4);
  if (Status migrated = store->migrate(); !migrated) {
    throw std::runtime_error(migrated.error().detail);
  }
  return {store, store.get(), store.get()};
}

class StoreContract : public ::testing::TestWithParam<Implementation> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("boxoffice-store-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    stores_ = GetParam().make(dir_);
  }
  void TearDown() override {
    stores_ = {};
    fs::remove_all(dir_);
  }
  // A restart: the same data dir, a new instance.
  void reopen() {
    stores_ = {};
    stores_ = GetParam().make(dir_);
  }

  Venue venue() {
    auto decoded = decode_venue(boost::json::parse(R"({
      "name":"Hall","city":"Paris","country":"FR","timezone":"Europe/Paris","lat":48.8,"lon":2.3,
      "layout":{"sections":[{"id":"A","name":"A","rows":[{"label":"1","seats":[
        {"id":"A-1","x":1,"y":1},{"id":"A-2","x":2,"y":1},{"id":"A-3","x":3,"y":1}]}]}],
        "ga_areas":[{"id":"GA","name":"Standing","capacity":5}]}})"));
    EXPECT_TRUE(decoded.ok());
    return decoded.value();
  }

  // `more` adds members to the event's JSON (",\"max_per_customer\":4").
  std::int64_t create_event(const std::string& more = "") {
    auto venue_id = stores_.catalog->create_venue(venue());
    EXPECT_TRUE(venue_id.ok());
    auto event = decode_event(boost::json::parse(R"({
      "venue_id":)" + std::to_string(*venue_id) + R"(,"name":"Night","category":"concert",
      "starts_at":"2027-01-01T20:00:00Z","on_sale_at":"2026-01-01T00:00:00Z",
      "price_levels":[{"id":"p","price_cents":1000,"currency":"EUR"}],
      "pricing":{"A":"p","GA":"p"})" + more + "}"));
    EXPECT_TRUE(event.ok());
    auto id = stores_.catalog->create_event(*event);
    EXPECT_TRUE(id.ok());
    return *id;
  }

  static Order order_by(std::int64_t event_id, std::uint8_t n, std::vector<std::string> seats,
                        std::string email) {
    Order made = order(event_id, n, std::move(seats));
    made.customer_email = std::move(email);
    return made;
  }

  bool is_sold(std::int64_t event_id, const std::string& seat) {
    auto sold = stores_.orders->sold_units(event_id);
    EXPECT_TRUE(sold.ok());
    return std::find(sold->seats.begin(), sold->seats.end(), seat) != sold->seats.end();
  }

  static Order order(std::int64_t event_id, std::uint8_t n, std::vector<std::string> seats) {
    Order order;
    order.id.bytes[0] = n;
    order.hold_id.bytes[1] = n;
    order.event_id = event_id;
    order.idempotency_key = "key-" + std::to_string(n);
    order.request_hash = "hash";
    order.seats = std::move(seats);
    order.total_cents = 1000 * static_cast<std::int64_t>(order.seats.size());
    order.currency = "EUR";
    order.customer_email = "a@b.c";
    order.customer_name = "A";
    order.payment_id = "pay-" + std::to_string(n);
    order.created_at = 1000 + n;
    for (const auto& seat : order.seats) order.tickets.push_back({seat, "code-" + seat});
    return order;
  }

  // A crowd of checkouts at once, one thread each, then the captures of those that succeed.
  // Order n wants two seats of 48, so neighbours compete; every 8th is a second order for
  // the hold of the one before; every 10th wants 2 of the 5 places of the area "GA" instead.
  static std::vector<Order> crowd(std::int64_t event_id, int size, std::uint8_t round) {
    std::vector<Order> orders;
    for (int n = 0; n < size; ++n) {
      const auto small = static_cast<std::uint8_t>(n);
      Order next =
          n % 10 == 9
              ? order(event_id, small, {})
              : order(event_id, small,
                      {"X-" + std::to_string(n % 48), "X-" + std::to_string((n * 7 + 1) % 48)});
      next.id.bytes[2] = round;
      next.hold_id.bytes[3] = round;
      if (n % 10 == 9) {
        next.ga_area = "GA";
        next.ga_quantity = 2;
      }
      if (n % 8 == 7) next.hold_id = orders.back().hold_id;
      orders.push_back(std::move(next));
    }
    return orders;
  }

  std::vector<Status> commit_at_once(const std::vector<Order>& orders) {
    std::vector<Status> answers(orders.size(), make_error(Errc::store_unavailable, "not run"));
    std::vector<Status> captures = answers;
    std::latch start(static_cast<std::ptrdiff_t>(orders.size()));
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < orders.size(); ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        answers[i] = stores_.orders->commit_order(orders[i], 5);
        if (answers[i]) captures[i] = stores_.orders->mark_captured(orders[i].id);
      });
    }
    for (auto& thread : threads) thread.join();
    for (std::size_t i = 0; i < orders.size(); ++i) {
      if (answers[i]) {
        EXPECT_TRUE(captures[i].ok()) << captures[i].error().detail;
      }
    }
    return answers;
  }

  // Every answer is the right one for what the store holds afterwards: the stored orders are
  // exactly those answered ok, they share no seat, their seats are exactly the sold seats and
  // their places the sold places; a refusal names seats that are sold indeed, or a hold that
  // has an order indeed.
  void expect_exact_answers(std::int64_t event_id, const std::vector<Order>& orders,
                            const std::vector<Status>& answers) {
    std::set<std::string> sold_to_winners;
    std::set<std::string> winners;
    std::set<std::string> holds_with_order;
    std::uint32_t ga_sold_to_winners = 0;
    for (std::size_t i = 0; i < orders.size(); ++i) {
      if (!answers[i]) continue;
      winners.insert(orders[i].id.hex());
      EXPECT_TRUE(holds_with_order.insert(orders[i].hold_id.hex()).second)
          << "two orders, one hold";
      for (const std::string& seat : orders[i].seats) {
        EXPECT_TRUE(sold_to_winners.insert(seat).second) << seat << " sold twice";
      }
      ga_sold_to_winners += orders[i].ga_quantity;
    }
    for (std::size_t i = 0; i < orders.size(); ++i) {
      if (answers[i]) continue;
      const Error& error = answers[i].error();
      if (error.code == Errc::conflict) {
        EXPECT_TRUE(holds_with_order.contains(orders[i].hold_id.hex())) << "conflict, no order";
      } else if (error.code == Errc::seats_unavailable && orders[i].ga_area) {
        EXPECT_GT(ga_sold_to_winners + orders[i].ga_quantity, 5u) << "refused with room left";
      } else if (error.code == Errc::seats_unavailable) {
        const auto& taken = error.facts.seat_ids;
        EXPECT_FALSE(taken.empty());
        for (const std::string& seat : taken) {
          EXPECT_TRUE(sold_to_winners.contains(seat)) << seat << " refused but not sold";
        }
      } else {
        ADD_FAILURE() << "unexpected answer: " << error.detail;
      }
    }
    auto sold = stores_.orders->sold_units(event_id);
    ASSERT_TRUE(sold.ok());
    EXPECT_EQ(std::set<std::string>(sold->seats.begin(), sold->seats.end()), sold_to_winners);
    EXPECT_EQ(sold->ga.empty() ? 0u : sold->ga.front().second, ga_sold_to_winners);
    auto stored = stores_.orders->orders_of_event(event_id);
    ASSERT_TRUE(stored.ok());
    std::set<std::string> stored_ids;
    for (const Order& order : *stored) {
      stored_ids.insert(order.id.hex());
      EXPECT_EQ(order.payment_status, PaymentStatus::captured);
      EXPECT_EQ(order.tickets.size(), order.seats.size());
    }
    EXPECT_EQ(stored_ids, winners);
    auto uncaptured = stores_.orders->uncaptured_orders();
    ASSERT_TRUE(uncaptured.ok());
    EXPECT_TRUE(uncaptured->empty());
  }

  fs::path dir_;
  Stores stores_;
};

TEST_P(StoreContract, VenuesAndEventsRoundTrip) {
  const std::int64_t event_id = create_event();
  reopen();
  auto venues = stores_.catalog->load_venues();
  ASSERT_TRUE(venues.ok());
  ASSERT_EQ(venues->size(), 1u);
  EXPECT_EQ(venues->front().layout->seats.size(), 3u);
  EXPECT_EQ(venues->front().layout->seats[1].id, "A-2");
  auto events = stores_.catalog->load_events();
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().id, event_id);
  EXPECT_FALSE(events->front().published);

  Event published = events->front();
  published.published = true;
  published.version = 2;
  ASSERT_TRUE(stores_.catalog->update_event(published).ok());
  reopen();
  events = stores_.catalog->load_events();
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE(events->front().published);
  EXPECT_EQ(events->front().version, 2u);
  Event missing = published;
  missing.id = 999;
  EXPECT_EQ(stores_.catalog->update_event(missing).error().code, Errc::not_found);

  // Another edit of version 1 (a node that had not seen version 2) changes nothing.
  Event stale = published;
  stale.published = false;
  EXPECT_EQ(stores_.catalog->update_event(stale).error().code, Errc::conflict);
  events = stores_.catalog->load_events();
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE(events->front().published);
  EXPECT_EQ(events->front().version, 2u);
}

TEST_P(StoreContract, CommittedOrdersAreDurableAndComplete) {
  const std::int64_t event_id = create_event();
  Order first = order(event_id, 1, {"A-1", "A-2"});
  ASSERT_TRUE(stores_.orders->commit_order(first, 0).ok());
  reopen();
  auto found = stores_.orders->find_order(first.id);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  const Order& read = **found;
  EXPECT_EQ(read.seats, first.seats);
  EXPECT_EQ(read.tickets.size(), 2u);
  EXPECT_EQ(read.tickets[1].code, "code-A-2");
  EXPECT_EQ(read.payment_status, PaymentStatus::authorized);
  auto by_hold = stores_.orders->find_order_by_hold(first.hold_id);
  ASSERT_TRUE(by_hold.ok() && by_hold->has_value());
  EXPECT_EQ((*by_hold)->id, first.id);
  auto sold = stores_.orders->sold_units(event_id);
  ASSERT_TRUE(sold.ok());
  EXPECT_EQ(sold->seats.size(), 2u);
}

TEST_P(StoreContract, ASeatIsSoldOnceWhateverTheCallerBelieves) {
  const std::int64_t event_id = create_event();
  ASSERT_TRUE(stores_.orders->commit_order(order(event_id, 1, {"A-1", "A-2"}), 0).ok());
  const Status second = stores_.orders->commit_order(order(event_id, 2, {"A-2", "A-3"}), 0);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, Errc::seats_unavailable);
  EXPECT_EQ(second.error().facts.seat_ids, std::vector<std::string>{"A-2"});
  // Nothing of the refused order was written: A-3 is still free, and no order 2 exists.
  auto found = stores_.orders->find_order(order(event_id, 2, {}).id);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  EXPECT_TRUE(stores_.orders->commit_order(order(event_id, 3, {"A-3"}), 0).ok());
  auto sold = stores_.orders->sold_units(event_id);
  EXPECT_EQ(sold->seats.size(), 3u);
}

TEST_P(StoreContract, OneOrderPerHold) {
  const std::int64_t event_id = create_event();
  Order first = order(event_id, 1, {"A-1"});
  ASSERT_TRUE(stores_.orders->commit_order(first, 0).ok());
  Order again = order(event_id, 2, {"A-2"});
  again.hold_id = first.hold_id;
  EXPECT_EQ(stores_.orders->commit_order(again, 0).error().code, Errc::conflict);
}

TEST_P(StoreContract, GeneralAdmissionNeverExceedsCapacity) {
  const std::int64_t event_id = create_event();
  Order three = order(event_id, 1, {});
  three.ga_area = "GA";
  three.ga_quantity = 3;
  ASSERT_TRUE(stores_.orders->commit_order(three, 5).ok());
  Order another_three = order(event_id, 2, {});
  another_three.ga_area = "GA";
  another_three.ga_quantity = 3;
  EXPECT_EQ(stores_.orders->commit_order(another_three, 5).error().code, Errc::seats_unavailable);
  Order two = order(event_id, 3, {});
  two.ga_area = "GA";
  two.ga_quantity = 2;
  EXPECT_TRUE(stores_.orders->commit_order(two, 5).ok());
  auto sold = stores_.orders->sold_units(event_id);
  ASSERT_EQ(sold->ga.size(), 1u);
  EXPECT_EQ(sold->ga[0].second, 5u);
}

TEST_P(StoreContract, CaptureAndListing) {
  const std::int64_t event_id = create_event();
  Order first = order(event_id, 1, {"A-1"});
  Order second = order(event_id, 2, {"A-2"});
  ASSERT_TRUE(stores_.orders->commit_order(first, 0).ok());
  ASSERT_TRUE(stores_.orders->commit_order(second, 0).ok());
  ASSERT_TRUE(stores_.orders->mark_captured(first.id).ok());
  auto uncaptured = stores_.orders->uncaptured_orders();
  ASSERT_TRUE(uncaptured.ok());
  ASSERT_EQ(uncaptured->size(), 1u);
  EXPECT_EQ(uncaptured->front().id, second.id);
  auto listed = stores_.orders->orders_of_event(event_id);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ(listed->at(0).id, first.id);  // in commit order
  EXPECT_EQ(stores_.orders->mark_captured(order(event_id, 9, {}).id).error().code, Errc::not_found);
}

TEST_P(StoreContract, PingAnswers) { EXPECT_TRUE(stores_.orders->ping().ok()); }

TEST_P(StoreContract, EpochsGrowAcrossRestarts) {
  auto first = stores_.orders->next_epoch();
  ASSERT_TRUE(first.ok());
  reopen();
  auto second = stores_.orders->next_epoch();
  ASSERT_TRUE(second.ok());
  EXPECT_GT(*second, *first);
}

TEST_P(StoreContract, ConcurrentCommitsOfTheSameSeatHaveOneWinner) {
  const std::int64_t event_id = create_event();
  constexpr int contenders = 16;
  std::atomic<int> winners = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < contenders; ++i) {
    threads.emplace_back([&, i] {
      if (stores_.orders
              ->commit_order(order(event_id, static_cast<std::uint8_t>(10 + i), {"A-1"}), 0)
              .ok()) {
        ++winners;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(winners.load(), 1);
}

TEST_P(StoreContract, ACrowdOfConcurrentCommitsGetsExactAnswers) {
  for (std::uint8_t round = 0; round < 3; ++round) {
    const std::int64_t event_id = create_event();
    const std::vector<Order> orders = crowd(event_id, 96, round);
    const std::vector<Status> answers = commit_at_once(orders);
    expect_exact_answers(event_id, orders, answers);
    const auto winners = std::count_if(answers.begin(), answers.end(),
                                       [](const Status& answer) { return answer.ok(); });
    EXPECT_GT(winners, 0);
    EXPECT_LT(winners, 96);
  }
}

// A buyer is their email trimmed, lowercased in ASCII and without a +tag; what they bought
// across orders counts against the limit the event has when each order is committed.
TEST_P(StoreContract, ABuyerCannotPassTheEventsLimitAcrossOrders) {
  const std::int64_t event_id = create_event(R"(,"max_per_customer":4)");
  auto seats = [](int from, int count) {
    std::vector<std::string> ids;
    for (int n = from; n < from + count; ++n) ids.push_back("X-" + std::to_string(n));
    return ids;
  };
  ASSERT_TRUE(
      stores_.orders->commit_order(order_by(event_id, 1, seats(0, 2), "Fan@Example.com"), 0).ok());
  ASSERT_TRUE(
      stores_.orders
          ->commit_order(order_by(event_id, 2, seats(2, 2), " fan+presale@EXAMPLE.com\t"), 0)
          .ok());
  const Order fifth = order_by(event_id, 3, seats(4, 1), "fan+other+tag@example.com");
  const Status refused = stores_.orders->commit_order(fifth, 0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::customer_limit);
  EXPECT_FALSE(is_sold(event_id, "X-4")) << "a refused order wrote nothing";
  EXPECT_FALSE(stores_.orders->find_order(fifth.id)->has_value());

  // Someone else, or the same name at another domain, buys on their own count; a plus in the
  // domain is not a tag; letters beyond ASCII are kept as they are.
  EXPECT_TRUE(
      stores_.orders->commit_order(order_by(event_id, 4, seats(5, 4), "fan@example.org"), 0).ok());
  EXPECT_TRUE(
      stores_.orders->commit_order(order_by(event_id, 5, seats(9, 4), "a@x+y.com"), 0).ok());
  EXPECT_TRUE(
      stores_.orders->commit_order(order_by(event_id, 6, seats(13, 4), "ÉMILE@x.com"), 0).ok());
  EXPECT_TRUE(
      stores_.orders->commit_order(order_by(event_id, 7, seats(17, 1), "émile@x.com"), 0).ok());
  Order places = order_by(event_id, 8, {}, "FAN@example.org");
  places.ga_area = "GA";
  places.ga_quantity = 1;
  EXPECT_EQ(stores_.orders->commit_order(places, 5).error().code, Errc::customer_limit)
      << "places count as seats do";

  // A limit raised later lets the buyer buy up to it, counting what they bought before.
  auto events = stores_.catalog->load_events();
  ASSERT_TRUE(events.ok());
  Event raised = events->front();
  raised.max_per_customer = 5;
  raised.version += 1;
  ASSERT_TRUE(stores_.catalog->update_event(raised).ok());
  reopen();
  EXPECT_TRUE(stores_.orders->commit_order(fifth, 0).ok());
  EXPECT_EQ(stores_.orders->commit_order(order_by(event_id, 9, seats(18, 1), "fan@example.com"), 0)
                .error()
                .code,
            Errc::customer_limit);
}

// Many checkouts of one buyer at once (in PostgreSQL, batched together): exactly the limit is
// sold, and every other order is refused whole.
TEST_P(StoreContract, ConcurrentOrdersOfOneBuyerStopAtTheLimit) {
  const std::int64_t event_id = create_event(R"(,"max_per_customer":7)");
  constexpr int orders = 20;
  std::vector<Status> answers(orders, make_error(Errc::store_unavailable, "not run"));
  std::latch start(orders);
  std::vector<std::thread> threads;
  for (int i = 0; i < orders; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      answers[i] = stores_.orders->commit_order(
          order_by(
              event_id, static_cast<std::uint8_t>(i), {"X-" + std::to_string(i)},
              i % 2 == 0 ? "crowd@example.com" : "Crowd+" + std::to_string(i) + "@example.com"),
          0);
    });
  }
  for (auto& thread : threads) thread.join();
  int sold = 0;
  for (int i = 0; i < orders; ++i) {
    if (answers[i]) {
      ++sold;
      EXPECT_TRUE(is_sold(event_id, "X-" + std::to_string(i)));
    } else {
      EXPECT_EQ(answers[i].error().code, Errc::customer_limit) << answers[i].error().detail;
      EXPECT_FALSE(is_sold(event_id, "X-" + std::to_string(i)));
    }
  }
  EXPECT_EQ(sold, 7);
  auto stored = stores_.orders->orders_of_event(event_id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->size(), 7u);
}

// Checkouts look their hold's order up first (a retry answers the same order): many at once,
// for holds with and without orders, each finds exactly its own.
TEST_P(StoreContract, ConcurrentLookupsFindTheirOwnOrders) {
  const std::int64_t event_id = create_event();
  std::vector<Order> orders;
  for (int n = 0; n < 40; ++n) {
    orders.push_back(order(event_id, static_cast<std::uint8_t>(n), {"X-" + std::to_string(n)}));
  }
  for (int n = 0; n < 40; n += 2) ASSERT_TRUE(stores_.orders->commit_order(orders[n], 0).ok());
  std::vector<Result<std::optional<Order>>> found(orders.size(), std::optional<Order>());
  std::latch start(static_cast<std::ptrdiff_t>(orders.size()));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < orders.size(); ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      found[i] = stores_.orders->find_order_by_hold(orders[i].hold_id);
    });
  }
  for (auto& thread : threads) thread.join();
  for (std::size_t i = 0; i < orders.size(); ++i) {
    ASSERT_TRUE(found[i].ok()) << found[i].error().detail;
    if (i % 2 == 0) {
      ASSERT_TRUE(found[i]->has_value()) << i;
      EXPECT_EQ((*found[i])->id, orders[i].id);
      EXPECT_EQ((*found[i])->tickets.size(), 1u);
    } else {
      EXPECT_FALSE(found[i]->has_value()) << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Implementations, StoreContract,
                         ::testing::Values(Implementation{"sqlite", make_sqlite},
                                           Implementation{"postgres", make_postgres}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace boxoffice

namespace boxoffice {
namespace {

// What only the PostgreSQL store does: group commit.
class PostgresStore : public StoreContract {
 protected:
  // How many transactions committed the event's orders: a row's xmin is the transaction that
  // wrote it, and tickets, unlike orders, are never updated afterwards.
  std::int64_t transactions_of(std::int64_t event_id) {
    postgres::Connection db(postgres_database_url(dir_));
    auto rows = db.exec(
        "SELECT count(DISTINCT t.xmin::text) FROM tickets t JOIN orders o ON o.id = t.order_id "
        "WHERE o.event_id = " +
        std::to_string(event_id));
    EXPECT_TRUE(rows.ok());
    return rows ? rows->integer(0, 0) : 0;
  }
};

TEST_P(PostgresStore, ConcurrentCommitsShareTransactions) {
  const std::int64_t event_id = create_event();
  const std::vector<Order> orders = crowd(event_id, 96, 0);
  const std::vector<Status> answers = commit_at_once(orders);
  expect_exact_answers(event_id, orders, answers);
  const auto winners = std::count_if(answers.begin(), answers.end(),
                                     [](const Status& answer) { return answer.ok(); });
  EXPECT_LT(transactions_of(event_id), winners);
}

// Orders that all pass their guards (as they do when the holds work) are written by the fast
// path, whole batches at once, general admission included.
TEST_P(PostgresStore, BatchesWithoutRefusalsCommitWhole) {
  const std::int64_t event_id = create_event();
  std::vector<Order> orders;
  for (int n = 0; n < 48; ++n) {
    const auto small = static_cast<std::uint8_t>(n);
    orders.push_back(n % 12 == 11 ? order(event_id, small, {})
                                  : order(event_id, small, {"X-" + std::to_string(n)}));
    if (n % 12 == 11) {
      orders.back().ga_area = "GA";
      orders.back().ga_quantity = 1;  // 4 of the 5 places
    }
  }
  const std::vector<Status> answers = commit_at_once(orders);
  for (std::size_t i = 0; i < orders.size(); ++i) {
    EXPECT_TRUE(answers[i].ok()) << i << ": " << answers[i].error().detail;
  }
  expect_exact_answers(event_id, orders, answers);
  EXPECT_LT(transactions_of(event_id), 44);
}

// A statement error fails the batch's transaction as a whole: the writes are then retried
// one by one, so only the order at fault (here, of an event that doesn't exist) fails.
TEST_P(PostgresStore, AFailingOrderFailsAloneInItsBatch) {
  const std::int64_t event_id = create_event();
  std::vector<Order> orders;
  for (int n = 0; n < 32; ++n) {
    orders.push_back(order(event_id, static_cast<std::uint8_t>(n), {"X-" + std::to_string(n)}));
  }
  orders[5].event_id = event_id + 1000;
  orders[17].event_id = event_id + 1000;
  std::vector<Status> answers(orders.size(), make_error(Errc::conflict, "not run"));
  std::latch start(static_cast<std::ptrdiff_t>(orders.size()));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < orders.size(); ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      answers[i] = stores_.orders->commit_order(orders[i], 0);
    });
  }
  for (auto& thread : threads) thread.join();
  for (std::size_t i = 0; i < orders.size(); ++i) {
    if (i == 5 || i == 17) {
      ASSERT_FALSE(answers[i].ok());
      EXPECT_EQ(answers[i].error().code, Errc::store_failed);
      EXPECT_EQ(answers[i].error().facts.sqlstate, "23503");  // the foreign key
    } else {
      EXPECT_TRUE(answers[i].ok()) << i << ": " << answers[i].error().detail;
    }
  }
  auto sold = stores_.orders->sold_units(event_id);
  ASSERT_TRUE(sold.ok());
  EXPECT_EQ(sold->seats.size(), 30u);
}

INSTANTIATE_TEST_SUITE_P(Postgres, PostgresStore,
                         ::testing::Values(Implementation{"postgres", make_postgres}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace boxoffice
