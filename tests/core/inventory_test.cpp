// Examples of every method and error of the inventory (core/inventory.hpp). The venue: two
// rows of four seats (indexes 0..3 and 4..7; the stage is nearest seat 0) and one general
// admission area of 10 places; at most 4 units per order. Times are plain numbers.
#include "core/inventory.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "layout_builder.hpp"

namespace boxoffice {
namespace {

using testing::build_layout;
using testing::hold_id;

constexpr std::uint64_t first_seq = 5ull << 32;  // a sequence far past 32 bits

std::vector<SeatIndex> indexes_in(const Error& error) {
  std::vector<SeatIndex> seats = error.facts.seat_indexes;
  std::sort(seats.begin(), seats.end());
  return seats;
}

class InventoryTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Layout> layout_ = build_layout({{4, 4}}, {10});
  Inventory inventory_{layout_, first_seq};
  HoldTerms terms_ = testing::test_terms(*layout_, 4);

  void TearDown() override { inventory_.check_invariants(); }

  // Holds `seats` from `now` until `expires_at`, which must succeed.
  void hold(std::uint32_t id, std::vector<SeatIndex> seats, UnixMillis now, UnixMillis expires_at) {
    const auto result = inventory_.hold_seats(hold_id(id), terms_, seats, now, expires_at);
    ASSERT_TRUE(result.ok()) << result.error().detail;
  }
  Errc error_of(const Result<HoldView>& result) {
    EXPECT_FALSE(result.ok());
    return result.ok() ? Errc::conflict : result.error().code;
  }
  Errc error_of(const Status& status) {
    EXPECT_FALSE(status.ok());
    return status.ok() ? Errc::conflict : status.error().code;
  }
  std::vector<ChangeKind> kinds(const std::vector<Change>& changes) {
    std::vector<ChangeKind> result;
    for (const Change& change : changes) result.push_back(change.kind);
    return result;
  }
};

// ---------------------------------------------------------------------------------------------
// hold_seats

TEST_F(InventoryTest, HoldSeatsAnswersTheHoldInTheOrderAsked) {
  const auto view =
      inventory_.hold_seats(hold_id(1), terms_, std::vector<SeatIndex>{6, 2}, 10, 100);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->id, hold_id(1));
  EXPECT_EQ(view->seats, (std::vector<SeatIndex>{6, 2}));
  EXPECT_FALSE(view->ga_area);
  EXPECT_EQ(view->ga_quantity, 0u);
  EXPECT_EQ(view->created_at, 10);
  EXPECT_EQ(view->expires_at, 100);
  EXPECT_FALSE(view->confirming);
  EXPECT_EQ(view->unit_count(), 2u);

  EXPECT_EQ(inventory_.seat_state(2), SeatState::held);
  EXPECT_EQ(inventory_.seat_state(6), SeatState::held);
  EXPECT_EQ(inventory_.seat_state(3), SeatState::available);
  EXPECT_EQ(inventory_.seats_available(), 6u);
  EXPECT_EQ(inventory_.seats_sold(), 0u);
  EXPECT_EQ(inventory_.live_holds(), 1u);
  const auto owners = inventory_.seat_owners();
  ASSERT_EQ(owners.size(), 8u);
  EXPECT_NE(owners[2], 0u);
  EXPECT_EQ(owners[2], owners[6]);  // one owner for the whole hold
  EXPECT_EQ(std::count(owners.begin(), owners.end(), 0u), 6);

  EXPECT_EQ(inventory_.seq(), first_seq + 1);
  const auto changes = inventory_.take_changes();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].seq, first_seq + 1);
  EXPECT_EQ(changes[0].kind, ChangeKind::held);
  EXPECT_EQ(changes[0].hold, hold_id(1));
  EXPECT_EQ(changes[0].seats, (std::vector<SeatIndex>{6, 2}));
  EXPECT_FALSE(changes[0].ga_area);
  EXPECT_EQ(changes[0].ga_quantity, 0u);
}

