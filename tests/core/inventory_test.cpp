#include "core/inventory.hpp"
#include "layout_builder.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace boxoffice {
namespace {

using testing::build_layout;
using testing::hold_id;

constexpr std::uint64_t first_seq = 5ull << 32;

class InventoryTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Layout> layout_ = build_layout({{4, 4}}, {10});
  Inventory inventory_{layout_, 4, first_seq};

  void TearDown() override { inventory_.check_invariants(); }
};

TEST_F(InventoryTest, HoldIsAllOrNothing) {
  ASSERT_TRUE(inventory_.hold_seats(hold_id(1), std::vector<SeatIndex>{1}, 0, 100).ok());
  const auto refused = inventory_.hold_seats(hold_id(2), std::vector<SeatIndex>{0, 1, 2}, 0, 100);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::seats_unavailable);
  EXPECT_EQ(boost::json::serialize(refused.error().extra.at("unavailable")), "[1]");
  EXPECT_EQ(inventory_.seat_state(0), SeatState::available);
  EXPECT_EQ(inventory_.seat_state(2), SeatState::available);
  EXPECT_EQ(inventory_.live_holds(), 1u);
  EXPECT_EQ(inventory_.seq(), first_seq + 1);
}

TEST_F(InventoryTest, BadRequestsChangeNothing) {
  EXPECT_EQ(inventory_.hold_seats(hold_id(1), std::vector<SeatIndex>{2, 2}, 0, 9).error().code,
            Errc::duplicate_seats);
  EXPECT_EQ(inventory_.hold_seats(hold_id(2), std::vector<SeatIndex>{0, 1, 2, 3, 4}, 0, 9)
                .error().code,
            Errc::over_order_limit);
  EXPECT_EQ(inventory_.hold_seats(hold_id(3), std::vector<SeatIndex>{}, 0, 9).error().code,
            Errc::invalid_field);
  EXPECT_EQ(inventory_.hold_best_available(hold_id(4), {5, {}}, 0, 9).error().code,
            Errc::over_order_limit);
  EXPECT_EQ(inventory_.hold_ga(hold_id(5), 0, 0, 0, 9).error().code, Errc::invalid_field);
  EXPECT_EQ(inventory_.hold_ga(hold_id(6), 3, 1, 0, 9).error().code, Errc::invalid_field);
  EXPECT_EQ(inventory_.seq(), first_seq);
  EXPECT_EQ(inventory_.seats_available(), 8u);
  EXPECT_TRUE(inventory_.take_changes().empty());
}

TEST_F(InventoryTest, ExpiryIsExactToTheMillisecond) {
  ASSERT_TRUE(inventory_.hold_seats(hold_id(1), std::vector<SeatIndex>{0}, 0, 100).ok());
  EXPECT_TRUE(inventory_.find_hold(hold_id(1), 99).has_value());
  EXPECT_FALSE(inventory_.find_hold(hold_id(1), 100).has_value());
  EXPECT_EQ(inventory_.seat_state(0), SeatState::available);
  const auto changes = inventory_.take_changes();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].kind, ChangeKind::held);
  EXPECT_EQ(changes[1].kind, ChangeKind::expired);
  EXPECT_EQ(changes[1].seq, first_seq + 2);
  EXPECT_EQ(changes[1].seats, std::vector<SeatIndex>{0});
}

TEST_F(InventoryTest, AnExpiredHoldsSeatsAreFreeForTheNextHold) {
  ASSERT_TRUE(inventory_.hold_seats(hold_id(1), std::vector<SeatIndex>{0, 1}, 0, 100).ok());
  EXPECT_EQ(inventory_.hold_seats(hold_id(2), std::vector<SeatIndex>{1}, 99, 200).error().code,
            Errc::seats_unavailable);
  EXPECT_TRUE(inventory_.hold_seats(hold_id(3), std::vector<SeatIndex>{1}, 100, 200).ok());
}

TEST_F(InventoryTest, SweeperExpiresDueHolds) {
  ASSERT_TRUE(inventory_.hold_seats(hold_id(1), std::vector<SeatIndex>{0}, 0, 50).ok());
  ASSERT_TRUE(inventory_.hold_seats(hold_id(2), std::vector<SeatIndex>{1}, 0, 80).ok());
  EXPECT_EQ(inventory_.next_expiry(), 50);
  EXPECT_EQ(inventory_.expire_due(49), 0u);
  EXPECT_EQ(inventory_.expire_due(60), 1u);
  EXPECT_EQ(inventory_.next_expiry(), 80);
  EXPECT_EQ(inventory_.expire_due(1000), 1u);
  EXPECT_FALSE(inventory_.next_expiry().has_value());
}

TEST_F(InventoryTest, ReleaseGivesSeatsBack) {
  ASSERT_TRUE(inventory_.hold_seats(hold_id(1), std::vector<SeatIndex>{0}, 0, 50).ok());
  EXPECT_TRUE(inventory_.release(hold_id(1), 10).ok());
  EXPECT_EQ(inventory_.seat_state(0), SeatState::available);
  EXPECT_EQ(inventory_.release(hold_id(1), 10).error().code, Errc::hold_gone);
  EXPECT_EQ(inventory_.take_changes().back().kind, ChangeKind::released);
}

