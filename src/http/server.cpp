#include "http/server.hpp"

#include "http/problem.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <array>
#include <limits>

namespace boxoffice::http {
namespace {

using tcp = asio::ip::tcp;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t first_read_bytes = 4096;

// SO_REUSEPORT: several acceptors on one port, one per worker thread.
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

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

bool is_disconnect(const beast::error_code& error) {
  return error == bhttp::error::end_of_stream || error == asio::error::eof ||
         error == asio::error::connection_reset || error == asio::error::broken_pipe ||
         error == asio::error::operation_aborted || error == asio::error::bad_descriptor;
}

// The status line and fields of a response, as sent. Written by hand rather than by Beast's
// serializer: on the hot path (a cached event page) the serializer's buffer sequences cost
// more than the rest of the request together.
void serialize_header(const Response& response, std::string& out) {
  out.clear();
  out += response.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  char status[4] = {};
  const unsigned code = response.result_int();
  status[0] = static_cast<char>('0' + code / 100);
  status[1] = static_cast<char>('0' + code / 10 % 10);
  status[2] = static_cast<char>('0' + code % 10);
  out.append(status, 3);
  out += ' ';
  out += response.reason();
  out += "\r\n";
  for (const auto& field : response) {
    out += field.name_string();
    out += ": ";
    out += field.value();
    out += "\r\n";
  }
  out += "\r\n";
}

// Closes after an error answer the way nginx does ("lingering close"): stop sending, then read
// and drop what the client is still sending, for a bounded time and size. Closing at once
// with unread bytes would make the kernel reset the connection, and a client still busy
// sending its (too large) body would never read the answer.
asio::awaitable<void> linger(beast::tcp_stream& stream) {
  constexpr auto linger_time = std::chrono::seconds(2);
  constexpr std::size_t linger_bytes_max = 64 << 20;
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.expires_after(linger_time);
  static thread_local char sink[16 * 1024];
  for (std::size_t drained = 0; drained < linger_bytes_max;) {
    auto [error, bytes] = co_await stream.async_read_some(asio::buffer(sink), use_nothrow);
    if (error) break;
    drained += bytes;
  }
}

}  // namespace

struct Server::Worker {
  asio::io_context io{1};  // one thread per io_context: no locking inside Asio
  std::unique_ptr<tcp::acceptor> acceptor;
};

Server::Server(Handler handler, ServerLimits limits, int threads)
    : handler_(std::move(handler)), limits_(std::move(limits)) {
  for (int i = 0; i < std::max(threads, 1); ++i) workers_.push_back(std::make_unique<Worker>());
}

Server::~Server() { stop(); }

std::uint16_t Server::listen(const std::string& host, std::uint16_t port) {
  const tcp::endpoint endpoint(asio::ip::make_address(host), port);
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

asio::awaitable<void> Server::accept_loop(Worker& worker) {
  for (;;) {
    auto [error, socket] = co_await worker.acceptor->async_accept(use_nothrow);
    if (error == asio::error::operation_aborted) co_return;
    if (error) {
      // Out of file descriptors and the like: log, breathe, go on accepting.
      spdlog::warn("accept failed: {}", error.message());
      asio::steady_timer pause(worker.io, std::chrono::milliseconds(50));
      co_await pause.async_wait(use_nothrow);
      continue;
    }
    if (connections_.load(std::memory_order_relaxed) >= limits_.connections_max) {
      continue;  // the socket closes as it goes out of scope
    }
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(worker.io, serve_connection(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> Server::serve_connection(tcp::socket socket) {
  connections_.fetch_add(1, std::memory_order_relaxed);
  struct Release {
    std::atomic<std::size_t>& count;
    ~Release() { count.fetch_sub(1, std::memory_order_relaxed); }
  } release{connections_};

  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  std::string header_text;  // reused: the answer's status line and fields
  for (;;) {
    // Idle until the next request begins; from its first byte it has request_timeout_ms.
    if (buffer.size() == 0) {
      stream.expires_after(limits_.idle_timeout_ms);
      auto [error, bytes] = co_await stream.async_read_some(buffer.prepare(first_read_bytes),
                                                            use_nothrow);
      if (error) co_return;  // idle timeout, or the client went away
      buffer.commit(bytes);
    }
    // The request deadline cancels the read rather than closing the socket (as the stream's
    // own timeout would), so the client can still be told 408.
    stream.expires_never();
    bool timed_out = false;
    asio::steady_timer deadline(stream.get_executor(), limits_.request_timeout_ms);
    deadline.async_wait([&](const beast::error_code& error) {
      if (error) return;  // cancelled: the request arrived in time
      timed_out = true;
      stream.socket().cancel();
    });
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits_.header_bytes_max));
    // The body limit depends on the route, known once the header is in: checked below.
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    auto [header_error, header_bytes] =
        co_await bhttp::async_read_header(stream, buffer, parser, use_nothrow);
    beast::error_code read_error = header_error;
    if (!read_error) {
      const auto& header = parser.get();
      std::size_t body_max = limits_.body_bytes_max;
      if (limits_.body_bytes_max_for) {
        if (const std::size_t larger = limits_.body_bytes_max_for(header.method(), header.target())) {
          body_max = larger;
        }
      }
      parser.body_limit(body_max);
      if (parser.content_length() && *parser.content_length() > body_max) {
        read_error = bhttp::error::body_limit;  // refuse before reading any of it
      } else {
        if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
          bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, header.version()};
          co_await bhttp::async_write(stream, go_on, use_nothrow);
        }
        auto [body_error, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, use_nothrow);
        read_error = body_error;
      }
    }
    deadline.cancel();
    if (timed_out) read_error = beast::error::timeout;
    if (read_error) {
      if (is_disconnect(read_error)) co_return;
      Response answer = answer_for_read_error(read_error);
      answer.keep_alive(false);
      answer.set(bhttp::field::server, "boxoffice");
      answer.prepare_payload();
      stream.expires_after(limits_.write_timeout_ms);
      co_await bhttp::async_write(stream, answer, use_nothrow);
      co_await linger(stream);
      co_return;
    }

    Request request = parser.release();
    const bool head = request.method() == bhttp::verb::head;
    Response response;
    try {
      response = co_await handler_(request);
    } catch (const std::exception& e) {
      spdlog::error("{} {}: {}", std::string(request.method_string()),
                    std::string(request.target()), e.what());
      response = problem(bhttp::status::internal_server_error, "internal-error",
                         "Internal error", "the server failed to answer; it is logged");
    }
    response.version(request.version());
    response.keep_alive(request.keep_alive());
    response.set(bhttp::field::server, "boxoffice");
    response.prepare_payload();
    serialize_header(response, header_text);
    std::array<asio::const_buffer, 2> buffers{asio::buffer(header_text),
                                              asio::buffer(response.body())};
    if (head) buffers[1] = asio::const_buffer();
    stream.expires_after(limits_.write_timeout_ms);
    auto [write_error, written] = co_await asio::async_write(stream, buffers, use_nothrow);
    if (write_error || !response.keep_alive()) {
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
  }
}

}  // namespace boxoffice::http