TEST_F(InventoryTest, HoldIsAllOrNothing) {
  hold(1, {1}, 0, 100);
  inventory_.load_sold_seats(std::vector<SeatIndex>{5});
  inventory_.take_changes();
  const auto refused =
      inventory_.hold_seats(hold_id(2), terms_, std::vector<SeatIndex>{0, 5, 2, 1}, 0, 100);
  ASSERT_EQ(error_of(refused), Errc::seats_unavailable);
  EXPECT_EQ(indexes_in(refused.error()), (std::vector<SeatIndex>{1, 5}));
  // Nothing changed: the free seats of the request are still free.
  EXPECT_EQ(inventory_.seat_state(0), SeatState::available);
  EXPECT_EQ(inventory_.seat_state(2), SeatState::available);
  EXPECT_EQ(inventory_.seat_state(5), SeatState::sold);
  EXPECT_EQ(inventory_.seats_available(), 6u);
  EXPECT_EQ(inventory_.live_holds(), 1u);
  EXPECT_EQ(inventory_.seq(), first_seq + 1);
  EXPECT_TRUE(inventory_.take_changes().empty());
  EXPECT_FALSE(inventory_.find_hold(hold_id(2), 0));
  // The same seats minus the taken ones succeed.
  hold(3, {0, 2}, 0, 100);
}

TEST_F(InventoryTest, DuplicateSeatsAreRefused) {
  const auto twice = inventory_.hold_seats(hold_id(1), terms_, std::vector<SeatIndex>{2, 2}, 0, 9);
  ASSERT_EQ(error_of(twice), Errc::duplicate_seats);
  EXPECT_EQ(indexes_in(twice.error()), std::vector<SeatIndex>{2});
  const auto pairs =
      inventory_.hold_seats(hold_id(2), terms_, std::vector<SeatIndex>{1, 3, 1, 3}, 0, 9);
  ASSERT_EQ(error_of(pairs), Errc::duplicate_seats);
  EXPECT_EQ(indexes_in(pairs.error()), (std::vector<SeatIndex>{1, 3}));
  EXPECT_EQ(inventory_.seats_available(), 8u);
  EXPECT_EQ(inventory_.seq(), first_seq);
}

TEST_F(InventoryTest, OverTheOrderLimitIsRefused) {
  const auto five =
      inventory_.hold_seats(hold_id(1), terms_, std::vector<SeatIndex>{0, 1, 2, 3, 4}, 0, 9);
  ASSERT_EQ(error_of(five), Errc::over_order_limit);
  EXPECT_EQ(five.error().facts.max_per_order.value(), 4);
  const auto best = inventory_.hold_best_available(hold_id(2), terms_, {5, {}}, 0, 9);
  ASSERT_EQ(error_of(best), Errc::over_order_limit);
  EXPECT_EQ(best.error().facts.max_per_order.value(), 4);
  const auto ga = inventory_.hold_ga(hold_id(3), terms_, 0, 5, 0, 9);
  ASSERT_EQ(error_of(ga), Errc::over_order_limit);
  EXPECT_EQ(ga.error().facts.max_per_order.value(), 4);
  EXPECT_EQ(inventory_.seq(), first_seq);
  // The limit itself is allowed.
  hold(4, {0, 1, 2, 3}, 0, 9);
  EXPECT_TRUE(inventory_.hold_ga(hold_id(5), terms_, 0, 4, 0, 9).ok());
}

TEST_F(InventoryTest, EmptyRequestsAreInvalid) {
  EXPECT_EQ(error_of(inventory_.hold_seats(hold_id(1), terms_, std::vector<SeatIndex>{}, 0, 9)),
            Errc::invalid_field);
  EXPECT_EQ(error_of(inventory_.hold_best_available(hold_id(2), terms_, {0, {}}, 0, 9)),
            Errc::invalid_field);
  EXPECT_EQ(error_of(inventory_.hold_ga(hold_id(3), terms_, 0, 0, 0, 9)), Errc::invalid_field);
  EXPECT_EQ(error_of(inventory_.hold_ga(hold_id(4), terms_, 1, 1, 0, 9)),
            Errc::invalid_field);  // no area 1
  EXPECT_EQ(inventory_.seq(), first_seq);
  EXPECT_EQ(inventory_.live_holds(), 0u);
  EXPECT_TRUE(inventory_.take_changes().empty());
}

