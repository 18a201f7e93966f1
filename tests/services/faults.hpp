// Fault injection for Booking's collaborators, in the style of Beast's test::fail_count: one
// Faults object numbers every awaited call that the decorators below pass on (to the hold
// store, the order store and the payment provider alike), and the call whose number is in its
// plan fails as planned:
//  - answer_error: it answers store_unavailable and does nothing (what the stores' contracts
//    promise of that error);
//  - throw_exception: it throws, having done nothing;
//  - never_answer: it waits for a timer that never fires. The node is as good as dead: the
//    test stops its loop and destroys its Booking, which destroys the waiting call;
//  - lose_answer: it takes effect, then answers store_unavailable: a processor's timeout after
//    the request went through. Only the payment provider's contract allows that outcome (a
//    store's store_unavailable promises that nothing changed), so in a plan of this mode only
//    the provider's calls are numbered.
// Calls that are not awaited (open_event, snapshot, uncaptured_orders, void_uncaptured, ...)
// are passed on unnumbered: they run at start or on reads, outside the paths under test.
//
// FaultyHoldStore also gives the in-process memory::HoldStore what a hold store shared by
// several nodes has (Redis, cluster mode), so that a node can die while the holds live on: a
// checkout's pin runs out `pin_ms` after it began; sweep() then reports it stale; a new
// checkout takes over a pin that ran out (counting it as an aborted checkout);
// settle_stale_checkout() finishes or aborts it, as stores/redis/hold_scripts.hpp does. In
// the embedded mode the store is the plain in-process one: pins never run out, a node that
// dies takes its holds with it (node_died()), and its calls are not numbered (memory does no
// I/O that could fail).
#pragma once

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "services/holds.hpp"
#include "services/payments.hpp"
#include "services/stores.hpp"
#include "stores/memory/hold_store.hpp"

namespace boxoffice::testing {

enum class FaultMode { answer_error, throw_exception, never_answer, lose_answer };

inline const char* name_of(FaultMode mode) {
  switch (mode) {
    case FaultMode::answer_error:
      return "error";
    case FaultMode::throw_exception:
      return "throw";
    case FaultMode::never_answer:
      return "hang";
    case FaultMode::lose_answer:
      return "lost";
  }
  return "?";
}

class Faults {
 public:
  // From now on awaited calls are numbered from 1, and the calls numbered in `plan` fail.
  void arm(std::map<int, FaultMode> plan) {
    payments_only_ = std::all_of(plan.begin(), plan.end(), [](const auto& planned) {
      return planned.second == FaultMode::lose_answer;
    });
    plan_ = std::move(plan);
    calls_ = 0;
    fired_.clear();
    armed_ = true;
  }
  void disarm() { armed_ = false; }
  // For setting a scenario up: the next call named `call` never answers (a node dies there).
  void hang_at(std::string call) { hang_call_ = std::move(call); }

  int calls() const { return calls_; }                              // since arm()
  const std::vector<std::string>& fired() const { return fired_; }  // since arm()
  bool fired_all() const { return fired_.size() == plan_.size(); }
  bool fired(FaultMode mode) const { return modes_fired_.contains(mode); }
  bool hung() const { return fired(FaultMode::never_answer); }
  // Forgets which modes fired: a new node runs.
  void node_restarted() { modes_fired_.clear(); }

  // Every decorated awaited call awaits this first: nullopt to go on, or the error to answer.
  // `payment`: a call to the provider, which then asks lost_answer() once it has answered.
  boost::asio::awaitable<std::optional<Error>> point(const char* call, bool payment = false) {
    const std::optional<FaultMode> mode = fault_of(call, payment);
    if (!mode) co_return std::nullopt;
    fired_.emplace_back(call);
    modes_fired_.insert(*mode);
    if (*mode == FaultMode::lose_answer) {
      lose_next_answer_ = true;
      co_return std::nullopt;
    }
    if (*mode == FaultMode::answer_error) {
      co_return make_error(Errc::store_unavailable, std::string("injected fault: ") + call);
    }
    if (*mode == FaultMode::throw_exception) {
      throw std::runtime_error(std::string("injected exception: ") + call);
    }
    boost::asio::steady_timer never(co_await boost::asio::this_coro::executor,
                                    boost::asio::steady_timer::time_point::max());
    co_await never.async_wait(boost::asio::use_awaitable);
    throw std::logic_error(std::string("a call that never answers answered: ") + call);
  }
  // The error to answer instead of the answer of the call that just took effect, if it is lost.
  std::optional<Error> lost_answer() {
    if (!lose_next_answer_) return std::nullopt;
    lose_next_answer_ = false;
    return make_error(Errc::store_unavailable, "injected timeout: the answer was lost");
  }

