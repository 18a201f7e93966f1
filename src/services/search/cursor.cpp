// Keyset pagination: a page is the best hits that rank after the previous page's last one in
// the order (score descending, event id ascending), which every query computes the same way.
// No state is kept between pages, and a page costs what the first one costs (the pass counts
// and ranks every match; only the heap keeps fewer), whatever its depth.
//
// The cursor carries the last hit's score exactly (the double's bits, in hex) and the clock the
// first page ranked at: the time boosts (core/search_rank.hpp) move with the clock, and a later
// page ranked at another time would skip or repeat hits. Changes to the index between pages can
// still move an event across the cursor; that is the price of keeping no state.
//
//   c1.<score bits, hex>.<event id>.<now, ms since the epoch>
#include "services/search/cursor.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace boxoffice::search_detail {

std::string encode_cursor(const Cursor& cursor) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &cursor.score, sizeof bits);
  char text[64];
  std::snprintf(text, sizeof text, "c1.%llx.%lld.%lld", static_cast<unsigned long long>(bits),
                static_cast<long long>(cursor.id), static_cast<long long>(cursor.now));
  return text;
}

std::optional<Cursor> decode_cursor(std::string_view text) {
  if (!text.starts_with("c1.")) return std::nullopt;
  text.remove_prefix(3);
  std::uint64_t bits = 0;
  Cursor cursor;
  const char* end = text.data() + text.size();
  auto [p, e] = std::from_chars(text.data(), end, bits, 16);
  if (e != std::errc() || p == end || *p != '.') return std::nullopt;
  auto [q, f] = std::from_chars(p + 1, end, cursor.id);
  if (f != std::errc() || q == end || *q != '.') return std::nullopt;
  auto [r, g] = std::from_chars(q + 1, end, cursor.now);
  if (g != std::errc() || r != end) return std::nullopt;
  std::memcpy(&cursor.score, &bits, sizeof bits);
  if (!std::isfinite(cursor.score)) return std::nullopt;
  return cursor;
}

}  // namespace boxoffice::search_detail
