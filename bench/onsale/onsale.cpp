// boxoffice_onsale: the on-sale simulator (bench/onsale_bench.sh; the crowd model is in
// bench/README.md). Makes a stadium and an event with a waiting room, sends a crowd of fans
// (each from its own loopback address) and a few bot addresses at it, runs until the event
// sold out and the line was told, or time is up; then checks the store against what the crowd
// was told and prints the report. Exit status 0 only when the event sold out with every
// anomaly 0.
//
// Files: crowd (the line: joins, polls, streams; fans as data on a wake-up heap), shopping (an
// admitted fan's visit), bots, seat_picker, http_client, setup (the organizer's calls),
// checker, stats and report.
#include <CLI/CLI.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <thread>

#include "checker.hpp"
#include "crowd.hpp"
#include "report.hpp"
#include "setup.hpp"

namespace onsale {
namespace {

// Fan k's own address: 127.1.0.1 upward, skipping host parts 0 and 255; bots' from 127.200.0.1.
std::uint32_t loopback(std::uint32_t first_octet_2, std::uint32_t k) {
  const std::uint32_t per_second_octet = 256 * 254;
  const auto b = first_octet_2 + k / per_second_octet;
  const auto c = k / 254 % 256;
  const auto d = 1 + k % 254;
  return (127u << 24) | (b << 16) | (c << 8) | d;
}

// Who the fans are, drawn once from the seed: when they come, how many tickets, and how they
// behave (see Options).
std::vector<Fan> make_crowd(const Options& options, const Sale& sale) {
  std::mt19937_64 random(options.seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::discrete_distribution<int> party(options.party_weights.begin(), options.party_weights.end());
  std::exponential_distribution<double> arrival(1.0 / options.arrival_mean_seconds);
  std::vector<Fan> fans(options.fans);
  for (std::uint32_t k = 0; k < options.fans; ++k) {
    Fan& fan = fans[k];
    fan.address = loopback(1, k);
    fan.party = static_cast<std::uint8_t>(
        std::min<int>(party(random) + 1, static_cast<int>(options.max_per_order)));
    fan.explicit_pick = unit(random) < options.explicit_share;
    fan.abandons = unit(random) < options.abandon_share;
    fan.declines = unit(random) < options.decline_share;
    fan.streams = unit(random) < options.stream_share;
    if (unit(random) < options.pre_queue_share) {
      const double window = static_cast<double>(sale.on_sale_ns - sale.pre_queue_opens_ns) / 1e9;
      fan.arrive_ns = sale.pre_queue_opens_ns +
                      static_cast<std::int64_t>(unit(random) * std::max(0.0, window - 1.5) * 1e9) +
                      1'000'000'000;
    } else {
      const double model = std::min(arrival(random), options.arrival_window_seconds);
      fan.arrive_ns =
          sale.on_sale_ns + static_cast<std::int64_t>(model / options.time_compression * 1e9);
    }
  }
  return fans;
}

bool resolve(const Options& options, Sale& sale) {
  asio::io_context context;
  tcp::resolver resolver(context);
  for (const auto& url : options.urls) {
    constexpr std::string_view scheme = "http://";
    std::string_view rest(url);
    if (!rest.starts_with(scheme)) return false;
    rest.remove_prefix(scheme.size());
    rest = rest.substr(0, rest.find('/'));
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return false;
    boost::system::error_code error;
    const auto found = resolver.resolve(std::string(rest.substr(0, colon)),
                                        std::string(rest.substr(colon + 1)), error);
    if (error || found.empty()) return false;
    sale.servers.push_back(found.begin()->endpoint());
    if (sale.host.empty()) sale.host = std::string(rest);
  }
  return !sale.servers.empty();
}

// Until every fan is done, or the line had `drain_seconds` after the sell-out, or time is up.
void watch(Sale& sale, const Options& options, std::vector<NodeMemory>& nodes) {
  const auto deadline =
      sale.run_start_ns + static_cast<std::int64_t>(options.run_seconds_max * 1e9);
  std::int64_t next_progress = 0;
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    sample_memory(nodes);
    const auto now = now_ns();
    const auto sold_out = sale.sold_out_ns.load();
    const bool drained =
        sold_out != 0 && now > sold_out + static_cast<std::int64_t>(options.drain_seconds * 1e9);
    if (sale.fans_done.load() >= options.fans || drained || now > deadline) return;
    if (now >= next_progress) {
      std::fprintf(stderr, "onsale: %+.0f s from the on-sale: %lu tickets sold, %lu fans done\n",
                   static_cast<double>(now - sale.on_sale_ns) / 1e9, sale.tickets_sold.load(),
                   sale.fans_done.load());
      next_progress = now + 2'000'000'000;
    }
  }
}

int run(const Options& options) {
  Sale sale;
  if (!resolve(options, sale)) {
    std::fprintf(stderr, "onsale: every --url must be http://host:port\n");
    return 2;
  }
  sale.layout = Layout{options.sections, options.rows, options.seats_per_row};
  const auto made = make_event(sale.servers.front(), sale.host, options);
  if (!made.error.empty()) {
    std::fprintf(stderr, "onsale: setting up the event: %s\n", made.error.c_str());
    return 2;
  }
  sale.event_id = made.event_id;
  // The event's times are wall-clock; the run's are the steady clock's.
  const auto system_now = std::chrono::system_clock::now();
  sale.run_start_ns = now_ns();
  auto steady = [&](std::chrono::system_clock::time_point at) {
    return sale.run_start_ns +
           std::chrono::duration_cast<std::chrono::nanoseconds>(at - system_now).count();
  };
  sale.on_sale_ns = steady(made.on_sale_at);
  sale.pre_queue_opens_ns =
      made.pre_queue_opens_at < made.on_sale_at ? steady(made.pre_queue_opens_at) : 0;
  auto fans = make_crowd(options, sale);

  std::vector<std::unique_ptr<Shard>> shards;
  for (std::uint32_t t = 0; t < options.threads; ++t) {
    shards.push_back(std::make_unique<Shard>(sale, options, fans, options.seed + 1 + t));
  }
  for (std::uint32_t k = 0; k < options.fans; ++k) shards[k % options.threads]->add_fan(k);
  for (std::uint32_t b = 0; b < options.bot_addresses; ++b) {
    shards[b % options.threads]->add_bot(loopback(200, b));
  }
  std::vector<NodeMemory> nodes;
  for (const auto& spec : options.nodes) {
    const auto equals = spec.find('=');
    nodes.push_back({spec.substr(0, equals), spec.substr(equals + 1)});
  }
  std::printf(
      "== event %ld: %u seats; %u fans (%.0f%% in the pre-queue), %u bot addresses; "
      "on-sale in %.1f s; %u thread(s)\n",
      sale.event_id, sale.layout.seats(), options.fans, 100 * options.pre_queue_share,
      options.bot_addresses, static_cast<double>(sale.on_sale_ns - now_ns()) / 1e9,
      options.threads);
  std::fflush(stdout);

  std::vector<std::thread> threads;
  for (auto& shard : shards) threads.emplace_back([&shard] { shard->run(); });
  watch(sale, options, nodes);
  sale.stopping = true;
  for (auto& shard : shards) shard->stop();
  for (auto& thread : threads) thread.join();
  for (auto& fan : fans) fan.connection.reset();  // while their threads' loops still exist
  const double run_seconds = static_cast<double>(now_ns() - sale.run_start_ns) / 1e9;

  Recorder recorder;
  recorder.run_start_ns = sale.run_start_ns;
  recorder.on_sale_ns = sale.on_sale_ns;
  std::vector<Bot> bots;
  for (auto& shard : shards) {
    recorder.merge(std::move(shard->recorder()));
    bots.insert(bots.end(), shard->bots().begin(), shard->bots().end());
  }
  sample_memory(nodes);
  Checked checked;
  if (options.check) checked = check_sale(sale, options, recorder.orders, fans);
  const bool good = print_report(sale, options, recorder, fans, bots, checked, nodes, run_seconds);
  return good ? 0 : 1;
}

}  // namespace
}  // namespace onsale

