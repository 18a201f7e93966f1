#include "core/inventory.hpp"

#include <algorithm>
#include <unordered_set>

#include "core/check.hpp"

namespace boxoffice {

Inventory::Inventory(std::shared_ptr<const Layout> layout, std::uint64_t first_seq)
    : layout_(std::move(layout)),
      seq_(first_seq),
      owner_(layout_->seats.size(), 0),
      seats_available_(static_cast<std::uint32_t>(layout_->seats.size())) {
  for (const GaArea& area : layout_->ga_areas) ga_.push_back(GaCounts{area.capacity, 0, 0});
}

void Inventory::load_sold_seats(std::span<const SeatIndex> seats) {
  for (const SeatIndex seat : seats) {
    BOXOFFICE_CHECK(seat < owner_.size());
    BOXOFFICE_CHECK(owner_[seat] == 0);  // the store sells each seat once
    owner_[seat] = sold_owner;
  }
  seats_available_ -= static_cast<std::uint32_t>(seats.size());
  seats_sold_ += static_cast<std::uint32_t>(seats.size());
}

void Inventory::load_sold_ga(std::uint32_t area, std::uint32_t quantity) {
  BOXOFFICE_CHECK(area < ga_.size());
  BOXOFFICE_CHECK(quantity <= ga_[area].available());
  ga_[area].sold += quantity;
}

namespace {

Status check_order_limit(std::uint64_t units, std::uint32_t max_per_order) {
  if (units > max_per_order) {
    return make_error(Errc::over_order_limit,
                      "at most " + std::to_string(max_per_order) + " per order",
                      {.max_per_order = max_per_order});
  }
  return ok_status();
}

}  // namespace

Status check_seats_request(std::span<const SeatIndex> seats, std::uint32_t max_per_order) {
  if (seats.empty()) return make_error(Errc::invalid_field, "seats: at least one seat");
  if (Status limit = check_order_limit(seats.size(), max_per_order); !limit) return limit;
  std::unordered_set<SeatIndex> seen;
  std::vector<std::uint32_t> duplicates;
  for (const SeatIndex seat : seats) {
    if (!seen.insert(seat).second) duplicates.push_back(seat);
  }
  if (!duplicates.empty()) {
    return make_error(Errc::duplicate_seats, "a seat is asked for twice",
                      {.seat_indexes = std::move(duplicates)});
  }
  return ok_status();
}

Status check_ga_request(std::uint32_t quantity, std::uint32_t max_per_order) {
  if (quantity == 0) return make_error(Errc::invalid_field, "ga.quantity: at least 1");
  return check_order_limit(quantity, max_per_order);
}

Result<HoldView> Inventory::hold_seats(const HoldId& id, const HoldTerms& terms,
                                       std::span<const SeatIndex> seats, UnixMillis now,
                                       UnixMillis expires_at) {
  expire_due(now);
  if (Status valid = check_seats_request(seats, terms.max_per_order); !valid) {
    return std::move(valid).error();
  }
  std::vector<std::uint32_t> unavailable;
  for (const SeatIndex seat : seats) {
    BOXOFFICE_CHECK(seat < owner_.size());
    if (owner_[seat] != 0) unavailable.push_back(seat);
  }
  if (!unavailable.empty()) {
    return make_error(Errc::seats_unavailable, "some seats are held or sold",
                      {.seat_indexes = std::move(unavailable)});
  }
  return grant(id, *terms.prices, {seats.begin(), seats.end()}, std::nullopt, 0, now, expires_at);
}

Result<HoldView> Inventory::hold_best_available(const HoldId& id, const HoldTerms& terms,
                                                const BestAvailableQuery& query, UnixMillis now,
                                                UnixMillis expires_at) {
  expire_due(now);
  if (query.count == 0) return make_error(Errc::invalid_field, "count: at least 1");
  if (Status limit = check_order_limit(query.count, terms.max_per_order); !limit) {
    return std::move(limit).error();
  }
  auto seats = find_best_available(*layout_, owner_, query);
  if (!seats) {
    return make_error(Errc::not_enough_seats,
                      "no row has " + std::to_string(query.count) + " adjacent seats available");
  }
  return grant(id, *terms.prices, std::move(*seats), std::nullopt, 0, now, expires_at);
}

Result<HoldView> Inventory::hold_ga(const HoldId& id, const HoldTerms& terms, std::uint32_t area,
                                    std::uint32_t quantity, UnixMillis now, UnixMillis expires_at) {
  expire_due(now);
  if (area >= ga_.size()) return make_error(Errc::invalid_field, "ga.area: no such area");
  if (Status valid = check_ga_request(quantity, terms.max_per_order); !valid) {
    return std::move(valid).error();
  }
  if (quantity > ga_[area].available()) {
    return make_error(Errc::not_enough_seats,
                      "only " + std::to_string(ga_[area].available()) + " places left",
                      {.places_available = ga_[area].available()});
  }
  return grant(id, *terms.prices, {}, area, quantity, now, expires_at);
}

Result<HoldView> Inventory::grant(const HoldId& id, const UnitPrices& prices,
                                  std::vector<SeatIndex> seats,
                                  std::optional<std::uint32_t> ga_area, std::uint32_t ga_quantity,
                                  UnixMillis now, UnixMillis expires_at) {
  BOXOFFICE_CHECK(expires_at > now);
  // Serials are recycled after 2^32 - 2 holds: skip any still in use.
  while (next_serial_ == 0 || next_serial_ == sold_owner || holds_.contains(next_serial_)) {
    ++next_serial_;
  }
  const std::uint32_t serial = next_serial_++;
  // Checked as the id goes in (a lookup fewer on the hot path): 128 random bits never collide.
  const bool new_id = serials_.emplace(id, serial).second;
  BOXOFFICE_CHECK(new_id);
  for (const SeatIndex seat : seats) {
    BOXOFFICE_CHECK(owner_[seat] == 0);
    owner_[seat] = serial;
  }
  seats_available_ -= static_cast<std::uint32_t>(seats.size());
  if (ga_area) ga_[*ga_area].held += ga_quantity;
  const std::int64_t total_cents = prices.total(seats, ga_area, ga_quantity);
  Hold hold{
      HoldView{id, std::move(seats), ga_area, ga_quantity, now, expires_at, false, 0, total_cents},
      serial};
  record(ChangeKind::held, hold.view);
  HoldView view = hold.view;
  expiry_.emplace(expires_at, serial);
  holds_.emplace(serial, std::move(hold));
  return view;
}

Inventory::Hold* Inventory::find_live(const HoldId& id) {
  const auto it = serials_.find(id);
  if (it == serials_.end()) return nullptr;
  return &holds_.at(it->second);
}

std::optional<HoldView> Inventory::find_hold(const HoldId& id, UnixMillis now) {
  expire_due(now);
  const Hold* hold = find_live(id);
  if (hold == nullptr) return std::nullopt;
  return hold->view;
}

// The live, unpinned hold, taken out of the expiry index: what release and begin_confirm
// both start from. Errors: hold_gone, checkout_in_progress.
Result<Inventory::Hold*> Inventory::unpin(const HoldId& id, UnixMillis now) {
  expire_due(now);
  Hold* hold = find_live(id);
  if (hold == nullptr) return make_error(Errc::hold_gone, "the hold has expired or ended");
  if (hold->view.confirming) {
    return make_error(Errc::checkout_in_progress, "the hold is being checked out");
  }
  expiry_.erase({hold->view.expires_at, hold->serial});
  return hold;
}

Status Inventory::release(const HoldId& id, UnixMillis now) {
  auto hold = unpin(id, now);
  if (!hold) return std::move(hold).error();
  end_hold((*hold)->serial, ChangeKind::released);
  return ok_status();
}

Result<HoldView> Inventory::begin_confirm(const HoldId& id, UnixMillis now) {
  auto hold = unpin(id, now);
  if (!hold) return std::move(hold).error();
  (*hold)->view.confirming = true;
  return (*hold)->view;
}

void Inventory::finish_confirm(const HoldId& id) {
  Hold* hold = find_live(id);
  BOXOFFICE_CHECK(hold != nullptr && hold->view.confirming);
  end_hold(hold->serial, ChangeKind::sold);
}

bool Inventory::confirming(const HoldId& id) const {
  const auto it = serials_.find(id);
  return it != serials_.end() && holds_.at(it->second).view.confirming;
}

void Inventory::abort_confirm(const HoldId& id, UnixMillis now) {
  Hold* hold = find_live(id);
  BOXOFFICE_CHECK(hold != nullptr && hold->view.confirming);
  hold->view.confirming = false;
  ++hold->view.aborted_checkouts;
  expiry_.emplace(hold->view.expires_at, hold->serial);
  expire_due(now);
}

// Takes the hold out of every index and moves its units to where `why` says.
void Inventory::end_hold(std::uint32_t serial, ChangeKind why) {
  BOXOFFICE_CHECK(why != ChangeKind::held);
  auto node = holds_.extract(serial);
  BOXOFFICE_CHECK(!node.empty());
  const HoldView& view = node.mapped().view;
  const bool sold = why == ChangeKind::sold;
  for (const SeatIndex seat : view.seats) {
    BOXOFFICE_CHECK(owner_[seat] == serial);
    owner_[seat] = sold ? sold_owner : 0;
  }
  if (sold) {
    seats_sold_ += static_cast<std::uint32_t>(view.seats.size());
  } else {
    seats_available_ += static_cast<std::uint32_t>(view.seats.size());
  }
  if (view.ga_area) {
    GaCounts& counts = ga_[*view.ga_area];
    BOXOFFICE_CHECK(counts.held >= view.ga_quantity);
    counts.held -= view.ga_quantity;
    if (sold) counts.sold += view.ga_quantity;
  }
  serials_.erase(view.id);
  record(why, view);
}

std::size_t Inventory::expire_due(UnixMillis now) {
  std::size_t expired = 0;
  while (!expiry_.empty() && expiry_.begin()->first <= now) {
    const std::uint32_t serial = expiry_.begin()->second;
    expiry_.erase(expiry_.begin());
    end_hold(serial, ChangeKind::expired);
    ++expired;
  }
  return expired;
}

std::optional<UnixMillis> Inventory::next_expiry() const {
  if (expiry_.empty()) return std::nullopt;
  return expiry_.begin()->first;
}

SeatState Inventory::seat_state(SeatIndex seat) const {
  const std::uint32_t owner = owner_.at(seat);
  if (owner == 0) return SeatState::available;
  return owner == sold_owner ? SeatState::sold : SeatState::held;
}

void Inventory::record(ChangeKind kind, const HoldView& hold) {
  changes_.push_back(Change{++seq_, kind, hold.id, hold.seats, hold.ga_area, hold.ga_quantity});
}

std::vector<Change> Inventory::take_changes() { return std::exchange(changes_, {}); }

void Inventory::check_invariants() const {
  // Always on, unlike assert: tests call this in every build type.
  const auto require = [](bool holds) {
    if (!holds) std::abort();
  };
  std::uint32_t available = 0;
  std::uint32_t sold = 0;
  std::vector<std::uint32_t> ga_held(ga_.size(), 0);
  for (std::size_t seat = 0; seat < owner_.size(); ++seat) {
    const std::uint32_t owner = owner_[seat];
    if (owner == 0) ++available;
    if (owner == sold_owner) ++sold;
    if (owner != 0 && owner != sold_owner) {
      const Hold& hold = holds_.at(owner);  // every held seat belongs to a live hold
      const auto& seats = hold.view.seats;
      require(std::find(seats.begin(), seats.end(), seat) != seats.end());
    }
  }
  require(available == seats_available_);
  require(sold == seats_sold_);
  require(serials_.size() == holds_.size());
  std::size_t unpinned = 0;
  for (const auto& [serial, hold] : holds_) {
    require(hold.serial == serial);
    require(serials_.at(hold.view.id) == serial);
    for (const SeatIndex seat : hold.view.seats) require(owner_[seat] == serial);
    if (hold.view.ga_area) ga_held[*hold.view.ga_area] += hold.view.ga_quantity;
    require(hold.view.confirming != expiry_.contains({hold.view.expires_at, serial}));
    if (!hold.view.confirming) ++unpinned;
    require(hold.view.unit_count() > 0 && hold.view.unit_count() <= max_per_order_max);
  }
  require(unpinned == expiry_.size());
  for (std::size_t area = 0; area < ga_.size(); ++area) {
    require(ga_[area].held == ga_held[area]);
    require(ga_[area].held + ga_[area].sold <= ga_[area].capacity);
  }
}

}  // namespace boxoffice
