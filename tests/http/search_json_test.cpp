// The JSON of search answers, byte for byte: the members and their order, which optional ones
// are left out, how numbers and times are written. Clients (web/js/home.js, the README's
// examples) read exactly this; the service's own tests check the typed results it is made from.
#include "http/search_json.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace boxoffice::http {
namespace {

constexpr std::int64_t day = 86'400'000;
constexpr std::int64_t hour = 3'600'000;

const CityInfo los_angeles{.name = "Los Angeles",
                           .country = "US",
                           .timezone = "America/Los_Angeles",
                           .currency = "USD",
                           .lat = 34.05,
                           .lon = -118.25,
                           .radius_km = 40};

SearchResults everything() {
  SearchResults results;
  results.q = "drake concerts in LA this weekend";
  QueryUnderstanding& query = results.understood.query;
  query.words = {"drake"};
  query.category = "concert";
  query.topic = "hip";
  query.city = &los_angeles;
  query.dates = DateRange{20'792 * day, 20'794 * day, "this weekend"};
  query.summary = "Concerts · Los Angeles · this weekend";
  results.understood.time_zone = "America/Los_Angeles";
  results.understood.typo_corrections = {"drake", "drakes"};
  results.total = 2;
  SearchResult& first = results.results.emplace_back();
  first.id = 1;
  first.name = "Drake: \"Live\"";
  first.performers = {"Drake", "21 Savage"};
  first.category = "concert";
  first.starts_at = 20'793 * day + 4 * hour;
  first.local_starts_at = 20'792 * day + 20 * hour;
  first.venue = {7, "Kia Forum", "Inglewood", 33.958, -118.342};
  first.price_range = {9'000, 27'000, "USD"};
  first.on_sale = true;
  first.score = 2.053'216'7;
  first.highlights.name = "<mark>Drake</mark>: \"Live\"";
  first.highlights.tags = "<mark>hip</mark> hop";
  first.distance_km = 12.345;
  SearchResult& second = results.results.emplace_back();
  second.id = 9;
  second.name = "Tribute";
  second.category = "concert";
  second.venue = {2, "Club", "London", 51.5, 0};
  second.price_range = {1'000, 1'000, "GBP"};
  second.sold_out = true;
  second.score = 0.000'04;
  results.facets.category = {{"concert", 2}};
  results.facets.city = {{"Inglewood", 1}, {"London", 1}};
  results.facets.month = {{"2026-12", 2}};
  results.next_cursor = "c1.4000.9.1";
  return results;
}

TEST(SearchJson, EveryMemberInItsPlace) {
  EXPECT_EQ(
      boost::json::serialize(search_results_json(everything())),
      R"({"query":{"q":"drake concerts in LA this weekend","understood":{"words":["drake"],)"
      R"("summary":"Concerts · Los Angeles · this weekend","time_zone":"America/Los_Angeles",)"
      R"("category":"concert","topic":"hip","city":{"name":"Los Angeles","lat":3.405E1,)"
      R"("lon":-1.1825E2,"radius_km":4E1},"dates":{"from":"2026-12-05T00:00:00",)"
      R"("to":"2026-12-07T00:00:00","label":"this weekend","in":"the venue's local time"},)"
      R"("typo_corrections":["drake","drakes"]}},"total":2,"results":[)"
      R"({"id":1,"name":"Drake: \"Live\"","performers":["Drake","21 Savage"],"category":"concert",)"
      R"("starts_at":"2026-12-06T04:00:00Z","local_starts_at":"2026-12-05T20:00:00",)"
      R"("venue":{"id":7,"name":"Kia Forum","city":"Inglewood","lat":3.3958E1,"lon":-1.18342E2},)"
      R"("price_range":{"min_cents":9000,"max_cents":27000,"currency":"USD"},"on_sale":true,)"
      R"("sold_out":false,"score":2.0532E0,"highlights":{"name":"<mark>Drake</mark>: \"Live\"",)"
      R"("tags":"<mark>hip</mark> hop"},"distance_km":1.23E1},)"
      R"({"id":9,"name":"Tribute","performers":[],"category":"concert",)"
      R"("starts_at":"1970-01-01T00:00:00Z","local_starts_at":"1970-01-01T00:00:00",)"
      R"("venue":{"id":2,"name":"Club","city":"London","lat":5.15E1,"lon":0E0},)"
      R"("price_range":{"min_cents":1000,"max_cents":1000,"currency":"GBP"},"on_sale":false,)"
      R"("sold_out":true,"score":0E0,"highlights":{}}],)"
      R"("facets":{"category":[{"value":"concert","count":2,"label":"Concerts"}],)"
      R"("city":[{"value":"Inglewood","count":1},{"value":"London","count":1}],)"
      R"("month":[{"value":"2026-12","count":2}]},"next_cursor":"c1.4000.9.1"})");
}

// What nothing understood and nothing found look like: optional members left out (no
// total_is_estimate either: it was always false), next_cursor null.
TEST(SearchJson, TheEmptyAnswer) {
  EXPECT_EQ(boost::json::serialize(search_results_json(SearchResults{})),
            R"({"query":{"q":"","understood":{"words":[],"summary":"","time_zone":""}},)"
            R"("total":0,"results":[],"facets":{"category":[],"city":[],"month":[]},)"
            R"("next_cursor":null})");
}

TEST(SearchJson, Suggestions) {
  Suggestions suggestions;
  suggestions.suggestions = {{"Drake", SuggestionKind::performer, 3},
                             {"Drake Live", SuggestionKind::event, 1},
                             {"Drake Hall", SuggestionKind::venue, 2},
                             {"Drakeville", SuggestionKind::city, 4}};
  EXPECT_EQ(boost::json::serialize(suggestions_json(suggestions)),
            R"({"suggestions":[{"text":"Drake","kind":"performer","events":3},)"
            R"({"text":"Drake Live","kind":"event","events":1},)"
            R"({"text":"Drake Hall","kind":"venue","events":2},)"
            R"({"text":"Drakeville","kind":"city","events":4}]})");
  EXPECT_EQ(boost::json::serialize(suggestions_json(Suggestions{})), R"({"suggestions":[]})");
}

}  // namespace
}  // namespace boxoffice::http
