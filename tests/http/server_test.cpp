// The server over real loopback sockets: keep-alive, pipelining, every limit and timeout.
#include "http/server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <thread>

namespace boxoffice::http {
namespace {

using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

class ServerTest : public ::testing::Test {
 protected:
  void start(ServerLimits limits = {}) {
    limits.request_timeout_ms = 300ms;
    limits.idle_timeout_ms = 2000ms;
    server_ = std::make_unique<Server>(
        [this](Request& request) -> asio::awaitable<Response> {
          ++handled_;
          if (request.target() == "/throw") throw std::runtime_error("handler failure");
          Response response{bhttp::status::ok, 11};
          response.set(bhttp::field::etag, "\"e1\"");
          response.body() = "echo " + std::string(request.target()) + " " + request.body();
          co_return response;
        },
        limits, 2);
    port_ = server_->listen("127.0.0.1", 0);
    thread_ = std::thread([this] { server_->run(); });
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  tcp::socket connect() {
    tcp::socket socket(io_);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    return socket;
  }

  // Sends bytes, then reads until the server closes the connection (or `responses` answers
  // have arrived, counted by their status lines).
  std::string exchange(tcp::socket& socket, const std::string& bytes, int responses = -1) {
    asio::write(socket, asio::buffer(bytes));
    std::string received;
    char chunk[4096];
    for (;;) {
      if (responses >= 0 && count(received, "HTTP/1.1 ") >= responses &&
          complete(received, responses)) {
        return received;
      }
      boost::system::error_code error;
      const std::size_t n = socket.read_some(asio::buffer(chunk), error);
      if (error) return received;
      received.append(chunk, n);
    }
  }

  static int count(const std::string& text, const std::string& what) {
    int found = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
      ++found;
    }
    return found;
  }

  // Whether the last of `responses` answers has its whole body (by Content-Length).
  static bool complete(const std::string& text, int responses) {
    std::size_t at = 0;
    for (int i = 0; i < responses; ++i) {
      const std::size_t header_end = text.find("\r\n\r\n", at);
      if (header_end == std::string::npos) return false;
      const std::size_t length_at = text.find("Content-Length: ", at);
      const std::size_t length =
          length_at < header_end ? std::stoul(text.substr(length_at + 16)) : 0;
      at = header_end + 4 + length;
      if (at > text.size()) return false;
    }
    return true;
  }

  asio::io_context io_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  std::atomic<int> handled_ = 0;
};

TEST_F(ServerTest, AnswersARequest) {
  start();
  tcp::socket socket = connect();
  const std::string answer =
      exchange(socket, "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", 1);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200 OK\r\n")) << answer;
  EXPECT_NE(answer.find("Server: boxoffice\r\n"), std::string::npos);
  EXPECT_NE(answer.find("ETag: \"e1\"\r\n"), std::string::npos);
  EXPECT_NE(answer.find("Content-Length: 11\r\n"), std::string::npos);
  EXPECT_TRUE(answer.ends_with("echo /a abc"));
}

TEST_F(ServerTest, KeepAliveAndPipelining) {
  start();
  tcp::socket socket = connect();
  EXPECT_EQ(count(exchange(socket, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n", 1), "200 OK"), 1);
  EXPECT_EQ(count(exchange(socket, "GET /2 HTTP/1.1\r\nHost: x\r\n\r\n", 1), "echo /2"), 1);
  const std::string pipelined = exchange(
      socket, "GET /3 HTTP/1.1\r\nHost: x\r\n\r\nGET /4 HTTP/1.1\r\nHost: x\r\n\r\n", 2);
  EXPECT_LT(pipelined.find("echo /3"), pipelined.find("echo /4"));
  EXPECT_EQ(handled_.load(), 4);
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  start();
  tcp::socket socket = connect();
  const std::string answer =
      exchange(socket, "GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(answer.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(answer.ends_with("echo /bye "));  // and then the server closed
}

TEST_F(ServerTest, HeadSendsHeadersOnly) {
  start();
  tcp::socket socket = connect();
  const std::string answer =
      exchange(socket, "HEAD /h HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(answer.find("Content-Length: 8\r\n"), std::string::npos) << answer;
  EXPECT_TRUE(answer.ends_with("\r\n\r\n"));
}

TEST_F(ServerTest, BodyOverLimitIs413AndNeverReachesTheHandler) {
  ServerLimits limits;
  limits.body_bytes_max = 10;
  start(limits);
  tcp::socket socket = connect();
  const std::string answer =
      exchange(socket, "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n01234567890");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 413 ")) << answer;
  EXPECT_NE(answer.find("application/problem+json"), std::string::npos);
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(ServerTest, ChunkedBodyOverLimitIs413) {
  ServerLimits limits;
  limits.body_bytes_max = 10;
  start(limits);
  tcp::socket socket = connect();
  const std::string answer = exchange(
      socket, "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
              "8\r\n01234567\r\n8\r\n01234567\r\n0\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 413 ")) << answer;
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(ServerTest, LargerBodyLimitForSomeRoutes) {
  ServerLimits limits;
  limits.body_bytes_max = 4;
  limits.body_bytes_max_for = [](bhttp::verb, std::string_view target) -> std::size_t {
    return target == "/big" ? 100 : 0;
  };
  start(limits);
  tcp::socket socket = connect();
  const std::string answer =
      exchange(socket, "POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n"
                       "01234567890123456789", 1);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200 ")) << answer;
}

TEST_F(ServerTest, HeaderOverLimitIs431) {
  ServerLimits limits;
  limits.header_bytes_max = 256;
  start(limits);
  tcp::socket socket = connect();
  const std::string answer = exchange(
      socket, "GET / HTTP/1.1\r\nHost: x\r\nX-Junk: " + std::string(1000, 'a') + "\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 431 ")) << answer;
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(ServerTest, MalformedRequestIs400) {
  start();
  tcp::socket socket = connect();
  const std::string answer = exchange(socket, "GARBAGE\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 400 ")) << answer;
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(ServerTest, HalfSentRequestTimesOutWhileOthersAreServed) {
  start();
  tcp::socket slow = connect();
  asio::write(slow, asio::buffer(std::string("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\nab")));
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {  // meanwhile, others are served at once
    tcp::socket other = connect();
    EXPECT_EQ(count(exchange(other, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n", 1), "200 OK"), 1);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 250ms);
  const std::string answer = exchange(slow, "");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 408 ")) << answer;
  EXPECT_GE(std::chrono::steady_clock::now() - started, 250ms);
  EXPECT_EQ(handled_.load(), 3);
}

TEST_F(ServerTest, HandlerThatThrowsIs500AndTheServerGoesOn) {
  start();
  tcp::socket socket = connect();
  const std::string answer = exchange(socket, "GET /throw HTTP/1.1\r\nHost: x\r\n\r\n", 1);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 500 ")) << answer;
  EXPECT_EQ(count(exchange(socket, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n", 1), "200 OK"), 1);
}

TEST_F(ServerTest, StopMakesRunReturn) {
  start();
  server_->stop();
  thread_.join();  // would hang if run() did not return
  SUCCEED();
}

}  // namespace
}  // namespace boxoffice::http
