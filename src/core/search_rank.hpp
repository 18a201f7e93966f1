// The arithmetic of search ranking, apart from the index so that it can be tested by itself.
//
// score = relevance × boosts. Relevance is FTS5's BM25 (negated: higher is better; 1 when the
// query has no words, so filters alone rank by the boosts). The boosts multiply, each near 1,
// so text relevance decides first and they order what matches about equally well:
//   on sale now with seats left   × 1.25      sold out           × 0.2 (sinks, still listed)
//   not on sale yet               × 1.0       starts soon        × up to 1.5, halving every 30 days
//   popularity (views + 20 × tickets sold seen by this node)   × (1 + 0.05 · ln(1 + p)), ≤ 1.5
// Past events are not ranked: the index drops them from answers unless asked.
#pragma once

#include <cstdint>

#include "core/time.hpp"

namespace boxoffice {

struct RankSignals {
  UnixMillis now = 0;
  UnixMillis starts_at = 0;
  UnixMillis on_sale_at = 0;
  bool sold_out = false;
  std::uint64_t views = 0;
  std::uint64_t tickets_sold = 0;
};

double rank_boost(const RankSignals& signals);

// Great-circle distance in kilometres (haversine, mean Earth radius 6,371 km).
double distance_km(double lat1, double lon1, double lat2, double lon2);

}  // namespace boxoffice
