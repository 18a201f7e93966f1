// The router with per-client rate limits (http/client_limits.hpp, services/rate_limits.hpp), on
// an in-process limiter with a simulated clock: 429 problem+json with Retry-After past the
// burst, one client's flood never another's, joins counted per event, probes never limited,
// unknown paths counted as `other`, a request with a body counted once, at its header, and a
// trusted balancer's clients counted by the address it forwards.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include "http/router.hpp"
#include "stores/memory/rate_limiter.hpp"

namespace boxoffice::http {
namespace {

constexpr std::int64_t second_us = 1'000'000;

RateLimitSettings test_limits() {
  RateLimitSettings settings;
  settings.limits[static_cast<std::size_t>(RateClass::joins)] =
      RateLimit{.interval_us = 60 * second_us, .burst = 1};
  settings.limits[static_cast<std::size_t>(RateClass::holds)] =
      RateLimit{.interval_us = second_us, .burst = 2};
  settings.limits[static_cast<std::size_t>(RateClass::checkouts)] = std::nullopt;
  settings.limits[static_cast<std::size_t>(RateClass::other)] =
      RateLimit{.interval_us = second_us, .burst = 3};
  return settings;
}

Router::RouteHandler ok() {
  return [](Request&, const Router::Params&) -> asio::awaitable<Response> {
    co_return Response{bhttp::status::ok, 11};
  };
}

template <class T>
T run(asio::awaitable<T> work) {
  asio::io_context io;
  std::optional<T> result;
  asio::co_spawn(io, std::move(work), [&](std::exception_ptr error, T value) {
    if (error) std::rethrow_exception(error);
    result = std::move(value);
  });
  io.run();
  return std::move(*result);
}

class ClientLimitsTest : public ::testing::Test {
 protected:
  explicit ClientLimitsTest(TrustedProxies trusted = {})
      : client_limits_(std::move(trusted), limits_) {
    using v = bhttp::verb;
    router_.add(v::post, "/v1/events/{id}/holds", Access::anyone, RateClass::holds, ok());
    router_.add(v::post, "/v1/events/{id}/queue", Access::anyone, RateClass::joins, ok());
    router_.add(v::post, "/v1/holds/{id}/checkout", Access::anyone, RateClass::checkouts, ok());
    router_.add(v::get, "/v1/events/{id}", ok());
    router_.add(v::get, "/healthz", Access::anyone, std::nullopt, ok());
    router_.limit(client_limits_);
  }

  static Request request(bhttp::verb method, const std::string& target,
                         const char* forwarded_for = nullptr) {
    Request request{method, target, 11};
    if (forwarded_for != nullptr) request.set("X-Forwarded-For", forwarded_for);
    return request;
  }

  Response dispatch(bhttp::verb method, const std::string& target, const char* peer,
                    const char* forwarded_for = nullptr, bool admitted = false) {
    Request asked = request(method, target, forwarded_for);
    const RequestContext context{.peer = asio::ip::make_address(peer), .admitted = admitted};
    return run(router_.dispatch(asked, context));
  }

  Admission admit(const std::string& target, const char* peer) {
    const Request header = request(bhttp::verb::post, target);
    const RequestContext context{.peer = asio::ip::make_address(peer)};
    return run(router_.admit_body(header, context));
  }

  unsigned hold(const char* peer, const char* forwarded_for = nullptr) {
    return dispatch(bhttp::verb::post, "/v1/events/1/holds", peer, forwarded_for).result_int();
  }

  std::uint64_t limited(RateClass rate_class) const {
    return metrics_.rate_limited[static_cast<std::size_t>(rate_class)].value();
  }

