// Venues, events, seat maps and the search index's rebuild: the organizer's writes and the
// fans' hottest reads (an event's details and seat map, served from what the catalog keeps
// encoded, with ETags).
#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <mutex>
#include <unordered_map>

#include "core/catalog_codec.hpp"
#include "http/api.hpp"
#include "http/api_errors.hpp"
#include "http/responses.hpp"

namespace boxoffice::http {
namespace {

using s = bhttp::status;
using P = Router::Params;

// A stadium's layout is megabytes of seats; every other body is small.
constexpr std::size_t venue_body_bytes_max = 32 << 20;

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

// Events' seat maps, encoded once per version of each event and kept (a stadium's is a
// megabyte): a change of the event's pricing shows in the next answer.
class SeatMaps {
 public:
  std::shared_ptr<const std::string> of(const EventView& view) {
    std::lock_guard lock(mutex_);
    auto& [version, seatmap] = encoded_[view.event->id];
    if (!seatmap || version != view.event->version) {
      seatmap = std::make_shared<const std::string>(
          boost::json::serialize(encode_seatmap(*view.event, *view.venue)));
      version = view.event->version;
    }
    return seatmap;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::int64_t, std::pair<std::uint64_t, std::shared_ptr<const std::string>>>
      encoded_;
};

// The answer of an event's change (publish, unpublish, cancel, update).
Response event_changed(const Result<std::shared_ptr<const EventView>>& view) {
  if (!view) return problem_of(view.error());
  return json_response(s::ok, (*view)->encoded);
}

asio::awaitable<Response> create_venue(Catalog& catalog, const Request& request) {
  auto body = json_body(request);
  if (!body) co_return problem_of(body.error());
  auto decoded = decode_venue(*body);
  if (!decoded) co_return problem_of(decoded.error());
  auto venue = catalog.create_venue(std::move(*decoded));
  if (!venue) co_return problem_of(venue.error());
  Response response = json_response(s::created, venue_summary(**venue));
  response.set(bhttp::field::location, "/v1/venues/" + std::to_string((*venue)->id));
  co_return response;
}

asio::awaitable<Response> create_event(Catalog& catalog, const Request& request) {
  auto body = json_body(request);
  if (!body) co_return problem_of(body.error());
  auto decoded = decode_event(*body);
  if (!decoded) co_return problem_of(decoded.error());
  auto event = catalog.create_event(std::move(*decoded));
  if (!event) co_return problem_of(event.error());
  Response response = json_response(s::created, encode_event(**event));
  response.set(bhttp::field::location, "/v1/events/" + std::to_string((*event)->id));
  co_return response;
}

asio::awaitable<Response> update_event(Catalog& catalog, const Request& request, const P& p) {
  const auto id = parse_id(p.get("id"));
  if (!id) co_return not_found("event");
  auto body = json_body(request);
  if (!body) co_return problem_of(body.error());
  auto decoded = decode_event(*body);
  if (!decoded) co_return problem_of(decoded.error());
  co_return event_changed(catalog.update_event(*id, std::move(*decoded)));
}

boost::json::object event_summary(const EventView& view) {
  const Event& e = *view.event;
  boost::json::object item{{"id", e.id},
                           {"name", e.name},
                           {"category", e.category},
                           {"starts_at", format_rfc3339(e.starts_at)},
                           {"on_sale_at", format_rfc3339(e.on_sale_at)}};
  if (view.venue) {
    item["venue"] = {
        {"id", view.venue->id}, {"name", view.venue->name}, {"city", view.venue->city}};
  }
  return item;
}

// POST /v1/search/rebuild: a fresh search index from the catalog, answered once it is in
// use. The index is built on the search service's thread (a million events take about half a
// minute); this coroutine looks every 20 ms whether it is done, and the server's thread serves
// other requests meanwhile.
asio::awaitable<Response> rebuild_search(Catalog& catalog, SearchService* search) {
  if (search == nullptr) co_return not_found("search");
  std::vector<std::pair<std::shared_ptr<const Event>, std::shared_ptr<const Venue>>> events;
  for (const auto& view : catalog.events()) events.emplace_back(view->event, view->venue);
  const std::uint64_t rebuild = search->request_rebuild(std::move(events));
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!search->rebuilt(rebuild)) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::use_awaitable);
  }
  co_return json_response(s::ok, boost::json::object{{"indexed_events", search->indexed_events()}});
}

}  // namespace

