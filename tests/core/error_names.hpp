// The name of each error code, for test messages and coverage tables. No default: a new Errc
// fails to compile here (-Wswitch is an error) until it has a name.
#pragma once

#include <string>

#include "core/errors.hpp"

namespace boxoffice::testing {

inline std::string name_of(Errc code) {
  switch (code) {
    case Errc::malformed_json:
      return "malformed_json";
    case Errc::invalid_field:
      return "invalid_field";
    case Errc::not_found:
      return "not_found";
    case Errc::unknown_seats:
      return "unknown_seats";
    case Errc::duplicate_seats:
      return "duplicate_seats";
    case Errc::over_order_limit:
      return "over_order_limit";
    case Errc::presale_only:
      return "presale_only";
    case Errc::access_code_invalid:
      return "access_code_invalid";
    case Errc::customer_limit:
      return "customer_limit";
    case Errc::not_on_sale:
      return "not_on_sale";
    case Errc::seats_unavailable:
      return "seats_unavailable";
    case Errc::not_enough_seats:
      return "not_enough_seats";
    case Errc::hold_gone:
      return "hold_gone";
    case Errc::checkout_in_progress:
      return "checkout_in_progress";
    case Errc::payment_declined:
      return "payment_declined";
    case Errc::idempotency_mismatch:
      return "idempotency_mismatch";
    case Errc::conflict:
      return "conflict";
    case Errc::store_unavailable:
      return "store_unavailable";
    case Errc::store_failed:
      return "store_failed";
    case Errc::limit_exceeded:
      return "limit_exceeded";
    case Errc::queue_required:
      return "queue_required";
    case Errc::queue_not_open:
      return "queue_not_open";
    case Errc::queue_token_invalid:
      return "queue_token_invalid";
    case Errc::queue_session_ended:
      return "queue_session_ended";
    case Errc::rate_limited:
      return "rate_limited";
    case Errc::proof_of_work_required:
      return "proof_of_work_required";
    case Errc::proof_of_work_invalid:
      return "proof_of_work_invalid";
  }
  return "Errc " + std::to_string(static_cast<int>(code));  // not a value of the enum
}

}  // namespace boxoffice::testing
