// The search routes: GET /v1/search and GET /v1/search/suggest (services/search/search.hpp
// does the work; this file reads query parameters into a SearchRequest, and http/search_json
// writes the typed answers as JSON). Kept apart from api.cpp, which routes the organizer's
// calls, including POST /v1/search/rebuild.
#pragma once

#include "http/router.hpp"
#include "services/clock.hpp"
#include "services/search/search.hpp"

namespace boxoffice::http {

void add_search_routes(Router& router, SearchService& search, Clock clock);

}  // namespace boxoffice::http
