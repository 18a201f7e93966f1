// The store interfaces that services/ needs, and that stores/ implements: SQLite for the
// embedded mode, PostgreSQL for the cluster mode. One contract test suite
// (tests/stores/) runs against every implementation.
//
// Common contract: every method is safe to call from any thread at any time; a method that
// returns success has made its effect durable (it survives kill -9 of the process); a method
// that fails with store_unavailable has changed nothing that a later read could see.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"
#include "services/offload.hpp"

namespace boxoffice {

class CatalogStore {
 public:
  virtual ~CatalogStore() = default;
  // Stores a venue and answers its new id (> 0).
  virtual Result<std::int64_t> create_venue(const Venue& venue) = 0;
  // Stores an event at an existing venue and answers its new id (> 0).
  virtual Result<std::int64_t> create_event(const Event& event) = 0;
  // Replaces the stored event with the same id (publish, later edits), if the stored one is
  // still the version it was edited from (event.version - 1): two nodes editing one event at
  // once can't undo each other's change. Errors: not_found, conflict (another version is
  // stored: load it and edit that).
  virtual Status update_event(const Event& event) = 0;
  // Everything stored, in id order, for loading at start.
  virtual Result<std::vector<Venue>> load_venues() = 0;
  virtual Result<std::vector<Event>> load_events() = 0;
  // Changes whenever a venue or event is stored or updated (by any node): a cheap question
  // that tells a node when to load the catalog again.
  virtual Result<std::string> catalog_signature() = 0;
};

struct Ticket {
  std::string unit;  // a seat id, or "<ga area id>#<n>"
  std::string code;  // see core/ticket_code.hpp
};

enum class PaymentStatus { authorized, captured };

struct Order {
  OrderId id;
  std::int64_t event_id = 0;
  HoldId hold_id;
  std::string idempotency_key;
  std::string request_hash;  // of the checkout body: same key + other body is refused
  std::vector<std::string> seats;
  std::optional<std::string> ga_area;
  std::uint32_t ga_quantity = 0;
  std::int64_t total_cents = 0;
  std::string currency;
  std::string customer_email;
  std::string customer_name;
  std::string payment_id;
  PaymentStatus payment_status = PaymentStatus::authorized;
  UnixMillis created_at = 0;
  std::vector<Ticket> tickets;
};

struct SoldUnits {
  std::vector<std::string> seats;
  std::vector<std::pair<std::string, std::uint32_t>> ga;  // area id, places sold
};

class OrderStore {
 public:
  virtual ~OrderStore() = default;
  // Atomically stores the order with its tickets and marks its seats and GA places sold,
  // guarded by the store itself (the final arbiter, DESIGN.md rule 3): if any seat is already
  // sold, or the area's capacity would be exceeded, nothing is written and the answer is
  // seats_unavailable (fact seat_ids). A second order for the same hold
  // answers conflict. `ga_capacity` is the capacity of order.ga_area. The store counts what
  // each buyer (by a key of their email: trimmed, ASCII-lowercased, without a +tag) has bought
  // of each event, and refuses an order that takes them past the event's max_per_customer, as
  // the store has the event now, with customer_limit.
  virtual Status commit_order(const Order& order, std::uint32_t ga_capacity) = 0;
  virtual Status mark_captured(const OrderId& order) = 0;
  virtual Result<std::optional<Order>> find_order(const OrderId& id) = 0;
  virtual Result<std::optional<Order>> find_order_by_hold(const HoldId& hold) = 0;

  // Checkout's calls, awaited: the same contract as the blocking calls above, which these run
  // on `blocking_calls`. A store that can answer without a thread per waiting caller
  // (PostgreSQL's group commit) overrides them. What is passed by reference must live until the
  // answer.
  virtual boost::asio::awaitable<Status> async_commit_order(
      const Order& order, std::uint32_t ga_capacity, boost::asio::thread_pool& blocking_calls) {
    co_return co_await offload(blocking_calls, [&] { return commit_order(order, ga_capacity); });
  }
  virtual boost::asio::awaitable<Status> async_mark_captured(
      const OrderId& order, boost::asio::thread_pool& blocking_calls) {
    co_return co_await offload(blocking_calls, [&] { return mark_captured(order); });
  }
  virtual boost::asio::awaitable<Result<std::optional<Order>>> async_find_order_by_hold(
      const HoldId& hold, boost::asio::thread_pool& blocking_calls) {
    co_return co_await offload(blocking_calls, [&] { return find_order_by_hold(hold); });
  }

  virtual Result<std::vector<Order>> orders_of_event(std::int64_t event_id) = 0;
  // Orders whose payment was authorised but not yet captured (a crash between commit and
  // capture): captured at start.
  virtual Result<std::vector<Order>> uncaptured_orders() = 0;
  virtual Result<SoldUnits> sold_units(std::int64_t event_id) = 0;
  // Answers ok when the store can be reached (GET /readyz).
  virtual Status ping() = 0;
  // A number that grows by one at every start: the high half of event sequence numbers, so
  // they never go backwards across restarts even though holds are not stored.
  virtual Result<std::uint64_t> next_epoch() = 0;
};

// Presale access codes (core/access_code.hpp), kept by hash with the uses each has left. A use
// is spent by a hold granted with the code during its presale.
class AccessCodeStore {
 public:
  virtual ~AccessCodeStore() = default;
  // Stores `hashes` as codes of the event's presale, each good for `uses` holds, all or none:
  // a hash the event has already answers conflict.
  virtual Status add_access_codes(std::int64_t event_id, const std::string& presale_id,
                                  std::uint32_t uses, const std::vector<std::string>& hashes) = 0;
  // Spends one use of a code of one of `presales`, atomically whatever runs at once. Errors:
  // access_code_invalid with the reason "unknown" (no such code of these presales) or
  // "used_up".
  virtual Status spend_access_code(std::int64_t event_id, const std::string& hash,
                                   const std::vector<std::string>& presales) = 0;
  // Gives back a use spent for a hold that was then refused.
  virtual Status give_back_access_code(std::int64_t event_id, const std::string& hash) = 0;
  // As spend_access_code, spending nothing: whether the code could be spent now.
  virtual Status check_access_code(std::int64_t event_id, const std::string& hash,
                                   const std::vector<std::string>& presales) = 0;
};

}  // namespace boxoffice
