// One contract, two hold stores (services/holds.hpp): the in-process store of the embedded
// mode, and the Redis store of cluster mode against a real Redis (the ctest fixture "redis").
// Redis-only tests at the end: two nodes sharing one Redis, and a checkout whose node died.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "../core/layout_builder.hpp"
#include "../support/run_coroutine.hpp"
#include "../support/test_redis.hpp"
#include "services/clock.hpp"
#include "services/holds.hpp"
#include "stores/memory/hold_store.hpp"
#include "stores/redis/hold_store.hpp"

namespace boxoffice {
namespace {

namespace asio = boost::asio;
using testing::build_layout;

using testing::fresh_event_id;
using testing::test_redis_url;

class HoldStoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = make_store();
    if (store_ == nullptr) GTEST_FAIL() << "no Redis: BOXOFFICE_TEST_REDIS_URL_FILE is not set";
  }

  std::unique_ptr<HoldStore> make_store() {
    if (GetParam() == "memory") return std::make_unique<memory::HoldStore>(7ull << 32, metrics_);
    const std::string url = test_redis_url();
    if (url.empty()) return nullptr;
    return std::make_unique<redis::HoldStore>(
        redis::parse_redis_endpoint(url).value(), [] { return Result<std::uint64_t>(7); },
        metrics_);
  }

  // An event of 2 sections × 2 rows × 5 seats (indexes 0-19, rows of 5) and a GA area of 50.
  std::int64_t open(HoldStore& store, SoldIndexes sold = {}, std::int64_t event_id = 0) {
    if (event_id == 0) event_id = fresh_event_id();
    EventUnits units{event_id, layout_, [sold] { return Result<SoldIndexes>(sold); }};
    const Status opened = store.open_event(units);
    EXPECT_TRUE(opened.ok()) << opened.error().detail;
    return event_id;
  }

  template <class T>
  T run(asio::awaitable<T> work) {
    return testing::run_coroutine(io_, std::move(work));
  }

  Result<Held> hold_seats(std::int64_t event, std::vector<SeatIndex> seats, UnixMillis expires) {
    return run(store_->hold(event, HoldAsk(std::move(seats)), terms_, t0_, expires));
  }

