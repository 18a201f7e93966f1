#include "core/queue_token.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include "core/signed_text.hpp"

namespace boxoffice {
namespace {

Signer signer_of(unsigned char fill) {
  TicketSecret ticket{};
  ticket.fill(fill);
  return Signer(derive_queue_secret(ticket));
}

TEST(QueueToken, QueueTokenRoundTrips) {
  const Signer signer = signer_of(1);
  const QueueTicket ticket{42, 987654321, 17};
  const std::string token = make_queue_token(ticket, signer);
  EXPECT_EQ(verify_queue_token(token, signer), ticket);
}

TEST(QueueToken, DerivedSecretDiffersFromTheTicketSecret) {
  TicketSecret ticket{};
  ticket.fill(1);
  const QueueSecret secret = derive_queue_secret(ticket);
  EXPECT_NE(std::vector(secret.begin(), secret.end()), std::vector(ticket.begin(), ticket.end()));
  EXPECT_EQ(secret, derive_queue_secret(ticket));  // stable across restarts
}

TEST(QueueToken, ForgedOrAlteredTokensAreRefused) {
  const Signer signer = signer_of(1);
  const std::string token = make_queue_token({42, 7, 17}, signer);
  // Signed with another key.
  EXPECT_FALSE(verify_queue_token(make_queue_token({42, 7, 17}, signer_of(2)), signer));
  // A better number with the old MAC: the payload of {42, 7, 0} spliced in.
  const std::string better = make_queue_token({42, 7, 0}, signer);
  const std::string spliced = better.substr(0, better.rfind('.')) + token.substr(token.rfind('.'));
  EXPECT_FALSE(verify_queue_token(spliced, signer));
  // Any flipped character.
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string altered = token;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(verify_queue_token(altered, signer)) << i;
  }
  for (const char* junk : {"", "bq1.", "bq1..", "bq1.abc", "bx1.a.b", "bq1.!!.??", "bq2.", "bq2..",
                           "bq2.abc", "bq2.!!.??"}) {
    EXPECT_FALSE(verify_queue_token(junk, signer)) << junk;
    EXPECT_FALSE(read_access_token(junk, signer)) << junk;
  }
}

// Only bq2 tokens are taken: a bq1 text is refused even when its MAC is genuine.
TEST(QueueToken, BqOneTextsAreRefused) {
  const Signer signer = signer_of(1);
  EXPECT_FALSE(verify_queue_token(signer.sign("bq1.", "q|42|7|17"), signer));
  EXPECT_FALSE(read_access_token(signer.sign("bq1.", "a|42|7|3|10000"), signer));
  const std::string token = make_queue_token({42, 7, 17}, signer);
  EXPECT_TRUE(token.starts_with("bq2.")) << token;
  EXPECT_FALSE(verify_queue_token("bq1." + token.substr(4), signer));
}

TEST(QueueToken, AQueueTokenIsNoAccessTokenAndTheReverse) {
  const Signer signer = signer_of(1);
  EXPECT_FALSE(read_access_token(make_queue_token({42, 7, 17}, signer), signer));
  EXPECT_FALSE(verify_queue_token(make_access_token({42, 7, 17, 1000}, signer), signer));
}

TEST(QueueToken, AccessTokenBoundToEventAndExpiry) {
  const Signer signer = signer_of(1);
  const AccessGrant grant{42, 7, 3, 10'000};
  const std::string token = make_access_token(grant, signer);
  EXPECT_EQ(verify_access_token(token, 42, 9'999, signer), grant);
  EXPECT_FALSE(verify_access_token(token, 42, 10'000, signer));       // expired
  EXPECT_FALSE(verify_access_token(token, 43, 5'000, signer));        // another event
  EXPECT_FALSE(verify_access_token(token, 42, 5'000, signer_of(2)));  // forged
  // A later expiry can't be written in: the MAC covers it.
  const std::string later = make_access_token({42, 7, 3, 99'000}, signer_of(2));
  const std::string spliced = later.substr(0, later.rfind('.')) + token.substr(token.rfind('.'));
  EXPECT_FALSE(verify_access_token(spliced, 42, 5'000, signer));
}

}  // namespace
}  // namespace boxoffice
