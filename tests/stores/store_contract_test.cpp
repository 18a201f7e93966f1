// The contract of services/stores.hpp, run against every implementation (today SQLite; the
// PostgreSQL store of the cluster mode joins the list). Each test gets a fresh store.
#include "core/catalog_codec.hpp"
#include "services/stores.hpp"
#include "stores/postgres/store.hpp"
#include "stores/sqlite/store.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <thread>

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
Stores make_postgres(const fs::path& dir) {
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
  const std::string url = admin_url.substr(0, admin_url.rfind('/') + 1) + database;
  auto store = std::make_shared<postgres::Store>(url, 4);
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

  std::int64_t create_event() {
    auto venue_id = stores_.catalog->create_venue(venue());
    EXPECT_TRUE(venue_id.ok());
    auto event = decode_event(boost::json::parse(R"({
      "venue_id":)" + std::to_string(*venue_id) + R"(,"name":"Night","category":"concert",
      "starts_at":"2027-01-01T20:00:00Z","on_sale_at":"2026-01-01T00:00:00Z",
      "price_levels":[{"id":"p","price_cents":1000,"currency":"EUR"}],
      "pricing":{"A":"p","GA":"p"}})"));
    EXPECT_TRUE(event.ok());
    auto id = stores_.catalog->create_event(*event);
    EXPECT_TRUE(id.ok());
    return *id;
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
  EXPECT_EQ(boost::json::serialize(second.error().extra.at("unavailable")), R"(["A-2"])");
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
  EXPECT_EQ(stores_.orders->mark_captured(order(event_id, 9, {}).id).error().code,
            Errc::not_found);
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
      if (stores_.orders->commit_order(order(event_id, static_cast<std::uint8_t>(10 + i), {"A-1"}), 0)
              .ok()) {
        ++winners;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(winners.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Implementations, StoreContract,
                         ::testing::Values(Implementation{"sqlite", make_sqlite},
                                           Implementation{"postgres", make_postgres}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace boxoffice
