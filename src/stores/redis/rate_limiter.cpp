#include "stores/redis/rate_limiter.hpp"

#include <boost/asio/ip/address_v6.hpp>

#include "stores/redis/rate_limit_script.hpp"

namespace boxoffice::redis {
namespace asio = boost::asio;

namespace {

// A client as text: dotted for IPv4, else its /64's address.
std::string client_text(const ClientId& client) {
  const asio::ip::address_v6 address(client.bytes);
  if (address.is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address).to_string();
  }
  return address.to_string();
}

}  // namespace

RateLimiter::RateLimiter(Endpoint endpoint)
    : connections_(std::move(endpoint)), scripts_({std::string(rate_limit_script::take)}) {}

std::string RateLimiter::key_of(const RateKey& key) {
  std::string text = "rl:";
  text += name_of(key.rate_class);
  text += ':';
  if (key.rate_class == RateClass::joins) {
    text += std::to_string(key.event_id);
    text += ':';
  }
  text += client_text(key.client);
  return text;
}

asio::awaitable<Result<RateVerdict>> RateLimiter::take(const RateKey& key, RateLimit limit) {
  Client* client = co_await connections_.here();
  const std::vector<std::string> keys{key_of(key)};
  const std::vector<std::string> args{std::to_string(limit.interval_us),
                                      std::to_string(limit.burst)};
  auto reply = co_await scripts_.run(*client, 0, keys, args);
  if (!reply) co_return std::move(reply).error();
  if (reply->type != Reply::Type::integer || reply->integer < 0) co_return unexpected(*reply);
  if (reply->integer == 0) co_return RateVerdict{};
  co_return RateVerdict{.allowed = false, .wait_us = reply->integer};
}

}  // namespace boxoffice::redis
