#include "http/client_limits.hpp"

#include <string>

#include "http/api_errors.hpp"

namespace boxoffice::http {

asio::awaitable<std::optional<Response>> ClientLimits::check(RateClass rate_class,
                                                             std::int64_t event_id,
                                                             const Request& header,
                                                             const asio::ip::address& peer) const {
  const ClientId client = client_id_of(client_address(peer, header, trusted_));
  const std::optional<std::int64_t> wait_us = co_await limits_.take(rate_class, client, event_id);
  if (!wait_us) co_return std::nullopt;
  const std::int64_t seconds = retry_after_seconds(*wait_us);
  std::string detail = "too many requests of this kind (";
  detail += name_of(rate_class);
  detail += ") from this client: ask again in ";
  detail += std::to_string(seconds);
  detail += " s";
  co_return problem_of(
      make_error(Errc::rate_limited, std::move(detail), {.retry_after_seconds = seconds}));
}

}  // namespace boxoffice::http
