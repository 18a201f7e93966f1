// The search service's counters, kept by its files and rendered by metrics.cpp.
#pragma once

#include <atomic>
#include <cstdint>

#include "services/metrics.hpp"
#include "services/search/search.hpp"

namespace boxoffice {

struct SearchService::Stats {
  Histogram lag;  // from a change seen by the catalog to it being searchable
  Counter applied;
  Counter rebuilds;
  Counter queries;
  Counter suggestions;
  std::atomic<std::int64_t> last_lag_ms = 0;
};

}  // namespace boxoffice
