#include "app/node.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <stdexcept>

#include "app/client_options.hpp"
#include "app/data_dir.hpp"
#include "app/demo_catalog.hpp"
#include "app/open_files.hpp"
#include "core/catalog_codec.hpp"
#include "http/api.hpp"
#include "http/search_api.hpp"
#include "http/static_files.hpp"
#include "services/clock.hpp"
#include "stores/memory/hold_store.hpp"
#include "stores/memory/queue_counters.hpp"
#include "stores/memory/spent_challenges.hpp"
#include "stores/redis/hold_store.hpp"
#include "stores/redis/queue_counters.hpp"
#include "stores/redis/rate_limiter.hpp"
#include "stores/redis/spent_challenges.hpp"
#include "stores/sqlite/room_store.hpp"

namespace boxoffice::app {
namespace {

constexpr std::size_t postgres_connections = 8;

std::pair<std::string, std::uint16_t> split_listen(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("--listen wants HOST:PORT");
  const int port = std::stoi(listen.substr(colon + 1));
  if (port < 0 || port > 65535) throw std::runtime_error("--listen: no such port");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [::1]:8080
  }
  return {host, static_cast<std::uint16_t>(port)};
}

// Runs an awaitable to completion on a private io_context (start-up work, before serving).
Status run_now(boost::asio::awaitable<Status> work) {
  boost::asio::io_context context;
  Status status = make_error(Errc::store_unavailable, "not run");
  boost::asio::co_spawn(
      context, [&]() -> boost::asio::awaitable<void> { status = co_await std::move(work); },
      [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
      });
  context.run();
  return status;
}

template <class T>
T value_or_throw(Result<T> result, std::string_view what) {
  if (!result) throw std::runtime_error(std::string(what) + ": " + result.error().detail);
  return std::move(result).value();
}

TicketSecret prepared_ticket_secret(const ServeOptions& options) {
  prepare_data_dir(options.data_dir);
  return load_or_create_ticket_secret(options.data_dir);
}

std::unique_ptr<HoldStore> make_hold_store(const ServeOptions& options, OrderStore& orders,
                                           Metrics& metrics) {
  if (options.redis_url.empty()) {
    const std::uint64_t epoch = value_or_throw(orders.next_epoch(), "the store's epoch");
    return std::make_unique<memory::HoldStore>(epoch << 32, metrics);
  }
  return std::make_unique<redis::HoldStore>(
      value_or_throw(redis::parse_redis_endpoint(options.redis_url), "--redis"),
      [&orders] { return orders.next_epoch(); }, metrics);
}

// Where the embedded mode keeps its waiting rooms across restarts; none in cluster mode.
std::unique_ptr<RoomStore> make_room_store(const ServeOptions& options) {
  if (!options.redis_url.empty()) return nullptr;
  return std::make_unique<sqlite::RoomStore>(options.data_dir / "waiting-rooms.sqlite");
}

// Waiting rooms' counters: in this process, resumed from the room store, or in Redis shared by
// every node (whose ticket secret, and so queue secret, is the same: a token of one node is
// good on all).
std::unique_ptr<QueueCounters> make_queue_counters(const ServeOptions& options,
                                                   RoomStore* room_store) {
  if (options.redis_url.empty()) {
    auto counters = std::make_unique<memory::QueueCounters>(*room_store);
    if (Status resumed = counters->resume(); !resumed) {
      throw std::runtime_error("the waiting rooms: " + resumed.error().detail);
    }
    return counters;
  }
  return std::make_unique<redis::QueueCounters>(
      value_or_throw(redis::parse_redis_endpoint(options.redis_url), "--redis"));
}

// The proof-of-work challenges used to join: in this process, or in Redis shared by every
// node (a challenge solved is used once, whichever nodes it is sent to).
std::unique_ptr<SpentChallenges> make_spent_challenges(const ServeOptions& options) {
  if (options.redis_url.empty()) return std::make_unique<memory::SpentChallenges>();
  return std::make_unique<redis::SpentChallenges>(
      value_or_throw(redis::parse_redis_endpoint(options.redis_url), "--redis"));
}

// An event's own limit of a class (services/rate_limits.hpp), as the catalog has it now.
std::optional<RateLimit> event_rate_limit(const Catalog& catalog, std::int64_t event_id,
                                          RateClass rate_class) {
  const std::shared_ptr<const EventView> view = catalog.known_event(event_id);
  if (!view) return std::nullopt;
  const EventRateLimits& own = view->event->rate_limits;
  const std::optional<EventRateLimit>& chosen =
      rate_class == RateClass::joins ? own.joins : own.holds;
  if (!chosen) return std::nullopt;
  return chosen->limit;
}

// Cluster mode's rate-limit buckets, in Redis (for joins, holds and checkouts: see
// services/rate_limits.hpp); none in the embedded mode.
std::unique_ptr<RateLimiter> make_shared_limiter(const ServeOptions& options) {
  if (options.redis_url.empty()) return nullptr;
  return std::make_unique<redis::RateLimiter>(
      value_or_throw(redis::parse_redis_endpoint(options.redis_url), "--redis"));
}

// What the server is told of its limits: connections, per client (a trusted balancer has no
// cap: every client behind it comes through its connections), and the routes' admission.
http::ServerLimits server_limits(const ServeOptions& options, const http::TrustedProxies& trusted,
                                 const http::Router& router) {
  return {.admit =
              [&router](const http::Request& header, const http::RequestContext& context) {
                return router.admit_body(header, context);
              },
          .connections_max = connections_within_open_files(http::ServerLimits{}.connections_max),
          .client_connections_max = options.connections_per_client,
          .uncapped =
              [trusted](const boost::asio::ip::address& peer) { return trusted.contains(peer); }};
}

}  // namespace

