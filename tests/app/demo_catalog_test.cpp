// The demo catalog is what a newcomer sees first: it must be accepted by the API as it stands,
// and look like a real box office (big arena, theatre, GA club, several cities and months).
#include "app/demo_catalog.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "core/catalog_codec.hpp"
#include "core/time.hpp"

namespace boxoffice::app {
namespace {

namespace json = boost::json;

constexpr std::int64_t now = 1'795'000'000;  // 2026-11-18T11:06:40Z
constexpr std::int64_t day = 86'400;

std::string text(const json::value& value) { return std::string(value.as_string()); }

UnixMillis time_of(const json::object& event, const char* field) {
  const auto parsed = parse_rfc3339(event.at(field).as_string());
  EXPECT_TRUE(parsed) << field << " of " << text(event.at("name"));
  return parsed.value_or(0);
}

std::string serialize(const std::vector<DemoVenue>& catalog) {
  std::string out;
  for (const DemoVenue& demo : catalog) {
    out += json::serialize(demo.venue);
    for (const json::object& event : demo.events) out += json::serialize(event);
  }
  return out;
}

const DemoVenue& venue_in(const std::vector<DemoVenue>& catalog, const std::string& city) {
  for (const DemoVenue& demo : catalog) {
    if (text(demo.venue.at("city")) == city) return demo;
  }
  throw std::runtime_error("no demo venue in " + city);
}

std::size_t seat_count(const json::object& venue) {
  std::size_t seats = 0;
  for (const auto& section : venue.at("layout").at("sections").as_array()) {
    for (const auto& row : section.at("rows").as_array())
      seats += row.at("seats").as_array().size();
  }
  return seats;
}

// Section and GA area ids: they must be distinct from each other, and all priced.
std::vector<std::string> place_ids(const json::object& venue) {
  std::vector<std::string> ids;
  for (const auto& section : venue.at("layout").at("sections").as_array()) {
    ids.push_back(text(section.at("id")));
  }
  for (const auto& area : venue.at("layout").at("ga_areas").as_array()) {
    ids.push_back(text(area.at("id")));
  }
  return ids;
}

const std::vector<DemoVenue>& catalog() {
  static const std::vector<DemoVenue> built = demo_catalog(now);
  return built;
}

TEST(DemoCatalog, SameInputsGiveTheSameCatalog) {
  EXPECT_EQ(serialize(demo_catalog(now)), serialize(demo_catalog(now)));
  EXPECT_EQ(serialize(demo_catalog(now, 7)), serialize(demo_catalog(now, 7)));
  EXPECT_NE(serialize(demo_catalog(now)), serialize(demo_catalog(now + 3 * day)));
  EXPECT_NE(serialize(demo_catalog(now, 1)), serialize(demo_catalog(now, 2)));  // row lengths
}

TEST(DemoCatalog, ArenaIsABowlOfOverTwentyThousandSeats) {
  const json::object& arena = venue_in(catalog(), "Los Angeles").venue;
  EXPECT_GE(seat_count(arena), 20'000u);
  std::set<char> levels;
  for (const auto& section : arena.at("layout").at("sections").as_array()) {
    levels.insert(text(section.at("id")).front());
  }
  EXPECT_EQ(levels, (std::set<char>{'1', '2'}));                       // 100 and 200 levels
  EXPECT_EQ(arena.at("layout").at("ga_areas").as_array().size(), 1u);  // the floor, for concerts
  EXPECT_TRUE(arena.at("layout").as_object().contains("stage"));
}

TEST(DemoCatalog, ArenaRowsVaryInLength) {
  std::set<std::size_t> lengths;
  for (const auto& section :
       venue_in(catalog(), "Los Angeles").venue.at("layout").at("sections").as_array()) {
    for (const auto& row : section.at("rows").as_array())
      lengths.insert(row.at("seats").as_array().size());
  }
  EXPECT_GE(lengths.size(), 10u);
}

TEST(DemoCatalog, TheatreHasAboutFifteenHundredScoredSeats) {
  const json::object& theatre = venue_in(catalog(), "New York").venue;
  EXPECT_GE(seat_count(theatre), 1'300u);
  EXPECT_LE(seat_count(theatre), 1'700u);
  for (const auto& section : theatre.at("layout").at("sections").as_array()) {
    for (const auto& row : section.at("rows").as_array()) {
      for (const auto& seat : row.at("seats").as_array()) {
        ASSERT_TRUE(seat.as_object().contains("score")) << text(seat.at("id"));
        EXPECT_TRUE(seat.at("score").is_number());
      }
    }
  }
}

TEST(DemoCatalog, ScoresAppearOnlyAtTheTheatre) {
  for (const DemoVenue& demo : catalog()) {
    if (text(demo.venue.at("city")) == "New York") continue;
    for (const auto& section : demo.venue.at("layout").at("sections").as_array()) {
      for (const auto& row : section.at("rows").as_array()) {
        for (const auto& seat : row.at("seats").as_array()) {
          ASSERT_FALSE(seat.as_object().contains("score")) << text(seat.at("id"));
        }
      }
    }
  }
}

TEST(DemoCatalog, ClubIsGeneralAdmissionOnly) {
  const json::object& club = venue_in(catalog(), "San Francisco").venue;
  EXPECT_TRUE(club.at("layout").at("sections").as_array().empty());
  ASSERT_FALSE(club.at("layout").at("ga_areas").as_array().empty());
  std::int64_t capacity = 0;
  for (const auto& area : club.at("layout").at("ga_areas").as_array()) {
    capacity += area.at("capacity").as_int64();
  }
  EXPECT_GE(capacity, 600);
}

TEST(DemoCatalog, SpreadsOverCitiesCategoriesAndMonths) {
  const std::set<std::string> allowed{"concert", "sports", "theatre", "comedy", "family"};
  std::set<std::string> cities, categories, tonight_cities;
  std::size_t events = 0, future_on_sales = 0;
  UnixMillis latest = 0;
  for (const DemoVenue& demo : catalog()) {
    cities.insert(text(demo.venue.at("city")));
    for (const json::object& event : demo.events) {
      ++events;
      categories.insert(text(event.at("category")));
      const UnixMillis starts = time_of(event, "starts_at");
      latest = std::max(latest, starts);
      if (time_of(event, "on_sale_at") > now * 1000) ++future_on_sales;
      if (starts < (now + day) * 1000) tonight_cities.insert(text(demo.venue.at("city")));
    }
  }
  EXPECT_GE(events, 30u);
  EXPECT_GE(cities.size(), 4u);
  EXPECT_GE(categories.size(), 4u);
  EXPECT_TRUE(std::includes(allowed.begin(), allowed.end(), categories.begin(), categories.end()));
  EXPECT_GE(future_on_sales, 2u);
  EXPECT_LE(future_on_sales, events / 4);  // most are on sale already
  EXPECT_GE(tonight_cities.size(), 2u);
  EXPECT_GT(latest, (now + 120 * day) * 1000);  // about six months ahead, no more
  EXPECT_LT(latest, (now + 200 * day) * 1000);
}

TEST(DemoCatalog, CurrencyFollowsTheCountry) {
  const std::map<std::string, std::string> currency{{"US", "USD"}, {"GB", "GBP"}, {"DE", "EUR"}};
  for (const DemoVenue& demo : catalog()) {
    const std::string country = text(demo.venue.at("country"));
    ASSERT_TRUE(currency.contains(country)) << country;
    for (const json::object& event : demo.events) {
      for (const auto& level : event.at("price_levels").as_array()) {
        EXPECT_EQ(text(level.at("currency")), currency.at(country)) << text(event.at("name"));
      }
    }
  }
}

TEST(DemoCatalog, WaitingRoomOnlyForTheHottestArenaShows) {
  std::size_t rooms = 0;
  for (const DemoVenue& demo : catalog()) {
    for (const json::object& event : demo.events) {
      if (!event.contains("waiting_room")) continue;
      ++rooms;
      EXPECT_EQ(text(demo.venue.at("city")), "Los Angeles");
      const json::object& room = event.at("waiting_room").as_object();
      EXPECT_TRUE(room.at("enabled").as_bool());
      EXPECT_LE(time_of(room, "pre_queue_opens_at"), time_of(event, "on_sale_at"));
    }
  }
  EXPECT_GE(rooms, 1u);
  EXPECT_LE(rooms, 2u);
}

// An evening tip-off is at 19:30 in Los Angeles, winter (03:30Z) or summer (02:30Z).
TEST(DemoCatalog, ShowsKeepTheirLocalHourAcrossDaylightSaving) {
  const std::int64_t january = 1'799'604'000;  // 2027-01-10T18:00:00Z: games span mid-March
  const std::vector<DemoVenue> winter = demo_catalog(january);
  std::set<std::string> evening_times;
  for (const json::object& event : venue_in(winter, "Los Angeles").events) {
    if (!text(event.at("name")).starts_with("Los Angeles Comets vs.")) continue;
    const std::string starts = text(event.at("starts_at"));
    if (starts.ends_with("T20:30:00Z") || starts.ends_with("T19:30:00Z")) continue;  // matinee
    if (time_of(event, "starts_at") < (january + day) * 1000) continue;  // tonight's, maybe moved
    evening_times.insert(starts.substr(10));
  }
  EXPECT_EQ(evening_times, (std::set<std::string>{"T02:30:00Z", "T03:30:00Z"}));
}

TEST(DemoCatalog, TonightStaysAheadLateInTheEvening) {
  const std::int64_t late = 1'795'071'600;  // 23:00 in Los Angeles
  const std::vector<DemoVenue> late_catalog = demo_catalog(late);
  for (const json::object& event : venue_in(late_catalog, "Los Angeles").events) {
    EXPECT_GE(time_of(event, "starts_at"), (late + 3600) * 1000) << text(event.at("name"));
  }
}

// Everything below must hold whenever the catalog is loaded, with any seed.
class DemoCatalogAt : public testing::TestWithParam<std::pair<std::int64_t, std::uint64_t>> {};

TEST_P(DemoCatalogAt, SeatIdsAreUniqueAndPlacesDistinct) {
  for (const DemoVenue& demo : demo_catalog(GetParam().first, GetParam().second)) {
    std::set<std::string> seats;
    for (const auto& section : demo.venue.at("layout").at("sections").as_array()) {
      for (const auto& row : section.at("rows").as_array()) {
        for (const auto& seat : row.at("seats").as_array()) {
          EXPECT_TRUE(seats.insert(text(seat.at("id"))).second) << text(seat.at("id"));
        }
      }
    }
    const std::vector<std::string> places = place_ids(demo.venue);
    EXPECT_EQ(std::set<std::string>(places.begin(), places.end()).size(), places.size());
  }
}

TEST_P(DemoCatalogAt, EveryPlaceIsPricedByAnExistingLevel) {
  for (const DemoVenue& demo : demo_catalog(GetParam().first, GetParam().second)) {
    const std::vector<std::string> places = place_ids(demo.venue);
    for (const json::object& event : demo.events) {
      const std::string name = text(event.at("name"));
      const json::array& levels = event.at("price_levels").as_array();
      EXPECT_GE(levels.size(), 2u) << name;
      EXPECT_LE(levels.size(), 5u) << name;
      std::set<std::string> level_ids;
      for (const auto& level : levels) {
        level_ids.insert(text(level.at("id")));
        EXPECT_GT(level.at("price_cents").as_int64(), 0) << name;
      }
      const json::object& pricing = event.at("pricing").as_object();
      EXPECT_EQ(pricing.size(), places.size()) << name;
      for (const std::string& place : places) {
        ASSERT_TRUE(pricing.contains(place)) << name << ": " << place;
        EXPECT_TRUE(level_ids.contains(text(pricing.at(place)))) << name << ": " << place;
      }
    }
  }
}

TEST_P(DemoCatalogAt, TimesAreRfc3339AndInOrder) {
  const std::int64_t at = GetParam().first;
  for (const DemoVenue& demo : demo_catalog(at, GetParam().second)) {
    for (const json::object& event : demo.events) {
      const UnixMillis starts = time_of(event, "starts_at");
      EXPECT_LE(time_of(event, "on_sale_at"), starts) << text(event.at("name"));
      EXPECT_GT(starts, at * 1000) << text(event.at("name"));
    }
  }
}

TEST_P(DemoCatalogAt, AdjacentSeatsAreAboutAUnitApart) {
  for (const DemoVenue& demo : demo_catalog(GetParam().first, GetParam().second)) {
    for (const auto& section : demo.venue.at("layout").at("sections").as_array()) {
      for (const auto& row : section.at("rows").as_array()) {
        const json::array& seats = row.at("seats").as_array();
        for (std::size_t s = 1; s < seats.size(); ++s) {
          const double gap = std::hypot(
              seats[s].at("x").to_number<double>() - seats[s - 1].at("x").to_number<double>(),
              seats[s].at("y").to_number<double>() - seats[s - 1].at("y").to_number<double>());
          ASSERT_GE(gap, 0.5) << text(seats[s].at("id"));
          ASSERT_LE(gap, 2.0) << text(seats[s].at("id"));
        }
      }
    }
  }
}

// The bodies go through the API's own decoding and validation, as `serve --demo` sends them.
TEST_P(DemoCatalogAt, TheApiAcceptsEveryVenueAndEvent) {
  for (const DemoVenue& demo : demo_catalog(GetParam().first, GetParam().second)) {
    auto venue = decode_venue(demo.venue);
    ASSERT_TRUE(venue.ok()) << venue.error().detail;
    for (json::object body : demo.events) {
      body["venue_id"] = 1;
      auto event = decode_event(body);
      ASSERT_TRUE(event.ok()) << event.error().detail;
      EXPECT_TRUE(validate_event(*event, *venue->layout).ok()) << event->name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    NowsAndSeeds, DemoCatalogAt,
    testing::Values(std::pair<std::int64_t, std::uint64_t>{now, 1},
                    std::pair<std::int64_t, std::uint64_t>{now, 42},
                    std::pair<std::int64_t, std::uint64_t>{1'805'016'600, 1},    // US clocks change
                    std::pair<std::int64_t, std::uint64_t>{1'814'399'400, 1},    // 23:50 in London
                    std::pair<std::int64_t, std::uint64_t>{1'792'888'200, 3}));  // EU clocks change

}  // namespace
}  // namespace boxoffice::app