  std::int64_t now_us_ = 1'800'000'000'000'000;
  memory::RateLimiter limiter_{[this] { return now_us_; }};
  Metrics metrics_;
  RateLimits limits_{test_limits(), limiter_, limiter_, metrics_};
  ClientLimits client_limits_;
  Router router_;
};

TEST_F(ClientLimitsTest, PastTheBurstIs429WithRetryAfterAndOthersGoOn) {
  EXPECT_EQ(hold("127.0.0.2"), 200u);
  EXPECT_EQ(hold("127.0.0.2"), 200u);
  const Response refused = dispatch(bhttp::verb::post, "/v1/events/1/holds", "127.0.0.2");
  EXPECT_EQ(refused.result(), bhttp::status::too_many_requests);
  EXPECT_EQ(refused[bhttp::field::content_type], "application/problem+json");
  EXPECT_EQ(refused[bhttp::field::retry_after], "1");
  const boost::json::object body = boost::json::parse(refused.body()).as_object();
  EXPECT_EQ(body.at("type"), "/problems/rate-limited");
  EXPECT_EQ(body.at("status"), 429);
  EXPECT_EQ(body.at("retry_after"), 1);
  EXPECT_FALSE(refused["X-Request-Id"].empty());
  EXPECT_EQ(limited(RateClass::holds), 1u);
  EXPECT_EQ(hold("127.0.0.3"), 200u);  // another client
  EXPECT_EQ(dispatch(bhttp::verb::get, "/v1/events/1", "127.0.0.2").result_int(), 200u);
  now_us_ += second_us;
  EXPECT_EQ(hold("127.0.0.2"), 200u);
  EXPECT_EQ(hold("127.0.0.2"), 429u);
}

TEST_F(ClientLimitsTest, JoinsAreCountedPerEventAndUnlimitedClassesNever) {
  const auto join = [this](const std::string& event) {
    return dispatch(bhttp::verb::post, "/v1/events/" + event + "/queue", "127.0.0.2");
  };
  EXPECT_EQ(join("1").result_int(), 200u);
  const Response again = join("1");
  EXPECT_EQ(again.result_int(), 429u);
  EXPECT_EQ(again[bhttp::field::retry_after], "60");
  EXPECT_EQ(join("2").result_int(), 200u);
  EXPECT_EQ(limited(RateClass::joins), 1u);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(dispatch(bhttp::verb::get, "/healthz", "127.0.0.2").result_int(), 200u);
    ASSERT_EQ(dispatch(bhttp::verb::post, "/v1/holds/ab/checkout", "127.0.0.2").result_int(), 200u);
  }
}

TEST_F(ClientLimitsTest, UnknownPathsCountAsOther) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(dispatch(bhttp::verb::get, "/nope", "127.0.0.2").result_int(), 404u);
  }
  EXPECT_EQ(dispatch(bhttp::verb::get, "/nope", "127.0.0.2").result_int(), 429u);
  EXPECT_EQ(dispatch(bhttp::verb::get, "/v1/events/1", "127.0.0.2").result_int(), 429u);
  EXPECT_EQ(limited(RateClass::other), 2u);
}

TEST_F(ClientLimitsTest, ABodysRequestIsCountedOnceAtItsHeader) {
  for (int i = 0; i < 2; ++i) {
    const Admission admission = admit("/v1/events/1/holds", "127.0.0.2");
    ASSERT_FALSE(admission.refusal) << i;
    // The server then hands the whole request over, saying it was admitted: not counted again.
    EXPECT_EQ(
        dispatch(bhttp::verb::post, "/v1/events/1/holds", "127.0.0.2", nullptr, true).result_int(),
        200u);
  }
  const Admission refused = admit("/v1/events/1/holds", "127.0.0.2");
  ASSERT_TRUE(refused.refusal);
  EXPECT_EQ(refused.refusal->result(), bhttp::status::too_many_requests);
  EXPECT_EQ((*refused.refusal)[bhttp::field::retry_after], "1");
  EXPECT_FALSE(admit("/v1/events/1/holds", "127.0.0.3").refusal);
}

TEST_F(ClientLimitsTest, AnUntrustedPeersForwardedForIsIgnored) {
  EXPECT_EQ(hold("127.0.0.2", "203.0.113.1"), 200u);
  EXPECT_EQ(hold("127.0.0.2", "203.0.113.2"), 200u);
  EXPECT_EQ(hold("127.0.0.2", "203.0.113.3"), 429u);
}

class BehindABalancer : public ClientLimitsTest {
 protected:
  BehindABalancer() : ClientLimitsTest(TrustedProxies({*parse_cidr("127.0.0.0/8")})) {}
};

TEST_F(BehindABalancer, TheForwardedClientIsCounted) {
  EXPECT_EQ(hold("127.0.0.1", "203.0.113.1"), 200u);
  EXPECT_EQ(hold("127.0.0.1", "203.0.113.1"), 200u);
  EXPECT_EQ(hold("127.0.0.1", "203.0.113.1"), 429u);
  EXPECT_EQ(hold("127.0.0.1", "203.0.113.2"), 200u);
  EXPECT_EQ(hold("127.0.0.9", "198.51.100.7, 203.0.113.2"), 200u);  // the right-most counts
  EXPECT_EQ(hold("127.0.0.9", "203.0.113.2"), 429u);
  // Garbage from the balancer: counted as the balancer itself.
  EXPECT_EQ(hold("127.0.0.1", "garbage"), 200u);
}

}  // namespace
}  // namespace boxoffice::http
