// The Redis client against a real Redis (started here by tests/support/redis.sh): replies,
// pipelining of many commands in flight, errors, and reconnecting after an outage.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <thread>
#include <variant>

#include "../support/run_coroutine.hpp"
#include "stores/redis/client.hpp"

namespace boxoffice::redis {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

const std::string script = std::string(BOXOFFICE_SOURCE_DIR) + "/tests/support/redis.sh";

class RedisClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    state_ = ::testing::TempDir() + "boxoffice-redis-client-" + std::to_string(::getpid());
    ASSERT_EQ(std::system((script + " start " + state_ + " >/dev/null").c_str()), 0);
    std::ifstream(state_) >> url_;
  }
  static void TearDownTestSuite() { std::system((script + " stop " + state_).c_str()); }

  template <class T>
  T run(asio::awaitable<T> work) {
    return testing::run_coroutine(io_, std::move(work));
  }

  Result<Reply> send(Client& client, std::vector<std::string> args) {
    return run(client.command(std::move(args)));
  }

  Client make_client() { return Client(io_, parse_redis_url(url_).value()); }

  static inline std::string state_;
  static inline std::string url_;
  asio::io_context io_;
};

TEST(RedisUrl, Parses) {
  const auto address = parse_redis_url("redis://127.0.0.1:6380");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->host, "127.0.0.1");
  EXPECT_EQ(address->port, 6380);
  EXPECT_EQ(parse_redis_url("redis://cache")->port, 6379);
  EXPECT_FALSE(parse_redis_url("http://x:1").ok());
  EXPECT_FALSE(parse_redis_url("redis://x:99999").ok());
  EXPECT_FALSE(parse_redis_url("redis://:1").ok());
  EXPECT_FALSE(parse_redis_url("redis-sentinel://x/m").ok());  // a list of Sentinels, not a Redis
}

TEST(RedisUrl, ParsesBothFormsAsAnEndpoint) {
  const auto direct = parse_redis_endpoint("redis://cache:6380");
  ASSERT_TRUE(direct.ok());
  ASSERT_TRUE(std::holds_alternative<Address>(*direct));
  EXPECT_EQ(std::get<Address>(*direct).host, "cache");
  EXPECT_EQ(std::get<Address>(*direct).port, 6380);

  const auto sentinels =
      parse_redis_endpoint("redis-sentinel://10.0.0.1:26380,s2,10.0.0.3:5000/my-primary.1");
  ASSERT_TRUE(sentinels.ok());
  ASSERT_TRUE(std::holds_alternative<Sentinels>(*sentinels));
  const Sentinels& group = std::get<Sentinels>(*sentinels);
  EXPECT_EQ(group.master_name, "my-primary.1");
  ASSERT_EQ(group.addresses.size(), 3u);
  EXPECT_EQ(group.addresses[0].host, "10.0.0.1");
  EXPECT_EQ(group.addresses[0].port, 26380);
  EXPECT_EQ(group.addresses[1].host, "s2");
  EXPECT_EQ(group.addresses[1].port, 26379);  // Sentinel's own default port
  EXPECT_EQ(group.addresses[2].port, 5000);
}

TEST(RedisUrl, RefusesBadEndpointsWithAReason) {
  const auto refused = [](std::string_view url) {
    const auto endpoint = parse_redis_endpoint(url);
    EXPECT_FALSE(endpoint.ok()) << url;
    if (endpoint.ok()) return std::string();
    EXPECT_EQ(endpoint.error().code, Errc::invalid_field);
    return endpoint.error().detail;
  };
  EXPECT_EQ(refused("http://x:1"), "a Redis URL starts with redis:// or redis-sentinel://");
  EXPECT_EQ(refused("redis://x:0"), "bad port in the Redis URL: x:0");
  EXPECT_EQ(refused("redis-sentinel://s1:26379"),
            "a redis-sentinel:// URL ends with /master-name, the group's name in the Sentinels' "
            "configuration");
  EXPECT_EQ(refused("redis-sentinel://s1:26379/"),
            "the master name at the end of a redis-sentinel:// URL is letters, digits, '.', '_' "
            "and '-', not empty");
  EXPECT_EQ(refused("redis-sentinel://s1/a/b"), refused("redis-sentinel://s1/"));
  EXPECT_EQ(refused("redis-sentinel://s1/a b"), refused("redis-sentinel://s1/"));
  EXPECT_EQ(refused("redis-sentinel:///m"),
            "an empty Sentinel address in the redis-sentinel:// URL");
  EXPECT_EQ(refused("redis-sentinel://s1,,s2/m"), refused("redis-sentinel:///m"));
  EXPECT_EQ(refused("redis-sentinel://s1,/m"), refused("redis-sentinel:///m"));
  EXPECT_EQ(refused("redis-sentinel://s1:99999/m"),
            "bad port in the redis-sentinel:// URL: s1:99999");
  EXPECT_EQ(refused("redis-sentinel://s1:x/m"), "bad port in the redis-sentinel:// URL: s1:x");
  EXPECT_EQ(refused("redis-sentinel://:26379/m"), "no host in the redis-sentinel:// URL: :26379");
  std::string many = "redis-sentinel://s";
  for (std::size_t i = 1; i <= sentinels_max; ++i) many += ",s";
  EXPECT_EQ(refused(many + "/m"), "more than 16 Sentinels in the redis-sentinel:// URL");
}

