// One contract, two implementations of the rate limits' buckets (services/rate_limiter.hpp):
// in process (embedded mode) and in Redis (cluster mode, the ctest fixture "redis"). Redis
// counts time by its own clock, so the shared part runs on real time, with limits whose
// intervals dwarf the test's own pace. Then Redis only (two nodes share a bucket; Redis gone
// means store_unavailable), and the in-process table only, on a simulated clock (its bound,
// and threads sharing one bucket).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "../support/run_coroutine.hpp"
#include "../support/test_redis.hpp"
#include "services/rate_limiter.hpp"
#include "stores/memory/rate_limiter.hpp"
#include "stores/redis/rate_limiter.hpp"

namespace boxoffice {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr std::int64_t second_us = 1'000'000;

// A client no other test, process or earlier run uses, so tests never meet in the shared Redis.
ClientId fresh_client() {
  static std::uint64_t next = 0;
  ClientId client;
  const std::uint64_t pid = static_cast<std::uint64_t>(::getpid());
  const auto now =
      static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  client.bytes[0] = 0x20;  // 2001:db8::/32, documentation space
  client.bytes[1] = 0x01;
  client.bytes[2] = 0x0d;
  client.bytes[3] = 0xb8;
  for (int i = 0; i < 4; ++i) client.bytes[4 + i] = static_cast<std::uint8_t>(pid >> (8 * i));
  for (int i = 0; i < 6; ++i) client.bytes[8 + i] = static_cast<std::uint8_t>(now >> (8 * i));
  client.bytes[14] = static_cast<std::uint8_t>(next >> 8);
  client.bytes[15] = static_cast<std::uint8_t>(next++);
  return client;
}

class RateLimiterContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    limiter_ = make_limiter();
    if (limiter_ == nullptr) GTEST_FAIL() << "no Redis: BOXOFFICE_TEST_REDIS_URL_FILE is not set";
  }

  std::unique_ptr<RateLimiter> make_limiter() {
    if (GetParam() == "memory") return std::make_unique<memory::RateLimiter>();
    const std::string url = testing::test_redis_url();
    if (url.empty()) return nullptr;
    return std::make_unique<redis::RateLimiter>(redis::parse_redis_endpoint(url).value());
  }

  RateVerdict take(const RateKey& key, RateLimit limit, RateLimiter* limiter = nullptr) {
    auto verdict = testing::run_coroutine(io_, (limiter ? *limiter : *limiter_).take(key, limit));
    EXPECT_TRUE(verdict.ok()) << verdict.error().detail;
    return verdict.ok() ? *verdict : RateVerdict{};
  }

  asio::io_context io_;
  std::unique_ptr<RateLimiter> limiter_;
};

TEST_P(RateLimiterContract, ABurstAtOnceThenRefusedWithTheWait) {
  const RateKey key{.client = fresh_client(), .rate_class = RateClass::holds};
  const RateLimit limit{.interval_us = 20 * second_us, .burst = 3};
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(take(key, limit).allowed) << i;
  const RateVerdict refused = take(key, limit);
  EXPECT_FALSE(refused.allowed);
  EXPECT_GT(refused.wait_us, 0);
  EXPECT_LE(refused.wait_us, 20 * second_us);
  EXPECT_GT(refused.wait_us, 15 * second_us);  // the test took less than 5 s
  // A refusal counts nothing: the next wait is no longer.
  const RateVerdict again = take(key, limit);
  EXPECT_FALSE(again.allowed);
  EXPECT_LE(again.wait_us, refused.wait_us);
}

