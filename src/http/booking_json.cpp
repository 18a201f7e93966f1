#include "http/booking_json.hpp"

#include <sodium.h>

#include <boost/json.hpp>

#include "core/access_code.hpp"
#include "core/json_reader.hpp"

namespace boxoffice::http {
namespace {

constexpr std::size_t hold_seat_ids_max = max_per_order_max;

const char* state_name(SeatState state) {
  switch (state) {
    case SeatState::available:
      return "available";
    case SeatState::held:
      return "held";
    case SeatState::sold:
      return "sold";
  }
  return "unknown";
}

std::string base64_of_bits(const std::vector<unsigned char>& bits) {
  const int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string text(sodium_base64_encoded_len(bits.size(), variant), '\0');
  sodium_bin2base64(text.data(), text.size(), bits.data(), bits.size(), variant);
  text.resize(text.size() - 1);
  return text;
}

boost::json::array strings(const std::vector<std::string>& texts) {
  boost::json::array array;
  array.reserve(texts.size());
  for (const std::string& text : texts) array.emplace_back(text);
  return array;
}

HoldBestAvailable read_best_available(JsonReader& reader, const boost::json::value& value) {
  ObjectReader fields(reader, value, "best_available");
  HoldBestAvailable best;
  best.count = static_cast<std::uint32_t>(fields.integer("count", 1, max_per_order_max));
  for (const auto& id : fields.array("sections", layout_sections_max, false)) {
    best.section_ids.push_back(reader.text_of(id, "best_available.sections"));
  }
  best.price_level = fields.optional_text("price_level");
  return best;
}

HoldGa read_ga(JsonReader& reader, const boost::json::value& value) {
  ObjectReader fields(reader, value, "ga");
  HoldGa ga;
  ga.area_id = fields.text("area");
  ga.quantity = static_cast<std::uint32_t>(fields.integer("quantity", 1, max_per_order_max));
  return ga;
}

// The whole availability answer of `state`: counts, and held and sold as bitmaps.
std::string encode_availability(const AvailabilityState& state) {
  const Layout& layout = *state.layout;
  const UnitsSnapshot& units = *state.units;
  const std::size_t seat_count = layout.seats.size();
  std::vector<unsigned char> held((seat_count + 7) / 8, 0);
  std::vector<unsigned char> sold((seat_count + 7) / 8, 0);
  std::vector<std::uint32_t> section_available(layout.sections.size(), 0);
  for (SeatIndex seat = 0; seat < seat_count; ++seat) {
    const SeatState seat_state = units.seats[seat];
    const auto bit = static_cast<unsigned char>(1u << (seat % 8));
    if (seat_state == SeatState::held) held[seat / 8] |= bit;
    if (seat_state == SeatState::sold) sold[seat / 8] |= bit;
    if (seat_state == SeatState::available) ++section_available[layout.seats[seat].section];
  }
  boost::json::array sections;
  for (std::size_t i = 0; i < layout.sections.size(); ++i) {
    sections.push_back({{"id", layout.sections[i].id},
                        {"seats", layout.sections[i].seat_count},
                        {"available", section_available[i]}});
  }
  boost::json::array areas;
  for (std::size_t i = 0; i < layout.ga_areas.size(); ++i) {
    const GaCounts& counts = units.ga[i];
    areas.push_back({{"id", layout.ga_areas[i].id},
                     {"capacity", counts.capacity},
                     {"available", counts.available()},
                     {"held", counts.held},
                     {"sold", counts.sold}});
  }
  const std::uint32_t seats_held =
      static_cast<std::uint32_t>(seat_count) - units.seats_available - units.seats_sold;
  const boost::json::object answer{
      {"event_id", state.event_id},
      {"seq", units.seq},
      {"seat_count", seat_count},
      {"available", units.seats_available},
      {"held", seats_held},
      {"sold", units.seats_sold},
      {"encoding",
       "base64 bitmaps in seat map order: bit i (least significant first in each "
       "byte) stands for seat i"},
      {"held_bitmap", base64_of_bits(held)},
      {"sold_bitmap", base64_of_bits(sold)},
      {"sections", std::move(sections)},
      {"ga_areas", std::move(areas)}};
  return boost::json::serialize(answer);
}

}  // namespace

Result<HoldBody> decode_hold_request(const boost::json::value& body) {
  JsonReader reader;
  std::optional<HoldRequest> request;
  std::optional<std::string> access_code;
  int kinds = 0;
  {
    ObjectReader fields(reader, body, "");
    access_code = fields.optional_text("access_code", access_code_typed_max);
    if (fields.has("seats")) {
      ++kinds;
      HoldSeats seats;
      for (const auto& id : fields.array("seats", hold_seat_ids_max, true)) {
        seats.seat_ids.push_back(reader.text_of(id, "seats"));
      }
      if (reader.ok() && seats.seat_ids.empty()) reader.fail("at least one seat", "seats");
      request = std::move(seats);
    }
    if (const auto* value = fields.object("best_available", false)) {
      ++kinds;
      request = read_best_available(reader, *value);
    }
    if (const auto* value = fields.object("ga", false)) {
      ++kinds;
      request = read_ga(reader, *value);
    }
  }
  if (!reader.ok()) return reader.take_error();
  if (kinds != 1) {
    return make_error(Errc::invalid_field,
                      "give exactly one of \"seats\", \"best_available\" or \"ga\"");
  }
  return HoldBody{std::move(*request), std::move(access_code)};
}

Result<CheckoutRequest> decode_checkout_request(const boost::json::value& body,
                                                std::string idempotency_key) {
  if (idempotency_key.empty() || idempotency_key.size() > Booking::idempotency_key_bytes_max) {
    return make_error(Errc::invalid_field,
                      "the Idempotency-Key header is required (1 to " +
                          std::to_string(Booking::idempotency_key_bytes_max) + " bytes)",
                      {.field = "Idempotency-Key"});
  }
  JsonReader reader;
  CheckoutRequest request{.idempotency_key = std::move(idempotency_key)};
  {
    ObjectReader fields(reader, body, "");
    if (const auto* payment = fields.object("payment", true)) {
      ObjectReader payment_fields(reader, *payment, "payment");
      request.card_number = payment_fields.text("card_number", 32);
    }
    if (const auto* customer = fields.object("customer", true)) {
      ObjectReader customer_fields(reader, *customer, "customer");
      request.customer.email = customer_fields.text("email");
      request.customer.name = customer_fields.text("name");
      const std::string& email = request.customer.email;
      const std::size_t at = email.find('@');
      if (reader.ok() && (at == std::string::npos || at == 0 || at + 1 == email.size())) {
        reader.fail("not an email address", "customer.email");
      }
    }
  }
  if (!reader.ok()) return reader.take_error();
  return request;
}

boost::json::object encode_hold(const HoldDetails& hold) {
  boost::json::object answer{{"hold_id", hold.id.hex()},
                             {"event_id", hold.event_id},
                             {"status", hold.checking_out ? "checking_out" : "held"},
                             {"seats", strings(hold.seat_ids)},
                             {"created_at", format_rfc3339(hold.created_at)},
                             {"expires_at", format_rfc3339(hold.expires_at)}};
  if (hold.ga) answer["ga"] = {{"area", hold.ga->area_id}, {"quantity", hold.ga->quantity}};
  answer["total_cents"] = hold.total_cents;
  answer["currency"] = hold.currency;
  return answer;
}

boost::json::object encode_hold_granted(const HoldGranted& granted) {
  boost::json::object answer = encode_hold(granted.hold);
  answer["seq"] = granted.seq;
  return answer;
}

boost::json::object encode_order(const Order& order) {
  boost::json::array tickets;
  for (const Ticket& ticket : order.tickets) {
    tickets.push_back({{"seat", ticket.unit}, {"code", ticket.code}});
  }
  boost::json::object answer{
      {"order_id", order.id.hex()},
      {"status", "confirmed"},
      {"event_id", order.event_id},
      {"hold_id", order.hold_id.hex()},
      {"seats", strings(order.seats)},
      {"tickets", std::move(tickets)},
      {"total_cents", order.total_cents},
      {"currency", order.currency},
      {"customer", {{"email", order.customer_email}, {"name", order.customer_name}}},
      {"payment",
       {{"id", order.payment_id},
        {"status", order.payment_status == PaymentStatus::captured ? "captured" : "authorized"}}},
      {"created_at", format_rfc3339(order.created_at)}};
  if (order.ga_area) answer["ga"] = {{"area", *order.ga_area}, {"quantity", order.ga_quantity}};
  return answer;
}

boost::json::object encode_orders(std::int64_t event_id, const std::vector<Order>& orders) {
  boost::json::array list;
  list.reserve(orders.size());
  for (const Order& order : orders) list.push_back(encode_order(order));
  return {{"event_id", event_id}, {"orders", std::move(list)}};
}

std::string encode_seat_states(const SeatStates& states) {
  boost::json::object seats;
  for (const auto& [id, state] : states.seats) seats[id] = state_name(state);
  const boost::json::object answer{
      {"event_id", states.event_id}, {"seq", states.seq}, {"seats", std::move(seats)}};
  return boost::json::serialize(answer);
}

AvailabilityAnswers::Slot& AvailabilityAnswers::slot(std::int64_t event_id) {
  {
    std::shared_lock lock(slots_mutex_);
    if (const auto it = slots_.find(event_id); it != slots_.end()) return *it->second;
  }
  std::unique_lock lock(slots_mutex_);
  auto& slot = slots_[event_id];
  if (!slot) slot = std::make_unique<Slot>();
  return *slot;
}

Result<EncodedSnapshot> AvailabilityAnswers::snapshot(Booking& booking, std::int64_t event_id,
                                                      UnixMillis now) {
  auto state = booking.availability(event_id, now);
  if (!state) return std::move(state).error();
  Slot& cached = slot(event_id);
  std::lock_guard lock(cached.mutex);
  if (!cached.answer.text || cached.answer.seq != state->units->seq) {
    cached.answer = {state->units->seq,
                     std::make_shared<const std::string>(encode_availability(*state))};
  }
  return cached.answer;
}

Result<std::shared_ptr<const std::string>> AvailabilityAnswers::whole(Booking& booking,
                                                                      std::int64_t event_id,
                                                                      UnixMillis now) {
  auto answer = snapshot(booking, event_id, now);
  if (!answer) return std::move(answer).error();
  return std::move(answer->text);
}

}  // namespace boxoffice::http
