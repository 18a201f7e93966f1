// boxoffice_sse_load: a subscriber load tool for server-sent event streams (bench/sse_bench.sh).
//
// Opens `--subscribers` HTTP/1.1 GETs of a stream URL, spread over `--threads` threads (one
// io_context each, so epoll; many connections per thread), and reads `text/event-stream` from
// each (plain or chunked). Once every subscriber's answer has started, the tool makes the
// changes itself: `--changes` POSTs to `--trigger-url`, one every `--interval-ms` whatever the
// answers (open-loop, over a few keep-alive connections, from a thread of its own). Change i's body
// is `--body` with `{i}` replaced, and it names the marker `--marker` with `{i}` replaced (for
// boxoffice a seat id, held by the POST).
//
// A change counts as delivered to a subscriber when a message's data lists its marker in a
// `"seats":[…]` array (boxoffice's delta; the nchan run publishes the same JSON). Its delay is
// the time the read that completed the message returned, minus the time the tool started to
// write that change's POST: what a browser waits, from the click that made the change to the
// seat map that shows it, with the tool's own reading included. Delays are kept as raw
// arrival times per thread and computed at the end, so the threads share nothing but counters.
//
// Prints p50/p99/max of the delays over all subscribers × changes, the changes and messages each
// subscriber got (every subscriber must get every change), and a `RESULT` line for scripts.
// Limits: connects in flight (`--connect-concurrency`), how long to wait for the subscribers
// to start (`--ready-seconds`) and for the last deliveries (`--drain-seconds`).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t read_chunk_bytes = 64 * 1024;          // one read, per thread's buffer
constexpr std::size_t header_bytes_max = 16 * 1024;          // an answer's header
constexpr std::size_t message_bytes_max = 16 * 1024 * 1024;  // one SSE message (a snapshot)

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

struct Url {
  std::string host;
  std::string port;
  std::string target;  // path and query
};

