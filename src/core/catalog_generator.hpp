// A realistic catalog of any size, made up from a seed: venues in real cities (core/cities),
// performers by category (artists and bands with genres, teams in leagues, shows, comedians,
// family shows), events at evening and weekend times across a year, price levels by category.
// For tests (a few hundred events), the demo, and the search benchmark (a million).
//
// Deterministic: the same options give the same catalog on every machine (its own PRNG, no
// <random> distributions, whose results differ between standard libraries). Pure: the time
// zone arithmetic is passed in.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "core/catalog.hpp"
#include "core/search_query.hpp"

namespace boxoffice {

struct GeneratorOptions {
  std::size_t events = 1000;
  std::uint64_t seed = 1;
  UnixMillis start = 0;  // events start between this and start + days
  int days = 365;
  // 0: about one venue per 400 events, at least 8 and at most 4,000.
  std::size_t venues = 0;
};

struct GeneratedCatalog {
  // Venue ids are 1..venues.size() and events' venue_id refer to them; each layout is one
  // general-admission area sized like the venue. Event ids are 1..events.size(); every event
  // is published.
  std::vector<Venue> venues;
  std::vector<Event> events;
};

// `to_utc(zone, wall_clock)`: the instant a venue's clock shows that time (services/time_zones).
using ToUtc = std::function<UnixMillis(std::string_view zone, LocalMillis local)>;

GeneratedCatalog generate_catalog(const GeneratorOptions& options, const ToUtc& to_utc);

}  // namespace boxoffice
