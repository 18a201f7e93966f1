// Routes requests by method and path pattern ("/v1/events/{id}/holds": literal segments and
// {name} segments). An unknown path answers 404, a known path with another method 405 with an
// Allow header; HEAD is routed to GET. The query string takes no part in matching; path
// segments are percent-decoded before they are compared or handed over.
//
// Matching walks a short list of patterns segment by segment: no regex, no allocation beyond
// the decoded parameters. Routes are added before serving; dispatch is then thread-safe.
//
// Each route says who may call it (http/access.hpp), how often (the class of rate limits it
// counts against: services/rate_limits.hpp), and how large its body may be. Before the handler
// runs, the router counts the request against its client's limit (http/client_limits.hpp;
// an unknown path counts as `other`), then asks the Gatekeeper; for a request with a body, it
// does both as soon as its header arrives (admit_body, which the server awaits before reading
// the body), and the request is counted once.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/access.hpp"
#include "http/client_limits.hpp"
#include "http/compression.hpp"
#include "http/server.hpp"
#include "services/metrics.hpp"

namespace boxoffice::http {

class Router {
 public:
  class Params {
   public:
    // The value of {name}, or "" if the pattern has no such parameter.
    std::string_view get(std::string_view name) const;
    void add(std::string_view name, std::string value);

    Caller caller;  // who calls, as the route's access check found

   private:
    std::vector<std::pair<std::string_view, std::string>> values_;
  };
  // The request and the parameters live until the returned coroutine is done: a handler may
  // return a coroutine that refers to them without being a coroutine itself.
  using RouteHandler = std::function<asio::awaitable<Response>(Request&, const Params&)>;

  // A route that `access` may call, `rate` (nullopt: unlimited) as often, with bodies up to
  // `body_bytes_max` (0: the server's default). Routes other than Access::anyone need guard()
  // before serving.
  void add(bhttp::verb method, std::string_view pattern, Access access,
           std::optional<RateClass> rate, RouteHandler handler, std::size_t body_bytes_max = 0);
  void add(bhttp::verb method, std::string_view pattern, Access access, RouteHandler handler,
           std::size_t body_bytes_max = 0) {
    add(method, pattern, access, RateClass::other, std::move(handler), body_bytes_max);
  }
  void add(bhttp::verb method, std::string_view pattern, RouteHandler handler) {
    add(method, pattern, Access::anyone, std::move(handler));
  }
  // Who checks access; must outlive the router.
  void guard(Gatekeeper& gatekeeper) { gatekeeper_ = &gatekeeper; }
  // Who counts requests against their clients' limits (none: no limits); must outlive the
  // router.
  void limit(const ClientLimits& limits) { limits_ = &limits; }
  // For a request whose body follows its header: the route's body limit, or the answer to send
  // instead of reading the body (too many from this client, no such route, or a caller it
  // refuses). ServerLimits::admit.
  asio::awaitable<Admission> admit_body(const Request& header, const RequestContext& context) const;
  // The answer to `request`; counted against its client's limit unless context.admitted says
  // admit_body counted it.
  asio::awaitable<Response> dispatch(Request& request, const RequestContext& context) const;
  // Every answer carries an X-Request-Id: the client's (up to 128 printable characters) or a
  // fresh one. A 500 answer (a handler that threw, or a store's failure) is logged with it at
  // level error, and its body carries it as "request_id".
  // After the last add(): counts answers and times them per route in `metrics`, and, with
  // `access_log`, logs one line per request.
  void instrument(Metrics& metrics, bool access_log);
  // A Server handler dispatching to this router, which must outlive the server.
  Handler handler() const;

 private:
  struct Route {
    bhttp::verb method;
    std::string pattern;
    std::vector<std::string> segments;  // "{name}" for a parameter
    Access access = Access::anyone;
    std::optional<RateClass> rate;
    std::size_t body_bytes_max = 0;
    RouteHandler handler;
  };
  // The route matching the request, or nullptr; `allowed` lists the methods of a known path.
  const Route* match(const Request& request, std::string& allowed, Params& params) const;
  static Response unrouted(const Request& request, const std::string& allowed);
  // The answer when the header alone says the caller may not call `route`, else nullopt.
  std::optional<Response> refuse_at_header(const Route& route, const Request& header,
                                           Params& params) const;
  // Whether a request of `route` (null: an unknown path) counts against a limit.
  bool limited(const Route* route) const;
  // Counts a request of `route` (null: an unknown path) against its client's limit: the 429 to
  // answer, or nullopt. Only when limited(route).
  asio::awaitable<std::optional<Response>> check_rate(const Route* route, const Params& params,
                                                      const Request& header,
                                                      const RequestContext& context) const;
  // After the answer: the request id, a 500's report, the route's metrics and the access log.
  void finish(const Request& request, const Route* route,
              std::chrono::steady_clock::time_point started, Response& response) const;

  std::vector<Route> routes_;
  Gatekeeper* gatekeeper_ = nullptr;
  const ClientLimits* limits_ = nullptr;
  Metrics* metrics_ = nullptr;
  bool access_log_ = false;
  // Behind a pointer: a Router moves, a Compression (its lock) does not.
  std::unique_ptr<Compression> compression_ = std::make_unique<Compression>();
};

}  // namespace boxoffice::http
