#include "core/queue_token.hpp"

#include "core/signed_text.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

namespace boxoffice {
namespace {

QueueSecret secret_of(unsigned char fill) {
  TicketSecret ticket{};
  ticket.fill(fill);
  return derive_queue_secret(ticket);
}

TEST(QueueToken, QueueTokenRoundTrips) {
  const QueueSecret secret = secret_of(1);
  const QueueTicket ticket{42, 987654321, 17};
  const std::string token = make_queue_token(ticket, secret);
  EXPECT_EQ(verify_queue_token(token, secret), ticket);
}

TEST(QueueToken, DerivedSecretDiffersFromTheTicketSecret) {
  TicketSecret ticket{};
  ticket.fill(1);
  const QueueSecret secret = derive_queue_secret(ticket);
  EXPECT_NE(std::vector(secret.begin(), secret.end()), std::vector(ticket.begin(), ticket.end()));
  EXPECT_EQ(secret, derive_queue_secret(ticket));  // stable across restarts
}

TEST(QueueToken, ForgedOrAlteredTokensAreRefused) {
  const QueueSecret secret = secret_of(1);
  const std::string token = make_queue_token({42, 7, 17}, secret);
  // Signed with another key.
  EXPECT_FALSE(verify_queue_token(make_queue_token({42, 7, 17}, secret_of(2)), secret));
  // A better number with the old MAC: the payload of {42, 7, 0} spliced in.
  const std::string better = make_queue_token({42, 7, 0}, secret);
  const std::string spliced =
      better.substr(0, better.rfind('.')) + token.substr(token.rfind('.'));
  EXPECT_FALSE(verify_queue_token(spliced, secret));
  // Any flipped character.
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string altered = token;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(verify_queue_token(altered, secret)) << i;
  }
  for (const char* junk : {"", "bq1.", "bq1..", "bq1.abc", "bx1.a.b", "bq1.!!.??", "bq2.",
                           "bq2..", "bq2.abc", "bq2.!!.??"}) {
    EXPECT_FALSE(verify_queue_token(junk, secret)) << junk;
    EXPECT_FALSE(read_access_token(junk, secret)) << junk;
  }
}

// Version 1 tokens (HMAC-SHA-512-256), made before version 2, keep their holders' places; the
// version decides the MAC, so a token's MAC passes under neither other version.
TEST(QueueToken, VersionOneTokensAreStillTaken) {
  const QueueSecret secret = secret_of(1);
  const std::string v1 = sign_text("bq1.", "q|42|7|17", secret, Mac::hmac_sha512_256);
  EXPECT_EQ(verify_queue_token(v1, secret), (QueueTicket{42, 7, 17}));
  const std::string access_v1 = sign_text("bq1.", "a|42|7|3|10000", secret, Mac::hmac_sha512_256);
  EXPECT_EQ(read_access_token(access_v1, secret), (AccessGrant{42, 7, 3, 10'000}));
  EXPECT_FALSE(verify_queue_token("bq2." + v1.substr(4), secret));
  const std::string v2 = make_queue_token({42, 7, 17}, secret);
  EXPECT_TRUE(v2.starts_with("bq2.")) << v2;
  EXPECT_FALSE(verify_queue_token("bq1." + v2.substr(4), secret));
}

TEST(QueueToken, AQueueTokenIsNoAccessTokenAndTheReverse) {
  const QueueSecret secret = secret_of(1);
  EXPECT_FALSE(read_access_token(make_queue_token({42, 7, 17}, secret), secret));
  EXPECT_FALSE(verify_queue_token(make_access_token({42, 7, 17, 1000}, secret), secret));
}

TEST(QueueToken, AccessTokenBoundToEventAndExpiry) {
  const QueueSecret secret = secret_of(1);
  const AccessGrant grant{42, 7, 3, 10'000};
  const std::string token = make_access_token(grant, secret);
  EXPECT_EQ(verify_access_token(token, 42, 9'999, secret), grant);
  EXPECT_FALSE(verify_access_token(token, 42, 10'000, secret));   // expired
  EXPECT_FALSE(verify_access_token(token, 43, 5'000, secret));    // another event
  EXPECT_FALSE(verify_access_token(token, 42, 5'000, secret_of(2)));  // forged
  // A later expiry can't be written in: the MAC covers it.
  const std::string later = make_access_token({42, 7, 3, 99'000}, secret_of(2));
  const std::string spliced = later.substr(0, later.rfind('.')) + token.substr(token.rfind('.'));
  EXPECT_FALSE(verify_access_token(spliced, 42, 5'000, secret));
}

}  // namespace
}  // namespace boxoffice
