// Best available by brute force, written from the rules of core/best_available.hpp and nothing
// else: every window of every row is judged on its own, with fresh sums. Slow and obviously
// right, so the one-pass implementation can be compared with it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <tuple>
#include <vector>

#include "core/best_available.hpp"
#include "core/catalog.hpp"

namespace boxoffice::testing {

// `available(seat)` says whether a seat is free. Answers the chosen window, or nullopt.
inline std::optional<std::vector<SeatIndex>> reference_best_available(
    const Layout& layout, const std::function<bool(SeatIndex)>& available, std::uint32_t count,
    const std::vector<std::uint32_t>& sections) {
  if (count == 0) return std::nullopt;
  // (stranding, minus preference, first seat): the smallest wins.
  std::optional<std::tuple<int, std::int64_t, SeatIndex>> best;
  for (const Row& row : layout.rows) {
    if (row.seat_count == 0) continue;
    const std::uint32_t section = layout.seats[row.first_seat].section;
    if (!sections.empty() &&
        std::find(sections.begin(), sections.end(), section) == sections.end()) {
      continue;
    }
    const SeatIndex begin = row.first_seat;
    const SeatIndex end = row.first_seat + row.seat_count;
    for (SeatIndex first = begin; first + count <= end; ++first) {
      bool all_free = true;
      std::int64_t preference = 0;
      for (SeatIndex s = first; s < first + count; ++s) {
        all_free = all_free && available(s);
        preference += layout.preference[s];  // whole millionths of a point
      }
      if (!all_free) continue;
      // The free seats left on each side, and whether a taken seat (not the row's end)
      // bounds them.
      SeatIndex left = first;
      while (left > begin && available(left - 1)) --left;
      SeatIndex right = first + count;
      while (right < end && available(right)) ++right;
      const auto side = [](SeatIndex gap, bool bounded_by_taken) {
        if (gap != 1) return 0;
        return bounded_by_taken ? 2 : 1;
      };
      const int stranding =
          std::max(side(first - left, left > begin), side(right - (first + count), right < end));
      const auto candidate = std::make_tuple(stranding, -preference, first);
      if (!best || candidate < *best) best = candidate;
    }
  }
  if (!best) return std::nullopt;
  std::vector<SeatIndex> seats;
  for (std::uint32_t i = 0; i < count; ++i) seats.push_back(std::get<2>(*best) + i);
  return seats;
}

}  // namespace boxoffice::testing
