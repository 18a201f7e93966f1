#include "stores/redis/client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <charconv>

namespace boxoffice::redis {
namespace asio = boost::asio;

namespace {

constexpr auto backoff_max = std::chrono::milliseconds(1000);

Reply convert(const redisReply* raw) {
  Reply reply;
  switch (raw->type) {
    case REDIS_REPLY_STRING: reply.type = Reply::Type::string; break;
    case REDIS_REPLY_STATUS: reply.type = Reply::Type::status; break;
    case REDIS_REPLY_ERROR: reply.type = Reply::Type::error; break;
    case REDIS_REPLY_INTEGER: reply.type = Reply::Type::integer; break;
    case REDIS_REPLY_ARRAY: reply.type = Reply::Type::array; break;
    default: reply.type = Reply::Type::nil; break;
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

// A command in flight: the coroutine's completion handler, resumed outside hiredis's stack.
struct Pending {
  virtual ~Pending() = default;
  virtual void complete(boost::system::error_code error, Reply reply) = 0;
};

template <class Handler>
struct PendingOf final : Pending {
  explicit PendingOf(Handler h) : handler(std::move(h)) {}
  void complete(boost::system::error_code error, Reply reply) override {
    auto executor = asio::get_associated_executor(handler);
    asio::post(executor, [h = std::move(handler), error, r = std::move(reply)]() mutable {
      std::move(h)(error, std::move(r));
    });
  }
  Handler handler;
};

void on_reply(redisAsyncContext*, void* raw, void* data) {
  std::unique_ptr<Pending> pending(static_cast<Pending*>(data));
  if (raw == nullptr) {
    pending->complete(asio::error::connection_reset, {});  // the connection went away
  } else {
    pending->complete({}, convert(static_cast<redisReply*>(raw)));
  }
}

}  // namespace

Result<Address> parse_redis_url(std::string_view url) {
  constexpr std::string_view scheme = "redis://";
  if (!url.starts_with(scheme)) {
    return make_error(Errc::invalid_field, "a Redis URL starts with redis://");
  }
  url.remove_prefix(scheme.size());
  Address address;
  const std::size_t colon = url.rfind(':');
  address.host = std::string(url.substr(0, colon));
  if (colon != std::string_view::npos) {
    const std::string_view port = url.substr(colon + 1);
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return make_error(Errc::invalid_field, "bad port in the Redis URL");
    }
    address.port = static_cast<std::uint16_t>(value);
  }
  if (address.host.empty()) return make_error(Errc::invalid_field, "no host in the Redis URL");
  return address;
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

Client::Client(asio::io_context& io, Address address)
    : io_(io), address_(std::move(address)), reconnect_timer_(io) {}

Client::~Client() {
  stopping_ = true;
  reconnect_timer_.cancel();
  if (context_ != nullptr) redisAsyncFree(context_);
}

void Client::start() { connect(); }

void Client::connect() {
  if (stopping_) return;
  redisAsyncContext* context = redisAsyncConnect(address_.host.c_str(), address_.port);
  if (context == nullptr || context->err) {
    if (context != nullptr) {
      spdlog::warn("redis {}:{}: {}", address_.host, address_.port, context->errstr);
      redisAsyncFree(context);
    }
    on_gone();
    return;
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
  context_ = context;
  // After the hooks: setting the connect callback asks for the first write event.
  redisAsyncSetConnectCallback(context, on_connect);
  redisAsyncSetDisconnectCallback(context, on_disconnect);
}

void Client::on_gone() {
  context_ = nullptr;
  connected_ = false;
  if (stopping_) return;
  reconnect_timer_.expires_after(backoff_ms_);
  backoff_ms_ = std::min(backoff_ms_ * 2, std::chrono::duration_cast<std::chrono::milliseconds>(backoff_max));
  reconnect_timer_.async_wait([this](const boost::system::error_code& error) {
    if (!error) connect();
  });
}

void Client::on_connect(const redisAsyncContext* context, int status) {
  auto* client = static_cast<Client*>(context->data);
  if (status != REDIS_OK) {  // hiredis frees the context after this returns
    client->on_gone();
    return;
  }
  client->connected_ = true;
  client->backoff_ms_ = std::chrono::milliseconds(50);
}

void Client::on_disconnect(const redisAsyncContext* context, int) {
  static_cast<Client*>(context->data)->on_gone();  // freed after this returns
}

asio::awaitable<Result<Reply>> Client::command(std::vector<std::string> args) {
  if (context_ == nullptr) {
    co_return make_error(Errc::store_unavailable, "Redis is not connected");
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto token = asio::as_tuple(asio::use_awaitable);
  auto [error, reply] = co_await asio::async_initiate<decltype(token),
                                                      void(boost::system::error_code, Reply)>(
      [this, &argv, &lengths](auto handler) {
        auto* pending = new PendingOf<decltype(handler)>(std::move(handler));
        if (redisAsyncCommandArgv(context_, on_reply, pending, static_cast<int>(argv.size()),
                                  argv.data(), lengths.data()) != REDIS_OK) {
          pending->complete(asio::error::not_connected, {});
          delete pending;
        }
      },
      token);
  if (error) co_return make_error(Errc::store_unavailable, "Redis: " + error.message());
  co_return std::move(reply);
}

}  // namespace boxoffice::redis