std::optional<Url> parse_url(std::string_view text) {
  constexpr std::string_view scheme = "http://";
  if (!text.starts_with(scheme)) return std::nullopt;
  text.remove_prefix(scheme.size());
  const auto slash = text.find('/');
  const std::string_view authority = text.substr(0, slash);
  Url url;
  url.target = slash == std::string_view::npos ? "/" : std::string(text.substr(slash));
  const auto colon = authority.rfind(':');
  url.host = std::string(authority.substr(0, colon));
  url.port = colon == std::string_view::npos ? "80" : std::string(authority.substr(colon + 1));
  if (url.host.empty() || url.port.empty()) return std::nullopt;
  return url;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

struct Options {
  std::string url;
  std::string trigger_url;
  std::string body = R"({"seats":["{i}"]})";
  std::string marker = "{i}";
  std::size_t subscribers = 1000;
  std::size_t threads = 1;
  std::size_t changes = 200;
  std::size_t interval_ms = 10;
  std::size_t connect_concurrency = 256;
  std::size_t trigger_connections = 64;
  std::size_t ready_seconds = 120;
  std::size_t drain_seconds = 10;
};

// What all threads read and never write after start (the markers), or count atomically.
struct Shared {
  Url url;
  tcp::endpoint endpoint;
  std::string request;  // the GET
  std::unordered_map<std::string, std::uint32_t> change_of_marker;
  std::size_t changes = 0;
  std::atomic<std::size_t> started = 0;   // answers with a 200 header
  std::atomic<std::size_t> failed = 0;    // connects or answers that went wrong
  std::atomic<std::size_t> complete = 0;  // subscribers that got every change
  std::atomic<bool> stopping = false;
};

struct Subscriber {
  std::vector<bool> got;  // per change
  std::uint32_t changes_got = 0;
  std::uint32_t messages = 0;
  bool started = false;
  bool ended = false;  // the server closed the stream, or a read failed
};

// One thread's subscribers, its reading buffer and the arrivals it saw.
struct Shard {
  asio::io_context context{1};
  std::vector<Subscriber> subscribers;
  std::vector<char> buffer = std::vector<char>(read_chunk_bytes);
  std::vector<std::pair<std::uint32_t, std::int64_t>> arrivals;  // (change, arrival ns)
};

// Reads text/event-stream bytes of one connection: de-chunks when asked, splits messages and
// records the markers their data lists.
class StreamReader {
 public:
  StreamReader(Shared& shared, Shard& shard, Subscriber& subscriber, bool chunked)
      : shared_(shared), shard_(shard), subscriber_(subscriber), chunked_(chunked) {}

  // Feeds bytes that arrived at `arrival_ns`. false: the stream is malformed or too large.
  bool feed(std::string_view bytes, std::int64_t arrival_ns) {
    if (!chunked_) {
      append_sse(bytes);
    } else if (!dechunk(bytes)) {
      return false;
    }
    return split_messages(arrival_ns);
  }

 private:
  // SSE lines may end with \r\n: dropping every \r makes them \n (neither server sends a lone \r).
  void append_sse(std::string_view bytes) {
    for (const char c : bytes) {
      if (c != '\r') sse_.push_back(c);
    }
  }

  bool dechunk(std::string_view bytes) {
    while (!bytes.empty()) {
      if (chunk_left_ > 0) {
        const auto take = std::min<std::size_t>(chunk_left_, bytes.size());
        append_sse(bytes.substr(0, take));
        bytes.remove_prefix(take);
        chunk_left_ -= take;
        continue;
      }
      // A size line (after a chunk, its CRLF comes first: an empty line, skipped).
      const auto end = bytes.find('\n');
      line_.append(bytes.substr(0, end));
      if (line_.size() > 64) return false;
      if (end == std::string_view::npos) return true;
      bytes.remove_prefix(end + 1);
      std::string_view line = line_;
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
      if (!line.empty()) {
        std::size_t size = 0;
        for (const char c : line) {
          if (c == ';') break;
          const int digit =
              std::isxdigit(static_cast<unsigned char>(c))
                  ? (std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 0x20) - 'a' + 10)
                  : -1;
          if (digit < 0) return false;
          size = size * 16 + static_cast<std::size_t>(digit);
        }
        chunk_left_ = size;
      }
      line_.clear();
    }
    return true;
  }

  bool split_messages(std::int64_t arrival_ns) {
    std::size_t begin = 0;
    for (auto end = sse_.find("\n\n"); end != std::string::npos; end = sse_.find("\n\n", begin)) {
      on_message(std::string_view(sse_).substr(begin, end - begin), arrival_ns);
      begin = end + 2;
    }
    sse_.erase(0, begin);
    return sse_.size() <= message_bytes_max;
  }

  void on_message(std::string_view message, std::int64_t arrival_ns) {
    bool has_data = false;
    while (!message.empty()) {
      const auto end = message.find('\n');
      const std::string_view line = message.substr(0, end);
      message.remove_prefix(end == std::string_view::npos ? message.size() : end + 1);
      if (!line.starts_with("data:")) continue;
      has_data = true;
      record_markers(line.substr(5), arrival_ns);
    }
    if (has_data) ++subscriber_.messages;
  }

  // Every string of every "seats":[…] array in the data.
  void record_markers(std::string_view data, std::int64_t arrival_ns) {
    constexpr std::string_view key = "\"seats\":[";
    for (auto at = data.find(key); at != std::string_view::npos; at = data.find(key, at)) {
      at += key.size();
      while (at < data.size() && data[at] == '"') {
        const auto close = data.find('"', at + 1);
        if (close == std::string_view::npos) return;
        record(data.substr(at + 1, close - at - 1), arrival_ns);
        at = close + 1;
        if (at < data.size() && data[at] == ',') ++at;
      }
    }
  }

  void record(std::string_view marker, std::int64_t arrival_ns) {
    marker_.assign(marker);
    const auto found = shared_.change_of_marker.find(marker_);
    if (found == shared_.change_of_marker.end()) return;
    const auto change = found->second;
    if (subscriber_.got[change]) return;
    subscriber_.got[change] = true;
    shard_.arrivals.emplace_back(change, arrival_ns);
    if (++subscriber_.changes_got == shared_.changes) {
      shared_.complete.fetch_add(1, std::memory_order_relaxed);
    }
  }

  Shared& shared_;
  Shard& shard_;
  Subscriber& subscriber_;
  const bool chunked_;
  std::size_t chunk_left_ = 0;
  std::string line_;    // a chunk-size line read in part
  std::string sse_;     // event-stream text not yet split into messages
  std::string marker_;  // lookup key, reused
};