TEST_F(InventoryTest, ConfirmPinsTheHoldThenSells) {
  ASSERT_TRUE(inventory_.hold_seats(hold_id(1), std::vector<SeatIndex>{0, 1}, 0, 50).ok());
  ASSERT_TRUE(inventory_.begin_confirm(hold_id(1), 49).ok());
  EXPECT_EQ(inventory_.begin_confirm(hold_id(1), 49).error().code, Errc::checkout_in_progress);
  EXPECT_EQ(inventory_.release(hold_id(1), 49).error().code, Errc::checkout_in_progress);
  EXPECT_EQ(inventory_.expire_due(500), 0u);  // pinned: payment takes its time
  EXPECT_TRUE(inventory_.find_hold(hold_id(1), 500).has_value());
  inventory_.finish_confirm(hold_id(1));
  EXPECT_EQ(inventory_.seat_state(0), SeatState::sold);
  EXPECT_EQ(inventory_.seats_sold(), 2u);
  EXPECT_FALSE(inventory_.find_hold(hold_id(1), 500).has_value());
  EXPECT_EQ(inventory_.take_changes().back().kind, ChangeKind::sold);
}

TEST_F(InventoryTest, AbortPastTheDeadlineExpiresAtOnce) {
  ASSERT_TRUE(inventory_.hold_seats(hold_id(1), std::vector<SeatIndex>{0}, 0, 50).ok());
  ASSERT_TRUE(inventory_.begin_confirm(hold_id(1), 10).ok());
  inventory_.abort_confirm(hold_id(1), 60);
  EXPECT_EQ(inventory_.seat_state(0), SeatState::available);
  EXPECT_EQ(inventory_.begin_confirm(hold_id(1), 60).error().code, Errc::hold_gone);
}

TEST_F(InventoryTest, AbortInTimeKeepsTheHold) {
  ASSERT_TRUE(inventory_.hold_seats(hold_id(1), std::vector<SeatIndex>{0}, 0, 50).ok());
  ASSERT_TRUE(inventory_.begin_confirm(hold_id(1), 10).ok());
  inventory_.abort_confirm(hold_id(1), 20);
  EXPECT_EQ(inventory_.seat_state(0), SeatState::held);
  EXPECT_TRUE(inventory_.release(hold_id(1), 20).ok());
}

TEST_F(InventoryTest, GeneralAdmissionCounts) {
  ASSERT_TRUE(inventory_.hold_ga(hold_id(1), 0, 4, 0, 50).ok());
  ASSERT_TRUE(inventory_.hold_ga(hold_id(2), 0, 4, 0, 50).ok());
  const auto refused = inventory_.hold_ga(hold_id(3), 0, 3, 0, 50);
  EXPECT_EQ(refused.error().code, Errc::not_enough_seats);
  EXPECT_EQ(refused.error().extra.at("available").to_number<int>(), 2);
  ASSERT_TRUE(inventory_.begin_confirm(hold_id(1), 1).ok());
  inventory_.finish_confirm(hold_id(1));
  EXPECT_EQ(inventory_.ga_counts()[0].sold, 4u);
  EXPECT_EQ(inventory_.ga_counts()[0].held, 4u);
  EXPECT_EQ(inventory_.expire_due(50), 1u);
  EXPECT_EQ(inventory_.ga_counts()[0].available(), 6u);
}

TEST_F(InventoryTest, LoadedSalesAreSold) {
  inventory_.load_sold_seats(std::vector<SeatIndex>{3, 4});
  inventory_.load_sold_ga(0, 9);
  EXPECT_EQ(inventory_.seat_state(3), SeatState::sold);
  EXPECT_EQ(inventory_.hold_seats(hold_id(1), std::vector<SeatIndex>{4}, 0, 9).error().code,
            Errc::seats_unavailable);
  EXPECT_EQ(inventory_.hold_ga(hold_id(2), 0, 2, 0, 9).error().code, Errc::not_enough_seats);
  EXPECT_EQ(inventory_.seq(), first_seq);  // loading is not a change
}

TEST_F(InventoryTest, SequenceNumbersAreConsecutive) {
  ASSERT_TRUE(inventory_.hold_seats(hold_id(1), std::vector<SeatIndex>{0}, 0, 50).ok());
  ASSERT_TRUE(inventory_.hold_best_available(hold_id(2), {2, {}}, 0, 50).ok());
  ASSERT_TRUE(inventory_.release(hold_id(1), 1).ok());
  inventory_.expire_due(50);
  const auto changes = inventory_.take_changes();
  ASSERT_EQ(changes.size(), 4u);
  for (std::size_t i = 0; i < changes.size(); ++i) EXPECT_EQ(changes[i].seq, first_seq + 1 + i);
  EXPECT_TRUE(inventory_.take_changes().empty());
}

}  // namespace
}  // namespace boxoffice
