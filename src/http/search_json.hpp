// The JSON of the search routes: SearchResults and Suggestions (services/search/search.hpp) as
// GET /v1/search and GET /v1/search/suggest answer them (README, "Search"). The members, their
// order and their numbers are what clients have always read: scores rounded to 4 decimals,
// distances to 0.1 km, doubles in Boost.JSON's notation ("lat":3.4112E1), times in RFC 3339
// (a venue's wall-clock time without a zone), every optional member left out when absent but
// next_cursor, which is null on the last page.
#pragma once

#include <boost/json/object.hpp>

#include "services/search/search.hpp"

namespace boxoffice::http {

boost::json::object search_results_json(const SearchResults& results);
boost::json::object suggestions_json(const Suggestions& suggestions);

}  // namespace boxoffice::http
