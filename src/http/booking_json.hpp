// The JSON of booking: hold and checkout request bodies decoded strictly into the booking
// service's typed requests (core/json_reader.hpp: the first bad field is the answer), and
// holds, orders and availability encoded as docs/api.md shows them.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "services/booking.hpp"
#include "services/live_seats.hpp"

namespace boxoffice::http {

// What a hold's body asks: the units, and a presale access code when one is given.
struct HoldBody {
  HoldRequest request;
  std::optional<std::string> access_code;
};
// {"seats": [...]} | {"best_available": {"count", "sections"?, "price_level"?}} |
// {"ga": {"area", "quantity"}}, exactly one; "access_code" optional. Errors: invalid_field.
Result<HoldBody> decode_hold_request(const boost::json::value& body);
// {"payment": {"card_number"}, "customer": {"email", "name"}}, with the Idempotency-Key
// header's value. Errors: invalid_field.
Result<CheckoutRequest> decode_checkout_request(const boost::json::value& body,
                                                std::string idempotency_key);

boost::json::object encode_hold(const HoldDetails& hold);
boost::json::object encode_hold_granted(const HoldGranted& granted);
boost::json::object encode_order(const Order& order);
boost::json::object encode_orders(std::int64_t event_id, const std::vector<Order>& orders);
std::string encode_seat_states(const SeatStates& states);

// An event's whole availability answer, encoded once per sequence number and kept: every
// reader of an unchanged event (polls, the first message of each live stream) shares it.
// Thread-safe.
class AvailabilityAnswers {
 public:
  // Errors: those of Booking::availability.
  Result<std::shared_ptr<const std::string>> whole(Booking& booking, std::int64_t event_id,
                                                   UnixMillis now);
  // The same, with its seq: what live streams start from.
  Result<EncodedSnapshot> snapshot(Booking& booking, std::int64_t event_id, UnixMillis now);

 private:
  struct Slot {
    std::mutex mutex;  // one encoding at a time per event; other events go on
    EncodedSnapshot answer;
  };
  Slot& slot(std::int64_t event_id);

  std::shared_mutex slots_mutex_;
  std::unordered_map<std::int64_t, std::unique_ptr<Slot>> slots_;  // by event id
};

}  // namespace boxoffice::http
