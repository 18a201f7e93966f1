#include "http/router.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>
#include <random>

#include "core/check.hpp"
#include "core/numbers.hpp"
#include "http/api_errors.hpp"
#include "http/problem.hpp"
#include "http/responses.hpp"

namespace boxoffice::http {
namespace {

constexpr std::size_t path_segments_max = 16;

struct Path {
  std::array<std::string_view, path_segments_max> segments;
  std::size_t count = 0;
  bool too_long = false;
};

// "/v1/events/7?x=1" → ["v1", "events", "7"]. The root "/" has no segments.
Path split_path(std::string_view target) {
  Path path;
  target = target.substr(0, target.find('?'));
  if (target.empty() || target.front() != '/') {
    path.too_long = true;  // not an origin-form path: matches nothing
    return path;
  }
  target.remove_prefix(1);
  if (target.empty()) return path;
  for (;;) {
    const std::size_t slash = target.find('/');
    if (path.count == path_segments_max) {
      path.too_long = true;
      return path;
    }
    path.segments[path.count++] = target.substr(0, slash);
    if (slash == std::string_view::npos) return path;
    target.remove_prefix(slash + 1);
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes a segment; a malformed escape is kept as it is (and then matches nothing).
std::string decode_segment(std::string_view segment) {
  std::string decoded;
  decoded.reserve(segment.size());
  for (std::size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '%' && i + 2 < segment.size()) {
      const int high = hex_value(segment[i + 1]);
      const int low = hex_value(segment[i + 2]);
      if (high >= 0 && low >= 0) {
        decoded.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    decoded.push_back(segment[i]);
  }
  return decoded;
}

bool is_parameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool literal_matches(std::string_view pattern, std::string_view segment) {
  if (segment.find('%') == std::string_view::npos) return pattern == segment;
  return pattern == decode_segment(segment);
}

// The client's X-Request-Id if it is one we can echo safely, else "".
std::string_view valid_request_id(std::string_view given) {
  constexpr std::size_t request_id_bytes_max = 128;
  if (given.size() > request_id_bytes_max) return {};
  for (const char c : given) {
    if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') return {};
  }
  return given;
}

// A request id of our own: 16 hex digits.
using FreshRequestId = std::array<char, 16>;

// A per-thread random start and a counter, unique enough to find a request in the logs, and
// cheap (no system call per request).
FreshRequestId fresh_request_id() {
  thread_local std::uint64_t next = [] {
    std::random_device random;
    return (static_cast<std::uint64_t>(random()) << 32) ^ random();
  }();
  static constexpr char digits[] = "0123456789abcdef";
  std::uint64_t value = next++;
  FreshRequestId id;
  for (auto digit = id.rbegin(); digit != id.rend(); ++digit, value >>= 4) {
    *digit = digits[value & 0xf];
  }
  return id;
}

// A request target inside a JSON string of the access log.
std::string json_escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out;
}

// The target as logs may keep it. A holder route's path names its hold or order, whose id is
// the right to act on it: `secret_path` (the route's pattern) stands in for the path. A query
// parameter that carries a token (the queue status's ?token=) keeps its name, not its value.
std::string loggable_target(std::string_view secret_path, std::string_view target) {
  const std::size_t query_at = target.find('?');
  std::string out(secret_path.empty() ? target.substr(0, query_at) : secret_path);
  if (query_at == std::string_view::npos) return json_escaped(out);
  std::string_view query = target.substr(query_at + 1);
  char separator = '?';
  while (!query.empty()) {
    const std::size_t end = query.find('&');
    const std::string_view pair = query.substr(0, end);
    query = end == std::string_view::npos ? std::string_view() : query.substr(end + 1);
    const std::string_view name = pair.substr(0, pair.find('='));
    out += separator;
    separator = '&';
    const bool secret = name.find("token") != std::string_view::npos || name == "code";
    out += secret ? std::string(name) + "=-" : std::string(pair);
  }
  return json_escaped(out);
}

// A 500 answer is a bug report: its detail (from problem_of, or the exception a handler threw)
// is logged with the request id, and the answer carries the request id to quote.
void report_internal_error(const Request& request, std::string_view secret_path, Response& response,
                           std::string_view request_id) {
  const auto detail = response[internal_error_detail_field];
  spdlog::error("request {}: {} {}: {}", request_id, std::string(request.method_string()),
                loggable_target(secret_path, request.target()),
                std::string_view(detail.data(), detail.size()));
  response.erase(internal_error_detail_field);
  boost::system::error_code error;
  boost::json::value body = boost::json::parse(response.body(), error);
  if (error || !body.is_object()) return;
  body.as_object()["request_id"] = request_id;
  response.body() = boost::json::serialize(body);
}

// The answer of a handler that threw: a bug, answered 500 and reported like one.
Response thrown_error(const std::exception_ptr& thrown) {
  std::string what = "unknown exception";
  try {
    std::rethrow_exception(thrown);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  Response response = problem(bhttp::status::internal_server_error, "internal-error",
                              "Internal error", "the server failed to answer; it is logged");
  response.set(internal_error_detail_field, "threw: " + what);
  return response;
}

// The {id} of an event's route, when it is one.
std::optional<std::int64_t> event_id_of(const Router::Params& params) {
  const auto id = parse_whole_number<std::int64_t>(params.get("id"));
  if (!id || *id <= 0) return std::nullopt;
  return id;
}

}  // namespace

std::string_view Router::Params::get(std::string_view name) const {
  for (const auto& [key, value] : values_) {
    if (key == name) return value;
  }
  return {};
}

void Router::Params::add(std::string_view name, std::string value) {
  values_.emplace_back(name, std::move(value));
}

void Router::add(bhttp::verb method, std::string_view pattern, Access access,
                 std::optional<RateClass> rate, RouteHandler handler, std::size_t body_bytes_max) {
  const Path path = split_path(pattern);
  Route route{method, std::string(pattern), {}, access, rate, body_bytes_max, std::move(handler)};
  for (std::size_t i = 0; i < path.count; ++i) route.segments.emplace_back(path.segments[i]);
  routes_.push_back(std::move(route));
}

const Router::Route* Router::match(const Request& request, std::string& allowed,
                                   Params& params) const {
  const Path path = split_path(request.target());
  const bhttp::verb method =
      request.method() == bhttp::verb::head ? bhttp::verb::get : request.method();
  for (const Route& route : routes_) {
    if (path.too_long || route.segments.size() != path.count) continue;
    bool matches = true;
    for (std::size_t i = 0; i < path.count && matches; ++i) {
      matches = is_parameter(route.segments[i])
                    ? !path.segments[i].empty()
                    : literal_matches(route.segments[i], path.segments[i]);
    }
    if (!matches) continue;
    if (route.method != method) {
      if (!allowed.empty()) allowed += ", ";
      allowed += std::string(bhttp::to_string(route.method));
      if (route.method == bhttp::verb::get) allowed += ", HEAD";
      continue;
    }
    for (std::size_t i = 0; i < path.count; ++i) {
      const std::string& segment = route.segments[i];
      if (is_parameter(segment)) {
        params.add(std::string_view(segment).substr(1, segment.size() - 2),
                   decode_segment(path.segments[i]));
      }
    }
    return &route;
  }
  return nullptr;
}

// The answer when no route matched: 405 for a known path, else 404.
Response Router::unrouted(const Request& request, const std::string& allowed) {
  if (!allowed.empty()) {
    Response response =
        problem(bhttp::status::method_not_allowed, "method-not-allowed", "Method not allowed",
                std::string(request.method_string()) + " is not allowed here");
    response.set(bhttp::field::allow, allowed);
    return response;
  }
  return problem(
      bhttp::status::not_found, "not-found", "Not found",
      "no such resource: " + std::string(request.target().substr(0, request.target().find('?'))));
}

std::optional<Response> Router::refuse_at_header(const Route& route, const Request& header,
                                                 Params& params) const {
  if (route.access == Access::anyone && header[bhttp::field::authorization].empty()) {
    return std::nullopt;  // the hot path: nothing to check, nobody to recognise
  }
  BOXOFFICE_CHECK(gatekeeper_ != nullptr);
  return gatekeeper_->check_header(route.access, header, event_id_of(params), params.caller);
}

bool Router::limited(const Route* route) const {
  if (limits_ == nullptr) return false;
  if (route == nullptr) return limits_->limits(RateClass::other);
  return route->rate && limits_->limits(*route->rate);
}

asio::awaitable<std::optional<Response>> Router::check_rate(const Route* route,
                                                            const Params& params,
                                                            const Request& header,
                                                            const RequestContext& context) const {
  const RateClass rate = route != nullptr ? *route->rate : RateClass::other;
  return limits_->check(rate, event_id_of(params).value_or(0), header, context.peer);
}

asio::awaitable<Admission> Router::admit_body(const Request& header,
                                              const RequestContext& context) const {
  std::string allowed;
  Params params;
  const Route* route = match(header, allowed, params);
  if (limited(route)) {
    std::optional<Response> refused = co_await check_rate(route, params, header, context);
    if (refused) co_return Admission{.refusal = std::move(refused)};
  }
  if (route == nullptr) co_return Admission{.refusal = unrouted(header, allowed)};
  co_return Admission{.body_bytes_max = route->body_bytes_max,
                      .refusal = refuse_at_header(*route, header, params)};
}

asio::awaitable<Response> Router::dispatch(Request& request, const RequestContext& context) const {
  std::string allowed;
  Params params;
  const Route* route = match(request, allowed, params);
  const auto started = std::chrono::steady_clock::now();
  Response response;
  // Awaited here, not in helpers: a nested coroutine frame per request costs. And no co_await
  // in a conditional expression: g++ 12 destroys the temporaries of one twice.
  try {
    std::optional<Response> early;  // an answer before the handler's
    if (!context.admitted && limited(route)) {
      early = co_await check_rate(route, params, request, context);
    }
    if (!early && route == nullptr) early = unrouted(request, allowed);
    if (!early) early = refuse_at_header(*route, request, params);
    if (!early && route->access == Access::admitted) {
      if (const auto event_id = event_id_of(params)) {
        early = co_await gatekeeper_->check_session(request, *event_id, params.caller);
      }
    }
    if (early) {
      response = std::move(*early);
    } else {
      response = co_await route->handler(request, params);
    }
  } catch (...) {
    response = thrown_error(std::current_exception());
  }
  if (params.caller.organizer) keep_private(response);
  compression_->apply(request, response);
  finish(request, route, started, response);
  co_return response;
}

void Router::finish(const Request& request, const Route* route,
                    std::chrono::steady_clock::time_point started, Response& response) const {
  // A holder route's pattern stands in for its path in the logs (see loggable_target).
  const std::string_view secret_path = route != nullptr && route->access == Access::holder
                                           ? std::string_view(route->pattern)
                                           : std::string_view();
  FreshRequestId fresh;
  std::string_view request_id = valid_request_id(request["X-Request-Id"]);
  if (request_id.empty()) {
    fresh = fresh_request_id();
    request_id = std::string_view(fresh.data(), fresh.size());
  }
  if (response.result() == bhttp::status::internal_server_error) {
    report_internal_error(request, secret_path, response, request_id);
  }
  response.set("X-Request-Id", request_id);
  if (metrics_ == nullptr) return;
  const auto elapsed = std::chrono::steady_clock::now() - started;
  const std::size_t index =
      route ? static_cast<std::size_t>(route - routes_.data()) : routes_.size();
  RouteMetrics& stats = *metrics_->routes[index];
  const unsigned status = response.result_int();
  stats.responses_by_status[status < stats.responses_by_status.size() ? status : 0].add();
  stats.latency.observe(elapsed);
  if (access_log_) {
    spdlog::info(R"({{"request_id":"{}","method":"{}","route":"{}","target":"{}","status":{},)"
                 R"("latency_ms":{:.3f}}})",
                 request_id, std::string(request.method_string()), stats.pattern,
                 loggable_target(secret_path, request.target()), status,
                 std::chrono::duration<double, std::milli>(elapsed).count());
  }
}

void Router::instrument(Metrics& metrics, bool access_log) {
  metrics_ = &metrics;
  access_log_ = access_log;
  metrics.routes.clear();
  for (const Route& route : routes_) {
    auto stats = std::make_unique<RouteMetrics>();
    stats->method = std::string(bhttp::to_string(route.method));
    stats->pattern = route.pattern;
    metrics.routes.push_back(std::move(stats));
  }
  auto unmatched = std::make_unique<RouteMetrics>();
  unmatched->method = "any";
  unmatched->pattern = "unmatched";
  metrics.routes.push_back(std::move(unmatched));
}

Handler Router::handler() const {
  return [this](Request& request, const RequestContext& context) {
    return dispatch(request, context);
  };
}

}  // namespace boxoffice::http
