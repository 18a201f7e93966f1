#include "app/serve.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <thread>

#include "app/client_options.hpp"
#include "app/node.hpp"
#include "stores/redis/client.hpp"

namespace boxoffice::app {
namespace {

// The options' mistakes that need no store to find; the message, or "" when there is none.
std::string option_mistake(const ServeOptions& options) {
  if (!options.redis_url.empty() && options.postgres_url.empty()) {
    // Holds shared by nodes that each keep their own orders could sell a seat twice.
    return "--redis needs --postgres: the nodes that share holds share their orders";
  }
  if (!options.redis_url.empty()) {
    if (auto endpoint = redis::parse_redis_endpoint(options.redis_url); !endpoint) {
      return "--redis: " + endpoint.error().detail;
    }
  }
  if (auto trusted = trusted_proxies_of(options.trusted_proxies); !trusted) {
    return "--trusted-proxy: " + trusted.error().detail;
  }
  if (auto limits = rate_limits_of(options.rate_limits); !limits) {
    return "--rate-limit: " + limits.error().detail;
  }
  return {};
}

// SIGINT and SIGTERM, blocked in every thread: they are taken by sigwait, not by whichever
// thread they happen to hit. Blocked before any thread starts, as threads inherit the mask (a
// store's thread started with them unblocked would let SIGTERM end the process uncleanly).
sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace

int serve(const ServeOptions& options) {
  // A peer that went away must be an error on the write, not the end of the process: hiredis
  // writes with plain write(2), and a Redis primary that dies mid-write raised SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  const sigset_t signals = block_stop_signals();
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  if (const std::string mistake = option_mistake(options); !mistake.empty()) {
    spdlog::critical("{}", mistake);
    return 2;
  }
  Node node(options);
  std::cout << "boxoffice listening on http://" << node.host() << ":" << node.port() << " (data in "
            << options.data_dir.string() << ", " << options.threads << " threads)" << std::endl;
  if (options.admin_key.empty()) {
    std::cout << "admin key: in " << (options.data_dir / "admin-key").string() << std::endl;
  }
  std::thread waiter([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    spdlog::info("signal {}: stopping", signal);
    node.stop();
  });
  node.run();
  waiter.detach();  // still waiting only if run() ended on its own
  return 0;
}

}  // namespace boxoffice::app
