// One boxoffice node: everything a running server is made of, owned as members declared in the
// order they depend on each other, so the language builds them in that order and destroys them
// in the reverse one. The source of truth (SQLite in the data dir, or PostgreSQL with
// --postgres), the test payment ledger, the catalog and its search index, the holds (in
// process, or in Redis with --redis), booking, live seat maps, the waiting rooms, the HTTP API
// and its server, the clients' rate limits (in process, and in Redis with --redis), and the
// background sweeper.
//
// Start-up work (loading the catalog, the demo, indexing, recovering checkouts a crash
// interrupted) runs in the constructor, in order, before the port is bound; serving begins
// with run().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "app/serve.hpp"
#include "app/sweeper.hpp"
#include "core/ticket_code.hpp"
#include "http/access.hpp"
#include "http/booking_json.hpp"
#include "http/client_limits.hpp"
#include "http/live_stream.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "services/booking.hpp"
#include "services/catalog.hpp"
#include "services/holds.hpp"
#include "services/live_seats.hpp"
#include "services/metrics.hpp"
#include "services/queue_counters.hpp"
#include "services/rate_limits.hpp"
#include "services/room_store.hpp"
#include "services/search/search.hpp"
#include "services/spent_challenges.hpp"
#include "services/waiting_room.hpp"
#include "stores/memory/rate_limiter.hpp"
#include "stores/postgres/store.hpp"
#include "stores/redis/client.hpp"
#include "stores/sqlite/store.hpp"
#include "stores/sqlite/test_payment_provider.hpp"

namespace boxoffice::app {

// The source of truth: PostgreSQL when a URL is given, else SQLite in the data dir.
class SourceOfTruth {
 public:
  explicit SourceOfTruth(const ServeOptions& options);
  CatalogStore& catalog() { return *catalog_; }
  OrderStore& orders() { return *orders_; }
  AccessCodeStore& access_codes() { return *access_codes_; }
  // PostgreSQL's batches answer awaiting coroutines from their own threads: stopped while the
  // event loops those coroutines belong to still exist.
  void stop_batches();

 private:
  std::unique_ptr<sqlite::Store> sqlite_;
  std::unique_ptr<postgres::Store> postgres_;
  CatalogStore* catalog_ = nullptr;
  OrderStore* orders_ = nullptr;
  AccessCodeStore* access_codes_ = nullptr;
};

class Node {
 public:
  // Builds the node and binds its port. Throws std::runtime_error when it can't (a store that
  // can't be opened, a port taken, a recovery that fails).
  explicit Node(const ServeOptions& options);
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Where it listens.
  const std::string& host() const { return host_; }
  std::uint16_t port() const { return port_; }
  // Serves on the server's threads (this one among them) until stop(), then stops what works
  // in the background, in order, while every event loop still exists.
  void run();
  // From any thread (a signal's waiter).
  void stop() { server_.stop(); }

 private:
  void load_catalog();
  void add_routes();

  const ServeOptions options_;
  const bool cluster_;
  const TicketSecret secret_;
  const std::string admin_key_;
  SourceOfTruth stores_;
  sqlite::TestPaymentProvider payments_;
  Metrics metrics_;
  Catalog catalog_;
  SearchService search_;
  http::AvailabilityAnswers availability_;
  http::SseLiveFormat live_format_;
  // Before the hold store, which may report changes to it until the store is destroyed.
  LiveSeats live_;
  std::unique_ptr<HoldStore> holds_;
  Presales presales_;
  Booking booking_;
  std::unique_ptr<RoomStore> room_store_;  // the embedded mode's, else none
  std::unique_ptr<QueueCounters> queue_counters_;
  std::unique_ptr<SpentChallenges> spent_challenges_;
  WaitingRoomService waiting_room_;
  http::Gatekeeper gatekeeper_;
  const http::TrustedProxies trusted_proxies_;
  memory::RateLimiter local_limiter_;
  std::unique_ptr<RateLimiter> shared_limiter_;  // Redis's in cluster mode, else none (local)
  RateLimits rate_limits_;
  http::ClientLimits client_limits_;
  http::Router router_;
  http::Server server_;
  Sweeper sweeper_;
  std::string host_;
  std::uint16_t port_ = 0;
};

}  // namespace boxoffice::app
