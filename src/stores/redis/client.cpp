#include "stores/redis/client.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/async_result.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <utility>

namespace boxoffice::redis {
namespace asio = boost::asio;

namespace detail {

// A command in flight or waiting for the primary: the coroutine's completion handler, resumed
// outside hiredis's stack.
struct Pending {
  virtual ~Pending() = default;
  virtual void complete(Result<Reply> result) = 0;
};

}  // namespace detail

namespace {

constexpr auto backoff_first_ms = std::chrono::milliseconds(50);
constexpr auto backoff_ms_max = std::chrono::milliseconds(1000);
// A Sentinel answers within a millisecond or two; one silent for longer is taken as down and the
// next one is asked. So a hung Sentinel costs a round this much, and only once: the next round
// starts with the Sentinel that answered.
constexpr auto sentinel_answer_ms_max = std::chrono::milliseconds(500);
// From connecting to the node the Sentinels named to its answer to ROLE.
constexpr auto primary_check_ms_max = std::chrono::milliseconds(1000);
// Commands sent while the primary is being found wait for it, up to this many.
constexpr std::size_t waiting_commands_max = 4096;
constexpr std::uint16_t redis_port_default = 6379;
constexpr std::uint16_t sentinel_port_default = 26379;

Error unavailable(std::string detail) {
  return make_error(Errc::store_unavailable, std::move(detail));
}

Reply convert(const redisReply* raw) {
  Reply reply;
  switch (raw->type) {
    case REDIS_REPLY_STRING:
      reply.type = Reply::Type::string;
      break;
    case REDIS_REPLY_STATUS:
      reply.type = Reply::Type::status;
      break;
    case REDIS_REPLY_ERROR:
      reply.type = Reply::Type::error;
      break;
    case REDIS_REPLY_INTEGER:
      reply.type = Reply::Type::integer;
      break;
    case REDIS_REPLY_ARRAY:
      reply.type = Reply::Type::array;
      break;
    default:
      reply.type = Reply::Type::nil;
      break;
  }
  if (raw->type == REDIS_REPLY_STRING || raw->type == REDIS_REPLY_STATUS ||
      raw->type == REDIS_REPLY_ERROR) {
    reply.text.assign(raw->str, raw->len);
  }
  reply.integer = raw->integer;
  for (std::size_t i = 0; raw->type == REDIS_REPLY_ARRAY && i < raw->elements; ++i) {
    reply.elements.push_back(convert(raw->element[i]));
  }
  return reply;
}

std::string_view text_of(const redisReply* reply) { return {reply->str, reply->len}; }

bool is_text(const redisReply* reply) {
  return reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS;
}

// A demoted primary refuses writes with "READONLY You can't write against a read only replica."
bool is_readonly(const redisReply* reply) {
  return reply->type == REDIS_REPLY_ERROR && text_of(reply).starts_with("READONLY");
}

template <class Handler>
struct PendingOf final : detail::Pending {
  explicit PendingOf(Handler h) : handler(std::move(h)) {}
  void complete(Result<Reply> result) override {
    auto executor = asio::get_associated_executor(handler);
    asio::post(executor, [h = std::move(handler), r = std::move(result)]() mutable {
      std::move(h)(std::move(r));
    });
  }
  Handler handler;
};

Result<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    return make_error(Errc::invalid_field, "bad port");
  }
  return static_cast<std::uint16_t>(value);
}

// "host" or "host:port" of a URL of the given kind ("Redis URL").
Result<Address> parse_host_port(std::string_view text, std::uint16_t port_default,
                                std::string_view kind) {
  Address address;
  address.port = port_default;
  const std::size_t colon = text.rfind(':');
  address.host = std::string(text.substr(0, colon));
  if (colon != std::string_view::npos) {
    const auto port = parse_port(text.substr(colon + 1));
    if (!port) {
      return make_error(Errc::invalid_field, fmt::format("bad port in the {}: {}", kind, text));
    }
    address.port = *port;
  }
  if (address.host.empty()) {
    return make_error(Errc::invalid_field, fmt::format("no host in the {}: {}", kind, text));
  }
  return address;
}

