// The search service on a small hand-made catalog: ranking, typo tolerance, filters, facets,
// pagination, suggestions, and the index following catalog changes (and a rebuild reaching the
// same answers).
#include "services/search/search.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "core/catalog_generator.hpp"
#include "core/search_text.hpp"
#include "services/time_zones.hpp"

namespace boxoffice {
namespace {

constexpr UnixMillis day = 86'400'000;
constexpr UnixMillis hour = 3'600'000;
// Wednesday 2026-12-02 20:00 UTC (12:00 in Los Angeles).
constexpr UnixMillis now = 20'789 * day + 20 * hour;

std::shared_ptr<const Venue> venue(std::int64_t id, std::string name, std::string city,
                                   std::string zone, double lat, double lon,
                                   std::uint32_t capacity) {
  Layout layout;
  layout.ga_areas.push_back({"GA", "Floor", capacity});
  Venue v;
  v.id = id;
  v.name = std::move(name);
  v.city = std::move(city);
  v.timezone = std::move(zone);
  v.lat = lat;
  v.lon = lon;
  v.layout = index_layout(std::move(layout)).value();
  return std::make_shared<const Venue>(std::move(v));
}

std::shared_ptr<const Event> event(std::int64_t id, std::int64_t venue_id, std::string name,
                                   std::vector<std::string> performers, std::string category,
                                   UnixMillis starts_at, std::int64_t price = 5'000,
                                   std::vector<std::string> tags = {},
                                   std::string description = "") {
  Event e;
  e.id = id;
  e.venue_id = venue_id;
  e.name = std::move(name);
  e.performers = std::move(performers);
  e.category = std::move(category);
  e.tags = std::move(tags);
  e.description = std::move(description);
  e.starts_at = starts_at;
  e.on_sale_at = starts_at - 60 * day;
  e.price_levels = {{"std", "Standard", price, "USD"}};
  e.pricing = {{"GA", "std"}};
  e.published = true;
  return std::make_shared<const Event>(std::move(e));
}

std::int64_t total(const SearchResults& answer) { return static_cast<std::int64_t>(answer.total); }

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    forum = venue(1, "Kia Forum", "Inglewood", "America/Los_Angeles", 33.958, -118.342, 17'000);
    bowl =
        venue(2, "Hollywood Bowl", "Los Angeles", "America/Los_Angeles", 34.112, -118.339, 17'500);
    chase =
        venue(3, "Chase Center", "San Francisco", "America/Los_Angeles", 37.768, -122.388, 18'000);
    garden =
        venue(4, "Madison Square Garden", "New York", "America/New_York", 40.750, -73.993, 20'000);
    club = venue(5, "The Small Club", "London", "Europe/London", 51.51, -0.13, 2);
    // Saturday Dec 5, 20:00 in Los Angeles = Sunday 04:00 UTC.
    const UnixMillis saturday_la = to_utc("America/Los_Angeles", 20'792 * day + 20 * hour);
    add(event(1, 1, "Drake: It's All a Blur Tour", {"Drake", "21 Savage"}, "concert", saturday_la,
              9'000, {"hip hop"}));
    add(event(2, 4, "Drake Live at the Garden", {"Drake"}, "concert", now + 40 * day, 12'000,
              {"hip hop"}));
    add(event(3, 2, "Beyoncé: Renaissance", {"Beyoncé"}, "concert", now + 10 * day, 15'000,
              {"pop"}));
    add(event(4, 3, "Golden State Warriors vs Los Angeles Lakers",
              {"Golden State Warriors", "Los Angeles Lakers"}, "sports",
              to_utc("America/Los_Angeles", 20'792 * day + 19 * hour), 8'000,
              {"basketball", "nba"}));
    add(event(5, 4, "New York Knicks vs Boston Celtics", {"New York Knicks", "Boston Celtics"},
              "sports", now + 3 * day, 7'000, {"basketball", "nba"}));
    add(event(6, 4, "Hamilton", {"Original Broadway Cast"}, "theatre", now + 5 * day, 20'000,
              {"musical"}));
    add(event(7, 2, "An Evening of Jazz", {"Lakeside Trio"}, "concert", now + 100 * day, 3'000,
              {"jazz"}, "Drake Street's favourite jazz trio."));
    add(event(8, 1, "Old Drake Show", {"Drake"}, "concert", now - 2 * day));  // past
    add(event(9, 5, "Tiny Drake Tribute", {"The Drakes"}, "concert", now + 2 * day, 1'000));
    search.flush();
  }

  void add(std::shared_ptr<const Event> e) {
    const auto v =
        std::vector{forum, bowl, chase, garden, club}.at(static_cast<std::size_t>(e->venue_id - 1));
    events.emplace_back(e, v);
    search.put(e, v, now);
  }

  SearchResults find(SearchRequest request) {
    auto answer = search.search(request, now);
    EXPECT_TRUE(answer.ok());
    return answer.ok() ? *answer : SearchResults{};
  }
  SearchResults find(std::string q) {
    SearchRequest request;
    request.q = std::move(q);
    return find(request);
  }
  std::set<std::int64_t> id_set(const SearchRequest& request) {
    const auto found = ids(find(request));
    return {found.begin(), found.end()};
  }
  static std::vector<std::int64_t> ids(const SearchResults& answer) {
    std::vector<std::int64_t> out;
    for (const SearchResult& result : answer.results) out.push_back(result.id);
    return out;
  }

  SearchService search;
  std::shared_ptr<const Venue> forum, bowl, chase, garden, club;
  std::vector<std::pair<std::shared_ptr<const Event>, std::shared_ptr<const Venue>>> events;
};

TEST_F(SearchTest, TextRanksPerformerAndNameAboveDescription) {
  const auto answer = find("drake");
  const auto found = ids(answer);
  ASSERT_EQ(found.size(), 4u);  // not the past show
  EXPECT_EQ(std::set<std::int64_t>(found.begin(), found.begin() + 3),
            (std::set<std::int64_t>{1, 2, 9}));
  EXPECT_EQ(found.back(), 7);  // only its description says Drake
  EXPECT_EQ(answer.results.at(0).highlights.performers.value_or("").find("<mark>Drake</mark>"), 0u);
}

TEST_F(SearchTest, UnderstandsCityCategoryAndWeekendInTheVenuesZone) {
  const auto answer = find("drake concert in LA this weekend");
  EXPECT_EQ(ids(answer), std::vector<std::int64_t>{1});  // Inglewood is within LA's radius
  EXPECT_EQ(answer.understood.query.summary, "Concerts · Los Angeles · this weekend");
  // Saturday afternoon in New York is this weekend too.
  SearchRequest nba;
  nba.q = "nba games this weekend";
  EXPECT_EQ(id_set(nba), (std::set<std::int64_t>{4, 5}));
  EXPECT_EQ(ids(find("basketball in the bay area")), std::vector<std::int64_t>{4});
  EXPECT_EQ(ids(find("broadway nyc")), std::vector<std::int64_t>{6});
}

TEST_F(SearchTest, ToleratesTyposAndDiacritics) {
  for (const char* q :
       {"beyonce", "Beyoncé", "beyonse", "BEYONCE renaissance", "beyoncé renaisance"}) {
    SCOPED_TRACE(q);
    EXPECT_EQ(ids(find(q)), std::vector<std::int64_t>{3});
  }
  EXPECT_TRUE(ids(find("xqzwv")).empty());
}

// Words of 8 letters or more may carry two typos, tried only when one finds nothing; shorter
// words one.
TEST_F(SearchTest, LongWordsToleratesTwoTypos) {
  // "renaissance" with an 's' added and the 'c' made an 's'.
  const auto twice = find("renaisssanse");
  EXPECT_EQ(ids(twice), std::vector<std::int64_t>{3});
  const auto& corrections = twice.understood.typo_corrections;
  EXPECT_NE(std::find(corrections.begin(), corrections.end(), "renaissance"), corrections.end());
  EXPECT_TRUE(ids(find("bayonse")).empty());  // "beyonce", 7 letters, two typos: too many
  EXPECT_EQ(ids(find("bayonce")), std::vector<std::int64_t>{3});  // one is fine
}

TEST_F(SearchTest, PrefixOfTheLastWord) {
  EXPECT_EQ(ids(find("hamil")), std::vector<std::int64_t>{6});
  EXPECT_EQ(ids(find("hamil ")).size(), 0u);  // a finished word is a word
}

TEST_F(SearchTest, APrefixThatCompletesIsNotTakenForATypo) {
  // "live" is one edit from "love", but "love" is the start of "lovers": type-ahead, not a typo.
  add(event(20, 2, "Summer Lovers", {"The Lovers"}, "concert", now + 4 * day));
  add(event(21, 2, "Live at the Bowl", {"Someone Else"}, "concert", now + 4 * day));
  search.flush();
  const auto answer = find("love");
  EXPECT_EQ(ids(answer), std::vector<std::int64_t>{20});
  EXPECT_TRUE(answer.understood.typo_corrections.empty());
  EXPECT_EQ(ids(find("lve")).size(), 0u);  // too short for a typo
  SearchRequest typo;                      // completes nothing: a typo of "live"
  typo.q = "livr";
  EXPECT_EQ(id_set(typo), (std::set<std::int64_t>{2, 21}));
}

TEST_F(SearchTest, FiltersAndFacets) {
  SearchRequest request;
  request.category = "concert";
  auto answer = find(request);
  EXPECT_EQ(total(answer), 5);
  request.max_price_cents = 9'000;
  EXPECT_EQ(id_set(request), (std::set<std::int64_t>{1, 7, 9}));
  request = {};
  request.city = "new york";
  EXPECT_EQ(total(find(request)), 3);
  request = {};
  request.lat = 37.77;
  request.lon = -122.42;
  request.radius_km = 20;
  EXPECT_EQ(ids(find(request)), std::vector<std::int64_t>{4});
  request = {};
  request.from = now + 30 * day;
  EXPECT_EQ(id_set(request), (std::set<std::int64_t>{2, 7}));
  request = {};
  request.q = "drake";
  request.include_past = true;
  EXPECT_EQ(total(find(request)), 5);

  const auto all = find(SearchRequest{});
  EXPECT_EQ(total(all), 8);
  const auto& categories = all.facets.category;
  EXPECT_EQ(categories.at(0).value, "concert");  // its label is the encoder's (tests/http)
  EXPECT_EQ(categories.at(0).count, 5u);
  std::int64_t months = 0;
  for (const FacetCount& m : all.facets.month) months += m.count;
  EXPECT_EQ(months, 8);
  EXPECT_EQ(all.facets.city.at(0).value, "New York");
}

TEST_F(SearchTest, PaginationVisitsEveryResultOnce) {
  SearchRequest request;
  request.limit = 3;
  std::vector<std::int64_t> seen;
  for (int page = 0; page < 10; ++page) {
    const auto answer = find(request);
    for (const auto id : ids(answer)) seen.push_back(id);
    if (!answer.next_cursor) break;
    request.cursor = answer.next_cursor;
  }
  EXPECT_EQ(seen.size(), 8u);
  EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()).size(), 8u);
  EXPECT_EQ(seen, ids([&] {
              SearchRequest all;
              all.limit = 100;
              return find(all);
            }()));
  request.cursor = "c1.garbage";
  EXPECT_FALSE(search.search(request, now).ok());
}

TEST_F(SearchTest, SoldOutSinksOrDrops) {
  const auto before = ids(find("drake"));
  search.record_sale(9, 2);  // the club holds two
  const auto after = ids(find("drake"));
  EXPECT_EQ(after.back(), 9);
  EXPECT_NE(before.back(), 9);
  SearchRequest request;
  request.q = "drake";
  request.include_sold_out = false;
  const auto dropped = ids(find(request));
  EXPECT_EQ(std::count(dropped.begin(), dropped.end(), 9), 0);
}

TEST_F(SearchTest, PopularityBreaksTies) {
  SearchRequest request;
  request.q = "drake";
  auto first = ids(find(request)).front();
  const std::int64_t other = first == 1 ? 2 : 1;
  for (int i = 0; i < 5'000; ++i) search.record_view(other);
  EXPECT_EQ(ids(find(request)).front(), other);
}

TEST_F(SearchTest, FollowsCatalogChangesAndARebuildAgrees) {
  // These count their words' rows for BM25; the changes below must make the index forget them
  // (the scores after the rebuild, from a fresh index, say whether it did).
  const auto first_hamilton = find("hamilton");
  find("hip hop");  // two events of nine before, one of seven after
  // Cancelled and unpublished events leave; a changed one is found by its new name.
  auto cancelled = std::make_shared<Event>(*events[0].first);
  cancelled->cancelled = true;
  search.put(cancelled, forum, now);
  auto hidden = std::make_shared<Event>(*events[2].first);
  hidden->published = false;
  search.put(hidden, bowl, now);
  auto renamed = std::make_shared<Event>(*events[5].first);
  renamed->name = "Hamilton: the Revival";
  renamed->performers = {"Lin-Manuel Miranda"};
  search.put(renamed, garden, now);
  search.flush();
  const auto drakes = ids(find("drake"));
  EXPECT_EQ(std::count(drakes.begin(), drakes.end(), 1), 0);
  EXPECT_TRUE(ids(find("beyonce")).empty());
  EXPECT_EQ(ids(find("miranda revival")), std::vector<std::int64_t>{6});
  EXPECT_TRUE(ids(find("original broadway cast")).empty());
  const auto suggestions = search.suggest("lin", 5).suggestions;
  ASSERT_FALSE(suggestions.empty());
  EXPECT_EQ(suggestions.at(0).text, "Lin-Manuel Miranda");

  const std::vector<std::string> queries = {"drake", "",   "concert", "hamilton",
                                            "nba",   "la", "hip hop"};
  std::vector<SearchResults> incremental;
  for (const auto& q : queries) incremental.push_back(find(q));
  events[0].first = cancelled;
  events[2].first = hidden;
  events[5].first = renamed;
  search.rebuild(events);
  EXPECT_EQ(search.indexed_events(), 7u);
  for (std::size_t i = 0; i < queries.size(); ++i) {
    SCOPED_TRACE(queries[i]);
    EXPECT_EQ(ids(find(queries[i])), ids(incremental[i]));
    EXPECT_EQ(find(queries[i]).facets, incremental[i].facets);
    const auto rebuilt = find(queries[i]).results;
    const auto& before = incremental[i].results;
    ASSERT_EQ(rebuilt.size(), before.size());
    for (std::size_t r = 0; r < rebuilt.size(); ++r) {
      EXPECT_EQ(rebuilt[r].score, before[r].score);  // the same BM25 statistics
    }
  }
  // Two events fewer make "hamilton" less rare in the table, and its event's text grew: BM25
  // says less than before.
  EXPECT_LT(find("hamilton").results.at(0).score, first_hamilton.results.at(0).score);
}

// Rebuilds asked for back to back (no waiting in between): each is answered, and the last
// list is what the index holds, the one before it never lost in the middle.
TEST_F(SearchTest, RebuildsAskedForTogetherEndWithTheLastList) {
  auto fewer = events;
  fewer.resize(3);
  auto most = events;
  most.resize(6);
  const std::uint64_t first = search.request_rebuild(fewer);
  const std::uint64_t second = search.request_rebuild(most);
  EXPECT_GT(second, first);
  for (int i = 0; i < 5'000 && !search.rebuilt(second); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(search.rebuilt(second));
  EXPECT_TRUE(search.rebuilt(first));
  EXPECT_EQ(search.indexed_events(), 6u);  // 6 events, all upcoming and published
  EXPECT_FALSE(search.rebuilt(second + 1));
}

TEST_F(SearchTest, SuggestsByPrefixMostEventsFirst) {
  const auto answer = search.suggest("dra", 5).suggestions;
  ASSERT_FALSE(answer.empty());
  EXPECT_EQ(answer.at(0).text, "Drake");
  EXPECT_EQ(answer.at(0).kind, SuggestionKind::performer);
  EXPECT_EQ(answer.at(0).events, 3u);  // 1, 2 and the past 8
  EXPECT_TRUE(search.suggest("", 5).suggestions.empty());
  EXPECT_TRUE(search.suggest("zzzz", 5).suggestions.empty());
}

TEST_F(SearchTest, RejectsBadRequests) {
  SearchRequest request;
  request.limit = 0;
  EXPECT_FALSE(search.search(request, now).ok());
  request = {};
  request.lat = 10;
  EXPECT_FALSE(search.search(request, now).ok());
  request.lon = 500;
  EXPECT_FALSE(search.search(request, now).ok());
}

TEST(SearchGenerated, AThousandGeneratedEventsAreFoundByWhatTheyAre) {
  const auto catalog = generate_catalog({.events = 1'000, .seed = 3, .start = now}, to_utc);
  SearchService search;
  std::vector<std::pair<std::shared_ptr<const Event>, std::shared_ptr<const Venue>>> all;
  std::vector<std::shared_ptr<const Venue>> venues;
  for (const Venue& v : catalog.venues) venues.push_back(std::make_shared<const Venue>(v));
  for (const Event& e : catalog.events) {
    all.emplace_back(std::make_shared<const Event>(e),
                     venues.at(static_cast<std::size_t>(e.venue_id - 1)));
  }
  search.rebuild(all);
  EXPECT_EQ(search.indexed_events(), 1'000u);
  const Event& probe = catalog.events.at(17);
  SearchRequest request;
  request.q = probe.performers.at(0);
  request.limit = 100;
  const auto answer = search.search(request, now).value();
  bool found = false;
  for (const SearchResult& result : answer.results) found |= result.id == probe.id;
  EXPECT_TRUE(found);
  SearchRequest by_category;
  by_category.category = probe.category;
  by_category.include_past = true;
  std::int64_t expected = 0;
  for (const Event& e : catalog.events) expected += e.category == probe.category;
  EXPECT_EQ(total(search.search(by_category, now).value()), expected);

  // Totals and facets are exact whichever filters narrow the scan (days, cells, category), with
  // words or without: counted here by brute force.
  const Event& other = catalog.events.at(400);
  const std::string word = split_words(fold_text(other.performers.at(0))).at(0);
  for (const bool with_text : {false, true}) {
    SearchRequest request;
    request.q = with_text ? word : "";
    request.category = other.category;
    request.from = now + 20 * day;
    request.to = now + 80 * day;
    request.limit = 5;
    const auto answer = search.search(request, now).value();
    std::int64_t count = 0;
    std::map<std::string, std::int64_t> cities;
    for (const Event& e : catalog.events) {
      if (e.category != other.category || e.starts_at < *request.from || e.starts_at >= *request.to)
        continue;
      if (with_text) {
        std::string text = e.name;
        for (const auto& performer : e.performers) text += " " + performer;
        for (const auto& tag : e.tags) text += " " + tag;
        const auto& v = *venues.at(static_cast<std::size_t>(e.venue_id - 1));
        text += " " + v.name + " " + v.city + " " + e.description;
        const auto words = split_words(fold_text(text));
        if (std::find(words.begin(), words.end(), word) == words.end()) continue;
      }
      ++count;
      ++cities[venues.at(static_cast<std::size_t>(e.venue_id - 1))->city];
    }
    SCOPED_TRACE(with_text ? word : "no words");
    ASSERT_GT(count, 0);
    EXPECT_EQ(total(answer), count);
    for (const FacetCount& city : answer.facets.city) {
      EXPECT_EQ(static_cast<std::int64_t>(city.count), cities[city.value]);
    }
    EXPECT_EQ(answer.results.size(), std::min<std::size_t>(5, static_cast<std::size_t>(count)));
  }
}

}  // namespace
}  // namespace boxoffice
