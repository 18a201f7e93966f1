#include "core/catalog.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <functional>
#include <set>
#include <string_view>

namespace boxoffice {

namespace {

constexpr std::uint64_t slot_tag_mask = 0xFFFF'FFFF'0000'0000;

std::uint64_t seat_hash(std::string_view id) { return std::hash<std::string_view>{}(id); }

}  // namespace

std::optional<SeatIndex> Layout::find_seat(std::string_view id) const {
  if (seat_slots.empty()) return std::nullopt;
  const std::uint64_t hash = seat_hash(id);
  const std::size_t mask = seat_slots.size() - 1;
  for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    const std::uint64_t entry = seat_slots[slot];
    if (entry == 0) return std::nullopt;
    const auto index = static_cast<SeatIndex>((entry & ~slot_tag_mask) - 1);
    if ((entry & slot_tag_mask) == (hash & slot_tag_mask) && seats[index].id == id) return index;
  }
}

std::optional<std::uint32_t> Layout::find_ga_area(std::string_view id) const {
  const auto it = ga_area_by_id.find(std::string(id));
  if (it == ga_area_by_id.end()) return std::nullopt;
  return it->second;
}

namespace {

Point centre_of(const std::vector<Seat>& seats) {
  Point lo{seats.front().x, seats.front().y};
  Point hi = lo;
  for (const Seat& seat : seats) {
    lo.x = std::min(lo.x, seat.x);
    lo.y = std::min(lo.y, seat.y);
    hi.x = std::max(hi.x, seat.x);
    hi.y = std::max(hi.y, seat.y);
  }
  return {(lo.x + hi.x) / 2, (lo.y + hi.y) / 2};
}

Error invalid(std::string detail) { return make_error(Errc::invalid_field, std::move(detail)); }

// Decoded layouts stay below 3e6 points; the bound keeps sums of windows of up to 9,000 seats
// inside 64 bits whatever a hand-built layout holds.
constexpr double preference_points_max = 1e9;
constexpr double preference_units_per_point = 1e6;

std::int64_t preference_units(double points) {
  const double bounded = std::clamp(points, -preference_points_max, preference_points_max);
  return std::llround(bounded * preference_units_per_point);
}

// Layout::preference, rows_by_preference and row_preference_max.
void derive_preferences(Layout& layout) {
  layout.preference.resize(layout.seats.size());
  if (!layout.seats.empty()) {
    const Point focus = layout.stage ? *layout.stage : centre_of(layout.seats);
    for (SeatIndex i = 0; i < layout.seats.size(); ++i) {
      const Seat& seat = layout.seats[i];
      layout.preference[i] = preference_units(
          seat.score ? *seat.score : -std::hypot(seat.x - focus.x, seat.y - focus.y));
    }
  }
  layout.row_preference_max.assign(layout.rows.size(), 0);
  layout.rows_by_preference.clear();
  for (std::uint32_t r = 0; r < layout.rows.size(); ++r) {
    const Row& row = layout.rows[r];
    if (row.seat_count == 0) continue;
    const auto first = layout.preference.begin() + row.first_seat;
    layout.row_preference_max[r] = *std::max_element(first, first + row.seat_count);
    layout.rows_by_preference.push_back(r);
  }
  std::stable_sort(layout.rows_by_preference.begin(), layout.rows_by_preference.end(),
                   [&](std::uint32_t a, std::uint32_t b) {
                     return layout.row_preference_max[a] > layout.row_preference_max[b];
                   });
}

}  // namespace

