// The catalog's bounds (services/catalog.hpp): past catalog_venues_max venues or
// catalog_categories_max distinct categories, creating more is refused with limit_exceeded and
// changes nothing; what the catalog holds already can still be used. The bounds are what keeps
// the search index's 16-bit string ids from running out (services/search/search.hpp).
#include <gtest/gtest.h>

#include <map>

#include "core/layout_builder.hpp"
#include "services/catalog.hpp"

namespace boxoffice {
namespace {

// Keeps what it is given in memory: the bounds are the catalog's own, not a store's.
class MemoryCatalogStore final : public CatalogStore {
 public:
  Result<std::int64_t> create_venue(const Venue& venue) override {
    venues_.push_back(venue);
    venues_.back().id = static_cast<std::int64_t>(venues_.size());
    return venues_.back().id;
  }
  Result<std::int64_t> create_event(const Event& event) override {
    events_.push_back(event);
    events_.back().id = static_cast<std::int64_t>(events_.size());
    return events_.back().id;
  }
  Status update_event(const Event& event) override {
    events_.at(static_cast<std::size_t>(event.id - 1)) = event;
    return ok_status();
  }
  Result<std::vector<Venue>> load_venues() override { return venues_; }
  Result<std::vector<Event>> load_events() override { return events_; }
  Result<std::string> catalog_signature() override { return std::string("fixed"); }

  std::size_t venues_stored() const { return venues_.size(); }
  std::size_t events_stored() const { return events_.size(); }

 private:
  std::vector<Venue> venues_;
  std::vector<Event> events_;
};

class CatalogLimitsTest : public ::testing::Test {
 protected:
  Venue venue(int n) const {
    return Venue{.name = "Hall " + std::to_string(n),
                 .city = "Town " + std::to_string(n),
                 .country = "DE",
                 .timezone = "Europe/Berlin",
                 .layout = layout_};
  }
  Event event(std::int64_t venue_id, std::string category) const {
    Event event{.venue_id = venue_id,
                .name = "Show",
                .category = std::move(category),
                .starts_at = 2'000'000'000'000,
                .on_sale_at = 1'000'000'000'000};
    event.price_levels.push_back({"std", "Standard", 1000, "EUR"});
    event.pricing["s0"] = "std";
    return event;
  }

  std::shared_ptr<const Layout> layout_ = testing::build_layout({{2}}, {});
  MemoryCatalogStore store_;
  Catalog catalog_{store_, [](const Event&, const Venue*) { return std::string("{}"); }};
};

TEST_F(CatalogLimitsTest, NoMoreVenuesThanTheBound) {
  for (std::size_t n = 0; n < catalog_venues_max; ++n) {
    ASSERT_TRUE(catalog_.create_venue(venue(static_cast<int>(n))).ok()) << n;
  }
  const auto refused = catalog_.create_venue(venue(-1));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::limit_exceeded);
  EXPECT_EQ(store_.venues_stored(), catalog_venues_max);
  EXPECT_TRUE(catalog_.create_event(event(1, "concert")).ok());  // the venues it has still serve
}

TEST_F(CatalogLimitsTest, NoMoreCategoriesThanTheBoundButKnownOnesStillServe) {
  const auto hall = catalog_.create_venue(venue(0));
  ASSERT_TRUE(hall.ok());
  const std::int64_t venue_id = (*hall)->id;
  for (std::size_t n = 0; n < catalog_categories_max; ++n) {
    ASSERT_TRUE(catalog_.create_event(event(venue_id, "kind " + std::to_string(n))).ok()) << n;
  }
  const auto refused = catalog_.create_event(event(venue_id, "one too many"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::limit_exceeded);
  EXPECT_EQ(store_.events_stored(), catalog_categories_max);
  EXPECT_TRUE(catalog_.create_event(event(venue_id, "kind 7")).ok());
  // An update into a new category is refused the same way, and the event stays as it was.
  const auto changed = catalog_.update_event(1, event(venue_id, "another new one"));
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().code, Errc::limit_exceeded);
  EXPECT_EQ(catalog_.event(1)->event->category, "kind 0");
}

}  // namespace
}  // namespace boxoffice
