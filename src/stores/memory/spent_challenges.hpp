// The embedded mode's used challenges (services/spent_challenges.hpp): a hash set of nonces and
// a queue of them by expiry, under one mutex. Expired ones are forgotten on each spend (lazily,
// from the queue's front). At most `spent_max` at once (about 64 bytes each): a table full of
// unexpired challenges answers store_unavailable rather than forget one that could be reused.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <unordered_set>

#include "services/spent_challenges.hpp"

namespace boxoffice::memory {

class SpentChallenges final : public boxoffice::SpentChallenges {
 public:
  static constexpr std::size_t spent_max_default = 1'000'000;

  explicit SpentChallenges(std::size_t spent_max = spent_max_default) : spent_max_(spent_max) {}

  boost::asio::awaitable<Result<bool>> spend(const JoinChallenge& challenge,
                                             UnixMillis now) override;

 private:
  const std::size_t spent_max_;
  std::mutex mutex_;
  std::unordered_set<std::string> spent_;  // the nonces, as bytes
  // In the order spent; expiries are nearly in order too (every challenge lives as long), so
  // the front's expiry is a close bound: one spent out of order lives a little longer.
  std::deque<std::pair<UnixMillis, std::string>> by_expiry_;
};

}  // namespace boxoffice::memory
