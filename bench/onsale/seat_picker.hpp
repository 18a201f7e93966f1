// How a fan who picks seats on the map chooses them: from the event's availability answer
// (its bitmaps: bit i is seat i of the seat map) and the stadium's layout, which the
// simulator made and so knows (a browser has the seat map cached): `party` adjacent seats in
// one row, from the front row back, in a preferred section first; or, when no row has that
// many together, any seats left.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onsale {

struct Layout {
  std::uint32_t sections = 0, rows = 0, seats_per_row = 0;
  std::uint32_t seats() const { return sections * rows * seats_per_row; }
};

// "S<section>-R<row>-<seat>", numbered from 0 (as bench/make_venue.py names them).
std::string seat_id(const Layout& layout, std::uint32_t index);

// The seats available in an availability answer's JSON (neither held nor sold), one bool per
// seat of the map; nullopt when the answer is not one.
std::optional<std::vector<bool>> available_seats(std::string_view availability_json,
                                                 const Layout& layout);

// `party` adjacent available seats in one row, trying sections from `first_section` on; empty
// when no row has them.
std::vector<std::string> pick_together(const std::vector<bool>& available, const Layout& layout,
                                       std::uint32_t party, std::uint32_t first_section);

// Up to `party` available seats wherever they are, from seat `from` on (wrapping).
std::vector<std::string> pick_any(const std::vector<bool>& available, const Layout& layout,
                                  std::uint32_t party, std::uint32_t from);

}  // namespace onsale