// ---------------------------------------------------------------------------------------------
// hold_best_available

TEST_F(InventoryTest, BestAvailableHoldsTheBestWindowInRowOrder) {
  const auto view = inventory_.hold_best_available(hold_id(1), terms_, {3, {}}, 0, 50);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->seats, (std::vector<SeatIndex>{0, 1, 2}));
  EXPECT_EQ(view->expires_at, 50);
  // Seat 3 is left alone at the row's end; the next pair goes to row two.
  const auto next = inventory_.hold_best_available(hold_id(2), terms_, {2, {}}, 0, 50);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->seats, (std::vector<SeatIndex>{4, 5}));
  const auto changes = inventory_.take_changes();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1].seats, (std::vector<SeatIndex>{4, 5}));
  EXPECT_EQ(changes[1].hold, hold_id(2));
}

TEST_F(InventoryTest, BestAvailableNeedsAdjacentSeats) {
  hold(1, {1}, 0, 100);
  hold(2, {6}, 0, 100);
  // Six seats are free, but no three together.
  EXPECT_EQ(error_of(inventory_.hold_best_available(hold_id(3), terms_, {3, {}}, 0, 100)),
            Errc::not_enough_seats);
  EXPECT_EQ(inventory_.seq(), first_seq + 2);
  // Once the first hold expires, row one has four together again.
  const auto later = inventory_.hold_best_available(hold_id(4), terms_, {3, {}}, 100, 200);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->seats, (std::vector<SeatIndex>{0, 1, 2}));
}

TEST(InventorySections, BestAvailableRespectsTheSectionFilter) {
  const auto six_seats = build_layout({{3}, {3}});
  Inventory inventory(six_seats, 0);
  const HoldTerms terms_ = testing::test_terms(*six_seats, 6);
  const auto second = inventory.hold_best_available(hold_id(1), terms_, {2, {1}}, 0, 9);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->seats, (std::vector<SeatIndex>{3, 4}));
  EXPECT_FALSE(inventory.hold_best_available(hold_id(2), terms_, {2, {1}}, 0, 9).ok());
  const auto first = inventory.hold_best_available(hold_id(3), terms_, {2, {0, 1}}, 0, 9);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->seats, (std::vector<SeatIndex>{0, 1}));
  inventory.check_invariants();
}

// ---------------------------------------------------------------------------------------------
// General admission

