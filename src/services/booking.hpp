// The booking service: seat holds and two-phase checkout, over a HoldStore (services/holds.hpp:
// in process, or Redis shared by several nodes), the OrderStore (the source of truth) and a
// PaymentProvider.
//
// Checkout pins the hold (begin_checkout), authorises the payment, commits the order in the
// store (whose guard is the final arbiter), then marks the seats sold and captures (recording
// the capture in the store in the background): a crash at any point leaves either no order
// (the authorisation is voided at the next start, or when the buyer retries) or a whole order
// (captured at the next start). A checkout pinned by a node that died is settled by the
// sweep, against the orders the store has; one whose call threw is settled the same way at
// once. tests/services/booking_fault_test.cpp makes each of those calls fail in turn.
//
// Requests and answers are typed, with seats named by id as the API names them; http/ decodes
// and encodes them (http/booking_json.cpp).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/ticket_code.hpp"
#include "services/catalog.hpp"
#include "services/clock.hpp"
#include "services/holds.hpp"
#include "services/metrics.hpp"
#include "services/payments.hpp"
#include "services/presales.hpp"
#include "services/stores.hpp"

namespace boxoffice {

// What a hold asks for: these seats, the best N seats together (in these sections, at this
// price level, when given), or places in a general-admission area.
struct HoldSeats {
  std::vector<std::string> seat_ids;
};
struct HoldBestAvailable {
  std::uint32_t count = 0;
  std::vector<std::string> section_ids;  // empty: any section
  std::optional<std::string> price_level;
};
struct HoldGa {
  std::string area_id;
  std::uint32_t quantity = 0;
};
using HoldRequest = std::variant<HoldSeats, HoldBestAvailable, HoldGa>;

struct GaPlaces {
  std::string area_id;
  std::uint32_t quantity = 0;
};

// A live hold as its holder sees it.
struct HoldDetails {
  HoldId id;
  std::int64_t event_id = 0;
  bool checking_out = false;
  std::vector<std::string> seat_ids;
  std::optional<GaPlaces> ga;
  UnixMillis created_at = 0;
  UnixMillis expires_at = 0;
  std::int64_t total_cents = 0;
  std::string currency;
};

struct HoldGranted {
  HoldDetails hold;
  std::uint64_t seq = 0;            // the event's sequence number after this hold
  std::uint32_t max_per_order = 0;  // the event's when the hold was made

  std::uint32_t units() const {
    return static_cast<std::uint32_t>(hold.seat_ids.size()) + (hold.ga ? hold.ga->quantity : 0);
  }
};

struct Customer {
  std::string email;
  std::string name;
};

struct CheckoutRequest {
  std::string idempotency_key;  // 1 to idempotency_key_bytes_max bytes
  std::string card_number;
  Customer customer;
};

// An event's units at one sequence number, with the layout that names them.
struct AvailabilityState {
  std::int64_t event_id = 0;
  std::shared_ptr<const Layout> layout;
  std::shared_ptr<const UnitsSnapshot> units;
};

// Some seats' states at one sequence number, in the order asked.
struct SeatStates {
  std::int64_t event_id = 0;
  std::uint64_t seq = 0;
  std::vector<std::pair<std::string, SeatState>> seats;
};

class Booking {
 public:
  // Threads for checkout's blocking store calls (SQLite's: PostgreSQL answers from its batches'
  // own threads). A stuck call (a disk that stalls) holds one, not a server thread. The
  // constructor takes another count for an OrderStore that answers its awaited calls itself
  // (tests start Bookings by the hundred; 64 threads each were most of their time under ASan).
  static constexpr std::size_t store_threads = 64;

  // A checkout pins its hold at most this long (by default): a payment takes seconds; a node
  // that died mid-checkout leaves a pin that the sweep settles after this.
  static constexpr UnixMillis default_checkout_pin_ms = 60'000;
  static constexpr std::size_t idempotency_key_bytes_max = 200;
  static constexpr std::size_t availability_seats_max = 1'000;

  Booking(Catalog& catalog, OrderStore& orders, HoldStore& holds, Presales& presales,
          PaymentProvider& payments, TicketSecret secret, Metrics& metrics,
          UnixMillis checkout_pin_ms = default_checkout_pin_ms,
          std::size_t store_thread_count = store_threads);
  ~Booking();

  // After a crash: captures the payments of orders that were committed but not captured,
  // then voids every other authorisation. Run once at start, before serving.
  boost::asio::awaitable<Status> recover();

  // POST /v1/events/{id}/holds, with the fan's presale access code if any (Presales). Errors:
  // not_found (no such published event), not_on_sale, presale_only, access_code_invalid,
  // invalid_field (no such section, price level or area) / unknown_seats / duplicate_seats /
  // over_order_limit (bad request), seats_unavailable (facts: seat_ids), not_enough_seats,
  // store_unavailable.
  boost::asio::awaitable<Result<HoldGranted>> hold(std::int64_t event_id, HoldRequest request,
                                                   std::optional<std::string> access_code,
                                                   UnixMillis now);
  // GET /v1/holds/{id}. Errors: hold_gone (fact "reason": expired, released or checked_out)
  // for a hold that ended recently (the last ended_holds_max are remembered), not_found else.
  boost::asio::awaitable<Result<HoldDetails>> find_hold(HoldId id, UnixMillis now);
  // DELETE /v1/holds/{id}. Errors: hold_gone or not_found as above, checkout_in_progress.
  boost::asio::awaitable<Status> release(HoldId id, UnixMillis now);
  // Releases each of `holds` (a waiting-room session's, when it ended); one being checked out,
  // or gone already, stays as it is.
  boost::asio::awaitable<void> release_all(std::vector<HoldId> holds, UnixMillis now);