// The answer's header, read from `pending` (which keeps what follows it). nullopt: not 200, or
// not an event stream, or too large.
struct Header {
  bool chunked = false;
};

std::optional<Header> parse_header(std::string_view text) {
  if (!text.starts_with("HTTP/1.1 200") && !text.starts_with("HTTP/1.0 200")) return std::nullopt;
  std::string lower(text);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.find("content-type: text/event-stream") == std::string::npos) return std::nullopt;
  return Header{lower.find("transfer-encoding: chunked") != std::string::npos};
}

// Reads one subscriber's stream until the tool stops or the server ends it.
asio::awaitable<void> read_stream(Shared& shared, Shard& shard, Subscriber& subscriber,
                                  tcp::socket socket, StreamReader reader, std::string rest) {
  bool ok = reader.feed(rest, now_ns());
  while (ok && !shared.stopping.load(std::memory_order_relaxed)) {
    // Wait for readability, then read into the thread's buffer: no buffer per connection.
    auto [wait_error] = co_await socket.async_wait(tcp::socket::wait_read, use_nothrow);
    if (wait_error) break;
    boost::system::error_code error;
    const auto size = socket.read_some(asio::buffer(shard.buffer), error);
    if (error == asio::error::would_block) continue;
    if (error || size == 0) break;
    ok = reader.feed(std::string_view(shard.buffer.data(), size), now_ns());
  }
  subscriber.ended = true;
}

// Connects a subscriber and reads its answer's header; then its stream is read by its own
// coroutine. false: it failed (counted).
asio::awaitable<bool> open_stream(Shared& shared, Shard& shard, Subscriber& subscriber) {
  tcp::socket socket(shard.context);
  auto [connect_error] = co_await socket.async_connect(shared.endpoint, use_nothrow);
  if (connect_error) co_return false;
  socket.set_option(tcp::no_delay(true));
  const auto request = asio::buffer(shared.request);
  auto [write_error, written] = co_await asio::async_write(socket, request, use_nothrow);
  if (write_error) co_return false;
  std::string pending;
  std::size_t header_end = std::string::npos;
  while (header_end == std::string::npos) {
    const auto into = asio::buffer(shard.buffer);
    auto [read_error, size] = co_await socket.async_read_some(into, use_nothrow);
    if (read_error) co_return false;
    pending.append(shard.buffer.data(), size);
    header_end = pending.find("\r\n\r\n");
    if (header_end == std::string::npos && pending.size() > header_bytes_max) co_return false;
  }
  const auto header = parse_header(std::string_view(pending).substr(0, header_end));
  if (!header) co_return false;
  socket.non_blocking(true);
  subscriber.started = true;
  shared.started.fetch_add(1, std::memory_order_relaxed);
  StreamReader reader(shared, shard, subscriber, header->chunked);
  std::string rest = pending.substr(header_end + 4);
  asio::co_spawn(
      shard.context,
      read_stream(shared, shard, subscriber, std::move(socket), std::move(reader), std::move(rest)),
      asio::detached);
  co_return true;
}

