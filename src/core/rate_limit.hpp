// A rate limit and the arithmetic that enforces it: the generic cell rate algorithm (GCRA),
// with time passed in, so it is tested against a model (tests/core/rate_limit_test.cpp).
//
// A limit is a sustained rate, one request per `interval_us`, and a `burst`: that many
// requests may come at once after a quiet spell. It is the token bucket of `burst` tokens that
// gains one every interval, kept as one number instead of two: the theoretical arrival time
// (TAT), when the bucket would be full again at the sustained rate. A request at `now` finds
// the bucket at max(TAT, now); it may go when that is at most (burst - 1) intervals ahead of
// now, and it moves the TAT one interval later. A refused request changes nothing, and is told
// exactly how long until one would go. A client whose TAT is in the past has a full bucket, so
// forgetting it changes nothing: a table of buckets only keeps clients with TAT > now.
//
// The same arithmetic runs in Redis for cluster mode (stores/redis/rate_limit_script.hpp), on
// the same integers: every bound below keeps them exact in a Lua number (a double).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/errors.hpp"

namespace boxoffice {

struct RateLimit {
  std::int64_t interval_us = 1'000'000;  // one request per interval, sustained
  std::uint32_t burst = 1;               // requests at once from a full bucket; at least 1
};

// Bounds of a limit: a rate of at most a million a second, a burst of at most a million, and
// a bucket that refills (burst × interval) within a day, which keeps TAT - now below 2^37 µs.
constexpr std::int64_t rate_interval_us_min = 1;
constexpr std::uint32_t rate_burst_max = 1'000'000;
constexpr std::int64_t rate_refill_us_max = 86'400'000'000;

// Whether `limit` is within the bounds above.
bool is_valid(const RateLimit& limit);

struct GcraStep {
  bool allowed = false;
  std::int64_t tat_us = 0;   // the bucket's TAT after this request (unchanged when refused)
  std::int64_t wait_us = 0;  // refused: how long until a request would be allowed (> 0)
};

// One request at `now_us` against a bucket whose TAT is `tat_us` (0, or anything not after
// now, for a full bucket). Requires is_valid(limit).
GcraStep gcra_take(std::int64_t tat_us, std::int64_t now_us, const RateLimit& limit);

// A wait as HTTP's Retry-After says it: whole seconds, rounded up, at least 1.
std::int64_t retry_after_seconds(std::int64_t wait_us);

// A limit as an operator writes it: "RATE/UNIT:BURST", where UNIT is s, min or h ("1/s:20":
// one a second sustained, 20 at once; "10/min:10"), or "off" (nullopt: no limit).
// invalid_field (of `field`) with a sentence for a person when it is not one, or out of
// bounds.
Result<std::optional<RateLimit>> parse_rate_limit(std::string_view text,
                                                  const std::string& field = "rate_limit");

}  // namespace boxoffice