std::string encode_event_details(const Event& event, const Venue* venue) {
  boost::json::object details = encode_event(event);
  if (venue) {
    details["venue"] = {{"id", venue->id},
                        {"name", venue->name},
                        {"city", venue->city},
                        {"country", venue->country},
                        {"timezone", venue->timezone},
                        {"lat", venue->lat},
                        {"lon", venue->lon},
                        {"seat_count", venue->layout->seats.size()}};
  }
  const auto [min, max] = std::minmax_element(
      event.price_levels.begin(), event.price_levels.end(),
      [](const PriceLevel& a, const PriceLevel& b) { return a.price_cents < b.price_cents; });
  if (min != event.price_levels.end()) {
    details["price_range"] = {{"min_cents", min->price_cents},
                              {"max_cents", max->price_cents},
                              {"currency", min->currency}};
  }
  return boost::json::serialize(details);
}

void add_catalog_routes(Router& router, const ApiServices& services) {
  using v = bhttp::verb;
  Catalog& catalog = services.catalog;
  SearchService* search = services.search;
  router.add(
      v::post, "/v1/venues", Access::organizer,
      [&catalog](Request& r, const P&) { return create_venue(catalog, r); }, venue_body_bytes_max);
  router.add(v::get, "/v1/venues", [&catalog](Request&, const P&) -> asio::awaitable<Response> {
    boost::json::array venues;
    for (const auto& venue : catalog.venues()) venues.push_back(venue_summary(*venue));
    co_return json_response(s::ok, boost::json::object{{"venues", std::move(venues)}});
  });
  router.add(v::get, "/v1/venues/{id}",
             [&catalog](Request&, const P& p) -> asio::awaitable<Response> {
               const auto id = parse_id(p.get("id"));
               const auto venue = id ? catalog.venue(*id) : nullptr;
               if (!venue) co_return not_found("venue");
               co_return json_response(s::ok, encode_venue(*venue));
             });
  router.add(v::post, "/v1/events", Access::organizer,
             [&catalog](Request& r, const P&) { return create_event(catalog, r); });
  router.add(v::get, "/v1/events", [&catalog](Request&, const P&) -> asio::awaitable<Response> {
    boost::json::array events;
    for (const auto& view : catalog.events()) {
      if (view->event->published) events.push_back(event_summary(*view));
    }
    co_return json_response(s::ok, boost::json::object{{"events", std::move(events)}});
  });
  router.add(v::get, "/v1/events/{id}",
             [&catalog, search](Request& r, const P& p) -> asio::awaitable<Response> {
               const auto view = visible_event(catalog, p);
               if (!view) co_return not_found("event");
               if (search) search->record_view(view->event->id);
               // Short max-age: a CDN absorbs the stampede; the ETag makes revalidation cheap.
               co_return cached(r, view->encoded, view->etag, "public, max-age=5");
             });
  router.add(v::post, "/v1/events/{id}/publish", Access::organizer,
             [&catalog](Request&, const P& p) -> asio::awaitable<Response> {
               const auto id = parse_id(p.get("id"));
               if (!id) co_return not_found("event");
               co_return event_changed(catalog.publish(*id));
             });
  router.add(v::post, "/v1/events/{id}/unpublish", Access::organizer,
             [&catalog](Request&, const P& p) -> asio::awaitable<Response> {
               const auto id = parse_id(p.get("id"));
               if (!id) co_return not_found("event");
               co_return event_changed(catalog.unpublish(*id));
             });
  router.add(v::post, "/v1/events/{id}/cancel", Access::organizer,
             [&catalog](Request&, const P& p) -> asio::awaitable<Response> {
               const auto id = parse_id(p.get("id"));
               if (!id) co_return not_found("event");
               co_return event_changed(catalog.cancel(*id));
             });
  router.add(v::put, "/v1/events/{id}", Access::organizer,
             [&catalog](Request& r, const P& p) { return update_event(catalog, r, p); });
  router.add(v::post, "/v1/search/rebuild", Access::organizer,
             [&catalog, search](Request&, const P&) { return rebuild_search(catalog, search); });
  auto seatmaps = std::make_shared<SeatMaps>();
  router.add(v::get, "/v1/events/{id}/seatmap",
             [&catalog, seatmaps](Request& r, const P& p) -> asio::awaitable<Response> {
               const auto view = visible_event(catalog, p);
               if (!view) co_return not_found("event");
               // Revalidated (a 304 costs a round trip, not a megabyte): the organizer may
               // change the pricing.
               const std::string etag = "\"m" + std::to_string(view->event->id) + "v" +
                                        std::to_string(view->event->version) + "\"";
               co_return cached(r, *seatmaps->of(*view), etag, "public, no-cache");
             });
}

}  // namespace boxoffice::http
