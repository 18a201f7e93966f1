// Hold and order ids: 128 random bits, so knowing one is the right to act on it (DESIGN.md).
// The wire form is 32 lowercase hex digits. Randomness comes from the caller (services/ uses
// libsodium): core/ stays deterministic.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace boxoffice {

struct Id128 {
  std::array<std::uint8_t, 16> bytes{};

  friend bool operator==(const Id128&, const Id128&) = default;
  friend auto operator<=>(const Id128&, const Id128&) = default;

  std::string hex() const {
    static constexpr char digits[] = "0123456789abcdef";
    std::string text(32, '0');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      text[2 * i] = digits[bytes[i] >> 4];
      text[2 * i + 1] = digits[bytes[i] & 0xf];
    }
    return text;
  }

  // Accepts exactly 32 hex digits (either case); anything else is not an id.
  static std::optional<Id128> from_hex(std::string_view text) {
    if (text.size() != 32) return std::nullopt;
    Id128 id;
    for (std::size_t i = 0; i < 16; ++i) {
      const int high = nibble(text[2 * i]);
      const int low = nibble(text[2 * i + 1]);
      if (high < 0 || low < 0) return std::nullopt;
      id.bytes[i] = static_cast<std::uint8_t>(high << 4 | low);
    }
    return id;
  }

 private:
  static int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
};

struct Id128Hash {
  std::size_t operator()(const Id128& id) const noexcept {
    std::uint64_t half;  // the bits are uniformly random already
    std::memcpy(&half, id.bytes.data(), sizeof half);
    return static_cast<std::size_t>(half);
  }
};

using HoldId = Id128;
using OrderId = Id128;

}  // namespace boxoffice
