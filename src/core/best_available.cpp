#include "core/best_available.hpp"

#include <algorithm>
#include <numeric>

#include "core/check.hpp"

namespace boxoffice {
namespace {

// How bad the seats left over beside a window are: 0 fine, 1 a single seat left at a row's
// end, 2 a single seat left between the window and a taken seat.
int stranding(std::uint32_t gap, bool bounded_by_taken_seat) {
  if (gap != 1) return 0;
  return bounded_by_taken_seat ? 2 : 1;
}

struct Candidate {
  int stranding = 3;            // worse than any real window
  std::int64_t preference = 0;  // a sum of Layout::preference
  SeatIndex first = 0;

  bool better_than(const Candidate& other) const {
    if (stranding != other.stranding) return stranding < other.stranding;
    if (preference != other.preference) return preference > other.preference;
    return first < other.first;
  }
};

// Considers every window of `count` seats inside the run [run_begin, run_end) of available
// seats of one row, keeping the best in `best`.
void consider_run(const Layout& layout, const Row& row, SeatIndex run_begin, SeatIndex run_end,
                  std::uint32_t count, Candidate& best) {
  if (run_end - run_begin < count) return;
  const SeatIndex row_end = row.first_seat + row.seat_count;
  const bool taken_left = run_begin > row.first_seat;
  const bool taken_right = run_end < row_end;
  std::int64_t sum = 0;
  for (SeatIndex i = run_begin; i < run_begin + count; ++i) {
    sum += layout.preference[i];
  }
  for (SeatIndex first = run_begin;; ++first) {
    const std::uint32_t gap_left = first - run_begin;
    const std::uint32_t gap_right = run_end - (first + count);
    const Candidate candidate{
        std::max(stranding(gap_left, taken_left), stranding(gap_right, taken_right)), sum, first};
    if (candidate.better_than(best)) best = candidate;
    if (first + count == run_end) break;
    sum += layout.preference[first + count] - layout.preference[first];
  }
}

}  // namespace

std::optional<std::vector<SeatIndex>> find_best_available(const Layout& layout,
                                                          std::span<const std::uint32_t> owner,
                                                          const BestAvailableQuery& query) {
  BOXOFFICE_CHECK(owner.size() == layout.seats.size());
  if (query.count == 0) return std::nullopt;
  std::vector<bool> wanted;  // by section; empty: all
  if (!query.sections.empty()) {
    wanted.assign(layout.sections.size(), false);
    for (const std::uint32_t section : query.sections) wanted.at(section) = true;
  }
  Candidate best;
  for (const std::uint32_t r : layout.rows_by_preference) {
    // Rows come best seat first: once a window strands nobody and is preferred more than
    // `count` of this row's best seat, neither this row nor any after it can beat it.
    if (best.stranding == 0 && query.count * layout.row_preference_max[r] < best.preference) {
      break;
    }
    const Row& row = layout.rows[r];
    if (!wanted.empty() && !wanted[layout.seats[row.first_seat].section]) continue;
    const SeatIndex row_end = row.first_seat + row.seat_count;
    SeatIndex i = row.first_seat;
    while (i < row_end) {
      while (i < row_end && owner[i] != 0) ++i;
      const SeatIndex run_begin = i;
      while (i < row_end && owner[i] == 0) ++i;
      consider_run(layout, row, run_begin, i, query.count, best);
    }
  }
  if (best.stranding == 3) return std::nullopt;
  std::vector<SeatIndex> seats(query.count);
  std::iota(seats.begin(), seats.end(), best.first);
  return seats;
}

}  // namespace boxoffice
