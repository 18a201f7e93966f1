// The demo catalog of `boxoffice serve --demo`: what a newcomer sees first, so it should look
// like a real box office. Venues in real cities (a 20,000+ seat arena in a bowl around a court,
// a ~1,500-seat theatre with scored seats, a general-admission club, halls in Chicago, London
// and Berlin) and a few dozen events over the coming six months, given as the very request
// bodies an organizer would send, so loading it goes through the same validation as any other
// venue or event.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <vector>

#include "core/time.hpp"
#include "services/catalog.hpp"

namespace boxoffice::app {

// A venue as the body of POST /v1/venues, with the events to create at it as bodies of
// POST /v1/events (without "venue_id": the loader fills it in once the venue exists).
struct DemoVenue {
  boost::json::object venue;
  std::vector<boost::json::object> events;
};

// A realistic, deterministic catalog: the same now and seed give the same output. Times are
// RFC 3339 UTC strings computed from now_unix_seconds, at plausible local hours of each venue
// (daylight saving included). Most events are on sale already, a few go on sale later, and one
// each in Los Angeles and London starts tonight. The seed only varies the arena's row lengths.
std::vector<DemoVenue> demo_catalog(std::int64_t now_unix_seconds, std::uint64_t seed = 1);

// Creates and publishes demo_catalog(now) in `catalog`, through the API's own decoding and
// validation; answers how many events. Throws std::runtime_error if any of it is refused.
std::size_t load_demo_catalog(Catalog& catalog, UnixMillis now);

}  // namespace boxoffice::app
