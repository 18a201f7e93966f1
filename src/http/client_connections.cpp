#include "http/client_connections.hpp"

#include <sodium.h>

#include <algorithm>
#include <utility>

#include "core/check.hpp"

namespace boxoffice::http {

ClientConnections::Slot::Slot(Slot&& other) noexcept
    : table_(std::exchange(other.table_, nullptr)), client_(other.client_) {}

ClientConnections::Slot::~Slot() {
  if (table_ != nullptr) table_->close(client_);
}

std::size_t ClientConnections::Hash::operator()(const ClientId& client) const {
  std::uint64_t hash = 0;
  static_assert(sizeof hash == crypto_shorthash_BYTES);
  crypto_shorthash(reinterpret_cast<unsigned char*>(&hash), client.bytes.data(),
                   client.bytes.size(), secret);
  return static_cast<std::size_t>(hash);
}

ClientConnections::ClientConnections(std::size_t per_client_max)
    : per_client_max_(std::max<std::size_t>(1, per_client_max)) {
  static_assert(sizeof hash_.secret == crypto_shorthash_KEYBYTES);
  crypto_shorthash_keygen(hash_.secret);
  for (Shard& shard : shards_) shard.open = decltype(shard.open)(0, hash_);
}

ClientConnections::Shard& ClientConnections::shard_of(const ClientId& client) const {
  return shards_[hash_(client) % shards];
}

std::optional<ClientConnections::Slot> ClientConnections::open(const ClientId& client) {
  Shard& shard = shard_of(client);
  const std::lock_guard lock(shard.mutex);
  std::size_t& count = shard.open[client];  // a new entry is counted at once: none stays at 0
  if (count >= per_client_max_) return std::nullopt;
  ++count;
  return Slot(*this, client);
}

void ClientConnections::close(const ClientId& client) {
  Shard& shard = shard_of(client);
  const std::lock_guard lock(shard.mutex);
  const auto found = shard.open.find(client);
  BOXOFFICE_CHECK(found != shard.open.end() && found->second > 0);
  if (--found->second == 0) shard.open.erase(found);
}

std::size_t ClientConnections::open_of(const ClientId& client) const {
  const Shard& shard = shard_of(client);
  const std::lock_guard lock(shard.mutex);
  const auto found = shard.open.find(client);
  return found == shard.open.end() ? 0 : found->second;
}

}  // namespace boxoffice::http
