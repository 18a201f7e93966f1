// The crowd: fans and bots as state machines, multiplexed over one event loop per thread.
//
// A fan in line is data, not a coroutine: a Fan record and a wake-up in its thread's queue
// (`Shard::wakes`, a heap by due time). The thread's dispatcher starts each due wake-up (a
// join, a poll or a status stream) as a short task, at most `in_flight_max` at once across
// threads; when a fan is admitted, a coroutine of its own (`shop`) takes it through picking,
// holding, thinking, paying, and ends. So memory is a record per fan (about 150 bytes) and a
// coroutine per shopper, whatever the length of the line.
//
// Connections: a fan in line opens a connection for each request (`Connection: close`, from
// its own address): half a million people waiting can't each keep one open in one process of
// 20,000 descriptors. Near its turn, when it polls every few seconds, it keeps one between
// polls, up to `kept_connections_max` such fans at once. A shopper keeps one keep-alive connection
// for its whole visit; a streaming fan keeps its stream's; each bot address keeps a few (a bounded
// pool per address).
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "http_client.hpp"
#include "options.hpp"
#include "seat_picker.hpp"
#include "stats.hpp"

namespace onsale {

enum class FanState : std::uint8_t {
  arriving,   // not joined yet
  in_line,    // joined, polling or streaming
  shopping,   // admitted: picking, holding, paying
  bought,     // done: an order answered 201
  sold_out,   // done: the line said sold_out
  gave_up,    // done: admitted but found nothing, or the session or hold was lost
  abandoned,  // done: held seats and walked away
};

enum class LineState : std::uint8_t { none, pre_queue, waiting, admitted, sold_out, ended };

struct Fan {
  std::uint32_t address = 0;  // its own loopback address (host order)
  std::uint8_t party = 1;     // tickets wanted
  bool explicit_pick = false;
  bool abandons = false;
  bool declines = false;
  bool streams = false;
  FanState state = FanState::arriving;
  LineState line_state = LineState::none;  // its latest answer from the room
  bool joined_pre_queue = false;           // its latest join was answered pre_queue
  std::uint8_t rejoins = 0;
  std::string queue_token;
  std::int64_t arrive_ns = 0;
  std::int64_t join_sent_ns = 0;  // of the latest join
  std::int64_t join_done_ns = 0;
  std::int64_t first_admitted_ns = 0;     // when an answer first said admitted
  std::int64_t last_waiting_sent_ns = 0;  // when the latest poll answered "waiting" was sent
  bool near = false;                      // its latest answer's wait was short: it polls often
  // Kept between polls while it is near its turn, as many as `kept_connections_max` allows.
  std::unique_ptr<Connection> connection;
};

bool is_done(FanState state);

// What every thread reads (set before they start), and the few counters they share.
struct Sale {
  std::int64_t event_id = 0;
  std::vector<tcp::endpoint> servers;
  std::string host;  // the Host header
  Layout layout;
  std::int64_t pre_queue_opens_ns = 0;  // steady clock
  std::int64_t on_sale_ns = 0;
  std::int64_t run_start_ns = 0;
  std::atomic<std::uint64_t> tickets_sold = 0;     // from the crowd's 201s
  std::atomic<std::int64_t> sold_out_ns = 0;       // when those reached seats_total
  std::atomic<std::int64_t> sold_out_told_ns = 0;  // the first sold_out status seen
  // The first time a fan asking for any one seat was told none was left (every seat sold or
  // held): from then on the sale waits on holds that come back (abandoned, expired).
  std::atomic<std::int64_t> ran_out_ns = 0;
  std::atomic<std::uint64_t> sold_when_ran_out = 0;
  std::atomic<std::uint32_t> streams_open = 0;
  std::atomic<std::uint64_t> fans_done = 0;
  std::atomic<std::uint32_t> bots_done = 0;
  std::atomic<bool> stopping = false;
  // Counts of what happened to fans, for the report.
  std::atomic<std::uint64_t> rejoins = 0, skipped = 0, declined = 0, released = 0, walked_away = 0,
                             pick_conflicts = 0, retries = 0;
};

enum class Action : std::uint8_t { join, poll, stream };

struct Wake {
  std::int64_t due_ns;
  std::uint32_t fan;
  Action action;
  bool operator>(const Wake& other) const { return due_ns > other.due_ns; }
};

struct Bot {
  std::uint32_t address = 0;
  std::vector<std::string> tokens;  // queue tokens it got and is polling
  std::uint32_t admitted = 0;
  std::uint32_t orders = 0;
  std::uint32_t holds_granted = 0;  // without an access token: must stay 0
  bool sold_out = false;
};

// One thread's fans and bots, its event loop and its records.
class Shard {
 public:
  Shard(Sale& sale, const Options& options, std::vector<Fan>& fans, std::uint64_t seed);

