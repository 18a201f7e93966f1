// The hold store: where the short-lived state of DESIGN.md's seat state machine lives. In
// the embedded mode, in process (stores/memory); in cluster mode, in Redis (stores/redis),
// shared by every node. services/booking works the same over either; one contract test suite
// (tests/stores/hold_store_contract_test.cpp) runs against both.
//
// Contract, for every implementation:
//  - a hold is all-or-nothing, and no unit is held by two live holds or held and sold at once;
//  - expiry is exact: an operation given `now` never sees, or lets anyone else see, a hold whose
//    expires_at is at or before `now`; sweep() ends due holds when nobody asks;
//  - a hold being checked out (begin_checkout) neither expires nor can be released until
//    finish_checkout or abort_checkout; if the node checking it out dies, the hold is reported
//    by sweep() as a stale checkout once its pin runs out, for the caller to settle with the
//    source of truth;
//  - every change to an event's units takes the next number of the event's sequence; numbers
//    never go backwards, also across restarts;
//  - a hold that ended is remembered for a while: asking for it answers hold_gone with the
//    reason (fact "reason": expired, released, checked_out); an unknown hold is not_found.
//
// Errors of every method: store_unavailable when the store can't be reached (nothing changed
// that a later read could see), plus those listed.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/best_available.hpp"
#include "core/catalog.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/inventory.hpp"
#include "core/time.hpp"
#include "services/random_ids.hpp"

namespace boxoffice {

// What a hold asks for: these seats, the best N adjacent ones, or places of a GA area.
struct GaAsk {
  std::uint32_t area = 0;
  std::uint32_t quantity = 0;
};
using HoldAsk = std::variant<std::vector<SeatIndex>, BestAvailableQuery, GaAsk>;

// Units sold, by index, as the source of truth has them.
struct SoldIndexes {
  std::vector<SeatIndex> seats;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ga;  // area index, places sold
};

// An event as the hold store needs it: its units, and how to read what the source of truth has
// sold (called when the store must (re)build the event's state). What a hold costs and how
// many units it may take come with each hold (HoldTerms), so that event changes apply at once.
struct EventUnits {
  std::int64_t event_id = 0;
  std::shared_ptr<const Layout> layout;
  std::function<Result<SoldIndexes>()> load_sold;
};

struct Held {
  HoldView hold;
  std::uint64_t seq = 0;  // the event's sequence number after this hold
};

// The state of an event's units at one sequence number (for availability and best available).
struct UnitsSnapshot {
  std::uint64_t seq = 0;
  std::vector<SeatState> seats;  // in seat map order
  std::vector<GaCounts> ga;      // in layout order
  std::uint32_t seats_available = 0;
  std::uint32_t seats_sold = 0;
};

// A change to an event's units as this node learns it (its own, or in cluster mode another
// node's): what live seat maps send. No hold id: who holds what is nobody else's business.
struct UnitsChange {
  std::int64_t event_id = 0;
  std::uint64_t seq = 0;
  ChangeKind kind = ChangeKind::held;  // released and expired tell a release from a timeout
  std::vector<SeatIndex> seats;
  std::optional<std::uint32_t> ga_area;
  std::uint32_t ga_quantity = 0;
  // The node lost track and reloaded the event whole (cluster mode: a gap in the stream or a
  // Redis failover): state jumped to `seq`; whoever follows needs a fresh snapshot.
  bool reloaded = false;
};
// Called for every change, per event in sequence order, with the store's lock on the event
// held: it must be quick and must not call the store.
using ChangeListener = std::function<void(const UnitsChange&)>;

struct SweepOutcome {
  std::size_t expired = 0;
  // Holds pinned by a checkout that ran out of time (its node died): settle each with
  // finish_checkout if the source of truth has its order, else abort_checkout.
  std::vector<HoldId> stale_checkouts;
};

// The answer about a hold that ended: hold_gone with why (expired, released, checked_out).
inline Error hold_ended_error(std::string_view reason) {
  return make_error(Errc::hold_gone, "the hold has ended: " + std::string(reason),
                    {.reason = std::string(reason)});
}
// A hold id carries its event: random bytes, then the event's id in the last
// hold_id_event_bytes, so that any node (and any store) knows a hold's event from its id
// alone, without a table of every live hold. The 80 random bits left keep it unguessable.
inline constexpr std::size_t hold_id_event_bytes = 6;

inline HoldId new_hold_id(std::int64_t event_id) {
  HoldId id;
  random_id_bytes(std::span(id.bytes).first(id.bytes.size() - hold_id_event_bytes));
  for (std::size_t i = 0; i < hold_id_event_bytes; ++i) {
    id.bytes[id.bytes.size() - 1 - i] = static_cast<std::uint8_t>(event_id >> (8 * i));
  }
  return id;
}

// The event named in a hold id; nullopt when it names none (event ids start at 1).
inline std::optional<std::int64_t> event_of_hold_id(const HoldId& id) {
  std::int64_t event_id = 0;
  for (std::size_t i = id.bytes.size() - hold_id_event_bytes; i < id.bytes.size(); ++i) {
    event_id = event_id << 8 | id.bytes[i];
  }
  if (event_id == 0) return std::nullopt;
  return event_id;
}

inline Error no_such_hold_error() {
  return make_error(Errc::not_found, "no live hold with this id");
}

class HoldStore {
 public:
  virtual ~HoldStore() = default;

