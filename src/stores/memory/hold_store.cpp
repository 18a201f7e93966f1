#include "stores/memory/hold_store.hpp"

namespace boxoffice::memory {

struct HoldStore::Event {
  Event(EventUnits units_, std::uint64_t first_seq)
      : units(std::move(units_)), inventory(units.layout, first_seq) {}

  std::mutex mutex;
  const EventUnits units;
  Inventory inventory;
  std::shared_ptr<const UnitsSnapshot> snapshot;  // cached, current to its seq
};

namespace {

const char* ended_reason(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::expired:
      return "expired";
    case ChangeKind::released:
      return "released";
    default:
      return "checked_out";
  }
}

}  // namespace

HoldStore::HoldStore(std::uint64_t first_seq, Metrics& metrics)
    : first_seq_(first_seq), metrics_(metrics) {}

HoldStore::~HoldStore() = default;

Status HoldStore::open_event(EventUnits units) {
  std::unique_lock lock(events_mutex_);
  if (events_.contains(units.event_id)) return ok_status();
  auto sold = units.load_sold();
  if (!sold) return std::move(sold).error();
  const std::int64_t event_id = units.event_id;
  auto event = std::make_unique<Event>(std::move(units), first_seq_);
  event->inventory.load_sold_seats(sold->seats);
  for (const auto& [area, quantity] : sold->ga) event->inventory.load_sold_ga(area, quantity);
  events_.emplace(event_id, std::move(event));
  return ok_status();
}

HoldStore::Event* HoldStore::find_event(std::int64_t event_id) {
  std::shared_lock lock(events_mutex_);
  const auto it = events_.find(event_id);
  return it == events_.end() ? nullptr : it->second.get();
}

std::optional<std::int64_t> HoldStore::event_of(const HoldId& id) { return event_of_hold_id(id); }

Error HoldStore::ended_hold_error(const HoldId& id) {
  std::lock_guard lock(holds_mutex_);
  const auto it = ended_.find(id);
  if (it == ended_.end()) return no_such_hold_error();
  return hold_ended_error(ended_reason(it->second));
}

Result<HoldStore::Event*> HoldStore::event_of_hold(const HoldId& id) {
  const auto event_id = event_of(id);
  Event* event = event_id ? find_event(*event_id) : nullptr;
  if (event == nullptr) return ended_hold_error(id);
  return event;
}

void HoldStore::drain_changes(Event& event) {
  const std::vector<Change> changes = event.inventory.take_changes();
  if (listener_) {
    for (const Change& change : changes) {
      listener_(UnitsChange{event.units.event_id, change.seq, change.kind, change.seats,
                            change.ga_area, change.ga_quantity, false});
    }
  }
  std::lock_guard lock(holds_mutex_);
  for (const Change& change : changes) {
    if (change.kind == ChangeKind::held) continue;
    ended_.emplace(change.hold, change.kind);
    ended_order_.push_back(change.hold);
    if (ended_order_.size() > ended_holds_max) {
      ended_.erase(ended_order_.front());
      ended_order_.pop_front();
    }
    if (change.kind == ChangeKind::expired) metrics_.holds_expired.add();
    if (change.kind == ChangeKind::released) metrics_.holds_released.add();
  }
}

boost::asio::awaitable<Result<Held>> HoldStore::hold(std::int64_t event_id, HoldAsk ask,
                                                     HoldTerms terms, UnixMillis now,
                                                     UnixMillis expires_at) {
  Event* event = find_event(event_id);
  if (event == nullptr) co_return make_error(Errc::not_found, "the event is not open");
  const HoldId id = new_hold_id(event_id);
  std::lock_guard lock(event->mutex);
  Inventory& inventory = event->inventory;
  Result<HoldView> held = std::visit(
      [&](const auto& a) -> Result<HoldView> {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, std::vector<SeatIndex>>) {
          return inventory.hold_seats(id, terms, a, now, expires_at);
        } else if constexpr (std::is_same_v<T, GaAsk>) {
          return inventory.hold_ga(id, terms, a.area, a.quantity, now, expires_at);
        } else {
          return inventory.hold_best_available(id, terms, a, now, expires_at);
        }
      },
      ask);
  drain_changes(*event);
  if (!held) co_return std::move(held).error();
  co_return Held{std::move(held).value(), inventory.seq()};
}

