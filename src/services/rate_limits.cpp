#include "services/rate_limits.hpp"

#include <string>

namespace boxoffice {

Status apply_rate_limit_option(std::string_view text, RateLimitSettings& settings) {
  const std::size_t equals = text.find('=');
  const std::string_view name = text.substr(0, equals);
  std::optional<std::size_t> only;  // nullopt: all classes
  for (std::size_t i = 0; i < rate_classes; ++i) {
    if (name == name_of(static_cast<RateClass>(i))) only = i;
  }
  if (equals == std::string_view::npos || (!only && name != "all")) {
    std::string detail = "\"";
    detail += text;
    detail += "\": write CLASS=LIMIT, CLASS one of joins, holds, checkouts, other, all";
    return field_error("rate_limit", detail);
  }
  auto limit = parse_rate_limit(text.substr(equals + 1));
  if (!limit) return std::move(limit).error();
  for (std::size_t i = 0; i < rate_classes; ++i) {
    if (!only || *only == i) settings.limits[i] = *limit;
  }
  return ok_status();
}

RateLimits::RateLimits(RateLimitSettings settings, RateLimiter& local, RateLimiter& shared,
                       Metrics& metrics, EventLimit event_limit)
    : settings_(settings),
      local_(local),
      shared_(shared),
      metrics_(metrics),
      event_limit_(std::move(event_limit)) {
  for (const auto& limit : settings_.limits) BOXOFFICE_CHECK(!limit || is_valid(*limit));
}

boost::asio::awaitable<std::optional<std::int64_t>> RateLimits::take(RateClass rate_class,
                                                                     const ClientId& client,
                                                                     std::int64_t event_id) {
  const auto index = static_cast<std::size_t>(rate_class);
  std::optional<RateLimit> limit = settings_.limits[index];
  if (!limit) co_return std::nullopt;
  bool per_event = rate_class == RateClass::joins;  // a flood of one room's numbers
  const bool event_may_choose = rate_class == RateClass::joins || rate_class == RateClass::holds;
  if (event_may_choose && event_id != 0 && event_limit_) {
    if (const std::optional<RateLimit> own = event_limit_(event_id, rate_class)) {
      limit = own;
      per_event = true;
    }
  }
  const RateKey key{
      .client = client, .rate_class = rate_class, .event_id = per_event ? event_id : 0};
  RateLimiter& limiter = rate_class == RateClass::other ? local_ : shared_;
  const Result<RateVerdict> verdict = co_await limiter.take(key, *limit);
  if (!verdict) {
    metrics_.rate_limit_errors.add();  // served: fails open
    co_return std::nullopt;
  }
  if (!verdict->tracked) metrics_.rate_limit_untracked.add();
  if (verdict->allowed) co_return std::nullopt;
  metrics_.rate_limited[index].add();
  co_return verdict->wait_us;
}

}  // namespace boxoffice