SourceOfTruth::SourceOfTruth(const ServeOptions& options) {
  if (options.postgres_url.empty()) {
    sqlite_ = std::make_unique<sqlite::Store>(options.data_dir / "boxoffice.sqlite");
    catalog_ = sqlite_.get();
    orders_ = sqlite_.get();
    access_codes_ = sqlite_.get();
    return;
  }
  postgres_ = std::make_unique<postgres::Store>(options.postgres_url, postgres_connections);
  if (Status migrated = postgres_->migrate(); !migrated) {
    throw std::runtime_error("PostgreSQL: " + migrated.error().detail);
  }
  catalog_ = postgres_.get();
  orders_ = postgres_.get();
  access_codes_ = postgres_.get();
}

void SourceOfTruth::stop_batches() {
  if (sqlite_) sqlite_->stop_batches();
  if (postgres_) postgres_->stop_batches();
}

Node::Node(const ServeOptions& options)
    : options_(options),
      cluster_(!options.redis_url.empty()),
      secret_(prepared_ticket_secret(options)),
      admin_key_(options.admin_key.empty() ? load_or_create_admin_key(options.data_dir)
                                           : options.admin_key),
      stores_(options),
      payments_(options.data_dir / "test-payments.sqlite"),
      catalog_(stores_.catalog(), http::encode_event_details, cluster_),
      search_(&metrics_, options.data_dir / "search-index"),
      live_(
          [this](std::int64_t event_id) {
            return availability_.snapshot(booking_, event_id, system_now());
          },
          live_format_, metrics_),
      holds_(make_hold_store(options, stores_.orders(), metrics_)),
      presales_(stores_.access_codes()),
      booking_(catalog_, stores_.orders(), *holds_, presales_, payments_, secret_, metrics_,
               static_cast<UnixMillis>(options.checkout_pin_seconds) * 1000),
      room_store_(make_room_store(options)),
      queue_counters_(make_queue_counters(options, room_store_.get())),
      spent_challenges_(make_spent_challenges(options)),
      waiting_room_(*queue_counters_, *spent_challenges_, derive_queue_secret(secret_), metrics_),
      gatekeeper_(admin_key_, catalog_, &waiting_room_, system_now),
      trusted_proxies_(
          value_or_throw(trusted_proxies_of(options.trusted_proxies), "--trusted-proxy")),
      shared_limiter_(make_shared_limiter(options)),
      rate_limits_(value_or_throw(rate_limits_of(options.rate_limits), "--rate-limit"),
                   local_limiter_, shared_limiter_ ? *shared_limiter_ : local_limiter_, metrics_,
                   [this](std::int64_t event_id, RateClass rate_class) {
                     return event_rate_limit(catalog_, event_id, rate_class);
                   }),
      client_limits_(trusted_proxies_, rate_limits_),
      server_(router_.handler(), server_limits(options, trusted_proxies_, router_),
              options.threads),
      sweeper_(booking_, cluster_ ? &catalog_ : nullptr, waiting_room_) {
  load_catalog();
  holds_->on_change([this](const UnitsChange& change) { live_.publish(change); });
  metrics_.search = [this] { return search_.render_metrics(); };
  metrics_.holds_pending_expiry = [this] { return holds_->live_holds(); };
  metrics_.live_subscribers = [this] { return live_.subscribers(); };
  metrics_.queue_totals = [this] {
    const QueueTotals totals = queue_counters_->totals();
    return std::array<std::uint64_t, 4>{totals.waiting, totals.active, totals.admitted,
                                        totals.skipped};
  };
  metrics_.connections_refused = [this] {
    return std::array<std::uint64_t, 2>{server_.refused_over_client_cap(),
                                        server_.refused_over_connections_max()};
  };
  spdlog::info("rate limits per client: {}; connections per client: {}; trusted proxies: {}",
               describe(value_or_throw(rate_limits_of(options.rate_limits), "--rate-limit")),
               options.connections_per_client, options.trusted_proxies.size());
  if (Status recovered = run_now(booking_.recover()); !recovered) {
    throw std::runtime_error("recovery: " + recovered.error().detail);
  }
  add_routes();
  const auto [host, port] = split_listen(options_.listen);
  host_ = host;
  port_ = server_.listen(host, port);
}

