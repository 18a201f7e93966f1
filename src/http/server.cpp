// How a connection is served, and why it is shaped this way.
//
// The hot path is a keep-alive client asking for a cached page: the whole request arrives in
// one read and the whole answer leaves in one write. On that path the server does one
// asynchronous read, parses the bytes synchronously with Beast's parser (`put`), calls the
// handler, and writes the answer with one non-blocking `send` on the socket, falling back to
// an asynchronous write only for what the kernel did not take. Beast's composed read and
// write operations and its stream timeouts cost more than the rest of such a request
// together, so they are not used.
//
// Deadlines: each connection has one watchdog coroutine and one timer. The connection sets
// its current deadline (idle, request, write) by storing a time point; the watchdog sleeps
// until the deadline it armed, and on waking either re-arms for a deadline that moved later,
// or marks the connection timed out and cancels its socket operations. Only a deadline that
// moves earlier wakes it at once. So a request costs no timer operation at all, and a
// timed-out read is cancelled, not closed: the client can still be told 408.
#include "http/server.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/core/string.hpp>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <iterator>
#include <limits>
#include <optional>
#include <utility>

#include "core/check.hpp"
#include "http/client_address.hpp"
#include "http/problem.hpp"

namespace boxoffice::http {
namespace {

using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Parser = bhttp::request_parser<bhttp::string_body>;
using Buffers = std::array<asio::const_buffer, 2>;  // status line and fields, then the body
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

constexpr std::size_t read_bytes_max = 64 * 1024;         // asked of one read
constexpr std::size_t buffer_bytes_kept_max = 64 * 1024;  // more is given back when idle
constexpr auto linger_time_ms = std::chrono::milliseconds(2'000);
constexpr std::size_t linger_bytes_max = 64 << 20;
constexpr auto accept_pause_ms = std::chrono::milliseconds(50);
// Connections taken at once from a worker's queue of waiting ones: see accept_loop.
constexpr int accept_batch_max = 64;

// SO_REUSEPORT: several acceptors on one port, one per worker thread.
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// One open connection: what its serving coroutine and its watchdog share. Both run on the
// connection's thread, so nothing here needs a lock.
struct Connection {
  Connection(tcp::socket accepted, const asio::ip::address& peer)
      : socket(std::move(accepted)), timer(socket.get_executor()), peer(peer) {}

  // The connection must be done with its current step by `deadline`.
  void expire_at(Clock::time_point deadline_new) {
    deadline = deadline_new;
    if (deadline_new < armed) {
      armed = deadline_new;
      timer.cancel();  // wakes the watchdog to arm the earlier deadline
    }
  }
  void expire_never() { deadline = Clock::time_point::max(); }

  tcp::socket socket;
  beast::flat_buffer buffer;  // reused across the requests of the connection
  asio::steady_timer timer;
  asio::ip::address peer;
  Clock::time_point deadline = Clock::time_point::max();
  Clock::time_point armed = Clock::time_point::max();  // what the watchdog sleeps until
  bool timed_out = false;  // the watchdog cancelled the socket's operations
  bool closed = false;     // the serving coroutine is done: the watchdog ends too
};

// Counts an open connection for connections_max, and for its client's cap (`client`, unless
// uncapped), from accept to the end of its coroutine (or the destruction of a coroutine that
// never ran).
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::atomic<std::size_t>& count) : count_(&count) {}
  ConnectionSlot(ConnectionSlot&& other) noexcept
      : client(std::move(other.client)), count_(std::exchange(other.count_, nullptr)) {}
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ~ConnectionSlot() {
    if (count_ != nullptr) count_->fetch_sub(1, std::memory_order_relaxed);
  }

  std::optional<ClientConnections::Slot> client;

