// Signed texts (core/signed_text.hpp): each MAC is exactly libsodium's implementation of it,
// whichever key was used last on the thread, so codes made before keep verifying; any other key,
// text or MAC is refused.
#include "core/signed_text.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

namespace boxoffice {
namespace {

SigningKey key_of(unsigned char seed) {
  SigningKey key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(seed + i);
  return key;
}

// The MAC part of a signed text, decoded.
std::string mac_part(const std::string& text) {
  const std::string encoded = text.substr(text.find('.') + 1);
  std::string mac(16, '\0');
  std::size_t size = 0;
  EXPECT_EQ(sodium_base642bin(reinterpret_cast<unsigned char*>(mac.data()), mac.size(),
                              encoded.data(), encoded.size(), nullptr, &size, nullptr,
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING),
            0);
  mac.resize(size);
  return mac;
}

TEST(SignedText, TheMacIsCryptoAuthsWhicheverKeyCameBefore) {
  ASSERT_GE(sodium_init(), 0);
  const std::string payload = "q|7|12345|42";
  for (const unsigned char seed : {1, 2, 1, 3, 3, 1}) {  // keys alternate on one thread
    const SigningKey key = key_of(seed);
    unsigned char expected[crypto_auth_BYTES];
    crypto_auth(expected, reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                key.data());
    const std::string text = sign_text("t1-", payload, key, Mac::hmac_sha512_256);
    EXPECT_EQ(mac_part(text), std::string(reinterpret_cast<const char*>(expected), 16)) << +seed;
    EXPECT_EQ(open_signed_text(text, "t1-", 200, key, Mac::hmac_sha512_256), payload);
    EXPECT_FALSE(open_signed_text(text, "t1-", 200, key_of(seed + 10), Mac::hmac_sha512_256));
    EXPECT_FALSE(open_signed_text(text, "t1-", 200, key, Mac::hmac_sha256));
    const std::string other = sign_text("t1-", payload + "0", key, Mac::hmac_sha512_256);
    const std::string spliced = other.substr(0, other.find('.')) + text.substr(text.find('.'));
    EXPECT_FALSE(open_signed_text(spliced, "t1-", 200, key, Mac::hmac_sha512_256));
  }
}

// Against libsodium's HMAC-SHA-256, an implementation independent of OpenSSL's.
TEST(SignedText, TheSha256MacIsHmacSha256WhicheverKeyCameBefore) {
  ASSERT_GE(sodium_init(), 0);
  const std::string payloads[] = {"", "q|7|12345|42", std::string(200, 'x')};
  for (const std::string& payload : payloads) {
    for (const unsigned char seed : {1, 2, 1, 3, 3, 1}) {
      const SigningKey key = key_of(seed);
      unsigned char expected[crypto_auth_hmacsha256_BYTES];
      crypto_auth_hmacsha256_state state;
      crypto_auth_hmacsha256_init(&state, key.data(), key.size());
      crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(payload.data()),
                                    payload.size());
      crypto_auth_hmacsha256_final(&state, expected);
      const std::string text = sign_text("t2-", payload, key, Mac::hmac_sha256);
      EXPECT_EQ(mac_part(text), std::string(reinterpret_cast<const char*>(expected), 16))
          << payload.size() << " " << +seed;
      EXPECT_EQ(open_signed_text(text, "t2-", 300, key, Mac::hmac_sha256), payload);
      EXPECT_FALSE(open_signed_text(text, "t2-", 300, key_of(seed + 10), Mac::hmac_sha256));
      EXPECT_FALSE(open_signed_text(text, "t2-", 300, key, Mac::hmac_sha512_256));
    }
  }
}

}  // namespace
}  // namespace boxoffice
