// The search index's interned strings (services/search/index.hpp): one pool per kind, each
// bounded, holding only what indexed events use, so that the catalog's bounds are the index's.
#include <gtest/gtest.h>

#include "services/search/index.hpp"

namespace boxoffice::search_detail {
namespace {

TEST(SearchStringPool, OneIdPerStringWhileHeld) {
  StringPool pool(10);
  const std::uint16_t concert = pool.acquire("concert");
  EXPECT_EQ(pool.acquire("concert"), concert);
  const std::uint16_t comedy = pool.acquire("comedy");
  EXPECT_NE(comedy, concert);
  EXPECT_EQ(pool.text(concert), "concert");
  EXPECT_EQ(pool.find("comedy"), comedy);
  pool.release(concert);
  EXPECT_EQ(pool.find("concert"), concert);  // still held once
  pool.release(concert);
  EXPECT_FALSE(pool.find("concert"));
  EXPECT_EQ(pool.folded(concert), "");
  EXPECT_EQ(pool.acquire("Théâtre"), concert);  // the freed id, reused
  EXPECT_EQ(pool.folded(concert), "theatre");
  EXPECT_EQ(pool.ids(), 2u);
}

// The bound is on strings held at once: releasing makes room.
TEST(SearchStringPool, TheBoundCountsStringsHeld) {
  StringPool pool(2);
  pool.acquire("a");
  const std::uint16_t b = pool.acquire("b");
  pool.release(b);
  pool.acquire("c");
  EXPECT_EQ(pool.ids(), 2u);
}

TEST(SearchStringPoolDeathTest, PassingTheBoundIsABug) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  StringPool pool(2);
  pool.acquire("a");
  pool.acquire("b");
  EXPECT_DEATH(pool.acquire("c"), "invariant broken.*strings_max_");
  EXPECT_DEATH(pool.release(7), "invariant broken");
}

Event event_at(std::int64_t id, const Venue& venue, std::string category) {
  Event e;
  e.id = id;
  e.venue_id = venue.id;
  e.name = "Show " + std::to_string(id);
  e.category = std::move(category);
  e.starts_at = 1'800'000'000'000;
  e.price_levels = {{"std", "Standard", 5'000, "USD"}};
  e.published = true;
  return e;
}

Venue venue_named(std::string name, std::string city) {
  Venue v;
  v.id = 1;
  v.name = std::move(name);
  v.city = std::move(city);
  v.timezone = "UTC";
  return v;
}

// An event changed many times (its venue renamed, its category changed) holds one string of
// each kind: the index doesn't keep what it used before, which the catalog no longer bounds.
TEST(SearchIndexStrings, ReplacedValuesAreForgotten) {
  Index index({});
  for (int i = 0; i < 100; ++i) {
    const Venue venue = venue_named("Hall " + std::to_string(i), "City " + std::to_string(i));
    index.insert(event_at(1, venue, "kind " + std::to_string(i)), venue);
  }
  const Venue last = venue_named("Hall 99", "City 99");
  index.insert(event_at(2, last, "kind 99"), last);
  for (const StringPool* pool :
       {&index.categories, &index.cities, &index.venue_names, &index.currencies}) {
    EXPECT_EQ(pool->ids(), 1u);
  }
  EXPECT_EQ(index.categories.text(index.docs[index.slot_of.at(2)].category), "kind 99");
  index.erase(1);
  index.erase(2);
  EXPECT_FALSE(index.venue_names.find("Hall 99"));
  EXPECT_EQ(index.live_docs, 0u);
}

}  // namespace
}  // namespace boxoffice::search_detail