TEST_F(InventoryTest, GeneralAdmissionCounts) {
  const auto first = inventory_.hold_ga(hold_id(1), terms_, 0, 4, 0, 50);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->ga_area, 0u);
  EXPECT_EQ(first->ga_quantity, 4u);
  EXPECT_TRUE(first->seats.empty());
  EXPECT_EQ(first->unit_count(), 4u);
  ASSERT_TRUE(inventory_.hold_ga(hold_id(2), terms_, 0, 4, 0, 60).ok());
  EXPECT_EQ(inventory_.ga_counts()[0].capacity, 10u);
  EXPECT_EQ(inventory_.ga_counts()[0].held, 8u);
  EXPECT_EQ(inventory_.ga_counts()[0].available(), 2u);
  EXPECT_EQ(inventory_.seats_available(), 8u);  // GA is no seat

  const auto refused = inventory_.hold_ga(hold_id(3), terms_, 0, 3, 0, 50);
  ASSERT_EQ(error_of(refused), Errc::not_enough_seats);
  EXPECT_EQ(refused.error().facts.places_available.value(), 2);
  ASSERT_TRUE(inventory_.hold_ga(hold_id(4), terms_, 0, 2, 0, 50).ok());  // exactly what is left
  EXPECT_EQ(inventory_.ga_counts()[0].available(), 0u);

  ASSERT_TRUE(inventory_.begin_confirm(hold_id(1), 1).ok());
  inventory_.finish_confirm(hold_id(1));
  EXPECT_EQ(inventory_.ga_counts()[0].sold, 4u);
  EXPECT_EQ(inventory_.ga_counts()[0].held, 6u);
  ASSERT_TRUE(inventory_.release(hold_id(4), 2).ok());
  EXPECT_EQ(inventory_.ga_counts()[0].held, 4u);
  EXPECT_EQ(inventory_.ga_counts()[0].available(), 2u);
  EXPECT_EQ(inventory_.expire_due(60), 1u);
  EXPECT_EQ(inventory_.ga_counts()[0].held, 0u);
  EXPECT_EQ(inventory_.ga_counts()[0].available(), 6u);

  const auto changes = inventory_.take_changes();
  EXPECT_EQ(kinds(changes),
            (std::vector<ChangeKind>{ChangeKind::held, ChangeKind::held, ChangeKind::held,
                                     ChangeKind::sold, ChangeKind::released, ChangeKind::expired}));
  for (const Change& change : changes) {
    EXPECT_EQ(change.ga_area, 0u);
    EXPECT_TRUE(change.seats.empty());
  }
  EXPECT_EQ(changes[3].ga_quantity, 4u);
  EXPECT_EQ(changes[4].ga_quantity, 2u);
  EXPECT_EQ(changes[5].hold, hold_id(2));
}

// ---------------------------------------------------------------------------------------------
// Lazy expiry: at exactly expires_at a hold is gone, one millisecond before it is live.

TEST_F(InventoryTest, FindHoldSeesTheDeadlineToTheMillisecond) {
  hold(1, {0}, 0, 100);
  const auto live = inventory_.find_hold(hold_id(1), 99);
  ASSERT_TRUE(live.has_value());
  EXPECT_EQ(live->seats, std::vector<SeatIndex>{0});
  EXPECT_EQ(live->expires_at, 100);
  EXPECT_EQ(inventory_.seat_state(0), SeatState::held);
  EXPECT_FALSE(inventory_.find_hold(hold_id(1), 100).has_value());
  EXPECT_EQ(inventory_.seat_state(0), SeatState::available);
  EXPECT_EQ(inventory_.live_holds(), 0u);
  const auto changes = inventory_.take_changes();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1].kind, ChangeKind::expired);
  EXPECT_EQ(changes[1].seq, first_seq + 2);
  EXPECT_EQ(changes[1].hold, hold_id(1));
  EXPECT_EQ(changes[1].seats, std::vector<SeatIndex>{0});
  EXPECT_FALSE(inventory_.find_hold(hold_id(999), 100).has_value());  // never existed
}

TEST_F(InventoryTest, EveryCallWithATimeExpiresFirst) {
  // release
  hold(1, {0}, 0, 100);
  EXPECT_EQ(error_of(inventory_.release(hold_id(1), 100)), Errc::hold_gone);
  // begin_confirm
  hold(2, {0}, 100, 200);
  EXPECT_EQ(error_of(inventory_.begin_confirm(hold_id(2), 200)), Errc::hold_gone);
  hold(3, {0}, 200, 300);
  EXPECT_TRUE(inventory_.begin_confirm(hold_id(3), 299).ok());
  // hold_seats: the seats of a hold at its deadline are free for the next one
  hold(4, {1, 2}, 299, 400);
  EXPECT_EQ(
      error_of(inventory_.hold_seats(hold_id(5), terms_, std::vector<SeatIndex>{2}, 399, 500)),
      Errc::seats_unavailable);
  hold(6, {2}, 400, 500);
  // hold_best_available: the window of a hold expiring now is the best again
  hold(7, {4, 5}, 400, 450);
  const auto best = inventory_.hold_best_available(hold_id(8), terms_, {2, {}}, 450, 600);
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->seats, (std::vector<SeatIndex>{4, 5}));  // 0 is pinned, 2 held
  // hold_ga: places of an expiring GA hold count as free
  ASSERT_TRUE(inventory_.hold_ga(hold_id(9), terms_, 0, 4, 450, 700).ok());
  ASSERT_TRUE(inventory_.hold_ga(hold_id(10), terms_, 0, 4, 450, 700).ok());
  ASSERT_TRUE(inventory_.hold_ga(hold_id(11), terms_, 0, 2, 450, 600).ok());
  EXPECT_EQ(error_of(inventory_.hold_ga(hold_id(12), terms_, 0, 2, 599, 800)),
            Errc::not_enough_seats);
  EXPECT_TRUE(inventory_.hold_ga(hold_id(13), terms_, 0, 2, 600, 800).ok());
}

