#include "core/best_available.hpp"
#include "layout_builder.hpp"

#include <gtest/gtest.h>

namespace boxoffice {
namespace {

using testing::build_layout;

// owner[] with the given seats taken.
std::vector<std::uint32_t> taken(const Layout& layout, std::initializer_list<SeatIndex> seats) {
  std::vector<std::uint32_t> owner(layout.seats.size(), 0);
  for (const SeatIndex seat : seats) owner[seat] = 1;
  return owner;
}

std::vector<SeatIndex> seats(SeatIndex first, std::uint32_t count) {
  std::vector<SeatIndex> result;
  for (std::uint32_t i = 0; i < count; ++i) result.push_back(first + i);
  return result;
}

TEST(BestAvailable, PicksTheHighestScoringWindow) {
  //                          row 0: seats 0..5
  const auto layout = build_layout({{6}}, {}, {1, 2, 5, 5, 2, 1});
  EXPECT_EQ(find_best_available(*layout, taken(*layout, {}), {2, {}}), seats(2, 2));
}

TEST(BestAvailable, WithoutScoresNearestTheStageWins) {
  const auto layout = build_layout({{4, 4, 4}});  // rows at y = 0, 1, 2; stage at y = -10
  EXPECT_EQ(find_best_available(*layout, taken(*layout, {0, 1, 2, 3}), {2, {}}), seats(4, 2));
}

TEST(BestAvailable, NeverStrandsASingleSeatNextToATakenOne) {
  // Seats 0..5, seat 0 taken. Scores favour 2,3 but that leaves seat 1 alone between the
  // taken seat 0 and the hold.
  const auto layout = build_layout({{6}}, {}, {0, 1, 9, 9, 1, 0});
  const auto chosen = find_best_available(*layout, taken(*layout, {0}), {2, {}});
  ASSERT_TRUE(chosen);
  EXPECT_NE(*chosen, seats(2, 2));
  EXPECT_EQ(*chosen, seats(1, 2));  // 1,2 leaves 3..5 together
}

TEST(BestAvailable, StrandingAtRowEndIsTheLesserEvil) {
  // Seats 0..4, seat 4 taken; two seats wanted. Windows: 0-1 leaves 2,3 (fine) ... make every
  // window strand someone: seats 0..3 free, 4 taken, want 3: 0-2 strands 3 next to the taken
  // seat 4; 1-3 strands 0 at the row's end. The row end wins even with lower scores.
  const auto layout = build_layout({{5}}, {}, {0, 0, 0, 0, 0});
  const auto scored = build_layout({{5}}, {}, {9, 9, 9, 0, 0});
  EXPECT_EQ(find_best_available(*layout, taken(*layout, {4}), {3, {}}), seats(1, 3));
  EXPECT_EQ(find_best_available(*scored, taken(*scored, {4}), {3, {}}), seats(1, 3));
}

TEST(BestAvailable, StrandsWhenNothingElseExists) {
  const auto layout = build_layout({{3}});
  EXPECT_EQ(find_best_available(*layout, taken(*layout, {0}), {1, {}})->size(), 1u);
}

TEST(BestAvailable, RespectsTheSectionFilter) {
  const auto layout = build_layout({{4}, {4}}, {}, {9, 9, 9, 9, 1, 1, 1, 1});
  EXPECT_EQ(find_best_available(*layout, taken(*layout, {}), {2, {1}})->front(), 4u);
}

TEST(BestAvailable, NothingWhenNoRowHasEnoughTogether) {
  const auto layout = build_layout({{3, 3}});
  EXPECT_FALSE(find_best_available(*layout, taken(*layout, {1, 4}), {2, {}}));
  EXPECT_FALSE(find_best_available(*layout, taken(*layout, {}), {4, {}}));
  EXPECT_FALSE(find_best_available(*layout, taken(*layout, {}), {0, {}}));
}

TEST(BestAvailable, TiesGoToTheLowestIndex) {
  const auto layout = build_layout({{4, 4}}, {}, {1, 1, 1, 1, 1, 1, 1, 1});
  EXPECT_EQ(find_best_available(*layout, taken(*layout, {}), {4, {}}), seats(0, 4));
}

}  // namespace
}  // namespace boxoffice
