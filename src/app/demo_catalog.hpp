// The demo catalog of `boxoffice serve --demo`: venues in real cities (a 20,000+ seat arena in
// a bowl, a ~1,500-seat theatre with seat scores, general-admission clubs, halls) and a few
// dozen events over the coming months, as the very request bodies an organizer would send,
// so loading it goes through the same validation as any other venue or event.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <vector>

namespace boxoffice::app {

// A venue as the body of POST /v1/venues, with the events to create at it as bodies of
// POST /v1/events (without "venue_id": the loader fills it in once the venue exists).
struct DemoVenue {
  boost::json::object venue;
  std::vector<boost::json::object> events;
};

// Deterministic: the same now and seed give the same catalog. Times are RFC 3339 UTC.
std::vector<DemoVenue> demo_catalog(std::int64_t now_unix_seconds, std::uint64_t seed = 1);

}  // namespace boxoffice::app
