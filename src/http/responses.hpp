// The small pieces every route of the v1 API answers with: JSON bodies, 404s, conditional
// GETs, and reading path ids, query parameters and JSON bodies.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/errors.hpp"
#include "http/server.hpp"

namespace boxoffice::http {

Response json_response(bhttp::status status, std::string body);
Response json_response(bhttp::status status, const boost::json::object& body);
// 404 "<what> not found".
Response not_found(std::string_view what);
// 200 with `body`, or 304 when the request's If-None-Match has `etag`; both with the ETag and
// `cache_control`.
Response cached(const Request& request, std::string body, std::string_view etag,
                std::string_view cache_control);
// For an answer given because of the admin key (an unpublished event, the orders): no cache
// may keep it or hand it to anyone else, whatever the route would tell the public.
void keep_private(Response& response);
// Names `field` in the answer's Vary, beside those it names already.
void add_vary(Response& response, std::string_view field);

// Ids in paths are positive decimal integers; anything else names nothing.
std::optional<std::int64_t> parse_id(std::string_view text);
// The decoded value of a query parameter, or nullopt when the target has none of that name.
std::optional<std::string> query_param(const Request& request, std::string_view name);
// The body as JSON. The media type is not checked: curl's -d sends a form type, and the body
// itself says whether it is JSON. Errors: malformed_json.
Result<boost::json::value> json_body(const Request& request);

}  // namespace boxoffice::http
