// Narrowing a query's pass by posting lists.
//
// Each filter that posting lists can answer gives a union of lists: the wall-clock days of a
// date range (the UTC instants of from/to widened by the widest UTC offsets, ±14 h), the 1°
// cells that the search circle touches, the cities named, the category. Their intersection,
// as a bitset over slots, is a superset of what passes (postings keep stale entries; every
// slot in it is still checked against its Doc).
//
// Why: a posting entry costs a couple of nanoseconds to read, a slot that the pass has to
// check in the attributes a cache miss (~100 ns). So the unions are taken from the shortest,
// and a longer one is intersected only while it is at most narrowing_ratio_max times the slots
// left: past that, reading the list costs more than the checks it would save. A date range of
// narrowing_days_max days or more narrows too little to be worth reading its lists.
//
// Queries without words walk the narrowed slots in order (scan.cpp); queries with words test
// each row that FTS5 matches against the set first.
#include "services/search/narrowing.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <utility>

namespace boxoffice::search_detail {
namespace {

constexpr std::int32_t narrowing_days_max = 400;
constexpr std::size_t narrowing_ratio_max = 16;
constexpr LocalMillis utc_offset_widest_millis = 14 * 3'600'000;

using Postings = std::vector<const std::vector<std::uint32_t>*>;

std::size_t postings_size(const Postings& lists) {
  std::size_t size = 0;
  for (const auto* list : lists) size += list->size();
  return size;
}

template <class Map, class Key>
void add(Postings& lists, const Map& map, Key key) {
  if (const auto it = map.find(key); it != map.end()) lists.push_back(&it->second);
}

// Days: the wall-clock range, or the UTC instants widened by the widest UTC offsets.
void add_days(std::vector<Postings>& out, const Index& index, const Filters& filters) {
  std::optional<std::pair<std::int32_t, std::int32_t>> days;
  if (filters.local) days = {day_of(filters.local->from), day_of(filters.local->to - 1)};
  if (filters.from && filters.to) {
    const std::pair<std::int32_t, std::int32_t> utc{
        day_of(*filters.from - utc_offset_widest_millis),
        day_of(*filters.to + utc_offset_widest_millis)};
    days = days ? std::pair{std::max(days->first, utc.first), std::min(days->second, utc.second)}
                : utc;
  }
  if (days && days->second - days->first < narrowing_days_max) {
    Postings& lists = out.emplace_back();
    for (std::int32_t day = days->first; day <= days->second; ++day) add(lists, index.by_day, day);
  }
}

// Cells: every 1° cell that the circle's bounding box touches.
void add_cells(std::vector<Postings>& out, const Index& index, const Filters& filters) {
  if (!filters.geo) return;
  Postings& lists = out.emplace_back();
  const auto [lat, lon, radius] = *filters.geo;
  const double dlat = radius / 111.0;
  const double dlon = radius / (111.0 * std::max(0.05, std::cos(lat * 0.0174533)));
  for (double a = std::floor(lat - dlat); a <= std::floor(lat + dlat); a += 1) {
    for (double o = std::floor(lon - dlon); o <= std::floor(lon + dlon); o += 1) {
      if (a < -90 || a >= 90 || o < -180 || o >= 180) continue;
      add(lists, index.by_cell, cell_of(a, o));
    }
  }
}

std::vector<Postings> filter_postings(const Index& index, const Filters& filters) {
  std::vector<Postings> out;
  add_days(out, index, filters);
  add_cells(out, index, filters);
  if (!filters.cities.empty()) {
    Postings& lists = out.emplace_back();
    for (std::size_t i = 0; i < filters.cities.size(); ++i) {
      if (filters.cities[i]) add(lists, index.by_city, static_cast<std::uint16_t>(i));
    }
  }
  if (filters.category) add(out.emplace_back(), index.by_category, *filters.category);
  return out;
}

}  // namespace

Narrowed narrow(const Index& index, const Filters& filters) {
  std::vector<Postings> candidates = filter_postings(index, filters);
  std::sort(candidates.begin(), candidates.end(), [](const Postings& a, const Postings& b) {
    return postings_size(a) < postings_size(b);
  });
  Narrowed out;
  const std::size_t words = (index.docs.size() + 63) / 64;
  for (const Postings& lists : candidates) {
    if (!out.bits.empty() && postings_size(lists) > narrowing_ratio_max * out.count) break;
    std::vector<std::uint64_t> bits(words, 0);
    for (const auto* list : lists) {
      for (const std::uint32_t slot : *list) bits[slot / 64] |= std::uint64_t{1} << (slot % 64);
    }
    if (!out.bits.empty()) {
      for (std::size_t w = 0; w < words; ++w) bits[w] &= out.bits[w];
    }
    out.count = 0;
    for (const std::uint64_t word : bits) {
      out.count += static_cast<std::size_t>(std::popcount(word));
    }
    out.bits = std::move(bits);
    if (out.count == 0) break;
  }
  return out;
}

}  // namespace boxoffice::search_detail
