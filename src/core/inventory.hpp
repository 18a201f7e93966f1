// The seat inventory of one event: the state machine of DESIGN.md, in memory, deterministic.
//
//   available --hold--> held(hold, expires_at) --confirm--> sold
//       ^                     |  \--release / expire--> available
//
// A unit is a seat, or one place of a general-admission (GA) area; a GA area is a counter
// (capacity = available + held + sold) rather than individual places.
//
// Guarantees, under any sequence of calls:
//  - a hold is all-or-nothing: it gets every seat it asks for, or nothing changes;
//  - no seat is owned by two holds, or held and sold at once; GA counters never exceed capacity;
//  - expiry is exact: every call that takes `now` first expires each hold whose expires_at is
//    at or before `now` (lazy expiry), so no caller ever sees a hold past its deadline;
//    expire_due() does the same for a sweeper that runs when nobody calls;
//  - a hold being confirmed (between begin_confirm and finish/abort) neither expires nor can
//    be released: its liveness was checked when confirming began, and payment is bounded in time;
//  - every change gets the next number of the event's sequence, and is queued for
//    take_changes() in that order.
// Not thread-safe: the caller (services/booking) serialises access per event.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/best_available.hpp"
#include "core/catalog.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"

namespace boxoffice {

enum class SeatState { available, held, sold };

enum class ChangeKind {
  held,      // a hold took these units
  released,  // its holder released them
  expired,   // its hold ran out of time
  sold,      // a confirmed order took them
};

struct Change {
  std::uint64_t seq = 0;
  ChangeKind kind = ChangeKind::held;
  HoldId hold;  // whose units moved (for the holder's bookkeeping; never shown to others)
  std::vector<SeatIndex> seats;
  std::optional<std::uint32_t> ga_area;
  std::uint32_t ga_quantity = 0;
};

struct HoldView {
  HoldId id;
  std::vector<SeatIndex> seats;  // in the order asked for (best available: row order)
  std::optional<std::uint32_t> ga_area;
  std::uint32_t ga_quantity = 0;
  UnixMillis created_at = 0;
  UnixMillis expires_at = 0;
  bool confirming = false;
  std::uint32_t aborted_checkouts = 0;  // each failed checkout's payment gets a key of its own
  std::int64_t total_cents = 0;         // fixed when the hold was made: what its order pays

  std::uint32_t unit_count() const {
    return static_cast<std::uint32_t>(seats.size()) + ga_quantity;
  }
};

struct GaCounts {
  std::uint32_t capacity = 0;
  std::uint32_t held = 0;
  std::uint32_t sold = 0;
  std::uint32_t available() const { return capacity - held - sold; }
};

// What a hold is made on: the event as it is when the hold is asked for. A later change to the
// event (its prices, its limit) applies to the next hold; a live hold keeps its total.
struct HoldTerms {
  std::uint32_t max_per_order = max_per_order_default;
  std::shared_ptr<const UnitPrices> prices;  // never null
};

// The checks of a hold request that need no state, shared with hold stores that keep the
// state elsewhere: at least one seat, at most max_per_order units, no seat twice.
// Errors: invalid_field, over_order_limit, duplicate_seats (fact seat_indexes).
Status check_seats_request(std::span<const SeatIndex> seats, std::uint32_t max_per_order);
// At least one place, at most max_per_order. Errors: invalid_field, over_order_limit.
Status check_ga_request(std::uint32_t quantity, std::uint32_t max_per_order);

class Inventory {
 public:
  // `first_seq` is the sequence number of the state as constructed; the first change is +1.
  Inventory(std::shared_ptr<const Layout> layout, std::uint64_t first_seq);

  // Marks units sold as the source of truth says, before serving. Emits no change.
  // Precondition: the seats are available (the store guarantees each is sold once).
  void load_sold_seats(std::span<const SeatIndex> seats);
  void load_sold_ga(std::uint32_t area, std::uint32_t quantity);

