// The waiting room: joining (with a solved challenge when the room asks for a proof of work),
// where one stands (polled, or streamed as server-sent events), and the organizer's counts. A
// status poll is the hottest request of an on-sale, so its answers are written by hand: nothing in
// them needs escaping (numbers, state names, base64url tokens, RFC 3339 times and a path of
// digits).
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <variant>

#include "core/access_code.hpp"
#include "core/json_reader.hpp"
#include "http/api.hpp"
#include "http/api_errors.hpp"
#include "http/live_stream.hpp"
#include "http/responses.hpp"
#include "services/presales.hpp"

namespace boxoffice::http {
namespace {

using s = bhttp::status;
using P = Router::Params;

// `poll_seconds_max`: the room's, for an answer to a poll (which says when to poll again); 0 for a
// stream's, which needs no such advice.
void append_queue_status(std::string& out, const QueueStatus& where,
                         std::uint32_t poll_seconds_max) {
  out += R"("state":")";
  out += queue_state_name(where.state);
  out += R"(","position":)";
  out += std::to_string(where.position);
  out += R"(,"eta_seconds":)";
  out += std::to_string(where.eta_seconds);
  if (poll_seconds_max == 0) return;
  if (const std::uint32_t after = poll_after_seconds(where, poll_seconds_max); after > 0) {
    out += R"(,"poll_after_seconds":)";
    out += std::to_string(after);
  }
}

std::uint32_t poll_seconds_max_of(const Event& event) {
  return event.waiting_room ? event.waiting_room->poll_seconds_max : poll_seconds_max_default;
}

