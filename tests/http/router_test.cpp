#include "http/router.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include "http/problem.hpp"

namespace boxoffice::http {
namespace {

// Runs the router on a request and answers the response.
Response dispatch(const Router& router, bhttp::verb method, std::string target) {
  asio::io_context io;
  Request request{method, target, 11};
  Response response;
  const RequestContext context{.peer = asio::ip::make_address("127.0.0.1")};
  asio::co_spawn(io, router.dispatch(request, context), [&](std::exception_ptr error, Response r) {
    if (error) std::rethrow_exception(error);
    response = std::move(r);
  });
  io.run();
  return response;
}

Router::RouteHandler echo(std::string name) {
  return [name](Request&, const Router::Params& params) -> asio::awaitable<Response> {
    Response response{bhttp::status::ok, 11};
    response.body() =
        name + ":" + std::string(params.get("id")) + ":" + std::string(params.get("other"));
    co_return response;
  };
}

Router make_router() {
  Router router;
  router.add(bhttp::verb::get, "/v1/events", echo("list"));
  router.add(bhttp::verb::get, "/v1/events/{id}", echo("get"));
  router.add(bhttp::verb::post, "/v1/events/{id}/holds", echo("hold"));
  router.add(bhttp::verb::delete_, "/v1/holds/{id}", echo("release"));
  router.add(bhttp::verb::get, "/v1/holds/{id}", echo("read"));
  return router;
}

TEST(Router, LiteralsAndParameters) {
  const Router router = make_router();
  EXPECT_EQ(dispatch(router, bhttp::verb::get, "/v1/events").body(), "list::");
  EXPECT_EQ(dispatch(router, bhttp::verb::get, "/v1/events/42").body(), "get:42:");
  EXPECT_EQ(dispatch(router, bhttp::verb::post, "/v1/events/7/holds").body(), "hold:7:");
  EXPECT_EQ(dispatch(router, bhttp::verb::delete_, "/v1/holds/abc").body(), "release:abc:");
}

TEST(Router, QueryStringIsIgnored) {
  const Router router = make_router();
  EXPECT_EQ(dispatch(router, bhttp::verb::get, "/v1/events/42?seats=a,b").body(), "get:42:");
  EXPECT_EQ(dispatch(router, bhttp::verb::get, "/v1/events?x=1").body(), "list::");
}

TEST(Router, PercentDecoding) {
  const Router router = make_router();
  EXPECT_EQ(dispatch(router, bhttp::verb::get, "/v1/events/a%2Fb").body(), "get:a/b:");
  EXPECT_EQ(dispatch(router, bhttp::verb::get, "/v1/%65vents/1").body(), "get:1:");
  EXPECT_EQ(dispatch(router, bhttp::verb::get, "/v1/events/%zz").body(), "get:%zz:");
}

TEST(Router, UnknownPathIsNotFound) {
  const Router router = make_router();
  for (const char* target : {"/", "/v1", "/v1/events/1/nope", "/v1/events/", "/v2/events",
                             "no-slash", "/v1/events/1/holds/2/3/4/5/6/7/8/9/10/11/12/13/14"}) {
    const Response response = dispatch(router, bhttp::verb::get, target);
    EXPECT_EQ(response.result(), bhttp::status::not_found) << target;
    EXPECT_EQ(response[bhttp::field::content_type], "application/problem+json");
  }
}

TEST(Router, WrongMethodIsNotAllowedWithAllow) {
  const Router router = make_router();
  const Response response = dispatch(router, bhttp::verb::put, "/v1/holds/1");
  EXPECT_EQ(response.result(), bhttp::status::method_not_allowed);
  EXPECT_EQ(response[bhttp::field::allow], "DELETE, GET, HEAD");
  EXPECT_EQ(dispatch(router, bhttp::verb::get, "/v1/events/1/holds").result(),
            bhttp::status::method_not_allowed);
}

TEST(Router, NotFoundIsAProblem) {
  const Router router = make_router();
  const Response response = dispatch(router, bhttp::verb::get, "/v1/nope?x=1");
  const boost::json::object body = boost::json::parse(response.body()).as_object();
  EXPECT_EQ(body.at("type"), "/problems/not-found");
  EXPECT_EQ(body.at("status"), 404);
  EXPECT_EQ(body.at("detail"), "no such resource: /v1/nope");
}

TEST(Problem, StandardMembersFirstAndNeverReplaced) {
  const Response response =
      problem(bhttp::status::conflict, "seats-taken", "Seats taken", "2 of the seats are held",
              {{"unavailable", {"A1", "A2"}}, {"status", 200}});
  EXPECT_EQ(response.result(), bhttp::status::conflict);
  EXPECT_EQ(response[bhttp::field::content_type], "application/problem+json");
  EXPECT_EQ(response.body(),
            R"({"type":"/problems/seats-taken","title":"Seats taken","status":409,)"
            R"("detail":"2 of the seats are held","unavailable":["A1","A2"]})");
}

TEST(Router, HeadIsRoutedToGet) {
  const Router router = make_router();
  EXPECT_EQ(dispatch(router, bhttp::verb::head, "/v1/events/5").body(), "get:5:");
}

}  // namespace
}  // namespace boxoffice::http
