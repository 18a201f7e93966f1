// Best available: the N adjacent seats in one row that a box office would offer first.
//
// Adjacent means consecutive in the row as the layout lists it (a layout splits rows at
// aisles). Among all windows of N available seats, the choice is, in order:
//   1. never leave a single seat stranded between the new hold and a taken seat when any other
//      window exists (nobody buys a lone seat wedged between strangers); a single seat left at
//      the end of a row is the lesser evil and comes second;
//   2. the highest total preference (the layout's seat scores, or nearness to the stage),
//      each seat's counted in whole millionths so that equal totals are exactly equal;
//   3. the lowest first seat index, so the answer is deterministic.
// Rows are read best seat first, each with a sliding sum, up to the first row that cannot beat
// the window found: a few rows while the best are free, one pass over every seat at worst
// (about 100 µs for 100,000 seats).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/catalog.hpp"

namespace boxoffice {

struct BestAvailableQuery {
  std::uint32_t count = 0;
  std::vector<std::uint32_t> sections;  // section indexes to choose from; empty = all
};

// `owner` has one entry per seat; 0 means available. Answers the seat indexes of the chosen
// window in row order, or nullopt when no row has `count` adjacent available seats.
std::optional<std::vector<SeatIndex>> find_best_available(const Layout& layout,
                                                          std::span<const std::uint32_t> owner,
                                                          const BestAvailableQuery& query);

}  // namespace boxoffice
