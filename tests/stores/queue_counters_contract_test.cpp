// One contract, two implementations of the waiting rooms' counters (services/queue_counters.hpp):
// in process (embedded mode) and in Redis (cluster mode, the ctest fixture "redis"), both on a
// simulated clock. Redis-only at the end: two nodes sharing one room.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "../support/run_coroutine.hpp"
#include "../support/test_redis.hpp"
#include "services/queue_counters.hpp"
#include "stores/memory/queue_counters.hpp"
#include "stores/redis/queue_counters.hpp"

namespace boxoffice {
namespace {

namespace asio = boost::asio;

constexpr UnixMillis t0 = 1'800'000'000'000;  // the sale opens
constexpr UnixMillis step_ms = 100;           // the sweeper's tick

using testing::fresh_event_id;
using testing::test_redis_url;

AdmissionSettings settings(std::uint32_t active_limit, std::uint32_t admit_per_second,
                           std::uint32_t session_seconds = 60, UnixMillis pre_queue_ms = 0) {
  return {active_limit, admit_per_second, session_seconds, t0 - pre_queue_ms, t0};
}

HoldId hold_id(std::uint8_t n) {
  HoldId id{};
  id.bytes[0] = n;
  id.bytes[15] = 1;
  return id;
}

class QueueCountersContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    counters_ = make_counters();
    if (counters_ == nullptr) GTEST_FAIL() << "no Redis: BOXOFFICE_TEST_REDIS_URL_FILE is not set";
    event_ = fresh_event_id();
  }

  std::unique_ptr<QueueCounters> make_counters() {
    if (GetParam() == "memory") return std::make_unique<memory::QueueCounters>();
    const std::string url = test_redis_url();
    if (url.empty()) return nullptr;
    return std::make_unique<redis::QueueCounters>(redis::parse_redis_endpoint(url).value());
  }

  template <class T>
  T run(asio::awaitable<T> work) {
    return testing::run_coroutine(io_, std::move(work));
  }

  QueueNumber join(const AdmissionSettings& room, UnixMillis now, QueueCounters* node = nullptr) {
    auto joined = run((node ? *node : *counters_).join(event_, room, now));
    EXPECT_TRUE(joined.ok()) << joined.error().detail;
    EXPECT_TRUE(*joined) << "the room was not open at " << now;
    return joined->value_or(QueueNumber{});
  }

  QueueStatus status(const AdmissionSettings& room, QueueNumber number, UnixMillis now,
                     QueueCounters* node = nullptr) {
    auto where = run((node ? *node : *counters_).status(event_, room, number, now));
    EXPECT_TRUE(where.ok()) << where.error().detail;
    EXPECT_TRUE(*where) << "number " << number.number << " not of this room";
    return where->value_or(QueueStatus{});
  }

  // Answers the holds of the sessions that ended.
  std::vector<HoldId> tick(UnixMillis now, QueueCounters* node = nullptr) {
    auto ended = run((node ? *node : *counters_).tick(now));
    EXPECT_TRUE(ended.ok()) << ended.error().detail;
    return ended.ok() ? *ended : std::vector<HoldId>{};
  }

  // The access grant of `number`, whose status at `now` must say admitted (and claims it).
  AccessGrant admitted_grant(const AdmissionSettings& room, QueueNumber number, UnixMillis now) {
    const QueueStatus admitted = status(room, number, now);
    EXPECT_EQ(admitted.state, QueueState::admitted) << "number " << number.number;
    return {event_, number.room_epoch, admitted.session, admitted.session_expires_at};
  }

  // A hold of `units` under `grant`, in a session that may hold 4: whether it was within.
  bool made(std::uint8_t hold, const AccessGrant& grant, std::uint32_t units, UnixMillis now,
            QueueCounters* node = nullptr) {
    auto within = run((node ? *node : *counters_).hold_made(hold_id(hold), grant, units, 4, now));
    EXPECT_TRUE(within.ok()) << within.error().detail;
    return within.ok() && *within;
  }

