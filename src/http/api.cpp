#include "http/api.hpp"

#include "core/catalog_codec.hpp"
#include "core/json_reader.hpp"
#include "core/numbers.hpp"
#include "http/api_errors.hpp"
#include "http/problem.hpp"

#include <boost/json.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>
#include <sodium.h>

#include <algorithm>
#include <variant>

namespace boxoffice::http {
namespace {

using s = bhttp::status;

Response json_response(s status, std::string body) {
  Response response{status, 11};
  response.set(bhttp::field::content_type, "application/json");
  response.body() = std::move(body);
  return response;
}

Response json_response(s status, const boost::json::object& body) {
  return json_response(status, boost::json::serialize(body));
}

// Ids in paths are positive decimal integers; anything else names nothing.
std::optional<std::int64_t> parse_id(std::string_view text) {
  const auto id = parse_whole_number<std::int64_t>(text);
  if (!id || *id <= 0) return std::nullopt;
  return id;
}

// A live seat map's connection, for the hub's fan-out.
class StreamSink final : public LiveSink {
 public:
  explicit StreamSink(StreamWriter& writer) : writer_(writer) {}
  std::optional<std::size_t> write_now(std::string_view data) override {
    return writer_.write_now(data);
  }
  asio::awaitable<bool> write(std::string_view data) override {
    co_return co_await writer_.write(data);
  }
  void abort() override { writer_.abort(); }

 private:
  StreamWriter& writer_;
};

// Sends a live seat map's messages until the subscription ends or the client goes.
asio::awaitable<void> stream_live(std::shared_ptr<LiveSeats::Subscription> subscription,
                                  StreamWriter& writer) {
  StreamSink sink(writer);
  co_await subscription->run(sink);
}

// The waiting room's answers, written by hand, as a status poll is the hottest request of an
// on-sale. Nothing in them needs escaping: numbers, state names, base64url tokens, RFC 3339
// times and a path of digits.
void append_queue_status(std::string& out, const QueueStatus& where) {
  out += R"("state":")";
  out += queue_state_name(where.state);
  out += R"(","position":)";
  out += std::to_string(where.position);
  out += R"(,"eta_seconds":)";
  out += std::to_string(where.eta_seconds);
}

// {"state", "position", "eta_seconds"} and, once admitted, "access_token", "access_expires_at".
std::string queue_answer_json(const QueueAnswer& answer) {
  std::string out = "{";
  append_queue_status(out, answer.where);
  if (answer.admitted()) {
    out += R"(,"access_token":")";
    out += answer.access_token;
    out += R"(","access_expires_at":")";
    out += format_rfc3339(answer.access_expires_at);
    out += '"';
  }
  out += '}';
  return out;
}

// {"state", "position", "eta_seconds", "queue_token", "number", "status_url"}.
std::string queue_joined_json(const QueueJoined& joined, std::string_view status_url) {
  std::string out = "{";
  if (joined.where) {
    append_queue_status(out, *joined.where);
    out += ',';
  }
  out += R"("queue_token":")";
  out += joined.queue_token;
  out += R"(","number":)";
  out += std::to_string(joined.number);
  out += R"(,"status_url":")";
  out += status_url;
  out += "\"}";
  return out;
}

// A venue without its seats: what POST /v1/venues answers and GET /v1/venues lists.
boost::json::object venue_summary(const Venue& venue) {
  boost::json::array areas;
  for (const GaArea& area : venue.layout->ga_areas) {
    areas.push_back({{"id", area.id}, {"name", area.name}, {"capacity", area.capacity}});
  }
  return {{"id", venue.id},
          {"name", venue.name},
          {"city", venue.city},
          {"country", venue.country},
          {"sections", venue.layout->sections.size()},
          {"seat_count", venue.layout->seats.size()},
          {"ga_areas", std::move(areas)}};
}

Response not_found(std::string_view what) {
  return problem(s::not_found, "not-found", "Not found", std::string(what) + " not found");
}

