// The line: fans join, then poll (or stream) their status until admitted or told sold out.
#include "crowd.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "json_fields.hpp"

namespace onsale {
namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr double retry_seconds = 1;  // after a 5xx or no answer
constexpr std::uint8_t rejoins_max = 20;
constexpr std::int64_t urgent_eta_seconds = 30;

LineState line_state_of(std::string_view name) {
  if (name == "pre_queue") return LineState::pre_queue;
  if (name == "waiting") return LineState::waiting;
  if (name == "admitted") return LineState::admitted;
  if (name == "sold_out") return LineState::sold_out;
  return LineState::none;
}

}  // namespace

bool is_done(FanState state) { return state >= FanState::bought; }

Shard::Shard(Sale& sale, const Options& options, std::vector<Fan>& fans, std::uint64_t seed)
    : sale_(sale), options_(options), fans_(fans), random_(seed) {
  recorder_.run_start_ns = sale.run_start_ns;
  recorder_.on_sale_ns = sale.on_sale_ns;
}

void Shard::run() {
  asio::co_spawn(context_, dispatch(), asio::detached);
  for (auto& bot : bots_) asio::co_spawn(context_, run_bot(bot), asio::detached);
  context_.run();
  edge_idle_.clear();  // while their io_context is still there
}

// Starts the wake-ups that are due, as many as the bound on one-shot requests allows, then
// sleeps until the next is due (a wake-up scheduled sooner, or a request's end while at the
// bound, cuts the sleep short): no ticking while nothing is due, which on a virtual machine
// costs a context switch each time.
asio::awaitable<void> Shard::dispatch() {
  asio::steady_timer timer(context_);
  dispatch_timer_ = &timer;
  const auto in_flight_max = std::max<std::uint32_t>(1, options_.in_flight_max / options_.threads);
  constexpr std::int64_t idle_ns = 100'000'000;
  constexpr std::int64_t slack_ns = 1'000'000;  // wake-ups this close together start together
  while (!sale_.stopping) {
    auto now = now_ns();
    for (auto* due = next_due(now + slack_ns); due != nullptr && in_flight_ < in_flight_max;
         due = next_due(now + slack_ns)) {
      const Wake wake = due->top();
      due->pop();
      recorder_.late(now - wake.due_ns);
      if (wake.action != Action::stream) ++in_flight_;
      asio::co_spawn(context_, start(wake), asio::detached);
    }
    now = now_ns();
    const bool at_bound = in_flight_ >= in_flight_max;
    dispatch_wake_ns_ = now + idle_ns;
    for (const auto& wakes : wakes_) {
      if (!at_bound && !wakes.empty())
        dispatch_wake_ns_ = std::min(dispatch_wake_ns_, wakes.top().due_ns);
    }
    timer.expires_after(
        std::chrono::nanoseconds(std::max<std::int64_t>(0, dispatch_wake_ns_ - now)));
    co_await timer.async_wait(use_nothrow);
  }
  dispatch_timer_ = nullptr;
}

asio::awaitable<void> Shard::start(Wake wake) {
  switch (wake.action) {
    case Action::stream:
      co_await wait_on_stream(wake.fan);  // bounded by streams_max, not in_flight_max
      co_return;
    case Action::join:
      co_await join(wake.fan);
      break;
    case Action::poll:
      co_await poll(wake.fan);
      break;
  }
  if (--in_flight_ + 1 >= std::max<std::uint32_t>(1, options_.in_flight_max / options_.threads)) {
    wake_dispatcher();  // it may be waiting for a free place
  }
}

// The urgent wake-ups first: when the tool falls behind, the fans near their turn (who must
// ask for it within 10 s) are not the ones kept waiting.
Shard::Wakes* Shard::next_due(std::int64_t until_ns) {
  for (auto& wakes : wakes_) {
    if (!wakes.empty() && wakes.top().due_ns <= until_ns) return &wakes;
  }
  return nullptr;
}

void Shard::wake_dispatcher() {
  if (dispatch_timer_ != nullptr) dispatch_timer_->cancel();
}

void Shard::schedule(std::uint32_t fan, Action action, double after_seconds, bool urgent) {
  const auto after_ns = static_cast<std::int64_t>(std::max(0.0, after_seconds) * 1e9);
  const auto due = now_ns() + after_ns;
  wakes_[urgent ? 0 : 1].push({due, fan, action});
  if (due < dispatch_wake_ns_) wake_dispatcher();
}

