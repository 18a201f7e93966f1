#include "http/responses.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include "core/json_reader.hpp"
#include "core/numbers.hpp"
#include "http/problem.hpp"

namespace boxoffice::http {

Response json_response(bhttp::status status, std::string body) {
  Response response{status, 11};
  response.set(bhttp::field::content_type, "application/json");
  response.body() = std::move(body);
  return response;
}

Response json_response(bhttp::status status, const boost::json::object& body) {
  return json_response(status, boost::json::serialize(body));
}

void add_vary(Response& response, std::string_view field) {
  const std::string_view vary = response[bhttp::field::vary];
  if (vary.empty()) {
    response.set(bhttp::field::vary, field);
  } else if (vary.find(field) == std::string_view::npos) {
    response.set(bhttp::field::vary, std::string(vary) + ", " + std::string(field));
  }
}

void keep_private(Response& response) {
  response.set(bhttp::field::cache_control, "private, no-store");
  add_vary(response, "Authorization");
}

Response not_found(std::string_view what) {
  return problem(bhttp::status::not_found, "not-found", "Not found",
                 std::string(what) + " not found");
}

namespace {

bool not_modified(const Request& request, std::string_view etag) {
  const auto match = request[bhttp::field::if_none_match];
  return !match.empty() && (match == etag || match == "*" || match.find(etag) != match.npos);
}

}  // namespace

Response cached(const Request& request, std::string body, std::string_view etag,
                std::string_view cache_control) {
  Response response = not_modified(request, etag)
                          ? Response{bhttp::status::not_modified, 11}
                          : json_response(bhttp::status::ok, std::move(body));
  response.set(bhttp::field::etag, etag);
  response.set(bhttp::field::cache_control, cache_control);
  return response;
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  const auto id = parse_whole_number<std::int64_t>(text);
  if (!id || *id <= 0) return std::nullopt;
  return id;
}

std::optional<std::string> query_param(const Request& request, std::string_view name) {
  // The common case by hand, for a status poll's token: a query with no escapes ('%', '+').
  // Anything else goes through Boost.URL, which decodes.
  const std::string_view target(request.target().data(), request.target().size());
  const std::size_t question = target.find('?');
  const auto escaped = [](char c) { return c == '%' || c == '+'; };
  if (question != std::string_view::npos &&
      std::none_of(target.begin() + static_cast<std::ptrdiff_t>(question), target.end(), escaped)) {
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
      const std::size_t amp = query.find('&');
      const std::string_view part = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      const std::size_t equals = part.find('=');
      if (part.substr(0, equals) != name) continue;
      return std::string(equals == std::string_view::npos ? std::string_view()
                                                          : part.substr(equals + 1));
    }
    return std::nullopt;
  }
  auto url = boost::urls::parse_origin_form(request.target());
  if (!url) return std::nullopt;
  for (const auto& param : url->params()) {
    if (param.key == name) return std::string(param.value);
  }
  return std::nullopt;
}

Result<boost::json::value> json_body(const Request& request) { return parse_json(request.body()); }

}  // namespace boxoffice::http