std::optional<std::string> query_param(const Request& request, std::string_view name) {
  // The common case by hand, for a status poll's token: a query with no escapes ('%', '+').
  // Anything else goes through Boost.URL, which decodes.
  const std::string_view target(request.target().data(), request.target().size());
  const std::size_t question = target.find('?');
  const auto escaped = [](char c) { return c == '%' || c == '+'; };
  if (question != std::string_view::npos &&
      std::none_of(target.begin() + static_cast<std::ptrdiff_t>(question), target.end(), escaped)) {
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
      const std::size_t amp = query.find('&');
      const std::string_view part = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      const std::size_t equals = part.find('=');
      if (part.substr(0, equals) != name) continue;
      return std::string(equals == std::string_view::npos ? std::string_view() : part.substr(equals + 1));
    }
    return std::nullopt;
  }
  auto url = boost::urls::parse_origin_form(request.target());
  if (!url) return std::nullopt;
  for (const auto& param : url->params()) {
    if (param.key == name) return std::string(param.value);
  }
  return std::nullopt;
}

// The body as JSON. The media type is not checked: curl's -d sends a form type, and
// the body itself says whether it is JSON. nullopt → `failure` holds the answer.
std::optional<boost::json::value> json_body(const Request& request, Response& failure) {
  auto value = parse_json(request.body());
  if (!value) {
    failure = problem_of(value.error());
    return std::nullopt;
  }
  return std::move(value).value();
}

bool not_modified(const Request& request, std::string_view etag) {
  const auto match = request[bhttp::field::if_none_match];
  return !match.empty() && (match == etag || match == "*" || match.find(etag) != match.npos);
}

Response cached(const Request& request, std::string body, std::string_view etag,
                std::string_view cache_control) {
  Response response = not_modified(request, etag) ? Response{s::not_modified, 11}
                                                  : json_response(s::ok, std::move(body));
  response.set(bhttp::field::etag, etag);
  response.set(bhttp::field::cache_control, cache_control);
  return response;
}

class Api {
 public:
  Api(Catalog& catalog, Booking& booking, ApiOptions options, Clock clock)
      : catalog_(catalog), booking_(booking), options_(std::move(options)), clock_(clock) {
    crypto_generichash(admin_key_hash_, sizeof admin_key_hash_,
                       reinterpret_cast<const unsigned char*>(options_.admin_key.data()),
                       options_.admin_key.size(), nullptr, 0);
  }

