#include "http_client.hpp"

#include <netinet/in.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>

namespace onsale {
namespace {

namespace http = beast::http;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

int retry_after_of(const http::fields& fields) {
  const auto found = fields.find(http::field::retry_after);
  if (found == fields.end()) return 0;
  const auto text = found->value();
  int seconds = 0;
  std::from_chars(text.data(), text.data() + text.size(), seconds);
  return seconds;
}

}  // namespace

std::string address_text(std::uint32_t address) {
  return asio::ip::address_v4(address).to_string();
}

Connection::Connection(asio::any_io_executor executor, tcp::endpoint server, std::uint32_t source,
                       std::string host, std::string forwarded_for)
    : server_(server),
      source_(source),
      host_(std::move(host)),
      forwarded_for_(std::move(forwarded_for)),
      stream_(std::move(executor)) {}

asio::awaitable<bool> Connection::connect() {
  close();
  auto& socket = stream_.socket();
  boost::system::error_code error;
  socket.open(tcp::v4(), error);
  if (error) co_return false;
  if (source_ != 0) {
    // The port is chosen at connect (per destination), not at bind (per address).
    const int yes = 1;
    ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &yes, sizeof yes);
    socket.bind(tcp::endpoint(asio::ip::address_v4(source_), 0), error);
    if (error) co_return false;
  }
  stream_.expires_after(request_timeout);
  auto [connect_error] = co_await stream_.async_connect(server_, use_nothrow);
  if (connect_error) co_return false;
  socket.set_option(tcp::no_delay(true), error);
  co_return true;
}

void Connection::close() {
  boost::system::error_code ignored;
  if (stream_.socket().is_open()) stream_.socket().close(ignored);
  buffer_.clear();
}

asio::awaitable<Answer> Connection::send(const Request& request, bool keep_alive,
                                         std::size_t body_bytes_max) {
  Answer answer;
  if (!is_open() && !co_await connect()) co_return answer;
  http::request<http::string_body> message{request.verb, request.target, 11};
  message.set(http::field::host, host_);
  if (!forwarded_for_.empty()) message.set("X-Forwarded-For", forwarded_for_);
  for (const auto& [name, value] : request.headers) message.set(name, value);
  if (!request.body.empty()) {
    message.set(http::field::content_type, "application/json");
    message.body() = request.body;
  }
  message.keep_alive(keep_alive);
  message.prepare_payload();
  stream_.expires_after(request_timeout);
  auto [write_error, written] = co_await http::async_write(stream_, message, use_nothrow);
  if (write_error) {
    close();
    co_return answer;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(body_bytes_max);
  auto [read_error, read] = co_await http::async_read(stream_, buffer_, parser, use_nothrow);
  if (read_error) {
    close();
    co_return answer;
  }
  auto& response = parser.get();
  answer.status = static_cast<int>(response.result_int());
  answer.retry_after_seconds = retry_after_of(response);
  answer.body = std::move(response.body());
  if (!keep_alive || !response.keep_alive()) close();
  co_return answer;
}

asio::awaitable<int> EventStream::open(const std::string& target) {
  auto& connection = connection_;
  if (!connection.is_open() && !co_await connection.connect()) co_return 0;
  http::request<http::empty_body> message{http::verb::get, target, 11};
  message.set(http::field::host, connection.host_);
  if (!connection.forwarded_for_.empty()) {
    message.set("X-Forwarded-For", connection.forwarded_for_);
  }
  message.set(http::field::accept, "text/event-stream");
  connection.stream_.expires_after(request_timeout);
  auto [write_error, written] =
      co_await http::async_write(connection.stream_, message, use_nothrow);
  if (write_error) co_return 0;
  parser_.emplace();
  parser_->body_limit(boost::none);  // a stream is as long as it lasts
  auto [read_error, read] = co_await http::async_read_header(connection.stream_, connection.buffer_,
                                                             *parser_, use_nothrow);
  if (read_error) co_return 0;
  co_return static_cast<int>(parser_->get().result_int());
}

// An event ends at an empty line; the server writes "\n" line ends.
std::optional<StreamEvent> EventStream::take_event() {
  auto& body = parser_->get().body();
  const auto end = body.find("\n\n", scanned_);
  if (end == std::string::npos) {
    scanned_ = body.size() < 1 ? 0 : body.size() - 1;
    return std::nullopt;
  }
  StreamEvent event;
  std::string_view text(body.data(), end);
  while (!text.empty()) {
    const auto line_end = text.find('\n');
    const auto line = text.substr(0, line_end);
    if (line.starts_with("event: ")) event.event = line.substr(7);
    if (line.starts_with("data: ")) event.data = line.substr(6);
    text.remove_prefix(line_end == std::string_view::npos ? text.size() : line_end + 1);
  }
  body.erase(0, end + 2);  // Beast's string body appends at its size: erasing read text is safe
  scanned_ = 0;
  return event;
}

asio::awaitable<std::optional<StreamEvent>> EventStream::next() {
  while (parser_) {
    if (auto event = take_event()) {
      if (!event->data.empty()) co_return event;
      continue;  // a comment (heartbeat) or a retry line
    }
    if (parser_->is_done()) break;
    connection_.stream_.expires_after(request_timeout);
    auto [error, read] = co_await http::async_read_some(connection_.stream_, connection_.buffer_,
                                                        *parser_, use_nothrow);
    if (error) break;
  }
  parser_.reset();
  connection_.close();
  co_return std::nullopt;
}

}  // namespace onsale
