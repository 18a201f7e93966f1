#include "setup.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <ctime>

#include "json_fields.hpp"
#include "seat_picker.hpp"

namespace onsale {
namespace {

using SystemClock = std::chrono::system_clock;

asio::awaitable<void> send_into(tcp::endpoint server, std::string host, const Request& request,
                                std::size_t body_bytes_max, Answer& answer) {
  Connection connection(co_await asio::this_coro::executor, server, 0, std::move(host));
  answer = co_await connection.send(request, false, body_bytes_max);
}

std::string rfc3339(SystemClock::time_point at) {
  const std::time_t seconds = SystemClock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string venue_body(const Options& options) {
  const Layout layout{options.sections, options.rows, options.seats_per_row};
  std::string sections;
  std::uint32_t seat = 0;
  for (std::uint32_t s = 0; s < layout.sections; ++s) {
    if (s > 0) sections += ',';
    sections += R"({"id":"S)" + std::to_string(s) + R"(","name":"Section )" + std::to_string(s) +
                R"(","rows":[)";
    for (std::uint32_t r = 0; r < layout.rows; ++r) {
      if (r > 0) sections += ',';
      sections += R"({"label":"R)" + std::to_string(r) + R"(","seats":[)";
      for (std::uint32_t n = 0; n < layout.seats_per_row; ++n, ++seat) {
        if (n > 0) sections += ',';
        const auto x = s * (layout.seats_per_row + 2) + n;
        sections += R"({"id":")" + seat_id(layout, seat) + R"(","label":")" + std::to_string(n) +
                    R"(","x":)" + std::to_string(x) + R"(,"y":)" + std::to_string(r + 1) + "}";
      }
      sections += "]}";
    }
    sections += "]}";
  }
  return R"({"name":"On-sale Stadium","city":"Los Angeles","country":"US",)"
         R"("timezone":"America/Los_Angeles","lat":34.0,"lon":-118.2,)"
         R"("layout":{"stage":{"x":0,"y":0},"ga_areas":[],"sections":[)" +
         sections + "]}}";
}

std::string event_body(const Options& options, std::int64_t venue_id, const MadeEvent& made) {
  std::string pricing;
  for (std::uint32_t s = 0; s < options.sections; ++s) {
    if (s > 0) pricing += ',';
    pricing += R"("S)" + std::to_string(s) + R"(":"std")";
  }
  std::string room = R"({"enabled":true,"active_limit":)" + std::to_string(options.active_limit) +
                     R"(,"admit_per_second":)" + std::to_string(options.admit_per_second) +
                     R"(,"session_seconds":)" + std::to_string(options.session_seconds) +
                     R"(,"poll_seconds_max":)" + std::to_string(options.poll_seconds_max);
  if (made.pre_queue_opens_at < made.on_sale_at) {
    room += R"(,"pre_queue_opens_at":")" + rfc3339(made.pre_queue_opens_at) + '"';
  }
  room += '}';
  return R"({"venue_id":)" + std::to_string(venue_id) +
         R"(,"name":"The On-sale","performers":["The Crowd"],"category":"concert",)"
         R"("starts_at":"2099-01-01T20:00:00Z","on_sale_at":")" +
         rfc3339(made.on_sale_at) +
         R"(","price_levels":[{"id":"std","name":"Standard","price_cents":5000,"currency":"USD"}],)"
         R"("pricing":{)" +
         pricing + R"(},"max_per_order":)" + std::to_string(options.max_per_order) +
         R"(,"hold_seconds":)" + std::to_string(options.hold_seconds) + R"(,"waiting_room":)" +
         room + "}";
}

Request organizer(beast::http::verb verb, std::string target, std::string body,
                  const Options& options) {
  Request request{.verb = verb, .target = std::move(target), .body = std::move(body)};
  request.headers.emplace_back("Authorization", "Bearer " + options.admin_key);
  return request;
}

}  // namespace

Answer send_blocking(const tcp::endpoint& server, const std::string& host, const Request& request,
                     std::size_t body_bytes_max) {
  asio::io_context context;
  Answer answer;
  asio::co_spawn(context, send_into(server, host, request, body_bytes_max, answer), asio::detached);
  context.run();
  return answer;
}

MadeEvent make_event(const tcp::endpoint& server, const std::string& host, const Options& options) {
  using beast::http::verb;
  MadeEvent made;
  const auto venue = send_blocking(
      server, host, organizer(verb::post, "/v1/venues", venue_body(options), options));
  if (venue.status != 201) {
    made.error = "POST /v1/venues: " + std::to_string(venue.status) + " " + venue.body;
    return made;
  }
  // The pre-queue opens now (a whole second, as RFC 3339 has it here); the sale after it.
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(SystemClock::now());
  const bool pre_queue = options.pre_queue_share > 0;
  const auto lead = std::chrono::seconds(
      2 + (pre_queue ? static_cast<long>(std::ceil(options.pre_queue_seconds)) : 0));
  made.on_sale_at = now + lead;
  made.pre_queue_opens_at = pre_queue ? now - std::chrono::seconds(1) : made.on_sale_at;
  const auto venue_id = number_of(object_of(venue.body), "id");
  const auto event = send_blocking(
      server, host,
      organizer(verb::post, "/v1/events", event_body(options, venue_id, made), options));
  if (event.status != 201) {
    made.error = "POST /v1/events: " + std::to_string(event.status) + " " + event.body;
    return made;
  }
  made.event_id = number_of(object_of(event.body), "id");
  const auto target = "/v1/events/" + std::to_string(made.event_id) + "/publish";
  const auto published = send_blocking(server, host, organizer(verb::post, target, "", options));
  if (published.status != 200) {
    made.error = "publish: " + std::to_string(published.status) + " " + published.body;
  }
  return made;
}

}  // namespace onsale