TEST_F(InventoryTest, AFailedCallStillExpires) {
  hold(1, {0}, 0, 50);
  inventory_.take_changes();
  EXPECT_EQ(
      error_of(inventory_.hold_seats(hold_id(2), terms_, std::vector<SeatIndex>{3, 3}, 60, 90)),
      Errc::duplicate_seats);
  EXPECT_EQ(inventory_.seat_state(0), SeatState::available);
  const auto changes = inventory_.take_changes();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, ChangeKind::expired);
  EXPECT_EQ(changes[0].seq, first_seq + 2);
}

TEST_F(InventoryTest, SweeperExpiresDueHoldsInDeadlineOrder) {
  hold(1, {0}, 0, 80);
  hold(2, {1}, 0, 50);
  hold(3, {2}, 0, 50);
  ASSERT_TRUE(inventory_.hold_ga(hold_id(4), terms_, 0, 3, 0, 70).ok());
  inventory_.take_changes();
  EXPECT_EQ(inventory_.next_expiry(), 50);
  EXPECT_EQ(inventory_.expire_due(49), 0u);
  EXPECT_TRUE(inventory_.take_changes().empty());
  EXPECT_EQ(inventory_.expire_due(50), 2u);  // both due at 50
  EXPECT_EQ(inventory_.next_expiry(), 70);
  EXPECT_EQ(inventory_.expire_due(1'000), 2u);
  EXPECT_FALSE(inventory_.next_expiry().has_value());
  EXPECT_EQ(inventory_.expire_due(1'000), 0u);
  EXPECT_EQ(inventory_.seats_available(), 8u);
  EXPECT_EQ(inventory_.ga_counts()[0].held, 0u);

  const auto changes = inventory_.take_changes();
  ASSERT_EQ(changes.size(), 4u);
  std::vector<HoldId> order;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    EXPECT_EQ(changes[i].kind, ChangeKind::expired);
    EXPECT_EQ(changes[i].seq, first_seq + 5 + i);
    order.push_back(changes[i].hold);
  }
  // Deadline order; the two due at 50 in either order.
  EXPECT_TRUE((order[0] == hold_id(2) && order[1] == hold_id(3)) ||
              (order[0] == hold_id(3) && order[1] == hold_id(2)));
  EXPECT_EQ(order[2], hold_id(4));
  EXPECT_EQ(changes[2].ga_area, 0u);
  EXPECT_EQ(changes[2].ga_quantity, 3u);
  EXPECT_EQ(order[3], hold_id(1));
  EXPECT_EQ(changes[3].seats, std::vector<SeatIndex>{0});
}

// ---------------------------------------------------------------------------------------------
// release

TEST_F(InventoryTest, ReleaseGivesTheUnitsBack) {
  hold(1, {0, 4}, 0, 50);
  inventory_.take_changes();
  EXPECT_TRUE(inventory_.release(hold_id(1), 10).ok());
  EXPECT_EQ(inventory_.seat_state(0), SeatState::available);
  EXPECT_EQ(inventory_.seat_state(4), SeatState::available);
  EXPECT_EQ(inventory_.seats_available(), 8u);
  EXPECT_EQ(inventory_.live_holds(), 0u);
  EXPECT_FALSE(inventory_.next_expiry());
  EXPECT_FALSE(inventory_.find_hold(hold_id(1), 10));
  const auto changes = inventory_.take_changes();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, ChangeKind::released);
  EXPECT_EQ(changes[0].seq, first_seq + 2);
  EXPECT_EQ(changes[0].hold, hold_id(1));
  EXPECT_EQ(changes[0].seats, (std::vector<SeatIndex>{0, 4}));
  // Gone now, and a hold never made is gone too.
  EXPECT_EQ(error_of(inventory_.release(hold_id(1), 10)), Errc::hold_gone);
  EXPECT_EQ(error_of(inventory_.release(hold_id(2), 10)), Errc::hold_gone);
  EXPECT_TRUE(inventory_.take_changes().empty());
  EXPECT_EQ(inventory_.seq(), first_seq + 2);
}

// ---------------------------------------------------------------------------------------------
// Two-phase confirm

TEST_F(InventoryTest, BeginConfirmPinsTheHold) {
  hold(1, {0, 1}, 0, 50);
  hold(2, {2}, 0, 60);
  inventory_.take_changes();
  const auto pinned = inventory_.begin_confirm(hold_id(1), 49);
  ASSERT_TRUE(pinned.ok());
  EXPECT_TRUE(pinned->confirming);
  EXPECT_EQ(pinned->seats, (std::vector<SeatIndex>{0, 1}));
  EXPECT_EQ(pinned->expires_at, 50);
  EXPECT_EQ(inventory_.seq(), first_seq + 2);  // pinning changes no seat
  EXPECT_EQ(inventory_.next_expiry(), 60);     // the pinned hold is out of the expiry index

  EXPECT_EQ(error_of(inventory_.begin_confirm(hold_id(1), 49)), Errc::checkout_in_progress);
  EXPECT_EQ(error_of(inventory_.release(hold_id(1), 49)), Errc::checkout_in_progress);
  // Past its deadline: payment takes its time, the hold does not expire.
  EXPECT_EQ(inventory_.expire_due(500), 1u);  // only hold 2
  const auto still = inventory_.find_hold(hold_id(1), 500);
  ASSERT_TRUE(still.has_value());
  EXPECT_TRUE(still->confirming);
  EXPECT_EQ(inventory_.seat_state(0), SeatState::held);
  EXPECT_EQ(
      error_of(inventory_.hold_seats(hold_id(3), terms_, std::vector<SeatIndex>{1}, 500, 600)),
      Errc::seats_unavailable);
  EXPECT_EQ(error_of(inventory_.release(hold_id(1), 500)), Errc::checkout_in_progress);
  EXPECT_EQ(error_of(inventory_.begin_confirm(hold_id(1), 500)), Errc::checkout_in_progress);
  EXPECT_EQ(error_of(inventory_.begin_confirm(hold_id(2), 500)), Errc::hold_gone);
  EXPECT_FALSE(inventory_.next_expiry());
}

TEST_F(InventoryTest, FinishConfirmSells) {
  hold(1, {0, 1}, 0, 50);
  ASSERT_TRUE(inventory_.begin_confirm(hold_id(1), 49).ok());
  inventory_.take_changes();
  inventory_.finish_confirm(hold_id(1));  // after the deadline is fine: it was pinned
  EXPECT_EQ(inventory_.seat_state(0), SeatState::sold);
  EXPECT_EQ(inventory_.seat_state(1), SeatState::sold);
  EXPECT_EQ(inventory_.seats_sold(), 2u);
  EXPECT_EQ(inventory_.seats_available(), 6u);
  EXPECT_EQ(inventory_.live_holds(), 0u);
  const auto changes = inventory_.take_changes();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, ChangeKind::sold);
  EXPECT_EQ(changes[0].seq, first_seq + 2);
  EXPECT_EQ(changes[0].hold, hold_id(1));
  EXPECT_EQ(changes[0].seats, (std::vector<SeatIndex>{0, 1}));
  // The hold is used up; sold seats stay sold whatever the time.
  EXPECT_FALSE(inventory_.find_hold(hold_id(1), 500).has_value());
  EXPECT_EQ(error_of(inventory_.release(hold_id(1), 500)), Errc::hold_gone);
  EXPECT_EQ(error_of(inventory_.begin_confirm(hold_id(1), 500)), Errc::hold_gone);
  EXPECT_EQ(inventory_.expire_due(1'000'000), 0u);
  EXPECT_EQ(inventory_.seat_state(0), SeatState::sold);
  EXPECT_EQ(
      error_of(inventory_.hold_seats(hold_id(2), terms_, std::vector<SeatIndex>{1, 2}, 500, 600)),
      Errc::seats_unavailable);
  const auto best = inventory_.hold_best_available(hold_id(3), terms_, {2, {}}, 500, 600);
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->seats, (std::vector<SeatIndex>{2, 3}));
}

