#include "app/serve.hpp"

#include "app/data_dir.hpp"
#include "app/demo_catalog.hpp"
#include "http/api.hpp"
#include "http/search_api.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"
#include "services/booking.hpp"
#include "services/catalog.hpp"
#include "services/clock.hpp"
#include "services/live_seats.hpp"
#include "services/search/search.hpp"
#include "services/waiting_room.hpp"
#include "stores/memory/hold_store.hpp"
#include "stores/memory/queue_counters.hpp"
#include "stores/postgres/store.hpp"
#include "stores/redis/hold_store.hpp"
#include "stores/redis/queue_counters.hpp"
#include "stores/sqlite/store.hpp"
#include "stores/sqlite/test_payment_provider.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <pthread.h>
#include <stdexcept>
#include <thread>

namespace boxoffice::app {
namespace {

constexpr auto sweep_interval = std::chrono::milliseconds(100);
constexpr std::size_t venue_body_bytes_max = 32 << 20;

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
      context,
      [&]() -> boost::asio::awaitable<void> { status = co_await std::move(work); },
      [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
      });
  context.run();
  return status;
}

void load_demo(Catalog& catalog) {
  std::size_t events = 0;
  for (DemoVenue& demo : demo_catalog(system_now() / 1000)) {
    auto venue = catalog.create_venue(demo.venue);
    if (!venue) throw std::runtime_error("demo venue: " + venue.error().detail);
    for (boost::json::object& body : demo.events) {
      body["venue_id"] = (*venue)->id;
      auto event = catalog.create_event(body);
      if (!event) throw std::runtime_error("demo event: " + event.error().detail);
      auto published = catalog.publish((*event)->id);
      if (!published) throw std::runtime_error("demo publish: " + published.error().detail);
      ++events;
    }
  }
  spdlog::info("demo catalog loaded: {} events", events);
}

// Every sweep_interval: advances the waiting rooms and expires due holds, so a released seat
// is seen as free (and announced) even when nobody touches its event; settles checkouts of
// nodes that died; in cluster mode, loads what other nodes changed in the catalog. Runs on an
// event loop of its own, off the server's threads.
class Sweeper {
 public:
  Sweeper(Booking& booking, Catalog* shared_catalog, WaitingRoomService& waiting_room)
      : thread_([this, &booking, shared_catalog, &waiting_room] {
          boost::asio::co_spawn(io_, loop(booking, shared_catalog, waiting_room),
                                boost::asio::detached);
          io_.run();
        }) {}
  ~Sweeper() { stop(); }

  // Stops its event loop and thread; what it awaited is destroyed with it.
  void stop() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  static boost::asio::awaitable<void> loop(Booking& booking, Catalog* shared_catalog,
                                           WaitingRoomService& waiting_room) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    bool failing = false;
    for (;;) {
      if (shared_catalog) (void)shared_catalog->refresh();  // an outage shows in /readyz
      // Admissions go on at their rate even while nobody polls, and ended sessions go.
      if (Status ticked = co_await waiting_room.tick(system_now()); !ticked) {
        spdlog::debug("waiting rooms: {}", ticked.error().detail);
      }
      auto swept = co_await booking.sweep(system_now());
      if (!swept && !failing) spdlog::warn("sweep failed: {}", swept.error().detail);
      if (swept && failing) spdlog::info("sweep works again");
      failing = !swept;
      timer.expires_after(sweep_interval);
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
  }

  boost::asio::io_context io_;
  std::thread thread_;  // last: starts after io_ exists
};

// The source of truth: PostgreSQL when a URL is given, else SQLite in the data dir.
struct Stores {
  std::unique_ptr<sqlite::Store> sqlite;
  std::unique_ptr<postgres::Store> postgres;
  CatalogStore* catalog = nullptr;
  OrderStore* orders = nullptr;
};

Stores open_stores(const ServeOptions& options) {
  Stores stores;
  if (!options.postgres_url.empty()) {
    constexpr std::size_t postgres_connections = 8;
    stores.postgres = std::make_unique<postgres::Store>(options.postgres_url, postgres_connections);
    if (Status migrated = stores.postgres->migrate(); !migrated) {
      throw std::runtime_error("PostgreSQL: " + migrated.error().detail);
    }
    stores.catalog = stores.postgres.get();
    stores.orders = stores.postgres.get();
  } else {
    stores.sqlite = std::make_unique<sqlite::Store>(options.data_dir / "boxoffice.sqlite");
    stores.catalog = stores.sqlite.get();
    stores.orders = stores.sqlite.get();
  }
  return stores;
}

}  // namespace

