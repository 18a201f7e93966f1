// Proof of work at join, for rooms that ask for it (an event's waiting_room.proof_of_work): a
// person's page first asks for a challenge, spends about a second of CPU on it in a Web Worker,
// and joins with the solution; a bot that floods joins pays that second for every number.
//
//   challenge  bc1.<base64url("c|" event_id "|" expires_at "|" difficulty "|" nonce)>.<MAC>
//   solution   a counter in decimal (1 to 20 digits) such that SHA-256(challenge || solution)
//              starts with `difficulty` zero bits
//
// Stateless: the challenge is signed with the queue tokens' key (core/queue_token.hpp; the
// kind letter keeps it from passing as a token), so no server keeps challenges handed out.
// Checking one is an HMAC and one SHA-256: microseconds. That a solved challenge is used once
// is the caller's business (services/spent_challenges.hpp), until its expiry. Safe from any
// thread, as the Signer it is given.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/errors.hpp"
#include "core/signed_text.hpp"
#include "core/time.hpp"

namespace boxoffice {

// Leading zero bits asked for when the event names no difficulty: 2^18 (262,144) SHA-256 on
// average, about a second of a phone's CPU in a Web Worker (web/js/pow_worker.js does about
// 1.2 million a second on one core of a server, a mid-range phone about a quarter of that).
inline constexpr std::uint32_t proof_of_work_difficulty_default = 18;
inline constexpr std::uint32_t proof_of_work_difficulty_max = 32;
// How long a challenge may be solved and used: long enough for a slow phone, short enough that
// the used ones to remember stay few.
inline constexpr UnixMillis join_challenge_ttl_ms = 120'000;
inline constexpr std::size_t join_solution_digits_max = 20;

using ChallengeNonce = std::array<unsigned char, 16>;

struct JoinChallenge {
  std::int64_t event_id = 0;
  UnixMillis expires_at = 0;
  std::uint32_t difficulty = 0;
  ChallengeNonce nonce{};  // random: no two challenges are alike
  friend bool operator==(const JoinChallenge&, const JoinChallenge&) = default;
};

// `signer` holds the queue secret.
std::string make_join_challenge(const JoinChallenge& challenge, const Signer& signer);

// The leading zero bits of SHA-256(challenge || solution).
std::uint32_t proof_of_work_bits(std::string_view challenge, std::string_view solution);

// The challenge of a genuine, unexpired proof for `event_id` whose work is enough for a room
// asking `difficulty` bits. Else proof_of_work_invalid with the reason (facts.reason):
// "forged" (not signed by us, or malformed), "another_event", "expired", "too_easy" (made
// when the room asked fewer bits than it does now), "malformed_solution", "insufficient" (the
// hash has fewer zero bits than asked).
Result<JoinChallenge> check_join_proof(std::string_view challenge, std::string_view solution,
                                       std::int64_t event_id, std::uint32_t difficulty,
                                       UnixMillis now, const Signer& signer);

}  // namespace boxoffice