Result<std::shared_ptr<const Layout>> index_layout(Layout layout) {
  if (layout.seats.empty() && layout.ga_areas.empty()) {
    return invalid("layout: a venue needs at least one seat or general-admission area");
  }
  if (layout.seats.size() > layout_seats_max) {
    return invalid("layout: more than " + std::to_string(layout_seats_max) + " seats");
  }
  std::set<std::string> ids;  // sections, areas and seats share one namespace of ids
  for (std::uint32_t i = 0; i < layout.sections.size(); ++i) {
    const Section& section = layout.sections[i];
    if (!ids.insert(section.id).second) return invalid("layout: duplicate id " + section.id);
    layout.section_by_id.emplace(section.id, i);
  }
  for (std::uint32_t i = 0; i < layout.ga_areas.size(); ++i) {
    const GaArea& area = layout.ga_areas[i];
    if (!ids.insert(area.id).second) return invalid("layout: duplicate id " + area.id);
    layout.ga_area_by_id.emplace(area.id, i);
  }
  std::size_t slots = 2;
  while (slots < 2 * layout.seats.size()) slots *= 2;
  layout.seat_slots.assign(layout.seats.empty() ? 0 : slots, 0);
  for (SeatIndex i = 0; i < layout.seats.size(); ++i) {
    const Seat& seat = layout.seats[i];
    if (!ids.insert(seat.id).second) return invalid("layout: duplicate id " + seat.id);
    const std::uint64_t hash = seat_hash(seat.id);
    std::size_t slot = hash & (slots - 1);
    while (layout.seat_slots[slot] != 0) slot = (slot + 1) & (slots - 1);
    layout.seat_slots[slot] = (hash & slot_tag_mask) | (std::uint64_t{i} + 1);
  }
  derive_preferences(layout);
  return std::shared_ptr<const Layout>(std::make_shared<Layout>(std::move(layout)));
}

Status validate_event(const Event& event, const Layout& layout) {
  if (event.price_levels.empty()) return invalid("price_levels: at least one is needed");
  std::set<std::string> level_ids;
  for (const PriceLevel& level : event.price_levels) {
    if (!level_ids.insert(level.id).second) {
      return invalid("price_levels: duplicate id " + level.id);
    }
    if (level.currency != event.price_levels.front().currency) {
      return invalid("price_levels: one currency per event");
    }
  }
  for (const auto& [place, level] : event.pricing) {
    if (!layout.section_by_id.contains(place) && !layout.ga_area_by_id.contains(place)) {
      return invalid("pricing: the venue has no section or area " + place);
    }
    if (!level_ids.contains(level)) return invalid("pricing: no price level " + level);
  }
  for (const Section& section : layout.sections) {
    if (!event.pricing.contains(section.id)) {
      return invalid("pricing: section " + section.id + " has no price level");
    }
  }
  for (const GaArea& area : layout.ga_areas) {
    if (!event.pricing.contains(area.id)) {
      return invalid("pricing: area " + area.id + " has no price level");
    }
  }
  if (event.on_sale_at > event.starts_at) return invalid("on_sale_at: after starts_at");
  if (event.waiting_room && event.waiting_room->pre_queue_opens_at &&
      *event.waiting_room->pre_queue_opens_at > event.on_sale_at) {
    return invalid("waiting_room.pre_queue_opens_at: after on_sale_at");
  }
  return ok_status();
}

SaleAccess sale_access(const Event& event, UnixMillis now) {
  SaleAccess access;
  if (now >= event.starts_at) return access;
  access.general = now >= event.on_sale_at;
  if (access.general) return access;
  for (const Presale& presale : event.presales) {
    if (presale.starts_at <= now && now < presale.ends_at) access.presales.push_back(presale.id);
  }
  return access;
}

UnixMillis first_sale_at(const Event& event) {
  UnixMillis first = event.on_sale_at;
  for (const Presale& presale : event.presales) first = std::min(first, presale.starts_at);
  return first;
}

UnitPrices unit_prices(const Event& event, const Layout& layout) {
  std::map<std::string, std::int64_t> cents_of_level;
  for (const PriceLevel& level : event.price_levels) {
    cents_of_level.emplace(level.id, level.price_cents);
  }
  UnitPrices prices;
  prices.currency = currency_of(event);
  prices.seat_cents.resize(layout.seats.size());
  for (SeatIndex i = 0; i < layout.seats.size(); ++i) {
    const Section& section = layout.sections[layout.seats[i].section];
    prices.seat_cents[i] = cents_of_level.at(event.pricing.at(section.id));
  }
  for (const GaArea& area : layout.ga_areas) {
    prices.ga_cents.push_back(cents_of_level.at(event.pricing.at(area.id)));
  }
  return prices;
}

std::int64_t UnitPrices::total(std::span<const SeatIndex> seats,
                               std::optional<std::uint32_t> ga_area,
                               std::uint32_t ga_quantity) const {
  std::int64_t cents = 0;
  for (const SeatIndex seat : seats) cents += seat_cents.at(seat);
  if (ga_area) cents += std::int64_t{ga_quantity} * ga_cents.at(*ga_area);
  return cents;
}

}  // namespace boxoffice
