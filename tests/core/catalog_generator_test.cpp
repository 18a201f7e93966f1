#include "core/catalog_generator.hpp"

#include <gtest/gtest.h>

#include <set>

namespace boxoffice {
namespace {

UnixMillis as_utc(std::string_view, LocalMillis local) { return local; }

TEST(CatalogGenerator, SameSeedSameCatalog) {
  GeneratorOptions options{.events = 500, .seed = 7, .start = 1'800'000'000'000};
  const auto a = generate_catalog(options, as_utc);
  const auto b = generate_catalog(options, as_utc);
  ASSERT_EQ(a.events.size(), 500u);
  ASSERT_EQ(a.events.size(), b.events.size());
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    EXPECT_EQ(a.events[i].name, b.events[i].name);
    EXPECT_EQ(a.events[i].starts_at, b.events[i].starts_at);
  }
  options.seed = 8;
  EXPECT_NE(generate_catalog(options, as_utc).events[0].name + "x", a.events[0].name);
}

TEST(CatalogGenerator, EventsAreValidAndSpreadOverTheYear) {
  const GeneratorOptions options{.events = 2'000, .seed = 1, .start = 1'800'000'000'000};
  const auto catalog = generate_catalog(options, as_utc);
  EXPECT_GE(catalog.venues.size(), 8u);
  std::set<std::string> categories, cities;
  UnixMillis first = INT64_MAX, last = 0;
  for (const Event& event : catalog.events) {
    const Venue& venue = catalog.venues.at(static_cast<std::size_t>(event.venue_id - 1));
    EXPECT_TRUE(validate_event(event, *venue.layout).ok()) << event.name;
    EXPECT_FALSE(event.performers.empty());
    categories.insert(event.category);
    cities.insert(venue.city);
    first = std::min(first, event.starts_at);
    last = std::max(last, event.starts_at);
  }
  EXPECT_EQ(categories,
            (std::set<std::string>{"comedy", "concert", "family", "sports", "theatre"}));
  EXPECT_GE(cities.size(), 5u);
  EXPECT_GT(last - first, 300LL * 86'400'000);
  EXPECT_GE(first, options.start - 86'400'000);
}

}  // namespace
}  // namespace boxoffice
