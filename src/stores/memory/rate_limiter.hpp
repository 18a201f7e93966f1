// The embedded mode's rate-limit buckets (services/rate_limiter.hpp), in process: each bucket
// is one number, its TAT (core/rate_limit.hpp), in a table keyed by client, class and event,
// split into shards each under its own mutex, so that the server's threads seldom meet. A
// request locks one shard for one lookup. Time is a monotonic clock in microseconds, passed in.
//
// Bounded: at most entries_max buckets (by default 262,144, about 18 MiB at most). A bucket
// that is full again (TAT not after now) means the same as no bucket, so it may go at any
// time; the table drops them only when it needs room: a shard that is full sweeps out all its
// full buckets. A sweep that frees no more than an eighth of the shard waits sweep_pause_us
// before the next, so a table full of busy clients costs one sweep a second, not one per
// request; meanwhile a client it has no bucket for is allowed without one (tracked = false,
// which services/rate_limits counts). So a table that overflows fails open for the newcomers
// (an attacker with that many addresses is not stopped by per-address limits anyway), and
// never refuses a fan it has not seen.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "services/clock.hpp"
#include "services/rate_limiter.hpp"

namespace boxoffice::memory {

struct RateLimiterOptions {
  std::size_t entries_max = 262'144;  // buckets kept, over all shards
  std::size_t shards = 16;
  std::int64_t sweep_pause_us = 1'000'000;
};

class RateLimiter final : public boxoffice::RateLimiter {
 public:
  using Options = RateLimiterOptions;

  explicit RateLimiter(MicroClock now_us = steady_now_us, Options options = {});

  boost::asio::awaitable<Result<RateVerdict>> take(const RateKey& key, RateLimit limit) override;
  // take(), without a coroutine: never fails.
  RateVerdict take_now(const RateKey& key, const RateLimit& limit);
  // Buckets kept now.
  std::size_t size() const;

 private:
  struct KeyHash {
    std::size_t operator()(const RateKey& key) const;
    unsigned char secret[16];  // crypto_shorthash (SipHash-2-4) key: colliding keys can't be chosen
  };
  struct Shard {
    explicit Shard(const KeyHash& hash) : tats(0, hash) {}
    mutable std::mutex mutex;
    std::unordered_map<RateKey, std::int64_t, KeyHash> tats;  // key → TAT (µs)
    std::int64_t next_sweep_us = 0;
  };

  // Room for one more bucket in `shard` (locked) at `now_us`: whether there is, after a sweep if
  // one is due.
  bool make_room(Shard& shard, std::int64_t now_us) const;

  const MicroClock now_us_;
  const Options options_;
  const std::size_t shard_capacity_;
  KeyHash hash_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace boxoffice::memory