void Shard::finish(std::uint32_t fan, FanState state) {
  fans_[fan].state = state;
  sale_.fans_done.fetch_add(1, std::memory_order_relaxed);
}

Connection Shard::connection_from(std::uint32_t address) {
  const auto& server = sale_.servers[next_server_++ % sale_.servers.size()];
  if (options_.edge)
    return Connection(context_.get_executor(), server, 0, sale_.host, address_text(address));
  return Connection(context_.get_executor(), server, address, sale_.host);
}

// Direct, a connection of its own from the client's address, closed after the answer. Through
// the edge, one of its keep-alive connections, on the client's behalf (one in flight a
// connection: at most in_flight_max of them).
asio::awaitable<Answer> Shard::once(Actor actor, Kind kind, std::uint32_t address,
                                    Request request) {
  if (!options_.edge) {
    auto connection = connection_from(address);
    co_return co_await on(connection, actor, kind, std::move(request), false);
  }
  std::unique_ptr<Connection> connection;
  if (edge_idle_.empty()) {
    connection = std::make_unique<Connection>(connection_from(address));
  } else {
    connection = std::move(edge_idle_.back());
    edge_idle_.pop_back();
    connection->forward_for(address_text(address));
  }
  auto answer = co_await on(*connection, actor, kind, std::move(request));
  edge_idle_.push_back(std::move(connection));  // reopened on next use if the server closed it
  co_return answer;
}

asio::awaitable<Answer> Shard::on(Connection& connection, Actor actor, Kind kind, Request request,
                                  bool keep_alive) {
  const auto started = now_ns();
  auto answer = co_await connection.send(request, keep_alive);
  recorder_.request(actor, kind, started, now_ns(), answer.status);
  co_return answer;
}

asio::awaitable<void> Shard::sleep(double seconds) {
  asio::steady_timer timer(context_);
  timer.expires_after(std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9)));
  co_await timer.async_wait(use_nothrow);
}

double Shard::uniform(double low, double high) {
  return std::uniform_real_distribution<double>(low, high)(random_);
}

// A person's thinking, compressed: half to one and a half times the mean.
double Shard::think_seconds() {
  return uniform(0.5, 1.5) * options_.think_seconds / options_.time_compression;
}

asio::awaitable<void> Shard::join(std::uint32_t fan) {
  Fan& f = fans_[fan];
  f.join_sent_ns = now_ns();
  Request request{.verb = beast::http::verb::post,
                  .target = "/v1/events/" + std::to_string(sale_.event_id) + "/queue"};
  const auto answer = co_await once(Actor::fan, Kind::join, f.address, std::move(request));
  if (sale_.stopping) co_return;
  if (answer.status == 429) co_return schedule(fan, Action::join, answer.retry_after_seconds);
  if (answer.status != 201) co_return schedule(fan, Action::join, retry_seconds);
  f.join_done_ns = now_ns();
  f.first_admitted_ns = 0;  // of this join
  f.last_waiting_sent_ns = 0;
  const auto joined = object_of(answer.body);
  f.queue_token = text_of(joined, "queue_token");
  f.line_state = line_state_of(text_of(joined, "state"));
  f.joined_pre_queue = f.line_state == LineState::pre_queue;
  f.state = FanState::in_line;
  if (f.line_state == LineState::sold_out) co_return finish(fan, FanState::sold_out);
  if (f.streams && sale_.streams_open.load() < options_.streams_max) {
    co_return schedule(fan, Action::stream, 0);
  }
  const bool urgent = f.line_state == LineState::pre_queue ||
                      number_of(joined, "eta_seconds", 0) <= urgent_eta_seconds;
  schedule(fan, Action::poll, poll_interval(joined), urgent);
}

asio::awaitable<void> Shard::poll(std::uint32_t fan) {
  Fan& f = fans_[fan];
  Request request{.target = "/v1/events/" + std::to_string(sale_.event_id) + "/queue/status"};
  request.headers.emplace_back("X-Queue-Token", f.queue_token);
  const auto kept_max =
      std::max<std::uint32_t>(1, options_.kept_connections_max / options_.threads);
  if (!options_.edge && !f.connection && f.near && kept_ < kept_max) {
    f.connection = std::make_unique<Connection>(connection_from(f.address));
    ++kept_;
  }
  const auto sent = now_ns();
  Answer answer;
  if (f.connection) {
    answer = co_await on(*f.connection, Actor::fan, Kind::status, std::move(request));
  } else {
    answer = co_await once(Actor::fan, Kind::status, f.address, std::move(request));
  }
  if (sale_.stopping) co_return;
  after_status(fan, answer, sent, true);
  if (f.connection && (f.state != FanState::in_line || !f.near)) drop_connection(f);
}

