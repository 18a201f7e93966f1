// Small hand-made layouts for tests of core/.
//
// Strings are built with append(), not "literal" + std::string: g++ 12 at -O3 reports a false
// -Wrestrict on the latter (GCC bug 105329), and warnings are errors.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "core/ids.hpp"
#include "core/inventory.hpp"

namespace boxoffice::testing {

// rows_per_section[s][r] = number of seats of row r of section s. Seat ids "s<s>-r<r>-<n>",
// x = seat number, y = row number. `scores`, when given, are the seats' scores in index order.
// The stage is at (0, -10) unless given; nullopt means none (preference is then nearness to the
// centre of all seats, so layouts come out mirror-symmetric and full of ties).
inline std::shared_ptr<const Layout> build_layout(
    const std::vector<std::vector<int>>& rows_per_section,
    const std::vector<std::uint32_t>& ga_capacities = {}, const std::vector<double>& scores = {},
    std::optional<Point> stage = Point{0, -10}) {
  Layout layout;
  layout.stage = stage;
  for (std::size_t s = 0; s < rows_per_section.size(); ++s) {
    Section section{std::string("s").append(std::to_string(s)),
                    std::string("Section ").append(std::to_string(s)),
                    static_cast<std::uint32_t>(layout.rows.size()),
                    0,
                    static_cast<SeatIndex>(layout.seats.size()),
                    0};
    for (std::size_t r = 0; r < rows_per_section[s].size(); ++r) {
      Row row{std::string("r").append(std::to_string(r)),
              static_cast<SeatIndex>(layout.seats.size()),
              static_cast<std::uint32_t>(rows_per_section[s][r])};
      for (int n = 0; n < rows_per_section[s][r]; ++n) {
        Seat seat{section.id + "-" + row.label + std::string("-").append(std::to_string(n)),
                  std::to_string(n),
                  static_cast<double>(n),
                  static_cast<double>(r),
                  std::nullopt,
                  static_cast<std::uint32_t>(s),
                  static_cast<std::uint32_t>(layout.rows.size())};
        if (!scores.empty()) seat.score = scores.at(layout.seats.size());
        layout.seats.push_back(std::move(seat));
      }
      layout.rows.push_back(std::move(row));
    }
    section.row_count = static_cast<std::uint32_t>(layout.rows.size() - section.first_row);
    section.seat_count = static_cast<std::uint32_t>(layout.seats.size() - section.first_seat);
    layout.sections.push_back(std::move(section));
  }
  for (std::size_t a = 0; a < ga_capacities.size(); ++a) {
    layout.ga_areas.push_back(
        {std::string("ga").append(std::to_string(a)), "Area", ga_capacities[a]});
  }
  auto indexed = index_layout(std::move(layout));
  assert(indexed.ok());
  return std::move(indexed).value();
}

inline HoldId hold_id(std::uint32_t n) {
  HoldId id;
  for (int i = 0; i < 4; ++i) id.bytes[i] = static_cast<std::uint8_t>(n >> (8 * i));
  id.bytes[15] = 0x5a;
  return id;
}

// Hold terms for tests: at most `max_per_order` units; seat i costs 100 + i cents and a place of
// GA area a 1,000 + a, so that a hold's total says what it was made on.
inline HoldTerms test_terms(const Layout& layout, std::uint32_t max_per_order) {
  auto prices = std::make_shared<UnitPrices>();
  prices->currency = "EUR";
  for (SeatIndex i = 0; i < layout.seats.size(); ++i) prices->seat_cents.push_back(100 + i);
  for (std::size_t a = 0; a < layout.ga_areas.size(); ++a) {
    prices->ga_cents.push_back(1'000 + static_cast<std::int64_t>(a));
  }
  return HoldTerms{max_per_order, std::move(prices)};
}

}  // namespace boxoffice::testing
