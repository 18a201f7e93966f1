// The policy of per-client rate limits (services/rate_limits.hpp), against scripted limiters:
// which limiter counts which class, joins per event and the rest not, refusals counted by
// class, a limiter that can't answer failing open (and counted), and the --rate-limit text.
#include "services/rate_limits.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "support/run_coroutine.hpp"

namespace boxoffice {
namespace {

// Answers what it is told to, and remembers what it was asked.
class ScriptedLimiter final : public RateLimiter {
 public:
  boost::asio::awaitable<Result<RateVerdict>> take(const RateKey& key, RateLimit limit) override {
    asked.push_back(key);
    limits.push_back(limit);
    co_return next;
  }

  Result<RateVerdict> next = RateVerdict{};
  std::vector<RateKey> asked;
  std::vector<RateLimit> limits;
};

class RateLimitsTest : public ::testing::Test {
 protected:
  std::optional<std::int64_t> take(RateClass rate_class, std::int64_t event_id = 42) {
    return testing::run_coroutine(io_, limits_.take(rate_class, client_, event_id));
  }
  std::uint64_t limited(RateClass rate_class) const {
    return metrics_.rate_limited[static_cast<std::size_t>(rate_class)].value();
  }

  boost::asio::io_context io_;
  ScriptedLimiter local_;
  ScriptedLimiter shared_;
  Metrics metrics_;
  RateLimits limits_{RateLimitSettings{}, local_, shared_, metrics_};
  ClientId client_{.bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 2}};
};

TEST_F(RateLimitsTest, OtherIsCountedHereTheRestWhereNodesShare) {
  for (const RateClass shared : {RateClass::joins, RateClass::holds, RateClass::checkouts}) {
    EXPECT_FALSE(take(shared));
  }
  EXPECT_FALSE(take(RateClass::other));
  ASSERT_EQ(shared_.asked.size(), 3u);
  ASSERT_EQ(local_.asked.size(), 1u);
  EXPECT_EQ(shared_.asked[0].event_id, 42);  // joins: per event
  EXPECT_EQ(shared_.asked[1].event_id, 0);   // holds: per client alone
  EXPECT_EQ(shared_.asked[1].client, client_);
  EXPECT_EQ(shared_.asked[1].rate_class, RateClass::holds);
  EXPECT_EQ(local_.asked[0].rate_class, RateClass::other);
  // The defaults.
  EXPECT_EQ(shared_.limits[0].interval_us, 6'000'000);
  EXPECT_EQ(shared_.limits[0].burst, 10u);
  EXPECT_EQ(shared_.limits[1].burst, 20u);
  EXPECT_EQ(local_.limits[0].interval_us, 20'000);
}

TEST(RateLimits, AnEventsOwnLimitIsCountedInItsOwnBuckets) {
  boost::asio::io_context io;
  ScriptedLimiter local;
  ScriptedLimiter shared;
  Metrics metrics;
  std::vector<std::pair<std::int64_t, RateClass>> looked_up;
  const RateLimit own{.interval_us = 250'000, .burst = 3};
  RateLimits limits(RateLimitSettings{}, local, shared, metrics,
                    [&](std::int64_t event_id, RateClass rate_class) -> std::optional<RateLimit> {
                      looked_up.emplace_back(event_id, rate_class);
                      if (event_id == 42) return own;
                      return std::nullopt;
                    });
  const ClientId client{.bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 2}};
  const auto take = [&](RateClass rate_class, std::int64_t event_id) {
    return testing::run_coroutine(io, limits.take(rate_class, client, event_id));
  };
  EXPECT_FALSE(take(RateClass::holds, 42));  // its own
  EXPECT_FALSE(take(RateClass::holds, 7));   // the node's
  EXPECT_FALSE(take(RateClass::joins, 42));
  EXPECT_FALSE(take(RateClass::checkouts, 42));  // never an event's
  EXPECT_FALSE(take(RateClass::other, 42));
  ASSERT_EQ(shared.asked.size(), 4u);
  EXPECT_EQ(shared.asked[0].event_id, 42);  // a bucket of its own: per client and event
  EXPECT_EQ(shared.limits[0].interval_us, 250'000);
  EXPECT_EQ(shared.limits[0].burst, 3u);
  EXPECT_EQ(shared.asked[1].event_id, 0);  // the node's holds: per client alone
  EXPECT_EQ(shared.limits[1].burst, 20u);
  EXPECT_EQ(shared.limits[2].interval_us, 250'000);
  EXPECT_EQ(shared.asked[3].event_id, 0);
  EXPECT_EQ(shared.limits[3].burst, 10u);
  ASSERT_EQ(local.limits.size(), 1u);
  EXPECT_EQ(local.limits[0].burst, 200u);
  // Only joins and holds ask for an event's own.
  const std::vector<std::pair<std::int64_t, RateClass>> expected{
      {42, RateClass::holds}, {7, RateClass::holds}, {42, RateClass::joins}};
  EXPECT_EQ(looked_up, expected);
}

TEST_F(RateLimitsTest, ARefusalIsItsWaitAndCountedByClass) {
  shared_.next = RateVerdict{.allowed = false, .wait_us = 1'500'000};
  EXPECT_EQ(take(RateClass::holds), 1'500'000);
  EXPECT_EQ(limited(RateClass::holds), 1u);
  EXPECT_EQ(limited(RateClass::joins), 0u);
}

TEST_F(RateLimitsTest, ALimiterThatCantAnswerFailsOpenAndIsCounted) {
  shared_.next = make_error(Errc::store_unavailable, "Redis is down");
  EXPECT_FALSE(take(RateClass::checkouts));
  EXPECT_EQ(metrics_.rate_limit_errors.value(), 1u);
  EXPECT_EQ(limited(RateClass::checkouts), 0u);
  local_.next = RateVerdict{.tracked = false};
  EXPECT_FALSE(take(RateClass::other));
  EXPECT_EQ(metrics_.rate_limit_untracked.value(), 1u);
}

TEST_F(RateLimitsTest, AClassTurnedOffIsNeverAsked) {
  RateLimitSettings settings;
  ASSERT_TRUE(apply_rate_limit_option("holds=off", settings).ok());
  RateLimits limits(settings, local_, shared_, metrics_);
  EXPECT_FALSE(limits.limits(RateClass::holds));
  EXPECT_TRUE(limits.limits(RateClass::joins));
  EXPECT_FALSE(testing::run_coroutine(io_, limits.take(RateClass::holds, client_, 0)));
  EXPECT_TRUE(shared_.asked.empty());
}

TEST(RateLimitOption, ClassEqualsLimit) {
  RateLimitSettings settings;
  ASSERT_TRUE(apply_rate_limit_option("holds=2/s:40", settings).ok());
  const auto& holds = settings.limits[static_cast<std::size_t>(RateClass::holds)];
  ASSERT_TRUE(holds);
  EXPECT_EQ(holds->interval_us, 500'000);
  EXPECT_EQ(holds->burst, 40u);
  ASSERT_TRUE(apply_rate_limit_option("all=off", settings).ok());
  for (const auto& limit : settings.limits) EXPECT_FALSE(limit);
  ASSERT_TRUE(apply_rate_limit_option("all=5/min:5", settings).ok());
  for (const auto& limit : settings.limits) EXPECT_EQ(limit->interval_us, 12'000'000);
  ASSERT_TRUE(apply_rate_limit_option("other=off", settings).ok());
  EXPECT_FALSE(settings.limits[static_cast<std::size_t>(RateClass::other)]);
  EXPECT_TRUE(settings.limits[static_cast<std::size_t>(RateClass::joins)]);
}

TEST(RateLimitOption, MistakesAreRefused) {
  for (const char* text : {"", "holds", "holds=", "hold=1/s:1", "=1/s:1", "HOLDS=1/s:1",
                           "holds=1/s", "all", "holds=1/s:1,other=off"}) {
    RateLimitSettings settings;
    const Status applied = apply_rate_limit_option(text, settings);
    ASSERT_FALSE(applied.ok()) << text;
    EXPECT_EQ(applied.error().facts.field, "rate_limit");
  }
}

}  // namespace
}  // namespace boxoffice
