// The Redis client behind Sentinel, against real servers started by tests/support/redis.sh: a
// primary, its replica and three Sentinels that fail over within seconds. A fake Sentinel, on its
// own thread, names whichever node a test wants, or never answers: that is how a Client is shown
// a replica, a demoted primary and a hung Sentinel.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include "../support/run_coroutine.hpp"
#include "stores/redis/client.hpp"

namespace boxoffice::redis {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string script = std::string(BOXOFFICE_SOURCE_DIR) + "/tests/support/redis.sh";

std::string state_path(const std::string& name) {
  return ::testing::TempDir() + "boxoffice-" + name + "-" + std::to_string(::getpid());
}

std::string read_url(const std::string& state) {
  std::string url;
  std::ifstream(state) >> url;
  return url;
}

// What a shell command prints, without the last newline.
std::string output_of(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  ::pclose(pipe);
  while (!output.empty() && output.back() == '\n') output.pop_back();
  return output;
}

// A plain Redis of this test's own, stopped when it goes out of scope.
struct ScopedRedis {
  explicit ScopedRedis(const std::string& name) : state(state_path(name)) {
    EXPECT_EQ(std::system((script + " start " + state + " >/dev/null").c_str()), 0);
    url = read_url(state);
    port = parse_redis_url(url)->port;
  }
  ~ScopedRedis() { std::system((script + " stop " + state).c_str()); }
  std::string state;
  std::string url;
  std::uint16_t port = 0;
};

// Answers every SENTINEL get-master-addr-by-name with 127.0.0.1 and the port it was told, or,
// told 0, reads and never answers (a hung Sentinel). Runs on its own thread and io_context, so
// it answers while the test's io_context is busy with the client.
class FakeSentinel {
 public:
  FakeSentinel() {
    asio::co_spawn(io_, accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FakeSentinel() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return port_; }
  void name(std::uint16_t primary_port) { named_port_ = primary_port; }
  int asked() const { return asked_; }

 private:
  asio::awaitable<void> accept() {
    for (;;) {
      auto token = asio::as_tuple(asio::use_awaitable);
      auto [error, socket] = co_await acceptor_.async_accept(token);
      if (error) co_return;
      asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(asio::ip::tcp::socket socket) {
    std::string request;
    char buffer[256];
    for (;;) {
      auto token = asio::as_tuple(asio::use_awaitable);
      auto into = asio::buffer(buffer);
      auto [error, read] = co_await socket.async_read_some(into, token);
      if (error) co_return;
      request.append(buffer, read);
      // The question is an array of three bulk strings: seven lines.
      std::size_t lines = 0;
      for (std::size_t at = request.find("\r\n"); at != std::string::npos;
           at = request.find("\r\n", at + 2)) {
        ++lines;
      }
      if (lines < 7) continue;
      request.clear();
      ++asked_;
      const std::uint16_t port = named_port_;
      if (port == 0) continue;
      const std::string digits = std::to_string(port);
      const std::string answer =
          "*2\r\n$9\r\n127.0.0.1\r\n$" + std::to_string(digits.size()) + "\r\n" + digits + "\r\n";
      auto out = asio::buffer(answer);
      auto [write_error, written] = co_await asio::async_write(socket, out, token);
      if (write_error) co_return;
    }
  }

  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_{io_, {asio::ip::make_address("127.0.0.1"), 0}};
  std::uint16_t port_ = acceptor_.local_endpoint().port();
  std::atomic<std::uint16_t> named_port_{0};
  std::atomic<int> asked_{0};
  std::thread thread_;
};

class RedisSentinelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    state_ = state_path("redis-sentinel");
    const auto started = Clock::now();
    ASSERT_EQ(std::system((script + " start-sentinel " + state_ + " 3 >/dev/null").c_str()), 0);
    url_ = read_url(state_);
    std::cout << "primary, replica and 3 Sentinels up in " << elapsed_ms(started) << " ms: " << url_
              << "\n";
  }
  static void TearDownTestSuite() { std::system((script + " stop " + state_).c_str()); }

  static long elapsed_ms(Clock::time_point since) {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
  }

  template <class T>
  T run(asio::awaitable<T> work) {
    return testing::run_coroutine(io_, std::move(work));
  }

  Result<Reply> send(Client& client, std::vector<std::string> args) {
    return run(client.command(std::move(args)));
  }

  // Lets io_ run (the client's timers and connections) for a while.
  void pause(std::chrono::milliseconds duration) {
    asio::steady_timer timer(io_, duration);
    run([&]() -> asio::awaitable<int> {
      co_await timer.async_wait(asio::use_awaitable);
      co_return 0;
    }());
  }

  // Sends the command every 20 ms until it answers, for at most `limit`; every failure on the
  // way must be store_unavailable. Answers the last result and counts the failures.
  Result<Reply> until_answered(Client& client, const std::vector<std::string>& args,
                               std::chrono::milliseconds limit, int& failures) {
    const auto deadline = Clock::now() + limit;
    for (;;) {
      auto reply = send(client, args);
      if (reply.ok() || Clock::now() > deadline) return reply;
      EXPECT_EQ(reply.error().code, Errc::store_unavailable) << reply.error().detail;
      ++failures;
      pause(20ms);
    }
  }

  // The Sentinels' list, after a Sentinel that refuses connections and one that never answers:
  // the client must go past both.
  std::string url_with_dead_sentinels(const FakeSentinel& hung) const {
    return "redis-sentinel://127.0.0.1:1,127.0.0.1:" + std::to_string(hung.port()) + "," +
           url_.substr(std::string_view("redis-sentinel://").size());
  }

  static inline std::string state_;
  static inline std::string url_;
  asio::io_context io_;
};

TEST_F(RedisSentinelTest, ReachesThePrimaryPastDeadAndHungSentinels) {
  FakeSentinel hung;  // names nothing: never answers
  const auto endpoint = parse_redis_endpoint(url_with_dead_sentinels(hung));
  ASSERT_TRUE(endpoint.ok()) << endpoint.error().detail;
  Client client(io_, *endpoint);
  client.start();
  EXPECT_FALSE(client.connected());
  const auto started = Clock::now();
  // Sent at once: it waits for the discovery instead of failing.
  const auto set = send(client, {"SET", "before-failover", "v1"});
  ASSERT_TRUE(set.ok()) << set.error().detail;
  EXPECT_EQ(set->text, "OK");
  std::cout << "first answer through the Sentinels after " << elapsed_ms(started)
            << " ms (one hung Sentinel: 500 ms of that)\n";
  EXPECT_TRUE(client.connected());
  EXPECT_EQ(hung.asked(), 1);
  const auto role = send(client, {"ROLE"});
  ASSERT_TRUE(role.ok());
  ASSERT_FALSE(role->elements.empty());
  EXPECT_EQ(role->elements[0].text, "master");
  EXPECT_EQ(send(client, {"GET", "before-failover"})->text, "v1");
}

TEST_F(RedisSentinelTest, RefusesAReplicaAndLeavesADemotedPrimary) {
  ScopedRedis a("redis-sentinel-a");
  ScopedRedis b("redis-sentinel-b");
  FakeSentinel sentinel;
  sentinel.name(a.port);
  const std::string url = "redis-sentinel://127.0.0.1:" + std::to_string(sentinel.port()) + "/g";
  Client client(io_, parse_redis_endpoint(url).value());
  client.start();
  ASSERT_EQ(send(client, {"SET", "k", "on-a"})->text, "OK");
  ASSERT_TRUE(client.connected());

  // A failover by hand: a becomes b's replica, while the Sentinel still names a.
  Client admin(io_, Address{"127.0.0.1", a.port});
  admin.start();
  const std::string b_port = std::to_string(b.port);
  ASSERT_EQ(send(admin, {"REPLICAOF", "127.0.0.1", b_port})->text, "OK");
  const auto demoted = send(client, {"SET", "k", "lost"});
  ASSERT_FALSE(demoted.ok());  // READONLY: it did not run, and the client drops a
  EXPECT_EQ(demoted.error().code, Errc::store_unavailable);
  EXPECT_FALSE(client.connected());

  // Asked again and again, the Sentinel names a, a replica now: refused every time.
  const int asked = sentinel.asked();
  const auto deadline = Clock::now() + 5s;
  while (sentinel.asked() < asked + 3 && Clock::now() < deadline) {
    const auto reply = send(client, {"GET", "k"});
    ASSERT_FALSE(reply.ok()) << "a command reached a replica";
    EXPECT_EQ(reply.error().code, Errc::store_unavailable);
    EXPECT_FALSE(client.connected());
    pause(20ms);
  }
  ASSERT_GE(sentinel.asked(), asked + 3) << "the client stopped asking the Sentinel";

  // The Sentinel names b: the client gets there by itself, within its backoff (1 s at most).
  sentinel.name(b.port);
  const auto named = Clock::now();
  int failures = 0;
  const auto set = until_answered(client, {"SET", "k", "on-b"}, 3000ms, failures);
  ASSERT_TRUE(set.ok()) << set.error().detail;
  EXPECT_LE(elapsed_ms(named), 1500);
  EXPECT_EQ(set->text, "OK");
  EXPECT_TRUE(client.connected());
  EXPECT_EQ(send(client, {"WAIT", "1", "2000"})->integer, 1);
  EXPECT_EQ(send(admin, {"GET", "k"})->text, "on-b");  // replicated from b to a
}

// Last in this suite: it kills the primary.
TEST_F(RedisSentinelTest, FollowsAFailoverWithoutBeingRecreated) {
  Client client(io_, parse_redis_endpoint(url_).value());
  client.start();
  ASSERT_EQ(send(client, {"SET", "before-kill", "v2"})->text, "OK");
  const auto replicated = send(client, {"WAIT", "1", "2000"});
  ASSERT_TRUE(replicated.ok());
  ASSERT_EQ(replicated->integer, 1) << "the replica did not acknowledge the write";

  const std::string killed = output_of(script + " kill-primary " + state_);
  ASSERT_FALSE(killed.empty());
  const auto started = Clock::now();
  const auto during = send(client, {"GET", "before-kill"});
  ASSERT_FALSE(during.ok()) << "answered by a primary killed with -9";
  EXPECT_EQ(during.error().code, Errc::store_unavailable);

  int failures = 1;
  const auto after = until_answered(client, {"GET", "before-kill"}, 15000ms, failures);
  const long failover_ms = elapsed_ms(started);
  ASSERT_TRUE(after.ok()) << "no answer from a new primary within 15 s";
  std::cout << "after kill -9 of the primary, the promoted replica answered in " << failover_ms
            << " ms (" << failures << " store_unavailable answers on the way)\n";
  RecordProperty("failover_ms", std::to_string(failover_ms));
  EXPECT_LT(failover_ms, 8000);
  EXPECT_EQ(after->text, "v2");
  EXPECT_TRUE(client.connected());
  const auto port = send(client, {"CONFIG", "GET", "port"});
  ASSERT_TRUE(port.ok());
  ASSERT_EQ(port->elements.size(), 2u);
  EXPECT_NE(port->elements[1].text, killed);  // another node
  EXPECT_EQ(send(client, {"SET", "after-kill", "v3"})->text, "OK");
}

}  // namespace
}  // namespace boxoffice::redis
