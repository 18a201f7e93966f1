// Business outcomes as values. Every operation of core/ and services/ that can fail for a reason
// the caller must handle answers a Result<T>: the value, or an Error whose code is one of the
// exhaustive list below, with typed facts a program can act on. http/ maps each code to one HTTP
// status and each fact to one member of the problem+json answer, in one place
// (http/api_errors.cpp); nothing else decides statuses. Exceptions never cross the domain.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/check.hpp"
#include "core/time.hpp"

namespace boxoffice {

enum class Errc {
  malformed_json,     // the body is not JSON
  invalid_field,      // a field is unknown, missing, of the wrong type or out of range; fact: field
  not_found,          // no such venue, event, hold or order (or not visible to the caller)
  unknown_seats,      // seats that the event's layout doesn't have; fact: seat_ids
  duplicate_seats,    // the same seat twice in one request; fact: seat_ids (or seat_indexes)
  over_order_limit,   // more seats than the event's max_per_order; fact: max_per_order
  customer_limit,     // the buyer's orders would pass the event's max_per_customer; fact:
                      // max_per_customer
  not_on_sale,        // before on_sale_at, or the event is not published; fact: on_sale_at
  seats_unavailable,  // held or sold by someone else; fact: seat_ids (or seat_indexes)
  not_enough_seats,   // best available / general admission can't find that many; fact:
                      // places_available
  hold_gone,          // expired, released, already used, or lost in a restart; fact: reason
  checkout_in_progress,  // another checkout of the same hold is running now
  payment_declined,  // the card was declined; the hold is kept until it expires; fact: decline_code
  idempotency_mismatch,  // same Idempotency-Key with another body
  conflict,  // the request contradicts the current state; fact: order_id (hold checked out)
  store_unavailable,  // a store can't be reached (refused, timed out, failing over): retry later
  store_failed,  // a store refused what we asked (a constraint, bad SQL): a bug, not worth a retry
  limit_exceeded,       // a named bound of the system (not of this request) would be passed
  queue_required,       // the waiting room is on and no valid access token came; fact: queue_url
  queue_not_open,       // joining a waiting room before it opens; fact: opens_at
  queue_token_invalid,  // a queue token forged, for another event, or from before a restart
  queue_session_ended,  // the admitted session expired or was used up (checkout, release)
  rate_limited,         // the client asked too often for its route's class; fact: retry_after
  presale_only,         // the sale is open now to access codes of a presale only, none came
  access_code_invalid,  // no such code of a presale open now, or no use left; fact: reason

  // A room's proof of work at join (core/join_challenge.hpp); fact: challenge_url.
  proof_of_work_required,  // no solved challenge came
  proof_of_work_invalid,   // the challenge or its solution is not good; fact: reason
};

// What an error says beyond its code, for a program to act on. Each code sets the facts its
// comment above names; the rest stay empty. Seats are named by id once they leave the hold
// store; below it (core/Inventory, stores/) they are indexes in the layout, which
// services/booking turns into ids.
struct ErrorFacts {
  std::string field;                        // the field at fault, as a path ("ga.area")
  std::vector<std::string> seat_ids;        // which seats (unknown, duplicated or unavailable)
  std::vector<std::uint32_t> seat_indexes;  // the same, inside the hold store
  std::optional<std::uint32_t> max_per_order;
  std::optional<std::uint32_t> max_per_customer;
  std::optional<std::uint32_t> places_available;
  std::optional<UnixMillis> on_sale_at;
  std::optional<UnixMillis> opens_at;
  std::string reason;        // why a hold is gone (expired, released, checked_out), a code refused
                             // (unknown, used_up)
  std::string order_id;      // the order a hold already has
  std::string decline_code;  // the processor's word for a decline
  std::string queue_url;     // where to join the waiting room
  std::optional<std::int64_t> retry_after_seconds;  // when to ask again (whole seconds, ≥ 1)
  std::string challenge_url;                        // where to get a proof-of-work challenge
  std::string sqlstate;  // a PostgreSQL error's SQLSTATE: for the store's own use, never answered
};

struct Error {
  Errc code;
  std::string detail;  // what happened this time, for a person
  ErrorFacts facts = {};
};

inline Error make_error(Errc code, std::string detail, ErrorFacts facts = {}) {
  return Error{code, std::move(detail), std::move(facts)};
}

// invalid_field about `field`, with the detail "<field>: <what is wrong>".
inline Error field_error(std::string field, std::string_view what) {
  std::string detail = field + ": " + std::string(what);
  return Error{Errc::invalid_field, std::move(detail), ErrorFacts{.field = std::move(field)}};
}

// field_error quoting the text at fault: "<field>: "<text>": <what is wrong>".
inline Error quoted_field_error(std::string field, std::string_view text, std::string_view what) {
  std::string detail = "\"";
  detail += text;
  detail += "\": ";
  detail += what;
  return field_error(std::move(field), detail);
}

// A value or an Error. Deliberately small: std::expected is C++23 and tl::expected is not in
// Debian's packages. Reading the value of an error (or the error of a value) is a programmer
// error, checked in every build.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design
  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    BOXOFFICE_CHECK(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    BOXOFFICE_CHECK(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    BOXOFFICE_CHECK(ok());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const& {
    BOXOFFICE_CHECK(!ok());
    return std::get<1>(state_);
  }
  Error&& error() && {
    BOXOFFICE_CHECK(!ok());
    return std::get<1>(std::move(state_));
  }

 private:
  std::variant<T, Error> state_;
};

struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace boxoffice
