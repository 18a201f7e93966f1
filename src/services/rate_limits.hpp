// Per-client rate limits by route class: which limit each class has, which limiter keeps its
// buckets, and what happens when a limiter can't answer. Who the client is (its address, or
// the one a trusted balancer forwards) and the 429 answer are the HTTP edge's
// (http/client_limits).
//
// The classes, and their defaults, which a fan never meets (a person clicking seats, retyping
// a card or reloading a page stays far below them; a script does not):
//   joins      a waiting room's POST /queue, per client and event: 10 at once, then 10 a
//              minute (a flood of numbers from one address can't jam a room)
//   holds      POST /holds: 20 at once, then 1 a second
//   checkouts  POST /checkout: 10 at once, then 1 a second
//   other      every other route (pages, seat maps, status polls, organizer calls, unknown
//              paths), except /healthz, /readyz and /metrics: 200 at once, then 50 a second
// An address many people share (a carrier's NAT) meets them sooner; `--rate-limit` changes
// them per node. An event may set its own joins and holds limits (Event::rate_limits): its
// requests are then counted in buckets of their own, per client and event, so one event's
// looser or tighter limit leaves every other event's as it was. A class the node switched off
// stays off for every event. Checkouts name a hold, not an event: the node's limit alone.
//
// In cluster mode joins, holds and checkouts are counted in Redis (`shared`), so a client's
// limit holds whichever node it reaches; `other` is counted in each node's process (`local`):
// it guards that node's CPU, and a Redis round trip per page or status poll would cost more
// than the answer. In the embedded mode both are the process's.
//
// Fails open: when a limiter can't answer (Redis unreachable), the request is served and
// counted (Metrics::rate_limit_errors). Refusing everyone while the limiter is down would turn
// a Redis outage into a full one; serving unlimited for a while is the lesser harm.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string_view>

#include "core/rate_limit.hpp"
#include "services/metrics.hpp"
#include "services/rate_limiter.hpp"

namespace boxoffice {

struct RateLimitSettings {
  std::array<std::optional<RateLimit>, rate_classes> limits = {
      RateLimit{.interval_us = 6'000'000, .burst = 10},  // joins: 10 a minute
      RateLimit{.interval_us = 1'000'000, .burst = 20},  // holds: 1 a second
      RateLimit{.interval_us = 1'000'000, .burst = 10},  // checkouts: 1 a second
      RateLimit{.interval_us = 20'000, .burst = 200},    // other: 50 a second
  };
};

// Applies one `--rate-limit` option, "CLASS=LIMIT" (core/rate_limit.hpp: "holds=2/s:40",
// "other=off"), CLASS one of joins, holds, checkouts, other, or all. invalid_field otherwise.
Status apply_rate_limit_option(std::string_view text, RateLimitSettings& settings);

class RateLimits {
 public:
  // An event's own limit of a class, if it has one (called from any thread).
  using EventLimit = std::function<std::optional<RateLimit>(std::int64_t event_id, RateClass)>;

  // `local` and `shared` (which may be the same) must outlive this.
  RateLimits(RateLimitSettings settings, RateLimiter& local, RateLimiter& shared, Metrics& metrics,
             EventLimit event_limit = {});

  // Whether requests of this class are limited at all (when not, take() need not be asked).
  bool limits(RateClass rate_class) const {
    return settings_.limits[static_cast<std::size_t>(rate_class)].has_value();
  }
  // Counts one request of `client` in `rate_class` (for joins, on `event_id`'s room): nullopt
  // when it may go on, else the µs it must wait (the request is refused, and counted in
  // Metrics::rate_limited). Never fails: see "Fails open" above. Safe from any thread.
  boost::asio::awaitable<std::optional<std::int64_t>> take(RateClass rate_class,
                                                           const ClientId& client,
                                                           std::int64_t event_id);

 private:
  const RateLimitSettings settings_;
  RateLimiter& local_;
  RateLimiter& shared_;
  Metrics& metrics_;
  const EventLimit event_limit_;
};

}  // namespace boxoffice
