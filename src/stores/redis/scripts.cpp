#include "stores/redis/scripts.hpp"

#include <atomic>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <charconv>
#include <memory>
#include <unordered_map>

namespace boxoffice::redis {
namespace asio = boost::asio;

namespace {

std::atomic<std::uint64_t> next_serial = 1;

class Clients final : public asio::execution_context::service {
 public:
  static inline asio::execution_context::id id;
  explicit Clients(asio::execution_context& context) : service(context) {}

  // Called only from the io_context's own thread.
  Client& of(std::uint64_t owner, asio::io_context& io, const Endpoint& endpoint) {
    std::unique_ptr<Client>& client = clients_[owner];
    if (!client) {
      client = std::make_unique<Client>(io, endpoint);
      client->start();
    }
    return *client;
  }

 private:
  void shutdown() override { clients_.clear(); }
  std::unordered_map<std::uint64_t, std::unique_ptr<Client>> clients_;
};

}  // namespace

Connections::Connections(Endpoint endpoint)
    : endpoint_(std::move(endpoint)), serial_(next_serial++) {}

asio::awaitable<Client*> Connections::here() {
  auto executor = co_await asio::this_coro::executor;
  auto& io = static_cast<asio::io_context&>(asio::query(executor, asio::execution::context));
  co_return &asio::use_service<Clients>(io).of(serial_, io, endpoint_);
}

Scripts::Scripts(std::vector<std::string> texts) : texts_(std::move(texts)), shas_(texts_.size()) {}

asio::awaitable<Result<Reply>> Scripts::run(Client& client, std::size_t index,
                                            const std::vector<std::string>& keys,
                                            const std::vector<std::string>& args) {
  for (int attempt = 0;; ++attempt) {
    std::string sha;
    {
      std::lock_guard lock(mutex_);
      sha = shas_.at(index);
    }
    if (sha.empty()) {
      std::vector<std::string> load{"SCRIPT", "LOAD", texts_[index]};
      auto loaded = co_await client.command(std::move(load));
      if (!loaded) co_return std::move(loaded).error();
      if (loaded->type != Reply::Type::string) co_return unexpected(*loaded);
      sha = loaded->text;
      std::lock_guard lock(mutex_);
      shas_[index] = sha;
    }
    std::vector<std::string> command;
    command.reserve(3 + keys.size() + args.size());
    command.insert(command.end(), {"EVALSHA", sha, std::to_string(keys.size())});
    command.insert(command.end(), keys.begin(), keys.end());
    command.insert(command.end(), args.begin(), args.end());
    auto reply = co_await client.command(std::move(command));
    if (!reply || reply->type != Reply::Type::error || attempt > 0 ||
        !reply->text.starts_with("NOSCRIPT")) {
      co_return reply;
    }
    std::lock_guard lock(mutex_);
    shas_[index].clear();
  }
}

Error unexpected(const Reply& reply) {
  return make_error(Errc::store_unavailable, "Redis answered unexpectedly: " + reply.text);
}

std::int64_t integer_of(const Reply& reply) {
  if (reply.type == Reply::Type::integer) return reply.integer;
  std::int64_t value = 0;
  std::from_chars(reply.text.data(), reply.text.data() + reply.text.size(), value);
  return value;
}

}  // namespace boxoffice::redis
