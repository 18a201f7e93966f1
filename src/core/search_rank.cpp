#include "core/search_rank.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace boxoffice {

double rank_boost(const RankSignals& s) {
  double boost = 1.0;
  if (s.sold_out) {
    boost *= 0.2;
  } else if (s.on_sale_at <= s.now) {
    boost *= 1.25;
  }
  const double days_ahead =
      std::max<double>(0, static_cast<double>(s.starts_at - s.now) / 86'400'000.0);
  boost *= 1.0 + 0.5 * std::exp2(-days_ahead / 30.0);
  const double popularity =
      static_cast<double>(s.views) + 20.0 * static_cast<double>(s.tickets_sold);
  boost *= std::min(1.5, 1.0 + 0.05 * std::log1p(popularity));
  return boost;
}

double distance_km(double lat1, double lon1, double lat2, double lon2) {
  constexpr double radians = std::numbers::pi / 180.0;
  const double dlat = (lat2 - lat1) * radians;
  const double dlon = (lon2 - lon1) * radians;
  const double a =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(lat1 * radians) * std::cos(lat2 * radians) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * 6371.0 * std::asin(std::min(1.0, std::sqrt(a)));
}

}  // namespace boxoffice
