// RFC 3339 in and out (core/time.hpp): the API's only time format, so every accepted form and
// every rejection is pinned down here.
#include "core/time.hpp"

#include <gtest/gtest.h>

#include <string>

namespace boxoffice {
namespace {

constexpr UnixMillis evening = 1'796'499'000'000;  // 2026-12-05T19:30:00Z

TEST(Time, ParsesUtc) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:01Z"), 1'000);
  EXPECT_EQ(parse_rfc3339("2026-12-05T19:30:00Z"), evening);
  EXPECT_EQ(parse_rfc3339("2000-01-01T00:00:00Z"), 946'684'800'000);
  EXPECT_EQ(parse_rfc3339("2038-01-19T03:14:08Z"), 2'147'483'648'000);  // past 32-bit seconds
  EXPECT_EQ(parse_rfc3339("9999-12-31T23:59:59Z"), 253'402'300'799'000);
}

TEST(Time, LowerCaseSeparatorsAreAccepted) {
  EXPECT_EQ(parse_rfc3339("2026-12-05t19:30:00z"), evening);
  EXPECT_EQ(parse_rfc3339("2026-12-05t19:30:00Z"), evening);
}

TEST(Time, OffsetsAreSubtracted) {
  EXPECT_EQ(parse_rfc3339("2026-12-05T20:30:00+01:00"), evening);
  EXPECT_EQ(parse_rfc3339("2026-12-05T11:30:00-08:00"), evening);
  EXPECT_EQ(parse_rfc3339("2026-12-06T01:00:00+05:30"), evening);  // India
  EXPECT_EQ(parse_rfc3339("2026-12-05T19:30:00+00:00"), evening);
  EXPECT_EQ(parse_rfc3339("2026-12-05T19:30:00-00:00"), evening);
  EXPECT_EQ(parse_rfc3339("2026-12-06T19:29:00+23:59"), evening);
  // An offset that crosses the day, month and year boundary.
  EXPECT_EQ(parse_rfc3339("2026-12-31T23:00:00-02:00"), parse_rfc3339("2027-01-01T01:00:00Z"));
}

TEST(Time, FractionsAreMillisecondsTruncated) {
  EXPECT_EQ(parse_rfc3339("2026-12-05T19:30:00.5Z"), evening + 500);
  EXPECT_EQ(parse_rfc3339("2026-12-05T19:30:00.25Z"), evening + 250);
  EXPECT_EQ(parse_rfc3339("2026-12-05T19:30:00.250Z"), evening + 250);
  EXPECT_EQ(parse_rfc3339("2026-12-05T19:30:00.007Z"), evening + 7);
  EXPECT_EQ(parse_rfc3339("2026-12-05T19:30:00.0009Z"), evening);
  EXPECT_EQ(parse_rfc3339("2026-12-05T19:30:00.999999999Z"), evening + 999);  // 9 digits: ns
  EXPECT_EQ(parse_rfc3339("2026-12-05T20:30:00.125+01:00"), evening + 125);
}

TEST(Time, LeapYears) {
  EXPECT_EQ(parse_rfc3339("2024-02-29T00:00:00Z"), 1'709'164'800'000);
  EXPECT_EQ(parse_rfc3339("2000-02-29T00:00:00Z"), 951'782'400'000);  // divisible by 400
  EXPECT_FALSE(parse_rfc3339("1900-02-29T00:00:00Z"));                // by 100, not 400
  EXPECT_FALSE(parse_rfc3339("2025-02-29T00:00:00Z"));
  EXPECT_EQ(*parse_rfc3339("2024-03-01T00:00:00Z") - *parse_rfc3339("2024-02-28T00:00:00Z"),
            2 * 86'400'000);
}

TEST(Time, NegativeTimesBeforeTheEpoch) {
  EXPECT_EQ(parse_rfc3339("1969-12-31T23:59:59Z"), -1'000);
  EXPECT_EQ(parse_rfc3339("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:59:59+01:00"), -1'000);
  EXPECT_EQ(parse_rfc3339("1900-01-01T00:00:00Z"), -2'208'988'800'000);
  EXPECT_EQ(parse_rfc3339("0000-01-01T00:00:00Z"), -62'167'219'200'000);
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(-1'000), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_rfc3339(-86'400'000), "1969-12-31T00:00:00Z");
  EXPECT_EQ(format_rfc3339(-86'400'001), "1969-12-30T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(-2'208'988'800'000), "1900-01-01T00:00:00Z");
}

TEST(Time, FormatsEveryFieldAtItsWidthAndYearsBeyondRfc3339Apart) {
  EXPECT_EQ(format_rfc3339(parse_rfc3339("2026-03-04T05:06:07.089Z").value()),
            "2026-03-04T05:06:07.089Z");
  EXPECT_EQ(format_rfc3339(parse_rfc3339("0000-01-01T00:00:00Z").value()), "0000-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(parse_rfc3339("9999-12-31T23:59:59.999Z").value()),
            "9999-12-31T23:59:59.999Z");
  // Past year 9999 (no RFC 3339 text) and before year 0, as printf writes them.
  EXPECT_EQ(format_rfc3339(253'402'300'800'000), "10000-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(253'402'300'800'001), "10000-01-01T00:00:00.001Z");
  EXPECT_EQ(format_rfc3339(-62'167'219'200'001), "-001-12-31T23:59:59.999Z");
}

TEST(Time, RejectsWhatIsNotRfc3339) {
  for (const char* text : {
           "",
           "2026-12-05",            // no time
           "2026-12-05T19:30:00",   // missing zone
           "2026-12-05T19:30",      // no seconds
           "2026-02-30T00:00:00Z",  // February 30th
           "2026-04-31T00:00:00Z",  // April has 30 days
           "2026-12-32T00:00:00Z",
           "2026-12-00T00:00:00Z",
           "2026-00-05T00:00:00Z",
           "2026-13-01T00:00:00Z",
           "2026-12-05T24:00:00Z",  // 24:00 is not a time of day here
           "2026-12-05T19:60:00Z",
           "2026-12-05T19:30:60Z",      // no leap seconds
           "2026-12-05T19:30:00Zjunk",  // trailing junk
           "2026-12-05T19:30:00Z ",
           "2026-12-05T19:30:00+01:00x",
           " 2026-12-05T19:30:00Z",
           "2026-12-05 19:30:00Z",  // space instead of T
           "2026-12-05X19:30:00Z",
           "2026-12-05T19:30:00.Z",            // a dot without digits
           "2026-12-05T19:30:00.1234567890Z",  // more than nanoseconds
           "2026-12-05T19:30:00,5Z",
           "2026-12-05T19:30:00+0100",  // offset without a colon
           "2026-12-05T19:30:00+01",
           "2026-12-05T19:30:00+24:00",
           "2026-12-05T19:30:00+01:60",
           "2026-12-05T19:30:00UTC",
           "26-12-05T19:30:00Z",  // two-digit year
           "+2026-12-05T19:30:00Z",
           "-001-12-05T19:30:00Z",
           "2026-1-05T19:30:00Z",
           "2026-12-5T19:30:00Z",
           "2026-12-05T9:30:00Z",
           "2026/12/05T19:30:00Z",
           "2026-12-05T19-30-00Z",
           "２026-12-05T19:30:00Z",  // a full-width digit
       }) {
    EXPECT_FALSE(parse_rfc3339(text).has_value()) << '"' << text << '"';
  }
  // Embedded NUL: the whole view is parsed, not a C string.
  EXPECT_FALSE(parse_rfc3339(std::string_view("2026-12-05T19:30:00Z\0", 21)).has_value());
}

TEST(Time, FormatsInUtcWithMillisecondsOnlyWhenNotZero) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(evening), "2026-12-05T19:30:00Z");
  EXPECT_EQ(format_rfc3339(evening + 250), "2026-12-05T19:30:00.250Z");
  EXPECT_EQ(format_rfc3339(evening + 7), "2026-12-05T19:30:00.007Z");
  EXPECT_EQ(format_rfc3339(951'782'400'000), "2000-02-29T00:00:00Z");
  EXPECT_EQ(format_rfc3339(253'402'300'799'999), "9999-12-31T23:59:59.999Z");
  // A time given with an offset comes back in UTC.
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2026-12-06T01:00:00.5+05:30")),
            "2026-12-05T19:30:00.500Z");
}

TEST(Time, FormatThenParseIsTheIdentity) {
  for (const UnixMillis t :
       {0LL, 1LL, -1LL, 999LL, 1'000LL, -1'000LL, -1'001LL, 86'399'999LL, 951'782'400'000LL,
        4'102'444'800'123LL, -62'167'219'200'000LL, 253'402'300'799'999LL}) {
    EXPECT_EQ(parse_rfc3339(format_rfc3339(t)), t) << t;
  }
  // A deterministic sweep over years 0000..9999 with an odd stride, so every month, day,
  // hour and millisecond digit shows up.
  constexpr UnixMillis first = -62'167'219'200'000;  // 0000-01-01
  constexpr UnixMillis last = 253'402'300'799'999;   // 9999-12-31T23:59:59.999
  constexpr UnixMillis stride = 32'533'608'247;      // about a year, and odd
  int checked = 0;
  for (UnixMillis t = first; t <= last; t += stride) {
    const std::string text = format_rfc3339(t);
    ASSERT_EQ(parse_rfc3339(text), t) << text;
    ++checked;
  }
  EXPECT_GT(checked, 9'000);
}

TEST(Time, ParseThenFormatIsCanonical) {
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2026-12-05t19:30:00.000z")), "2026-12-05T19:30:00Z");
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2026-12-05T19:30:00.1Z")), "2026-12-05T19:30:00.100Z");
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2026-12-05T19:30:00.1239Z")),
            "2026-12-05T19:30:00.123Z");
}

}  // namespace
}  // namespace boxoffice