// A Sentinel's answer to SENTINEL get-master-addr-by-name: [host, port] of the primary, nil for
// a group it doesn't watch, or no answer at all (nullptr: unreachable, or dropped at its
// deadline).
Result<Address> primary_named_by(const redisReply* reply, const std::string& master_name) {
  if (reply == nullptr) return unavailable("no answer");
  if (reply->type == REDIS_REPLY_NIL) {
    return unavailable("it watches no group named " + master_name);
  }
  if (reply->type == REDIS_REPLY_ERROR) return unavailable(std::string(text_of(reply)));
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 || !is_text(reply->element[0]) ||
      !is_text(reply->element[1]) || reply->element[0]->len == 0) {
    return unavailable("an answer that is not [host, port]");
  }
  const auto port = parse_port(text_of(reply->element[1]));
  if (!port) return unavailable("an answer with a bad port");
  return Address{std::string(text_of(reply->element[0])), *port};
}

// The first element of ROLE's answer: "master", "slave" or "sentinel" (or what went wrong).
std::string role_of(const redisReply* reply) {
  if (reply->type == REDIS_REPLY_ERROR) return "error " + std::string(text_of(reply));
  if (reply->type == REDIS_REPLY_ARRAY && reply->elements >= 1 && is_text(reply->element[0])) {
    return std::string(text_of(reply->element[0]));
  }
  return "of an unknown form";
}

bool is_master_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

Result<Address> parse_redis_url(std::string_view url) {
  constexpr std::string_view scheme = "redis://";
  if (!url.starts_with(scheme)) {
    return make_error(Errc::invalid_field, url.starts_with("redis-sentinel://")
                                               ? "a redis-sentinel:// URL names Sentinels, not "
                                                 "one Redis (parse_redis_endpoint reads both)"
                                               : "a Redis URL starts with redis://");
  }
  url.remove_prefix(scheme.size());
  return parse_host_port(url, redis_port_default, "Redis URL");
}

