// In-memory stand-ins for what outlives a boxoffice node: the catalog store, the order store
// (the source of truth, with its guard) and a payment processor's ledger. Each keeps its state
// in the object, so a test can destroy a Booking as a crash would and start another over the
// same ones. They answer at once and never fail by themselves; tests/services/faults.hpp makes
// them fail. Thread-safe (one mutex each), as the interfaces promise.
#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "services/payments.hpp"
#include "services/stores.hpp"

namespace boxoffice::testing {

class FakeCatalogStore final : public CatalogStore {
 public:
  Result<std::int64_t> create_venue(const Venue& venue) override {
    std::lock_guard lock(mutex_);
    venues_.push_back(venue);
    venues_.back().id = static_cast<std::int64_t>(venues_.size());
    ++version_;
    return venues_.back().id;
  }
  Result<std::int64_t> create_event(const Event& event) override {
    std::lock_guard lock(mutex_);
    events_.push_back(event);
    events_.back().id = static_cast<std::int64_t>(events_.size());
    ++version_;
    return events_.back().id;
  }
  Status update_event(const Event& event) override {
    std::lock_guard lock(mutex_);
    events_.at(static_cast<std::size_t>(event.id - 1)) = event;
    ++version_;
    return ok_status();
  }
  Result<std::vector<Venue>> load_venues() override {
    std::lock_guard lock(mutex_);
    return venues_;
  }
  Result<std::vector<Event>> load_events() override {
    std::lock_guard lock(mutex_);
    return events_;
  }
  Result<std::string> catalog_signature() override {
    std::lock_guard lock(mutex_);
    return std::to_string(version_);
  }

 private:
  std::mutex mutex_;
  std::vector<Venue> venues_;
  std::vector<Event> events_;
  std::uint64_t version_ = 0;
};

// The order store with the guard of stores.hpp: a seat is sold once, a GA area never past its
// capacity, a hold has at most one order (a second answers conflict).
class FakeOrderStore final : public OrderStore {
 public:
  Status commit_order(const Order& order, std::uint32_t ga_capacity) override {
    std::lock_guard lock(mutex_);
    if (find_by_hold(order.hold_id) != nullptr) {
      return make_error(Errc::conflict, "the hold already has an order");
    }
    std::vector<std::string> taken;
    for (const std::string& seat : order.seats) {
      if (sold_seats_.contains({order.event_id, seat})) taken.push_back(seat);
    }
    if (!taken.empty()) {
      return make_error(Errc::seats_unavailable, "some seats are already sold",
                        {.seat_ids = std::move(taken)});
    }
    if (order.ga_area &&
        ga_sold_[{order.event_id, *order.ga_area}] + order.ga_quantity > ga_capacity) {
      return make_error(Errc::seats_unavailable, "not enough places left in the area");
    }
    for (const std::string& seat : order.seats) sold_seats_.insert({order.event_id, seat});
    if (order.ga_area) ga_sold_[{order.event_id, *order.ga_area}] += order.ga_quantity;
    orders_.push_back(order);
    return ok_status();
  }
  Status mark_captured(const OrderId& id) override {
    std::lock_guard lock(mutex_);
    for (Order& order : orders_) {
      if (order.id != id) continue;
      order.payment_status = PaymentStatus::captured;
      return ok_status();
    }
    return make_error(Errc::not_found, "no such order");
  }
  Result<std::optional<Order>> find_order(const OrderId& id) override {
    std::lock_guard lock(mutex_);
    for (const Order& order : orders_) {
      if (order.id == id) return std::optional<Order>(order);
    }
    return std::optional<Order>();
  }
  Result<std::optional<Order>> find_order_by_hold(const HoldId& hold) override {
    std::lock_guard lock(mutex_);
    const Order* order = find_by_hold(hold);
    return order != nullptr ? std::optional<Order>(*order) : std::nullopt;
  }
  Result<std::vector<Order>> orders_of_event(std::int64_t event_id) override {
    return select([event_id](const Order& order) { return order.event_id == event_id; });
  }
  Result<std::vector<Order>> uncaptured_orders() override {
    return select(
        [](const Order& order) { return order.payment_status == PaymentStatus::authorized; });
  }
  // What the guard holds sold, as commit_order recorded it (not recomputed from the orders, so
  // a test can compare the two).
  Result<SoldUnits> sold_units(std::int64_t event_id) override {
    std::lock_guard lock(mutex_);
    SoldUnits sold;
    for (const auto& [event, seat] : sold_seats_) {
      if (event == event_id) sold.seats.push_back(seat);
    }
    for (const auto& [key, places] : ga_sold_) {
      if (key.first == event_id) sold.ga.emplace_back(key.second, places);
    }
    return sold;
  }
  Status ping() override { return ok_status(); }
  Result<std::uint64_t> next_epoch() override {
    std::lock_guard lock(mutex_);
    return ++epoch_;
  }

  std::vector<Order> all_orders() {
    return select([](const Order&) { return true; });
  }

 private:
  const Order* find_by_hold(const HoldId& hold) const {
    const auto it = std::find_if(orders_.begin(), orders_.end(),
                                 [&hold](const Order& order) { return order.hold_id == hold; });
    return it == orders_.end() ? nullptr : &*it;
  }
  template <class Predicate>
  std::vector<Order> select(Predicate wanted) {
    std::lock_guard lock(mutex_);
    std::vector<Order> out;
    std::copy_if(orders_.begin(), orders_.end(), std::back_inserter(out), wanted);
    return out;
  }