TEST_F(InventoryTest, AbortInTimeHoldsAgainUntilTheSameDeadline) {
  hold(1, {0}, 0, 50);
  ASSERT_TRUE(inventory_.begin_confirm(hold_id(1), 10).ok());
  inventory_.abort_confirm(hold_id(1), 49);
  EXPECT_EQ(inventory_.seat_state(0), SeatState::held);
  const auto again = inventory_.find_hold(hold_id(1), 49);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->confirming);
  EXPECT_EQ(inventory_.next_expiry(), 50);
  // It can be checked out again, or released; or it expires at its deadline.
  ASSERT_TRUE(inventory_.begin_confirm(hold_id(1), 49).ok());
  inventory_.abort_confirm(hold_id(1), 49);
  EXPECT_EQ(inventory_.expire_due(50), 1u);
  EXPECT_EQ(kinds(inventory_.take_changes()),
            (std::vector<ChangeKind>{ChangeKind::held, ChangeKind::expired}));
}

TEST_F(InventoryTest, AbortPastTheDeadlineExpiresAtOnce) {
  hold(1, {0}, 0, 50);
  hold(2, {1}, 0, 55);
  ASSERT_TRUE(inventory_.begin_confirm(hold_id(1), 10).ok());
  inventory_.take_changes();
  inventory_.abort_confirm(hold_id(1), 60);  // also expires hold 2, due at 55
  EXPECT_EQ(inventory_.seat_state(0), SeatState::available);
  EXPECT_EQ(inventory_.seat_state(1), SeatState::available);
  EXPECT_EQ(inventory_.live_holds(), 0u);
  EXPECT_FALSE(inventory_.next_expiry());
  const auto changes = inventory_.take_changes();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].kind, ChangeKind::expired);
  EXPECT_EQ(changes[0].hold, hold_id(1));  // earlier deadline first
  EXPECT_EQ(changes[1].hold, hold_id(2));
  EXPECT_EQ(changes[1].seq, first_seq + 4);
  EXPECT_EQ(error_of(inventory_.begin_confirm(hold_id(1), 60)), Errc::hold_gone);
}

