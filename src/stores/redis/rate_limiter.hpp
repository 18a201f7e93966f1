// Cluster mode's rate-limit buckets (services/rate_limiter.hpp) in Redis, shared by every node:
// each request is one EVALSHA of one script (stores/redis/rate_limit_script.hpp) on the calling
// thread's own connection, so a client's limit holds whichever node it reaches, with Redis's
// clock. A bucket is one key, "rl:<class>:<client>" ("rl:joins:<event>:<client>" for joins),
// that expires when the bucket is full again: Redis keeps only clients that asked lately.
// When Redis can't be reached, take() answers store_unavailable; services/rate_limits then
// serves the request (fails open) and counts it.
#pragma once

#include <string>

#include "services/rate_limiter.hpp"
#include "stores/redis/scripts.hpp"

namespace boxoffice::redis {

class RateLimiter final : public boxoffice::RateLimiter {
 public:
  explicit RateLimiter(Endpoint endpoint);

  boost::asio::awaitable<Result<RateVerdict>> take(const RateKey& key, RateLimit limit) override;

  // The key of `key`'s bucket ("rl:holds:127.0.0.2", "rl:joins:7:2001:db8:1:2::").
  static std::string key_of(const RateKey& key);

 private:
  Connections connections_;
  Scripts scripts_;
};

}  // namespace boxoffice::redis
