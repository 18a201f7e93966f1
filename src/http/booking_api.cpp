// Availability (whole, for some seats, and live over server-sent events), holds, checkout and
// orders: the fans' buying path, and the organizer's list of an event's orders.
#include <boost/asio/this_coro.hpp>
#include <boost/json/serialize.hpp>

#include "core/numbers.hpp"
#include "http/api.hpp"
#include "http/api_errors.hpp"
#include "http/live_stream.hpp"
#include "http/responses.hpp"

namespace boxoffice::http {
namespace {

using s = bhttp::status;
using P = Router::Params;

// "A,B,C" → ["A", "B", "C"]; "" → [].
std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> parts;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    parts.emplace_back(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return parts;
}

asio::awaitable<Response> get_availability(const ApiServices& api, const Request& request,
                                           const P& p) {
  const auto view = visible_event(api.catalog, p);
  if (!view) co_return not_found("event");
  if (const auto seats = query_param(request, "seats")) {
    auto states = api.booking.seat_states(view->event->id, split_commas(*seats), api.clock());
    if (!states) co_return problem_of(states.error());
    co_return json_response(s::ok, encode_seat_states(*states));
  }
  auto answer = api.availability.snapshot(api.booking, view->event->id, api.clock());
  if (!answer) co_return problem_of(answer.error());
  const std::string etag = "\"a" + std::to_string(answer->seq) + "\"";
  co_return cached(request, *answer->text, etag, "no-cache");
}

// GET /v1/events/{id}/availability/stream: server-sent events (services/live_seats).
asio::awaitable<Response> stream_availability(const ApiServices& api, const Request& request,
                                              const P& p) {
  const auto view = visible_event(api.catalog, p);
  if (!view || api.live == nullptr) co_return not_found("event");
  // EventSource sends the header on reconnects; the query serves clients that can't.
  std::optional<std::string> last_text(request["Last-Event-ID"]);
  if (last_text->empty()) last_text = query_param(request, "last_event_id");
  std::optional<std::uint64_t> last_event_id;  // unreadable: a fresh snapshot
  if (last_text) last_event_id = parse_whole_number<std::uint64_t>(*last_text);
  const auto executor = co_await asio::this_coro::executor;
  auto subscription =
      api.live->subscribe(executor, view->event->id, view->venue->layout, last_event_id);
  if (!subscription) co_return problem_of(subscription.error());
  Response response = event_stream((*subscription)->first_message());
  response.body().stream = [shared = std::shared_ptr(std::move(*subscription))](
                               StreamWriter& writer) { return stream_live(shared, writer); };
  co_return response;
}

// The other holds of a waiting-room session that ended: released at once (and shown released on
// the live map). One being checked out stays; the counters forgot it, so its checkout frees
// nothing more. Redis unreachable: the holds expire by themselves.
asio::awaitable<void> release_all(const ApiServices& api, Result<std::vector<HoldId>> holds) {
  if (holds) co_await api.booking.release_all(std::move(*holds), api.clock());
}

asio::awaitable<Response> create_hold(const ApiServices& api, const Request& request, const P& p) {
  const auto id = parse_id(p.get("id"));
  if (!id) co_return not_found("event");
  auto body = json_body(request);
  if (!body) co_return problem_of(body.error());
  auto hold_request = decode_hold_request(*body);
  if (!hold_request) co_return problem_of(hold_request.error());
  auto granted = co_await api.booking.hold(*id, std::move(hold_request->request),
                                           std::move(hold_request->access_code), api.clock());
  if (!granted) {
    const Errc code = granted.error().code;
    if (p.caller.queue_grant &&
        (code == Errc::not_enough_seats || code == Errc::seats_unavailable)) {
      // Nothing left to find: the place goes to the next person (the session holds nothing).
      const auto left = api.booking.units_left(*id, api.clock());
      if (left && left->available == 0) {
        co_await api.waiting_room->end_empty_session(*p.caller.queue_grant, api.clock());
      }
    }
    co_return problem_of(granted.error());
  }
  if (p.caller.queue_grant) {
    // Unremembered (Redis lost meanwhile), the session frees its place at its expiry only.
    auto within =
        co_await api.waiting_room->hold_made(granted->hold.id, *p.caller.queue_grant,
                                             granted->units(), granted->max_per_order, api.clock());
    if (within && !*within) {
      // Atomic in the counters, so two holds at once can't both pass; this one goes back.
      co_await api.booking.release(granted->hold.id, api.clock());
      const std::uint32_t max = granted->max_per_order;
      co_return problem_of(
          make_error(Errc::over_order_limit,
                     "a waiting-room session may hold at most " + std::to_string(max) + " at once",
                     {.max_per_order = max}));
    }
  }
  Response response = json_response(s::created, encode_hold_granted(*granted));
  response.set(bhttp::field::location, "/v1/holds/" + granted->hold.id.hex());
  co_return response;
}

asio::awaitable<Response> get_hold(const ApiServices& api, const P& p) {
  const auto id = Id128::from_hex(p.get("id"));
  if (!id) co_return not_found("hold");
  auto hold = co_await api.booking.find_hold(*id, api.clock());
  if (!hold) co_return problem_of(hold.error());
  co_return json_response(s::ok, encode_hold(*hold));
}

asio::awaitable<Response> release_hold(const ApiServices& api, const P& p) {
  const auto id = Id128::from_hex(p.get("id"));
  if (!id) co_return not_found("hold");
  const auto event_id = api.booking.event_of_hold(*id);  // before the release forgets it
  if (Status released = co_await api.booking.release(*id, api.clock()); !released) {
    co_return problem_of(released.error());
  }
  if (api.waiting_room && event_id) {
    auto others = co_await api.waiting_room->hold_finished(*event_id, *id, false, api.clock());
    co_await release_all(api, std::move(others));
  }
  co_return Response{s::no_content, 11};
}

asio::awaitable<Response> checkout(const ApiServices& api, const Request& request, const P& p) {
  const auto id = Id128::from_hex(p.get("id"));
  if (!id) co_return not_found("hold");
  auto body = json_body(request);
  if (!body) co_return problem_of(body.error());
  auto checkout_request = decode_checkout_request(*body, std::string(request["Idempotency-Key"]));
  if (!checkout_request) co_return problem_of(checkout_request.error());
  auto order = co_await api.booking.checkout(*id, std::move(*checkout_request), api.clock);
  if (!order) co_return problem_of(order.error());
  if (api.waiting_room) {
    auto others = co_await api.waiting_room->hold_finished(order->event_id, *id, true, api.clock());
    co_await release_all(api, std::move(others));  // the session is over: so are its other holds
  }
  if (api.search) {
    api.search->record_sale(order->event_id, static_cast<std::uint32_t>(order->tickets.size()));
  }
  Response response = json_response(s::created, encode_order(*order));
  response.set(bhttp::field::location, "/v1/orders/" + order->id.hex());
  co_return response;
}

}  // namespace

void add_booking_routes(Router& router, std::shared_ptr<const ApiServices> api) {
  using v = bhttp::verb;
  router.add(v::get, "/v1/events/{id}/availability",
             [api](Request& r, const P& p) { return get_availability(*api, r, p); });
  router.add(v::get, "/v1/events/{id}/availability/stream",
             [api](Request& r, const P& p) { return stream_availability(*api, r, p); });
  router.add(v::post, "/v1/events/{id}/holds", Access::admitted, RateClass::holds,
             [api](Request& r, const P& p) { return create_hold(*api, r, p); });
  router.add(v::get, "/v1/events/{id}/orders", Access::organizer,
             [api](Request&, const P& p) -> asio::awaitable<Response> {
               const auto id = parse_id(p.get("id"));
               if (!id) co_return not_found("event");
               auto orders = api->booking.orders_of_event(*id);
               if (!orders) co_return problem_of(orders.error());
               co_return json_response(s::ok, encode_orders(*id, *orders));
             });
  router.add(v::get, "/v1/holds/{id}", Access::holder,
             [api](Request&, const P& p) { return get_hold(*api, p); });
  router.add(v::delete_, "/v1/holds/{id}", Access::holder,
             [api](Request&, const P& p) { return release_hold(*api, p); });
  router.add(v::post, "/v1/holds/{id}/checkout", Access::holder, RateClass::checkouts,
             [api](Request& r, const P& p) { return checkout(*api, r, p); });
  router.add(v::get, "/v1/orders/{id}", Access::holder,
             [api](Request&, const P& p) -> asio::awaitable<Response> {
               const auto id = Id128::from_hex(p.get("id"));
               if (!id) co_return not_found("order");
               auto order = api->booking.order(*id);
               if (!order) co_return problem_of(order.error());
               co_return json_response(s::ok, encode_order(*order));
             });
}

}  // namespace boxoffice::http