TEST_F(InventoryTest, AbortExactlyAtTheDeadlineExpires) {
  hold(1, {0}, 0, 50);
  ASSERT_TRUE(inventory_.begin_confirm(hold_id(1), 10).ok());
  inventory_.abort_confirm(hold_id(1), 50);
  EXPECT_EQ(inventory_.seat_state(0), SeatState::available);
  EXPECT_FALSE(inventory_.find_hold(hold_id(1), 50));
}

// ---------------------------------------------------------------------------------------------
// Sequence numbers

TEST_F(InventoryTest, EveryChangeTakesTheNextNumberInOrder) {
  EXPECT_EQ(inventory_.seq(), first_seq);
  hold(1, {0}, 0, 50);                                                                   // held
  ASSERT_TRUE(inventory_.hold_best_available(hold_id(2), terms_, {2, {}}, 0, 50).ok());  // held
  ASSERT_TRUE(inventory_.hold_ga(hold_id(3), terms_, 0, 2, 0, 40).ok());                 // held
  ASSERT_TRUE(inventory_.release(hold_id(1), 1).ok());                                   // released
  ASSERT_FALSE(inventory_.release(hold_id(1), 1).ok());                                  // nothing
  ASSERT_TRUE(inventory_.begin_confirm(hold_id(2), 2).ok());                             // nothing
  EXPECT_TRUE(inventory_.find_hold(hold_id(2), 3).has_value());                          // nothing
  inventory_.finish_confirm(hold_id(2));                                                 // sold
  EXPECT_EQ(inventory_.expire_due(40), 1u);                                              // expired
  const auto changes = inventory_.take_changes();
  EXPECT_EQ(kinds(changes),
            (std::vector<ChangeKind>{ChangeKind::held, ChangeKind::held, ChangeKind::held,
                                     ChangeKind::released, ChangeKind::sold, ChangeKind::expired}));
  for (std::size_t i = 0; i < changes.size(); ++i) EXPECT_EQ(changes[i].seq, first_seq + 1 + i);
  EXPECT_EQ(inventory_.seq(), first_seq + changes.size());
  EXPECT_TRUE(inventory_.take_changes().empty());
  // Numbering continues after a take.
  hold(4, {7}, 50, 60);
  const auto more = inventory_.take_changes();
  ASSERT_EQ(more.size(), 1u);
  EXPECT_EQ(more[0].seq, first_seq + 7);
}

