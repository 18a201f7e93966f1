#include "core/rate_limit.hpp"

#include <algorithm>
#include <string>

#include "core/numbers.hpp"

namespace boxoffice {
namespace {

constexpr std::int64_t micros_per_second = 1'000'000;

Error spec_error(const std::string& field, std::string_view text, std::string_view what) {
  return quoted_field_error(field, text, what);
}

// The microseconds in one UNIT of "RATE/UNIT", or 0 for none we know.
std::int64_t unit_us(std::string_view unit) {
  if (unit == "s") return micros_per_second;
  if (unit == "min") return 60 * micros_per_second;
  if (unit == "h") return 3600 * micros_per_second;
  return 0;
}

}  // namespace

bool is_valid(const RateLimit& limit) {
  return limit.interval_us >= rate_interval_us_min && limit.burst >= 1 &&
         limit.burst <= rate_burst_max &&
         limit.interval_us <= rate_refill_us_max / static_cast<std::int64_t>(limit.burst);
}

GcraStep gcra_take(std::int64_t tat_us, std::int64_t now_us, const RateLimit& limit) {
  BOXOFFICE_CHECK(is_valid(limit));
  const std::int64_t tat = std::max(tat_us, now_us);
  const std::int64_t tolerance_us =
      (static_cast<std::int64_t>(limit.burst) - 1) * limit.interval_us;
  const std::int64_t ahead_us = tat - now_us;
  if (ahead_us > tolerance_us)
    return {.allowed = false, .tat_us = tat_us, .wait_us = ahead_us - tolerance_us};
  return {.allowed = true, .tat_us = tat + limit.interval_us, .wait_us = 0};
}

std::int64_t retry_after_seconds(std::int64_t wait_us) {
  return std::max<std::int64_t>(1, (wait_us + micros_per_second - 1) / micros_per_second);
}

Result<std::optional<RateLimit>> parse_rate_limit(std::string_view text, const std::string& field) {
  if (text == "off") return std::optional<RateLimit>();
  const std::size_t slash = text.find('/');
  const std::size_t colon = text.find(':');
  if (slash == std::string_view::npos || colon == std::string_view::npos || colon < slash) {
    return spec_error(field, text, "a limit is RATE/UNIT:BURST (\"1/s:20\", \"10/min:10\") or off");
  }
  const auto rate = parse_whole_number<std::int64_t>(text.substr(0, slash));
  const std::int64_t per_us = unit_us(text.substr(slash + 1, colon - slash - 1));
  const auto burst = parse_whole_number<std::uint32_t>(text.substr(colon + 1));
  if (!rate || *rate < 1) return spec_error(field, text, "RATE is a whole number of at least 1");
  if (per_us == 0) return spec_error(field, text, "UNIT is s, min or h");
  if (!burst || *burst < 1 || *burst > rate_burst_max) {
    return spec_error(field, text, "BURST is a whole number from 1 to 1000000");
  }
  if (*rate > per_us) return spec_error(field, text, "at most 1000000 a second");
  // Rounded to the nearest microsecond: "3/s" is one every 333,333 µs.
  const RateLimit limit{.interval_us = (per_us + *rate / 2) / *rate, .burst = *burst};
  if (!is_valid(limit)) return spec_error(field, text, "a full burst must come back within a day");
  return std::optional<RateLimit>(limit);
}

}  // namespace boxoffice
