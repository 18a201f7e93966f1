// The v1 HTTP API of DESIGN.md: routes, request parsing, authorisation of organizer calls,
// and the shape of answers (status, headers, caching). The services do the work; this file
// only translates. See docs/api.md for the contract by example.
#pragma once

#include "http/router.hpp"
#include "services/booking.hpp"
#include "services/catalog.hpp"
#include "services/live_seats.hpp"
#include "services/clock.hpp"
#include "services/metrics.hpp"
#include "services/search/search.hpp"
#include "services/waiting_room.hpp"

#include <functional>
#include <string>

namespace boxoffice::http {

struct ApiOptions {
  std::string admin_key;               // organizer calls carry "Authorization: Bearer <key>"
  std::function<bool()> ready;         // are the stores reachable? (GET /readyz)
  LiveSeats* live = nullptr;           // live seat maps; none → their route answers 404
  WaitingRoomService* waiting_room = nullptr;  // none → no queue routes' answers but 404, no gating
  SearchService* search = nullptr;  // told of views and sales (popularity); rebuilt on demand
};

void add_api_routes(Router& router, Catalog& catalog, Booking& booking, Metrics& metrics,
                    ApiOptions options, Clock clock);

}  // namespace boxoffice::http