  // Waits (up to 2 s) for the store's view of the event to satisfy `ready`: another node's
  // changes reach a Redis node's mirror through the change stream.
  bool eventually(HoldStore& store, std::int64_t event,
                  const std::function<bool(const UnitsSnapshot&)>& ready) {
    for (int i = 0; i < 200; ++i) {
      auto snapshot = store.snapshot(event, t0_);
      if (snapshot && ready(**snapshot)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  SeatState state(std::int64_t event, SeatIndex seat, UnixMillis now) {
    return (*store_->snapshot(event, now).value()).seats.at(seat);
  }

  Metrics metrics_;
  asio::io_context io_;
  std::shared_ptr<const Layout> layout_ = build_layout({{5, 5}, {5, 5}}, {50});
  HoldTerms terms_ = testing::test_terms(*layout_, 4);
  const UnixMillis t0_ = system_now();
  std::unique_ptr<HoldStore> store_;
};

TEST_P(HoldStoreContract, AHoldTakesItsSeatsAndNobodyElseGetsThem) {
  const auto event = open(*store_);
  auto first = hold_seats(event, {0, 1}, t0_ + 60'000);
  ASSERT_TRUE(first.ok()) << first.error().detail;
  EXPECT_EQ(first->hold.seats, (std::vector<SeatIndex>{0, 1}));
  EXPECT_EQ(store_->event_of(first->hold.id), event);
  auto second = hold_seats(event, {1, 2}, t0_ + 60'000);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, Errc::seats_unavailable);
  EXPECT_EQ(second.error().facts.seat_indexes, std::vector<std::uint32_t>{1});
  EXPECT_EQ(state(event, 0, t0_), SeatState::held);
  EXPECT_EQ(state(event, 2, t0_), SeatState::available);  // all or nothing
  const auto snapshot = store_->snapshot(event, t0_).value();
  EXPECT_EQ(snapshot->seq, first->seq);
  EXPECT_EQ(snapshot->seats_available, 18u);
}

TEST_P(HoldStoreContract, BadRequestsChangeNothing) {
  const auto event = open(*store_);
  const auto before = store_->snapshot(event, t0_).value()->seq;
  EXPECT_EQ(hold_seats(event, {3, 3}, t0_ + 1000).error().code, Errc::duplicate_seats);
  EXPECT_EQ(hold_seats(event, {}, t0_ + 1000).error().code, Errc::invalid_field);
  EXPECT_EQ(hold_seats(event, {0, 1, 2, 3, 4}, t0_ + 1000).error().code, Errc::over_order_limit);
  auto ga = run(store_->hold(event, HoldAsk(GaAsk{0, 0}), terms_, t0_, t0_ + 1000));
  EXPECT_EQ(ga.error().code, Errc::invalid_field);
  auto best = run(store_->hold(event, HoldAsk(BestAvailableQuery{9, {}}), terms_, t0_, t0_ + 1000));
  EXPECT_EQ(best.error().code, Errc::over_order_limit);
  EXPECT_EQ(store_->snapshot(event, t0_).value()->seq, before);
  EXPECT_EQ(store_->snapshot(event, t0_).value()->seats_available, 20u);
}

// The organizer changed the event: the next hold is made on its new limit and prices; a live
// hold keeps the total it was given.
TEST_P(HoldStoreContract, EachHoldIsMadeOnTheTermsItWasAskedWith) {
  const auto event = open(*store_);
  auto first = hold_seats(event, {0, 1}, t0_ + 60'000);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->hold.total_cents, 100 + 101);  // test_terms: seat i costs 100 + i

  auto doubled = std::make_shared<UnitPrices>(*terms_.prices);
  for (auto& cents : doubled->seat_cents) cents *= 2;
  for (auto& cents : doubled->ga_cents) cents *= 2;
  terms_ = HoldTerms{6, doubled};
  auto six = hold_seats(event, {2, 3, 4, 5, 6, 7}, t0_ + 60'000);  // over the old limit of 4
  ASSERT_TRUE(six.ok()) << six.error().detail;
  EXPECT_EQ(six->hold.total_cents, 2 * (102 + 103 + 104 + 105 + 106 + 107));
  auto ga = run(store_->hold(event, HoldAsk(GaAsk{0, 3}), terms_, t0_, t0_ + 60'000));
  ASSERT_TRUE(ga.ok());
  EXPECT_EQ(ga->hold.total_cents, 3 * 2 * 1'000);

  terms_.max_per_order = 1;
  EXPECT_EQ(hold_seats(event, {8, 9}, t0_ + 60'000).error().code, Errc::over_order_limit);
  const auto kept = run(store_->find_hold(first->hold.id, t0_));
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->total_cents, 201);
  const auto pinned = run(store_->begin_checkout(six->hold.id, t0_, 10'000));
  ASSERT_TRUE(pinned.ok());
  EXPECT_EQ(pinned->total_cents, six->hold.total_cents);
}

TEST_P(HoldStoreContract, GeneralAdmissionNeverExceedsCapacity) {
  const auto event = open(*store_, SoldIndexes{{}, {{0, 20}}});
  auto first = run(store_->hold(event, HoldAsk(GaAsk{0, 4}), terms_, t0_, t0_ + 60'000));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->hold.ga_area, 0u);
  EXPECT_EQ(first->hold.ga_quantity, 4u);
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(run(store_->hold(event, HoldAsk(GaAsk{0, 4}), terms_, t0_, t0_ + 60'000)).ok());
  }
  // 20 sold + 28 held: 2 left.
  auto over = run(store_->hold(event, HoldAsk(GaAsk{0, 3}), terms_, t0_, t0_ + 60'000));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, Errc::not_enough_seats);
  EXPECT_EQ(over.error().facts.places_available.value(), 2);
  const auto snapshot = store_->snapshot(event, t0_).value();
  EXPECT_EQ(snapshot->ga.at(0).held, 28u);
  EXPECT_EQ(snapshot->ga.at(0).sold, 20u);
}

TEST_P(HoldStoreContract, SoldUnitsFromTheSourceOfTruthAreNotHeld) {
  const auto event = open(*store_, SoldIndexes{{5, 6}, {}});
  EXPECT_EQ(hold_seats(event, {6, 7}, t0_ + 1000).error().code, Errc::seats_unavailable);
  EXPECT_EQ(state(event, 5, t0_), SeatState::sold);
  EXPECT_EQ(store_->snapshot(event, t0_).value()->seats_sold, 2u);
}

TEST_P(HoldStoreContract, ReleaseGivesTheSeatsBackAndTheHoldRemembersWhy) {
  const auto event = open(*store_);
  auto held = hold_seats(event, {4}, t0_ + 60'000);
  ASSERT_TRUE(held.ok());
  const HoldId id = held->hold.id;
  ASSERT_TRUE(run(store_->find_hold(id, t0_)).ok());
  ASSERT_TRUE(run(store_->release(id, t0_)).ok());
  EXPECT_EQ(state(event, 4, t0_), SeatState::available);
  auto found = run(store_->find_hold(id, t0_));
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code, Errc::hold_gone);
  EXPECT_EQ(found.error().facts.reason, "released");
  EXPECT_EQ(run(store_->release(id, t0_)).error().code, Errc::hold_gone);
  EXPECT_TRUE(hold_seats(event, {4}, t0_ + 60'000).ok());
}

TEST_P(HoldStoreContract, UnknownHoldsAreNotFound) {
  const auto event = open(*store_);
  auto held = hold_seats(event, {4}, t0_ + 60'000);
  ASSERT_TRUE(held.ok());
  HoldId unknown = held->hold.id;
  unknown.bytes[0] ^= 0xff;  // same event, never handed out
  EXPECT_EQ(run(store_->find_hold(unknown, t0_)).error().code, Errc::not_found);
  EXPECT_EQ(run(store_->release(unknown, t0_)).error().code, Errc::not_found);
  EXPECT_EQ(run(store_->begin_checkout(unknown, t0_, 1000)).error().code, Errc::not_found);
}

TEST_P(HoldStoreContract, ExpiryIsExactToTheMillisecond) {
  const auto event = open(*store_);
  auto held = hold_seats(event, {8, 9}, t0_ + 1000);
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(run(store_->find_hold(held->hold.id, t0_ + 999)).ok());
  auto gone = run(store_->find_hold(held->hold.id, t0_ + 1000));
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().facts.reason, "expired");
  // The seats are free for the next hold at once, with no sweep in between.
  EXPECT_TRUE(
      run(store_->hold(event, HoldAsk(std::vector<SeatIndex>{9}), terms_, t0_ + 1000, t0_ + 60'000))
          .ok());
}

TEST_P(HoldStoreContract, TheSweepEndsDueHoldsOnce) {
  const auto event = open(*store_);
  ASSERT_TRUE(hold_seats(event, {10}, t0_ + 500).ok());
  ASSERT_TRUE(hold_seats(event, {11}, t0_ + 60'000).ok());
  auto swept = run(store_->sweep(t0_ + 500));
  ASSERT_TRUE(swept.ok());
  EXPECT_GE(swept->expired, 1u);  // other tests' events may expire too in a shared Redis
  EXPECT_TRUE(swept->stale_checkouts.empty());
  EXPECT_TRUE(eventually(*store_, event, [](const UnitsSnapshot& s) {
    return s.seats[10] == SeatState::available && s.seats[11] == SeatState::held;
  }));
  EXPECT_EQ(run(store_->sweep(t0_ + 500))->expired, 0u);
}

TEST_P(HoldStoreContract, ACheckoutPinsTheHoldUntilItEnds) {
  const auto event = open(*store_);
  auto held = hold_seats(event, {12, 13}, t0_ + 1000);
  ASSERT_TRUE(held.ok());
  const HoldId id = held->hold.id;
  auto pinned = run(store_->begin_checkout(id, t0_, 60'000));
  ASSERT_TRUE(pinned.ok()) << pinned.error().detail;
  EXPECT_TRUE(pinned->confirming);
  EXPECT_EQ(pinned->seats, (std::vector<SeatIndex>{12, 13}));
  EXPECT_EQ(run(store_->release(id, t0_)).error().code, Errc::checkout_in_progress);
  EXPECT_EQ(run(store_->begin_checkout(id, t0_, 60'000)).error().code, Errc::checkout_in_progress);
  // Past its deadline, a pinned hold neither expires nor is swept.
  EXPECT_TRUE(run(store_->find_hold(id, t0_ + 5000)).ok());
  ASSERT_TRUE(run(store_->sweep(t0_ + 5000)).ok());
  ASSERT_TRUE(run(store_->finish_checkout(id)).ok());
  EXPECT_TRUE(run(store_->finish_checkout(id)).ok());  // a retry that found the order
  EXPECT_EQ(state(event, 12, t0_), SeatState::sold);
  EXPECT_EQ(store_->snapshot(event, t0_).value()->seats_sold, 2u);
  EXPECT_EQ(run(store_->find_hold(id, t0_)).error().facts.reason, "checked_out");
}

TEST_P(HoldStoreContract, AnAbortedCheckoutHoldsAgainOrExpires) {
  const auto event = open(*store_);
  auto held = hold_seats(event, {14}, t0_ + 1000);
  ASSERT_TRUE(held.ok());
  const HoldId id = held->hold.id;
  ASSERT_TRUE(run(store_->begin_checkout(id, t0_, 60'000)).ok());
  ASSERT_TRUE(run(store_->abort_checkout(id, t0_ + 10)).ok());
  auto again = run(store_->find_hold(id, t0_ + 10));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->confirming);
  EXPECT_EQ(again->aborted_checkouts, 1u);  // the next attempt pays under a key of its own
  ASSERT_TRUE(run(store_->begin_checkout(id, t0_ + 20, 60'000)).ok());
  ASSERT_TRUE(run(store_->abort_checkout(id, t0_ + 2000)).ok());  // its time has passed
  EXPECT_EQ(run(store_->find_hold(id, t0_ + 2000)).error().facts.reason, "expired");
  EXPECT_TRUE(eventually(*store_, event, [](const UnitsSnapshot& s) {
    return s.seats[14] == SeatState::available;  // a Redis node hears of the expiry by its stream
  }));
}

TEST_P(HoldStoreContract, BestAvailableTakesAdjacentSeatsNeverTwice) {
  const auto event = open(*store_);
  std::set<SeatIndex> taken;
  for (int i = 0; i < 4; ++i) {
    auto held =
        run(store_->hold(event, HoldAsk(BestAvailableQuery{4, {}}), terms_, t0_, t0_ + 60'000));
    ASSERT_TRUE(held.ok()) << held.error().detail;
    const auto& seats = held->hold.seats;
    ASSERT_EQ(seats.size(), 4u);
    for (std::size_t i = 1; i < seats.size(); ++i) {
      EXPECT_EQ(seats[i], seats[i - 1] + 1);  // one row, side by side
      EXPECT_EQ(seats[i] / 5, seats[0] / 5);
    }
    for (const SeatIndex seat : seats) EXPECT_TRUE(taken.insert(seat).second);
  }
  auto none =
      run(store_->hold(event, HoldAsk(BestAvailableQuery{2, {}}), terms_, t0_, t0_ + 60'000));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, Errc::not_enough_seats);  // single seats left at row ends
}

TEST_P(HoldStoreContract, BestAvailableChoosesAsIfDueHoldsHadEnded) {
  const auto event = open(*store_);
  for (int i = 0; i < 4; ++i) {  // four seats of each row of five
    ASSERT_TRUE(
        run(store_->hold(event, HoldAsk(BestAvailableQuery{4, {}}), terms_, t0_, t0_ + 1000)).ok());
  }
  // All four are due at t0 + 1000 and nothing has ended them yet (a Redis node's mirror
  // still shows them held): the choice must not go around them.
  auto held = run(
      store_->hold(event, HoldAsk(BestAvailableQuery{4, {}}), terms_, t0_ + 1000, t0_ + 60'000));
  ASSERT_TRUE(held.ok()) << held.error().detail;
  EXPECT_EQ(held->hold.seats.size(), 4u);
}

TEST_P(HoldStoreContract, EveryChangeTakesTheNextSequenceNumber) {
  const auto event = open(*store_);
  const auto start = store_->snapshot(event, t0_).value()->seq;
  EXPECT_GE(start, 7ull << 32);  // above every number of an earlier run
  auto a = hold_seats(event, {0}, t0_ + 60'000);
  auto b = hold_seats(event, {1}, t0_ + 60'000);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->seq, start + 1);
  EXPECT_EQ(b->seq, start + 2);
  ASSERT_TRUE(run(store_->release(a->hold.id, t0_)).ok());
  EXPECT_EQ(store_->snapshot(event, t0_).value()->seq, start + 3);
}

TEST_P(HoldStoreContract, ConcurrentHoldsOnTheSameSeatsGetEachSeatOnce) {
  const auto event = open(*store_);
  std::vector<std::optional<Result<Held>>> results(40);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const std::vector<SeatIndex> seats{static_cast<SeatIndex>(i % 20),
                                       static_cast<SeatIndex>((i + 1) % 20)};
    asio::co_spawn(
        io_,
        [&, i, seats]() -> asio::awaitable<void> {
          results[i].emplace(
              co_await store_->hold(event, HoldAsk(seats), terms_, t0_, t0_ + 60'000));
        },
        asio::detached);
  }
  io_.restart();
  const auto all_done = [&] {
    return std::all_of(results.begin(), results.end(), [](const auto& r) { return r.has_value(); });
  };
  while (!all_done()) io_.run_one();  // not run(): a Redis connection keeps the loop busy
  std::set<SeatIndex> held;
  for (const auto& result : results) {
    ASSERT_TRUE(result.has_value());
    if (!result->ok()) {
      EXPECT_EQ(result->error().code, Errc::seats_unavailable);
      continue;
    }
    for (const SeatIndex seat : (*result)->hold.seats) EXPECT_TRUE(held.insert(seat).second);
  }
  EXPECT_FALSE(held.empty());
  EXPECT_EQ(store_->snapshot(event, t0_).value()->seats_available, 20 - held.size());
}

TEST_P(HoldStoreContract, EveryChangeIsHeardOnceInOrder) {
  std::mutex mutex;
  std::vector<UnitsChange> heard;
  store_->on_change([&](const UnitsChange& change) {
    std::lock_guard lock(mutex);
    if (!change.reloaded) heard.push_back(change);
  });
  const auto event = open(*store_);
  auto first = hold_seats(event, {0, 1}, t0_ + 60'000);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(run(store_->release(first->hold.id, t0_)).ok());
  ASSERT_TRUE(hold_seats(event, {2}, t0_ + 100).ok());
  ASSERT_TRUE(run(store_->sweep(t0_ + 100)).ok());
  for (int i = 0; i < 200; ++i) {  // the sweep's expiry reaches a Redis node by its stream
    {
      std::lock_guard lock(mutex);
      if (heard.size() >= 4) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard lock(mutex);
  ASSERT_EQ(heard.size(), 4u);
  const ChangeKind kinds[] = {ChangeKind::held, ChangeKind::released, ChangeKind::held,
                              ChangeKind::expired};
  for (std::size_t i = 0; i < heard.size(); ++i) {
    EXPECT_EQ(heard[i].event_id, event);
    EXPECT_EQ(heard[i].kind, kinds[i]);
    EXPECT_EQ(heard[i].seq, first->seq + i);
  }
  EXPECT_EQ(heard[1].seats, (std::vector<SeatIndex>{0, 1}));
  EXPECT_EQ(heard[3].seats, (std::vector<SeatIndex>{2}));
}

INSTANTIATE_TEST_SUITE_P(Stores, HoldStoreContract, ::testing::Values("memory", "redis"),
                         [](const auto& info) { return info.param; });

// Cluster mode: several nodes, one Redis.
class RedisNodes : public HoldStoreContract {};

TEST_P(RedisNodes, WhatOneNodeChangesTheOtherShowsAndCanAct) {
  std::atomic<int> heard = 0;  // this node hears the other node's release
  store_->on_change([&](const UnitsChange& change) {
    if (change.kind == ChangeKind::released && change.seats == std::vector<SeatIndex>{3, 4}) {
      ++heard;
    }
  });
  auto other = make_store();
  const auto event = open(*store_);
  open(*other, {}, event);
  // A node follows an event it just opened from its next stream read (≤ 50 ms later).
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto held = hold_seats(event, {3, 4}, t0_ + 60'000);
  ASSERT_TRUE(held.ok());
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(eventually(*other, event, [&](const UnitsSnapshot& s) {
    return s.seq == held->seq && s.seats[3] == SeatState::held;
  }));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(100));
  // The other node finds the hold by its id alone, and releases it.
  EXPECT_EQ(other->event_of(held->hold.id), event);
  auto found = run(other->find_hold(held->hold.id, t0_));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->seats, held->hold.seats);
  ASSERT_TRUE(run(other->release(held->hold.id, t0_)).ok());
  EXPECT_TRUE(eventually(
      *store_, event, [](const UnitsSnapshot& s) { return s.seats[3] == SeatState::available; }));
  EXPECT_EQ(heard, 1);
}

TEST_P(RedisNodes, ACheckoutWhoseNodeDiedIsReportedAndSettled) {
  const auto event = open(*store_);
  auto held = hold_seats(event, {7}, t0_ + 120'000);
  ASSERT_TRUE(held.ok());
  const HoldId id = held->hold.id;
  ASSERT_TRUE(run(store_->begin_checkout(id, t0_, 100)).ok());  // then its node "dies"
  auto early = run(store_->sweep(t0_ + 50));
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(std::count(early->stale_checkouts.begin(), early->stale_checkouts.end(), id), 0);
  auto late = run(store_->sweep(t0_ + 200));
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(std::count(late->stale_checkouts.begin(), late->stale_checkouts.end(), id), 1);
  // A retry on another node takes the checkout over, as a new attempt.
  auto other = make_store();
  open(*other, {}, event);
  auto taken_over = run(other->begin_checkout(id, t0_ + 300, 60'000));
  ASSERT_TRUE(taken_over.ok());
  EXPECT_EQ(taken_over->aborted_checkouts, 1u);
  // The sweep's settling must not undo a checkout that runs again.
  ASSERT_TRUE(run(store_->settle_stale_checkout(id, false, t0_ + 300)).ok());
  EXPECT_TRUE(run(store_->find_hold(id, t0_ + 300))->confirming);
  // Once that pin runs out too, an order-less checkout is held again.
  ASSERT_TRUE(run(store_->settle_stale_checkout(id, false, t0_ + 70'000)).ok());
  auto again = run(store_->find_hold(id, t0_ + 300));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->confirming);
}

INSTANTIATE_TEST_SUITE_P(Cluster, RedisNodes, ::testing::Values("redis"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace boxoffice
