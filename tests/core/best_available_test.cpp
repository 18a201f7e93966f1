// Best available (core/best_available.hpp) on small hand-made layouts: built by
// build_layout(), seats have x = seat number and y = row number; the stage is at (0, -10)
// unless the test gives scores or a stage of its own.
#include "core/best_available.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "best_available_reference.hpp"
#include "layout_builder.hpp"

namespace boxoffice {
namespace {

using testing::build_layout;
using testing::reference_best_available;

constexpr std::uint32_t held_by_someone = 7;
constexpr std::uint32_t sold = 0xffff'ffff;

// owner[] with the given seats taken (held or sold: both are "taken" to best available).
std::vector<std::uint32_t> taken(const Layout& layout, std::initializer_list<SeatIndex> seats) {
  std::vector<std::uint32_t> owner(layout.seats.size(), 0);
  for (const SeatIndex seat : seats) owner.at(seat) = seat % 2 == 0 ? held_by_someone : sold;
  return owner;
}

std::vector<SeatIndex> seats(SeatIndex first, std::uint32_t count) {
  std::vector<SeatIndex> result;
  for (std::uint32_t i = 0; i < count; ++i) result.push_back(first + i);
  return result;
}

std::optional<std::vector<SeatIndex>> best(const Layout& layout,
                                           const std::vector<std::uint32_t>& owner,
                                           std::uint32_t count,
                                           std::vector<std::uint32_t> sections = {}) {
  return find_best_available(layout, owner, {count, std::move(sections)});
}

TEST(BestAvailable, PicksTheHighestScoringWindow) {
  //                          row 0: seats 0..5
  const auto layout = build_layout({{6}}, {}, {1, 2, 5, 5, 2, 1});
  EXPECT_EQ(best(*layout, taken(*layout, {}), 2), seats(2, 2));
  EXPECT_EQ(best(*layout, taken(*layout, {}), 1), seats(2, 1));
  EXPECT_EQ(best(*layout, taken(*layout, {}), 6), seats(0, 6));
  // Across rows: the second row scores higher.
  const auto two_rows = build_layout({{3, 3}}, {}, {1, 1, 1, 2, 2, 2});
  EXPECT_EQ(best(*two_rows, taken(*two_rows, {}), 3), seats(3, 3));
}

TEST(BestAvailable, WithoutScoresNearestTheStageWins) {
  const auto layout = build_layout({{4, 4, 4}});  // rows at y = 0, 1, 2; stage at (0, -10)
  EXPECT_EQ(best(*layout, taken(*layout, {}), 2), seats(0, 2));
  EXPECT_EQ(best(*layout, taken(*layout, {0, 1, 2, 3}), 2), seats(4, 2));
  EXPECT_EQ(best(*layout, taken(*layout, {0, 1, 2, 3}), 4), seats(4, 4));
  // A stage on the right turns the preference around.
  const auto right = build_layout({{6}}, {}, {}, Point{5, -1});
  EXPECT_EQ(best(*right, taken(*right, {}), 2), seats(4, 2));
}

TEST(BestAvailable, UsesLayoutScoresWhenPresent) {
  // Without scores seat 0 is nearest the stage; the scores say the far end is better.
  const auto plain = build_layout({{4}});
  const auto scored = build_layout({{4}}, {}, {0, 0, 0, 5});
  EXPECT_EQ(best(*plain, taken(*plain, {}), 1), seats(0, 1));
  EXPECT_EQ(best(*scored, taken(*scored, {}), 1), seats(3, 1));
  // Negative and fractional scores are preferences like any other.
  const auto fractional = build_layout({{4}}, {}, {-0.5, -1, -0.125, -0.25});
  EXPECT_EQ(best(*fractional, taken(*fractional, {}), 2), seats(2, 2));
}

TEST(BestAvailable, NeverStrandsASingleSeatNextToATakenOne) {
  // Seats 0..5, seat 0 taken. Scores favour 2,3 but that leaves seat 1 alone between the
  // taken seat 0 and the hold.
  const auto layout = build_layout({{6}}, {}, {0, 1, 9, 9, 1, 0});
  EXPECT_EQ(best(*layout, taken(*layout, {0}), 2), seats(1, 2));  // leaves 3..5 together
  // The mirror image: seat 5 taken.
  EXPECT_EQ(best(*layout, taken(*layout, {5}), 2), seats(3, 2));
  // Taken seats on both sides; the best-scoring window 2..4 would strand 1 and 5.
  const auto seven = build_layout({{7}}, {}, {0, 1, 5, 9, 5, 1, 0});
  EXPECT_EQ(best(*seven, taken(*seven, {0, 6}), 3), seats(1, 3));  // tie with 3..5: lowest
  // The only window that strands nobody is in a worse row.
  const auto rows = build_layout({{4, 4}}, {}, {9, 9, 9, 9, 0, 0, 0, 0});
  EXPECT_EQ(best(*rows, taken(*rows, {0}), 2), seats(4, 2));
  // In the middle of a long row: the best window 3,4 is fine with seat 0 or seat 2 taken
  // (two seats left together, or none), not with seat 1 taken (seat 2 alone beside it).
  const auto eight = build_layout({{8}}, {}, {0, 0, 1, 9, 9, 1, 0, 0});
  EXPECT_EQ(best(*eight, taken(*eight, {0}), 2), seats(3, 2));
  EXPECT_EQ(best(*eight, taken(*eight, {2}), 2), seats(3, 2));
  EXPECT_EQ(best(*eight, taken(*eight, {1}), 2), seats(2, 2));  // 2,3 and 4,5 tie at 10
  // Seats 1 and 6 taken: 3,4 would strand 2 and 5; 2,3 and 4,5 strand nobody.
  EXPECT_EQ(best(*eight, taken(*eight, {1, 6}), 2), seats(2, 2));
  // Seats 2 and 6 taken: both windows between them strand a seat, so the poorest window of
  // the row, 0,1, is the one that strands nobody.
  EXPECT_EQ(best(*eight, taken(*eight, {2, 6}), 2), seats(0, 2));
}

TEST(BestAvailable, StrandingOutranksPreference) {
  // Want 3 of 6 free seats: only 0..2 and 3..5 strand nobody; the middle windows score more.
  const auto layout = build_layout({{6}}, {}, {1, 2, 5, 5, 2, 1});
  EXPECT_EQ(best(*layout, taken(*layout, {}), 3), seats(0, 3));
  // Want 4 of 5: each window strands a seat at a row end; the better scoring one wins.
  const auto five = build_layout({{5}}, {}, {1, 2, 3, 4, 5});
  EXPECT_EQ(best(*five, taken(*five, {}), 4), seats(1, 4));
}

TEST(BestAvailable, StrandingAtRowEndIsTheLesserEvil) {
  // Seats 0..3 free, 4 taken, want 3: 0-2 strands 3 next to the taken seat 4; 1-3 strands 0
  // at the row's end. The row end wins even with lower scores.
  const auto layout = build_layout({{5}}, {}, {0, 0, 0, 0, 0});
  const auto scored = build_layout({{5}}, {}, {9, 9, 9, 0, 0});
  EXPECT_EQ(best(*layout, taken(*layout, {4}), 3), seats(1, 3));
  EXPECT_EQ(best(*scored, taken(*scored, {4}), 3), seats(1, 3));
  // The mirror image: seat 0 taken; 2-4 strands 1 beside it, 1-3 strands 4 at the end.
  const auto mirrored = build_layout({{5}}, {}, {0, 0, 9, 9, 9});
  EXPECT_EQ(best(*mirrored, taken(*mirrored, {0}), 3), seats(1, 3));
  // One seat wanted: 2 scores more but leaves 1 beside the taken seat 0; 1 leaves 2 at the end.
  const auto three = build_layout({{3}}, {}, {0, 0, 9});
  EXPECT_EQ(best(*three, taken(*three, {0}), 1), seats(1, 1));
  // Across rows: every window of the good row strands a seat beside a taken one; every window
  // of the poor row strands one at a row end. The poor row wins.
  const auto rows = build_layout({{5, 3}}, {}, {9, 9, 9, 9, 9, 0, 0, 0});
  EXPECT_EQ(best(*rows, taken(*rows, {0, 4}), 2), seats(5, 2));
}

TEST(BestAvailable, StrandsWhenNothingElseExists) {
  const auto five = build_layout({{5}}, {}, {0, 1, 1, 2, 0});
  // Seats 0 and 4 taken, want 2: both windows strand a seat beside a taken one.
  EXPECT_EQ(best(*five, taken(*five, {0, 4}), 2), seats(2, 2));  // the better scoring one
  const auto flat = build_layout({{5}}, {}, {1, 1, 1, 1, 1});
  EXPECT_EQ(best(*flat, taken(*flat, {0, 4}), 2), seats(1, 2));  // tie: the lowest index
}

TEST(BestAvailable, RespectsTheSectionFilter) {
  const auto layout = build_layout({{4}, {4}, {4}}, {}, {9, 9, 9, 9, 1, 1, 1, 1, 5, 5, 5, 5});
  const auto none = taken(*layout, {});
  EXPECT_EQ(best(*layout, none, 2), seats(0, 2));
  EXPECT_EQ(best(*layout, none, 2, {1}), seats(4, 2));
  EXPECT_EQ(best(*layout, none, 2, {1, 2}), seats(8, 2));
  EXPECT_EQ(best(*layout, none, 2, {2, 1}), seats(8, 2));  // the filter's order is no ranking
  EXPECT_EQ(best(*layout, none, 2, {0, 1, 2}), seats(0, 2));
  // Nothing in the chosen section: no seats elsewhere instead.
  EXPECT_FALSE(best(*layout, taken(*layout, {4, 6}), 2, {1}));
  EXPECT_EQ(best(*layout, taken(*layout, {4, 6}), 2), seats(0, 2));
  // Ties inside a filter still go to the lowest index of the filtered sections.
  const auto flat = build_layout({{4}, {4}}, {}, {1, 1, 1, 1, 1, 1, 1, 1});
  EXPECT_EQ(best(*flat, taken(*flat, {}), 4, {1}), seats(4, 4));
}

TEST(BestAvailable, NothingWhenNoRowHasEnoughTogether) {
  const auto layout = build_layout({{3, 3}});
  // Enough seats in all, but not adjacent in one row.
  EXPECT_FALSE(best(*layout, taken(*layout, {1, 4}), 2));
  EXPECT_FALSE(best(*layout, taken(*layout, {}), 4));  // rows end at 3 seats
  EXPECT_FALSE(best(*layout, taken(*layout, {0, 1, 2, 3, 4, 5}), 1));
  EXPECT_FALSE(best(*layout, taken(*layout, {}), 0));  // asking for nothing finds nothing
  // Sections don't join either: two sections of one 2-seat row each.
  const auto split = build_layout({{2}, {2}});
  EXPECT_FALSE(best(*split, taken(*split, {}), 3));
  // A layout of general admission only has no seats to choose.
  const auto ga_only = build_layout({}, {10});
  EXPECT_FALSE(best(*ga_only, taken(*ga_only, {}), 1));
}

TEST(BestAvailable, TiesGoToTheLowestIndex) {
  const auto layout = build_layout({{4, 4}}, {}, {1, 1, 1, 1, 1, 1, 1, 1});
  EXPECT_EQ(best(*layout, taken(*layout, {}), 4), seats(0, 4));
  EXPECT_EQ(best(*layout, taken(*layout, {}), 2), seats(0, 2));
  EXPECT_EQ(best(*layout, taken(*layout, {0, 1, 2, 3}), 2), seats(4, 2));
  // Across sections.
  const auto sections = build_layout({{2}, {2}}, {}, {3, 3, 3, 3});
  EXPECT_EQ(best(*sections, taken(*sections, {}), 2), seats(0, 2));
}

TEST(BestAvailable, MirrorImagesAboutACentredStageTie) {
  // No stage: preference is nearness to the centre of the seats, so the two halves of each
  // row are mirror images and equal windows must tie exactly, whatever rounding a running
  // sum would pick up. With the middle of the row taken, the left window always wins.
  int checked = 0;
  for (int width = 4; width <= 40; ++width) {
    for (int hole = 1; hole <= 3 && 2 * hole + 2 <= width; ++hole) {
      const auto layout = build_layout({{width, width}}, {}, {}, std::nullopt);
      std::vector<std::uint32_t> owner(layout->seats.size(), 0);
      const int middle_first = (width - 2 * hole + (width % 2)) / 2;  // symmetric hole
      const int middle_count = 2 * hole - (width % 2);
      for (int k = 0; k < middle_count; ++k) owner[middle_first + k] = held_by_someone;
      for (int k = 0; k < width; ++k) owner[width + k] = sold;  // the back row is sold out
      for (std::uint32_t count = 1; count <= static_cast<std::uint32_t>(middle_first); ++count) {
        const auto chosen = find_best_available(*layout, owner, {count, {}});
        ASSERT_TRUE(chosen) << width << " " << hole << " " << count;
        const SeatIndex first = chosen->front();
        const SeatIndex mirror = static_cast<SeatIndex>(width) - count - first;
        EXPECT_LE(first, mirror) << "width " << width << ", hole " << hole << ", count " << count;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 500);
}

TEST(BestAvailable, AgreesWithBruteForceOnEveryPatternOfSmallRows) {
  // Every pattern of taken seats over two rows of 4 and 5 seats (2^9), every count, with and
  // without scores and a section filter.
  const auto scored = build_layout({{4}, {5}}, {}, {2, 3, 3, 1, 0, 1, 4, 1, 0});
  const auto plain = build_layout({{4}, {5}}, {}, {}, std::nullopt);
  int compared = 0;
  for (const auto& layout : {scored, plain}) {
    for (std::uint32_t pattern = 0; pattern < (1u << 9); ++pattern) {
      std::vector<std::uint32_t> owner(9, 0);
      for (SeatIndex s = 0; s < 9; ++s) owner[s] = (pattern >> s & 1) ? held_by_someone : 0;
      const auto available = [&](SeatIndex s) { return owner[s] == 0; };
      for (std::uint32_t count = 1; count <= 6; ++count) {
        for (const std::vector<std::uint32_t>& sections :
             {std::vector<std::uint32_t>{}, std::vector<std::uint32_t>{1}}) {
          const auto expected = reference_best_available(*layout, available, count, sections);
          const auto chosen = find_best_available(*layout, owner, {count, sections});
          ASSERT_EQ(chosen, expected) << "pattern " << pattern << ", count " << count;
          ++compared;
        }
      }
    }
  }
  EXPECT_EQ(compared, 2 * 512 * 6 * 2);
}

TEST(BestAvailable, AgreesWithBruteForceOnRandomLayouts) {
  // Rows of random lengths and scores, so that the best row is anywhere and the search's early
  // stop is tried against every kind of neighbour; random seats taken, from none to nearly all.
  std::mt19937 random(20261207);
  int compared = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<std::vector<int>> sections(1 + random() % 3);
    for (auto& rows : sections) {
      rows.resize(1 + random() % 6);
      for (int& seats : rows) seats = static_cast<int>(random() % 9);  // empty rows too
    }
    std::size_t seat_count = 0;
    for (const auto& rows : sections) {
      for (const int seats : rows) seat_count += seats;
    }
    if (seat_count == 0) continue;
    std::vector<double> scores(seat_count);
    for (double& score : scores) score = static_cast<double>(random() % 7) - 2.5;
    const bool scored = trial % 3 != 0;  // else nearness to the stage
    const auto layout = build_layout(sections, {}, scored ? scores : std::vector<double>{});
    const double taken_share = (random() % 100) / 100.0;
    std::vector<std::uint32_t> owner(seat_count, 0);
    for (auto& seat : owner) seat = (random() % 100) / 100.0 < taken_share ? held_by_someone : 0;
    const auto available = [&](SeatIndex s) { return owner[s] == 0; };
    for (std::uint32_t count = 1; count <= 5; ++count) {
      for (const std::vector<std::uint32_t>& wanted :
           {std::vector<std::uint32_t>{}, std::vector<std::uint32_t>{0}}) {
        ASSERT_EQ(find_best_available(*layout, owner, {count, wanted}),
                  reference_best_available(*layout, available, count, wanted))
            << "trial " << trial << ", count " << count;
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 2500);
}

}  // namespace
}  // namespace boxoffice