// {"state", "position", "eta_seconds", "poll_after_seconds" (see append_queue_status)} and, once
// admitted, "access_token", "access_expires_at".
std::string queue_answer_json(const QueueAnswer& answer, std::uint32_t poll_seconds_max) {
  std::string out = "{";
  append_queue_status(out, answer.where, poll_seconds_max);
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

// {"state", "position", "eta_seconds", "poll_after_seconds", "queue_token", "number",
// "status_url"}.
std::string queue_joined_json(const QueueJoined& joined, std::string_view status_url,
                              std::uint32_t poll_seconds_max) {
  std::string out = "{";
  if (joined.where) {
    append_queue_status(out, *joined.where, poll_seconds_max);
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

// A person in the room of an event with nothing left to sell is told so, whatever their place
// (an admitted one would find nothing either, so gets no access token); if seats come back,
// the room's own answer again. While booking can't tell (a store down), the room's answer.
void tell_if_sold_out(const ApiServices& api, std::int64_t event_id, QueueStatus& where) {
  if (where.state == QueueState::ended) return;
  const auto left = api.booking.units_left(event_id, api.clock());
  if (left && left->sold_out) {
    where.state = QueueState::sold_out;
    where.eta_seconds = 0;
  }
}
void tell_if_sold_out(const ApiServices& api, std::int64_t event_id, QueueAnswer& answer) {
  tell_if_sold_out(api, event_id, answer.where);
  if (answer.where.state == QueueState::sold_out) answer.access_token.clear();
}

Response no_store(Response response) {
  response.set(bhttp::field::cache_control, "no-store");
  return response;
}

// A queue status request's event and token; the problem to answer when it has none.
struct QueueRequest {
  std::shared_ptr<const EventView> view;
  std::string token;
};
std::variant<QueueRequest, Response> queue_request(const ApiServices& api, const Request& request,
                                                   const P& p) {
  auto view = visible_event(api.catalog, p);
  if (!view || api.waiting_room == nullptr) return not_found("event");
  std::optional<std::string> token(request["X-Queue-Token"]);
  if (token->empty()) token = query_param(request, "token");
  if (!token || token->empty()) {
    return problem_of(
        make_error(Errc::queue_token_invalid, "send the queue token in X-Queue-Token or ?token="));
  }
  return QueueRequest{std::move(view), std::move(*token)};
}

std::string challenge_url(std::int64_t event_id) {
  return "/v1/events/" + std::to_string(event_id) + "/queue/challenge";
}

// A join's body: none, or any of a solved challenge ({"challenge", "solution"}, both or
// neither) and a presale's {"access_code"}; strictly nothing else. Errors: malformed_json,
// invalid_field.
struct JoinBody {
  std::optional<JoinProof> proof;
  std::optional<std::string> access_code;
};
Result<JoinBody> decode_join(const Request& request) {
  if (request.body().empty()) return JoinBody{};
  auto body = json_body(request);
  if (!body) return std::move(body).error();
  JsonReader reader;
  JoinBody join;
  {
    ObjectReader fields(reader, *body, "");
    join.access_code = fields.optional_text("access_code", access_code_typed_max);
    auto challenge = fields.optional_text("challenge", 256);
    auto solution = fields.optional_text("solution", join_solution_digits_max);
    if (reader.ok() && challenge.has_value() != solution.has_value()) {
      reader.fail("a challenge and its solution go together", challenge ? "solution" : "challenge");
    }
    if (challenge && solution) join.proof = JoinProof{std::move(*challenge), std::move(*solution)};
  }
  if (!reader.ok()) return reader.take_error();
  return join;
}

// A problem of the proof of work says where to get a challenge.
Response join_problem(Error error, std::int64_t event_id) {
  if (error.code == Errc::proof_of_work_required || error.code == Errc::proof_of_work_invalid) {
    error.facts.challenge_url = challenge_url(event_id);
  }
  return problem_of(error);
}

asio::awaitable<Response> join_queue(const ApiServices& api, const Request& request, const P& p) {
  const auto view = visible_event(api.catalog, p);
  if (!view || api.waiting_room == nullptr) co_return not_found("event");
  auto join = decode_join(request);
  if (!join) co_return problem_of(join.error());
  if (api.presales != nullptr) {
    Status admitted =
        co_await api.presales->admit_join(*view->event, join->access_code, api.clock());
    if (!admitted) co_return problem_of(admitted.error());
  }
  auto joined = co_await api.waiting_room->join(*view->event, std::move(join->proof), api.clock());
  if (!joined) co_return join_problem(std::move(joined).error(), view->event->id);
  if (joined->where) tell_if_sold_out(api, view->event->id, *joined->where);
  const std::string status_url = "/v1/events/" + std::to_string(view->event->id) + "/queue/status";
  co_return no_store(json_response(
      s::created, queue_joined_json(*joined, status_url, poll_seconds_max_of(*view->event))));
}

// GET /v1/events/{id}/queue/challenge: {"challenge", "difficulty", "expires_at"}, no-store.
Response join_challenge(const ApiServices& api, const P& p) {
  const auto view = visible_event(api.catalog, p);
  if (!view || api.waiting_room == nullptr) return not_found("event");
  auto issued = api.waiting_room->challenge(*view->event, api.clock());
  if (!issued) return problem_of(issued.error());
  return no_store(json_response(
      s::ok, boost::json::object{{"challenge", issued->challenge},
                                 {"difficulty", issued->difficulty},
                                 {"expires_at", format_rfc3339(issued->expires_at)}}));
}

// GET /v1/events/{id}/queue (organizers): how many wait, shop and were let in, for the live
// sales view (the room's settings are in the event's details).
asio::awaitable<Response> queue_counts(const ApiServices& api, const P& p) {
  const auto view = visible_event(api.catalog, p);
  if (!view || api.waiting_room == nullptr) co_return not_found("event");
  auto counts = co_await api.waiting_room->counts(*view->event, api.clock());
  if (!counts) co_return problem_of(counts.error());
  co_return no_store(json_response(s::ok, boost::json::object{{"waiting", counts->waiting},
                                                              {"active", counts->active},
                                                              {"admitted", counts->admitted},
                                                              {"skipped", counts->skipped}}));
}

// GET /v1/events/{id}/queue/status, the queue token in X-Queue-Token or ?token=
asio::awaitable<Response> queue_status(const ApiServices& api, const Request& request, const P& p) {
  auto asked = queue_request(api, request, p);
  if (auto* problem = std::get_if<Response>(&asked)) co_return std::move(*problem);
  const QueueRequest& queue = std::get<QueueRequest>(asked);
  auto status = co_await api.waiting_room->status(*queue.view->event, queue.token, api.clock());
  if (!status) co_return problem_of(status.error());
  tell_if_sold_out(api, queue.view->event->id, *status);
  co_return no_store(
      json_response(s::ok, queue_answer_json(*status, poll_seconds_max_of(*queue.view->event))));
}

// Sends the status again whenever it changes (looked at every second), a heartbeat when it
// did not for a while, until the access token has been sent or the token stops being good.
// A sold-out event keeps the stream open: seats may come back.
asio::awaitable<void> follow_queue_status(std::shared_ptr<const ApiServices> api,
                                          std::shared_ptr<const Event> event, std::string token,
                                          std::string last, StreamWriter& writer) {
  constexpr auto poll_every = std::chrono::seconds(1);
  constexpr int heartbeat_polls = 15;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (int quiet = 0;; ++quiet) {
    timer.expires_after(poll_every);
    co_await timer.async_wait(asio::use_awaitable);
    auto status = co_await api->waiting_room->status(*event, token, api->clock());
    if (!status) {
      if (status.error().code == Errc::store_unavailable) continue;  // try again
      co_await writer.write(sse_message("error", problem_of(status.error()).body()));
      co_return;
    }
    tell_if_sold_out(*api, event->id, *status);
    std::string now = queue_answer_json(*status, 0);
    if (now == last && quiet < heartbeat_polls) continue;
    const std::string message =
        now == last ? std::string(sse_heartbeat) : sse_message("status", now);
    if (!co_await writer.write(message) || status->admitted()) co_return;
    last = std::move(now);
    quiet = 0;
  }
}

// GET /v1/events/{id}/queue/status/stream?token=: the status as server-sent events ("event:
// status", the same JSON), then as follow_queue_status says; "event: error" with a problem
// body when the token stops being good (the session ended, the room restarted). Errors before
// the stream: as queue_status.
asio::awaitable<Response> queue_status_stream(std::shared_ptr<const ApiServices> api,
                                              const Request& request, const P& p) {
  auto asked = queue_request(*api, request, p);
  if (auto* problem = std::get_if<Response>(&asked)) co_return std::move(*problem);
  QueueRequest& queue = std::get<QueueRequest>(asked);
  auto status = co_await api->waiting_room->status(*queue.view->event, queue.token, api->clock());
  if (!status) co_return problem_of(status.error());
  tell_if_sold_out(*api, queue.view->event->id, *status);
  std::string first = queue_answer_json(*status, 0);
  Response response =
      event_stream(sse_retry(std::chrono::milliseconds(2000)) + sse_message("status", first));
  if (status->admitted()) co_return response;  // that was all
  response.body().stream = [api, event = queue.view->event, token = std::move(queue.token),
                            last = std::move(first)](StreamWriter& writer) mutable {
    return follow_queue_status(api, event, std::move(token), std::move(last), writer);
  };
  co_return response;
}

}  // namespace

void add_queue_routes(Router& router, std::shared_ptr<const ApiServices> api) {
  using v = bhttp::verb;
  router.add(v::post, "/v1/events/{id}/queue", Access::anyone, RateClass::joins,
             [api](Request& r, const P& p) { return join_queue(*api, r, p); });
  router.add(v::get, "/v1/events/{id}/queue/challenge",
             [api](Request&, const P& p) -> asio::awaitable<Response> {
               co_return join_challenge(*api, p);
             });
  router.add(v::get, "/v1/events/{id}/queue", Access::organizer,
             [api](Request&, const P& p) { return queue_counts(*api, p); });
  router.add(v::get, "/v1/events/{id}/queue/status",
             [api](Request& r, const P& p) { return queue_status(*api, r, p); });
  router.add(v::get, "/v1/events/{id}/queue/status/stream",
             [api](Request& r, const P& p) { return queue_status_stream(api, r, p); });
}

}  // namespace boxoffice::http