 private:
  std::atomic<std::size_t>* count_;
};

asio::awaitable<void> watch(std::shared_ptr<Connection> connection) {
  Connection& c = *connection;
  while (!c.closed) {
    c.armed = c.deadline;
    c.timer.expires_at(c.armed);
    co_await c.timer.async_wait(use_nothrow);
    if (c.closed) break;
    if (Clock::now() < c.deadline) continue;  // moved later, or an earlier one to arm
    c.timed_out = true;
    c.deadline = Clock::time_point::max();
    beast::error_code ignored;
    c.socket.cancel(ignored);
  }
}

// --- answers ----------------------------------------------------------------------------

Response answer_for_read_error(const beast::error_code& error) {
  if (error == bhttp::error::header_limit) {
    return problem(bhttp::status::request_header_fields_too_large, "header-too-large",
                   "Request header fields too large", "the request headers are too long");
  }
  if (error == bhttp::error::body_limit) {
    return problem(bhttp::status::payload_too_large, "payload-too-large", "Payload too large",
                   "the request body is over the limit");
  }
  if (error == beast::error::timeout) {
    return problem(bhttp::status::request_timeout, "request-timeout", "Request timeout",
                   "the request did not arrive in time");
  }
  return problem(bhttp::status::bad_request, "bad-request", "Bad request",
                 "the request is not valid HTTP/1.1: " + error.message());
}

// Errors after which there is nobody to answer.
bool is_disconnect(const beast::error_code& error) {
  return error == bhttp::error::end_of_stream || error == asio::error::eof ||
         error == asio::error::connection_reset || error == asio::error::broken_pipe ||
         error == asio::error::operation_aborted || error == asio::error::bad_descriptor;
}

// The 500 answer for a handler that threw `thrown`, which is logged.
Response internal_error(const Request& request, const std::exception_ptr& thrown) {
  std::string what = "unknown exception";
  try {
    std::rethrow_exception(thrown);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  spdlog::error("{} {}: {}", std::string(request.method_string()), std::string(request.target()),
                what);
  return problem(bhttp::status::internal_server_error, "internal-error", "Internal error",
                 "the server failed to answer; it is logged");
}

// --- framing ----------------------------------------------------------------------------

// How an answer is delimited and whether the connection stays open after it.
struct Framing {
  bool keep_alive = false;
  bool send_body = true;
  bool handler_length = false;  // send the handler's Content-Length (304; bodiless HEAD)
  std::optional<std::size_t> content_length;
};

bool says_close(const Response& response) {
  for (const auto& token : bhttp::token_list(response[bhttp::field::connection])) {
    if (beast::iequals(token, "close")) return true;
  }
  return false;
}

// RFC 9110 §6.4.1 and §8.6: no body after 1xx, 204, 304 or for HEAD; no Content-Length on
// 1xx and 204; a 304 or a HEAD answer may repeat the length a GET would have had.
// A streamed answer is delimited by the end of the connection.
Framing frame(const Request& request, const Response& response) {
  const unsigned status = response.result_int();
  const bool head = request.method() == bhttp::verb::head;
  Framing framing;
  framing.keep_alive = request.keep_alive() && !says_close(response);
  framing.send_body = !(status < 200 || status == 204 || status == 304 || head);
  if (status < 200 || status == 204) return framing;
  if (response.body().stream && framing.send_body) {
    framing.keep_alive = false;
    return framing;
  }
  const bool has_length = response.count(bhttp::field::content_length) > 0;
  if (status == 304 || (head && response.body().empty() && has_length)) {
    framing.handler_length = true;
  } else {
    framing.content_length = response.body().size();
  }
  return framing;
}

Framing frame_error(const Response& response) {
  return Framing{.keep_alive = false, .content_length = response.body().size()};
}

// The Date field (RFC 9110 §5.6.7), formatted at most once a second per thread. By hand,
// not strftime: the field must not depend on the locale.
std::string_view http_date() {
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local std::time_t formatted_second = -1;
  thread_local char text[32];
  const std::time_t now = std::time(nullptr);
  if (now != formatted_second) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[utc.tm_wday],
                  utc.tm_mday, months[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min,
                  utc.tm_sec);
    formatted_second = now;
  }
  return text;
}

// Fields the server writes itself, whatever the handler set.
bool is_framing_field(bhttp::field name, const Framing& framing) {
  switch (name) {
    case bhttp::field::content_length:
      return !framing.handler_length;
    case bhttp::field::transfer_encoding:
    case bhttp::field::connection:
    case bhttp::field::keep_alive:
    case bhttp::field::server:
      return true;
    default:
      return false;
  }
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

// The status line and fields of an answer, as sent. Written by hand rather than by Beast's
// serializer, whose buffer sequences cost more on the hot path than the rest of the request.
// Always HTTP/1.1, as RFC 9110 §2.5 asks even of answers to HTTP/1.0.
void serialize_header(const Response& response, const Framing& framing, bool request_is_10,
                      std::string& out) {
  out.clear();
  out += "HTTP/1.1 ";
  const unsigned code = response.result_int();  // Beast keeps it below 1000
  const char status[3] = {static_cast<char>('0' + code / 100 % 10),
                          static_cast<char>('0' + code / 10 % 10),
                          static_cast<char>('0' + code % 10)};
  out.append(status, 3);
  out += ' ';
  out += response.reason();
  out += "\r\n";
  append_field(out, "Server", "boxoffice");
  if (response.count(bhttp::field::date) == 0) append_field(out, "Date", http_date());
  for (const auto& field : response) {
    if (!is_framing_field(field.name(), framing))
      append_field(out, field.name_string(), field.value());
  }
  if (framing.content_length) {
    char length[24];
    const auto end = std::to_chars(length, length + sizeof length, *framing.content_length).ptr;
    append_field(out, "Content-Length", std::string_view(length, end - length));
  }
  if (!framing.keep_alive && !request_is_10) append_field(out, "Connection", "close");
  if (framing.keep_alive && request_is_10) append_field(out, "Connection", "keep-alive");
  out += "\r\n";
}

// --- reading ----------------------------------------------------------------------------

// Feeds what is buffered to the parser. need_more when it wants more bytes.
beast::error_code put_buffered(beast::flat_buffer& buffer, Parser& parser) {
  if (buffer.size() == 0) return bhttp::error::need_more;
  beast::error_code error;
  buffer.consume(parser.put(buffer.data(), error));
  return error;
}

// What RFC 9112 has a server refuse with 400 and a closed connection, as soon as the header is
// in: a transfer coding other than chunked alone (§6.1: the body's length would be a guess, and
// the bytes after it read as a request that a proxy in front never saw), and more than one
// Host (§3.2).
std::optional<Response> framing_refusal(const Request& header) {
  const auto bad_request = [](std::string detail) {
    return problem(bhttp::status::bad_request, "bad-request", "Bad request", std::move(detail));
  };
  const auto codings = header.equal_range(bhttp::field::transfer_encoding);
  if (codings.first != codings.second) {
    const bool chunked_alone = std::next(codings.first) == codings.second &&
                               beast::iequals(codings.first->value(), "chunked");
    if (!chunked_alone) {
      return bad_request("Transfer-Encoding: only chunked is understood, and only alone");
    }
  }
  if (header.count(bhttp::field::host) > 1) return bad_request("more than one Host field");
  return std::nullopt;
}

// Where reading one request stands.
struct RequestRead {
  // admit: the header is in and a body follows; ServerLimits::admit is to be awaited, and its
  // word given to open_body().
  enum class Step { done, failed, read_more, send_continue, admit };
  Clock::time_point started;  // its first byte
  bool header_checked = false;
  bool admitted = false;            // ServerLimits::admit let it in
  beast::error_code error;          // when failed
  std::optional<Response> refusal;  // when failed: the gate's answer instead of the body
};
using Step = RequestRead::Step;

Step advance(Connection& c, Parser& parser, const ServerLimits& limits, RequestRead& read);

// Once the header of a request with a body is in: the gate's word on it (an answer instead of
// the body; or its limit), a declared length over the limit refused at once, then on to the
// body.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // g++ 12, wrongly, of boost::none
Step open_body(Connection& c, Parser& parser, const ServerLimits& limits, RequestRead& read,
               Admission admission) {
  if (admission.refusal) {
    read.refusal = std::move(admission.refusal);
    return Step::failed;
  }
  const std::size_t body_max =
      admission.body_bytes_max != 0 ? admission.body_bytes_max : limits.body_bytes_max;
  parser.body_limit(body_max);
  if (parser.content_length() && *parser.content_length() > body_max) {
    read.error = bhttp::error::body_limit;
    return Step::failed;
  }
  parser.eager(true);  // the header was wanted alone; the body may come in one go
  if (c.buffer.size() == 0 && beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
    return Step::send_continue;
  }
  return advance(c, parser, limits, read);
}
#pragma GCC diagnostic pop

// Parses what is buffered, without waiting, and says what the request needs next.
Step advance(Connection& c, Parser& parser, const ServerLimits& limits, RequestRead& read) {
  const beast::error_code error = put_buffered(c.buffer, parser);
  if (error && error != bhttp::error::need_more) {
    read.error = error;
    return Step::failed;
  }
  if (parser.is_header_done() && !read.header_checked) {
    read.header_checked = true;
    read.refusal = framing_refusal(parser.get());
    if (read.refusal) return Step::failed;
    if (!parser.is_done()) {  // a body follows
      if (limits.admit) return Step::admit;
      return open_body(c, parser, limits, read, Admission{});
    }
  }
  return parser.is_done() ? Step::done : Step::read_more;
}

// Awaits the gate's word on a request whose header is in, within request_timeout_ms, then
// goes on to its body.
asio::awaitable<Step> admit(Connection& c, Parser& parser, const ServerLimits& limits,
                            RequestRead& read) {
  c.expire_at(read.started + limits.request_timeout_ms);
  const RequestContext context{.peer = c.peer};
  Admission admission = co_await limits.admit(parser.get(), context);
  read.admitted = !admission.refusal;
  co_return open_body(c, parser, limits, read, std::move(admission));
}

// Reads more bytes into the connection's buffer. The error that ends the request, if any.
asio::awaitable<beast::error_code> read_more(Connection& c, bool got_some) {
  auto [error, bytes] = co_await c.socket.async_read_some(
      c.buffer.prepare(beast::read_size(c.buffer, read_bytes_max)), use_nothrow);
  if (c.timed_out) co_return beast::error::timeout;
  if (error == asio::error::eof) {
    co_return got_some ? bhttp::error::partial_message : bhttp::error::end_of_stream;
  }
  c.buffer.commit(bytes);
  co_return error;
}

asio::awaitable<beast::error_code> write_all(Connection& c, Buffers buffers);

// Reads the rest of a request that did not arrive whole, until request_timeout_ms after its
// first byte.
asio::awaitable<void> read_rest(Connection& c, Parser& parser, const ServerLimits& limits,
                                RequestRead& read, Step step) {
  static constexpr std::string_view continue_100 = "HTTP/1.1 100 Continue\r\n\r\n";
  c.expire_at(read.started + limits.request_timeout_ms);
  while (step == Step::read_more || step == Step::send_continue || step == Step::admit) {
    if (step == Step::admit) {
      step = co_await admit(c, parser, limits, read);
      continue;
    }
    if (step == Step::send_continue) {
      const Buffers go_on{asio::buffer(continue_100), asio::const_buffer()};
      read.error = co_await write_all(c, go_on);
      if (read.error) co_return;
    }
    read.error = co_await read_more(c, parser.got_some());
    if (read.error) co_return;
    step = advance(c, parser, limits, read);
  }
}

// --- writing ----------------------------------------------------------------------------

// As the string it is: asio::buffer would take the body type for a plain object.
asio::const_buffer body_buffer(const Response& response) {
  return asio::buffer(static_cast<const std::string&>(response.body()));
}

Buffers skip_written(const Buffers& buffers, std::size_t written) {
  if (written < buffers[0].size()) return {buffers[0] + written, buffers[1]};
  return {buffers[1] + (written - buffers[0].size()), asio::const_buffer()};
}

// Sends what the (non-blocking) socket takes at once; `buffers` is left with the rest.
beast::error_code send_now(tcp::socket& socket, Buffers& buffers) {
  beast::error_code error;
  const std::size_t written = socket.write_some(buffers, error);
  if (error == asio::error::would_block) error = {};
  buffers = skip_written(buffers, written);
  return error;
}

// Writes all of `buffers`, within the connection's current deadline.
asio::awaitable<beast::error_code> write_all(Connection& c, Buffers buffers) {
  if (const auto error = send_now(c.socket, buffers)) co_return error;
  if (asio::buffer_size(buffers) == 0) co_return beast::error_code{};
  auto [error, bytes] = co_await asio::async_write(c.socket, buffers, use_nothrow);
  co_return error;
}

// Writes a streamed answer's parts, each within write_timeout_ms.
class ConnectionWriter final : public StreamWriter {
 public:
  ConnectionWriter(Connection& c, const ServerLimits& limits) : c_(c), limits_(limits) {}

  asio::awaitable<bool> write(std::string_view data) override {
    if (c_.timed_out) co_return false;
    c_.expire_at(Clock::now() + limits_.write_timeout_ms);
    const Buffers buffers{asio::buffer(data), asio::const_buffer()};
    const beast::error_code error = co_await write_all(c_, buffers);
    c_.expire_never();
    co_return !error && !c_.timed_out;
  }

  void abort() override {
    beast::error_code ignored;
    c_.socket.close(ignored);
  }

  std::optional<std::size_t> write_now(std::string_view data) override {
    if (c_.timed_out) return std::nullopt;
    beast::error_code error;
    const std::size_t written = c_.socket.write_some(asio::buffer(data), error);  // non-blocking
    if (error == asio::error::would_block || error == asio::error::try_again) return 0;
    if (error) return std::nullopt;
    return written;
  }

 private:
  Connection& c_;
  const ServerLimits& limits_;
};

// Sends a streamed answer: the header and any text were sent; the stream runs until it
// returns, then the connection closes.
asio::awaitable<void> run_stream(Connection& c, const Stream& stream, const ServerLimits& limits) {
  c.expire_never();
  ConnectionWriter writer(c, limits);
  try {
    co_await stream(writer);
  } catch (const std::exception& e) {
    spdlog::error("stream failed: {}", e.what());  // the client sees the stream end, reconnects
  }
}

// Closes after an error answer the way nginx does ("lingering close"): stop sending, then read
// and drop what the client is still sending, for a bounded time and size. Closing at once
// with unread bytes would make the kernel reset the connection, and a client still busy
// sending its (too large) body would never read the answer.
asio::awaitable<void> linger(Connection& c) {
  beast::error_code ignored;
  c.socket.shutdown(tcp::socket::shutdown_send, ignored);
  c.expire_at(Clock::now() + linger_time_ms);
  static thread_local char sink[16 * 1024];  // what is read is dropped: shared by all
  for (std::size_t drained = 0; drained < linger_bytes_max;) {
    auto [error, bytes] = co_await c.socket.async_read_some(asio::buffer(sink), use_nothrow);
    if (error) break;
    drained += bytes;
  }
}

// Answers a request that could not be read (400, 408, 413, 431), or whose body the gate
// refused, if anyone is listening, then closes.
asio::awaitable<void> refuse(Connection& c, const RequestRead& read, const ServerLimits& limits,
                             std::string& header_text) {
  if (!read.refusal && is_disconnect(read.error)) co_return;
  const Response answer = read.refusal ? *read.refusal : answer_for_read_error(read.error);
  serialize_header(answer, frame_error(answer), false, header_text);
  const Buffers buffers{asio::buffer(header_text), body_buffer(answer)};
  c.expire_at(Clock::now() + limits.write_timeout_ms);
  co_await write_all(c, buffers);
  co_await linger(c);
}

// --- the connection ---------------------------------------------------------------------

// Before waiting for the next request: give back a buffer a large request grew, and allow
// idle_timeout_ms for the request to begin (first_byte_timeout_ms for a connection's first).
void expect_request(Connection& c, const ServerLimits& limits, bool first) {
  if (c.buffer.capacity() > buffer_bytes_kept_max) c.buffer.shrink_to_fit();
  c.expire_at(Clock::now() + (first ? limits.first_byte_timeout_ms : limits.idle_timeout_ms));
}

void set_limits(Parser& parser, const ServerLimits& limits) {
  parser.header_limit(static_cast<std::uint32_t>(limits.header_bytes_max));
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // set once the header is in
  parser.eager(false);  // stop after the header: its route decides the body limit
}

// The request loop. On the hot path (a whole request per read, a whole answer per write) the
// only suspensions are the read and the handler: the slower paths are separate coroutines,
// entered only when needed, as each nested coroutine frame costs an allocation.
asio::awaitable<void> serve_requests(Connection& c, const Handler& handler,
                                     const ServerLimits& limits) {
  std::string header_text;  // reused: the answer's status line and fields
  for (bool first = true;; first = false) {
    if (c.buffer.size() == 0) {  // else pipelined: the next request is already here
      expect_request(c, limits, first);
      auto [error, bytes] = co_await c.socket.async_read_some(
          c.buffer.prepare(beast::read_size(c.buffer, read_bytes_max)), use_nothrow);
      if (error || c.timed_out) co_return;  // gone, or silent too long
      c.buffer.commit(bytes);
    }
    Parser parser;
    set_limits(parser, limits);
    RequestRead read{.started = Clock::now()};
    Step step = advance(c, parser, limits, read);
    if (step == Step::admit) step = co_await admit(c, parser, limits, read);
    if (step != Step::done) co_await read_rest(c, parser, limits, read, step);
    if (read.error || read.refusal) {
      co_await refuse(c, read, limits, header_text);
      co_return;
    }
    c.expire_never();  // the handler takes the time it takes

    Request request = parser.release();
    const RequestContext context{.peer = c.peer, .admitted = read.admitted};
    Response response;
    try {
      response = co_await handler(request, context);
    } catch (...) {
      response = internal_error(request, std::current_exception());
    }
    const Framing framing = frame(request, response);
    serialize_header(response, framing, request.version() == 10, header_text);
    Buffers buffers{asio::buffer(header_text),
                    framing.send_body ? body_buffer(response) : asio::const_buffer()};
    if (send_now(c.socket, buffers)) co_return;
    if (asio::buffer_size(buffers) > 0) {
      c.expire_at(Clock::now() + limits.write_timeout_ms);
      if (co_await write_all(c, buffers)) co_return;
    }
    if (framing.send_body && response.body().stream) {
      co_await run_stream(c, response.body().stream, limits);
      co_return;
    }
    if (!framing.keep_alive) {
      // Pipelined requests after the last one answered would make closing reset the
      // connection, and the client could lose the answer it is reading.
      if (c.buffer.size() > 0) co_await linger(c);
      co_return;
    }
  }
}

// Ends a connection however its coroutine ends, by return or by exception: the socket
// closes at once and the watchdog, which shares the connection, stops.
struct ConnectionEnd {
  Connection& c;
  ~ConnectionEnd() {
    c.closed = true;
    c.timer.cancel();
    beast::error_code ignored;
    c.socket.close(ignored);
  }
};

asio::awaitable<void> serve_connection(tcp::socket socket, asio::ip::address peer,
                                       const Handler& handler, const ServerLimits& limits,
                                       ConnectionSlot) {
  auto connection = std::make_shared<Connection>(std::move(socket), peer);
  const ConnectionEnd end{*connection};
  beast::error_code ignored;
  connection->socket.set_option(tcp::no_delay(true), ignored);
  connection->socket.non_blocking(true, ignored);  // for write_all's first, synchronous try
  asio::co_spawn(connection->socket.get_executor(), watch(connection), asio::detached);
  co_await serve_requests(*connection, handler, limits);
}

// A slot for a new connection from `peer`, or nullopt when it is over a limit (and counted):
// then it is to be closed at once.
std::optional<ConnectionSlot> admit_connection(const asio::ip::address& peer,
                                               const ServerLimits& limits,
                                               detail::ConnectionCounts& counts) {
  const std::size_t open = counts.open.fetch_add(1, std::memory_order_relaxed);
  ConnectionSlot slot(counts.open);
  if (open >= limits.connections_max) {
    counts.refused_over_max.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;  // the count is given back with the slot
  }
  if (limits.client_connections_max == 0 || (limits.uncapped && limits.uncapped(peer))) {
    return slot;
  }
  std::optional<ClientConnections::Slot> client = counts.by_client.open(client_id_of(peer));
  if (!client) {
    counts.refused_over_client_cap.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  slot.client.emplace(std::move(*client));
  return slot;
}

}  // namespace

struct Server::Worker {
  asio::io_context io{1};  // one thread per io_context: no locking inside Asio
  std::unique_ptr<tcp::acceptor> acceptor;
};

Server::Server(Handler handler, ServerLimits limits, int threads)
    : handler_(std::move(handler)),
      limits_(std::move(limits)),
      counts_(limits_.client_connections_max) {
  BOXOFFICE_CHECK(limits_.header_bytes_max <= std::numeric_limits<std::uint32_t>::max());
  for (int i = 0; i < std::max(threads, 1); ++i) workers_.push_back(std::make_unique<Worker>());
}

Server::~Server() { stop(); }

std::uint16_t Server::listen(const std::string& host, std::uint16_t port) {
  const tcp::endpoint endpoint(asio::ip::make_address(host), port);
  if (port != 0) {
    // SO_REUSEPORT would let us share a port another server of ours already listens on,
    // splitting its traffic silently. A plain socket bound first makes that a bind error.
    tcp::acceptor probe(workers_[0]->io, endpoint.protocol());
    probe.set_option(asio::socket_base::reuse_address(true));
    probe.bind(endpoint);
  }
  std::uint16_t bound = port;
  for (auto& worker : workers_) {
    auto acceptor = std::make_unique<tcp::acceptor>(worker->io);
    acceptor->open(endpoint.protocol());
    acceptor->set_option(asio::socket_base::reuse_address(true));
    acceptor->set_option(reuse_port(true));
    acceptor->bind(tcp::endpoint(endpoint.address(), bound));
    acceptor->listen(asio::socket_base::max_listen_connections);
    bound = acceptor->local_endpoint().port();  // the first one picks a free port for all
    worker->acceptor = std::move(acceptor);
    asio::co_spawn(worker->io, accept_loop(*worker), asio::detached);
  }
  return bound;
}

void Server::run() {
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < workers_.size(); ++i) {
    threads.emplace_back([this, i] { workers_[i]->io.run(); });
  }
  workers_[0]->io.run();
  for (auto& thread : threads) thread.join();
}

void Server::stop() {
  for (auto& worker : workers_) worker->io.stop();
}

// A busy worker comes back to its acceptor once per turn of its queue of ready work, which
// under a crowd's polls is thousands of handlers long: one connection a turn left new ones
// (each shopper's first request) waiting seconds in the kernel's queue while polls on open
// connections were answered in milliseconds. So each turn also takes, without waiting, the
// connections already queued, up to accept_batch_max.
asio::awaitable<void> Server::accept_loop(Worker& worker) {
  worker.acceptor->non_blocking(true);
  for (;;) {
    tcp::endpoint peer;
    auto [error, socket] = co_await worker.acceptor->async_accept(peer, use_nothrow);
    if (error == asio::error::operation_aborted) co_return;
    if (error) {
      // Out of file descriptors and the like: log, breathe, go on accepting.
      spdlog::warn("accept failed: {}", error.message());
      asio::steady_timer pause(worker.io, accept_pause_ms);
      co_await pause.async_wait(use_nothrow);
      continue;
    }
    start_connection(worker, std::move(socket), peer);
    for (int taken = 1; taken < accept_batch_max; ++taken) {
      boost::system::error_code none_waiting;  // would_block; a real error comes back above
      auto more = worker.acceptor->accept(peer, none_waiting);
      if (none_waiting) break;
      start_connection(worker, std::move(more), peer);
    }
  }
}

void Server::start_connection(Worker& worker, tcp::socket socket, const tcp::endpoint& peer) {
  const asio::ip::address address = unmapped(peer.address());
  std::optional<ConnectionSlot> slot = admit_connection(address, limits_, counts_);
  if (!slot) return;  // the socket is closed as it goes
  asio::co_spawn(worker.io,
                 serve_connection(std::move(socket), address, handler_, limits_, std::move(*slot)),
                 asio::detached);
}

}  // namespace boxoffice::http
