// How many connections each client has open, for the server's per-client cap
// (ServerLimits::client_connections_max): one count per client (http/client_address's
// ClientId: an address, an IPv6 client's /64), in shards each under its own mutex, shared by
// every worker thread, since a client's connections land on any of them. A count lives while
// its client has a connection open, so the table never holds more entries than there are open
// connections (connections_max).
#pragma once

#include <array>
#include <cstddef>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "services/rate_limiter.hpp"

namespace boxoffice::http {

class ClientConnections {
 public:
  // One open connection of a client, counted until the slot is destroyed.
  class Slot {
   public:
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&&) = delete;
    ~Slot();

   private:
    friend class ClientConnections;
    Slot(ClientConnections& table, const ClientId& client) : table_(&table), client_(client) {}

    ClientConnections* table_;  // null once moved from
    ClientId client_;
  };

  // `per_client_max` connections per client at most (at least 1).
  explicit ClientConnections(std::size_t per_client_max);

  // A slot for a new connection of `client`, or nullopt when it has per_client_max open.
  std::optional<Slot> open(const ClientId& client);
  // How many connections `client` has open.
  std::size_t open_of(const ClientId& client) const;

 private:
  struct Hash {
    std::size_t operator()(const ClientId& client) const;
    unsigned char secret[16];  // crypto_shorthash (SipHash-2-4) key
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<ClientId, std::size_t, Hash> open;
  };
  static constexpr std::size_t shards = 16;

  Shard& shard_of(const ClientId& client) const;
  void close(const ClientId& client);

  const std::size_t per_client_max_;
  Hash hash_;
  mutable std::array<Shard, shards> shards_;
};

}  // namespace boxoffice::http
