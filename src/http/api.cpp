#include "http/api.hpp"

#include <boost/json/object.hpp>

#include "http/problem.hpp"
#include "http/responses.hpp"

namespace boxoffice::http {

std::shared_ptr<const EventView> visible_event(Catalog& catalog, const Router::Params& params) {
  const auto id = parse_id(params.get("id"));
  if (!id) return nullptr;
  auto view = catalog.event(*id);
  if (!view || (!view->event->published && !params.caller.organizer)) return nullptr;
  return view;
}

void add_api_routes(Router& router, const ApiServices& services) {
  using P = Router::Params;
  using s = bhttp::status;
  // Probes and scrapes are never limited: a balancer's health checks all come from its own
  // address, and a 429 would take the node out of its pool.
  constexpr std::optional<RateClass> unlimited;
  router.add(bhttp::verb::get, "/healthz", Access::anyone, unlimited,
             [](Request&, const P&) -> asio::awaitable<Response> {
               co_return json_response(s::ok, boost::json::object{{"status", "ok"}});
             });
  router.add(bhttp::verb::get, "/readyz", Access::anyone, unlimited,
             [ready = services.ready](Request&, const P&) -> asio::awaitable<Response> {
               if (ready && !ready()) {
                 co_return problem(s::service_unavailable, "not-ready", "Not ready",
                                   "a store is unreachable");
               }
               co_return json_response(s::ok, boost::json::object{{"status", "ready"}});
             });
  router.add(bhttp::verb::get, "/metrics", Access::anyone, unlimited,
             [&metrics = services.metrics](Request&, const P&) -> asio::awaitable<Response> {
               Response response{s::ok, 11};
               response.set(bhttp::field::content_type, "text/plain; version=0.0.4");
               response.body() = metrics.render();
               co_return response;
             });
  add_catalog_routes(router, services);
  const auto api = std::make_shared<const ApiServices>(services);
  add_booking_routes(router, api);
  add_queue_routes(router, api);
  add_presale_routes(router, api);
}

}  // namespace boxoffice::http
