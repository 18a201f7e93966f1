// What every Redis store of cluster mode needs: a connection on the calling coroutine's own
// event loop, and Lua scripts run by EVALSHA.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "stores/redis/client.hpp"

namespace boxoffice::redis {

// One Client per io_context and owner (a store), made on first use and owned by the
// io_context: it goes when its event loop goes, whichever of the two ends first. So a server
// thread never blocks on Redis, and the requests of one loop are pipelined on one connection.
class Connections {
 public:
  explicit Connections(Endpoint endpoint);
  // The connection of the calling coroutine's io_context (every event loop of boxoffice is one).
  boost::asio::awaitable<Client*> here();
  const Endpoint& endpoint() const { return endpoint_; }

 private:
  const Endpoint endpoint_;
  const std::uint64_t serial_;  // tells this owner's connections from another's
};

// Lua scripts by number, run with EVALSHA: each is loaded (SCRIPT LOAD) when first used, and
// again when Redis answers NOSCRIPT (it restarted, or a replica became the primary). Safe to
// use from any thread.
class Scripts {
 public:
  explicit Scripts(std::vector<std::string> texts);
  // Runs script `index` on `keys` with `args`. A script's own error is a Reply of type error.
  boost::asio::awaitable<Result<Reply>> run(Client& client, std::size_t index,
                                            const std::vector<std::string>& keys,
                                            const std::vector<std::string>& args);

 private:
  const std::vector<std::string> texts_;
  std::mutex mutex_;
  std::vector<std::string> shas_;  // of texts_, "" until loaded
};

// A reply that is not what the script promises: Redis is not itself (store_unavailable).
Error unexpected(const Reply& reply);
// An integer reply, or a string reply holding one (0 for anything else).
std::int64_t integer_of(const Reply& reply);

}  // namespace boxoffice::redis
