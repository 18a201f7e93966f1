#include "stores/memory/spent_challenges.hpp"

namespace boxoffice::memory {

boost::asio::awaitable<Result<bool>> SpentChallenges::spend(const JoinChallenge& challenge,
                                                            UnixMillis now) {
  std::string key(challenge.nonce.begin(), challenge.nonce.end());
  key += std::to_string(challenge.event_id);
  bool first = false;
  {
    const std::lock_guard lock(mutex_);
    while (!by_expiry_.empty() && by_expiry_.front().first <= now) {
      spent_.erase(by_expiry_.front().second);
      by_expiry_.pop_front();
    }
    if (spent_.contains(key)) co_return false;
    if (spent_.size() >= spent_max_) {
      co_return make_error(Errc::store_unavailable,
                           "too many joins with a proof of work lately; try again in a second");
    }
    spent_.insert(key);
    by_expiry_.emplace_back(challenge.expires_at, std::move(key));
    first = true;
  }
  co_return first;
}

}  // namespace boxoffice::memory