// The catalog from the store (and the demo into an empty one), and the search index made from
// it, following every change from then on.
void Node::load_catalog() {
  if (Status loaded = catalog_.load(); !loaded) throw std::runtime_error(loaded.error().detail);
  if (options_.demo && catalog_.events().empty()) {
    const std::size_t events = load_demo_catalog(catalog_, system_now());
    spdlog::info("demo catalog loaded: {} events", events);
  }
  catalog_.on_change([this](const std::shared_ptr<const EventView>& view) {
    search_.put(view->event, view->venue, system_now());
  });
  std::vector<std::pair<std::shared_ptr<const Event>, std::shared_ptr<const Venue>>> all;
  for (const auto& view : catalog_.events()) all.emplace_back(view->event, view->venue);
  search_.rebuild(std::move(all));
  spdlog::info("search index built: {} events", search_.indexed_events());
}

void Node::add_routes() {
  OrderStore& orders = stores_.orders();
  http::add_api_routes(
      router_, {.catalog = catalog_,
                .booking = booking_,
                .metrics = metrics_,
                .availability = availability_,
                .live = &live_,
                .waiting_room = &waiting_room_,
                .presales = &presales_,
                .search = &search_,
                .ready = [&orders, this] { return orders.ping().ok() && holds_->reachable(); },
                .clock = system_now});
  http::add_search_routes(router_, search_, system_now);
  if (!options_.web_dir.empty()) http::add_web_routes(router_, options_.web_dir);
  router_.guard(gatekeeper_);
  router_.limit(client_limits_);
  router_.instrument(metrics_, options_.access_log);
}

void Node::run() {
  sweeper_.start();
  server_.run();
  // No event loop runs any more, but all of them exist until the server is destroyed, so what
  // completes now for a coroutine (a store call finished by another thread) is queued in its
  // loop and destroyed with it, never sent to a loop that is gone.
  sweeper_.stop();
  // After the last tick: the lines are kept exactly for the next start.
  if (Status flushed = queue_counters_->flush(); !flushed) {
    spdlog::error("waiting rooms not kept for the restart: {}", flushed.error().detail);
  }
  live_.stop();  // the hold store may still report changes
  stores_.stop_batches();
  booking_.finish_store_calls();
}

}  // namespace boxoffice::app