// ---------------------------------------------------------------------------------------------
// Loading what the store sold

TEST_F(InventoryTest, LoadedSalesAreSoldWithoutAChange) {
  inventory_.load_sold_seats(std::vector<SeatIndex>{3, 4});
  inventory_.load_sold_ga(0, 9);
  EXPECT_EQ(inventory_.seat_state(3), SeatState::sold);
  EXPECT_EQ(inventory_.seat_state(4), SeatState::sold);
  EXPECT_EQ(inventory_.seats_sold(), 2u);
  EXPECT_EQ(inventory_.seats_available(), 6u);
  EXPECT_EQ(inventory_.ga_counts()[0].sold, 9u);
  EXPECT_EQ(inventory_.ga_counts()[0].available(), 1u);
  EXPECT_EQ(inventory_.seq(), first_seq);  // loading is not a change
  EXPECT_TRUE(inventory_.take_changes().empty());

  const auto refused = inventory_.hold_seats(hold_id(1), terms_, std::vector<SeatIndex>{4}, 0, 9);
  ASSERT_EQ(error_of(refused), Errc::seats_unavailable);
  EXPECT_EQ(indexes_in(refused.error()), std::vector<SeatIndex>{4});
  EXPECT_EQ(error_of(inventory_.hold_ga(hold_id(2), terms_, 0, 2, 0, 9)), Errc::not_enough_seats);
  EXPECT_TRUE(inventory_.hold_ga(hold_id(3), terms_, 0, 1, 0, 9).ok());
  // Best available works around them: 0..2 together in row one, 5..7 in row two.
  const auto best = inventory_.hold_best_available(hold_id(4), terms_, {3, {}}, 0, 9);
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->seats, (std::vector<SeatIndex>{0, 1, 2}));
  EXPECT_EQ(error_of(inventory_.hold_best_available(hold_id(5), terms_, {4, {}}, 0, 9)),
            Errc::not_enough_seats);
  // Loading nothing is harmless.
  inventory_.load_sold_seats(std::vector<SeatIndex>{});
  inventory_.load_sold_ga(0, 0);
  EXPECT_EQ(inventory_.seats_sold(), 2u);
}

}  // namespace
}  // namespace boxoffice
