#include "http/problem.hpp"

#include <boost/json/serialize.hpp>

namespace boxoffice::http {

Response problem(bhttp::status status, std::string_view slug, std::string_view title,
                 std::string_view detail, boost::json::object extra) {
  // The standard members first, as a reader expects them; an extension member never
  // replaces one of them.
  boost::json::object body;
  body.reserve(4 + extra.size());
  body["type"] = "/problems/" + std::string(slug);
  body["title"] = title;
  body["status"] = static_cast<int>(status);
  body["detail"] = detail;
  for (auto& member : extra) body.emplace(member.key(), std::move(member.value()));
  Response response{status, 11};
  response.set(bhttp::field::content_type, "application/problem+json");
  response.body() = boost::json::serialize(body);
  return response;
}

}  // namespace boxoffice::http
