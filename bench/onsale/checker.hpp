// After the sale: what the store says, against what the crowd was told. Reads every order of
// the event back (GET /v1/events/{id}/orders, the organizer's list, in commit order) and each
// node's test payment ledger (its `test-payments.sqlite`, read-only), and counts the
// anomalies, each of which must be 0:
//   - a seat in two orders;
//   - an order answered 201 that the store does not have, or has with other seats;
//   - a capture in a ledger that no order of the event carries as its payment;
//   - a fan left waiting after the sell-out: its last answer from the room said waiting (or
//     pre_queue) and never sold_out or admitted.
// A ledger must hold this event's payments only (the bench scripts start every run afresh).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crowd.hpp"
#include "stats.hpp"

namespace onsale {

struct Checked {
  std::string error;  // not empty: the check could not be made (what failed)
  std::uint64_t orders_in_store = 0;
  std::uint64_t tickets_in_store = 0;
  std::uint64_t captures = 0;  // in the ledgers
  std::uint64_t seats_in_two_orders = 0;
  std::uint64_t orders_missing = 0;
  std::uint64_t captures_without_order = 0;
  std::uint64_t fans_left_waiting = 0;
  std::uint64_t anomalies() const {
    return seats_in_two_orders + orders_missing + captures_without_order + fans_left_waiting;
  }
};

Checked check_sale(const Sale& sale, const Options& options, const std::vector<OrderSeen>& seen,
                   const std::vector<Fan>& fans);

}  // namespace onsale
