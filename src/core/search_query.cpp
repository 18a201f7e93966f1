#include "core/search_query.hpp"

#include <date/date.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "core/search_text.hpp"

namespace boxoffice {
namespace {

using sv = std::string_view;

constexpr std::array synonyms = {
    CategorySynonym{"concert", "concert", ""},
    CategorySynonym{"concerts", "concert", ""},
    CategorySynonym{"gig", "concert", ""},
    CategorySynonym{"gigs", "concert", ""},
    CategorySynonym{"live music", "concert", ""},
    CategorySynonym{"music", "concert", ""},
    CategorySynonym{"tour", "concert", ""},
    CategorySynonym{"festival", "concert", ""},
    CategorySynonym{"sports", "sports", ""},
    CategorySynonym{"sport", "sports", ""},
    CategorySynonym{"game", "sports", ""},
    CategorySynonym{"games", "sports", ""},
    CategorySynonym{"match", "sports", ""},
    CategorySynonym{"matches", "sports", ""},
    CategorySynonym{"nba", "sports", "basketball"},
    CategorySynonym{"basketball", "sports", "basketball"},
    CategorySynonym{"nfl", "sports", "football"},
    CategorySynonym{"football", "sports", "football"},
    CategorySynonym{"soccer", "sports", "soccer"},
    CategorySynonym{"mls", "sports", "soccer"},
    CategorySynonym{"nhl", "sports", "hockey"},
    CategorySynonym{"hockey", "sports", "hockey"},
    CategorySynonym{"mlb", "sports", "baseball"},
    CategorySynonym{"baseball", "sports", "baseball"},
    CategorySynonym{"tennis", "sports", "tennis"},
    CategorySynonym{"theatre", "theatre", ""},
    CategorySynonym{"theater", "theatre", ""},
    CategorySynonym{"broadway", "theatre", ""},
    CategorySynonym{"west end", "theatre", ""},
    CategorySynonym{"musical", "theatre", ""},
    CategorySynonym{"musicals", "theatre", ""},
    CategorySynonym{"play", "theatre", ""},
    CategorySynonym{"plays", "theatre", ""},
    CategorySynonym{"opera", "theatre", "opera"},
    CategorySynonym{"ballet", "theatre", "ballet"},
    CategorySynonym{"comedy", "comedy", ""},
    CategorySynonym{"comedian", "comedy", ""},
    CategorySynonym{"comedians", "comedy", ""},
    CategorySynonym{"stand up", "comedy", ""},
    CategorySynonym{"standup", "comedy", ""},
    CategorySynonym{"family", "family", ""},
    CategorySynonym{"kids", "family", ""},
    CategorySynonym{"children", "family", ""},
};

// Words that carry no meaning for search once cities, categories and dates are taken out.
constexpr std::array<sv, 22> stop_words = {
    "a",     "an",    "the",  "in",   "at",     "on",     "near",    "for",
    "of",    "and",   "to",   "me",   "around", "events", "tickets", "ticket",
    "event", "shows", "show", "this", "whats",  "what"};

constexpr std::array<sv, 12> month_names = {"january",   "february", "march",    "april",
                                            "may",       "june",     "july",     "august",
                                            "september", "october",  "november", "december"};
constexpr std::array<sv, 12> month_short = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<sv, 7> weekday_names = {"sunday",   "monday", "tuesday", "wednesday",
                                             "thursday", "friday", "saturday"};

bool is_stop_word(sv word) {
  return std::find(stop_words.begin(), stop_words.end(), word) != stop_words.end();
}

// 1..12 for "december", "dec", "sept"; 0 for anything else. "may" needs context (see below).
unsigned month_of(sv word) {
  for (unsigned m = 0; m < 12; ++m) {
    const sv name = month_names[m];
    if (word == name) return m + 1;
    if (word.size() >= 3 && word.size() < name.size() && name.starts_with(word) &&
        (word.size() == 3 || word == "sept")) {
      return m + 1;
    }
  }
  return 0;
}

// 1..31 for "5", "05", "5th", "21st"; 0 for anything else.
unsigned day_of(sv word) {
  if (word.size() > 2 && (word.ends_with("st") || word.ends_with("nd") || word.ends_with("rd") ||
                          word.ends_with("th"))) {
    word.remove_suffix(2);
  }
  unsigned day = 0;
  const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), day);
  if (error != std::errc() || end != word.data() + word.size() || day < 1 || day > 31) return 0;
  return day;
}

// 0 (Sunday) .. 6, or -1.
int weekday_of(sv word) {
  for (int d = 0; d < 7; ++d) {
    const sv name = weekday_names[static_cast<std::size_t>(d)];
    if (word == name || (word.size() == 3 && name.starts_with(word))) return d;
  }
  return -1;
}

