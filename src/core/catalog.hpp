// The catalog's domain: venues with their seat layouts, and events at venues. A Layout is
// immutable once built, and shared by every event at its venue: seat indexes (the order of
// sections → rows → seats as given) are the coordinates that inventory bitmaps, the seat map
// and the availability responses all agree on.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/errors.hpp"
#include "core/rate_limit.hpp"
#include "core/time.hpp"

namespace boxoffice {

using SeatIndex = std::uint32_t;

// Bounds on what a venue or event may hold, so a request can't make the server allocate
// without limit. A 100,000-seat stadium fits with room to spare.
inline constexpr std::size_t layout_seats_max = 200'000;
inline constexpr std::size_t layout_sections_max = 2'000;
inline constexpr std::size_t layout_ga_areas_max = 100;
inline constexpr std::uint32_t ga_capacity_max = 1'000'000;
inline constexpr std::size_t price_levels_max = 50;
inline constexpr std::uint32_t max_per_order_max = 100;
inline constexpr std::uint32_t max_per_order_default = 8;
// What one buyer may buy of an event over all their orders, when the event sets a limit.
inline constexpr std::uint32_t max_per_customer_max = 10'000;
inline constexpr std::uint32_t hold_seconds_min = 1;  // short holds make expiry testable
inline constexpr std::uint32_t hold_seconds_max = 3'600;
inline constexpr std::uint32_t hold_seconds_default = 600;

struct Point {
  double x = 0;
  double y = 0;
};

struct Seat {
  std::string id;
  std::string label;
  double x = 0;
  double y = 0;
  std::optional<double> score;  // as given by the layout; higher is better
  std::uint32_t section = 0;    // index into Layout::sections
  std::uint32_t row = 0;        // index into Layout::rows
};

struct Row {
  std::string label;
  SeatIndex first_seat = 0;  // seats of a row are consecutive indexes, adjacent in that order
  std::uint32_t seat_count = 0;
};

struct Section {
  std::string id;
  std::string name;
  std::uint32_t first_row = 0;
  std::uint32_t row_count = 0;
  SeatIndex first_seat = 0;
  std::uint32_t seat_count = 0;
};

struct GaArea {
  std::string id;
  std::string name;
  std::uint32_t capacity = 0;
};

struct Layout {
  std::optional<Point> stage;
  std::vector<Section> sections;
  std::vector<Row> rows;
  std::vector<Seat> seats;
  std::vector<GaArea> ga_areas;

  // Derived by index_layout(): lookups and the best-available preference of every seat.
  // Seat ids by open addressing: each slot the top 32 bits of the id's hash and the seat's
  // index + 1 (0: empty), at most half full. A hold of a random seat of a stadium looks one
  // up: this costs a slot and the seat itself, where a node-based map of strings cost a
  // string, a bucket and a node (the largest part of such a hold in its profile).
  std::vector<std::uint64_t> seat_slots;
  std::unordered_map<std::string, std::uint32_t> section_by_id;
  std::unordered_map<std::string, std::uint32_t> ga_area_by_id;
  // Higher is better: the seat's score, or minus its distance to the stage (or to the centre
  // of all seats), in whole millionths. Best available sums windows of these; integers make
  // equal windows exactly equal, and rounding once here keeps it out of that hot loop.
  std::vector<std::int64_t> preference;
  // Rows with seats, by their most preferred seat, highest first, and that seat's preference
  // by row: best available reads the rows in this order and stops at the first row that
  // cannot beat what it has found.
  std::vector<std::uint32_t> rows_by_preference;
  std::vector<std::int64_t> row_preference_max;

