#include "http/problem.hpp"

#include <boost/json/serialize.hpp>

namespace boxoffice::http {

bhttp::response<bhttp::string_body> problem(bhttp::status status, std::string_view slug,
                                            std::string_view title, std::string_view detail,
                                            boost::json::object extra) {
  boost::json::object body = std::move(extra);
  body["type"] = "/problems/" + std::string(slug);
  body["title"] = title;
  body["status"] = static_cast<int>(status);
  body["detail"] = detail;
  bhttp::response<bhttp::string_body> response{status, 11};
  response.set(bhttp::field::content_type, "application/problem+json");
  response.body() = boost::json::serialize(body);
  return response;
}

}  // namespace boxoffice::http
