// Keyset cursors of search pages (cursor.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace boxoffice::search_detail {

// Where a page ended: the last hit's score and event id, and the clock the first page ranked
// at, which every later page ranks at too.
struct Cursor {
  double score = 0;
  std::int64_t id = 0;
  UnixMillis now = 0;
};

std::string encode_cursor(const Cursor& cursor);
// nullopt: not a cursor that encode_cursor made.
std::optional<Cursor> decode_cursor(std::string_view text);

}  // namespace boxoffice::search_detail