int main(int argc, char** argv) {
  onsale::Options o;
  CLI::App app{"The on-sale simulator: a crowd and bots against one event's waiting room"};
  app.add_option("--url", o.urls, "server (or balancer) http://host:port; repeatable")->required();
  app.add_option("--admin-key", o.admin_key, "organizer key")
      ->envname("BOXOFFICE_ADMIN_KEY")
      ->required();
  app.add_option("--sections", o.sections, "stadium sections")->capture_default_str();
  app.add_option("--rows", o.rows, "rows per section")->capture_default_str();
  app.add_option("--seats-per-row", o.seats_per_row, "seats per row")->capture_default_str();
  app.add_option("--max-per-order", o.max_per_order, "the event's max_per_order")
      ->capture_default_str();
  app.add_option("--hold-seconds", o.hold_seconds, "the event's hold_seconds")
      ->capture_default_str();
  app.add_option("--active-limit", o.active_limit, "the room's active_limit")
      ->capture_default_str();
  app.add_option("--admit-per-second", o.admit_per_second, "the room's admit_per_second")
      ->capture_default_str();
  app.add_option("--session-seconds", o.session_seconds, "the room's session_seconds")
      ->capture_default_str();
  app.add_option("--poll-seconds-max", o.poll_seconds_max, "the room's poll_seconds_max")
      ->capture_default_str();
  app.add_option("--fans", o.fans, "fans in the crowd")->capture_default_str();
  app.add_option("--pre-queue-share", o.pre_queue_share, "of the fans, join before the on-sale")
      ->capture_default_str();
  app.add_option("--pre-queue-seconds", o.pre_queue_seconds,
                 "wall s the pre-queue is open before the sale")
      ->capture_default_str();
  app.add_option("--arrival-mean-seconds", o.arrival_mean_seconds,
                 "model s: mean arrival after the on-sale")
      ->capture_default_str();
  app.add_option("--arrival-window-seconds", o.arrival_window_seconds, "model s: latest arrival")
      ->capture_default_str();
  app.add_option("--party-weights", o.party_weights, "weights of 1, 2, ... tickets wanted")
      ->capture_default_str();
  app.add_option("--explicit-share", o.explicit_share, "pick seats on the map, else best available")
      ->capture_default_str();
  app.add_option("--abandon-share", o.abandon_share, "hold, then leave")->capture_default_str();
  app.add_option("--decline-share", o.decline_share, "first card declined")->capture_default_str();
  app.add_option("--think-seconds", o.think_seconds,
                 "model s: mean think before hold and before paying")
      ->capture_default_str();
  app.add_option("--time-compression", o.time_compression, "model seconds per wall second")
      ->capture_default_str();
  app.add_option("--stream-share", o.stream_share, "wait on the status stream instead of polling")
      ->capture_default_str();
  app.add_option("--streams-max", o.streams_max, "status streams open at once")
      ->capture_default_str();
  app.add_option("--poll-open-seconds", o.poll_open_seconds,
                 "wall: the pre-queue polls within this of the open")
      ->capture_default_str();
  app.add_option("--rejoin-seconds", o.rejoin_seconds, "wall: a page joins again after this")
      ->capture_default_str();
  app.add_option("--pick-retries", o.pick_retries, "map picks lost before best available")
      ->capture_default_str();
  app.add_option("--bot-addresses", o.bot_addresses, "bot source addresses")->capture_default_str();
  app.add_option("--bot-join-attempts", o.bot_join_attempts, "joins per bot address")
      ->capture_default_str();
  app.add_option("--bot-hold-attempts", o.bot_hold_attempts,
                 "holds without a token per bot address")
      ->capture_default_str();
  app.add_option("--bot-poll-seconds", o.bot_poll_seconds, "a bot polls each token this often")
      ->capture_default_str();
  app.add_flag("--edge,!--direct", o.edge,
               "fans through an edge's keep-alive connections with X-Forwarded-For (the server "
               "must trust 127.0.0.1/32), or each from its own address")
      ->capture_default_str();
  app.add_option("--threads", o.threads, "event loops")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--kept-connections-max", o.kept_connections_max,
                 "fans near their turn keeping a connection between polls")
      ->capture_default_str();
  app.add_option("--in-flight-max", o.in_flight_max, "joins and polls at once")
      ->capture_default_str();
  app.add_option("--drain-seconds", o.drain_seconds, "wall s after the sell-out for the line")
      ->capture_default_str();
  app.add_option("--run-seconds-max", o.run_seconds_max, "give up after")->capture_default_str();
  app.add_option("--seed", o.seed, "the crowd's random seed")->capture_default_str();
  app.add_option("--payment-ledger", o.payment_ledgers,
                 "a node's test-payments.sqlite; repeatable");
  app.add_option("--node", o.nodes, "NAME=PIDFILE of a server process, for its peak memory");
  app.add_flag("--check,!--no-check", o.check, "read the store back and count anomalies")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (o.drain_seconds < 1.2 * o.poll_seconds_max + 5) {
    std::fprintf(stderr,
                 "onsale: --drain-seconds must leave every fan a poll after the sell-out\n");
    return 2;
  }
  return onsale::run(o);
}
