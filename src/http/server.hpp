// The HTTP/1.1 server: Boost.Beast's parser over Asio, C++20 coroutines.
//
// One io_context per worker thread, each with its own acceptor on the same port
// (SO_REUSEPORT): the kernel spreads connections over the threads, and a connection lives
// its whole life on one thread, so serving never takes a lock or crosses cores. A
// connection's coroutine reads one request, calls the handler, writes the answer, and loops
// while keep-alive holds; pipelined requests are answered in order.
//
// Every bound is explicit (ServerLimits): header and body sizes (431, 413), the time a
// request may take to arrive once begun (408; a slow or half-sent request never holds up
// anyone else), the idle time between keep-alive requests, the time to write an answer, the
// number of connections, and the number of connections of one client address (beyond either,
// a new connection is closed at once, and counted). Malformed requests answer 400. A handler
// that throws answers 500. Error answers close the connection.
//
// The server owns the framing of every answer: it writes the status line, `Server`, `Date`
// (unless the handler set one), `Content-Length` (none for 1xx and 204; a 304 keeps the
// handler's, if any), and `Connection` as keep-alive requires; a HEAD answer carries no body.
// Every other field of the handler's response is sent as the handler set it.
//
// Streamed answers (server-sent events): a handler that sets `response.body().stream` gets
// its header sent with no Content-Length and `Connection: close`, then the stream function
// runs with a StreamWriter until it returns, and the connection closes: the end of the
// connection is the end of the answer. Each write has write_timeout_ms; between writes the
// stream takes the time it takes (it sends its own heartbeats).
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "http/client_connections.hpp"

namespace boxoffice::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

// Writes the parts of a streamed answer on its connection.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // Sends `data` whole, within write_timeout_ms. False when the peer is gone or took too
  // long: the stream should end.
  virtual asio::awaitable<bool> write(std::string_view data) = 0;
  // Sends what the connection takes at once, without waiting: how many bytes of `data`;
  // nullopt when the peer is gone. Not while a write() is under way.
  virtual std::optional<std::size_t> write_now(std::string_view data) = 0;
  // Closes the connection now: a write() under way fails, and the stream should end.
  virtual void abort() = 0;
};
using Stream = std::function<asio::awaitable<void>(StreamWriter&)>;

// The body of an answer: its text, as Beast's string_body (so `response.body() = "..."`
// works), or, when `stream` is set, what the stream writes after the text.
struct ResponseBody {
  struct value_type : std::string {
    using std::string::string;
    using std::string::operator=;
    value_type() = default;
    value_type(std::string text) : std::string(std::move(text)) {}  // NOLINT: implicit on purpose
    Stream stream;
  };
  static std::uint64_t size(const value_type& body) { return body.size(); }
};

using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<ResponseBody>;

// What the server knows of a request beyond its bytes.
struct RequestContext {
  asio::ip::address peer;  // the connection's remote address
  bool admitted = false;   // ServerLimits::admit heard this request's header and let it in
};

// Called on the connection's thread; `co_await asio::this_coro::executor` gives its executor.
using Handler = std::function<asio::awaitable<Response>(Request&, const RequestContext&)>;

// What the server is told about a request whose body follows its header, before it reads any
// of the body: the body's limit (0: ServerLimits::body_bytes_max), or an answer to send
// instead of reading it (the connection then closes).
struct Admission {
  std::size_t body_bytes_max = 0;
  std::optional<Response> refusal;
};

struct ServerLimits {
  std::size_t header_bytes_max = 16 * 1024;  // request line and fields; over → 431
  std::size_t body_bytes_max = 64 * 1024;    // over → 413, before any of it is read
  // Asked once the header of a request with a body is in (Router::admit_body), on the
  // connection's thread, within request_timeout_ms; none: every body is taken up to
  // body_bytes_max.
  std::function<asio::awaitable<Admission>(const Request& header, const RequestContext&)> admit;
  std::chrono::milliseconds request_timeout_ms{10'000};  // first byte to last byte of a request
  std::chrono::milliseconds idle_timeout_ms{60'000};     // between keep-alive requests
  // From accept to a new connection's first byte: a client that connects and says nothing is
  // more likely holding a descriptor than about to ask, so it gets less time than keep-alive.
  std::chrono::milliseconds first_byte_timeout_ms{5'000};
  std::chrono::milliseconds write_timeout_ms{30'000};  // one whole answer
  std::size_t connections_max = 20'000;                // beyond, a new connection is closed at once
  // Of one client address (an IPv6 client's /64) at once; beyond, a new connection of it is
  // closed at once. 0: no cap. Peers `uncapped` says yes to (trusted balancers) have none.
  std::size_t client_connections_max = 256;
  std::function<bool(const asio::ip::address& peer)> uncapped;
};

namespace detail {
// The server's open connections, in all and by client, and those it closed at once: shared by
// every worker thread.
struct ConnectionCounts {
  explicit ConnectionCounts(std::size_t per_client_max) : by_client(per_client_max) {}
  std::atomic<std::size_t> open = 0;
  ClientConnections by_client;
  std::atomic<std::uint64_t> refused_over_client_cap = 0;
  std::atomic<std::uint64_t> refused_over_max = 0;
};
}  // namespace detail

class Server {
 public:
  Server(Handler handler, ServerLimits limits, int threads);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every worker's acceptor to host:port (0 = a free port) and answers the port.
  // Throws boost::system::system_error when the address can't be bound, including when
  // another socket (even another process's SO_REUSEPORT group) already listens there.
  // Call once, before run().
  std::uint16_t listen(const std::string& host, std::uint16_t port);
  // Serves on the worker threads (the calling thread is one of them) until stop().
  void run();
  // Stops accepting and serving; run() returns. Safe from any thread, more than once.
  // Open connections are closed when the Server is destroyed.
  void stop();

  // New connections closed at once since start: over client_connections_max, and over
  // connections_max. Safe from any thread.
  std::uint64_t refused_over_client_cap() const { return counts_.refused_over_client_cap.load(); }
  std::uint64_t refused_over_connections_max() const { return counts_.refused_over_max.load(); }

 private:
  struct Worker;

  asio::awaitable<void> accept_loop(Worker& worker);
  void start_connection(Worker& worker, asio::ip::tcp::socket socket,
                        const asio::ip::tcp::endpoint& peer);

  Handler handler_;
  ServerLimits limits_;
  // Declared before workers_: connections still open when the workers' io_contexts are
  // destroyed count themselves out of it as their frames go.
  detail::ConnectionCounts counts_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace boxoffice::http
