// The booking service: seat holds and two-phase checkout, over the inventory state machine
// of core/inventory.hpp, the OrderStore (the source of truth) and a PaymentProvider.
//
// Concurrency: each event's inventory has its own mutex, held only for in-memory work (never
// across payment or store I/O), so events never wait on each other and one event's holds are
// a few microseconds each. Checkout pins the hold (begin_confirm), authorises the payment,
// commits the order in the store (whose guard is the final arbiter), then marks the seats
// sold and captures: a crash at any point leaves either no order (the authorisation is voided
// at the next start, or when the buyer retries) or a whole order (captured at the next start).
//
// Holds live in memory only: a restart loses them, and a checkout against a lost hold answers
// hold_gone. Every answer is the API's JSON body, ready to send.
#pragma once

#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/inventory.hpp"
#include "core/ticket_code.hpp"
#include "services/catalog.hpp"
#include "services/metrics.hpp"
#include "services/clock.hpp"
#include "services/payments.hpp"
#include "services/stores.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/object.hpp>

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace boxoffice {

struct Availability {
  std::uint64_t seq = 0;
  std::shared_ptr<const std::string> json;
};

class Booking {
 public:
  // Threads for checkout's store calls: SQLite commits one at a time anyway; PostgreSQL
  // overlaps round trips across them.
  static constexpr std::size_t store_threads = 4;

  Booking(Catalog& catalog, OrderStore& orders, PaymentProvider& payments, TicketSecret secret,
          std::uint64_t epoch, Metrics& metrics);
  ~Booking();

  // After a crash: captures the payments of orders that were committed but not captured,
  // then voids every other authorisation. Run once at start, before serving.
  boost::asio::awaitable<Status> recover();

  // POST /v1/events/{id}/holds. Errors: not_found (no such published event), not_on_sale,
  // invalid_field / unknown_seats / duplicate_seats / over_order_limit (bad request),
  // seats_unavailable, not_enough_seats, store_unavailable.
  Result<boost::json::object> hold(std::int64_t event_id, const boost::json::value& body,
                                   UnixMillis now);
  // GET /v1/holds/{id}. Errors: hold_gone (extra "reason": expired, released or checked_out)
  // for a hold that ended recently (the last ended_holds_max are remembered), not_found else.
  Result<boost::json::object> find_hold(const HoldId& id, UnixMillis now);
  // DELETE /v1/holds/{id}. Errors: hold_gone or not_found as above, checkout_in_progress.
  Status release(const HoldId& id, UnixMillis now);

  // POST /v1/holds/{id}/checkout. Same key and body as an earlier success: that order again.
  // Errors: invalid_field, idempotency_mismatch, conflict (checked out under another key),
  // hold_gone, checkout_in_progress, payment_declined (the hold stays), seats_unavailable,
  // store_unavailable.
  boost::asio::awaitable<Result<boost::json::object>> checkout(HoldId id,
                                                               boost::json::value body,
                                                               std::string idempotency_key,
                                                               Clock clock);

  Result<boost::json::object> order(const OrderId& id);
  Result<boost::json::object> orders_of_event(std::int64_t event_id);

  // GET /v1/events/{id}/availability, whole (cached per sequence number) or for `seats` only
  // (comma-separated ids). Errors: not_found, unknown_seats.
  Result<Availability> availability(std::int64_t event_id, std::optional<std::string_view> seats,
                                    UnixMillis now);

  // Expires the due holds of every event (the sweeper; lazy expiry does the rest).
  std::size_t sweep(UnixMillis now);
  // Live holds over all events (the sweeper's queue).
  std::size_t live_holds();

 private:
  struct EventBooking;

  Result<EventBooking*> event_booking(std::int64_t event_id);
  std::optional<std::int64_t> event_of_hold(const HoldId& id);
  // Why a hold is not live: hold_gone with the reason it ended, if remembered; else `unknown`.
  Error ended_hold_error(const HoldId& id, Error unknown);
  Result<EventBooking*> booking_of_hold(const HoldId& id);  // not_found for no live hold
  void drain_changes(EventBooking& booking);
  boost::json::object encode_hold(const EventBooking& booking, const HoldView& hold) const;
  boost::json::object encode_order(const Order& order) const;
  Order make_order(const EventBooking& booking, const HoldView& hold,
                   const boost::json::object& customer, std::string idempotency_key,
                   std::string request_hash, std::string payment_id, UnixMillis now) const;

  Catalog& catalog_;
  OrderStore& orders_;
  PaymentProvider& payments_;
  Metrics& metrics_;
  const TicketSecret secret_;
  const std::uint64_t first_seq_;  // epoch << 32: sequence numbers grow across restarts

  std::shared_mutex events_mutex_;
  std::unordered_map<std::int64_t, std::unique_ptr<EventBooking>> events_;
  std::mutex holds_mutex_;  // taken after an event's mutex, never before
  std::unordered_map<HoldId, std::int64_t, Id128Hash> hold_events_;
  // Holds that ended, oldest first, and how: so a holder is told "expired", not "unknown".
  static constexpr std::size_t ended_holds_max = 100'000;
  std::deque<HoldId> ended_order_;
  std::unordered_map<HoldId, ChangeKind, Id128Hash> ended_;
  // Checkout's store calls run here, not on the server's threads. Last: joined first.
  boost::asio::thread_pool store_calls_{store_threads};
};

}  // namespace boxoffice
