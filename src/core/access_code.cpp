#include "core/access_code.hpp"

#include <sodium.h>

#include <cctype>

namespace boxoffice {
namespace {

// Crockford's base 32: no I, L, O or U.
constexpr std::string_view alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

}  // namespace

std::string format_access_code(const std::array<std::uint8_t, access_code_random_bytes>& random) {
  std::string code;
  std::uint32_t bits = 0;
  int pending = 0;
  for (const std::uint8_t byte : random) {
    bits = (bits << 8) | byte;
    pending += 8;
    while (pending >= 5) {
      pending -= 5;
      if (!code.empty() && code.size() % 5 == 4) code += '-';
      code += alphabet[(bits >> pending) & 31];
    }
  }
  return code;
}

std::optional<std::string> access_code_hash(std::string_view typed) {
  if (typed.size() > access_code_typed_max) return std::nullopt;
  std::string normal;
  for (const char c : typed) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) return std::nullopt;
    normal += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (normal.empty()) return std::nullopt;
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(normal.data()),
                     normal.size());
  std::string hex(2 * digest.size(), '\0');
  sodium_bin2hex(hex.data(), hex.size() + 1, digest.data(), digest.size());
  return hex;
}

}  // namespace boxoffice
