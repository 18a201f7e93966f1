// What a request filters on, resolved against one index (search.cpp makes it), and the test
// that every candidate of a query's pass must pass (scan.cpp applies it to each, narrowing.cpp
// picks posting lists from it). The test reads only the Doc in memory, never SQL.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/search_query.hpp"
#include "core/search_rank.hpp"
#include "services/search/index.hpp"

namespace boxoffice::search_detail {

struct Filters {
  std::optional<std::uint16_t> category;
  bool category_unknown = false;  // asked for a category that no event has: nothing matches
  std::vector<bool> cities;       // by city id; empty: any city
  std::optional<std::array<double, 3>> geo;  // lat, lon, radius in km
  std::optional<DateRange> local;            // of the venue's wall clock
  std::optional<UnixMillis> from, to;
  std::optional<std::int64_t> min_price, max_price;
  bool include_past = false;
  bool include_sold_out = true;
};

// Whether a Doc passes; the cheap tests first, the distance last.
inline bool passes(const Doc& doc, const Filters& f, UnixMillis now, bool sold_out) {
  if (!doc.live) return false;
  if (f.category && doc.category != *f.category) return false;
  if (!f.cities.empty() && (doc.city >= f.cities.size() || !f.cities[doc.city])) return false;
  if (f.local && (doc.local_start < f.local->from || doc.local_start >= f.local->to)) return false;
  if (f.from && doc.starts_at < *f.from) return false;
  if (f.to && doc.starts_at >= *f.to) return false;
  if (f.min_price && doc.min_price < *f.min_price) return false;
  if (f.max_price && doc.min_price > *f.max_price) return false;
  if (!f.include_past && doc.starts_at < now) return false;
  if (!f.include_sold_out && sold_out) return false;
  if (f.geo && distance_km((*f.geo)[0], (*f.geo)[1], doc.lat, doc.lon) > (*f.geo)[2]) return false;
  return true;
}

}  // namespace boxoffice::search_detail
