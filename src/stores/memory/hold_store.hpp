// The embedded mode's hold store: each event's Inventory (core/inventory.hpp) in memory,
// behind a mutex of its own, held only for the few microseconds of in-memory work. Holds are
// lost with the process; a checkout's pin lasts until the checkout ends (the process that
// pinned it is the only one that can die with it).
#pragma once

#include <deque>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "services/holds.hpp"
#include "services/metrics.hpp"

namespace boxoffice::memory {

class HoldStore final : public boxoffice::HoldStore {
 public:
  // Sequence numbers of every event start after `first_seq` (epoch << 32: see OrderStore).
  HoldStore(std::uint64_t first_seq, Metrics& metrics);
  ~HoldStore() override;

  Status open_event(EventUnits units) override;
  std::optional<std::int64_t> event_of(const HoldId& id) override;
  boost::asio::awaitable<Result<Held>> hold(std::int64_t event_id, HoldAsk ask, HoldTerms terms,
                                            UnixMillis now, UnixMillis expires_at) override;
  boost::asio::awaitable<Result<HoldView>> find_hold(HoldId id, UnixMillis now) override;
  boost::asio::awaitable<Status> release(HoldId id, UnixMillis now) override;
  boost::asio::awaitable<Result<HoldView>> begin_checkout(HoldId id, UnixMillis now,
                                                          UnixMillis pin_ms) override;
  boost::asio::awaitable<Status> finish_checkout(HoldId id) override;
  boost::asio::awaitable<Status> abort_checkout(HoldId id, UnixMillis now) override;
  boost::asio::awaitable<Status> settle_stale_checkout(HoldId id, bool sold,
                                                       UnixMillis now) override;
  boost::asio::awaitable<Result<SweepOutcome>> sweep(UnixMillis now) override;
  Result<std::shared_ptr<const UnitsSnapshot>> snapshot(std::int64_t event_id,
                                                        UnixMillis now) override;
  std::size_t live_holds() override;
  bool reachable() override { return true; }
  void on_change(ChangeListener listener) override { listener_ = std::move(listener); }

 private:
  struct Event;

  Event* find_event(std::int64_t event_id);
  // The open event a hold id names; else hold_gone (with the reason) or not_found.
  Result<Event*> event_of_hold(const HoldId& id);
  Error ended_hold_error(const HoldId& id);
  // Called with the event's mutex held: tells the listener, remembers ended holds.
  void drain_changes(Event& event);

  const std::uint64_t first_seq_;
  Metrics& metrics_;
  ChangeListener listener_;
  std::shared_mutex events_mutex_;
  std::unordered_map<std::int64_t, std::unique_ptr<Event>> events_;
  std::mutex holds_mutex_;  // of ended_: taken after an event's mutex, never before
  // Holds that ended, oldest first, and how: so a holder is told "expired", not "unknown".
  static constexpr std::size_t ended_holds_max = 100'000;
  std::deque<HoldId> ended_order_;
  std::unordered_map<HoldId, ChangeKind, Id128Hash> ended_;
};

}  // namespace boxoffice::memory