  // Makes an event known to this store, before any other call about it. Errors: those of
  // units.load_sold.
  virtual Status open_event(EventUnits units) = 0;
  // The event a hold belongs to, or nullopt when the id can't be one of this store's holds.
  virtual std::optional<std::int64_t> event_of(const HoldId& id) = 0;

  // Holds what `ask` says until expires_at, on `terms` (its total is fixed from terms.prices
  // and kept with the hold); the store chooses the hold's id. Errors: invalid_field,
  // duplicate_seats, over_order_limit, seats_unavailable (fact seat_indexes: the seats taken),
  // not_enough_seats.
  virtual boost::asio::awaitable<Result<Held>> hold(std::int64_t event_id, HoldAsk ask,
                                                    HoldTerms terms, UnixMillis now,
                                                    UnixMillis expires_at) = 0;
  // The live hold (its `confirming` says whether a checkout runs). Errors: hold_gone, not_found.
  virtual boost::asio::awaitable<Result<HoldView>> find_hold(HoldId id, UnixMillis now) = 0;
  // Errors: hold_gone, not_found, checkout_in_progress.
  virtual boost::asio::awaitable<Status> release(HoldId id, UnixMillis now) = 0;

  // Two-phase checkout: pins the live hold (as Inventory::begin_confirm) for at most
  // `pin_ms`. Errors: hold_gone, not_found, checkout_in_progress.
  virtual boost::asio::awaitable<Result<HoldView>> begin_checkout(HoldId id, UnixMillis now,
                                                                  UnixMillis pin_ms) = 0;
  // The order is stored: the units are sold. Also settles a stale checkout whose order exists.
  virtual boost::asio::awaitable<Status> finish_checkout(HoldId id) = 0;
  // The checkout failed: the hold is held again (or expires, if its time has passed).
  virtual boost::asio::awaitable<Status> abort_checkout(HoldId id, UnixMillis now) = 0;
  // A stale checkout from sweep(): `sold` if the source of truth has its order (the units are
  // sold), else the hold is held again, unless another checkout took it over meanwhile.
  virtual boost::asio::awaitable<Status> settle_stale_checkout(HoldId id, bool sold,
                                                               UnixMillis now) = 0;

  // Ends every hold due at `now`, across every node exactly once.
  virtual boost::asio::awaitable<Result<SweepOutcome>> sweep(UnixMillis now) = 0;

  // The event's units as this node knows them (cluster mode: a mirror that follows the other
  // nodes' changes within milliseconds), current to its seq.
  virtual Result<std::shared_ptr<const UnitsSnapshot>> snapshot(std::int64_t event_id,
                                                                UnixMillis now) = 0;
  // Live holds of the events this node has opened (a gauge of the sweeper's queue).
  virtual std::size_t live_holds() = 0;
  // Whether the store answered lately (GET /readyz).
  virtual bool reachable() = 0;
  // Sets who hears of every change from now on (one listener; set before serving).
  virtual void on_change(ChangeListener listener) = 0;
};

}  // namespace boxoffice
