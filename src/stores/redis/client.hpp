// A Redis connection driven by the server's own event loop: hiredis's asynchronous API on an
// Asio io_context, so a request that needs Redis awaits its reply without holding a thread,
// and every command sent while others are in flight is pipelined on the same connection.
//
// One Client per io_context thread: a Client is used only from its io_context's thread (no
// locks). When the connection drops, commands in flight and commands sent meanwhile answer
// store_unavailable, and the Client reconnects by itself with a bounded backoff.
// Debian's hiredis (0.14) has no Asio adapter; the adapter here is the few lines it needs.
#pragma once

#include "core/errors.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct redisAsyncContext;

namespace boxoffice::redis {

struct Reply {
  enum class Type { nil, string, status, integer, array, error };
  Type type = Type::nil;
  std::string text;  // string, status and error replies
  std::int64_t integer = 0;
  std::vector<Reply> elements;
};

// "redis://host:port" (no password, no database: a throwaway or private Redis).
struct Address {
  std::string host;
  std::uint16_t port = 6379;
};
Result<Address> parse_redis_url(std::string_view url);

class Client {
 public:
  Client(boost::asio::io_context& io, Address address);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Starts connecting; commands may be sent at once (they wait in hiredis's buffer).
  void start();
  // Sends one command. An error reply of Redis is a Reply of type error, not a failed
  // Result; store_unavailable means the connection is down.
  boost::asio::awaitable<Result<Reply>> command(std::vector<std::string> args);
  bool connected() const { return connected_; }

 private:
  struct Watcher;

  void connect();
  void on_gone();  // the context is freed: reconnect after a pause
  static void on_connect(const redisAsyncContext* context, int status);
  static void on_disconnect(const redisAsyncContext* context, int status);

  boost::asio::io_context& io_;
  Address address_;
  redisAsyncContext* context_ = nullptr;
  bool connected_ = false;
  bool stopping_ = false;
  std::chrono::milliseconds backoff_ms_{50};
  boost::asio::steady_timer reconnect_timer_;
};

}  // namespace boxoffice::redis
