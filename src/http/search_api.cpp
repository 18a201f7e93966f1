#include "http/search_api.hpp"

#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <map>

#include "core/time.hpp"
#include "http/api_errors.hpp"
#include "http/search_json.hpp"

namespace boxoffice::http {
namespace {

using s = bhttp::status;

Response json_answer(std::string body, std::string_view cache_control) {
  Response response{s::ok, 11};
  response.set(bhttp::field::content_type, "application/json");
  response.set(bhttp::field::cache_control, cache_control);
  response.body() = std::move(body);
  return response;
}

Response bad(std::string field, std::string detail) {
  return problem_of(field_error(std::move(field), detail));
}

using Params = std::map<std::string, std::string, std::less<>>;

Params params_of(const Request& request) {
  Params params;
  auto url = boost::urls::parse_origin_form(request.target());
  if (!url) return params;
  for (const auto& param : url->params()) params.emplace(param.key, param.value);
  return params;
}

template <class T>
std::optional<T> number(std::string_view text) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The request, or the 400 to answer.
std::variant<SearchRequest, Response> read_request(const Params& params) {
  SearchRequest request;
  for (const auto& [key, value] : params) {
    if (key == "q") {
      request.q = value;
    } else if (key == "category" && !value.empty()) {
      request.category = value;
    } else if (key == "city" && !value.empty()) {
      request.city = value;
    } else if (key == "tz" && !value.empty()) {
      request.tz = value;
    } else if (key == "cursor" && !value.empty()) {
      request.cursor = value;
    } else if (key == "from" || key == "to") {
      const auto time = parse_rfc3339(value);
      if (!time) return bad(key, "an RFC 3339 time");
      (key == "from" ? request.from : request.to) = *time;
    } else if (key == "lat" || key == "lon" || key == "radius_km") {
      const auto x = number<double>(value);
      if (!x || !std::isfinite(*x)) return bad(key, "a number");
      (key == "lat" ? request.lat : key == "lon" ? request.lon : request.radius_km) = *x;
    } else if (key == "min_price" || key == "max_price") {
      const auto cents = number<std::int64_t>(value);
      if (!cents || *cents < 0) return bad(key, "a price in minor units (cents)");
      (key == "min_price" ? request.min_price_cents : request.max_price_cents) = *cents;
    } else if (key == "limit") {
      const auto limit = number<std::size_t>(value);
      if (!limit || *limit == 0 || *limit > search_limit_max) {
        return bad(key, "between 1 and " + std::to_string(search_limit_max));
      }
      request.limit = *limit;
    } else if (key == "include_past" || key == "include_sold_out") {
      if (value != "true" && value != "false") return bad(key, "true or false");
      (key == "include_past" ? request.include_past : request.include_sold_out) = value == "true";
    }
  }
  return request;
}

}  // namespace

void add_search_routes(Router& router, SearchService& search, Clock clock) {
  using P = Router::Params;
  router.add(bhttp::verb::get, "/v1/search",
             [&search, clock](Request& r, const P&) -> asio::awaitable<Response> {
               auto request = read_request(params_of(r));
               if (auto* failure = std::get_if<Response>(&request)) co_return std::move(*failure);
               auto answer = search.search(std::get<SearchRequest>(request), clock());
               if (!answer) co_return problem_of(answer.error());
               // Shared caches may keep an answer briefly: the index trails the catalog anyway.
               co_return json_answer(boost::json::serialize(search_results_json(*answer)),
                                     "public, max-age=5");
             });
  router.add(bhttp::verb::get, "/v1/search/suggest",
             [&search](Request& r, const P&) -> asio::awaitable<Response> {
               const Params params = params_of(r);
               const auto q = params.find("q");
               std::size_t limit = 8;
               if (const auto l = params.find("limit"); l != params.end()) {
                 const auto n = number<std::size_t>(l->second);
                 if (!n || *n == 0 || *n > suggest_limit_max) {
                   co_return bad("limit", "between 1 and " + std::to_string(suggest_limit_max));
                 }
                 limit = *n;
               }
               const std::string prefix = q == params.end() ? std::string() : q->second;
               co_return json_answer(
                   boost::json::serialize(suggestions_json(search.suggest(prefix, limit))),
                   "public, max-age=30");
             });
}

}  // namespace boxoffice::http