TEST_F(RedisClientTest, RepliesOfEveryKind) {
  Client client = make_client();
  client.start();
  const std::string binary("v\0w", 3);  // values are bytes, not C strings
  EXPECT_EQ(send(client, {"SET", "k", binary})->type, Reply::Type::status);
  const auto value = send(client, {"GET", "k"});
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->type, Reply::Type::string);
  EXPECT_EQ(value->text, binary);
  EXPECT_EQ(send(client, {"GET", "missing"})->type, Reply::Type::nil);
  EXPECT_EQ(send(client, {"DEL", "list"})->type, Reply::Type::integer);
  EXPECT_EQ(send(client, {"RPUSH", "list", "a", "b"})->integer, 2);
  const auto list = send(client, {"LRANGE", "list", "0", "-1"});
  ASSERT_EQ(list->elements.size(), 2u);
  EXPECT_EQ(list->elements[1].text, "b");
  const auto error = send(client, {"NO-SUCH-COMMAND"});
  ASSERT_TRUE(error.ok());  // Redis answered: an error reply, not a failed call
  EXPECT_EQ(error->type, Reply::Type::error);
  EXPECT_TRUE(client.connected());
}

TEST_F(RedisClientTest, ManyCommandsInFlightArePipelined) {
  Client client = make_client();
  client.start();
  ASSERT_TRUE(send(client, {"DEL", "counter"}).ok());
  constexpr int commands = 2000;
  int answered = 0;
  std::int64_t highest = 0;
  for (int i = 0; i < commands; ++i) {
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          std::vector<std::string> incr{"INCR", "counter"};  // named: g++ 12 and co_await
          auto reply = co_await client.command(std::move(incr));
          if (reply.ok()) highest = std::max(highest, reply->integer);
          ++answered;
        },
        asio::detached);
  }
  while (answered < commands) io_.run_one();
  EXPECT_EQ(highest, commands);
  EXPECT_EQ(send(client, {"GET", "counter"})->text, std::to_string(commands));
}

TEST_F(RedisClientTest, NoServerMeansStoreUnavailable) {
  Client client(io_, Address{"127.0.0.1", 1});  // nothing listens on port 1
  client.start();
  const auto reply = send(client, {"PING"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, Errc::store_unavailable);
}

TEST_F(RedisClientTest, ReconnectsAfterAnOutage) {
  Client client = make_client();
  client.start();
  ASSERT_EQ(send(client, {"PING"})->text, "PONG");
  ASSERT_EQ(std::system((script + " pause " + state_).c_str()), 0);
  const auto during = send(client, {"PING"});
  ASSERT_FALSE(during.ok());
  EXPECT_EQ(during.error().code, Errc::store_unavailable);
  ASSERT_EQ(std::system((script + " resume " + state_).c_str()), 0);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  Result<Reply> after = make_error(Errc::store_unavailable, "not tried");
  while (std::chrono::steady_clock::now() < deadline) {
    after = send(client, {"PING"});
    if (after.ok()) break;
    asio::steady_timer pause(io_, 20ms);
    run([&]() -> asio::awaitable<int> {
      co_await pause.async_wait(asio::use_awaitable);
      co_return 0;
    }());
  }
  ASSERT_TRUE(after.ok()) << "no reconnect within 10 s";
  EXPECT_EQ(after->text, "PONG");
}

}  // namespace
}  // namespace boxoffice::redis