  // POST /v1/holds/{id}/checkout. Same key and request as an earlier success: that order again.
  // Errors: invalid_field (a card number that can't be one), idempotency_mismatch, conflict
  // (checked out under another key; fact order_id), hold_gone, checkout_in_progress,
  // payment_declined (the hold stays), seats_unavailable, store_unavailable, store_failed.
  boost::asio::awaitable<Result<Order>> checkout(HoldId id, CheckoutRequest request, Clock clock);

  // The event of a live hold (in cluster mode, of any well-formed hold id: it carries its
  // event); nullopt otherwise.
  std::optional<std::int64_t> event_of_hold(const HoldId& id) { return holds_.event_of(id); }

  // GET /v1/orders/{id}. Errors: not_found, store_unavailable.
  Result<Order> order(const OrderId& id);
  // GET /v1/events/{id}/orders, in the order they were made. Errors: not_found (no such
  // event), store_unavailable.
  Result<std::vector<Order>> orders_of_event(std::int64_t event_id);

  // GET /v1/events/{id}/availability: the event's units as this node knows them. Errors:
  // not_found.
  Result<AvailabilityState> availability(std::int64_t event_id, UnixMillis now);
  // What an event has left, as this node knows it: seats and places available now, and
  // whether it sold out (every seat and place sold: no hold could give one back). Looked at
  // again at most every units_left_recheck_ms per event (the waiting room asks on every status
  // poll). Errors: those of availability.
  struct UnitsLeft {
    std::uint64_t available = 0;
    bool sold_out = false;
  };
  static constexpr UnixMillis units_left_recheck_ms = 250;
  Result<UnitsLeft> units_left(std::int64_t event_id, UnixMillis now);
  // GET /v1/events/{id}/availability?seats=: these seats' states (at most
  // availability_seats_max). Errors: not_found, invalid_field, unknown_seats.
  Result<SeatStates> seat_states(std::int64_t event_id, const std::vector<std::string>& seat_ids,
                                 UnixMillis now);

  // Expires the due holds of every event (the sweeper; lazy expiry does the rest) and settles
  // checkouts whose node died. Answers how many holds expired.
  boost::asio::awaitable<Result<std::size_t>> sweep(UnixMillis now);
  // At shutdown, once no event loop runs: lets the blocking store calls under way finish (their
  // callers' loops must still exist) and runs no more.
  void finish_store_calls() { store_calls_.join(); }

 private:
  struct EventBooking;

  Result<EventBooking*> event_booking(std::int64_t event_id);
  // A hold once the buyer may buy: on the terms of `view`, the event's latest version.
  boost::asio::awaitable<Result<HoldGranted>> hold_admitted(EventBooking& booking,
                                                            std::shared_ptr<const EventView> view,
                                                            HoldAsk ask, UnixMillis now);
  // The unit prices of `view`, the event's latest version (made once per version).
  std::shared_ptr<const UnitPrices> prices_of(EventBooking& booking,
                                              std::shared_ptr<const EventView> view);
  // The event's currency: the same in every version once published (Catalog::update_event).
  std::string currency_of(std::int64_t event_id);
  // The event of a live hold; else the hold store's word on it (hold_gone, not_found).
  boost::asio::awaitable<Result<EventBooking*>> booking_of_hold(const HoldId& id, UnixMillis now);
  // The order a checkout of this hold already made, for a retry with the same key and body;
  // nullopt if none. Errors: conflict (another key), idempotency_mismatch, store_unavailable.
  boost::asio::awaitable<Result<std::optional<Order>>> existing_order(HoldId id,
                                                                      std::string idempotency_key,
                                                                      std::string request_hash);
  // The rest of a checkout once its hold is pinned: authorise, commit the order, mark the seats
  // sold, capture. Error answers abort the pin and void the authorisation.
  boost::asio::awaitable<Result<Order>> pay_and_commit(
      const EventBooking& booking, const HoldView& pinned, const CheckoutRequest& request,
      const std::string& request_hash, const std::string& authorisation_key, Clock clock);
  // After pay_and_commit threw: the hold is sold if its order was made, else held again and
  // its authorisation voided. Never throws.
  boost::asio::awaitable<void> settle_after_exception(HoldId id, std::string authorisation_key,
                                                      UnixMillis now);
  // Marks the order's payment captured in the store; a failure is logged (the next start
  // captures again and records it).
  boost::asio::awaitable<void> record_capture(OrderId order_id);
  HoldDetails details_of(std::int64_t event_id, const Layout& layout, const std::string& currency,
                         const HoldView& hold) const;
  Order make_order(const HoldDetails& hold, const CheckoutRequest& request,
                   std::string request_hash, std::string payment_id, UnixMillis now) const;

  Catalog& catalog_;
  OrderStore& orders_;
  Presales& presales_;
  HoldStore& holds_;
  PaymentProvider& payments_;
  Metrics& metrics_;
  const Signer signer_;  // of the ticket secret
  const UnixMillis checkout_pin_ms_;

  std::shared_mutex events_mutex_;
  std::unordered_map<std::int64_t, std::unique_ptr<EventBooking>> events_;
  // Checkout's store calls run here, not on the server's threads. Last: joined first.
  boost::asio::thread_pool store_calls_;
};

}  // namespace boxoffice
