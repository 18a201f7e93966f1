// Wall-clock time at a venue, from its IANA time zone name, through the system's tz database
// (Howard Hinnant's date-tz, Debian's libhowardhinnant-date-dev, reading /usr/share/zoneinfo:
// g++ 12's <chrono> has no time zones yet). The one place that knows about zone rules; core/
// works with wall-clock LocalMillis given to it.
//
// Thread-safe. An unknown zone name counts as UTC (the catalog accepts any name today).
#pragma once

#include <string_view>

#include "core/search_query.hpp"
#include "core/time.hpp"

namespace boxoffice {

// The wall-clock time in `zone` at the instant `at`.
LocalMillis to_local(std::string_view zone, UnixMillis at);

// The instant at which `zone`'s wall clock shows `local`. A time that a DST change skips
// counts as the same time before the change; one it repeats, as its first occurrence.
UnixMillis to_utc(std::string_view zone, LocalMillis local);

// Whether the tz database knows the zone.
bool known_time_zone(std::string_view zone);

}  // namespace boxoffice
