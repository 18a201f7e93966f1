// Texts signed with a secret key, the shape of ticket codes and queue tokens:
//   <prefix><payload, base64url>.<first 16 bytes of its HMAC-SHA-512-256, base64url>
// Anyone can read the payload; only a holder of the key can make one that verifies. Nothing in
// the payload is secret, and its fields are the caller's business.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace boxoffice {

using SigningKey = std::array<unsigned char, 32>;

std::string sign_text(std::string_view prefix, std::string_view payload, const SigningKey& key);

// The payload of a text signed with `key` under `prefix`; nullopt for anything else (another
// prefix, a forged or altered MAC, malformed base64, longer than `bytes_max`).
std::optional<std::string> open_signed_text(std::string_view text, std::string_view prefix,
                                            std::size_t bytes_max, const SigningKey& key);

}  // namespace boxoffice