boost::asio::awaitable<Result<HoldView>> HoldStore::find_hold(HoldId id, UnixMillis now) {
  auto event = event_of_hold(id);
  if (!event) co_return std::move(event).error();
  std::lock_guard lock((*event)->mutex);
  const auto hold = (*event)->inventory.find_hold(id, now);
  drain_changes(**event);
  if (!hold) co_return ended_hold_error(id);
  co_return *hold;
}

boost::asio::awaitable<Status> HoldStore::release(HoldId id, UnixMillis now) {
  auto event = event_of_hold(id);
  if (!event) co_return std::move(event).error();
  std::lock_guard lock((*event)->mutex);
  Status released = (*event)->inventory.release(id, now);
  drain_changes(**event);
  if (!released && released.error().code == Errc::hold_gone) co_return ended_hold_error(id);
  co_return released;
}

boost::asio::awaitable<Result<HoldView>> HoldStore::begin_checkout(HoldId id, UnixMillis now,
                                                                   UnixMillis /*pin_ms*/) {
  auto event = event_of_hold(id);
  if (!event) co_return std::move(event).error();
  std::lock_guard lock((*event)->mutex);
  auto pinned = (*event)->inventory.begin_confirm(id, now);
  drain_changes(**event);
  if (!pinned && pinned.error().code == Errc::hold_gone) co_return ended_hold_error(id);
  co_return pinned;
}

boost::asio::awaitable<Status> HoldStore::finish_checkout(HoldId id) {
  auto event = event_of_hold(id);
  if (!event && event.error().code == Errc::hold_gone) co_return ok_status();  // done before
  if (!event) co_return std::move(event).error();
  std::lock_guard lock((*event)->mutex);
  // A retry that found the order may settle the hold before its own checkout does.
  if ((*event)->inventory.confirming(id)) (*event)->inventory.finish_confirm(id);
  drain_changes(**event);
  co_return ok_status();
}

boost::asio::awaitable<Status> HoldStore::abort_checkout(HoldId id, UnixMillis now) {
  auto event = event_of_hold(id);
  if (!event) co_return std::move(event).error();
  std::lock_guard lock((*event)->mutex);
  if ((*event)->inventory.confirming(id)) (*event)->inventory.abort_confirm(id, now);
  drain_changes(**event);
  co_return ok_status();
}

boost::asio::awaitable<Status> HoldStore::settle_stale_checkout(HoldId, bool, UnixMillis) {
  // A checkout here ends with its process: sweep() never reports one stale.
  co_return make_error(Errc::conflict, "no stale checkouts in process");
}

boost::asio::awaitable<Result<SweepOutcome>> HoldStore::sweep(UnixMillis now) {
  std::vector<Event*> events;
  {
    std::shared_lock lock(events_mutex_);
    for (const auto& [id, event] : events_) events.push_back(event.get());
  }
  SweepOutcome outcome;
  for (Event* event : events) {
    std::lock_guard lock(event->mutex);
    outcome.expired += event->inventory.expire_due(now);
    drain_changes(*event);
  }
  co_return outcome;
}

Result<std::shared_ptr<const UnitsSnapshot>> HoldStore::snapshot(std::int64_t event_id,
                                                                 UnixMillis now) {
  Event* event = find_event(event_id);
  if (event == nullptr) return make_error(Errc::not_found, "the event is not open");
  std::lock_guard lock(event->mutex);
  Inventory& inventory = event->inventory;
  inventory.expire_due(now);
  drain_changes(*event);
  if (event->snapshot && event->snapshot->seq == inventory.seq()) return event->snapshot;
  auto snapshot = std::make_shared<UnitsSnapshot>();
  snapshot->seq = inventory.seq();
  const std::size_t seat_count = inventory.layout().seats.size();
  snapshot->seats.reserve(seat_count);
  for (SeatIndex seat = 0; seat < seat_count; ++seat) {
    snapshot->seats.push_back(inventory.seat_state(seat));
  }
  snapshot->ga = inventory.ga_counts();
  snapshot->seats_available = inventory.seats_available();
  snapshot->seats_sold = inventory.seats_sold();
  event->snapshot = std::move(snapshot);
  return event->snapshot;
}

std::size_t HoldStore::live_holds() {
  std::shared_lock lock(events_mutex_);
  std::size_t live = 0;
  for (const auto& [id, event] : events_) {
    std::lock_guard event_lock(event->mutex);
    live += event->inventory.live_holds();
  }
  return live;
}

}  // namespace boxoffice::memory
