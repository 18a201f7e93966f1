// The demo catalog is what a newcomer sees first: it must be valid, varied and realistic.
#include "app/demo_catalog.hpp"
#include "core/catalog_codec.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>

namespace boxoffice::app {
namespace {

constexpr std::int64_t now = 1'795'000'000;  // 2026-11-18

TEST(DemoCatalog, IsDeterministic) {
  const auto a = demo_catalog(now);
  const auto b = demo_catalog(now);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(boost::json::serialize(a[i].venue), boost::json::serialize(b[i].venue));
    ASSERT_EQ(a[i].events.size(), b[i].events.size());
  }
}

TEST(DemoCatalog, EveryVenueAndEventIsValid) {
  std::set<std::string> cities;
  std::set<std::string> categories;
  std::size_t events = 0;
  std::size_t largest = 0;
  bool has_theatre = false;
  bool has_ga_only = false;
  for (const DemoVenue& demo : demo_catalog(now)) {
    auto venue = decode_venue(demo.venue);
    ASSERT_TRUE(venue.ok()) << venue.error().detail;
    const Layout& layout = *venue->layout;
    largest = std::max(largest, layout.seats.size());
    if (layout.seats.size() >= 1300 && layout.seats.size() <= 1700) {
      has_theatre = true;
      EXPECT_TRUE(layout.seats.front().score.has_value());
    }
    if (layout.seats.empty() && !layout.ga_areas.empty()) has_ga_only = true;
    cities.insert(venue->city);
    for (const Row& row : layout.rows) {  // adjacent seats about a unit apart
      for (SeatIndex s = row.first_seat + 1; s < row.first_seat + row.seat_count; ++s) {
        const double gap = std::hypot(layout.seats[s].x - layout.seats[s - 1].x,
                                      layout.seats[s].y - layout.seats[s - 1].y);
        EXPECT_GE(gap, 0.5);
        EXPECT_LE(gap, 2.0);
      }
    }
    for (boost::json::object body : demo.events) {
      body["venue_id"] = 1;
      auto event = decode_event(body);
      ASSERT_TRUE(event.ok()) << event.error().detail;
      EXPECT_TRUE(validate_event(*event, layout).ok()) << event->name;
      EXPECT_LE(event->on_sale_at, event->starts_at);
      categories.insert(event->category);
      ++events;
    }
  }
  EXPECT_GE(largest, 20'000u);
  EXPECT_TRUE(has_theatre);
  EXPECT_TRUE(has_ga_only);
  EXPECT_GE(events, 30u);
  EXPECT_GE(cities.size(), 4u);
  EXPECT_GE(categories.size(), 4u);
}

}  // namespace
}  // namespace boxoffice::app