  // The session's other holds, when the hold ended it.
  std::vector<HoldId> finished(std::uint8_t hold, bool checked_out, UnixMillis now,
                               QueueCounters* node = nullptr) {
    auto others =
        run((node ? *node : *counters_).hold_finished(event_, hold_id(hold), checked_out, now));
    EXPECT_TRUE(others.ok()) << others.error().detail;
    return others.ok() ? *others : std::vector<HoldId>{};
  }

  bool active(QueueNumber number, std::uint64_t session, UnixMillis now,
              QueueCounters* node = nullptr) {
    auto is = run((node ? *node : *counters_).is_active(event_, number.room_epoch, session, now));
    EXPECT_TRUE(is.ok()) << is.error().detail;
    return is.ok() && *is;
  }

  asio::io_context io_;
  std::unique_ptr<QueueCounters> counters_;
  std::int64_t event_ = 0;
};

TEST_P(QueueCountersContract, NoJoiningBeforeTheQueueOpensNoAdmissionBeforeTheSale) {
  const auto room = settings(10, 10, 60, 60'000);
  auto early = run(counters_->join(event_, room, t0 - 60'001));
  ASSERT_TRUE(early.ok());
  EXPECT_FALSE(*early);
  const QueueNumber first = join(room, t0 - 30'000);
  const QueueNumber second = join(room, t0 - 20'000);
  EXPECT_EQ(first.number, 0U);
  EXPECT_EQ(second.number, 1U);
  EXPECT_EQ(second.room_epoch, first.room_epoch);
  tick(t0 - 1);
  const QueueStatus waiting = status(room, first, t0 - 1);
  EXPECT_EQ(waiting.state, QueueState::pre_queue);
  EXPECT_EQ(waiting.eta_seconds, 1U);
  EXPECT_EQ(counters_->totals().admitted, 0U);
}

// A room's own counts, at the time asked: zeros before anyone joined; then who waits, who
// shops (the active limit) and how many were let in, with no tick in between.
TEST_P(QueueCountersContract, ARoomsCountsAtTheTimeAsked) {
  const auto room = settings(2, 10);
  const auto counts = [&](UnixMillis now) {
    auto totals = run(counters_->room_totals(event_, room, now));
    EXPECT_TRUE(totals.ok()) << totals.error().detail;
    return totals.ok() ? *totals : QueueTotals{};
  };
  const QueueTotals none = counts(t0);
  EXPECT_EQ(none.waiting + none.active + none.admitted, 0U);
  for (int i = 0; i < 5; ++i) join(room, t0 + i);
  const QueueTotals later = counts(t0 + 2'000);  // the rate allows all; the limit lets in 2
  EXPECT_EQ(later.waiting, 3U);
  EXPECT_EQ(later.active, 2U);
  EXPECT_EQ(later.admitted, 2U);
}

// The organizer raised the active limit mid-sale: the room lets more people in at once.
TEST_P(QueueCountersContract, ChangedSettingsApplyToTheNextCall) {
  const auto before = settings(2, 10);
  for (int i = 0; i < 6; ++i) join(before, t0 + i);
  const auto counts = [&](const AdmissionSettings& room, UnixMillis now) {
    auto totals = run(counters_->room_totals(event_, room, now));
    EXPECT_TRUE(totals.ok()) << totals.error().detail;
    return totals.ok() ? *totals : QueueTotals{};
  };
  EXPECT_EQ(counts(before, t0 + 2'000).active, 2U);
  const auto raised = settings(5, 10);
  EXPECT_EQ(counts(raised, t0 + 3'000).active, 5U);
}

TEST_P(QueueCountersContract, ArrivalsAfterTheOpenAreAdmittedInOrderNeverPastTheLimit) {
  const auto room = settings(5, 10, 2);  // sessions of 2 s: people leave, others come in
  std::vector<QueueNumber> people;
  for (int i = 0; i < 40; ++i) people.push_back(join(room, t0 + i));
  std::vector<std::uint64_t> admitted_order;
  std::set<std::uint64_t> admitted;
  for (UnixMillis now = t0 + step_ms; admitted.size() < people.size() && now < t0 + 60'000;
       now += step_ms) {
    tick(now);
    std::size_t active_now = 0;
    for (const QueueNumber& person : people) {
      const QueueStatus where = status(room, person, now);
      if (where.state == QueueState::waiting) {
        EXPECT_GT(where.position, 0U);
        continue;
      }
      if (where.state == QueueState::admitted) {
        ++active_now;
        EXPECT_EQ(where.session, person.number);  // after the open, rank = number
        EXPECT_GT(where.session_expires_at, now);
        EXPECT_TRUE(active(person, where.session, now));
      }
      if (admitted.insert(person.number).second) admitted_order.push_back(person.number);
    }
    EXPECT_LE(active_now, 5U) << "at " << now - t0 << " ms";
  }
  ASSERT_EQ(admitted.size(), people.size());
  EXPECT_TRUE(std::is_sorted(admitted_order.begin(), admitted_order.end()));
}

TEST_P(QueueCountersContract, AdmissionRateWithinFivePercentOverASimulatedMinute) {
  const auto room = settings(100'000, 20);
  for (int i = 0; i < 2'000; ++i) join(room, t0 + i);
  for (UnixMillis now = t0 + step_ms; now <= t0 + 60'000; now += step_ms) tick(now);
  const double admitted = static_cast<double>(counters_->totals().admitted);
  EXPECT_NEAR(admitted, 1'200.0, 60.0);
  const QueueStatus last =
      status(room, QueueNumber{join(room, t0 + 60'000).room_epoch, 1'999}, t0 + 60'000);
  EXPECT_EQ(last.state, QueueState::waiting);
  // The wait is estimated from the measured rate: 800-odd people at 20 a second.
  EXPECT_NEAR(static_cast<double>(last.eta_seconds), static_cast<double>(last.position) / 20.0,
              3.0);
}

TEST_P(QueueCountersContract, ThePreQueueIsAdmittedFirstInAShuffledOrder) {
  const auto room = settings(1'000, 10, 60, 60'000);
  std::vector<QueueNumber> early;
  for (int i = 0; i < 30; ++i) early.push_back(join(room, t0 - 30'000 + i));
  const QueueNumber late = join(room, t0);
  EXPECT_EQ(late.number, 30U);
  std::vector<std::uint64_t> order;
  std::set<std::uint64_t> sessions;
  for (UnixMillis now = t0 + step_ms; order.size() < 31 && now < t0 + 30'000; now += step_ms) {
    tick(now);
    for (std::uint64_t n = 0; n <= 30; ++n) {
      if (std::find(order.begin(), order.end(), n) != order.end()) continue;
      const QueueStatus where = status(room, QueueNumber{late.room_epoch, n}, now);
      if (where.state != QueueState::admitted) continue;
      order.push_back(n);
      sessions.insert(where.session);
    }
  }
  ASSERT_EQ(order.size(), 31U);
  EXPECT_EQ(order.back(), 30U);     // every pre-queue joiner goes first
  EXPECT_EQ(sessions.size(), 31U);  // a permutation: every rank once
  std::vector<std::uint64_t> arrival(30);
  std::iota(arrival.begin(), arrival.end(), 0);
  EXPECT_NE(std::vector(order.begin(), order.end() - 1), arrival);
}

TEST_P(QueueCountersContract, ACheckoutOrTheLastReleaseFreesThePlaceAtOnce) {
  const auto room = settings(1, 100);
  const QueueNumber first = join(room, t0);
  const QueueNumber second = join(room, t0);
  const QueueNumber third = join(room, t0);
  tick(t0 + step_ms);
  const QueueStatus admitted = status(room, first, t0 + step_ms);
  ASSERT_EQ(admitted.state, QueueState::admitted);
  const AccessGrant grant{event_, first.room_epoch, admitted.session, admitted.session_expires_at};
  EXPECT_TRUE(made(1, grant, 1, t0 + step_ms));
  EXPECT_TRUE(made(2, grant, 1, t0 + step_ms));
  EXPECT_TRUE(finished(1, false, t0 + 150).empty());
  EXPECT_TRUE(active(first, admitted.session, t0 + 150));  // one hold left
  EXPECT_TRUE(finished(2, false, t0 + 160).empty());
  EXPECT_FALSE(active(first, admitted.session, t0 + 160));
  EXPECT_EQ(status(room, first, t0 + 160).state, QueueState::ended);
  tick(t0 + 200);
  const QueueStatus next = status(room, second, t0 + 200);
  ASSERT_EQ(next.state, QueueState::admitted);
  EXPECT_EQ(status(room, third, t0 + 200).state, QueueState::waiting);
  // A checkout ends the session though other holds are live: they are answered, to release.
  const AccessGrant second_grant{event_, second.room_epoch, next.session, next.session_expires_at};
  EXPECT_TRUE(made(3, second_grant, 2, t0 + 200));
  EXPECT_TRUE(made(4, second_grant, 1, t0 + 200));
  EXPECT_TRUE(made(5, second_grant, 1, t0 + 200));
  auto others = finished(3, true, t0 + 250);
  std::sort(others.begin(), others.end());
  EXPECT_EQ(others, (std::vector<HoldId>{hold_id(4), hold_id(5)}));
  EXPECT_FALSE(active(second, next.session, t0 + 250));
  EXPECT_TRUE(finished(4, false, t0 + 255).empty());  // answered once
  // A hold made under no session changes nothing.
  EXPECT_TRUE(finished(9, true, t0 + 260).empty());
}

// A session holds at most its limit of units across all its holds, whichever node made them.
TEST_P(QueueCountersContract, ASessionHoldsAtMostItsLimitAtOnce) {
  const auto room = settings(1, 100);
  const QueueNumber first = join(room, t0);
  tick(t0 + step_ms);
  const AccessGrant grant = admitted_grant(room, first, t0 + step_ms);
  EXPECT_TRUE(made(1, grant, 3, t0 + step_ms));
  EXPECT_FALSE(made(2, grant, 2, t0 + step_ms));  // 5 > 4: not remembered
  EXPECT_TRUE(finished(2, false, t0 + step_ms).empty());
  EXPECT_TRUE(active(first, grant.session, t0 + step_ms));
  EXPECT_TRUE(made(3, grant, 1, t0 + step_ms));
  EXPECT_FALSE(made(4, grant, 1, t0 + step_ms));
  EXPECT_TRUE(finished(3, false, t0 + 150).empty());  // 3 units left
  EXPECT_TRUE(made(5, grant, 1, t0 + 160));
  // A grant that is not active remembers nothing and limits nothing.
  const AccessGrant stale{event_, first.room_epoch + 1, grant.session, grant.expires_at};
  EXPECT_TRUE(made(6, stale, 9, t0 + 170));
}

// A session whose hold found nothing gives its place up at once, unless it holds something.
TEST_P(QueueCountersContract, ASessionThatFindsNothingEndsUnlessItHoldsSomething) {
  const auto room = settings(1, 100);
  const QueueNumber first = join(room, t0);
  const QueueNumber second = join(room, t0);
  tick(t0 + step_ms);
  const AccessGrant grant = admitted_grant(room, first, t0 + step_ms);
  EXPECT_TRUE(made(1, grant, 2, t0 + step_ms));
  auto kept = run(counters_->end_empty_session(grant, t0 + 150));
  ASSERT_TRUE(kept.ok());
  EXPECT_FALSE(*kept);  // it holds two seats
  EXPECT_TRUE(active(first, grant.session, t0 + 150));
  EXPECT_EQ(finished(1, true, t0 + 160), std::vector<HoldId>{});  // bought: ended
  tick(t0 + 200);
  const AccessGrant empty = admitted_grant(room, second, t0 + 200);
  auto ended = run(counters_->end_empty_session(empty, t0 + 250));
  ASSERT_TRUE(ended.ok());
  EXPECT_TRUE(*ended);
  EXPECT_FALSE(active(second, empty.session, t0 + 250));
  EXPECT_EQ(status(room, second, t0 + 250).state, QueueState::ended);
}

// An admitted number whose holder never asks keeps its place admission_claim_ms only.
TEST_P(QueueCountersContract, AnUnclaimedPlaceIsSkippedAndCounted) {
  const auto room = settings(1, 100);
  const QueueNumber absent = join(room, t0);
  const QueueNumber present = join(room, t0);
  tick(t0 + step_ms);  // the absent one is let in, and never asks
  EXPECT_EQ(status(room, present, t0 + step_ms).state, QueueState::waiting);
  tick(t0 + step_ms + admission_claim_ms);
  const QueueStatus turn = status(room, present, t0 + step_ms + admission_claim_ms);
  EXPECT_EQ(turn.state, QueueState::admitted);
  EXPECT_EQ(turn.session_expires_at, t0 + step_ms + admission_claim_ms + 60'000);  // claimed
  EXPECT_EQ(status(room, absent, t0 + step_ms + admission_claim_ms).state, QueueState::ended);
  auto totals = run(counters_->room_totals(event_, room, t0 + step_ms + admission_claim_ms));
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->skipped, 1U);
  EXPECT_EQ(totals->active, 1U);
}

TEST_P(QueueCountersContract, AbandonedSessionsEndAtTheirExpiry) {
  const auto room = settings(1, 100, 30);
  const QueueNumber first = join(room, t0);
  const QueueNumber second = join(room, t0);
  tick(t0 + step_ms);
  const QueueStatus admitted = status(room, first, t0 + step_ms);
  ASSERT_EQ(admitted.state, QueueState::admitted);
  EXPECT_EQ(admitted.session_expires_at, t0 + step_ms + 30'000);
  EXPECT_TRUE(active(first, admitted.session, admitted.session_expires_at - 1));
  EXPECT_FALSE(active(first, admitted.session, admitted.session_expires_at));
  EXPECT_EQ(status(room, second, t0 + 20'000).state, QueueState::waiting);
  const AccessGrant grant{event_, first.room_epoch, admitted.session, admitted.session_expires_at};
  EXPECT_TRUE(made(1, grant, 2, t0 + 1'000));
  EXPECT_TRUE(made(2, grant, 2, t0 + 1'000));
  EXPECT_TRUE(tick(admitted.session_expires_at - 1).empty());
  auto ended = tick(admitted.session_expires_at);  // its holds, to release
  std::sort(ended.begin(), ended.end());
  EXPECT_EQ(ended, (std::vector<HoldId>{hold_id(1), hold_id(2)}));
  EXPECT_TRUE(tick(admitted.session_expires_at + step_ms).empty());  // answered once
  EXPECT_EQ(status(room, first, admitted.session_expires_at).state, QueueState::ended);
  EXPECT_EQ(status(room, second, admitted.session_expires_at).state, QueueState::admitted);
}

TEST_P(QueueCountersContract, NumbersOfAnotherEpochAreNotThisRoom) {
  const auto room = settings(5, 10);
  const QueueNumber number = join(room, t0);
  tick(t0 + step_ms);
  const QueueStatus admitted = status(room, number, t0 + step_ms);
  ASSERT_EQ(admitted.state, QueueState::admitted);
  const QueueNumber forged{number.room_epoch + 1, number.number};
  auto where = run(counters_->status(event_, room, forged, t0 + step_ms));
  ASSERT_TRUE(where.ok());
  EXPECT_FALSE(*where);
  EXPECT_FALSE(active(forged, admitted.session, t0 + step_ms));
}

INSTANTIATE_TEST_SUITE_P(Stores, QueueCountersContract, ::testing::Values("memory", "redis"),
                         [](const auto& info) { return info.param; });

// Two nodes sharing one Redis: one room, whichever node people reach.
class RedisQueueNodes : public QueueCountersContract {};

TEST_P(RedisQueueNodes, TwoNodesShareOneRoom) {
  auto other = make_counters();
  ASSERT_NE(other, nullptr);
  const auto room = settings(2, 100);
  std::set<std::uint64_t> numbers;
  std::uint64_t epoch = 0;
  for (int i = 0; i < 10; ++i) {
    const QueueNumber number = join(room, t0 + i, i % 2 ? other.get() : nullptr);
    numbers.insert(number.number);
    if (i == 0) epoch = number.room_epoch;
    EXPECT_EQ(number.room_epoch, epoch);
  }
  EXPECT_EQ(numbers, (std::set<std::uint64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  // Both nodes tick; the limit and the rate hold as if one did.
  tick(t0 + step_ms);
  tick(t0 + step_ms, other.get());
  std::size_t admitted = 0;
  for (std::uint64_t n = 0; n < 10; ++n) {
    const QueueStatus here = status(room, {epoch, n}, t0 + step_ms);
    const QueueStatus there = status(room, {epoch, n}, t0 + step_ms, other.get());
    EXPECT_EQ(here.state, there.state) << n;
    EXPECT_EQ(here.position, there.position) << n;
    if (here.state == QueueState::admitted) ++admitted;
  }
  EXPECT_EQ(admitted, 2U);
  // A hold made through one node and checked out through the other frees the place at once.
  const QueueStatus first = status(room, {epoch, 0}, t0 + step_ms);
  ASSERT_EQ(first.state, QueueState::admitted);
  const AccessGrant grant{event_, epoch, first.session, first.session_expires_at};
  EXPECT_TRUE(made(1, grant, 1, t0 + 120));
  EXPECT_TRUE(made(2, grant, 1, t0 + 120, other.get()));
  EXPECT_FALSE(made(3, grant, 3, t0 + 120, other.get()));  // one limit across the nodes
  EXPECT_EQ(finished(1, true, t0 + 130, other.get()), std::vector<HoldId>{hold_id(2)});
  EXPECT_FALSE(active({epoch, 0}, first.session, t0 + 130, other.get()));
  EXPECT_EQ(status(room, {epoch, 2}, t0 + 130, other.get()).state, QueueState::admitted);
}

TEST_P(RedisQueueNodes, ARoomRedisLostIsMadeAnewAndItsOldNumbersAreRefused) {
  const auto room = settings(5, 10);
  const QueueNumber before = join(room, t0);
  tick(t0 + step_ms);
  ASSERT_EQ(status(room, before, t0 + step_ms).state, QueueState::admitted);
  // Redis loses the room (a failover to a replica that never had it, a flush).
  redis::Client client(io_, redis::parse_redis_endpoint(test_redis_url()).value());
  client.start();
  const std::string key = "{ev:" + std::to_string(event_) + "}:queue";
  std::vector<std::string> del{"DEL", key, key + ":active"};
  auto deleted = run(client.command(std::move(del)));
  ASSERT_TRUE(deleted.ok());
  ASSERT_EQ(deleted->integer, 2);
  tick(t0 + 2 * step_ms);  // this node knew the room: Redis says it has none, it is made anew
  auto where = run(counters_->status(event_, room, before, t0 + 2 * step_ms));
  ASSERT_TRUE(where.ok()) << where.error().detail;
  EXPECT_FALSE(*where);  // a number of the lost room names nothing now
  const QueueNumber after = join(room, t0 + 2 * step_ms);
  EXPECT_NE(after.room_epoch, before.room_epoch);
  EXPECT_EQ(after.number, 0U);
}

INSTANTIATE_TEST_SUITE_P(Cluster, RedisQueueNodes, ::testing::Values("redis"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace boxoffice