void Shard::drop_connection(Fan& fan) {
  fan.connection->close();
  fan.connection.reset();
  --kept_;
}

// When the page asks again, as web/js/queue.js does: after the answer's poll_after_seconds and up
// to a fifth more at random; when that is the open, within poll_open_seconds after it.
double Shard::poll_interval(const boost::json::object& status) {
  const auto after = static_cast<double>(number_of(status, "poll_after_seconds", 3));
  if (line_state_of(text_of(status, "state")) == LineState::pre_queue &&
      after >= static_cast<double>(number_of(status, "eta_seconds", 0))) {
    return after + uniform(0, options_.poll_open_seconds);
  }
  return after * uniform(1, 1.2);
}

void Shard::after_status(std::uint32_t fan, const Answer& answer, std::int64_t sent_ns,
                         bool polled) {
  Fan& f = fans_[fan];
  if (answer.status == 429 || answer.status == 0 || answer.status >= 500) {
    sale_.retries.fetch_add(1, std::memory_order_relaxed);
    const double after = answer.status == 429 ? answer.retry_after_seconds : retry_seconds;
    if (polled) schedule(fan, Action::poll, after);
    return;
  }
  if (answer.status != 200) {  // 410 session ended (a turn not claimed in time), 403
    if (f.first_admitted_ns == 0) sale_.skipped.fetch_add(1, std::memory_order_relaxed);
    f.line_state = LineState::ended;
    if (f.rejoins >= rejoins_max) return finish(fan, FanState::gave_up);
    ++f.rejoins;
    sale_.rejoins.fetch_add(1, std::memory_order_relaxed);
    return schedule(fan, Action::join, options_.rejoin_seconds);
  }
  const auto status = object_of(answer.body);
  f.line_state = line_state_of(text_of(status, "state"));
  const auto now = now_ns();
  switch (f.line_state) {
    case LineState::admitted:
      if (f.first_admitted_ns == 0) f.first_admitted_ns = now;
      f.state = FanState::shopping;
      asio::co_spawn(context_, shop(fan, text_of(status, "access_token")), asio::detached);
      return;
    case LineState::sold_out: {
      std::int64_t unset = 0;
      sale_.sold_out_told_ns.compare_exchange_strong(unset, now);
      return finish(fan, FanState::sold_out);
    }
    case LineState::waiting:
      // Only a poll's answer is as of its sending: a stream's status may be a second old.
      if (polled) f.last_waiting_sent_ns = sent_ns;
      break;
    default:
      break;
  }
  // Near its turn (or at the open, for the pre-queue, whose places are drawn then).
  f.near = f.line_state == LineState::waiting &&
           number_of(status, "eta_seconds", 0) <= urgent_eta_seconds;
  const bool urgent = f.near || f.line_state == LineState::pre_queue;
  if (polled) schedule(fan, Action::poll, poll_interval(status), urgent);
}

asio::awaitable<void> Shard::wait_on_stream(std::uint32_t fan) {
  Fan& f = fans_[fan];
  sale_.streams_open.fetch_add(1);
  auto connection = connection_from(f.address);
  EventStream stream(connection);
  const auto target = "/v1/events/" + std::to_string(sale_.event_id) +
                      "/queue/status/stream?token=" + f.queue_token;
  const auto started = now_ns();
  const auto status = co_await stream.open(target);
  recorder_.request(Actor::fan, Kind::stream, started, now_ns(), status);
  while (status == 200 && !sale_.stopping && f.state == FanState::in_line) {
    const auto event = co_await stream.next();
    if (!event || sale_.stopping) break;
    Answer answer{.status = 200, .body = event->data};
    if (event->event == "error") {
      const auto problem = problem_of(event->data);
      answer.status = problem == "queue-session-ended" ? 410 : 403;
    }
    after_status(fan, answer, now_ns(), false);
  }
  connection.close();
  sale_.streams_open.fetch_sub(1);
  // A stream that ended while the fan is still in line: the page polls instead.
  if (!sale_.stopping && f.state == FanState::in_line && f.line_state != LineState::ended) {
    schedule(fan, Action::poll, options_.rejoin_seconds);
  }
}

}  // namespace onsale
