// Texts signed with a secret key, the shape of ticket codes and queue tokens:
//   <prefix><payload, base64url>.<first 16 bytes of its MAC, base64url>
// Anyone can read the payload; only a holder of the key can make one that verifies. Nothing in
// the payload is secret, and its fields are the caller's business.
//
// The MAC is HMAC-SHA-256 (RFC 2104) through OpenSSL's EVP_MAC, which uses the CPU's SHA
// instructions where it has them; 128 bits of it are plenty against guessing. The prefix is not
// under the MAC: a kind of text that must not pass as another uses another key (as queue
// tokens do, see derive_queue_secret) or a payload of its own shape.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct evp_mac_ctx_st;  // OpenSSL's EVP_MAC_CTX, kept out of every includer's way

namespace boxoffice {

using SigningKey = std::array<unsigned char, 32>;

// Signs and opens texts with one key. The key's HMAC state is computed once, at construction;
// each thread that uses a Signer works on its own copy of that state, made on its first use
// (a thread keeps copies for the few Signers it used last), so every method is safe to call
// from any number of threads at once. A Signer must outlive the calls made on it; the copies
// hold no reference to it. The methods throw std::runtime_error if OpenSSL fails to compute a
// MAC (out of memory) rather than answer without one.
class Signer {
 public:
  // Throws std::runtime_error when OpenSSL has no HMAC or SHA-256 (a broken installation): at
  // start-up, where Signers are made, rather than on a request.
  explicit Signer(const SigningKey& key);
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;
  ~Signer();

  std::string sign(std::string_view prefix, std::string_view payload) const;

  // The payload of a text signed with this key under `prefix`; nullopt for anything else
  // (another prefix, a forged or altered MAC, malformed base64, longer than `bytes_max`).
  std::optional<std::string> open(std::string_view text, std::string_view prefix,
                                  std::size_t bytes_max) const;

 private:
  using MacBytes = std::array<unsigned char, 32>;
  MacBytes mac_of(std::string_view payload) const;

  evp_mac_ctx_st* keyed_;  // only ever copied after construction, which threads may do at once
  std::uint64_t id_;       // names this Signer in each thread's copies; never reused
};

}  // namespace boxoffice
