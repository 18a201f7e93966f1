// Numbers read from text: a whole string of digits, nothing around it.
#pragma once

#include <charconv>
#include <optional>
#include <string_view>

namespace boxoffice {

// The number `text` spells in full; nullopt when it is empty, has anything else in it, or does
// not fit in T.
template <class T>
std::optional<T> parse_whole_number(std::string_view text) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace boxoffice
