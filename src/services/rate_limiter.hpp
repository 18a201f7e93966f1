// Where clients' rate-limit buckets are kept (core/rate_limit.hpp says how one decides): in
// process for the embedded mode (stores/memory/rate_limiter), in Redis for cluster mode
// (stores/redis/rate_limiter), where one bucket holds for every node. One contract, tested
// against both (tests/stores/rate_limiter_contract_test.cpp). Which limit applies to which
// request, and what happens when a limiter can't answer, is services/rate_limits' business.
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <compare>
#include <cstdint>
#include <string_view>

#include "core/errors.hpp"
#include "core/rate_limit.hpp"

namespace boxoffice {

// Who a limit counts for: a client's address as 16 bytes, an IPv4 address in its IPv6 form
// (::ffff:a.b.c.d), an IPv6 address cut to its /64 (one host may use a whole /64). Made by
// http/client_address.
struct ClientId {
  std::array<std::uint8_t, 16> bytes{};
  auto operator<=>(const ClientId&) const = default;
};

// What a request counts against. Every route is of one class (http/api.cpp), or of none.
enum class RateClass : std::uint8_t { joins, holds, checkouts, other };
constexpr std::size_t rate_classes = 4;

// "joins", "holds", "checkouts", "other": in flags, keys and metrics.
constexpr std::string_view name_of(RateClass rate_class) {
  switch (rate_class) {
    case RateClass::joins:
      return "joins";
    case RateClass::holds:
      return "holds";
    case RateClass::checkouts:
      return "checkouts";
    case RateClass::other:
      return "other";
  }
  return "other";
}

// One bucket: a client's, for one class; joins also per event (0 for the other classes).
struct RateKey {
  ClientId client;
  RateClass rate_class = RateClass::other;
  std::int64_t event_id = 0;
  auto operator<=>(const RateKey&) const = default;
};

struct RateVerdict {
  bool allowed = true;
  std::int64_t wait_us = 0;  // refused: how long until a request of this key would be allowed
  bool tracked = true;       // false: allowed without being counted (the limiter's table was full)
};

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Counts one request against `key`'s bucket under `limit` (which is_valid), now: allowed, or
  // refused with the exact wait. A refused request changes nothing. Every call with the same
  // key must pass the same limit. Safe from any thread and any io_context.
  // Errors: store_unavailable when the buckets can't be reached (nothing was counted).
  virtual boost::asio::awaitable<Result<RateVerdict>> take(const RateKey& key, RateLimit limit) = 0;
};

}  // namespace boxoffice
