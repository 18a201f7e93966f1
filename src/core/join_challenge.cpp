#include "core/join_challenge.hpp"

#include <sodium.h>

#include <array>

#include "core/numbers.hpp"

namespace boxoffice {
namespace {

constexpr std::string_view prefix = "bc1.";
constexpr std::size_t challenge_bytes_max = 256;

Error invalid(std::string_view reason, std::string_view detail) {
  return make_error(Errc::proof_of_work_invalid, std::string(detail),
                    {.reason = std::string(reason)});
}

std::optional<JoinChallenge> read_challenge(std::string_view text, const Signer& signer) {
  const auto payload = signer.open(text, prefix, challenge_bytes_max);
  if (!payload || payload->size() < 2 || payload->substr(0, 2) != "c|") return std::nullopt;
  std::string_view rest = std::string_view(*payload).substr(2);
  std::array<std::string_view, 4> parts;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::size_t bar = rest.find('|');
    const bool last = i + 1 == parts.size();
    if ((bar == std::string_view::npos) != last) return std::nullopt;
    parts[i] = rest.substr(0, bar);
    if (!last) rest.remove_prefix(bar + 1);
  }
  JoinChallenge challenge;
  const auto event_id = parse_whole_number<std::int64_t>(parts[0]);
  const auto expires_at = parse_whole_number<UnixMillis>(parts[1]);
  const auto difficulty = parse_whole_number<std::uint32_t>(parts[2]);
  std::size_t nonce_bytes = 0;
  if (!event_id || !expires_at || !difficulty ||
      sodium_hex2bin(challenge.nonce.data(), challenge.nonce.size(), parts[3].data(),
                     parts[3].size(), nullptr, &nonce_bytes, nullptr) != 0 ||
      nonce_bytes != challenge.nonce.size()) {
    return std::nullopt;
  }
  challenge.event_id = *event_id;
  challenge.expires_at = *expires_at;
  challenge.difficulty = *difficulty;
  return challenge;
}

}  // namespace

std::string make_join_challenge(const JoinChallenge& challenge, const Signer& signer) {
  char nonce[2 * std::tuple_size_v<ChallengeNonce> + 1];
  sodium_bin2hex(nonce, sizeof nonce, challenge.nonce.data(), challenge.nonce.size());
  std::string payload = "c|";
  payload += std::to_string(challenge.event_id);
  payload += '|';
  payload += std::to_string(challenge.expires_at);
  payload += '|';
  payload += std::to_string(challenge.difficulty);
  payload += '|';
  payload += nonce;
  return signer.sign(prefix, payload);
}

std::uint32_t proof_of_work_bits(std::string_view challenge, std::string_view solution) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(challenge.data()),
                            challenge.size());
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(solution.data()),
                            solution.size());
  std::array<unsigned char, crypto_hash_sha256_BYTES> hash{};
  crypto_hash_sha256_final(&state, hash.data());
  std::uint32_t bits = 0;
  for (const unsigned char byte : hash) {
    if (byte == 0) {
      bits += 8;
      continue;
    }
    for (unsigned mask = 0x80; (byte & mask) == 0; mask >>= 1) ++bits;
    break;
  }
  return bits;
}

Result<JoinChallenge> check_join_proof(std::string_view text, std::string_view solution,
                                       std::int64_t event_id, std::uint32_t difficulty,
                                       UnixMillis now, const Signer& signer) {
  const auto challenge = read_challenge(text, signer);
  if (!challenge) return invalid("forged", "not a challenge of this server");
  if (challenge->event_id != event_id) {
    return invalid("another_event", "the challenge is another event's");
  }
  if (now >= challenge->expires_at) return invalid("expired", "the challenge expired");
  if (challenge->difficulty < difficulty) {
    return invalid("too_easy", "the room asks for more work now: solve a new challenge");
  }
  const bool digits = !solution.empty() && solution.size() <= join_solution_digits_max &&
                      solution.find_first_not_of("0123456789") == std::string_view::npos;
  if (!digits) return invalid("malformed_solution", "the solution is a counter in decimal");
  if (proof_of_work_bits(text, solution) < challenge->difficulty) {
    return invalid("insufficient", "the solution does not solve the challenge");
  }
  return *challenge;
}

}  // namespace boxoffice