Result<Endpoint> parse_redis_endpoint(std::string_view url) {
  constexpr std::string_view scheme = "redis-sentinel://";
  if (!url.starts_with(scheme)) {
    if (!url.starts_with("redis://")) {
      return make_error(Errc::invalid_field,
                        "a Redis URL starts with redis:// or redis-sentinel://");
    }
    auto address = parse_redis_url(url);
    if (!address) return std::move(address).error();
    return Endpoint(std::move(address).value());
  }
  url.remove_prefix(scheme.size());
  const std::size_t slash = url.find('/');
  if (slash == std::string_view::npos) {
    return make_error(Errc::invalid_field,
                      "a redis-sentinel:// URL ends with /master-name, the group's name in the "
                      "Sentinels' configuration");
  }
  const std::string_view name = url.substr(slash + 1);
  if (name.empty() || !std::ranges::all_of(name, is_master_name_char)) {
    return make_error(Errc::invalid_field,
                      "the master name at the end of a redis-sentinel:// URL is letters, digits, "
                      "'.', '_' and '-', not empty");
  }
  Sentinels sentinels;
  sentinels.master_name = std::string(name);
  std::string_view list = url.substr(0, slash);
  for (;;) {
    const std::size_t comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    if (item.empty()) {
      return make_error(Errc::invalid_field,
                        "an empty Sentinel address in the redis-sentinel:// URL");
    }
    if (sentinels.addresses.size() == sentinels_max) {
      return make_error(Errc::invalid_field, fmt::format("more than {} Sentinels in the "
                                                         "redis-sentinel:// URL",
                                                         sentinels_max));
    }
    auto address = parse_host_port(item, sentinel_port_default, "redis-sentinel:// URL");
    if (!address) return std::move(address).error();
    sentinels.addresses.push_back(std::move(address).value());
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return Endpoint(std::move(sentinels));
}

// Watches hiredis's socket for it: hiredis says when it wants to read or write, this waits
// for readiness on the io_context and hands the event back. Owned by the hiredis context
// (released at its cleanup) and by the waits in flight.
struct Client::Watcher : std::enable_shared_from_this<Watcher> {
  Watcher(asio::io_context& io, int fd, redisAsyncContext* context_)
      : descriptor(io, fd), context(context_) {}

  void wait(bool for_read) {
    bool& waiting = for_read ? read_waiting : write_waiting;
    if (waiting || closed) return;
    waiting = true;
    descriptor.async_wait(
        for_read ? asio::posix::stream_descriptor::wait_read
                 : asio::posix::stream_descriptor::wait_write,
        [watcher = shared_from_this(), for_read](const boost::system::error_code& error) {
          (for_read ? watcher->read_waiting : watcher->write_waiting) = false;
          const bool& wanted = for_read ? watcher->want_read : watcher->want_write;
          if (error || watcher->closed || !wanted) return;
          // May free the context (a disconnect): cleanup() then marks this watcher closed.
          if (for_read) {
            redisAsyncHandleRead(watcher->context);
          } else {
            redisAsyncHandleWrite(watcher->context);
          }
          if (!watcher->closed && wanted) watcher->wait(for_read);
        });
  }

  static Watcher& of(void* data) { return *static_cast<Watcher*>(data); }
  static void add_read(void* data) {
    of(data).want_read = true;
    of(data).wait(true);
  }
  static void del_read(void* data) { of(data).want_read = false; }
  static void add_write(void* data) {
    of(data).want_write = true;
    of(data).wait(false);
  }
  static void del_write(void* data) { of(data).want_write = false; }
  static void cleanup(void* data) {
    Watcher& watcher = of(data);
    watcher.closed = true;
    boost::system::error_code ignored;
    watcher.descriptor.cancel(ignored);
    watcher.descriptor.release();  // hiredis closes its own socket
    watcher.self.reset();          // may destroy the watcher: touch nothing after this
  }

  asio::posix::stream_descriptor descriptor;
  redisAsyncContext* context;
  std::shared_ptr<Watcher> self;
  bool want_read = false;
  bool want_write = false;
  bool read_waiting = false;
  bool write_waiting = false;
  bool closed = false;
};

Client::Client(asio::io_context& io, Endpoint endpoint)
    : io_(io), endpoint_(std::move(endpoint)), reconnect_timer_(io), deadline_timer_(io) {}

Client::~Client() {
  stopping_ = true;
  alive_.reset();
  reconnect_timer_.cancel();
  deadline_timer_.cancel();
  // Detached before the free: the callbacks it runs then see a connection that isn't ours.
  if (redisAsyncContext* sentinel = std::exchange(sentinel_context_, nullptr)) {
    redisAsyncFree(sentinel);
  }
  drop_primary();
  fail_waiting("Redis: the client is closing");
}

void Client::start() { connect(); }

// Hiredis resolves a host name with a blocking getaddrinfo(). URLs name hosts by IP address in
// practice, and so do Sentinels (unless told to announce host names).
redisAsyncContext* Client::open(const Address& address) {
  redisAsyncContext* context = redisAsyncConnect(address.host.c_str(), address.port);
  if (context == nullptr || context->err) {
    if (context != nullptr) {
      spdlog::warn("redis {}:{}: {}", address.host, address.port, context->errstr);
      redisAsyncFree(context);
    }
    return nullptr;
  }
  context->data = this;
  auto watcher = std::make_shared<Watcher>(io_, context->c.fd, context);
  watcher->self = watcher;
  context->ev.data = watcher.get();
  context->ev.addRead = Watcher::add_read;
  context->ev.delRead = Watcher::del_read;
  context->ev.addWrite = Watcher::add_write;
  context->ev.delWrite = Watcher::del_write;
  context->ev.cleanup = Watcher::cleanup;
  return context;
}

void Client::connect() {
  // One attempt at a time: a second would take over sentinel_context_ and context_.
  if (stopping_ || discovering_ || context_ != nullptr) return;
  if (const auto* address = std::get_if<Address>(&endpoint_)) {
    connect_primary(*address);
    return;
  }
  discovering_ = true;
  sentinels_asked_ = 0;
  ask_next_sentinel();
}

// The Sentinels' answers travel over hiredis's async API on this io_context too, one question
// per connection, so discovery never blocks the event loop; each step has a deadline.
void Client::ask_next_sentinel() {
  const Sentinels& sentinels = std::get<Sentinels>(endpoint_);
  const std::size_t count = sentinels.addresses.size();
  while (sentinels_asked_ < count) {
    // A round starts with the Sentinel that answered last, then goes round the list.
    sentinel_index_ = (sentinel_first_ + sentinels_asked_) % count;
    ++sentinels_asked_;
    redisAsyncContext* context = open(sentinels.addresses[sentinel_index_]);
    if (context == nullptr) continue;
    const char* argv[] = {"SENTINEL", "get-master-addr-by-name", sentinels.master_name.c_str()};
    const std::size_t lengths[] = {8, 23, sentinels.master_name.size()};
    if (redisAsyncCommandArgv(context, on_sentinel_answer, this, 3, argv, lengths) != REDIS_OK) {
      redisAsyncFree(context);
      continue;
    }
    sentinel_context_ = context;
    arm_deadline(sentinel_answer_ms_max, &Client::on_sentinel_timeout);
    return;
  }
  spdlog::warn("redis: no Sentinel named a primary for {}", sentinels.master_name);
  on_gone();
}

void Client::on_sentinel_answer(redisAsyncContext* context, void* raw, void* data) {
  auto* client = static_cast<Client*>(data);
  // Dropped at its deadline or by the destructor: whoever dropped it has moved on.
  if (client->stopping_ || context != client->sentinel_context_) return;
  client->sentinel_context_ = nullptr;
  client->disarm_deadline();
  const auto* reply = static_cast<const redisReply*>(raw);
  if (reply != nullptr) redisAsyncFree(context);  // in a callback: freed when it returns
  const Sentinels& sentinels = std::get<Sentinels>(client->endpoint_);
  const Address& sentinel = sentinels.addresses[client->sentinel_index_];
  auto primary = primary_named_by(reply, sentinels.master_name);
  if (!primary) {
    spdlog::warn("redis sentinel {}:{}: {}", sentinel.host, sentinel.port, primary.error().detail);
    client->ask_next_sentinel();
    return;
  }
  client->sentinel_first_ = client->sentinel_index_;
  client->connect_primary(*primary);
}

void Client::on_sentinel_timeout() {
  const Address& sentinel = std::get<Sentinels>(endpoint_).addresses[sentinel_index_];
  spdlog::warn("redis sentinel {}:{}: no answer within {} ms", sentinel.host, sentinel.port,
               sentinel_answer_ms_max.count());
  if (redisAsyncContext* context = std::exchange(sentinel_context_, nullptr)) {
    redisAsyncFree(context);
  }
  ask_next_sentinel();
}

void Client::connect_primary(const Address& address) {
  redisAsyncContext* context = open(address);
  if (context == nullptr) {
    on_gone();
    return;
  }
  context_ = context;
  primary_ = address;
  // After the hooks: setting the connect callback asks for the first write event.
  redisAsyncSetConnectCallback(context, on_connect);
  redisAsyncSetDisconnectCallback(context, on_disconnect);
  if (!behind_sentinels()) return;
  // ROLE goes first; commands wait in waiting_, not on the wire, until it says "master": sent
  // to a replica, a read would answer stale data.
  redisAsyncCommand(context, on_role, this, "ROLE");
  arm_deadline(primary_check_ms_max, &Client::on_primary_timeout);
}

void Client::on_role(redisAsyncContext* context, void* raw, void* data) {
  auto* client = static_cast<Client*>(data);
  // No answer: on_connect or on_disconnect takes it from here.
  if (client->stopping_ || context != client->context_ || raw == nullptr) return;
  client->disarm_deadline();
  const Address& node = client->primary_;
  const std::string role = role_of(static_cast<const redisReply*>(raw));
  if (role != "master") {
    spdlog::warn("redis {}:{}, named by the Sentinels, answers ROLE {}: refused", node.host,
                 node.port, role);
    client->drop_primary();
    client->on_gone();
    return;
  }
  spdlog::info("redis: the primary of {} is {}:{}",
               std::get<Sentinels>(client->endpoint_).master_name, node.host, node.port);
  client->discovering_ = false;
  client->connected_ = true;
  client->backoff_ms_ = backoff_first_ms;
  client->send_waiting();
}

void Client::on_primary_timeout() {
  spdlog::warn("redis {}:{}: no answer to ROLE within {} ms", primary_.host, primary_.port,
               primary_check_ms_max.count());
  drop_primary();
  on_gone();
}

void Client::drop_primary() {
  connected_ = false;
  // Detached before the free: the callbacks it runs then see a connection that isn't ours.
  if (redisAsyncContext* context = std::exchange(context_, nullptr)) redisAsyncFree(context);
}

void Client::on_gone() {
  context_ = nullptr;
  connected_ = false;
  discovering_ = false;
  disarm_deadline();
  fail_waiting("Redis: no primary reachable now");
  if (stopping_) return;
  reconnect_timer_.expires_after(backoff_ms_);
  backoff_ms_ = std::min(backoff_ms_ * 2, backoff_ms_max);
  reconnect_timer_.async_wait(
      [this, alive = std::weak_ptr<int>(alive_)](const boost::system::error_code& error) {
        if (!error && !alive.expired()) connect();
      });
}

void Client::arm_deadline(std::chrono::milliseconds after, void (Client::*on_expiry)()) {
  const std::uint64_t step = ++deadline_step_;
  deadline_timer_.expires_after(after);
  deadline_timer_.async_wait([this, step, on_expiry, alive = std::weak_ptr<int>(alive_)](
                                 const boost::system::error_code& error) {
    // A deadline already due when its step ended still runs this, without an error.
    if (error || alive.expired() || step != deadline_step_) return;
    (this->*on_expiry)();
  });
}

void Client::disarm_deadline() {
  ++deadline_step_;
  deadline_timer_.cancel();
}

void Client::on_connect(const redisAsyncContext* context, int status) {
  auto* client = static_cast<Client*>(context->data);
  if (context != client->context_) return;
  if (status != REDIS_OK) {  // hiredis frees the context after this returns
    client->on_gone();
    return;
  }
  if (client->behind_sentinels()) return;  // connected once ROLE says "master"
  client->connected_ = true;
  client->backoff_ms_ = backoff_first_ms;
}

void Client::on_disconnect(const redisAsyncContext* context, int) {
  auto* client = static_cast<Client*>(context->data);
  if (context == client->context_) client->on_gone();  // freed after this returns
}

void Client::on_reply(redisAsyncContext* context, void* raw, void* data) {
  std::unique_ptr<detail::Pending> pending(static_cast<detail::Pending*>(data));
  const auto* reply = static_cast<const redisReply*>(raw);
  if (reply == nullptr) {
    pending->complete(unavailable("Redis: the connection went away"));
    return;
  }
  auto* client = static_cast<Client*>(context->data);
  if (client->behind_sentinels() && is_readonly(reply)) {
    // A failover demoted this node; the command did not run. Commands behind it on the wire
    // answer store_unavailable when the connection is dropped.
    pending->complete(unavailable("Redis: the node is no longer the primary (READONLY)"));
    if (context == client->context_) {
      spdlog::warn("redis {}:{} answers READONLY: demoted; asking the Sentinels again",
                   client->primary_.host, client->primary_.port);
      client->drop_primary();
      client->on_gone();
    }
    return;
  }
  pending->complete(convert(reply));
}

asio::awaitable<Result<Reply>> Client::command(std::vector<std::string> args) {
  const bool sendable = context_ != nullptr && !discovering_;
  if (!sendable && !discovering_) co_return unavailable("Redis is not connected");
  auto initiate = [this, &args, sendable](auto handler) {
    auto pending = std::make_unique<PendingOf<decltype(handler)>>(std::move(handler));
    if (sendable) {
      send(std::move(args), std::move(pending));
    } else if (waiting_.size() < waiting_commands_max) {
      waiting_.push_back(Waiting{std::move(args), std::move(pending)});
    } else {
      pending->complete(unavailable("Redis: too many commands wait for the primary"));
    }
  };
  auto token = asio::use_awaitable;
  co_return co_await asio::async_initiate<decltype(token), void(Result<Reply>)>(initiate, token);
}

void Client::send(std::vector<std::string> args, std::unique_ptr<detail::Pending> pending) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  // hiredis copies the command into its output buffer; on_reply owns pending from here.
  detail::Pending* raw = pending.release();
  if (redisAsyncCommandArgv(context_, on_reply, raw, static_cast<int>(argv.size()), argv.data(),
                            lengths.data()) != REDIS_OK) {
    std::unique_ptr<detail::Pending> failed(raw);
    failed->complete(unavailable("Redis: the connection is closing"));
  }
}

void Client::send_waiting() {
  std::vector<Waiting> waiting = std::exchange(waiting_, {});
  for (Waiting& command : waiting) send(std::move(command.args), std::move(command.pending));
}

void Client::fail_waiting(const std::string& detail) {
  std::vector<Waiting> waiting = std::exchange(waiting_, {});
  for (Waiting& command : waiting) command.pending->complete(unavailable(detail));
}

}  // namespace boxoffice::redis
