// Signed texts (core/signed_text.hpp): the MAC is HMAC-SHA-256, whichever Signers were used
// before on the thread and however many threads use one at once; any other key or text is
// refused.
#include "core/signed_text.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

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

// The first 16 bytes of libsodium's HMAC-SHA-256, an implementation independent of OpenSSL's.
std::string expected_mac(const std::string& payload, const SigningKey& key) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key.data(), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(payload.data()),
                                payload.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return std::string(reinterpret_cast<const char*>(mac), 16);
}

// Computed apart from this code: printf 'q|7|12345|42' | openssl dgst -sha256 -mac HMAC
// -macopt hexkey:0102...1f20 (the key of seed 1), its first 16 bytes in base64url; the same
// with an empty payload. Python's hmac module gives the same.
TEST(SignedText, TheMacIsHmacSha256KnownAnswers) {
  const Signer signer(key_of(1));
  EXPECT_EQ(signer.sign("t-", "q|7|12345|42"), "t-cXw3fDEyMzQ1fDQy.vk6vdM6M95TIywNvx41V-g");
  EXPECT_EQ(signer.sign("t-", ""), "t-.RiR2qJfd_b1A0UIOCKW8_g");
  EXPECT_EQ(signer.open("t-cXw3fDEyMzQ1fDQy.vk6vdM6M95TIywNvx41V-g", "t-", 100), "q|7|12345|42");
  EXPECT_EQ(signer.open("t-.RiR2qJfd_b1A0UIOCKW8_g", "t-", 100), "");
}

// Signers used in turn on one thread, more of them than a thread keeps copies of, so each is
// copied again after others pushed it out.
TEST(SignedText, TheMacIsHmacSha256WhicheverSignersCameBefore) {
  ASSERT_GE(sodium_init(), 0);
  std::vector<std::unique_ptr<Signer>> signers;
  for (unsigned char seed = 0; seed < 7; ++seed) {
    signers.push_back(std::make_unique<Signer>(key_of(seed)));
  }
  const std::string payloads[] = {"", "q|7|12345|42", std::string(200, 'x')};
  for (const std::string& payload : payloads) {
    for (const unsigned char seed : {1, 2, 1, 3, 3, 1, 0, 4, 5, 6, 1, 2, 6}) {
      const SigningKey key = key_of(seed);
      const Signer& signer = *signers[seed];
      const Signer& other = *signers[(seed + 1) % signers.size()];
      const std::string text = signer.sign("t2-", payload);
      EXPECT_EQ(mac_part(text), expected_mac(payload, key)) << payload.size() << " " << +seed;
      EXPECT_EQ(signer.open(text, "t2-", 300), payload);
      EXPECT_FALSE(other.open(text, "t2-", 300));
      const std::string longer = signer.sign("t2-", payload + "0");
      const std::string spliced = longer.substr(0, longer.find('.')) + text.substr(text.find('.'));
      EXPECT_FALSE(signer.open(spliced, "t2-", 300));
    }
  }
}

// A thread's copies belong to the Signer, not to where it lived: a new Signer in the place of
// one gone (the same stack slot, each time round) signs with its own key.
TEST(SignedText, ASignerInThePlaceOfAnotherUsesItsOwnKey) {
  for (const unsigned char seed : {1, 2, 3, 1}) {
    const Signer signer(key_of(seed));
    EXPECT_EQ(mac_part(signer.sign("t-", "payload")), expected_mac("payload", key_of(seed)))
        << +seed;
  }
}

// Threads signing and opening with shared Signers at once all get the one right answer (run
// under AddressSanitizer: a context shared between threads would show).
TEST(SignedText, ThreadsAtOnceAgree) {
  ASSERT_GE(sodium_init(), 0);
  const Signer first(key_of(1));
  const Signer second(key_of(2));
  constexpr int thread_count = 8;
  constexpr int rounds = 2'000;
  std::vector<int> wrong(thread_count, 0);
  std::latch start(thread_count);  // all at once, not each done before the next has begun
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < rounds; ++i) {
        const std::string payload = "q|" + std::to_string(t) + "|" + std::to_string(i);
        const bool one = (t + i) % 2 == 0;
        const Signer& signer = one ? first : second;
        const std::string text = signer.sign("t-", payload);
        const bool agrees = mac_part(text) == expected_mac(payload, key_of(one ? 1 : 2)) &&
                            signer.open(text, "t-", 100) == payload &&
                            !(one ? second : first).open(text, "t-", 100);
        if (!agrees) ++wrong[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < thread_count; ++t) EXPECT_EQ(wrong[t], 0) << t;
}

}  // namespace
}  // namespace boxoffice
