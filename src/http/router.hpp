// Routes requests by method and path pattern ("/v1/events/{id}/holds": literal segments and
// {name} segments). An unknown path answers 404, a known path with another method 405 with an
// Allow header; HEAD is routed to GET. The query string takes no part in matching; path
// segments are percent-decoded before they are compared or handed over.
//
// Matching walks a short list of patterns segment by segment: no regex, no allocation beyond
// the decoded parameters. Routes are added before serving; dispatch is then thread-safe.
#pragma once

#include "http/server.hpp"

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
  using RouteHandler = std::function<asio::awaitable<Response>(Request&, const Params&)>;

  void add(bhttp::verb method, std::string_view pattern, RouteHandler handler);
  asio::awaitable<Response> dispatch(Request& request) const;
  // A Server handler dispatching to this router, which must outlive the server.
  Handler handler() const;

 private:
  struct Route {
    bhttp::verb method;
    std::vector<std::string> segments;  // "{name}" for a parameter
    RouteHandler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace boxoffice::http
