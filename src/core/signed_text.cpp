#include "core/signed_text.hpp"

#include <sodium.h>

#include <array>
#include <cstdint>

namespace boxoffice {
namespace {

constexpr std::size_t mac_bytes_kept = 16;

std::string to_base64url(const unsigned char* data, std::size_t size) {
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string text(sodium_base64_encoded_len(size, variant), '\0');
  sodium_bin2base64(text.data(), text.size(), data, size, variant);
  text.resize(text.size() - 1);  // the terminating NUL
  return text;
}

// Written here rather than libsodium's sodium_base642bin: that one is constant-time, which a
// public payload and a MAC about to be compared in constant time don't need, and it was the
// largest part of checking a token (a queue status poll is mostly that check). Canonical
// encodings only, as libsodium: the unused low bits of the last character must be zero, so
// no two texts decode to the same bytes.
std::optional<std::string> from_base64url(std::string_view text) {
  static constexpr auto values = [] {
    std::array<std::int8_t, 256> table{};
    table.fill(-1);
    for (int i = 0; i < 26; ++i) {
      table['A' + i] = static_cast<std::int8_t>(i);
      table['a' + i] = static_cast<std::int8_t>(26 + i);
    }
    for (int i = 0; i < 10; ++i) table['0' + i] = static_cast<std::int8_t>(52 + i);
    table['-'] = 62;
    table['_'] = 63;
    return table;
  }();
  if (text.size() % 4 == 1) return std::nullopt;  // no whole byte in a lone character
  std::string bytes;
  bytes.reserve(text.size() * 3 / 4);
  std::uint32_t bits = 0;  // not yet written, the low `count` of them
  int count = 0;
  for (const char c : text) {
    const int value = values[static_cast<unsigned char>(c)];
    if (value < 0) return std::nullopt;
    bits = bits << 6 | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes.push_back(static_cast<char>(bits >> count));
      bits &= (1U << count) - 1;
    }
  }
  if (bits != 0) return std::nullopt;  // a non-canonical last character
  return bytes;
}

// crypto_auth (HMAC-SHA-512-256) of `payload`, from the state after the key, kept per thread
// for the last key used: the key's two SHA-512 blocks are half of the work for a short text,
// and a server signs and checks with one key (a queue status poll is mostly this check).
std::array<unsigned char, crypto_auth_BYTES> mac_of(std::string_view payload,
                                                    const SigningKey& key) {
  static_assert(crypto_auth_KEYBYTES == std::tuple_size_v<SigningKey>);
  static_assert(crypto_auth_BYTES == crypto_auth_hmacsha512256_BYTES);
  thread_local std::optional<SigningKey> keyed;
  thread_local crypto_auth_hmacsha512256_state after_key;
  if (!keyed || *keyed != key) {  // the server's own keys: nothing for a peer to time
    crypto_auth_hmacsha512256_init(&after_key, key.data(), key.size());
    keyed = key;
  }
  crypto_auth_hmacsha512256_state state = after_key;
  crypto_auth_hmacsha512256_update(&state, reinterpret_cast<const unsigned char*>(payload.data()),
                                   payload.size());
  std::array<unsigned char, crypto_auth_BYTES> mac{};
  crypto_auth_hmacsha512256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);
  return mac;
}

}  // namespace

std::string sign_text(std::string_view prefix, std::string_view payload, const SigningKey& key) {
  const auto mac = mac_of(payload, key);
  return std::string(prefix) +
         to_base64url(reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) +
         "." + to_base64url(mac.data(), mac_bytes_kept);
}

std::optional<std::string> open_signed_text(std::string_view text, std::string_view prefix,
                                            std::size_t bytes_max, const SigningKey& key) {
  if (text.size() > bytes_max || !text.starts_with(prefix)) return std::nullopt;
  text.remove_prefix(prefix.size());
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto payload = from_base64url(text.substr(0, dot));
  const auto mac_given = from_base64url(text.substr(dot + 1));
  if (!payload || !mac_given || mac_given->size() != mac_bytes_kept) return std::nullopt;
  const auto mac = mac_of(*payload, key);
  if (sodium_memcmp(mac.data(), mac_given->data(), mac_bytes_kept) != 0) return std::nullopt;
  return payload;
}

}  // namespace boxoffice
