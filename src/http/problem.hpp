// RFC 9457 problem details: every error boxoffice answers is application/problem+json with a
// `type` (a relative URI "/problems/<slug>", documented in docs/api.md), a fixed `title` per
// type, the `status`, a `detail` about this occurrence, and extension members.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "http/server.hpp"

namespace boxoffice::http {

Response problem(bhttp::status status, std::string_view slug, std::string_view title,
                 std::string_view detail, boost::json::object extra = {});

}  // namespace boxoffice::http
