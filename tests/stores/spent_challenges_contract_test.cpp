// One contract, two implementations of the used challenges (services/spent_challenges.hpp): in
// process and in Redis (the ctest fixture "redis"). Redis expires keys by its own clock, so
// the shared part runs on real time with short-lived challenges. Then Redis only (two nodes
// share the set) and the in-process table only (its bound).
#include <gtest/gtest.h>
#include <sodium.h>

#include <chrono>
#include <thread>

#include "../support/run_coroutine.hpp"
#include "../support/test_redis.hpp"
#include "services/spent_challenges.hpp"
#include "stores/memory/spent_challenges.hpp"
#include "stores/redis/spent_challenges.hpp"

namespace boxoffice {
namespace {

using namespace std::chrono_literals;

UnixMillis real_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A challenge nobody else has (random nonce, an event of this process), expiring `ttl_ms` on.
JoinChallenge fresh_challenge(UnixMillis ttl_ms) {
  JoinChallenge challenge{testing::fresh_event_id(), real_now() + ttl_ms, 10};
  randombytes_buf(challenge.nonce.data(), challenge.nonce.size());
  return challenge;
}

std::unique_ptr<SpentChallenges> make_redis() {
  const std::string url = testing::test_redis_url();
  if (url.empty()) return nullptr;
  return std::make_unique<redis::SpentChallenges>(redis::parse_redis_endpoint(url).value());
}

class SpentChallengesContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    spent_ = GetParam() == "memory" ? std::make_unique<memory::SpentChallenges>() : make_redis();
    if (spent_ == nullptr) GTEST_FAIL() << "no Redis: BOXOFFICE_TEST_REDIS_URL_FILE is not set";
  }
  Result<bool> spend(const JoinChallenge& challenge, SpentChallenges* spent = nullptr) {
    return testing::run_coroutine(io_, (spent ? *spent : *spent_).spend(challenge, real_now()));
  }

  boost::asio::io_context io_;
  std::unique_ptr<SpentChallenges> spent_;
};

TEST_P(SpentChallengesContract, AChallengeIsSpentOnce) {
  const JoinChallenge challenge = fresh_challenge(60'000);
  EXPECT_TRUE(spend(challenge).value());
  EXPECT_FALSE(spend(challenge).value());
  EXPECT_FALSE(spend(challenge).value());
  JoinChallenge other = challenge;
  other.nonce[0] ^= 1;
  EXPECT_TRUE(spend(other).value());
  JoinChallenge other_event = challenge;
  other_event.event_id += 1;
  EXPECT_TRUE(spend(other_event).value());
}

TEST_P(SpentChallengesContract, ForgottenOnceExpired) {
  const JoinChallenge challenge = fresh_challenge(100);
  EXPECT_TRUE(spend(challenge).value());
  EXPECT_FALSE(spend(challenge).value());
  std::this_thread::sleep_for(200ms);
  // (A join would refuse it as expired first; forgetting it is what keeps the set small.)
  EXPECT_TRUE(spend(challenge).value());
}

INSTANTIATE_TEST_SUITE_P(Stores, SpentChallengesContract, ::testing::Values("memory", "redis"),
                         [](const auto& info) { return info.param; });

TEST(SpentChallengesRedis, TwoNodesShareTheSet) {
  auto first = make_redis();
  auto second = make_redis();
  ASSERT_TRUE(first && second) << "no Redis: BOXOFFICE_TEST_REDIS_URL_FILE is not set";
  boost::asio::io_context io;
  const JoinChallenge challenge = fresh_challenge(60'000);
  EXPECT_TRUE(testing::run_coroutine(io, first->spend(challenge, real_now())).value());
  EXPECT_FALSE(testing::run_coroutine(io, second->spend(challenge, real_now())).value());
}

TEST(SpentChallengesMemory, AFullTableRefusesRatherThanForgets) {
  memory::SpentChallenges spent(2);
  boost::asio::io_context io;
  const UnixMillis now = real_now();
  JoinChallenge a = fresh_challenge(1'000), b = fresh_challenge(1'000), c = fresh_challenge(1'000);
  EXPECT_TRUE(testing::run_coroutine(io, spent.spend(a, now)).value());
  EXPECT_TRUE(testing::run_coroutine(io, spent.spend(b, now)).value());
  const auto full = testing::run_coroutine(io, spent.spend(c, now));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, Errc::store_unavailable);
  EXPECT_FALSE(testing::run_coroutine(io, spent.spend(a, now)).value());  // still known
  // Once they expire, room again.
  EXPECT_TRUE(testing::run_coroutine(io, spent.spend(c, now + 2'000)).value());
}

}  // namespace
}  // namespace boxoffice
