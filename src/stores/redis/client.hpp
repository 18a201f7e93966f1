// A Redis connection driven by the server's own event loop: hiredis's asynchronous API on an
// Asio io_context, so a request that needs Redis awaits its reply without holding a thread,
// and every command sent while others are in flight is pipelined on the same connection.
//
// One Client per io_context thread: a Client is used only from its io_context's thread (no
// locks). When the connection drops, commands in flight and commands sent meanwhile answer
// store_unavailable, and the Client reconnects by itself with a bounded backoff. A command is
// never resent: one in flight when the link dropped may or may not have run (a Lua script must
// not run twice blindly), so the caller decides.
//
// Behind Redis Sentinel, the Client asks the Sentinels in turn which node is the primary
// (SENTINEL get-master-addr-by-name), connects to it and sends ROLE before anything else: a
// node that does not answer "master" is refused and the Sentinels are asked again. It asks
// them again, after the same backoff, whenever the connection drops or a command answers
// READONLY (the node it talks to was demoted: a failover happened). Commands sent while such a
// discovery is under way wait for its outcome (up to 4096 of them; more answer
// store_unavailable).
// Debian's hiredis (0.14) has no Asio adapter; the adapter here is the few lines it needs.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/errors.hpp"

struct redisAsyncContext;

namespace boxoffice::redis {
namespace detail {
struct Pending;  // a command's completion, defined in client.cpp
}

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

// "redis-sentinel://host:port,host:port/master-name": the Sentinels that watch the primary of
// the group they call master-name (a Sentinel's port is 26379 when left out).
struct Sentinels {
  std::vector<Address> addresses;  // asked in this order; at least one, at most sentinels_max
  std::string master_name;
};
constexpr std::size_t sentinels_max = 16;

// Where the Client finds Redis: one server, or whichever node the Sentinels name.
using Endpoint = std::variant<Address, Sentinels>;
// Either URL form above; invalid_field with a sentence for a person otherwise.
Result<Endpoint> parse_redis_endpoint(std::string_view url);

class Client {
 public:
  // An Address converts to an Endpoint: Client(io, parse_redis_url(url).value()) still works.
  Client(boost::asio::io_context& io, Endpoint endpoint);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Starts connecting; commands may be sent at once (they wait for the connection).
  void start();
  // Sends one command. An error reply of Redis is a Reply of type error, not a failed
  // Result; store_unavailable means the connection is down, or (behind Sentinels) that the
  // node answered READONLY: it is no longer the primary, and the command did not run.
  boost::asio::awaitable<Result<Reply>> command(std::vector<std::string> args);
  // Connected to the server; behind Sentinels, to a node that said it is the primary.
  bool connected() const { return connected_; }

 private:
  struct Watcher;
  struct Waiting {
    std::vector<std::string> args;
    std::unique_ptr<detail::Pending> pending;
  };

  bool behind_sentinels() const { return std::holds_alternative<Sentinels>(endpoint_); }
  redisAsyncContext* open(const Address& address);
  void connect();            // one attempt: the server, or a round of the Sentinels
  void ask_next_sentinel();  // or, when every one was asked, give up this round
  void connect_primary(const Address& address);
  void on_sentinel_timeout();
  void on_primary_timeout();
  void drop_primary();  // frees the connection without waiting for its callbacks
  void on_gone();       // no connection: reconnect after a pause
  void send(std::vector<std::string> args, std::unique_ptr<detail::Pending> pending);
  void send_waiting();
  void fail_waiting(const std::string& detail);
  void arm_deadline(std::chrono::milliseconds after, void (Client::*on_expiry)());
  void disarm_deadline();
  static void on_connect(const redisAsyncContext* context, int status);
  static void on_disconnect(const redisAsyncContext* context, int status);
  static void on_reply(redisAsyncContext* context, void* raw, void* data);
  static void on_sentinel_answer(redisAsyncContext* context, void* raw, void* data);
  static void on_role(redisAsyncContext* context, void* raw, void* data);

  boost::asio::io_context& io_;
  Endpoint endpoint_;
  redisAsyncContext* context_ = nullptr;           // the server, or the primary (verified or not)
  redisAsyncContext* sentinel_context_ = nullptr;  // the Sentinel asked now
  std::size_t sentinel_index_ = 0;                 // which one
  std::size_t sentinel_first_ = 0;                 // the last one that named a primary
  std::size_t sentinels_asked_ = 0;                // in this round
  Address primary_;                                // the last primary the Sentinels named
  bool discovering_ = false;                       // behind Sentinels: asking them, or hearing ROLE
  bool connected_ = false;
  bool stopping_ = false;
  std::vector<Waiting> waiting_;  // sent while discovering_
  std::chrono::milliseconds backoff_ms_{50};
  boost::asio::steady_timer reconnect_timer_;
  boost::asio::steady_timer deadline_timer_;  // of the Sentinel's answer or of the ROLE check
  std::uint64_t deadline_step_ = 0;           // a deadline fires only for the step that armed it
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // timer handlers outlive the Client
};

}  // namespace boxoffice::redis