int serve(const ServeOptions& options) {
  // A peer that went away must be an error on the write, not the end of the process: hiredis
  // writes with plain write(2), and a Redis primary that dies mid-write raised SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  // SIGINT and SIGTERM are taken by sigwait at the end, not by whichever thread they happen to
  // hit: blocked here, before any thread starts, as threads inherit the mask (a store's thread
  // started with them unblocked would let SIGTERM end the process at once, uncleanly).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  if (!options.redis_url.empty() && options.postgres_url.empty()) {
    // Holds shared by nodes that each keep their own orders could sell a seat twice.
    spdlog::critical("--redis needs --postgres: the nodes that share holds share their orders");
    return 2;
  }
  std::optional<redis::Endpoint> redis_endpoint;
  if (!options.redis_url.empty()) {
    auto endpoint = redis::parse_redis_endpoint(options.redis_url);
    if (!endpoint) {
      spdlog::critical("--redis: {}", endpoint.error().detail);
      return 2;
    }
    redis_endpoint = std::move(*endpoint);
  }
  const auto [host, port] = split_listen(options.listen);
  prepare_data_dir(options.data_dir);
  const TicketSecret secret = load_or_create_ticket_secret(options.data_dir);
  const std::string admin_key =
      options.admin_key.empty() ? load_or_create_admin_key(options.data_dir) : options.admin_key;

  Stores stores = open_stores(options);
  sqlite::TestPaymentProvider payments(options.data_dir / "test-payments.sqlite");
  auto epoch = stores.orders->next_epoch();
  if (!epoch) throw std::runtime_error(epoch.error().detail);

  const bool cluster = redis_endpoint.has_value();
  Catalog catalog(*stores.catalog, cluster);
  if (Status loaded = catalog.load(); !loaded) throw std::runtime_error(loaded.error().detail);
  if (options.demo && catalog.events().empty()) load_demo(catalog);

  Metrics metrics;
  // The search index follows the catalog: every change it sees from now on, and everything it
  // holds, indexed once before serving.
  SearchService search(&metrics, options.data_dir / "search-index");
  metrics.search = [&search] { return search.render_metrics(); };
  catalog.on_change([&search](const std::shared_ptr<const EventView>& view) {
    search.put(view->event, view->venue, system_now());
  });
  {
    std::vector<std::pair<std::shared_ptr<const Event>, std::shared_ptr<const Venue>>> all;
    for (const auto& view : catalog.events()) all.emplace_back(view->event, view->venue);
    search.rebuild(std::move(all));
    spdlog::info("search index built: {} events", search.indexed_events());
  }
  // Before the hold store: its threads may report changes until it is destroyed.
  std::unique_ptr<LiveSeats> live;
  std::unique_ptr<HoldStore> holds;
  if (redis_endpoint) {
    OrderStore& orders = *stores.orders;
    holds = std::make_unique<redis::HoldStore>(
        *redis_endpoint, [&orders] { return orders.next_epoch(); }, metrics);
  } else {
    holds = std::make_unique<memory::HoldStore>(*epoch << 32, metrics);
  }
  Booking booking(catalog, *stores.orders, *holds, payments, secret, metrics,
                  static_cast<UnixMillis>(options.checkout_pin_seconds) * 1000);
  metrics.holds_pending_expiry = [&holds] { return holds->live_holds(); };
  live = std::make_unique<LiveSeats>(
      [&booking](std::int64_t event_id) {
        return booking.availability(event_id, std::nullopt, system_now());
      },
      metrics);
  holds->on_change([&live](const UnitsChange& change) { live->publish(change); });
  metrics.live_subscribers = [&live] { return live->subscribers(); };
  // Waiting rooms: counters in this process, or in Redis shared by every node (whose ticket
  // secret, and so queue secret, is the same: a token of one node is good on all).
  std::unique_ptr<QueueCounters> queue_counters;
  if (redis_endpoint) {
    queue_counters = std::make_unique<redis::QueueCounters>(*redis_endpoint);
  } else {
    queue_counters = std::make_unique<memory::QueueCounters>();
  }
  WaitingRoomService waiting_room(*queue_counters, derive_queue_secret(secret), metrics);
  metrics.queue_totals = [&queue_counters] {
    const QueueTotals totals = queue_counters->totals();
    return std::array<std::uint64_t, 3>{totals.waiting, totals.active, totals.admitted};
  };
  if (Status recovered = run_now(booking.recover()); !recovered) {
    throw std::runtime_error("recovery: " + recovered.error().detail);
  }

  http::Router router;
  OrderStore& orders = *stores.orders;
  http::add_api_routes(router, catalog, booking, metrics,
                       {admin_key, [&orders, &holds] { return orders.ping().ok() && holds->reachable(); },
                        live.get(), &waiting_room, &search},
                       system_now);
  http::add_search_routes(router, search, system_now);
  if (!options.web_dir.empty()) http::add_web_routes(router, options.web_dir);
  router.instrument(metrics, options.access_log);
  http::ServerLimits limits;
  limits.body_bytes_max_for = [](boost::beast::http::verb method, std::string_view target) {
    // A stadium's layout is megabytes of seats; every other body is small.
    const bool venue = method == boost::beast::http::verb::post && target == "/v1/venues";
    return venue ? venue_body_bytes_max : std::size_t{0};
  };
  http::Server server(router.handler(), std::move(limits), options.threads);
  const std::uint16_t bound = server.listen(host, port);
  Sweeper sweeper(booking, cluster ? &catalog : nullptr, waiting_room);

  std::cout << "boxoffice listening on http://" << host << ":" << bound << " (data in "
            << options.data_dir.string() << ", " << options.threads << " threads)" << std::endl;
  if (options.admin_key.empty()) {
    std::cout << "admin key: in " << (options.data_dir / "admin-key").string() << std::endl;
  }
  std::thread waiter([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    spdlog::info("signal {}: stopping", signal);
    server.stop();
  });
  server.run();
  // Shutting down, in this order: no event loop runs any more, but all of them still exist
  // until the end of this scope, so whatever completes now for a coroutine (a store call
  // finished by another thread) is queued in its loop and destroyed with it, never sent to
  // a loop that is gone.
  sweeper.stop();
  live->stop();  // the store may still report changes
  if (stores.postgres) stores.postgres->stop_batches();
  booking.finish_store_calls();
  waiter.detach();  // still waiting only if run() ended on its own
  return 0;
}

}  // namespace boxoffice::app