  void add_fan(std::uint32_t fan) { wakes_[1].push({fans_[fan].arrive_ns, fan, Action::join}); }
  void add_bot(std::uint32_t address) { bots_.push_back(Bot{.address = address}); }
  // Starts the dispatcher and the bots; runs the loop until `sale.stopping`.
  void run();
  void stop() { context_.stop(); }
  Recorder& recorder() { return recorder_; }
  const std::vector<Bot>& bots() const { return bots_; }

 private:
  asio::awaitable<void> dispatch();
  asio::awaitable<void> start(Wake wake);
  asio::awaitable<void> join(std::uint32_t fan);
  asio::awaitable<void> poll(std::uint32_t fan);
  asio::awaitable<void> wait_on_stream(std::uint32_t fan);
  asio::awaitable<void> shop(std::uint32_t fan, std::string access_token);
  struct Held {
    std::string hold_id;
    std::vector<std::string> seats;
  };
  enum class HoldEnd { held, nothing_left, session_gone, failed };
  asio::awaitable<HoldEnd> hold_seats(std::uint32_t fan, Connection& connection,
                                      const std::string& access_token, Held& held);
  asio::awaitable<std::optional<std::vector<bool>>> look_at_map(Connection& connection,
                                                                Actor actor);
  enum class PayEnd { paid, declined, failed };
  asio::awaitable<PayEnd> pay(Connection& connection, Actor actor, const Held& held,
                              const std::string& card, const std::string& key);
  asio::awaitable<void> run_bot(Bot& bot);
  asio::awaitable<void> bot_floods(Bot& bot);
  asio::awaitable<void> bot_polls(Bot& bot);
  asio::awaitable<void> bot_buys(Bot& bot, Connection& connection, std::string access_token);

  // A one-shot request from `address`, timed and counted.
  asio::awaitable<Answer> once(Actor actor, Kind kind, std::uint32_t address, Request request);
  // A request on a kept connection, timed and counted.
  asio::awaitable<Answer> on(Connection& connection, Actor actor, Kind kind, Request request,
                             bool keep_alive = true);
  // A connection for the client at `address`: from it, or through the edge on its behalf.
  Connection connection_from(std::uint32_t address);
  void schedule(std::uint32_t fan, Action action, double after_seconds, bool urgent = false);
  void wake_dispatcher();
  void drop_connection(Fan& fan);
  // Takes in a status answer (a poll's, or a stream's event as 200 or its error's status);
  // after a poll (`polled`), schedules what the fan does next.
  void after_status(std::uint32_t fan, const Answer& answer, std::int64_t sent_ns, bool polled);
  double poll_interval(const boost::json::object& status);
  void finish(std::uint32_t fan, FanState state);
  void ran_out();  // a fan's "any one seat" found none
  asio::awaitable<void> sleep(double seconds);
  double think_seconds();
  double uniform(double low, double high);

  Sale& sale_;
  const Options& options_;
  std::vector<Fan>& fans_;
  std::vector<Bot> bots_;
  Recorder recorder_;
  std::mt19937_64 random_;
  using Wakes = std::priority_queue<Wake, std::vector<Wake>, std::greater<>>;
  std::array<Wakes, 2> wakes_;  // urgent, then the others
  Wakes* next_due(std::int64_t until_ns);
  std::uint32_t next_server_ = 0;
  // The edge's idle keep-alive connections, for one-shot requests (joins, polls).
  std::vector<std::unique_ptr<Connection>> edge_idle_;
  std::uint32_t in_flight_ = 0;                   // one-shot requests of this thread's fans
  std::uint32_t kept_ = 0;                        // fans' connections kept between polls
  asio::steady_timer* dispatch_timer_ = nullptr;  // while the dispatcher sleeps on it
  std::int64_t dispatch_wake_ns_ = 0;             // when it will wake by itself
  // Last: destroyed first, with the coroutines still pending in it, while what they refer to
  // is still there.
  asio::io_context context_{1};
};

}  // namespace onsale
