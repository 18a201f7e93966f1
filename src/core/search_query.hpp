// Query understanding: turns what a fan types ("drake concert in LA", "nba games this
// weekend", "comedy dec 5") into filters (a category, a place, a range of days) and the words
// left to match as text, and says how it understood them ("Concerts · Los Angeles · this
// weekend") so a client can show it.
//
// Pure: the time is passed in as the wall-clock time where the question is asked
// (LocalMillis); date ranges come out in wall-clock time too, and the index compares them with
// each event's start in its venue's wall-clock time, so "tonight" means tonight in Los Angeles
// for a venue in Los Angeles and tonight in London for one in London.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/cities.hpp"

namespace boxoffice {

// Milliseconds since 1970-01-01T00:00 of a place's wall clock (its UTC offset added).
using LocalMillis = std::int64_t;

inline constexpr LocalMillis millis_per_day = 86'400'000;

// A word or phrase that names a category, and, for the narrower ones ("nba" → sports,
// basketball), a topic word that the event's text must contain as well.
struct CategorySynonym {
  std::string_view phrase;  // folded
  std::string_view category;
  std::string_view topic;  // "" for none
};

// The categories of the catalog (concert, sports, theatre, comedy, family) and what people
// call them.
std::span<const CategorySynonym> known_category_synonyms();

// "Concerts" for "concert": how a category is shown in a summary or a facet.
std::string category_label(std::string_view category);

// Wall-clock days [from, to).
struct DateRange {
  LocalMillis from = 0;
  LocalMillis to = 0;
  std::string label;  // "this weekend", "Dec 5"
};

struct QueryUnderstanding {
  std::vector<std::string> words;  // folded, stop words dropped: what the text index must match
  std::optional<std::string> category;
  std::optional<std::string> topic;  // already among `words`
  const CityInfo* city = nullptr;    // venues within city->radius_km of its centre
  std::optional<DateRange> dates;
  std::string summary;  // "Concerts · Los Angeles · this weekend"; "" when nothing was understood
};

// Reads `text` (cut to search_query_bytes_max bytes and search_query_words_max words) from
// left to right, taking at each word the longest phrase (up to four words) that names a city,
// a category or a date, and keeping the rest as words. The first city, category and date win;
// a later one is kept as text. `now` is the asker's wall-clock time.
QueryUnderstanding understand_query(std::string_view text, LocalMillis now,
                                    std::span<const CityInfo> cities,
                                    std::span<const CategorySynonym> categories);

}  // namespace boxoffice