  // nullopt when the request carries the admin key; otherwise the 401/403 to answer.
  std::optional<Response> deny_unless_organizer(const Request& request) const {
    const auto header = request[bhttp::field::authorization];
    constexpr std::string_view bearer = "Bearer ";
    if (header.empty()) {
      Response response = problem(s::unauthorized, "unauthorized", "Unauthorized",
                                  "organizer calls need Authorization: Bearer <admin key>");
      response.set(bhttp::field::www_authenticate, "Bearer");
      return response;
    }
    const std::string_view value(header.data(), header.size());
    const std::string_view given =
        value.starts_with(bearer) ? value.substr(bearer.size()) : std::string_view();
    unsigned char hash[32];
    crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(given.data()),
                       given.size(), nullptr, 0);
    if (given.empty() || sodium_memcmp(hash, admin_key_hash_, sizeof hash) != 0) {
      return problem(s::forbidden, "forbidden", "Forbidden", "the admin key is not right");
    }
    return std::nullopt;
  }

  bool is_organizer(const Request& request) const { return !deny_unless_organizer(request); }

  // The event if the caller may see it: published, or the caller is the organizer.
  std::shared_ptr<const EventView> visible_event(const Request& request,
                                                 std::string_view id_text) const {
    const auto id = parse_id(id_text);
    if (!id) return nullptr;
    auto view = catalog_.event(*id);
    if (!view || (!view->event->published && !is_organizer(request))) return nullptr;
    return view;
  }

  Response create_venue(const Request& request) {
    if (auto denied = deny_unless_organizer(request)) return *denied;
    Response failure;
    const auto body = json_body(request, failure);
    if (!body) return failure;
    auto venue = catalog_.create_venue(*body);
    if (!venue) return problem_of(venue.error());
    Response response = json_response(s::created, venue_summary(**venue));
    response.set(bhttp::field::location, "/v1/venues/" + std::to_string((*venue)->id));
    return response;
  }

  // GET /v1/venues: every venue, by id, without its seats (GET /v1/venues/{id} has them).
  Response list_venues() {
    boost::json::array venues;
    for (const auto& venue : catalog_.venues()) venues.push_back(venue_summary(*venue));
    return json_response(s::ok, boost::json::object{{"venues", std::move(venues)}});
  }

  Response get_venue(std::string_view id_text) {
    const auto id = parse_id(id_text);
    const auto venue = id ? catalog_.venue(*id) : nullptr;
    if (!venue) return not_found("venue");
    return json_response(s::ok, encode_venue(*venue));
  }

  Response create_event(const Request& request) {
    if (auto denied = deny_unless_organizer(request)) return *denied;
    Response failure;
    const auto body = json_body(request, failure);
    if (!body) return failure;
    auto event = catalog_.create_event(*body);
    if (!event) return problem_of(event.error());
    Response response = json_response(s::created, encode_event(**event));
    response.set(bhttp::field::location, "/v1/events/" + std::to_string((*event)->id));
    return response;
  }

  Response publish(const Request& request, std::string_view id_text) {
    if (auto denied = deny_unless_organizer(request)) return *denied;
    const auto id = parse_id(id_text);
    if (!id) return not_found("event");
    auto view = catalog_.publish(*id);
    if (!view) return problem_of(view.error());
    return json_response(s::ok, (*view)->details_json);
  }

  // POST /v1/events/{id}/unpublish, /cancel; PUT /v1/events/{id}.
  Response change_event(const Request& request, std::string_view id_text, std::string_view what) {
    if (auto denied = deny_unless_organizer(request)) return *denied;
    const auto id = parse_id(id_text);
    if (!id) return not_found("event");
    Result<std::shared_ptr<const EventView>> view = make_error(Errc::not_found, "event");
    if (what == "unpublish") {
      view = catalog_.unpublish(*id);
    } else if (what == "cancel") {
      view = catalog_.cancel(*id);
    } else {
      Response failure;
      const auto body = json_body(request, failure);
      if (!body) return failure;
      view = catalog_.update_event(*id, *body);
    }
    if (!view) return problem_of(view.error());
    return json_response(s::ok, (*view)->details_json);
  }

  // POST /v1/search/rebuild: a fresh search index from the catalog, answered once it is in
  // use. The index is built on the search service's thread (a million events take about half a
  // minute); this coroutine looks every 20 ms whether it is done, and the server's thread serves
  // other requests meanwhile.
  asio::awaitable<Response> rebuild_search(const Request& request) {
    if (auto denied = deny_unless_organizer(request)) co_return *denied;
    if (options_.search == nullptr) co_return not_found("search");
    std::vector<std::pair<std::shared_ptr<const Event>, std::shared_ptr<const Venue>>> events;
    for (const auto& view : catalog_.events()) events.emplace_back(view->event, view->venue);
    const std::uint64_t rebuild = options_.search->request_rebuild(std::move(events));
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!options_.search->rebuilt(rebuild)) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(asio::use_awaitable);
    }
    const std::size_t indexed = options_.search->indexed_events();
    co_return json_response(s::ok, boost::json::object{{"indexed_events", indexed}});
  }

  Response list_events() {
    boost::json::array events;
    for (const auto& view : catalog_.events()) {
      if (!view->event->published) continue;
      const Event& e = *view->event;
      boost::json::object item{{"id", e.id},
                               {"name", e.name},
                               {"category", e.category},
                               {"starts_at", format_rfc3339(e.starts_at)},
                               {"on_sale_at", format_rfc3339(e.on_sale_at)}};
      if (view->venue) {
        item["venue"] = {{"id", view->venue->id},
                         {"name", view->venue->name},
                         {"city", view->venue->city}};
      }
      events.push_back(std::move(item));
    }
    return json_response(s::ok, boost::json::object{{"events", std::move(events)}});
  }

  Response get_event(const Request& request, std::string_view id_text) {
    const auto view = visible_event(request, id_text);
    if (!view) return not_found("event");
    if (options_.search) options_.search->record_view(view->event->id);
    // Short max-age: a CDN absorbs the stampede; the ETag makes revalidation cheap.
    return cached(request, view->details_json, view->etag, "public, max-age=5");
  }

  Response get_seatmap(const Request& request, std::string_view id_text) {
    const auto view = visible_event(request, id_text);
    if (!view) return not_found("event");
    const std::string etag = "\"m" + std::to_string(view->event->id) + "\"";
    return cached(request, *catalog_.seatmap_json(*view), etag,
                  "public, max-age=31536000, immutable");
  }

  Response get_availability(const Request& request, std::string_view id_text) {
    const auto view = visible_event(request, id_text);
    if (!view) return not_found("event");
    const auto seats = query_param(request, "seats");
    auto availability = booking_.availability(
        view->event->id, seats ? std::optional<std::string_view>(*seats) : std::nullopt,
        clock_());
    if (!availability) return problem_of(availability.error());
    const std::string etag = "\"a" + std::to_string(availability->seq) + "\"";
    if (seats) return json_response(s::ok, *availability->json);
    return cached(request, *availability->json, etag, "no-cache");
  }

  // GET /v1/events/{id}/availability/stream: server-sent events (services/live_seats).
  asio::awaitable<Response> stream_availability(const Request& request,
                                                std::string_view id_text) {
    const auto view = visible_event(request, id_text);
    if (!view || options_.live == nullptr) co_return not_found("event");
    // EventSource sends the header on reconnects; the query serves clients that can't.
    std::optional<std::string> last_text(request["Last-Event-ID"]);
    if (last_text->empty()) last_text = query_param(request, "last_event_id");
    std::optional<std::uint64_t> last_event_id;
    if (last_text) last_event_id = parse_whole_number<std::uint64_t>(*last_text);  // unreadable → a fresh snapshot
    const auto executor = co_await asio::this_coro::executor;
    auto subscription = options_.live->subscribe(executor, view->event->id,
                                                 view->venue->layout, last_event_id);
    if (!subscription) co_return problem_of(subscription.error());
    Response response{s::ok, 11};
    response.set(bhttp::field::content_type, "text/event-stream");
    response.set(bhttp::field::cache_control, "no-cache");
    response.set("X-Accel-Buffering", "no");  // nginx: pass each message on at once
    response.body() = (*subscription)->first_message();
    response.body().stream = [shared = std::shared_ptr(std::move(*subscription))](
                                 StreamWriter& writer) { return stream_live(shared, writer); };
    co_return response;
  }

  // The session of the request's X-Queue-Access token when the event's waiting room is on
  // (nullopt when it is off); the 403 to answer when the token is missing or not valid.
  asio::awaitable<Result<std::optional<AccessGrant>>> queue_access(const Request& request,
                                                                   std::int64_t id) {
    if (options_.waiting_room == nullptr) co_return std::optional<AccessGrant>();
    const auto view = catalog_.event(id);
    if (!view || !admission_settings(*view->event)) co_return std::optional<AccessGrant>();
    std::string token(request["X-Queue-Access"]);
    auto grant = co_await options_.waiting_room->check_access(*view->event, token, clock_());
    if (!grant || *grant) co_return grant;
    const std::string queue_url = "/v1/events/" + std::to_string(id) + "/queue";
    co_return make_error(Errc::queue_required,
                         token.empty() ? "holds need an X-Queue-Access token: join the queue at " +
                                             queue_url
                                       : "the X-Queue-Access token is not valid for this event "
                                         "now (forged, another event's, expired or used up)",
                         {.queue_url = queue_url});
  }

  asio::awaitable<Response> create_hold(const Request& request, std::string_view id_text) {
    const auto id = parse_id(id_text);
    if (!id) co_return not_found("event");
    const auto access = co_await queue_access(request, *id);
    if (!access) co_return problem_of(access.error());
    Response failure;
    auto body = json_body(request, failure);
    if (!body) co_return failure;
    auto hold = co_await booking_.hold(*id, std::move(*body), clock_());
    if (!hold) co_return problem_of(hold.error());
    if (*access) {
      // Unremembered (Redis lost meanwhile), the session frees its place at its expiry only.
      const auto hold_id = Id128::from_hex(hold->at("hold_id").as_string());
      if (hold_id) co_await options_.waiting_room->hold_made(*hold_id, **access, clock_());
    }
    Response response = json_response(s::created, *hold);
    response.set(bhttp::field::location,
                 "/v1/holds/" + std::string(hold->at("hold_id").as_string()));
    co_return response;
  }

  asio::awaitable<Response> get_hold(std::string_view id_text) {
    const auto id = Id128::from_hex(id_text);
    if (!id) co_return not_found("hold");
    auto hold = co_await booking_.find_hold(*id, clock_());
    if (!hold) co_return problem_of(hold.error());
    co_return json_response(s::ok, *hold);
  }

  asio::awaitable<Response> release_hold(std::string_view id_text) {
    const auto id = Id128::from_hex(id_text);
    if (!id) co_return not_found("hold");
    const auto event_id = booking_.event_of_hold(*id);  // before the release forgets it
    if (Status released = co_await booking_.release(*id, clock_()); !released) {
      co_return problem_of(released.error());
    }
    if (options_.waiting_room && event_id) {
      co_await options_.waiting_room->hold_finished(*event_id, *id, false, clock_());
    }
    co_return Response{s::no_content, 11};
  }

  asio::awaitable<Response> checkout(const Request& request, std::string_view id_text) {
    const auto id = Id128::from_hex(id_text);
    if (!id) co_return not_found("hold");
    Response failure;
    auto body = json_body(request, failure);
    if (!body) co_return failure;
    // Arguments as named values: g++ 12 destroys temporaries in a co_await twice.
    std::string key(request["Idempotency-Key"]);
    auto order = co_await booking_.checkout(*id, std::move(*body), std::move(key), clock_);
    if (!order) co_return problem_of(order.error());
    const std::int64_t event_id = order->at("event_id").to_number<std::int64_t>();
    if (options_.waiting_room) {
      co_await options_.waiting_room->hold_finished(event_id, *id, true, clock_());
    }
    if (options_.search) {
      options_.search->record_sale(event_id,
                                   static_cast<std::uint32_t>(order->at("tickets").as_array().size()));
    }
    Response response = json_response(s::created, *order);
    response.set(bhttp::field::location,
                 "/v1/orders/" + std::string(order->at("order_id").as_string()));
    co_return response;
  }

  // POST /v1/events/{id}/queue
  asio::awaitable<Response> join_queue(const Request& request, std::string_view id_text) {
    const auto view = visible_event(request, id_text);
    if (!view || options_.waiting_room == nullptr) co_return not_found("event");
    auto joined = co_await options_.waiting_room->join(*view->event, clock_());
    if (!joined) co_return problem_of(joined.error());
    const std::string status_url =
        "/v1/events/" + std::to_string(view->event->id) + "/queue/status";
    Response response = json_response(s::created, queue_joined_json(*joined, status_url));
    response.set(bhttp::field::cache_control, "no-store");
    co_return response;
  }

  // GET /v1/events/{id}/queue (organizers): how many wait, shop and were let in, for the live
  // sales view (the room's settings are in the event's details).
  asio::awaitable<Response> queue_counts(const Request& request, std::string_view id_text) {
    if (auto denied = deny_unless_organizer(request)) co_return *denied;
    const auto view = visible_event(request, id_text);
    if (!view || options_.waiting_room == nullptr) co_return not_found("event");
    auto counts = co_await options_.waiting_room->counts(*view->event, clock_());
    if (!counts) co_return problem_of(counts.error());
    Response response = json_response(s::ok, boost::json::object{{"waiting", counts->waiting},
                                                                  {"active", counts->active},
                                                                  {"admitted", counts->admitted}});
    response.set(bhttp::field::cache_control, "no-store");
    co_return response;
  }

  // A queue status request's event and token; the problem to answer when it has none.
  struct QueueRequest {
    std::shared_ptr<const EventView> view;
    std::string token;
  };
  std::variant<QueueRequest, Response> queue_request(const Request& request,
                                                     std::string_view id_text) {
    auto view = visible_event(request, id_text);
    if (!view || options_.waiting_room == nullptr) return not_found("event");
    std::optional<std::string> token(request["X-Queue-Token"]);
    if (token->empty()) token = query_param(request, "token");
    if (!token || token->empty()) {
      return problem_of(make_error(Errc::queue_token_invalid,
                                   "send the queue token in X-Queue-Token or ?token="));
    }
    return QueueRequest{std::move(view), std::move(*token)};
  }

  // GET /v1/events/{id}/queue/status, the queue token in X-Queue-Token or ?token=
  asio::awaitable<Response> queue_status(const Request& request, std::string_view id_text) {
    auto asked = queue_request(request, id_text);
    if (auto* problem = std::get_if<Response>(&asked)) co_return std::move(*problem);
    const QueueRequest& queue = std::get<QueueRequest>(asked);
    auto status = co_await options_.waiting_room->status(*queue.view->event, queue.token, clock_());
    if (!status) co_return problem_of(status.error());
    Response response = json_response(s::ok, queue_answer_json(*status));
    response.set(bhttp::field::cache_control, "no-store");
    co_return response;
  }

  // GET /v1/events/{id}/queue/status/stream?token=: the status as server-sent events ("event:
  // status", the same JSON), again whenever it changes (looked at every second), until the
  // access token has been sent; "event: error" with a problem body when the token stops being
  // good (the session ended, the room restarted). Errors before the stream: as queue_status.
  asio::awaitable<Response> queue_status_stream(const Request& request, std::string_view id_text) {
    auto asked = queue_request(request, id_text);
    if (auto* problem = std::get_if<Response>(&asked)) co_return std::move(*problem);
    QueueRequest& queue = std::get<QueueRequest>(asked);
    auto status = co_await options_.waiting_room->status(*queue.view->event, queue.token, clock_());
    if (!status) co_return problem_of(status.error());
    std::string first = queue_answer_json(*status);
    Response response{s::ok, 11};
    response.set(bhttp::field::content_type, "text/event-stream");
    response.set(bhttp::field::cache_control, "no-cache");
    response.set("X-Accel-Buffering", "no");
    response.body() = "retry: 2000\nevent: status\ndata: " + first + "\n\n";
    if (status->admitted()) co_return response;  // that was all
    response.body().stream = [this, event = queue.view->event, token = std::move(queue.token),
                              last = std::move(first)](StreamWriter& writer) mutable {
      return follow_queue_status(event, std::move(token), std::move(last), writer);
    };
    co_return response;
  }

  asio::awaitable<void> follow_queue_status(std::shared_ptr<const Event> event, std::string token,
                                            std::string last, StreamWriter& writer) {
    constexpr auto poll_every = std::chrono::seconds(1);
    constexpr int heartbeat_polls = 15;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (int quiet = 0;; ++quiet) {
      timer.expires_after(poll_every);
      co_await timer.async_wait(asio::use_awaitable);
      auto status = co_await options_.waiting_room->status(*event, token, clock_());
      if (!status) {
        if (status.error().code == Errc::store_unavailable) continue;  // try again
        const Response problem = problem_of(status.error());
        const std::string message = "event: error\ndata: " + problem.body() + "\n\n";
        co_await writer.write(message);
        co_return;
      }
      std::string now = queue_answer_json(*status);
      if (now == last && quiet < heartbeat_polls) continue;
      const std::string message =
          now == last ? std::string(": hb\n\n") : "event: status\ndata: " + now + "\n\n";
      if (!co_await writer.write(message) || status->admitted()) co_return;
      last = std::move(now);
      quiet = 0;
    }
  }

  Response get_order(std::string_view id_text) {
    const auto id = Id128::from_hex(id_text);
    if (!id) return not_found("order");
    auto order = booking_.order(*id);
    if (!order) return problem_of(order.error());
    return json_response(s::ok, *order);
  }

  Response event_orders(const Request& request, std::string_view id_text) {
    if (auto denied = deny_unless_organizer(request)) return *denied;
    const auto id = parse_id(id_text);
    if (!id) return not_found("event");
    auto orders = booking_.orders_of_event(*id);
    if (!orders) return problem_of(orders.error());
    return json_response(s::ok, *orders);
  }

  Response readyz() const {
    if (options_.ready && !options_.ready()) {
      return problem(s::service_unavailable, "not-ready", "Not ready", "a store is unreachable");
    }
    return json_response(s::ok, boost::json::object{{"status", "ready"}});
  }

 private:
  Catalog& catalog_;
  Booking& booking_;
  ApiOptions options_;
  Clock clock_;
  unsigned char admin_key_hash_[32];
};

}  // namespace

