// Cluster mode's used challenges (services/spent_challenges.hpp) in Redis, shared by every
// node: one key per challenge used, "{ev:E}:pow:<nonce hex>", set with SET NX and a PX of the
// challenge's time left, so Redis forgets it when it would be refused as expired anyway. One
// round trip on the calling thread's own connection.
#pragma once

#include <string>

#include "services/spent_challenges.hpp"
#include "stores/redis/scripts.hpp"

namespace boxoffice::redis {

class SpentChallenges final : public boxoffice::SpentChallenges {
 public:
  explicit SpentChallenges(Endpoint endpoint) : connections_(std::move(endpoint)) {}

  boost::asio::awaitable<Result<bool>> spend(const JoinChallenge& challenge,
                                             UnixMillis now) override;

  static std::string key_of(const JoinChallenge& challenge);

 private:
  Connections connections_;
};

}  // namespace boxoffice::redis
