// The query parser, as a table of queries and how they must be understood, at a fixed "now":
// Wednesday 2026-12-02, 15:00 wall-clock time.
#include "core/search_query.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/search_text.hpp"

namespace boxoffice {
namespace {

constexpr LocalMillis hour = 3'600'000;
// 2026-12-02 is a Wednesday.
constexpr LocalMillis dec2 = 20'789 * millis_per_day;
constexpr LocalMillis now = dec2 + 15 * hour;

LocalMillis day(int offset) { return dec2 + offset * millis_per_day; }

struct Case {
  std::string query;
  std::vector<std::string> words;
  std::string category;  // "" none
  std::string city;      // "" none
  std::string label;     // "" no dates
  LocalMillis from = 0;
  LocalMillis to = 0;
  std::string summary;
};

TEST(SearchQuery, UnderstandsTheTable) {
  // A case a line, or two:
  // clang-format off
  const std::vector<Case> cases = {
      {"drake concert in LA", {"drake"}, "concert", "Los Angeles",
       "", 0, 0, "Concerts · Los Angeles"},
      {"nba games this weekend", {"basketball"}, "sports", "",
       "this weekend", day(2) + 17 * hour, day(5), "Basketball · this weekend"},
      {"Comedy in NYC tonight", {}, "comedy", "New York",
       "tonight", day(0), day(1), "Comedy · New York · tonight"},
      {"gigs in the bay area next week", {}, "concert", "Bay Area",
       "next week", day(5), day(12), "Concerts · Bay Area · next week"},
      {"broadway in december", {}, "theatre", "",
       "in December", day(0), day(30), "Theatre · in December"},
      {"dec 5 jazz", {"jazz"}, "", "", "Dec 5", day(3), day(4), "Dec 5"},
      {"5th december SF", {}, "", "San Francisco",
       "Dec 5", day(3), day(4), "San Francisco · Dec 5"},
      {"Beyoncé tomorrow", {"beyonce"}, "", "", "tomorrow", day(1), day(2), "tomorrow"},
      {"taylor swift", {"taylor", "swift"}, "", "", "", 0, 0, ""},
      {"hamilton on friday", {"hamilton"}, "", "", "friday", day(2), day(3), "friday"},
      {"next friday chicago", {}, "", "Chicago",
       "next friday", day(9), day(10), "Chicago · next friday"},
      {"this week", {}, "", "", "this week", day(0), day(5), "this week"},
      {"may the force", {"may", "force"}, "", "", "", 0, 0, ""},
      {"festival in may", {}, "concert", "", "in May", day(150), day(181), "Concerts · in May"},
      {"stand up comedy london", {}, "comedy", "London", "", 0, 0, "Comedy · London"},
      {"events in München", {}, "", "Munich", "", 0, 0, "Munich"},
      {"", {}, "", "", "", 0, 0, ""},
  };
  // clang-format on
  for (const Case& c : cases) {
    SCOPED_TRACE(c.query);
    const QueryUnderstanding u =
        understand_query(c.query, now, known_cities(), known_category_synonyms());
    EXPECT_EQ(u.words, c.words);
    EXPECT_EQ(u.category.value_or(""), c.category);
    EXPECT_EQ(u.city ? std::string(u.city->name) : "", c.city);
    EXPECT_EQ(u.dates ? u.dates->label : "", c.label);
    if (u.dates) {
      EXPECT_EQ(u.dates->from, c.from);
      EXPECT_EQ(u.dates->to, c.to);
    }
    EXPECT_EQ(u.summary, c.summary);
  }
}

TEST(SearchQuery, WeekendFromWithinTheWeekendStartsToday) {
  const LocalMillis saturday = day(3) + 11 * hour;  // Saturday Dec 5, 11:00
  const auto u =
      understand_query("this weekend", saturday, known_cities(), known_category_synonyms());
  ASSERT_TRUE(u.dates);
  EXPECT_EQ(u.dates->from, day(3));
  EXPECT_EQ(u.dates->to, day(5));
}

TEST(SearchQuery, APastDateMeansNextYear) {
  const auto u = understand_query("nov 3", now, known_cities(), known_category_synonyms());
  ASSERT_TRUE(u.dates);
  EXPECT_EQ(u.dates->from, day(336));  // 2027-11-03
  EXPECT_EQ(u.dates->label, "Nov 3");
}

TEST(SearchQuery, ImpossibleDatesStayText) {
  const auto u = understand_query("feb 30", now, known_cities(), known_category_synonyms());
  EXPECT_FALSE(u.dates);
}

TEST(SearchQuery, OnlyTheFirstCityIsAFilter) {
  const auto u =
      understand_query("boston to chicago", now, known_cities(), known_category_synonyms());
  ASSERT_NE(u.city, nullptr);
  EXPECT_EQ(u.city->name, "Boston");
  EXPECT_EQ(u.words, std::vector<std::string>{"chicago"});
}

TEST(SearchQuery, LongQueriesAreCut) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "word" + std::to_string(i) + " ";
  const auto u = understand_query(text, now, known_cities(), known_category_synonyms());
  EXPECT_EQ(u.words.size(), search_query_words_max);
}

}  // namespace
}  // namespace boxoffice