 private:
  std::optional<FaultMode> fault_of(const char* call, bool payment) {
    if (!hang_call_.empty() && hang_call_ == call) {
      hang_call_.clear();
      return FaultMode::never_answer;
    }
    if (!armed_ || (payments_only_ && !payment)) return std::nullopt;
    const auto it = plan_.find(++calls_);
    if (it == plan_.end()) return std::nullopt;
    return it->second;
  }

  std::map<int, FaultMode> plan_;
  bool armed_ = false;
  bool payments_only_ = false;
  bool lose_next_answer_ = false;
  int calls_ = 0;
  std::vector<std::string> fired_;
  std::set<FaultMode> modes_fired_;
  std::string hang_call_;
};

class FaultyOrderStore final : public OrderStore {
 public:
  FaultyOrderStore(OrderStore& inner, Faults& faults) : inner_(inner), faults_(faults) {}

  Status commit_order(const Order& order, std::uint32_t ga_capacity) override {
    return inner_.commit_order(order, ga_capacity);
  }
  Status mark_captured(const OrderId& order) override { return inner_.mark_captured(order); }
  Result<std::optional<Order>> find_order(const OrderId& id) override {
    return inner_.find_order(id);
  }
  Result<std::optional<Order>> find_order_by_hold(const HoldId& hold) override {
    return inner_.find_order_by_hold(hold);
  }
  Result<std::vector<Order>> orders_of_event(std::int64_t event_id) override {
    return inner_.orders_of_event(event_id);
  }
  Result<std::vector<Order>> uncaptured_orders() override { return inner_.uncaptured_orders(); }
  Result<SoldUnits> sold_units(std::int64_t event_id) override {
    return inner_.sold_units(event_id);
  }
  Status ping() override { return inner_.ping(); }
  Result<std::uint64_t> next_epoch() override { return inner_.next_epoch(); }

  // The awaited calls answer on the caller's thread: no thread pool, so a run is deterministic.
  boost::asio::awaitable<Status> async_commit_order(const Order& order, std::uint32_t ga_capacity,
                                                    boost::asio::thread_pool&) override {
    if (auto fault = co_await faults_.point("commit_order")) co_return std::move(*fault);
    co_return inner_.commit_order(order, ga_capacity);
  }
  boost::asio::awaitable<Status> async_mark_captured(const OrderId& order,
                                                     boost::asio::thread_pool&) override {
    if (auto fault = co_await faults_.point("mark_captured")) co_return std::move(*fault);
    co_return inner_.mark_captured(order);
  }
  boost::asio::awaitable<Result<std::optional<Order>>> async_find_order_by_hold(
      const HoldId& hold, boost::asio::thread_pool&) override {
    if (auto fault = co_await faults_.point("find_order_by_hold")) co_return std::move(*fault);
    co_return inner_.find_order_by_hold(hold);
  }

 private:
  OrderStore& inner_;
  Faults& faults_;
};

class FaultyPayments final : public PaymentProvider {
 public:
  FaultyPayments(PaymentProvider& inner, Faults& faults) : inner_(inner), faults_(faults) {}

  boost::asio::awaitable<Result<std::string>> authorise(Authorisation request) override {
    if (auto fault = co_await faults_.point("authorise", true)) co_return std::move(*fault);
    auto answer = co_await inner_.authorise(std::move(request));
    if (auto lost = faults_.lost_answer()) co_return std::move(*lost);
    co_return answer;
  }
  boost::asio::awaitable<Status> capture(std::string payment_id) override {
    if (auto fault = co_await faults_.point("capture", true)) co_return std::move(*fault);
    Status answer = co_await inner_.capture(std::move(payment_id));
    if (auto lost = faults_.lost_answer()) co_return std::move(*lost);
    co_return answer;
  }
  boost::asio::awaitable<Status> void_authorisation(std::string idempotency_key) override {
    if (auto fault = co_await faults_.point("void_authorisation", true)) {
      co_return std::move(*fault);
    }
    Status answer = co_await inner_.void_authorisation(std::move(idempotency_key));
    if (auto lost = faults_.lost_answer()) co_return std::move(*lost);
    co_return answer;
  }
  Status void_uncaptured() override { return inner_.void_uncaptured(); }

 private:
  PaymentProvider& inner_;
  Faults& faults_;
};

class FaultyHoldStore final : public HoldStore {
 public:
  // `shared`: the cluster mode's store (see the top of this file); else the embedded one.
  FaultyHoldStore(Faults& faults, bool shared, Metrics& metrics)
      : faults_(faults), shared_(shared), metrics_(metrics) {}

  // A node died. Embedded: its holds died with it; the next node starts an empty store (with a
  // later epoch) and loads what was sold when it opens the event. Shared: nothing is lost.
  void node_died() {
    if (shared_) return;
    ++epoch_;
    inner_ = std::make_unique<memory::HoldStore>(epoch_ << 32, metrics_);
  }
  // Pins that have not ended (for the tests' checks).
  std::size_t pins() const { return pins_.size(); }