// Opens subscribers first, second, ... of the shard's, `step` apart: one of the shard's
// concurrent openers.
asio::awaitable<void> opener(Shared& shared, Shard& shard, std::size_t first, std::size_t step) {
  for (std::size_t i = first; i < shard.subscribers.size(); i += step) {
    if (shared.stopping.load(std::memory_order_relaxed)) co_return;
    const bool opened = co_await open_stream(shared, shard, shard.subscribers[i]);
    if (!opened) shared.failed.fetch_add(1, std::memory_order_relaxed);
  }
}

struct TriggerResult {
  std::vector<std::int64_t> sent_ns;      // per change; 0 when never sent
  std::vector<std::int64_t> answered_ns;  // per change: its answer's round trip; 0 if none
  std::size_t answered_2xx = 0;
  std::string error;
};

// Makes the changes open-loop: change i is written at start + i × interval whatever the answers
// to earlier ones, so both servers get the same burst. One of `--trigger-connections` keep-alive
// connections, each making changes first, first + step, …; its send time is taken just before
// its request is written. A connection waits for its previous answer only when more than
// `step` changes are unanswered.
asio::awaitable<void> trigger_connection(const Options& options, const Url& url,
                                         Clock::time_point start, std::size_t first,
                                         std::size_t step, TriggerResult& result) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  beast::tcp_stream stream(executor);
  beast::flat_buffer buffer;
  const auto period = std::chrono::milliseconds(options.interval_ms);
  asio::steady_timer timer(executor);
  bool connected = false;
  auto fail = [&result](std::string error) {
    if (result.error.empty()) result.error = std::move(error);
  };
  for (std::size_t i = first; i < options.changes; i += step) {
    if (!connected) {
      auto [resolve_error, endpoints] =
          co_await resolver.async_resolve(url.host, url.port, use_nothrow);
      if (resolve_error) co_return fail(resolve_error.message());
      auto [connect_error, endpoint] = co_await stream.async_connect(endpoints, use_nothrow);
      if (connect_error) co_return fail(connect_error.message());
      stream.socket().set_option(tcp::no_delay(true));
      connected = true;
    }
    http::request<http::string_body> request{http::verb::post, url.target, 11};
    request.set(http::field::host, url.host + ":" + url.port);
    request.set(http::field::content_type, "application/json");
    request.body() = replace_all(options.body, "{i}", std::to_string(i));
    request.prepare_payload();
    timer.expires_at(start + period * static_cast<long>(i));
    co_await timer.async_wait(use_nothrow);
    result.sent_ns[i] = now_ns();
    auto [write_error, written] = co_await http::async_write(stream, request, use_nothrow);
    if (write_error) co_return fail(write_error.message());
    http::response<http::string_body> response;
    auto [read_error, read] = co_await http::async_read(stream, buffer, response, use_nothrow);
    if (read_error) co_return fail(read_error.message());
    result.answered_ns[i] = now_ns() - result.sent_ns[i];
    if (response.result_int() / 100 == 2) {
      ++result.answered_2xx;
    } else {
      fail("change " + std::to_string(i) + ": HTTP " + std::to_string(response.result_int()) + " " +
           response.body());
    }
    if (!response.keep_alive()) {
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream.close();
      connected = false;
    }
  }
}

