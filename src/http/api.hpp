// The v1 HTTP API of docs/api.md: which routes there are, who may call each (http/access.hpp),
// and how requests and answers are read and written (status, headers, caching). The services
// do the work; the handlers only translate. One file per part of the API:
//   catalog_api.cpp   venues, events, seat maps, the search index's rebuild
//   booking_api.cpp   availability (and its live stream), holds, checkout, orders
//   queue_api.cpp     the waiting room
//   api.cpp           health, readiness, metrics, and the whole table of routes
#pragma once

#include <functional>

#include "http/booking_json.hpp"
#include "http/router.hpp"
#include "services/booking.hpp"
#include "services/catalog.hpp"
#include "services/clock.hpp"
#include "services/live_seats.hpp"
#include "services/metrics.hpp"
#include "services/search/search.hpp"
#include "services/waiting_room.hpp"

namespace boxoffice::http {

// What the API's handlers use (copied by add_api_routes); what it refers to must outlive the
// router.
struct ApiServices {
  Catalog& catalog;
  Booking& booking;
  Metrics& metrics;
  AvailabilityAnswers& availability;
  LiveSeats* live = nullptr;                   // none: the live stream's route answers 404
  WaitingRoomService* waiting_room = nullptr;  // none: the queue routes answer 404, no gating
  Presales* presales = nullptr;                // none: no access-code route, no presale joins
  SearchService* search = nullptr;             // told of views and sales; rebuilt on demand
  std::function<bool()> ready;                 // are the stores reachable? (GET /readyz)
  Clock clock;
};

void add_api_routes(Router& router, const ApiServices& services);

// The parts (each in its own file).
void add_catalog_routes(Router& router, const ApiServices& services);
void add_booking_routes(Router& router, std::shared_ptr<const ApiServices> api);
void add_queue_routes(Router& router, std::shared_ptr<const ApiServices> api);
void add_presale_routes(Router& router, std::shared_ptr<const ApiServices> api);

// What GET /v1/events/{id} answers, for the catalog to keep with each version of an event
// (its EventEncoder): the event's details, its venue's, and its price range.
std::string encode_event_details(const Event& event, const Venue* venue);

// The event of an {id} if the caller may see it: published, or the caller is the organizer.
std::shared_ptr<const EventView> visible_event(Catalog& catalog, const Router::Params& params);

}  // namespace boxoffice::http
