// boxoffice: the command line. `boxoffice serve` runs the server (embedded mode: SQLite in the
// data dir, holds in memory); `boxoffice check-ticket CODE` verifies a ticket code offline
// with the data dir's secret, as a gate's scanner would. Hidden: `boxoffice redis-script hold`
// prints the exact Lua text the Redis hold store loads for a hold (prelude + hold, byte for
// byte, no trailing text), so bench/redis_hold_bench.sh can run the same script in
// redis-benchmark.
#include <sodium.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <thread>

#include "app/data_dir.hpp"
#include "app/serve.hpp"
#include "core/ticket_code.hpp"
#include "stores/redis/hold_scripts.hpp"

namespace {

int check_ticket(const std::string& code, const std::filesystem::path& data_dir) {
  const auto secret = boxoffice::app::load_ticket_secret(data_dir);
  const auto facts = boxoffice::verify_ticket_code(code, boxoffice::Signer(secret));
  if (!facts) {
    std::cout << "INVALID: not a ticket of this box office (forged or altered)\n";
    return 1;
  }
  std::cout << "VALID: event " << facts->event_id << ", order " << facts->order_id << ", "
            << facts->unit << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) {
    std::cerr << "boxoffice: libsodium failed to initialise\n";
    return 1;
  }
  // Logs go to stderr: stdout carries only the "listening on" line that scripts wait for.
  spdlog::set_default_logger(spdlog::stderr_color_mt("boxoffice"));
  CLI::App cli{"boxoffice: a ticketing backend (catalog, seat holds, checkout)"};
  cli.require_subcommand(1);

  boxoffice::app::ServeOptions options;
  options.threads = std::max(1u, std::thread::hardware_concurrency());
  auto* serve = cli.add_subcommand("serve", "Run the HTTP server");
  serve->add_option("--listen", options.listen, "Address and port to listen on")
      ->envname("BOXOFFICE_LISTEN")
      ->capture_default_str();
  serve->add_option("--data-dir", options.data_dir, "Where the embedded mode keeps its files")
      ->envname("BOXOFFICE_DATA_DIR")
      ->capture_default_str();
  serve
      ->add_option("--admin-key", options.admin_key,
                   "Key for organizer calls (default: made once and kept in DATA_DIR/admin-key)")
      ->envname("BOXOFFICE_ADMIN_KEY");
  serve->add_flag("--demo", options.demo, "Load a demo catalog when the store is empty")
      ->envname("BOXOFFICE_DEMO");
  serve
      ->add_option("--postgres", options.postgres_url,
                   "PostgreSQL URL: the source of truth instead of SQLite")
      ->envname("BOXOFFICE_POSTGRES");
  serve
      ->add_option("--redis", options.redis_url,
                   "Redis for the holds, shared by every node (cluster mode, with --postgres): "
                   "redis://HOST:PORT or redis-sentinel://HOST:PORT,HOST:PORT/MASTER")
      ->envname("BOXOFFICE_REDIS");
  serve->add_option("--threads", options.threads, "Worker threads")
      ->envname("BOXOFFICE_THREADS")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  serve
      ->add_option("--checkout-pin-seconds", options.checkout_pin_seconds,
                   "How long a checkout may keep its hold from expiring; in cluster mode, how "
                   "soon another node settles the checkout of a node that died")
      ->envname("BOXOFFICE_CHECKOUT_PIN_SECONDS")
      ->check(CLI::Range(5, 3600))
      ->capture_default_str();
  serve->add_option("--log-level", options.log_level, "trace, debug, info, warn, error")
      ->envname("BOXOFFICE_LOG_LEVEL")
      ->capture_default_str();
  serve
      ->add_flag("--access-log,!--no-access-log", options.access_log,
                 "One JSON line per request on stderr (at log level info)")
      ->envname("BOXOFFICE_ACCESS_LOG")
      ->capture_default_str();

  serve
      ->add_option("--trusted-proxy", options.trusted_proxies,
                   "A balancer's address range (CIDR, repeatable): from there, the client is the "
                   "address it forwards (Forwarded, or X-Forwarded-For)")
      ->envname("BOXOFFICE_TRUSTED_PROXY")
      ->delimiter(',');
  serve
      ->add_option("--rate-limit", options.rate_limits,
                   "CLASS=RATE/UNIT:BURST or CLASS=off (repeatable), CLASS joins, holds, "
                   "checkouts, other or all; defaults: joins=10/min:10, holds=1/s:20, "
                   "checkouts=1/s:10, other=50/s:200")
      ->envname("BOXOFFICE_RATE_LIMIT")
      ->delimiter(',');
  serve
      ->add_option("--connections-per-client", options.connections_per_client,
                   "Connections one client address may keep open (0: no cap; trusted proxies "
                   "have none)")
      ->envname("BOXOFFICE_CONNECTIONS_PER_CLIENT")
      ->check(CLI::Range(0, 1'000'000))
      ->capture_default_str();

  options.web_dir = BOXOFFICE_WEB_DIR_DEFAULT;
  serve->add_option("--web-dir", options.web_dir, "The web pages' folder (\"\" serves none)")
      ->envname("BOXOFFICE_WEB_DIR")
      ->capture_default_str();

  std::string code;
  std::filesystem::path check_data_dir = "data";
  auto* check = cli.add_subcommand("check-ticket", "Verify a ticket code offline");
  check->add_option("code", code, "The ticket code")->required();
  check->add_option("--data-dir", check_data_dir, "The data dir holding the ticket secret")
      ->envname("BOXOFFICE_DATA_DIR")
      ->capture_default_str();

  // Hidden (empty group): for benchmarks, not operators.
  std::string script_name;
  auto* script = cli.add_subcommand("redis-script", "Print a Redis hold store script")->group("");
  script->add_option("name", script_name, "The script")->required()->check(CLI::IsMember({"hold"}));

  CLI11_PARSE(cli, argc, argv);
  try {
    if (*check) return check_ticket(code, check_data_dir);
    if (*script) {
      std::cout << boxoffice::redis::scripts::prelude << boxoffice::redis::scripts::hold;
      return std::cout.flush() ? 0 : 1;
    }
    return boxoffice::app::serve(options);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
}
