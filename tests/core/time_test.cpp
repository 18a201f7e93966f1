#include "core/time.hpp"

#include <gtest/gtest.h>

namespace boxoffice {
namespace {

TEST(Time, ParsesUtcAndOffsets) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("2026-12-05T19:30:00Z"), 1'796'499'000'000);
  EXPECT_EQ(parse_rfc3339("2026-12-05T20:30:00+01:00"), 1'796'499'000'000);
  EXPECT_EQ(parse_rfc3339("2026-12-05t11:30:00-08:00"), 1'796'499'000'000);
  EXPECT_EQ(parse_rfc3339("2026-12-05T19:30:00.250Z"), 1'796'499'000'250);
  EXPECT_EQ(parse_rfc3339("2026-12-05T19:30:00.2509999Z"), 1'796'499'000'250);
  EXPECT_EQ(parse_rfc3339("2024-02-29T00:00:00Z"), 1'709'164'800'000);
  EXPECT_EQ(parse_rfc3339("1969-12-31T23:59:59Z"), -1000);
}

TEST(Time, RejectsWhatIsNotRfc3339) {
  for (const char* text :
       {"", "2026-12-05", "2026-12-05T19:30:00", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z",
        "2026-12-05T24:00:00Z", "2026-13-01T00:00:00Z", "2026-12-05T19:30:00Zjunk",
        "2026-12-05 19:30:00Z", "2026-12-05T19:30:00.Z", "2026-12-05T19:30:00+0100",
        "26-12-05T19:30:00Z", "2026-12-05T19:60:00Z"}) {
    EXPECT_FALSE(parse_rfc3339(text).has_value()) << text;
  }
}

TEST(Time, FormatsInUtcAndRoundTrips) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1'796'499'000'250), "2026-12-05T19:30:00.250Z");
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999Z");
  for (const UnixMillis t : {0LL, 1LL, -1000LL, 951'782'400'000LL, 4'102'444'800'123LL}) {
    EXPECT_EQ(parse_rfc3339(format_rfc3339(t)), t);
  }
}

}  // namespace
}  // namespace boxoffice
