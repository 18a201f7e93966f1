// Presale access codes: what a fan types, and the hash a store keeps instead. A code is 16
// letters and digits from an alphabet without look-alikes (80 random bits), written in groups
// of four ("K7QF-2MXP-9HTA-C4RW"); it is read back whatever its case, spaces or dashes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace boxoffice {

inline constexpr std::size_t access_code_random_bytes = 10;
inline constexpr std::size_t access_code_typed_max = 64;  // longer text is not a code

// The code that `random` spells (ten bytes from a secure source).
std::string format_access_code(const std::array<std::uint8_t, access_code_random_bytes>& random);

// The SHA-256 (hex) of the code in `typed` once normalised (upper case, no spaces or dashes),
// or nothing when the text can't be a code. The codes are random enough that a plain hash
// can't be searched backwards.
std::optional<std::string> access_code_hash(std::string_view typed);

}  // namespace boxoffice