  Status open_event(EventUnits units) override { return inner_->open_event(std::move(units)); }
  std::optional<std::int64_t> event_of(const HoldId& id) override { return inner_->event_of(id); }
  boost::asio::awaitable<Result<Held>> hold(std::int64_t event_id, HoldAsk ask, HoldTerms terms,
                                            UnixMillis now, UnixMillis expires_at) override {
    if (auto fault = co_await point("hold")) co_return std::move(*fault);
    co_return co_await inner_->hold(event_id, std::move(ask), std::move(terms), now, expires_at);
  }
  boost::asio::awaitable<Result<HoldView>> find_hold(HoldId id, UnixMillis now) override {
    if (auto fault = co_await point("find_hold")) co_return std::move(*fault);
    co_return counted(id, co_await inner_->find_hold(id, now));
  }
  boost::asio::awaitable<Status> release(HoldId id, UnixMillis now) override {
    if (auto fault = co_await point("release")) co_return std::move(*fault);
    co_return co_await inner_->release(id, now);
  }
  boost::asio::awaitable<Result<HoldView>> begin_checkout(HoldId id, UnixMillis now,
                                                          UnixMillis pin_ms) override {
    if (auto fault = co_await point("begin_checkout")) co_return std::move(*fault);
    if (shared_ && pin_ran_out(id, now)) {  // its node died: this checkout takes over
      ++takeovers_[id];
      pins_[id] = now + pin_ms;
      co_return counted(id, co_await inner_->find_hold(id, now));
    }
    auto pinned = co_await inner_->begin_checkout(id, now, pin_ms);
    if (pinned && shared_) pins_[id] = now + pin_ms;
    co_return counted(id, std::move(pinned));
  }
  boost::asio::awaitable<Status> finish_checkout(HoldId id) override {
    if (auto fault = co_await point("finish_checkout")) co_return std::move(*fault);
    Status finished = co_await inner_->finish_checkout(id);
    if (finished) pins_.erase(id);
    co_return finished;
  }
  boost::asio::awaitable<Status> abort_checkout(HoldId id, UnixMillis now) override {
    if (auto fault = co_await point("abort_checkout")) co_return std::move(*fault);
    Status aborted = co_await inner_->abort_checkout(id, now);
    if (aborted) pins_.erase(id);
    co_return aborted;
  }
  boost::asio::awaitable<Status> settle_stale_checkout(HoldId id, bool sold,
                                                       UnixMillis now) override {
    if (auto fault = co_await point("settle_stale_checkout")) co_return std::move(*fault);
    if (!shared_) co_return co_await inner_->settle_stale_checkout(id, sold, now);
    if (sold) {
      Status finished = co_await inner_->finish_checkout(id);
      if (finished) pins_.erase(id);
      co_return finished;
    }
    // Not sold: held again, unless another checkout took the pin over meanwhile.
    if (!pin_ran_out(id, now)) co_return ok_status();
    pins_.erase(id);
    co_return co_await inner_->abort_checkout(id, now);
  }
  boost::asio::awaitable<Result<SweepOutcome>> sweep(UnixMillis now) override {
    if (auto fault = co_await point("sweep")) co_return std::move(*fault);
    auto outcome = co_await inner_->sweep(now);
    if (!outcome) co_return outcome;
    for (const auto& [id, pin_end] : pins_) {
      if (pin_end <= now) outcome->stale_checkouts.push_back(id);
    }
    co_return outcome;
  }
  Result<std::shared_ptr<const UnitsSnapshot>> snapshot(std::int64_t event_id,
                                                        UnixMillis now) override {
    return inner_->snapshot(event_id, now);
  }
  std::size_t live_holds() override { return inner_->live_holds(); }
  bool reachable() override { return inner_->reachable(); }
  void on_change(ChangeListener listener) override { inner_->on_change(std::move(listener)); }

 private:
  boost::asio::awaitable<std::optional<Error>> point(const char* call) {
    if (!shared_) co_return std::nullopt;
    co_return co_await faults_.point(call);
  }
  bool pin_ran_out(const HoldId& id, UnixMillis now) const {
    const auto it = pins_.find(id);
    return it != pins_.end() && it->second <= now;
  }
  // A view of the hold with the checkouts taken over counted as aborted (Redis counts both).
  Result<HoldView> counted(const HoldId& id, Result<HoldView> view) const {
    const auto it = takeovers_.find(id);
    if (view && it != takeovers_.end()) view->aborted_checkouts += it->second;
    return view;
  }

  Faults& faults_;
  const bool shared_;
  Metrics& metrics_;
  std::uint64_t epoch_ = 1;
  std::unique_ptr<memory::HoldStore> inner_ =
      std::make_unique<memory::HoldStore>(epoch_ << 32, metrics_);
  std::map<HoldId, UnixMillis> pins_;  // shared mode: end of each live pin
  std::map<HoldId, std::uint32_t> takeovers_;
};

}  // namespace boxoffice::testing
