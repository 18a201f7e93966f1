#include "stores/memory/rate_limiter.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "core/check.hpp"

namespace boxoffice::memory {

std::size_t RateLimiter::KeyHash::operator()(const RateKey& key) const {
  unsigned char bytes[sizeof key.client.bytes + 1 + sizeof key.event_id];
  std::memcpy(bytes, key.client.bytes.data(), key.client.bytes.size());
  bytes[key.client.bytes.size()] = static_cast<unsigned char>(key.rate_class);
  std::memcpy(bytes + key.client.bytes.size() + 1, &key.event_id, sizeof key.event_id);
  std::uint64_t hash = 0;
  static_assert(sizeof hash == crypto_shorthash_BYTES);
  crypto_shorthash(reinterpret_cast<unsigned char*>(&hash), bytes, sizeof bytes, secret);
  return static_cast<std::size_t>(hash);
}

RateLimiter::RateLimiter(MicroClock now_us, Options options)
    : now_us_(std::move(now_us)),
      options_(options),
      shard_capacity_(std::max<std::size_t>(
          1, options.entries_max / std::max<std::size_t>(1, options.shards))) {
  BOXOFFICE_CHECK(options_.shards >= 1);
  static_assert(sizeof hash_.secret == crypto_shorthash_KEYBYTES);
  crypto_shorthash_keygen(hash_.secret);
  for (std::size_t i = 0; i < options_.shards; ++i) {
    shards_.push_back(std::make_unique<Shard>(hash_));
  }
}

boost::asio::awaitable<Result<RateVerdict>> RateLimiter::take(const RateKey& key, RateLimit limit) {
  co_return take_now(key, limit);
}

RateVerdict RateLimiter::take_now(const RateKey& key, const RateLimit& limit) {
  const std::int64_t now_us = now_us_();
  Shard& shard = *shards_[hash_(key) % shards_.size()];
  const std::lock_guard lock(shard.mutex);
  const auto found = shard.tats.find(key);
  if (found != shard.tats.end()) {
    const GcraStep step = gcra_take(found->second, now_us, limit);
    if (!step.allowed) return {.allowed = false, .wait_us = step.wait_us};
    found->second = step.tat_us;
    return {};
  }
  const GcraStep step = gcra_take(0, now_us, limit);  // a full bucket: allowed (burst ≥ 1)
  BOXOFFICE_CHECK(step.allowed);
  if (shard.tats.size() >= shard_capacity_ && !make_room(shard, now_us)) {
    return {.tracked = false};
  }
  shard.tats.emplace(key, step.tat_us);
  return {};
}

bool RateLimiter::make_room(Shard& shard, std::int64_t now_us) const {
  if (now_us < shard.next_sweep_us) return false;
  const std::size_t freed =
      std::erase_if(shard.tats, [now_us](const auto& entry) { return entry.second <= now_us; });
  if (freed <= shard_capacity_ / 8) shard.next_sweep_us = now_us + options_.sweep_pause_us;
  return shard.tats.size() < shard_capacity_;
}

std::size_t RateLimiter::size() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) {
    const std::lock_guard lock(shard->mutex);
    total += shard->tats.size();
  }
  return total;
}

}  // namespace boxoffice::memory
