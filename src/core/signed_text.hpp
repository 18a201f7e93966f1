// Texts signed with a secret key, the shape of ticket codes and queue tokens:
//   <prefix><payload, base64url>.<first 16 bytes of its MAC, base64url>
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

// The MAC of a kind of text, which its prefix names: a text is only ever checked with the MAC it
// was signed with. Ticket codes keep HMAC-SHA-512-256 (libsodium's crypto_auth), which signed
// every ticket sold so far. Queue tokens, checked on every status poll, use HMAC-SHA-256 from
// OpenSSL, which uses the CPU's SHA instructions where it has them: 3.5x faster on ours.
enum class Mac { hmac_sha512_256, hmac_sha256 };

std::string sign_text(std::string_view prefix, std::string_view payload, const SigningKey& key,
                      Mac mac);

// The payload of a text signed with `key` and `mac` under `prefix`; nullopt for anything else
// (another prefix, a forged or altered MAC, malformed base64, longer than `bytes_max`).
std::optional<std::string> open_signed_text(std::string_view text, std::string_view prefix,
                                            std::size_t bytes_max, const SigningKey& key,
                                            Mac mac);

}  // namespace boxoffice
