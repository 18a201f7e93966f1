// Proof-of-work challenges at join: a solved challenge passes, for its event, before its expiry
// and with enough zero bits; anything else is refused with its reason. The solver here is the
// plain loop a page's worker runs (web/js/pow_worker.js), at a low difficulty.
#include "core/join_challenge.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/queue_token.hpp"

namespace boxoffice {
namespace {

constexpr UnixMillis now = 1'800'000'000'000;

Signer signer_of(unsigned char fill) {
  TicketSecret ticket{};
  ticket.fill(fill);
  return Signer(derive_queue_secret(ticket));
}

JoinChallenge challenge_of(std::uint32_t difficulty, unsigned char nonce = 1) {
  JoinChallenge challenge{42, now + join_challenge_ttl_ms, difficulty};
  challenge.nonce.fill(nonce);
  return challenge;
}

std::string solve(const std::string& challenge, std::uint32_t difficulty) {
  for (std::uint64_t counter = 0;; ++counter) {
    const std::string solution = std::to_string(counter);
    if (proof_of_work_bits(challenge, solution) >= difficulty) return solution;
  }
}

std::string reason_of(const Result<JoinChallenge>& checked) {
  EXPECT_FALSE(checked.ok());
  if (checked.ok()) return "";
  EXPECT_EQ(checked.error().code, Errc::proof_of_work_invalid);
  return checked.error().facts.reason;
}

TEST(JoinChallenge, ASolvedChallengePasses) {
  const Signer signer = signer_of(1);
  const std::string text = make_join_challenge(challenge_of(8), signer);
  EXPECT_EQ(text.substr(0, 4), "bc1.");
  const std::string solution = solve(text, 8);
  const auto checked = check_join_proof(text, solution, 42, 8, now, signer);
  ASSERT_TRUE(checked.ok()) << checked.error().detail;
  EXPECT_EQ(*checked, challenge_of(8));
  // A room that asks for fewer bits now takes it too.
  EXPECT_TRUE(check_join_proof(text, solution, 42, 4, now, signer).ok());
}

TEST(JoinChallenge, CountsLeadingZeroBits) {
  // SHA-256("abc") = ba7816bf…: its first bit is 1.
  EXPECT_EQ(proof_of_work_bits("ab", "c"), 0U);
  for (std::uint32_t difficulty : {1U, 4U, 9U, 12U}) {
    const std::string solution = solve("x", difficulty);
    EXPECT_GE(proof_of_work_bits("x", solution), difficulty);
  }
}

TEST(JoinChallenge, AnotherEventsOrExpiredOrForgedIsRefused) {
  const Signer signer = signer_of(1);
  const std::string text = make_join_challenge(challenge_of(4), signer);
  const std::string solution = solve(text, 4);
  EXPECT_EQ(reason_of(check_join_proof(text, solution, 43, 4, now, signer)), "another_event");
  EXPECT_EQ(reason_of(check_join_proof(text, solution, 42, 4, now + join_challenge_ttl_ms, signer)),
            "expired");
  EXPECT_TRUE(check_join_proof(text, solution, 42, 4, now + join_challenge_ttl_ms - 1, signer));
  // Another server's key; a queue token; junk.
  EXPECT_EQ(reason_of(check_join_proof(text, solution, 42, 4, now, signer_of(2))), "forged");
  const std::string token = make_queue_token({42, 1, 1}, signer);
  EXPECT_EQ(reason_of(check_join_proof(token, solve(token, 4), 42, 4, now, signer)), "forged");
  EXPECT_EQ(reason_of(check_join_proof("junk", "1", 42, 4, now, signer)), "forged");
}

TEST(JoinChallenge, TamperedChallengeIsRefused) {
  const Signer signer = signer_of(1);
  const std::string text = make_join_challenge(challenge_of(12), signer);
  // An easier challenge's payload with the harder one's MAC.
  const std::string easy = make_join_challenge(challenge_of(1), signer);
  const std::string spliced = easy.substr(0, easy.rfind('.')) + text.substr(text.rfind('.'));
  EXPECT_EQ(reason_of(check_join_proof(spliced, solve(spliced, 1), 42, 1, now, signer)), "forged");
  std::string flipped = text;
  flipped[6] = flipped[6] == 'A' ? 'B' : 'A';
  EXPECT_EQ(reason_of(check_join_proof(flipped, "1", 42, 1, now, signer)), "forged");
}

TEST(JoinChallenge, NotEnoughWorkIsRefused) {
  const Signer signer = signer_of(1);
  const std::string text = make_join_challenge(challenge_of(12), signer);
  std::string weak;
  for (std::uint64_t counter = 0; weak.empty(); ++counter) {
    const std::string solution = std::to_string(counter);
    if (proof_of_work_bits(text, solution) < 12) weak = solution;
  }
  EXPECT_EQ(reason_of(check_join_proof(text, weak, 42, 12, now, signer)), "insufficient");
  for (const char* malformed : {"", "-1", "1e5", "12345678901234567890123", " 1"}) {
    EXPECT_EQ(reason_of(check_join_proof(text, malformed, 42, 12, now, signer)),
              "malformed_solution")
        << malformed;
  }
  // Made when the room asked 4 bits; it asks 12 now: solved at 4, refused at 12.
  const std::string old = make_join_challenge(challenge_of(4), signer);
  EXPECT_EQ(reason_of(check_join_proof(old, solve(old, 12), 42, 12, now, signer)), "too_easy");
}

// The server's side of a join is an HMAC and one SHA-256: microseconds, not the client's second.
TEST(JoinChallenge, CheckingTakesMicroseconds) {
  const Signer signer = signer_of(1);
  const std::string text = make_join_challenge(challenge_of(10), signer);
  const std::string solution = solve(text, 10);
  constexpr int checks = 2'000;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < checks; ++i)
    ASSERT_TRUE(check_join_proof(text, solution, 42, 10, now, signer));
  const auto each = (std::chrono::steady_clock::now() - start) / checks;
  EXPECT_LT(std::chrono::duration_cast<std::chrono::microseconds>(each).count(), 200);
}

}  // namespace
}  // namespace boxoffice
