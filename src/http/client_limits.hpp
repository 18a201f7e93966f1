// Per-client rate limits at the HTTP edge: who the client of a request is (http/client_address:
// its peer, or the address a trusted balancer forwards), and the answer when it asked too often
// for its route's class: 429 rate-limited, with Retry-After in whole seconds. The limits and
// where they are counted are services/rate_limits'. The router asks before the gate and the
// handler, and, for a request with a body, as soon as its header is in, so a refused client's
// body is never read.
#pragma once

#include <optional>

#include "http/client_address.hpp"
#include "http/server.hpp"
#include "services/rate_limits.hpp"

namespace boxoffice::http {

class ClientLimits {
 public:
  // `limits` must outlive this.
  ClientLimits(TrustedProxies trusted, RateLimits& limits)
      : trusted_(std::move(trusted)), limits_(limits) {}

  // Whether requests of this class are limited at all (when not, check() need not be asked).
  bool limits(RateClass rate_class) const { return limits_.limits(rate_class); }
  // Counts a request of `rate_class` (on event `event_id`, for joins) from the client of
  // `header` that came from `peer`: nullopt to go on, else the 429 to answer.
  asio::awaitable<std::optional<Response>> check(RateClass rate_class, std::int64_t event_id,
                                                 const Request& header,
                                                 const asio::ip::address& peer) const;

 private:
  const TrustedProxies trusted_;
  RateLimits& limits_;
};

}  // namespace boxoffice::http
