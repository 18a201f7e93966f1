// Routes requests by method and path pattern ("/v1/events/{id}/holds": literal segments and
// {name} segments). An unknown path answers 404, a known path with another method 405 with an
// Allow header; HEAD is routed to GET. The query string takes no part in matching; path
// segments are percent-decoded before they are compared or handed over.
//
// Matching walks a short list of patterns segment by segment: no regex, no allocation beyond
// the decoded parameters. Routes are added before serving; dispatch is then thread-safe.
#pragma once

#include "http/server.hpp"
#include "services/metrics.hpp"

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boxoffice::http {

class Router {
 public:
  class Params {
   public:
    // The value of {name}, or "" if the pattern has no such parameter.
    std::string_view get(std::string_view name) const;
    void add(std::string_view name, std::string value);

   private:
    std::vector<std::pair<std::string_view, std::string>> values_;
  };
  // The request and the parameters live until the returned coroutine is done: a handler may
  // return a coroutine that refers to them without being a coroutine itself.
  using RouteHandler = std::function<asio::awaitable<Response>(Request&, const Params&)>;

  void add(bhttp::verb method, std::string_view pattern, RouteHandler handler);
  asio::awaitable<Response> dispatch(Request& request) const;
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
    RouteHandler handler;
  };
  // The route matching the request, or nullptr; `allowed` lists the methods of a known path.
  const Route* match(const Request& request, std::string& allowed, Params& params) const;
  static Response unrouted(const Request& request, const std::string& allowed);

  std::vector<Route> routes_;
  Metrics* metrics_ = nullptr;
  bool access_log_ = false;
};

}  // namespace boxoffice::http