date::sys_days day_of_millis(LocalMillis time) {
  return date::floor<date::days>(
      date::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(time)));
}

LocalMillis millis_of_day(date::sys_days day) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(day.time_since_epoch()).count();
}

DateRange days_range(date::sys_days from, date::sys_days to, std::string label) {
  return {millis_of_day(from), millis_of_day(to), std::move(label)};
}

std::string day_label(date::year_month_day day) {
  return std::string(month_short[static_cast<unsigned>(day.month()) - 1]) + " " +
         std::to_string(static_cast<unsigned>(day.day()));
}

// The next `month`/`day` from today on (this year's, or next year's once it has passed).
std::optional<DateRange> month_day(date::sys_days today, unsigned month, unsigned day) {
  const date::year_month_day now{today};
  for (int add = 0; add < 2; ++add) {
    const date::year_month_day wanted{now.year() + date::years(add), date::month(month),
                                      date::day(day)};
    if (!wanted.ok()) continue;  // Feb 30th; Feb 29th of a common year
    const date::sys_days start{wanted};
    if (start >= today) return days_range(start, start + date::days(1), day_label(wanted));
  }
  return std::nullopt;
}

std::optional<DateRange> whole_month(date::sys_days today, unsigned month) {
  const date::year_month_day now{today};
  date::year year = now.year();
  if (date::month(month) < now.month()) year += date::years(1);
  const date::sys_days first{year / date::month(month) / 1};
  const date::sys_days next{(year / date::month(month) / 1) + date::months(1)};
  std::string label = "in " + std::string(month_names[month - 1]);
  label[3] = static_cast<char>(label[3] - 'a' + 'A');
  return days_range(std::max(first, today), next, std::move(label));
}

// Weekend: Friday evening counts, as ticket sites do; so from Friday to Monday.
std::optional<DateRange> weekend(date::sys_days today, int weeks_ahead, std::string label) {
  const date::weekday wd{today};
  const int since_monday = static_cast<int>((wd - date::Monday).count());
  const date::sys_days monday = today - date::days(since_monday) + date::weeks(weeks_ahead);
  const date::sys_days friday = monday + date::days(4);
  const date::sys_days next_monday = monday + date::days(7);
  // Friday from 17:00 only.
  DateRange range = days_range(std::max(friday, today), next_monday, std::move(label));
  if (friday >= today) range.from += 17 * 3'600'000LL;
  return range;
}

struct DateMatch {
  std::size_t words = 0;
  DateRange range;
};

// A date phrase at words[i], if one starts there. `after_in`: the previous word was "in".
std::optional<DateMatch> match_date(const std::vector<std::string>& words, std::size_t i,
                                    date::sys_days today, bool after_in) {
  const sv w = words[i];
  const sv next = i + 1 < words.size() ? sv(words[i + 1]) : sv();
  const date::sys_days tomorrow = today + date::days(1);
  if (w == "tonight" || w == "today")
    return DateMatch{1, days_range(today, tomorrow, std::string(w))};
  if (w == "tomorrow" || w == "tmrw") {
    return DateMatch{1, days_range(tomorrow, tomorrow + date::days(1), "tomorrow")};
  }
  if (w == "weekend") return DateMatch{1, *weekend(today, 0, "this weekend")};
  const date::weekday wd{today};
  const date::sys_days monday = today - date::days((wd - date::Monday).count());
  if (w == "this" || w == "next") {
    const int ahead = w == "next" ? 1 : 0;
    const std::string label = std::string(w) + " " + std::string(next);
    if (next == "weekend") return DateMatch{2, *weekend(today, ahead, label)};
    if (next == "week") {
      const date::sys_days from = ahead ? monday + date::weeks(1) : today;
      return DateMatch{2, days_range(from, monday + date::weeks(1 + ahead), label)};
    }
    if (next == "month") {
      const date::year_month_day now{today};
      const date::sys_days first{now.year() / now.month() / 1};
      const date::sys_days start =
          ahead ? date::sys_days{(now.year() / now.month() / 1) + date::months(1)} : today;
      const date::sys_days end{(now.year() / now.month() / 1) + date::months(1 + ahead)};
      (void)first;
      return DateMatch{2, days_range(start, end, label)};
    }
    if (const int d = weekday_of(next); d >= 0) {
      const int until = static_cast<int>((date::weekday(static_cast<unsigned>(d)) - wd).count());
      const date::sys_days day = today + date::days(until + (ahead ? 7 : 0));
      return DateMatch{2, days_range(day, day + date::days(1), label)};
    }
    return std::nullopt;
  }
  if (const int d = weekday_of(w); d >= 0) {
    const int until = static_cast<int>((date::weekday(static_cast<unsigned>(d)) - wd).count());
    const date::sys_days day = today + date::days(until);
    return DateMatch{1, days_range(day, day + date::days(1),
                                   std::string(weekday_names[static_cast<std::size_t>(d)]))};
  }
  if (const unsigned month = month_of(w); month != 0) {
    const bool may = w == "may";
    if (const unsigned day = day_of(next); day != 0) {
      if (auto range = month_day(today, month, day)) return DateMatch{2, std::move(*range)};
      return std::nullopt;
    }
    if (may && !after_in) return std::nullopt;  // "may" is a word first
    return DateMatch{1, *whole_month(today, month)};
  }
  if (const unsigned day = day_of(w); day != 0) {
    if (const unsigned month = month_of(next); month != 0) {
      if (auto range = month_day(today, month, day)) return DateMatch{2, std::move(*range)};
    }
  }
  return std::nullopt;
}