  std::optional<SeatIndex> find_seat(std::string_view id) const;
  std::optional<std::uint32_t> find_ga_area(std::string_view id) const;
};

// Checks a decoded layout (ids unique across seats, sections and areas; at least one seat or
// area; bounds above) and fills in its derived fields. Answers invalid_field on violation.
Result<std::shared_ptr<const Layout>> index_layout(Layout layout);

struct Venue {
  std::int64_t id = 0;
  std::string name;
  std::string city;
  std::string country;
  std::string timezone;
  double lat = 0;
  double lon = 0;
  std::shared_ptr<const Layout> layout;
};

struct PriceLevel {
  std::string id;
  std::string name;
  std::int64_t price_cents = 0;
  std::string currency;  // ISO 4217, e.g. "USD"; one currency per event
};

inline constexpr std::uint32_t poll_seconds_max_default = 30;
inline constexpr std::uint32_t poll_seconds_max_min = 3;
inline constexpr std::uint32_t poll_seconds_max_max = 600;

struct WaitingRoom {
  bool enabled = false;
  std::uint32_t active_limit = 0;
  std::uint32_t admit_per_second = 0;
  std::uint32_t session_seconds = 0;
  std::optional<UnixMillis> pre_queue_opens_at;
  std::uint32_t proof_of_work_difficulty = 0;  // 0: none asked at join (core/join_challenge.hpp)
  // The longest a page in line waits between two polls (core/admission.hpp: poll_after_seconds).
  std::uint32_t poll_seconds_max = poll_seconds_max_default;
};

// A window before the general sale (on_sale_at) open only to holders of its access codes.
struct Presale {
  std::string id;  // what access codes are made for
  std::string name;
  UnixMillis starts_at = 0;
  UnixMillis ends_at = 0;  // after starts_at
};
inline constexpr std::size_t presales_max = 10;

// An event's own per-client limits for the routes that name it: its waiting room's joins and
// its holds (services/rate_limits.hpp has the node's, which apply where these are unset). Kept
// as the organizer wrote them ("20/min:20"), so they read back the same.
struct EventRateLimit {
  std::string text;
  RateLimit limit;
};
struct EventRateLimits {
  std::optional<EventRateLimit> joins;
  std::optional<EventRateLimit> holds;
};

struct Event {
  std::int64_t id = 0;
  std::int64_t venue_id = 0;
  std::string name;
  std::vector<std::string> performers;
  std::string category;
  std::vector<std::string> tags;
  std::string description;
  UnixMillis starts_at = 0;
  UnixMillis on_sale_at = 0;
  std::vector<PriceLevel> price_levels;
  std::map<std::string, std::string> pricing;  // section or GA area id → price level id
  std::uint32_t max_per_order = max_per_order_default;
  // Seats and places one buyer (by normalised email) may buy over all their orders; none when
  // unset. The order store enforces it (OrderStore::commit_order).
  std::optional<std::uint32_t> max_per_customer;
  std::uint32_t hold_seconds = hold_seconds_default;
  std::optional<WaitingRoom> waiting_room;
  std::vector<Presale> presales;
  EventRateLimits rate_limits;
  bool published = false;
  bool cancelled = false;     // by the organizer: stays visible as such, no longer sold or found
  std::uint64_t version = 1;  // grows with every change of the event's details (the ETag)
};

// Checks an event against its venue's layout: price level ids unique, one currency, every
// section and GA area priced by an existing level, pricing naming nothing the layout lacks,
// on_sale_at not after starts_at, a waiting room's pre_queue_opens_at not after on_sale_at.
Status validate_event(const Event& event, const Layout& layout);

// Who may buy at `now`: everyone during the general sale (on_sale_at until starts_at); else
// the holders of codes of the presales open then (their ids), when there are any.
struct SaleAccess {
  bool general = false;
  std::vector<std::string> presales;
};
SaleAccess sale_access(const Event& event, UnixMillis now);

// When the first buyer may buy: the earliest presale's start, or the general sale's.
UnixMillis first_sale_at(const Event& event);

// The event's currency: every price level's ("" for an event with none, which
// validate_event refuses).
inline const std::string& currency_of(const Event& event) {
  static const std::string none;
  return event.price_levels.empty() ? none : event.price_levels.front().currency;
}

// What each unit of an event costs, resolved once per version of the event: a hold's total is
// fixed from these when it is made, and later price changes leave it as it is.
struct UnitPrices {
  std::string currency;
  std::vector<std::int64_t> seat_cents;  // by seat index
  std::vector<std::int64_t> ga_cents;    // by GA area index: one place

  // Requires the indexes to be the layout's.
  std::int64_t total(std::span<const SeatIndex> seats, std::optional<std::uint32_t> ga_area,
                     std::uint32_t ga_quantity) const;
};
// Requires validate_event(event, layout) to have passed.
UnitPrices unit_prices(const Event& event, const Layout& layout);

}  // namespace boxoffice