  // Holds exactly these seats until expires_at. Errors: duplicate_seats, over_order_limit,
  // invalid_field (no seats), seats_unavailable (fact seat_indexes: the seats taken).
  Result<HoldView> hold_seats(const HoldId& id, const HoldTerms& terms,
                              std::span<const SeatIndex> seats, UnixMillis now,
                              UnixMillis expires_at);
  // Holds the best `query.count` adjacent seats (see best_available.hpp).
  // Errors: over_order_limit, invalid_field (count 0), not_enough_seats.
  Result<HoldView> hold_best_available(const HoldId& id, const HoldTerms& terms,
                                       const BestAvailableQuery& query, UnixMillis now,
                                       UnixMillis expires_at);
  // Holds `quantity` places of a GA area. Errors: over_order_limit, invalid_field (0 or no
  // such area), not_enough_seats (fact places_available).
  Result<HoldView> hold_ga(const HoldId& id, const HoldTerms& terms, std::uint32_t area,
                           std::uint32_t quantity, UnixMillis now, UnixMillis expires_at);

  // The live hold, or nullopt if it expired, was released, confirmed, or never existed.
  std::optional<HoldView> find_hold(const HoldId& id, UnixMillis now);

  // Gives the units back. Errors: hold_gone, checkout_in_progress.
  Status release(const HoldId& id, UnixMillis now);

  // Two-phase confirm. begin_confirm checks that the hold is live and pins it (no expiry, no
  // release) while payment and the durable commit happen outside. Errors: hold_gone,
  // checkout_in_progress. Exactly one of finish_confirm (units become sold) or abort_confirm
  // (the hold is held again, and expires at once if its time has passed) must follow.
  Result<HoldView> begin_confirm(const HoldId& id, UnixMillis now);
  void finish_confirm(const HoldId& id);
  // Whether the hold is live and pinned by begin_confirm.
  bool confirming(const HoldId& id) const;
  void abort_confirm(const HoldId& id, UnixMillis now);

  // Expires every hold due at `now`; answers how many.
  std::size_t expire_due(UnixMillis now);
  std::optional<UnixMillis> next_expiry() const;

  // State as of the last call that took `now` (call expire_due first for a fresh view).
  SeatState seat_state(SeatIndex seat) const;
  std::span<const std::uint32_t> seat_owners() const { return owner_; }  // 0 = available
  const std::vector<GaCounts>& ga_counts() const { return ga_; }
  std::uint32_t seats_available() const { return seats_available_; }
  std::uint32_t seats_sold() const { return seats_sold_; }
  std::size_t live_holds() const { return holds_.size(); }
  std::uint64_t seq() const { return seq_; }
  const Layout& layout() const { return *layout_; }

  // The changes since the last call, oldest first.
  std::vector<Change> take_changes();

  // Recounts everything from scratch and asserts it matches (tests and debug builds).
  void check_invariants() const;

 private:
  static constexpr std::uint32_t sold_owner = 0xffff'ffff;

  struct Hold {
    HoldView view;
    std::uint32_t serial = 0;
  };

  Result<HoldView> grant(const HoldId& id, const UnitPrices& prices, std::vector<SeatIndex> seats,
                         std::optional<std::uint32_t> ga_area, std::uint32_t ga_quantity,
                         UnixMillis now, UnixMillis expires_at);
  Hold* find_live(const HoldId& id);
  Result<Hold*> unpin(const HoldId& id, UnixMillis now);
  void end_hold(std::uint32_t serial, ChangeKind why);
  void record(ChangeKind kind, const HoldView& hold);

  std::shared_ptr<const Layout> layout_;
  std::uint64_t seq_;
  std::vector<std::uint32_t> owner_;  // per seat: 0 available, sold_owner, or a hold serial
  std::vector<GaCounts> ga_;
  std::uint32_t seats_available_ = 0;
  std::uint32_t seats_sold_ = 0;
  std::uint32_t next_serial_ = 1;
  std::unordered_map<std::uint32_t, Hold> holds_;                 // by serial
  std::unordered_map<HoldId, std::uint32_t, Id128Hash> serials_;  // by id
  std::set<std::pair<UnixMillis, std::uint32_t>> expiry_;         // unpinned holds by deadline
  std::vector<Change> changes_;
};

}  // namespace boxoffice
