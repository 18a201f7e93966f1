#include "core/signed_text.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sodium.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <utility>

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
  std::uint32_t bits = 0;                  // not yet written, the low `count` of them
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

std::uint64_t next_signer_id() {
  static std::atomic<std::uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;  // 0 marks an empty entry below
}

[[noreturn]] void fail(const char* what) {
  char reason[256] = "";
  ERR_error_string_n(ERR_peek_last_error(), reason, sizeof reason);
  ERR_clear_error();
  throw std::runtime_error(std::string("HMAC-SHA-256 of signed texts: ") + what + ": " + reason);
}

struct FreeMacContext {
  void operator()(EVP_MAC_CTX* context) const { EVP_MAC_CTX_free(context); }
};
using MacContext = std::unique_ptr<EVP_MAC_CTX, FreeMacContext>;

// A thread's own copies of the keyed contexts of the Signers it used last. A copy costs more
// than the MAC of a token (EVP_MAC_CTX_dup copies three SHA-256 states, allocating each), so a
// thread keeps its copy and starts each text again from the state after the key: checking a
// queue token takes 8.7k instructions so, 12.2k with a fresh copy per text (callgrind, OpenSSL
// 3.0). A Signer gone leaves its copy here until four others were used on the thread since, or
// the thread ends.
class ThreadCopies {
 public:
  EVP_MAC_CTX* of(std::uint64_t signer_id, const EVP_MAC_CTX* keyed) {
    for (const Entry& entry : entries_) {
      if (entry.signer_id == signer_id) return entry.context.get();
    }
    MacContext copy(EVP_MAC_CTX_dup(keyed));
    if (copy == nullptr) fail("EVP_MAC_CTX_dup failed");
    Entry& entry = entries_[next_];
    next_ = (next_ + 1) % entries_.size();
    entry = {signer_id, std::move(copy)};
    return entry.context.get();
  }

 private:
  struct Entry {
    std::uint64_t signer_id = 0;
    MacContext context;
  };
  std::array<Entry, 4> entries_;  // a server uses two Signers: ticket codes, queue tokens
  std::size_t next_ = 0;          // the one to replace next, round robin
};

}  // namespace

Signer::Signer(const SigningKey& key) : keyed_(nullptr), id_(next_signer_id()) {
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (hmac == nullptr) fail("OpenSSL has no HMAC");
  MacContext context(EVP_MAC_CTX_new(hmac));
  EVP_MAC_free(hmac);  // the context holds its own reference
  if (context == nullptr) fail("EVP_MAC_CTX_new failed");
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(context.get(), key.data(), key.size(), params) != 1) {
    fail("OpenSSL has no SHA-256 HMAC");
  }
  if (EVP_MAC_CTX_get_mac_size(context.get()) != std::tuple_size_v<MacBytes>) {
    fail("an HMAC-SHA-256 of an unexpected size");
  }
  keyed_ = context.release();
}

Signer::~Signer() { EVP_MAC_CTX_free(keyed_); }

// EVP_MAC_init without a key starts again from the state after the key it was given.
Signer::MacBytes Signer::mac_of(std::string_view payload) const {
  thread_local ThreadCopies copies;
  EVP_MAC_CTX* context = copies.of(id_, keyed_);
  MacBytes mac{};
  std::size_t size = 0;
  if (EVP_MAC_init(context, nullptr, 0, nullptr) != 1 ||
      EVP_MAC_update(context, reinterpret_cast<const unsigned char*>(payload.data()),
                     payload.size()) != 1 ||
      EVP_MAC_final(context, mac.data(), &size, mac.size()) != 1 || size != mac.size()) {
    fail("computing a MAC failed");
  }
  return mac;
}

std::string Signer::sign(std::string_view prefix, std::string_view payload) const {
  const MacBytes mac = mac_of(payload);
  return std::string(prefix) +
         to_base64url(reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) +
         "." + to_base64url(mac.data(), mac_bytes_kept);
}

std::optional<std::string> Signer::open(std::string_view text, std::string_view prefix,
                                        std::size_t bytes_max) const {
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
  const MacBytes mac = mac_of(payload);
  if (CRYPTO_memcmp(mac.data(), mac_given.data(), mac_bytes_kept) != 0) return std::nullopt;
  return payload;
}

}  // namespace boxoffice