double ms(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

int run(const Options& options) {
  Shared shared;
  const auto url = parse_url(options.url);
  const auto trigger_url = parse_url(options.trigger_url);
  if (!url || !trigger_url) {
    std::fprintf(stderr, "sse_load: URLs must be http://host[:port]/path\n");
    return 2;
  }
  shared.url = *url;
  {
    asio::io_context context;
    tcp::resolver resolver(context);
    boost::system::error_code error;
    const auto endpoints = resolver.resolve(url->host, url->port, error);
    if (error || endpoints.empty()) {
      std::fprintf(stderr, "sse_load: cannot resolve %s\n", url->host.c_str());
      return 2;
    }
    shared.endpoint = endpoints.begin()->endpoint();
  }
  shared.request = "GET " + url->target + " HTTP/1.1\r\nHost: " + url->host + ":" + url->port +
                   "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n";
  shared.changes = options.changes;
  for (std::size_t i = 0; i < options.changes; ++i) {
    shared.change_of_marker.emplace(replace_all(options.marker, "{i}", std::to_string(i)),
                                    static_cast<std::uint32_t>(i));
  }

  // Subscribers, round-robin over the threads' shards.
  std::vector<std::unique_ptr<Shard>> shards;
  for (std::size_t t = 0; t < options.threads; ++t) shards.push_back(std::make_unique<Shard>());
  for (std::size_t s = 0; s < options.subscribers; ++s) {
    auto& subscribers = shards[s % options.threads]->subscribers;
    subscribers.emplace_back().got.assign(options.changes, false);
  }
  const std::size_t openers_per_shard =
      std::max<std::size_t>(1, options.connect_concurrency / options.threads);
  std::vector<std::thread> threads;
  const auto opening_start = Clock::now();
  for (auto& shard : shards) {
    shard->arrivals.reserve(shard->subscribers.size() * options.changes);
    for (std::size_t o = 0; o < openers_per_shard; ++o) {
      asio::co_spawn(shard->context, opener(shared, *shard, o, openers_per_shard), asio::detached);
    }
    threads.emplace_back([&context = shard->context] {
      auto guard = asio::make_work_guard(context);
      context.run();
    });
  }

  // Every subscriber started (or failed), or time is up.
  const auto ready_deadline = Clock::now() + std::chrono::seconds(options.ready_seconds);
  while (shared.started + shared.failed < options.subscribers && Clock::now() < ready_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double opening_s = std::chrono::duration<double>(Clock::now() - opening_start).count();
  std::printf("subscribers: %zu of %zu started in %.1f s (%zu failed), %zu thread(s)\n",
              shared.started.load(), options.subscribers, opening_s, shared.failed.load(),
              options.threads);
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let snapshots be read

  // The changes, from a thread of their own.
  TriggerResult triggered;
  triggered.sent_ns.assign(options.changes, 0);
  triggered.answered_ns.assign(options.changes, 0);
  {
    asio::io_context context;
    const auto step = std::min(options.trigger_connections, options.changes);
    const auto start = Clock::now() + std::chrono::milliseconds(100);  // after the connects
    for (std::size_t c = 0; c < step; ++c) {
      asio::co_spawn(context, trigger_connection(options, *trigger_url, start, c, step, triggered),
                     asio::detached);
    }
    context.run();
  }
  const auto last_sent = now_ns();
  const auto drain_deadline = Clock::now() + std::chrono::seconds(options.drain_seconds);
  while (shared.complete < shared.started && Clock::now() < drain_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto drained = now_ns();
  shared.stopping = true;
  for (auto& shard : shards) shard->context.stop();
  for (auto& thread : threads) thread.join();

  // The figures.
  std::vector<std::int64_t> delays;
  delays.reserve(options.subscribers * options.changes);
  for (const auto& shard : shards) {
    for (const auto& [change, arrival] : shard->arrivals) {
      if (triggered.sent_ns[change] != 0) delays.push_back(arrival - triggered.sent_ns[change]);
    }
  }
  std::uint32_t changes_min = UINT32_MAX, changes_max = 0, messages_min = UINT32_MAX,
                messages_max = 0;
  std::size_t ended = 0;
  for (const auto& shard : shards) {
    for (const auto& subscriber : shard->subscribers) {
      changes_min = std::min(changes_min, subscriber.changes_got);
      changes_max = std::max(changes_max, subscriber.changes_got);
      messages_min = std::min(messages_min, subscriber.messages);
      messages_max = std::max(messages_max, subscriber.messages);
      ended += subscriber.ended ? 1 : 0;
    }
  }
  const auto sent = static_cast<std::size_t>(std::count_if(
      triggered.sent_ns.begin(), triggered.sent_ns.end(), [](auto t) { return t != 0; }));
  const double sending_s =
      sent == 0 ? 0.0 : ms(triggered.sent_ns[sent - 1] - triggered.sent_ns[0]) / 1e3;
  std::printf("changes: %zu of %zu sent over %.2f s, %zu answered 2xx%s%s\n", sent, options.changes,
              sending_s, triggered.answered_2xx,
              triggered.error.empty() ? "" : "; first error: ", triggered.error.c_str());
  std::printf(
      "delivered: %zu of %zu (subscribers × changes); %zu subscriber(s) got every change; "
      "last delivery %.0f ms after the last answer; %zu stream(s) ended early\n",
      delays.size(), options.subscribers * options.changes, shared.complete.load(),
      ms(drained - last_sent), ended);
  std::printf("per subscriber: changes %u–%u, messages %u–%u (a snapshot counts as one)\n",
              changes_min, changes_max, messages_min, messages_max);
  if (delays.empty()) {
    std::printf("RESULT p50_ms=nan p99_ms=nan max_ms=nan complete=0/%zu\n", options.subscribers);
    return 1;
  }
  auto percentile = [&delays](double p) {
    const auto at = std::min(delays.size() - 1,
                             static_cast<std::size_t>(p * static_cast<double>(delays.size())));
    std::nth_element(delays.begin(), delays.begin() + static_cast<long>(at), delays.end());
    return ms(delays[at]);
  };
  const double p50 = percentile(0.50);
  const double p99 = percentile(0.99);
  const double max = ms(*std::max_element(delays.begin(), delays.end()));
  std::printf("delay (arrival − send of the change): p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", p50,
              p99, max);
  // How long the changes themselves took: a server busy sending answers them late, and that
  // lateness is part of every delay above.
  std::vector<std::int64_t> answers;
  for (const auto t : triggered.answered_ns) {
    if (t != 0) answers.push_back(t);
  }
  if (!answers.empty()) {
    std::sort(answers.begin(), answers.end());
    std::printf("the changes' answers took: p50 %.1f ms, max %.1f ms\n",
                ms(answers[answers.size() / 2]), ms(answers.back()));
  }
  std::printf("RESULT p50_ms=%.1f p99_ms=%.1f max_ms=%.1f complete=%zu/%zu\n", p50, p99, max,
              shared.complete.load(), options.subscribers);
  const bool all = shared.complete == options.subscribers && sent == options.changes;
  return all ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"Opens many SSE subscribers, makes changes itself, and measures their delay"};
  app.add_option("--url", options.url, "stream URL, http://host:port/path")->required();
  app.add_option("--trigger-url", options.trigger_url, "URL each change is POSTed to")->required();
  app.add_option("--body", options.body, "change i's POST body; {i} is replaced")
      ->capture_default_str();
  app.add_option("--marker", options.marker,
                 "change i's marker in a \"seats\" array; {i} is replaced")
      ->capture_default_str();
  app.add_option("--subscribers", options.subscribers, "streams to open")->capture_default_str();
  app.add_option("--threads", options.threads, "threads reading the streams")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--changes", options.changes, "changes to make")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  app.add_option("--interval-ms", options.interval_ms, "between two changes")
      ->capture_default_str();
  app.add_option("--connect-concurrency", options.connect_concurrency, "connects in flight")
      ->capture_default_str()
      ->check(CLI::Range(1, 100'000));
  app.add_option("--trigger-connections", options.trigger_connections,
                 "connections the changes are spread over (open-loop)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000));
  app.add_option("--ready-seconds", options.ready_seconds, "to wait for every stream to start")
      ->capture_default_str();
  app.add_option("--drain-seconds", options.drain_seconds,
                 "to wait for deliveries after the last change")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return run(options);
}