void add_api_routes(Router& router, Catalog& catalog, Booking& booking, Metrics& metrics,
                    ApiOptions options, Clock clock) {
  auto api = std::make_shared<Api>(catalog, booking, std::move(options), clock);
  using P = Router::Params;
  // Most handlers answer at once; wrap them into the coroutine the router expects.
  auto sync = [](auto handler) {
    return [handler](Request& request, const P& params) -> asio::awaitable<Response> {
      co_return handler(request, params);
    };
  };
  using v = bhttp::verb;
  router.add(v::get, "/healthz", sync([](Request&, const P&) {
    return json_response(s::ok, boost::json::object{{"status", "ok"}});
  }));
  router.add(v::get, "/readyz", sync([api](Request&, const P&) { return api->readyz(); }));
  router.add(v::get, "/metrics", sync([&metrics](Request&, const P&) {
    Response response{s::ok, 11};
    response.set(bhttp::field::content_type, "text/plain; version=0.0.4");
    response.body() = metrics.render();
    return response;
  }));
  router.add(v::post, "/v1/venues", sync([api](Request& r, const P&) {
    return api->create_venue(r);
  }));
  router.add(v::get, "/v1/venues", sync([api](Request&, const P&) { return api->list_venues(); }));
  router.add(v::get, "/v1/venues/{id}", sync([api](Request&, const P& p) {
    return api->get_venue(p.get("id"));
  }));
  router.add(v::post, "/v1/events", sync([api](Request& r, const P&) {
    return api->create_event(r);
  }));
  router.add(v::get, "/v1/events", sync([api](Request&, const P&) { return api->list_events(); }));
  router.add(v::get, "/v1/events/{id}", sync([api](Request& r, const P& p) {
    return api->get_event(r, p.get("id"));
  }));
  router.add(v::post, "/v1/events/{id}/publish", sync([api](Request& r, const P& p) {
    return api->publish(r, p.get("id"));
  }));
  for (const char* what : {"unpublish", "cancel"}) {
    router.add(v::post, std::string("/v1/events/{id}/") + what,
               sync([api, what](Request& r, const P& p) { return api->change_event(r, p.get("id"), what); }));
  }
  router.add(v::put, "/v1/events/{id}", sync([api](Request& r, const P& p) {
    return api->change_event(r, p.get("id"), "update");
  }));
  router.add(v::post, "/v1/search/rebuild",
             [api](Request& r, const P&) { return api->rebuild_search(r); });
  router.add(v::get, "/v1/events/{id}/seatmap", sync([api](Request& r, const P& p) {
    return api->get_seatmap(r, p.get("id"));
  }));
  router.add(v::get, "/v1/events/{id}/availability", sync([api](Request& r, const P& p) {
    return api->get_availability(r, p.get("id"));
  }));
  router.add(v::get, "/v1/events/{id}/availability/stream",
             [api](Request& r, const P& p) { return api->stream_availability(r, p.get("id")); });
  router.add(v::post, "/v1/events/{id}/holds",
             [api](Request& r, const P& p) { return api->create_hold(r, p.get("id")); });
  router.add(v::post, "/v1/events/{id}/queue",
             [api](Request& r, const P& p) { return api->join_queue(r, p.get("id")); });
  router.add(v::get, "/v1/events/{id}/queue",
             [api](Request& r, const P& p) { return api->queue_counts(r, p.get("id")); });
  router.add(v::get, "/v1/events/{id}/queue/status",
             [api](Request& r, const P& p) { return api->queue_status(r, p.get("id")); });
  router.add(v::get, "/v1/events/{id}/queue/status/stream",
             [api](Request& r, const P& p) { return api->queue_status_stream(r, p.get("id")); });
  router.add(v::get, "/v1/events/{id}/orders", sync([api](Request& r, const P& p) {
    return api->event_orders(r, p.get("id"));
  }));
  router.add(v::get, "/v1/holds/{id}", [api](Request&, const P& p) { return api->get_hold(p.get("id")); });
  router.add(v::delete_, "/v1/holds/{id}",
             [api](Request&, const P& p) { return api->release_hold(p.get("id")); });
  router.add(v::post, "/v1/holds/{id}/checkout",
             [api](Request& r, const P& p) { return api->checkout(r, p.get("id")); });
  router.add(v::get, "/v1/orders/{id}", sync([api](Request&, const P& p) {
    return api->get_order(p.get("id"));
  }));
}

}  // namespace boxoffice::http
