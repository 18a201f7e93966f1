// Parsing of JSON request bodies (and of what the stores keep in that form) into a
// boost::json::value, refusing what Boost.JSON would quietly accept: an object that has the same
// key twice, of which boost::json::parse keeps the last. A client that sent {"seats":[...],
// "seats":[...]} meant something we can't know, so it is told rather than half-obeyed.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "core/errors.hpp"

namespace boxoffice {

// The value of `body`: malformed_json when it isn't JSON; invalid_field when an object, at any
// depth, has a key twice (the field is the path of that member, "layout.sections[2].id").
Result<boost::json::value> parse_json(std::string_view body);

}  // namespace boxoffice
