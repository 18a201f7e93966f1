#include "stores/redis/spent_challenges.hpp"

#include <sodium.h>

#include <algorithm>

namespace boxoffice::redis {

std::string SpentChallenges::key_of(const JoinChallenge& challenge) {
  char nonce[2 * std::tuple_size_v<ChallengeNonce> + 1];
  sodium_bin2hex(nonce, sizeof nonce, challenge.nonce.data(), challenge.nonce.size());
  return "{ev:" + std::to_string(challenge.event_id) + "}:pow:" + nonce;
}

namespace {

// SET key 1 PX ttl NX (made outside the coroutine: g++ 12 can't keep an initializer list of
// literals in a coroutine's frame).
std::vector<std::string> set_command(const JoinChallenge& challenge, UnixMillis ttl_ms) {
  return {"SET", SpentChallenges::key_of(challenge), "1", "PX", std::to_string(ttl_ms), "NX"};
}

}  // namespace

boost::asio::awaitable<Result<bool>> SpentChallenges::spend(const JoinChallenge& challenge,
                                                            UnixMillis now) {
  const UnixMillis ttl_ms = std::max<UnixMillis>(1, challenge.expires_at - now);
  std::vector<std::string> command = set_command(challenge, ttl_ms);
  Client* client = co_await connections_.here();
  auto reply = co_await client->command(std::move(command));
  if (!reply) co_return std::move(reply).error();
  if (reply->type == Reply::Type::nil) co_return false;  // used already
  if (reply->type != Reply::Type::status) co_return unexpected(*reply);
  co_return true;
}

}  // namespace boxoffice::redis
