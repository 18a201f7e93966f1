#include "http/api_errors.hpp"

#include <boost/json.hpp>

#include "http/problem.hpp"

namespace boxoffice::http {
namespace {

struct ProblemType {
  bhttp::status status;
  std::string_view slug;
  std::string_view title;
};

ProblemType problem_type(Errc code) {
  using s = bhttp::status;
  switch (code) {
    case Errc::malformed_json:
      return {s::bad_request, "malformed-json", "The body is not JSON"};
    case Errc::invalid_field:
      return {s::bad_request, "invalid-field", "A field is not valid"};
    case Errc::not_found:
      return {s::not_found, "not-found", "Not found"};
    case Errc::unknown_seats:
      return {s::unprocessable_entity, "unknown-seats", "The venue has no such seats"};
    case Errc::duplicate_seats:
      return {s::unprocessable_entity, "duplicate-seats", "A seat is asked for twice"};
    case Errc::over_order_limit:
      return {s::unprocessable_entity, "over-order-limit", "More than one order may hold"};
    case Errc::presale_only:
      return {s::forbidden, "presale-only", "The sale is open to access codes only"};
    case Errc::access_code_invalid:
      return {s::forbidden, "access-code-invalid", "The access code is not valid now"};
    case Errc::customer_limit:
      return {s::unprocessable_entity, "customer-limit", "More than one buyer may buy"};
    case Errc::not_on_sale:
      return {s::forbidden, "not-on-sale", "The event is not on sale"};
    case Errc::seats_unavailable:
      return {s::conflict, "seats-unavailable", "Some seats are held or sold"};
    case Errc::not_enough_seats:
      return {s::conflict, "not-enough-seats", "Not enough seats together"};
    case Errc::hold_gone:
      return {s::gone, "hold-gone", "The hold is gone"};
    case Errc::checkout_in_progress:
      return {s::conflict, "checkout-in-progress", "A checkout of this hold is running"};
    case Errc::payment_declined:
      return {s::payment_required, "payment-declined", "The payment was declined"};
    case Errc::idempotency_mismatch:
      return {s::unprocessable_entity, "idempotency-key-reused",
              "The Idempotency-Key was used with another request"};
    case Errc::conflict:
      return {s::conflict, "conflict", "The request conflicts with the state"};
    case Errc::store_unavailable:
      return {s::service_unavailable, "store-unavailable", "A store is unavailable"};
    case Errc::store_failed:
      return {s::internal_server_error, "internal-error", "Internal error"};
    case Errc::limit_exceeded:
      return {s::unprocessable_entity, "limit-exceeded", "A limit of the system would be passed"};
    case Errc::queue_required:
      return {s::forbidden, "queue-required", "This event's sale goes through its waiting room"};
    case Errc::queue_not_open:
      return {s::conflict, "queue-not-open", "The waiting room is not open yet"};
    case Errc::queue_token_invalid:
      return {s::forbidden, "queue-token-invalid", "The queue token is not valid here"};
    case Errc::queue_session_ended:
      return {s::gone, "queue-session-ended", "The admitted session is over"};
    case Errc::rate_limited:
      return {s::too_many_requests, "rate-limited", "Too many requests from this client"};
    case Errc::proof_of_work_required:
      return {s::forbidden, "proof-of-work-required",
              "This waiting room asks for a solved challenge to join"};
    case Errc::proof_of_work_invalid:
      return {s::forbidden, "proof-of-work-invalid", "The challenge or its solution is not good"};
  }
  return {s::internal_server_error, "internal-error", "Internal error"};
}

// The member that names an error's seats, by what the seats are.
std::string_view seats_member(Errc code) {
  switch (code) {
    case Errc::unknown_seats:
      return "unknown";
    case Errc::duplicate_seats:
      return "duplicates";
    default:
      return "unavailable";
  }
}

// The facts an error has, as RFC 9457 extension members. A store's SQLSTATE stays inside.
boost::json::object members_of(const Error& error) {
  const ErrorFacts& facts = error.facts;
  boost::json::object members;
  if (!facts.field.empty()) members["field"] = facts.field;
  if (!facts.seat_ids.empty()) {
    boost::json::array seats;
    for (const std::string& seat : facts.seat_ids) seats.emplace_back(seat);
    members[seats_member(error.code)] = std::move(seats);
  }
  if (facts.max_per_order) members["max_per_order"] = *facts.max_per_order;
  if (facts.max_per_customer) members["max_per_customer"] = *facts.max_per_customer;
  if (facts.places_available) members["available"] = *facts.places_available;
  if (facts.on_sale_at) members["on_sale_at"] = format_rfc3339(*facts.on_sale_at);
  if (facts.opens_at) members["opens_at"] = format_rfc3339(*facts.opens_at);
  if (!facts.reason.empty()) members["reason"] = facts.reason;
  if (!facts.order_id.empty()) members["order_id"] = facts.order_id;
  if (!facts.decline_code.empty()) members["decline_code"] = facts.decline_code;
  if (!facts.queue_url.empty()) members["queue_url"] = facts.queue_url;
  if (!facts.challenge_url.empty()) members["challenge_url"] = facts.challenge_url;
  if (facts.retry_after_seconds) members["retry_after"] = *facts.retry_after_seconds;
  return members;
}

}  // namespace

bhttp::status status_of(Errc code) { return problem_type(code).status; }

Response problem_of(const Error& error) {
  const ProblemType type = problem_type(error.code);
  // A store's own failure is a bug to report, not a detail to show: the detail is logged with
  // the request id (http/router.cpp), the answer says only that it is logged.
  const bool internal = type.status == bhttp::status::internal_server_error;
  Response response = problem(type.status, type.slug, type.title,
                              internal ? "the server failed to answer; it is logged" : error.detail,
                              members_of(error));
  if (internal) response.set(internal_error_detail_field, error.detail);
  if (error.facts.retry_after_seconds) {
    response.set(bhttp::field::retry_after, std::to_string(*error.facts.retry_after_seconds));
  } else if (error.code == Errc::checkout_in_progress || error.code == Errc::store_unavailable) {
    response.set(bhttp::field::retry_after, "1");
  }
  return response;
}

}  // namespace boxoffice::http
