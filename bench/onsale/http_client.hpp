// The simulator's HTTP/1.1 client: one connection from one loopback source address, so that
// the server (or nginx in front of it) counts each fan as a client of its own.
//
// A fan's socket is bound to its own 127.x.y.z before connecting (Linux answers every address
// of 127.0.0.0/8 without configuration); IP_BIND_ADDRESS_NO_PORT leaves the port to connect(),
// which picks it per destination, so a million binds never run out of ports. Every request has
// a deadline (`request_timeout`); a request that gets no answer in time, or whose connection
// fails, answers status 0, which callers treat like a 5xx: try again later.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onsale {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

inline constexpr auto request_timeout = std::chrono::seconds(20);
inline constexpr std::size_t answer_bytes_max = 1024 * 1024;  // every answer but the checker's

struct Request {
  beast::http::verb verb = beast::http::verb::get;
  std::string target;
  std::string body;  // JSON, sent only when not empty
  std::vector<std::pair<std::string_view, std::string>> headers;
};

struct Answer {
  int status = 0;  // 0: no answer (connect, write or read failed, or timed out)
  std::string body;
  int retry_after_seconds = 0;  // of a Retry-After header, when there is one
  bool ok() const { return status >= 200 && status < 300; }
};

// "127.1.2.3" from its host-order number.
std::string address_text(std::uint32_t address);

// One keep-alive connection from `source` (a host-order IPv4 address; 0: the system's choice)
// to `server`, opened on first use and again after the server closed it. Through an edge (a CDN
// or balancer the server trusts), `forwarded_for` names the client each request is for, in
// X-Forwarded-For, as an edge says it; empty: the connection's own address is the client.
class Connection {
 public:
  Connection(asio::any_io_executor executor, tcp::endpoint server, std::uint32_t source,
             std::string host, std::string forwarded_for = {});
  void forward_for(std::string client) { forwarded_for_ = std::move(client); }

  // Sends `request` and reads its answer, reconnecting first when needed. `keep_alive` false
  // sends `Connection: close` (one request and done: the server closes first). The body is
  // limited to `body_bytes_max`.
  asio::awaitable<Answer> send(const Request& request, bool keep_alive = true,
                               std::size_t body_bytes_max = answer_bytes_max);
  void close();
  bool is_open() const { return stream_.socket().is_open(); }

 private:
  friend class EventStream;
  asio::awaitable<bool> connect();

  tcp::endpoint server_;
  std::uint32_t source_;
  std::string host_;
  std::string forwarded_for_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

// A server-sent event stream read from a connection: `open` sends the GET and reads the
// answer's header; `next` gives the stream's events one by one. Plain or chunked (nginx
// re-frames a stream that ends at close as chunked) alike: Beast's parser de-frames.
struct StreamEvent {
  std::string event;
  std::string data;
};

class EventStream {
 public:
  explicit EventStream(Connection& connection) : connection_(connection) {}
  // The answer's status (0: none); 200 leaves the stream open for `next`.
  asio::awaitable<int> open(const std::string& target);
  // The next event that has a data line; nullopt once the stream ended or failed, or nothing
  // came for `request_timeout`.
  asio::awaitable<std::optional<StreamEvent>> next();

 private:
  std::optional<StreamEvent> take_event();

  Connection& connection_;
  std::optional<beast::http::response_parser<beast::http::string_body>> parser_;
  std::size_t scanned_ = 0;  // bytes of the body already split into events
};

}  // namespace onsale
