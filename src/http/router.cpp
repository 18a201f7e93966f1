#include "http/router.hpp"

#include "http/problem.hpp"

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

void Router::add(bhttp::verb method, std::string_view pattern, RouteHandler handler) {
  const Path path = split_path(pattern);
  Route route{method, {}, std::move(handler)};
  for (std::size_t i = 0; i < path.count; ++i) route.segments.emplace_back(path.segments[i]);
  routes_.push_back(std::move(route));
}

asio::awaitable<Response> Router::dispatch(Request& request) const {
  const Path path = split_path(request.target());
  const bhttp::verb method =
      request.method() == bhttp::verb::head ? bhttp::verb::get : request.method();
  std::string allowed;
  for (const Route& route : routes_) {
    if (path.too_long || route.segments.size() != path.count) continue;
    bool matches = true;
    for (std::size_t i = 0; i < path.count && matches; ++i) {
      matches = is_parameter(route.segments[i]) ? !path.segments[i].empty()
                                                : literal_matches(route.segments[i], path.segments[i]);
    }
    if (!matches) continue;
    if (route.method != method) {
      if (!allowed.empty()) allowed += ", ";
      allowed += std::string(bhttp::to_string(route.method));
      if (route.method == bhttp::verb::get) allowed += ", HEAD";
      continue;
    }
    Params params;
    for (std::size_t i = 0; i < path.count; ++i) {
      const std::string& segment = route.segments[i];
      if (is_parameter(segment)) {
        params.add(std::string_view(segment).substr(1, segment.size() - 2),
                   decode_segment(path.segments[i]));
      }
    }
    co_return co_await route.handler(request, params);
  }
  if (!allowed.empty()) {
    Response response = problem(bhttp::status::method_not_allowed, "method-not-allowed",
                                "Method not allowed",
                                std::string(request.method_string()) + " is not allowed here");
    response.set(bhttp::field::allow, allowed);
    co_return response;
  }
  co_return problem(bhttp::status::not_found, "not-found", "Not found",
                    "no such resource: " +
                        std::string(request.target().substr(0, request.target().find('?'))));
}

Handler Router::handler() const {
  return [this](Request& request) { return dispatch(request); };
}

}  // namespace boxoffice::http
