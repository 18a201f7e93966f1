#include "core/signed_text.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <array>
#include <cstdint>
#include <new>
#include <stdexcept>

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
// no two texts decode to the same bytes. Each decoded byte goes to `put`; false for anything
// that is not canonical base64url.
template <class Put>
bool decode_base64url(std::string_view text, Put put) {
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
  if (text.size() % 4 == 1) return false;  // no whole byte in a lone character
  std::uint32_t bits = 0;  // not yet written, the low `count` of them
  int count = 0;
  for (const char c : text) {
    const int value = values[static_cast<unsigned char>(c)];
    if (value < 0) return false;
    bits = bits << 6 | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      put(static_cast<unsigned char>(bits >> count));
      bits &= (1U << count) - 1;
    }
  }
  return bits == 0;  // else a non-canonical last character
}

constexpr std::size_t decoded_size(std::size_t encoded) { return encoded * 3 / 4; }

using MacBytes = std::array<unsigned char, 32>;  // both MACs' full length

// crypto_auth (HMAC-SHA-512-256) of `payload`, from the state after the key, kept per thread
// for the last key used: the key's two SHA-512 blocks are half of the work for a short text,
// and a server signs and checks with one key.
MacBytes hmac_sha512_256(std::string_view payload, const SigningKey& key) {
  static_assert(crypto_auth_KEYBYTES == std::tuple_size_v<SigningKey>);
  static_assert(crypto_auth_BYTES == std::tuple_size_v<MacBytes>);
  thread_local std::optional<SigningKey> keyed;
  thread_local crypto_auth_hmacsha512256_state after_key;
  if (!keyed || *keyed != key) {  // the server's own keys: nothing for a peer to time
    crypto_auth_hmacsha512256_init(&after_key, key.data(), key.size());
    keyed = key;
  }
  crypto_auth_hmacsha512256_state state = after_key;
  crypto_auth_hmacsha512256_update(&state, reinterpret_cast<const unsigned char*>(payload.data()),
                                   payload.size());
  MacBytes mac{};
  crypto_auth_hmacsha512256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);
  return mac;
}

// HMAC-SHA-256 (RFC 2104) on OpenSSL's SHA-256. As above, the digest states after the key's
// inner and outer blocks are kept per thread for the last key used, which OpenSSL's own HMAC
// functions would compute anew for every text.
class HmacSha256 {
 public:
  HmacSha256() : inner_(EVP_MD_CTX_new()), outer_(EVP_MD_CTX_new()), work_(EVP_MD_CTX_new()) {
    if (inner_ == nullptr || outer_ == nullptr || work_ == nullptr) throw std::bad_alloc();
  }
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;
  ~HmacSha256() {
    EVP_MD_CTX_free(work_);
    EVP_MD_CTX_free(outer_);
    EVP_MD_CTX_free(inner_);
  }

  MacBytes mac(std::string_view payload, const SigningKey& key) {
    if (!keyed_ || *keyed_ != key) use_key(key);
    MacBytes digest{};
    finish(inner_, payload.data(), payload.size(), digest);
    finish(outer_, digest.data(), digest.size(), digest);
    return digest;
  }

 private:
  static constexpr std::size_t block_bytes = 64;

  void use_key(const SigningKey& key) {
    static_assert(std::tuple_size_v<SigningKey> <= block_bytes);
    std::array<unsigned char, block_bytes> pad{};
    for (std::size_t i = 0; i < key.size(); ++i) pad[i] = key[i];
    for (auto& byte : pad) byte ^= 0x36;
    start(inner_, pad);
    for (auto& byte : pad) byte ^= 0x36 ^ 0x5c;
    start(outer_, pad);
    OPENSSL_cleanse(pad.data(), pad.size());
    keyed_ = key;
  }

  static void start(EVP_MD_CTX* context, const std::array<unsigned char, block_bytes>& pad) {
    check(EVP_DigestInit_ex(context, EVP_sha256(), nullptr) &&
          EVP_DigestUpdate(context, pad.data(), pad.size()));
  }

  // The digest of what `from` has seen followed by `data`; `from` stays as it was.
  void finish(EVP_MD_CTX* from, const void* data, std::size_t size, MacBytes& digest) {
    unsigned int length = 0;
    check(EVP_MD_CTX_copy_ex(work_, from) && EVP_DigestUpdate(work_, data, size) &&
          EVP_DigestFinal_ex(work_, digest.data(), &length) && length == digest.size());
  }

  static void check(bool succeeded) {
    if (!succeeded) throw std::runtime_error("OpenSSL failed to compute SHA-256");
  }

  EVP_MD_CTX* inner_;
  EVP_MD_CTX* outer_;
  EVP_MD_CTX* work_;
  std::optional<SigningKey> keyed_;
};

MacBytes mac_of(std::string_view payload, const SigningKey& key, Mac mac) {
  if (mac == Mac::hmac_sha512_256) return hmac_sha512_256(payload, key);
  thread_local HmacSha256 hmac;
  return hmac.mac(payload, key);
}

}  // namespace

std::string sign_text(std::string_view prefix, std::string_view payload, const SigningKey& key,
                      Mac kind) {
  const MacBytes mac = mac_of(payload, key, kind);
  return std::string(prefix) +
         to_base64url(reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) +
         "." + to_base64url(mac.data(), mac_bytes_kept);
}

std::optional<std::string> open_signed_text(std::string_view text, std::string_view prefix,
                                            std::size_t bytes_max, const SigningKey& key,
                                            Mac kind) {
  if (text.size() > bytes_max || !text.starts_with(prefix)) return std::nullopt;
  text.remove_prefix(prefix.size());
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view mac_text = text.substr(dot + 1);
  if (decoded_size(mac_text.size()) != mac_bytes_kept) return std::nullopt;
  std::array<unsigned char, mac_bytes_kept> mac_given{};
  std::size_t mac_size = 0;
  if (!decode_base64url(mac_text, [&](unsigned char byte) { mac_given[mac_size++] = byte; })) {
    return std::nullopt;
  }
  std::string payload;
  payload.reserve(decoded_size(dot));
  const auto append = [&payload](unsigned char byte) { payload += static_cast<char>(byte); };
  if (!decode_base64url(text.substr(0, dot), append)) return std::nullopt;
  const MacBytes mac = mac_of(payload, key, kind);
  if (sodium_memcmp(mac.data(), mac_given.data(), mac_bytes_kept) != 0) return std::nullopt;
  return payload;
}

}  // namespace boxoffice
