// The proof-of-work challenges used to join (core/join_challenge.hpp), remembered until they
// expire so that each solved challenge lets one person in, not a bot a thousand times.
//
// Two implementations: in process (stores/memory/spent_challenges: a bounded table) and in
// Redis (stores/redis/spent_challenges: a key per challenge, SET NX PX), shared by every node,
// so a challenge solved once is used once whichever nodes it is sent to. Safe to call from any
// thread; store_unavailable when it can't tell (Redis down, or the table full): the join is
// then refused, never let through unchecked.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>

#include "core/errors.hpp"
#include "core/join_challenge.hpp"

namespace boxoffice {

class SpentChallenges {
 public:
  virtual ~SpentChallenges() = default;

  // Marks `challenge` used until its expires_at: true the first time, false ever after (until
  // it expires, when it is refused as expired anyway).
  virtual boost::asio::awaitable<Result<bool>> spend(const JoinChallenge& challenge,
                                                     UnixMillis now) = 0;
};

}  // namespace boxoffice
