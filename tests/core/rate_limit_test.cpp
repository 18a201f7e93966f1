// Rate limits (core/rate_limit.hpp): the GCRA by example, then against a plain token bucket
// (RapidCheck) under random limits and arrivals, and how an operator writes a limit.
#include "core/rate_limit.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <vector>

namespace boxoffice {
namespace {

constexpr std::int64_t second_us = 1'000'000;
constexpr std::int64_t t0 = 1'800'000'000'000'000;  // µs: a moment in 2027

TEST(Gcra, BurstAtOnceThenTheSustainedRate) {
  const RateLimit limit{.interval_us = second_us, .burst = 3};
  std::int64_t tat = 0;
  for (int i = 0; i < 3; ++i) {
    const GcraStep step = gcra_take(tat, t0, limit);
    ASSERT_TRUE(step.allowed) << i;
    tat = step.tat_us;
  }
  const GcraStep refused = gcra_take(tat, t0, limit);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.wait_us, second_us);
  EXPECT_EQ(refused.tat_us, tat);  // a refusal changes nothing
  EXPECT_FALSE(gcra_take(tat, t0 + second_us - 1, limit).allowed);
  const GcraStep later = gcra_take(tat, t0 + second_us, limit);
  EXPECT_TRUE(later.allowed);
  EXPECT_FALSE(gcra_take(later.tat_us, t0 + second_us, limit).allowed);
}

TEST(Gcra, AQuietSpellRefillsTheBucketNoFurther) {
  const RateLimit limit{.interval_us = 100, .burst = 2};
  std::int64_t tat = gcra_take(0, t0, limit).tat_us;
  // Long after: a full bucket, of 2, not more.
  const std::int64_t later = t0 + 1'000'000;
  tat = gcra_take(tat, later, limit).tat_us;
  tat = gcra_take(tat, later, limit).tat_us;
  const GcraStep third = gcra_take(tat, later, limit);
  EXPECT_FALSE(third.allowed);
  EXPECT_EQ(third.wait_us, 100);
}

TEST(Gcra, BurstOfOneIsOneAnInterval) {
  const RateLimit limit{.interval_us = 500, .burst = 1};
  const GcraStep first = gcra_take(0, t0, limit);
  ASSERT_TRUE(first.allowed);
  EXPECT_EQ(first.tat_us, t0 + 500);
  EXPECT_EQ(gcra_take(first.tat_us, t0 + 200, limit).wait_us, 300);
  EXPECT_TRUE(gcra_take(first.tat_us, t0 + 500, limit).allowed);
}

TEST(Gcra, RetryAfterIsWholeSecondsRoundedUpAtLeastOne) {
  EXPECT_EQ(retry_after_seconds(0), 1);
  EXPECT_EQ(retry_after_seconds(1), 1);
  EXPECT_EQ(retry_after_seconds(second_us), 1);
  EXPECT_EQ(retry_after_seconds(second_us + 1), 2);
  EXPECT_EQ(retry_after_seconds(59 * second_us + 500'000), 60);
}

// The same limit as a bucket of tokens, counted in µs of credit (one request costs an
// interval; the bucket holds burst of them): written from the definition, not from the GCRA.
struct TokenBucket {
  RateLimit limit;
  std::int64_t credit_us;
  std::int64_t last_us;

  // Allowed: 0; refused: the wait.
  std::int64_t take(std::int64_t now_us) {
    const std::int64_t capacity = limit.interval_us * limit.burst;
    credit_us = std::min(capacity, credit_us + (now_us - last_us));
    last_us = now_us;
    if (credit_us >= limit.interval_us) {
      credit_us -= limit.interval_us;
      return 0;
    }
    return limit.interval_us - credit_us;
  }
};

TEST(Gcra, AgreesWithATokenBucketAndNeverLetsMoreThroughThanItMay) {
  std::size_t allowed = 0;
  std::size_t refused = 0;
  const auto agrees = [&] {
    const auto burst = *rc::gen::inRange<std::uint32_t>(1, 50);
    const auto interval = *rc::gen::inRange<std::int64_t>(1, 2'000'000);
    const RateLimit limit{.interval_us = interval, .burst = burst};
    RC_PRE(is_valid(limit));
    // Gaps mostly shorter than the interval (to empty the bucket), sometimes longer.
    const auto gaps = *rc::gen::container<std::vector<std::int64_t>>(
        rc::gen::oneOf(rc::gen::inRange<std::int64_t>(0, interval / 2 + 1),
                       rc::gen::inRange<std::int64_t>(0, 3 * interval + 1)));
    TokenBucket model{limit, interval * burst, t0};
    std::int64_t tat = 0;
    std::int64_t now = t0;
    std::vector<std::int64_t> allowed_at;
    for (const std::int64_t gap : gaps) {
      now += gap;
      const GcraStep step = gcra_take(tat, now, limit);
      const std::int64_t wait = model.take(now);
      RC_ASSERT(step.allowed == (wait == 0));
      ++(step.allowed ? allowed : refused);
      if (step.allowed) {
        tat = step.tat_us;
        allowed_at.push_back(now);
      } else {
        RC_ASSERT(step.wait_us == wait);
        RC_ASSERT(gcra_take(tat, now + step.wait_us, limit).allowed);
        RC_ASSERT(!gcra_take(tat, now + step.wait_us - 1, limit).allowed);
      }
    }
    // In any window, at most burst plus one per whole interval of its length.
    for (std::size_t i = 0; i < allowed_at.size(); ++i) {
      for (std::size_t j = i; j < allowed_at.size(); ++j) {
        const auto most =
            static_cast<std::int64_t>(burst) + (allowed_at[j] - allowed_at[i]) / interval;
        RC_ASSERT(static_cast<std::int64_t>(j - i + 1) <= most);
      }
    }
  };
  EXPECT_TRUE(rc::check("the GCRA is a token bucket", agrees));
  // Not vacuous: both answers came up, many times.
  EXPECT_GT(allowed, 100u);
  EXPECT_GT(refused, 100u);
}

TEST(RateLimitText, RateUnitAndBurst) {
  auto limit = parse_rate_limit("1/s:20");
  ASSERT_TRUE(limit.ok());
  ASSERT_TRUE(limit->has_value());
  EXPECT_EQ((*limit)->interval_us, second_us);
  EXPECT_EQ((*limit)->burst, 20u);
  EXPECT_EQ((*parse_rate_limit("10/min:10"))->interval_us, 6 * second_us);
  EXPECT_EQ((*parse_rate_limit("2/h:1"))->interval_us, 1800 * second_us);
  EXPECT_EQ((*parse_rate_limit("3/s:1"))->interval_us, 333'333);
  EXPECT_EQ((*parse_rate_limit("1000000/s:1000000"))->interval_us, 1);
  const auto off = parse_rate_limit("off");
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->has_value());
}

TEST(RateLimitText, AnythingElseIsRefused) {
  for (const char* text : {"", "1/s", "1:20", "/s:1", "0/s:1", "-1/s:1", "1/d:1", "1/s:0",
                           "1/s:1000001", "2000000/s:1", "1/h:100", " 1/s:1", "1/s:1 ", "1/s:1x",
                           "1/S:1", "1/sec:1", "off:1", "OFF"}) {
    const auto limit = parse_rate_limit(text);
    ASSERT_FALSE(limit.ok()) << text;
    EXPECT_EQ(limit.error().code, Errc::invalid_field) << text;
    EXPECT_EQ(limit.error().facts.field, "rate_limit");
  }
}

}  // namespace
}  // namespace boxoffice