TEST_P(RateLimiterContract, WaitingTheAnsweredWaitIsEnough) {
  const RateKey key{.client = fresh_client(), .rate_class = RateClass::other};
  const RateLimit limit{.interval_us = 300'000, .burst = 1};
  ASSERT_TRUE(take(key, limit).allowed);
  const RateVerdict refused = take(key, limit);
  ASSERT_FALSE(refused.allowed);
  EXPECT_LE(refused.wait_us, 300'000);
  std::this_thread::sleep_for(std::chrono::microseconds(refused.wait_us) + 5ms);
  EXPECT_TRUE(take(key, limit).allowed);
}

TEST_P(RateLimiterContract, ClientsClassesAndEventsHaveBucketsApart) {
  const RateLimit limit{.interval_us = 60 * second_us, .burst = 1};
  const RateKey key{.client = fresh_client(), .rate_class = RateClass::joins, .event_id = 7};
  ASSERT_TRUE(take(key, limit).allowed);
  ASSERT_FALSE(take(key, limit).allowed);
  RateKey other_client = key;
  other_client.client = fresh_client();
  EXPECT_TRUE(take(other_client, limit).allowed);
  RateKey other_event = key;
  other_event.event_id = 8;
  EXPECT_TRUE(take(other_event, limit).allowed);
  RateKey other_class = key;
  other_class.rate_class = RateClass::checkouts;
  other_class.event_id = 0;
  EXPECT_TRUE(take(other_class, limit).allowed);
  EXPECT_FALSE(take(key, limit).allowed);
}

INSTANTIATE_TEST_SUITE_P(Limiters, RateLimiterContract, ::testing::Values("memory", "redis"),
                         [](const auto& info) { return info.param; });

// --- Redis only ---------------------------------------------------------------------------

TEST(RedisRateLimiter, TwoNodesShareOneBucket) {
  const std::string url = testing::test_redis_url();
  ASSERT_FALSE(url.empty()) << "no Redis: BOXOFFICE_TEST_REDIS_URL_FILE is not set";
  asio::io_context io;
  redis::RateLimiter first(redis::parse_redis_endpoint(url).value());
  redis::RateLimiter second(redis::parse_redis_endpoint(url).value());
  const RateKey key{.client = fresh_client(), .rate_class = RateClass::holds};
  const RateLimit limit{.interval_us = 60 * second_us, .burst = 4};
  int allowed = 0;
  for (int i = 0; i < 6; ++i) {
    auto verdict = testing::run_coroutine(io, (i % 2 == 0 ? first : second).take(key, limit));
    ASSERT_TRUE(verdict.ok()) << verdict.error().detail;
    allowed += verdict->allowed ? 1 : 0;
  }
  EXPECT_EQ(allowed, 4);
}

TEST(RedisRateLimiter, KeysNameTheClassTheEventAndTheClient) {
  RateKey key{.rate_class = RateClass::holds};
  key.client.bytes[10] = 0xff;
  key.client.bytes[11] = 0xff;
  key.client.bytes[12] = 127;
  key.client.bytes[15] = 2;
  EXPECT_EQ(redis::RateLimiter::key_of(key), "rl:holds:127.0.0.2");
  key.rate_class = RateClass::joins;
  key.event_id = 7;
  EXPECT_EQ(redis::RateLimiter::key_of(key), "rl:joins:7:127.0.0.2");
  EXPECT_EQ(redis::RateLimiter::key_of({.client = fresh_client()}).substr(0, 18),
            "rl:other:2001:db8:");
}

TEST(RedisRateLimiter, NoRedisIsStoreUnavailable) {
  asio::io_context io;
  redis::RateLimiter limiter(redis::Address{"127.0.0.1", 1});  // nothing listens on port 1
  auto verdict = testing::run_coroutine(
      io,
      limiter.take({.client = fresh_client()}, RateLimit{.interval_us = second_us, .burst = 1}));
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.error().code, Errc::store_unavailable);
}

// --- in process only ----------------------------------------------------------------------

TEST(MemoryRateLimiter, BoundedAndOpenToNewcomersWhenFull) {
  std::int64_t now_us = 1'000 * second_us;
  memory::RateLimiter limiter([&now_us] { return now_us; },
                              {.entries_max = 4, .shards = 1, .sweep_pause_us = second_us});
  const RateLimit limit{.interval_us = 10 * second_us, .burst = 2};
  std::vector<RateKey> keys;
  for (int i = 0; i < 5; ++i) keys.push_back({.client = fresh_client()});
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(limiter.take_now(keys[i], limit).tracked);
  EXPECT_EQ(limiter.size(), 4u);
  // Full of clients whose buckets are not full again: the newcomer goes, uncounted.
  const RateVerdict newcomer = limiter.take_now(keys[4], limit);
  EXPECT_TRUE(newcomer.allowed);
  EXPECT_FALSE(newcomer.tracked);
  EXPECT_EQ(limiter.size(), 4u);
  // Those it keeps are still counted.
  EXPECT_TRUE(limiter.take_now(keys[0], limit).allowed);
  EXPECT_FALSE(limiter.take_now(keys[0], limit).allowed);
  // Once the others' buckets are full again, a sweep makes room (not before its pause).
  now_us += 10 * second_us;
  const RateVerdict later = limiter.take_now(keys[4], limit);
  EXPECT_TRUE(later.allowed);
  EXPECT_TRUE(later.tracked);
  EXPECT_EQ(limiter.size(), 2u);  // key 0 (TAT = now + 10 s) and the newcomer
}

TEST(MemoryRateLimiter, ThreadsShareOneBucketExactly) {
  memory::RateLimiter limiter([] { return 1'000 * second_us; });  // time stands still
  const RateKey key{.client = fresh_client(), .rate_class = RateClass::holds};
  const RateLimit limit{.interval_us = second_us, .burst = 1'000};
  std::atomic<int> allowed = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) allowed += limiter.take_now(key, limit).allowed ? 1 : 0;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), 1'000);
}

}  // namespace
}  // namespace boxoffice
