// Time in boxoffice is a count of milliseconds since the Unix epoch, passed in by the caller:
// core/ never reads a clock, so expiry is tested by moving a number, not by sleeping.
// RFC 3339 is the wire form (the API's times); conversions live here and nowhere else.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace boxoffice {

using UnixMillis = std::int64_t;

inline constexpr UnixMillis millis_per_second = 1000;

// Parses "2026-12-05T19:30:00Z", "2026-12-05T19:30:00.250+01:00" (RFC 3339; 'T'/'t', 'Z'/'z').
// Answers nullopt for anything else, including impossible dates like February 30th.
std::optional<UnixMillis> parse_rfc3339(std::string_view text);

// Formats in UTC with a 'Z' and milliseconds only when they are not zero.
std::string format_rfc3339(UnixMillis time);

}  // namespace boxoffice
