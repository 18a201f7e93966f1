// The server over real loopback sockets: keep-alive, pipelining, every limit and timeout.
#include "http/server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <thread>

namespace boxoffice::http {
namespace {

using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// Short timeouts, so that the tests of timeouts take a fraction of a second.
ServerLimits short_limits() {
  ServerLimits limits;
  limits.request_timeout_ms = 300ms;
  limits.idle_timeout_ms = 2000ms;
  return limits;
}

// Set when the /ticking stream ends: its writer said the peer was gone.
std::atomic<bool> ticking_ended = false;

// Writes a tick every few milliseconds until the writer says the peer is gone.
asio::awaitable<void> tick(StreamWriter& writer) {
  asio::steady_timer pause(co_await asio::this_coro::executor);
  while (co_await writer.write("tick\n")) {
    pause.expires_after(5ms);
    co_await pause.async_wait(asio::use_awaitable);
  }
  ticking_ended = true;
}

// What the test server answers: mostly an echo of the request, and a few special targets.
Response answer(Request& request, const RequestContext& context) {
  const std::string_view target = request.target();
  if (target == "/throw") throw std::runtime_error("handler failure");
  if (target == "/throw-int") throw 42;
  Response response{bhttp::status::ok, 11};
  response.set(bhttp::field::etag, "\"e1\"");
  if (target == "/no-content") {
    response.result(bhttp::status::no_content);
  } else if (target == "/not-modified") {
    response.result(bhttp::status::not_modified);
  } else if (target == "/dated") {
    response.set(bhttp::field::date, "Sun, 06 Nov 1994 08:49:37 GMT");
  } else if (target == "/closing") {
    response.set(bhttp::field::connection, "close");
  } else if (target == "/stream") {
    response.body() = "first\n";
    response.body().stream = [](StreamWriter& writer) -> asio::awaitable<void> {
      if (!co_await writer.write("a\n")) co_return;
      co_await writer.write("b\n");
    };
  } else if (target == "/ticking") {
    response.body().stream = [](StreamWriter& writer) { return tick(writer); };
  } else if (target == "/large") {
    response.body() = std::string(8 << 20, 'x');  // more than the socket buffers take at once
  } else if (target == "/peer") {
    response.body() =
        context.peer.to_string() + (context.admitted ? " admitted " : " ") + request.body();
  } else {
    response.body() = "echo " + std::string(target) + " " + request.body();
  }
  return response;
}

class ServerTest : public ::testing::Test {
 protected:
  void start(ServerLimits limits = short_limits()) {
    server_ = std::make_unique<Server>(
        [this](Request& request, const RequestContext& context) -> asio::awaitable<Response> {
          ++handled_;
          co_return answer(request, context);
        },
        limits, 2);
    port_ = server_->listen("127.0.0.1", 0);
    thread_ = std::thread([this] { server_->run(); });
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  // A connection from `source` (any address of 127.0.0.0/8 reaches the server).
  tcp::socket connect(const char* source = "127.0.0.1") {
    tcp::socket socket(io_);
    socket.open(tcp::v4());
    socket.bind(tcp::endpoint(asio::ip::make_address(source), 0));
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

  // Reads until the server closes the connection.
  static std::string read_to_end(tcp::socket& socket) {
    std::string received;
    char chunk[64 * 1024];
    for (;;) {
      boost::system::error_code error;
      const std::size_t n = socket.read_some(asio::buffer(chunk), error);
      if (error) return received;
      received.append(chunk, n);
    }
  }

  static bool has_field(const std::string& answer, const std::string& field) {
    const std::size_t header_end = answer.find("\r\n\r\n");
    const std::size_t at = answer.find("\r\n" + field);
    return at != std::string::npos && at < header_end;
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
  const std::string pipelined =
      exchange(socket, "GET /3 HTTP/1.1\r\nHost: x\r\n\r\nGET /4 HTTP/1.1\r\nHost: x\r\n\r\n", 2);
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
  const std::string answer =
      exchange(socket,
               "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               "8\r\n01234567\r\n8\r\n01234567\r\n0\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 413 ")) << answer;
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(ServerTest, LargerBodyLimitForSomeRoutes) {
  ServerLimits limits;
  limits.body_bytes_max = 4;
  limits.admit = [](const Request& header, const RequestContext&) -> asio::awaitable<Admission> {
    co_return Admission{.body_bytes_max = header.target() == "/big" ? 100u : 0u};
  };
  start(limits);
  tcp::socket socket = connect();
  const std::string answer = exchange(socket,
                                      "POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n"
                                      "01234567890123456789",
                                      1);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200 ")) << answer;
}

TEST_F(ServerTest, RefusedAtTheHeaderTheBodyIsNeverRead) {
  ServerLimits limits;
  limits.admit = [](const Request& header, const RequestContext&) -> asio::awaitable<Admission> {
    Admission admission;
    if (header.target() == "/closed") {
      Response refusal{bhttp::status::forbidden, 11};
      refusal.body() = "no";
      admission.refusal = std::move(refusal);
    }
    co_return admission;
  };
  start(limits);
  tcp::socket socket = connect();
  // The body is announced but never sent: the answer comes anyway, and the handler never runs.
  const std::string answer =
      exchange(socket, "POST /closed HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n", 1);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 403 ")) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  EXPECT_EQ(handled_.load(), 0);
}

// The gate may take its time (a Redis round trip): the body is read once it has said yes, and
// the handler hears that it was admitted, and from whom.
TEST_F(ServerTest, AdmissionMayWaitAndSeesThePeer) {
  ServerLimits limits = short_limits();
  limits.admit = [](const Request&, const RequestContext& context) -> asio::awaitable<Admission> {
    asio::steady_timer pause(co_await asio::this_coro::executor, 50ms);
    co_await pause.async_wait(asio::use_awaitable);
    if (context.peer.to_string() == "127.0.0.3") {
      co_return Admission{.refusal = Response{bhttp::status::too_many_requests, 11}};
    }
    co_return Admission{};
  };
  start(limits);
  tcp::socket admitted = connect("127.0.0.2");
  const std::string answer =
      exchange(admitted, "POST /peer HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody", 1);
  EXPECT_TRUE(answer.ends_with("\r\n\r\n127.0.0.2 admitted body")) << answer;
  // Pipelined after it, a request without a body: not asked about, and told so.
  EXPECT_TRUE(exchange(admitted, "GET /peer HTTP/1.1\r\nHost: x\r\n\r\n", 1)
                  .ends_with("\r\n\r\n127.0.0.2 "));
  tcp::socket refused = connect("127.0.0.3");
  const std::string refusal =
      exchange(refused, "POST /peer HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nbody");
  EXPECT_TRUE(refusal.starts_with("HTTP/1.1 429 ")) << refusal;
  EXPECT_EQ(handled_.load(), 2);
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

// RFC 9112 §6.1: a transfer coding other than chunked alone leaves the body's length unknown;
// read as no body, the rest would pass for a request of its own (one a proxy never saw).
TEST_F(ServerTest, TransferCodingOtherThanChunkedIs400AndCloses) {
  start();
  for (const std::string coding :
       {"Transfer-Encoding: identity\r\n", "Transfer-Encoding: gzip, chunked\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"}) {
    tcp::socket socket = connect();
    const std::string smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
    const std::string answer =
        exchange(socket, "POST / HTTP/1.1\r\nHost: x\r\n" + coding + "\r\n" + smuggled);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 400 ")) << coding << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
    EXPECT_EQ(answer.find("\nHTTP/1.1 "), std::string::npos) << "a second answer: " << answer;
  }
  EXPECT_EQ(handled_.load(), 0);
  tcp::socket socket = connect();  // chunked alone is read as ever
  const std::string answer = exchange(
      socket,
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", 1);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200 ")) << answer;
  EXPECT_NE(answer.find("echo / ok"), std::string::npos) << answer;
}

TEST_F(ServerTest, TwoHostFieldsAre400) {
  start();
  tcp::socket socket = connect();
  const std::string answer = exchange(socket, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 400 ")) << answer;
  EXPECT_NE(answer.find("more than one Host"), std::string::npos) << answer;
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(ServerTest, HalfSentRequestTimesOutWhileOthersAreServed) {
  start();
  tcp::socket slow = connect();
  const auto started = std::chrono::steady_clock::now();  // before the server's first byte
  asio::write(slow, asio::buffer(
                        std::string("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\nab")));
  for (int i = 0; i < 3; ++i) {  // meanwhile, others are served
    tcp::socket other = connect();
    EXPECT_EQ(count(exchange(other, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n", 1), "200 OK"), 1);
  }
  const auto others_served = std::chrono::steady_clock::now();
  const std::string answer = read_to_end(slow);
  const auto refused = std::chrono::steady_clock::now();
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 408 ")) << answer;
  EXPECT_GE(refused - started, 300ms);  // not before its time
  EXPECT_LT(others_served, refused);    // and the others did not wait for it
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

TEST_F(ServerTest, StopWithConnectionsOpen) {
  start();
  tcp::socket idle = connect();
  EXPECT_EQ(count(exchange(idle, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n", 1), "200 OK"), 1);
  tcp::socket half = connect();
  asio::write(half, asio::buffer(std::string("GET /2 HTTP/1.1\r\nHo")));
  server_->stop();
  thread_.join();
  server_.reset();  // closes them
  EXPECT_EQ(read_to_end(idle), "");
  EXPECT_EQ(read_to_end(half), "");
}

TEST_F(ServerTest, HandlerThatThrowsAnythingIs500) {
  start();
  tcp::socket socket = connect();
  const std::string answer = exchange(socket, "GET /throw-int HTTP/1.1\r\nHost: x\r\n\r\n", 1);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 500 ")) << answer;
  EXPECT_NE(answer.find("/problems/internal-error"), std::string::npos);
}

TEST_F(ServerTest, BodyInPiecesWithinTheTimeoutIsServed) {
  start();
  tcp::socket socket = connect();
  asio::write(socket, asio::buffer(std::string("POST /p HTTP/1.1\r\nHost: x\r\nContent-")));
  asio::write(socket, asio::buffer(std::string("Length: 6\r\n\r\nab")));
  asio::write(socket, asio::buffer(std::string("cd")));
  const std::string answer = exchange(socket, "ef", 1);
  EXPECT_TRUE(answer.ends_with("echo /p abcdef")) << answer;
}

TEST_F(ServerTest, ExpectContinueIsAnswered) {
  start();
  tcp::socket socket = connect();
  const std::string go_on = exchange(
      socket, "POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n",
      1);
  EXPECT_EQ(go_on, "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_TRUE(exchange(socket, "ok", 1).ends_with("echo /c ok"));
}

TEST_F(ServerTest, BodyPromisedAfterContinueButNeverSentTimesOut) {
  start();
  tcp::socket socket = connect();
  const std::string answer = exchange(
      socket, "POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 408 ")) << answer;
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(ServerTest, Http10ClosesUnlessAskedToKeepAlive) {
  start();
  tcp::socket once = connect();
  const std::string closed = exchange(once, "GET /old HTTP/1.0\r\n\r\n");  // to the end
  EXPECT_TRUE(closed.starts_with("HTTP/1.1 200 ")) << closed;
  EXPECT_TRUE(closed.ends_with("echo /old "));
  EXPECT_FALSE(has_field(closed, "Connection:"));

  tcp::socket kept = connect();
  const std::string first = exchange(kept, "GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1);
  EXPECT_TRUE(has_field(first, "Connection: keep-alive")) << first;
  EXPECT_TRUE(
      exchange(kept, "GET /2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1).ends_with("echo /2 "));
}

TEST_F(ServerTest, FramingFieldsAreTheServers) {
  start();
  tcp::socket socket = connect();
  const std::string answer = exchange(socket, "GET /f HTTP/1.1\r\nHost: x\r\n\r\n", 1);
  EXPECT_TRUE(has_field(answer, "Server: boxoffice")) << answer;
  EXPECT_TRUE(has_field(answer, "Date: ")) << answer;
  EXPECT_TRUE(has_field(answer, "Content-Length: 8")) << answer;
  EXPECT_FALSE(has_field(answer, "Connection:")) << answer;  // HTTP/1.1 keeps alive by default
  const std::string dated = exchange(socket, "GET /dated HTTP/1.1\r\nHost: x\r\n\r\n", 1);
  EXPECT_TRUE(has_field(dated, "Date: Sun, 06 Nov 1994 08:49:37 GMT")) << dated;
  EXPECT_EQ(count(dated, "Date: "), 1);
}

TEST_F(ServerTest, NoContentAndNotModifiedHaveNoBody) {
  start();
  tcp::socket socket = connect();
  const std::string none = exchange(socket, "GET /no-content HTTP/1.1\r\nHost: x\r\n\r\n", 1);
  EXPECT_TRUE(none.starts_with("HTTP/1.1 204 ")) << none;
  EXPECT_FALSE(has_field(none, "Content-Length")) << none;  // RFC 9110 §8.6
  EXPECT_TRUE(none.ends_with("\r\n\r\n"));
  const std::string same =
      exchange(socket, "GET /not-modified HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(same.starts_with("HTTP/1.1 304 ")) << same;
  EXPECT_TRUE(has_field(same, "ETag: \"e1\"")) << same;
  EXPECT_FALSE(has_field(same, "Content-Length")) << same;
  EXPECT_TRUE(same.ends_with("\r\n\r\n"));
}

TEST_F(ServerTest, HandlerAskingToCloseCloses) {
  start();
  tcp::socket socket = connect();
  const std::string answer = exchange(socket, "GET /closing HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200 ")) << answer;
  EXPECT_EQ(count(answer, "Connection: close"), 1);
}

TEST_F(ServerTest, LargeAnswerIsWrittenWhole) {
  start();
  tcp::socket socket = connect();
  const std::string answer =
      exchange(socket, "GET /large HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(has_field(answer, "Content-Length: 8388608"));
  EXPECT_EQ(answer.size() - answer.find("\r\n\r\n") - 4, std::size_t{8 << 20});
}

TEST_F(ServerTest, StreamedAnswerHasNoLengthAndEndsWithTheConnection) {
  start();
  tcp::socket socket = connect();
  // Keep-alive asked, but a streamed answer is delimited by the close.
  const std::string answer = exchange(socket, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_FALSE(has_field(answer, "Content-Length"));
  EXPECT_TRUE(has_field(answer, "Connection: close"));
  EXPECT_EQ(answer.substr(answer.find("\r\n\r\n") + 4), "first\na\nb\n");
}

TEST_F(ServerTest, StreamedHeadAnswerRunsNoStream) {
  start();
  tcp::socket socket = connect();
  const std::string answer =
      exchange(socket, "HEAD /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(answer.substr(answer.find("\r\n\r\n") + 4), "");
}

TEST_F(ServerTest, StreamWriterTellsWhenThePeerIsGone) {
  start();
  ticking_ended = false;
  {
    tcp::socket socket = connect();
    asio::write(socket, asio::buffer(std::string("GET /ticking HTTP/1.1\r\nHost: x\r\n\r\n")));
    char some[64];
    socket.read_some(asio::buffer(some));
  }  // closed
  for (int i = 0; i < 200 && !ticking_ended; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(ticking_ended);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosedSilently) {
  ServerLimits limits = short_limits();
  limits.idle_timeout_ms = 100ms;
  start(limits);
  tcp::socket socket = connect();
  const auto asked = std::chrono::steady_clock::now();  // before the server's idle clock starts
  EXPECT_EQ(count(exchange(socket, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n", 1), "200 OK"), 1);
  EXPECT_EQ(read_to_end(socket), "");
  EXPECT_GE(std::chrono::steady_clock::now() - asked, 100ms);
}

TEST_F(ServerTest, ANewConnectionThatSaysNothingIsClosedSoonerThanAnIdleOne) {
  ServerLimits limits = short_limits();
  limits.first_byte_timeout_ms = 100ms;
  limits.idle_timeout_ms = 2000ms;
  start(limits);
  tcp::socket silent = connect();
  const auto connected = std::chrono::steady_clock::now();
  EXPECT_EQ(read_to_end(silent), "");
  EXPECT_LT(std::chrono::steady_clock::now() - connected, 1500ms);
  // Once it has asked, a connection waits idle_timeout_ms for the next request.
  tcp::socket talking = connect();
  EXPECT_EQ(count(exchange(talking, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n", 1), "200 OK"), 1);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(count(exchange(talking, "GET /2 HTTP/1.1\r\nHost: x\r\n\r\n", 1), "200 OK"), 1);
}

TEST_F(ServerTest, ConnectionsBeyondTheLimitAreClosedAtOnce) {
  ServerLimits limits = short_limits();
  limits.connections_max = 1;
  start(limits);
  tcp::socket first = connect();
  EXPECT_EQ(count(exchange(first, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n", 1), "200 OK"), 1);
  tcp::socket second = connect();
  EXPECT_EQ(exchange(second, "GET /2 HTTP/1.1\r\nHost: x\r\n\r\n"), "");
  EXPECT_EQ(count(exchange(first, "GET /3 HTTP/1.1\r\nHost: x\r\n\r\n", 1), "200 OK"), 1);
  first.close();
  // Once the first is gone its place is free again; the server notices when the socket ends.
  for (int attempt = 0;; ++attempt) {
    tcp::socket third = connect();
    if (count(exchange(third, "GET /4 HTTP/1.1\r\nHost: x\r\n\r\n", 1), "200 OK") == 1) break;
    ASSERT_LT(attempt, 1000);
  }
}

// One address may keep client_connections_max connections open; beyond, its new ones are
// closed at once, while other addresses are served.
TEST_F(ServerTest, ConnectionsOfOneClientBeyondItsCapAreClosedAtOnce) {
  ServerLimits limits = short_limits();
  limits.client_connections_max = 2;
  start(limits);
  tcp::socket first = connect("127.0.0.2");
  tcp::socket second = connect("127.0.0.2");
  EXPECT_EQ(count(exchange(first, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n", 1), "200 OK"), 1);
  EXPECT_EQ(count(exchange(second, "GET /2 HTTP/1.1\r\nHost: x\r\n\r\n", 1), "200 OK"), 1);
  tcp::socket third = connect("127.0.0.2");
  EXPECT_EQ(exchange(third, "GET /3 HTTP/1.1\r\nHost: x\r\n\r\n"), "");
  EXPECT_EQ(server_->refused_over_client_cap(), 1u);
  tcp::socket other = connect("127.0.0.3");
  EXPECT_EQ(count(exchange(other, "GET /4 HTTP/1.1\r\nHost: x\r\n\r\n", 1), "200 OK"), 1);
  first.close();
  // Once one is gone its place is free again; the server notices when the socket ends.
  for (int attempt = 0;; ++attempt) {
    tcp::socket again = connect("127.0.0.2");
    if (count(exchange(again, "GET /5 HTTP/1.1\r\nHost: x\r\n\r\n", 1), "200 OK") == 1) break;
    ASSERT_LT(attempt, 1000);
  }
  EXPECT_EQ(server_->refused_over_connections_max(), 0u);
}

TEST_F(ServerTest, UncappedPeersHaveNoClientCap) {
  ServerLimits limits = short_limits();
  limits.client_connections_max = 1;
  limits.uncapped = [](const asio::ip::address& peer) { return peer.to_string() == "127.0.0.4"; };
  start(limits);
  std::vector<tcp::socket> sockets;
  for (int i = 0; i < 3; ++i) {
    sockets.push_back(connect("127.0.0.4"));
    EXPECT_EQ(count(exchange(sockets.back(), "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n", 1), "200 OK"),
              1);
  }
  EXPECT_EQ(server_->refused_over_client_cap(), 0u);
}

TEST_F(ServerTest, PortInUseIsABindError) {
  start();
  Server other(
      [](Request&, const RequestContext&) -> asio::awaitable<Response> { co_return Response{}; },
      short_limits(), 1);
  EXPECT_THROW(other.listen("127.0.0.1", port_), boost::system::system_error);
}

}  // namespace
}  // namespace boxoffice::http