  std::mutex mutex_;
  std::vector<Order> orders_;  // in the order they were committed
  std::set<std::pair<std::int64_t, std::string>> sold_seats_;
  std::map<std::pair<std::int64_t, std::string>, std::uint32_t> ga_sold_;
  std::uint64_t epoch_ = 0;
};

enum class PaymentState { authorised, captured, voided };

struct LedgerEntry {
  std::string payment_id;
  std::string idempotency_key;
  std::int64_t amount_cents = 0;
  std::string currency;
  PaymentState state = PaymentState::authorised;
  int captures_asked = 0;  // capture calls that found it (money moves on the first only)
};

// A processor's ledger, as sqlite::TestPaymentProvider keeps one: the same idempotency key
// answers the same payment id (whatever became of it); capturing twice is ok, capturing a
// voided or unknown payment is conflict; voiding by an unknown key does nothing.
class FakeLedger final : public PaymentProvider {
 public:
  boost::asio::awaitable<Result<std::string>> authorise(Authorisation request) override {
    co_return authorise_now(request);
  }
  boost::asio::awaitable<Status> capture(std::string payment_id) override {
    co_return capture_now(payment_id);
  }
  boost::asio::awaitable<Status> void_authorisation(std::string idempotency_key) override {
    std::lock_guard lock(mutex_);
    for (LedgerEntry& entry : entries_) {
      if (entry.idempotency_key != idempotency_key) continue;
      if (entry.state == PaymentState::authorised) entry.state = PaymentState::voided;
    }
    co_return ok_status();
  }
  Status void_uncaptured() override {
    std::lock_guard lock(mutex_);
    for (LedgerEntry& entry : entries_) {
      if (entry.state == PaymentState::authorised) entry.state = PaymentState::voided;
    }
    return ok_status();
  }

  std::vector<LedgerEntry> entries() {
    std::lock_guard lock(mutex_);
    return entries_;
  }

 private:
  Result<std::string> authorise_now(const Authorisation& request) {
    std::lock_guard lock(mutex_);
    for (const LedgerEntry& entry : entries_) {
      if (entry.idempotency_key == request.idempotency_key) return entry.payment_id;
    }
    entries_.push_back({"pay_" + std::to_string(entries_.size() + 1), request.idempotency_key,
                        request.amount_cents, request.currency});
    return entries_.back().payment_id;
  }
  Status capture_now(const std::string& payment_id) {
    std::lock_guard lock(mutex_);
    for (LedgerEntry& entry : entries_) {
      if (entry.payment_id != payment_id || entry.state == PaymentState::voided) continue;
      ++entry.captures_asked;
      entry.state = PaymentState::captured;
      return ok_status();
    }
    return make_error(Errc::conflict, "no authorisation to capture: " + payment_id);
  }

  std::mutex mutex_;
  std::vector<LedgerEntry> entries_;
};

// Access codes as stores.hpp has them: a use spent at most as many times as the code has.
class FakeAccessCodeStore final : public AccessCodeStore {
 public:
  Status add_access_codes(std::int64_t event_id, const std::string& presale_id, std::uint32_t uses,
                          const std::vector<std::string>& hashes) override {
    std::lock_guard lock(mutex_);
    for (const std::string& hash : hashes) {
      if (codes_.contains({event_id, hash})) {
        return make_error(Errc::conflict, "an access code the event has already");
      }
    }
    for (const std::string& hash : hashes) codes_[{event_id, hash}] = {presale_id, uses};
    return ok_status();
  }
  Status spend_access_code(std::int64_t event_id, const std::string& hash,
                           const std::vector<std::string>& presales) override {
    std::lock_guard lock(mutex_);
    Status spendable = refusal(event_id, hash, presales);
    if (spendable) --codes_.at({event_id, hash}).uses_left;
    return spendable;
  }
  Status give_back_access_code(std::int64_t event_id, const std::string& hash) override {
    std::lock_guard lock(mutex_);
    if (auto it = codes_.find({event_id, hash}); it != codes_.end()) ++it->second.uses_left;
    return ok_status();
  }
  Status check_access_code(std::int64_t event_id, const std::string& hash,
                           const std::vector<std::string>& presales) override {
    std::lock_guard lock(mutex_);
    return refusal(event_id, hash, presales);
  }

 private:
  struct Code {
    std::string presale_id;
    std::uint32_t uses_left = 0;
  };
  // Why a code of these presales can't be spent now; ok when it can.
  Status refusal(std::int64_t event_id, const std::string& hash,
                 const std::vector<std::string>& presales) const {
    auto it = codes_.find({event_id, hash});
    if (it == codes_.end() ||
        std::find(presales.begin(), presales.end(), it->second.presale_id) == presales.end()) {
      return make_error(Errc::access_code_invalid, "unknown", {.reason = "unknown"});
    }
    if (it->second.uses_left == 0) {
      return make_error(Errc::access_code_invalid, "used up", {.reason = "used_up"});
    }
    return ok_status();
  }

  std::mutex mutex_;
  std::map<std::pair<std::int64_t, std::string>, Code> codes_;
};

}  // namespace boxoffice::testing
