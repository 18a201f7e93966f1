// Business outcomes as values. Every operation of core/ and services/ that can fail for a reason
// the caller must handle answers a Result<T>: the value, or an Error whose code is one of the
// exhaustive list below. http/ maps each code to one HTTP status in one place
// (http/api_errors.cpp); nothing else decides statuses. Exceptions never cross the domain.
#pragma once

#include <boost/json/object.hpp>

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace boxoffice {

enum class Errc {
  malformed_json,        // the body is not JSON
  invalid_field,         // a field is unknown, missing, of the wrong type or out of range
  not_found,             // no such venue, event, hold or order (or not visible to the caller)
  unknown_seats,         // seats that the event's layout doesn't have; extra: "unknown"
  duplicate_seats,       // the same seat twice in one request; extra: "duplicates"
  over_order_limit,      // more seats than the event's max_per_order; extra: "max_per_order"
  not_on_sale,           // before on_sale_at, or the event is not published; extra: "on_sale_at"
  seats_unavailable,     // held or sold by someone else; extra: "unavailable"
  not_enough_seats,      // best available / general admission can't find that many together
  hold_gone,             // expired, released, already used, or lost in a restart
  checkout_in_progress,  // another checkout of the same hold is running now
  payment_declined,      // the card was declined; the hold is kept until it expires
  idempotency_mismatch,  // same Idempotency-Key with another body
  conflict,              // the request contradicts the current state (e.g. publish a venue twice)
  store_unavailable,     // the source of truth can't be reached; retry later
  queue_required,        // the event's waiting room is on and no valid access token came; extra: "queue_url"
  queue_not_open,        // joining a waiting room before it opens; extra: "opens_at"
  queue_token_invalid,   // a queue token forged, for another event, or from before a restart
  queue_session_ended,   // the admitted session expired or was used up (checkout, release)
};

struct Error {
  Errc code;
  std::string detail;             // what happened this time, for a person
  boost::json::object extra = {};  // machine-readable details (RFC 9457 extension members)
};

inline Error make_error(Errc code, std::string detail, boost::json::object extra = {}) {
  return Error{code, std::move(detail), std::move(extra)};
}

// A value or an Error. Deliberately small: std::expected is C++23 and tl::expected is not in
// Debian's packages.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}           // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}       // NOLINT: implicit by design
  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { assert(ok()); return std::get<0>(state_); }
  const T& value() const& { assert(ok()); return std::get<0>(state_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const& { assert(!ok()); return std::get<1>(state_); }
  Error&& error() && { assert(!ok()); return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace boxoffice