std::string join(const std::vector<std::string>& words, std::size_t from, std::size_t count) {
  std::string phrase;
  for (std::size_t k = from; k < from + count; ++k) {
    if (!phrase.empty()) phrase.push_back(' ');
    phrase.append(words[k]);
  }
  return phrase;
}

const CityInfo* match_city(sv phrase, std::span<const CityInfo> cities) {
  for (const CityInfo& city : cities) {
    if (fold_text(city.name) == phrase) return &city;
    for (const sv alias : city.aliases) {
      if (alias == phrase) return &city;
    }
  }
  return nullptr;
}

const CategorySynonym* match_category(sv phrase, std::span<const CategorySynonym> categories) {
  for (const CategorySynonym& synonym : categories) {
    if (synonym.phrase == phrase) return &synonym;
  }
  return nullptr;
}

std::string summary_of(const QueryUnderstanding& understood) {
  std::vector<std::string> parts;
  if (understood.topic) {
    std::string topic = *understood.topic;
    topic[0] = static_cast<char>(topic[0] - 'a' + 'A');
    parts.push_back(std::move(topic));
  } else if (understood.category) {
    parts.push_back(category_label(*understood.category));
  }
  if (understood.city) parts.emplace_back(understood.city->name);
  if (understood.dates) parts.push_back(understood.dates->label);
  std::string summary;
  for (const std::string& part : parts) {
    if (!summary.empty()) summary += " · ";
    summary += part;
  }
  return summary;
}

}  // namespace

std::span<const CategorySynonym> known_category_synonyms() { return synonyms; }

std::string category_label(std::string_view category) {
  if (category == "concert") return "Concerts";
  if (category == "sports") return "Sports";
  if (category == "theatre") return "Theatre";
  if (category == "comedy") return "Comedy";
  if (category == "family") return "Family";
  std::string label(category);
  if (!label.empty() && label[0] >= 'a' && label[0] <= 'z')
    label[0] = static_cast<char>(label[0] - 'a' + 'A');
  return label;
}

QueryUnderstanding understand_query(std::string_view text, LocalMillis now,
                                    std::span<const CityInfo> cities,
                                    std::span<const CategorySynonym> categories) {
  std::vector<std::string> words =
      split_words(fold_text(text.substr(0, std::min(text.size(), search_query_bytes_max))));
  if (words.size() > search_query_words_max) words.resize(search_query_words_max);
  const date::sys_days today = day_of_millis(now);
  QueryUnderstanding understood;
  constexpr std::size_t phrase_words_max = 4;
  std::size_t i = 0;
  while (i < words.size()) {
    std::size_t taken = 0;
    if (!understood.dates) {
      if (auto date = match_date(words, i, today, i > 0 && words[i - 1] == "in")) {
        taken = date->words;
        understood.dates = std::move(date->range);
      }
    }
    for (std::size_t n = std::min(phrase_words_max, words.size() - i); taken == 0 && n > 0; --n) {
      const std::string phrase = join(words, i, n);
      if (!understood.city) {
        if (const CityInfo* city = match_city(phrase, cities)) {
          understood.city = city;
          taken = n;
          break;
        }
      }
      if (const CategorySynonym* synonym = match_category(phrase, categories)) {
        if (understood.category && *understood.category == synonym->category &&
            (synonym->topic.empty() || understood.topic == synonym->topic)) {
          taken = n;  // "nba games": games says nothing more than nba did
          break;
        }
      }
      if (!understood.category) {
        if (const CategorySynonym* synonym = match_category(phrase, categories)) {
          understood.category = std::string(synonym->category);
          if (!synonym->topic.empty()) {
            understood.topic = std::string(synonym->topic);
            understood.words.emplace_back(synonym->topic);
          }
          taken = n;
          break;
        }
      }
    }
    if (taken == 0) {
      if (!is_stop_word(words[i])) understood.words.push_back(words[i]);
      taken = 1;
    }
    i += taken;
  }
  understood.summary = summary_of(understood);
  return understood;
}

}  // namespace boxoffice
