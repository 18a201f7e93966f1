#include "services/booking.hpp"

#include "core/json_reader.hpp"
#include "services/offload.hpp"

#include <boost/json.hpp>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <variant>

namespace boxoffice {

struct Booking::EventBooking {
  EventBooking(std::shared_ptr<const EventView> view_, std::uint64_t first_seq)
      : view(std::move(view_)),
        prices(price_table(*view->event, *view->venue->layout)),
        inventory(view->venue->layout, view->event->max_per_order, first_seq) {}

  std::mutex mutex;
  const std::shared_ptr<const EventView> view;
  const PriceTable prices;
  Inventory inventory;
  Availability availability;  // cached whole answer, current to availability.seq
};

namespace {

constexpr std::size_t hold_seat_ids_max = max_per_order_max;
constexpr std::size_t idempotency_key_bytes_max = 200;
constexpr std::size_t availability_seats_max = 1'000;

Id128 random_id() {
  Id128 id;
  randombytes_buf(id.bytes.data(), id.bytes.size());
  return id;
}

const Layout& layout_of(const EventView& view) { return *view.venue->layout; }

// What a hold request asks for: explicit seats, the best N, or general-admission places.
struct SeatsRequest {
  std::vector<SeatIndex> seats;
};
struct GaRequest {
  std::uint32_t area = 0;
  std::uint32_t quantity = 0;
};
using HoldRequest = std::variant<SeatsRequest, BestAvailableQuery, GaRequest>;

Result<std::vector<SeatIndex>> resolve_seats(const Layout& layout,
                                             const std::vector<std::string>& ids) {
  std::vector<SeatIndex> seats;
  boost::json::array unknown;
  for (const std::string& id : ids) {
    if (auto seat = layout.find_seat(id)) {
      seats.push_back(*seat);
    } else {
      unknown.emplace_back(id);
    }
  }
  if (!unknown.empty()) {
    return make_error(Errc::unknown_seats, "the venue has no such seats",
                      {{"unknown", std::move(unknown)}});
  }
  return seats;
}

Result<HoldRequest> decode_hold_request(const Event& event, const Layout& layout,
                                        const boost::json::value& body) {
  JsonReader reader;
  std::vector<std::string> seat_ids;
  BestAvailableQuery best;
  std::string ga_area;
  std::uint32_t ga_quantity = 0;
  int kinds = 0;
  {
    ObjectReader fields(reader, body, "");
    if (fields.has("seats")) {
      ++kinds;
      for (const auto& id : fields.array("seats", hold_seat_ids_max, true)) {
        seat_ids.push_back(reader.text_of(id, "seats"));
      }
      if (reader.ok() && seat_ids.empty()) reader.fail("at least one seat", "seats");
    }
    if (const auto* value = fields.object("best_available", false)) {
      ++kinds;
      ObjectReader best_fields(reader, *value, "best_available");
      best.count = static_cast<std::uint32_t>(best_fields.integer("count", 1, max_per_order_max));
      for (const auto& id : best_fields.array("sections", layout_sections_max, false)) {
        const std::string section = reader.text_of(id, "best_available.sections");
        const auto it = layout.section_by_id.find(section);
        if (reader.ok() && it == layout.section_by_id.end()) {
          reader.fail("no section " + section, "best_available.sections");
        } else if (reader.ok()) {
          best.sections.push_back(it->second);
        }
      }
      if (auto level = best_fields.optional_text("price_level"); level && reader.ok()) {
        // The sections priced at that level, intersected with any section filter.
        std::vector<std::uint32_t> priced;
        for (std::uint32_t i = 0; i < layout.sections.size(); ++i) {
          const bool wanted = best.sections.empty() ||
                              std::find(best.sections.begin(), best.sections.end(), i) !=
                                  best.sections.end();
          if (wanted && event.pricing.at(layout.sections[i].id) == *level) priced.push_back(i);
        }
        if (priced.empty()) {
          reader.fail("no seated section at price level " + *level, "best_available.price_level");
        }
        best.sections = std::move(priced);
      }
    }
    if (const auto* value = fields.object("ga", false)) {
      ++kinds;
      ObjectReader ga_fields(reader, *value, "ga");
      ga_area = ga_fields.text("area");
      ga_quantity = static_cast<std::uint32_t>(ga_fields.integer("quantity", 1, max_per_order_max));
    }
  }
  if (!reader.ok()) return reader.take_error();
  if (kinds != 1) {
    return make_error(Errc::invalid_field,
                      "give exactly one of \"seats\", \"best_available\" or \"ga\"");
  }
  if (!seat_ids.empty()) {
    auto seats = resolve_seats(layout, seat_ids);
    if (!seats) return std::move(seats).error();
    return HoldRequest(SeatsRequest{std::move(seats).value()});
  }
  if (best.count > 0) return HoldRequest(std::move(best));
  const auto area = layout.find_ga_area(ga_area);
  if (!area) {
    return make_error(Errc::invalid_field, "ga.area: no general-admission area " + ga_area,
                      {{"field", "ga.area"}});
  }
  return HoldRequest(GaRequest{*area, ga_quantity});
}

struct CheckoutRequest {
  std::string card_number;
  std::string email;
  std::string name;
  std::string hash;  // identifies the request's content, for Idempotency-Key reuse checks
};

Result<CheckoutRequest> decode_checkout(const boost::json::value& body) {
  JsonReader reader;
  CheckoutRequest request;
  {
    ObjectReader fields(reader, body, "");
    if (const auto* payment = fields.object("payment", true)) {
      ObjectReader payment_fields(reader, *payment, "payment");
      request.card_number = payment_fields.text("card_number", 32);
    }
    if (const auto* customer = fields.object("customer", true)) {
      ObjectReader customer_fields(reader, *customer, "customer");
      request.email = customer_fields.text("email");
      request.name = customer_fields.text("name");
      const std::size_t at = request.email.find('@');
      if (reader.ok() && (at == std::string::npos || at == 0 || at + 1 == request.email.size())) {
        reader.fail("not an email address", "customer.email");
      }
    }
  }
  if (!reader.ok()) return reader.take_error();
  const std::string content = request.card_number + '\n' + request.email + '\n' + request.name;
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(content.data()),
                     content.size(), nullptr, 0);
  Id128 hash;
  std::copy(std::begin(digest), std::end(digest), hash.bytes.begin());
  request.hash = hash.hex();
  return request;
}

std::string base64_of_bits(const std::vector<unsigned char>& bits) {
  const int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string text(sodium_base64_encoded_len(bits.size(), variant), '\0');
  sodium_bin2base64(text.data(), text.size(), bits.data(), bits.size(), variant);
  text.resize(text.size() - 1);
  return text;
}

const char* state_name(SeatState state) {
  switch (state) {
    case SeatState::available: return "available";
    case SeatState::held: return "held";
    case SeatState::sold: return "sold";
  }
  return "unknown";
}

}  // namespace

Booking::Booking(Catalog& catalog, OrderStore& orders, PaymentProvider& payments,
                 TicketSecret secret, std::uint64_t epoch, Metrics& metrics)
    : catalog_(catalog),
      orders_(orders),
      payments_(payments),
      metrics_(metrics),
      secret_(secret),
      first_seq_(epoch << 32) {}

Booking::~Booking() = default;

boost::asio::awaitable<Status> Booking::recover() {
  auto uncaptured = orders_.uncaptured_orders();
  if (!uncaptured) co_return std::move(uncaptured).error();
  for (const Order& order : *uncaptured) {
    Status captured = co_await payments_.capture(order.payment_id);
    if (!captured && captured.error().code != Errc::store_unavailable) {
      // Not this node's processor account (several nodes on one PostgreSQL, each with its own
      // test ledger): the node that authorised it captures it.
      spdlog::warn("order {}: not captured here: {}", order.id.hex(), captured.error().detail);
      continue;
    }
    if (!captured) co_return std::move(captured).error();
    if (Status marked = orders_.mark_captured(order.id); !marked) co_return std::move(marked).error();
    spdlog::info("recovered order {}: payment {} captured", order.id.hex(), order.payment_id);
  }
  co_return payments_.void_uncaptured();
}

Result<Booking::EventBooking*> Booking::event_booking(std::int64_t event_id) {
  {
    std::shared_lock lock(events_mutex_);
    if (const auto it = events_.find(event_id); it != events_.end()) return it->second.get();
  }
  const auto view = catalog_.event(event_id);
  if (!view || !view->event->published) {
    return make_error(Errc::not_found, "no published event " + std::to_string(event_id));
  }
  std::unique_lock lock(events_mutex_);
  if (const auto it = events_.find(event_id); it != events_.end()) return it->second.get();
  auto sold = orders_.sold_units(event_id);
  if (!sold) return std::move(sold).error();
  auto booking = std::make_unique<EventBooking>(view, first_seq_);
  const Layout& layout = layout_of(*view);
  std::vector<SeatIndex> sold_seats;
  for (const std::string& id : sold->seats) sold_seats.push_back(layout.find_seat(id).value());
  booking->inventory.load_sold_seats(sold_seats);
  for (const auto& [area, quantity] : sold->ga) {
    booking->inventory.load_sold_ga(layout.find_ga_area(area).value(), quantity);
  }
  return events_.emplace(event_id, std::move(booking)).first->second.get();
}

std::optional<std::int64_t> Booking::event_of_hold(const HoldId& id) {
  std::lock_guard lock(holds_mutex_);
  const auto it = hold_events_.find(id);
  if (it == hold_events_.end()) return std::nullopt;
  return it->second;
}

// Called with the event's mutex held. Forgets holds that ended. (The live seat map will
// publish these changes from here.)
void Booking::drain_changes(EventBooking& booking) {
  std::vector<Change> changes = booking.inventory.take_changes();
  std::lock_guard lock(holds_mutex_);
  for (const Change& change : changes) {
    if (change.kind != ChangeKind::held) {
      hold_events_.erase(change.hold);
      ended_.emplace(change.hold, change.kind);
      ended_order_.push_back(change.hold);
      if (ended_order_.size() > ended_holds_max) {
        ended_.erase(ended_order_.front());
        ended_order_.pop_front();
      }
    }
    if (change.kind == ChangeKind::expired) metrics_.holds_expired.add();
    if (change.kind == ChangeKind::released) metrics_.holds_released.add();
  }
}

Result<boost::json::object> Booking::hold(std::int64_t event_id, const boost::json::value& body,
                                          UnixMillis now) {
  auto found = event_booking(event_id);
  if (!found) return std::move(found).error();
  EventBooking& booking = **found;
  const Event& event = *booking.view->event;
  if (now < event.on_sale_at) {
    return make_error(Errc::not_on_sale, "the sale opens at " + format_rfc3339(event.on_sale_at),
                      {{"on_sale_at", format_rfc3339(event.on_sale_at)}});
  }
  if (now >= event.starts_at) return make_error(Errc::not_on_sale, "the event has started");
  auto request = decode_hold_request(event, layout_of(*booking.view), body);
  if (!request) return std::move(request).error();

  const HoldId id = random_id();
  const UnixMillis expires_at = now + static_cast<UnixMillis>(event.hold_seconds) * 1000;
  std::lock_guard lock(booking.mutex);
  Result<HoldView> held = std::visit(
      [&](auto& r) -> Result<HoldView> {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, SeatsRequest>) {
          return booking.inventory.hold_seats(id, r.seats, now, expires_at);
        } else if constexpr (std::is_same_v<T, GaRequest>) {
          return booking.inventory.hold_ga(id, r.area, r.quantity, now, expires_at);
        } else {
          return booking.inventory.hold_best_available(id, r, now, expires_at);
        }
      },
      *request);
  if (held) {
    std::lock_guard holds_lock(holds_mutex_);
    hold_events_.emplace(id, event_id);
  }
  drain_changes(booking);
  if (!held) {
    Error error = std::move(held).error();
    if (error.code == Errc::seats_unavailable || error.code == Errc::not_enough_seats) {
      metrics_.hold_conflicts.add();
    }
    for (const char* field : {"unavailable", "duplicates"}) {  // seat indexes → seat ids
      if (auto* seats = error.extra.if_contains(field)) {
        for (auto& seat : seats->as_array()) {
          seat = layout_of(*booking.view).seats.at(seat.to_number<SeatIndex>()).id;
        }
      }
    }
    return error;
  }
  metrics_.holds_created.add();
  boost::json::object answer = encode_hold(booking, *held);
  answer["seq"] = booking.inventory.seq();
  return answer;
}

boost::json::object Booking::encode_hold(const EventBooking& booking, const HoldView& hold) const {
  const Event& event = *booking.view->event;
  const Layout& layout = layout_of(*booking.view);
  boost::json::array seats;
  std::int64_t total = 0;
  for (const SeatIndex seat : hold.seats) {
    seats.emplace_back(layout.seats[seat].id);
    total += event.price_levels[booking.prices.seat_level[seat]].price_cents;
  }
  boost::json::object answer{{"hold_id", hold.id.hex()},
                             {"event_id", event.id},
                             {"status", hold.confirming ? "checking_out" : "held"},
                             {"seats", std::move(seats)},
                             {"created_at", format_rfc3339(hold.created_at)},
                             {"expires_at", format_rfc3339(hold.expires_at)}};
  if (hold.ga_area) {
    answer["ga"] = {{"area", layout.ga_areas[*hold.ga_area].id}, {"quantity", hold.ga_quantity}};
    total += hold.ga_quantity *
             event.price_levels[booking.prices.ga_area_level[*hold.ga_area]].price_cents;
  }
  answer["total_cents"] = total;
  answer["currency"] = booking.prices.currency;
  return answer;
}

Error Booking::ended_hold_error(const HoldId& id, Error unknown) {
  std::lock_guard lock(holds_mutex_);
  const auto it = ended_.find(id);
  if (it == ended_.end()) return unknown;
  const char* reason = it->second == ChangeKind::expired    ? "expired"
                       : it->second == ChangeKind::released ? "released"
                                                            : "checked_out";
  return make_error(Errc::hold_gone, std::string("the hold has ended: ") + reason,
                    {{"reason", reason}});
}

Result<Booking::EventBooking*> Booking::booking_of_hold(const HoldId& id) {
  const auto event_id = event_of_hold(id);
  if (!event_id) {
    return ended_hold_error(id, make_error(Errc::not_found, "no live hold with this id"));
  }
  return event_booking(*event_id);
}

Result<boost::json::object> Booking::find_hold(const HoldId& id, UnixMillis now) {
  auto found = booking_of_hold(id);
  if (!found) return std::move(found).error();
  EventBooking& booking = **found;
  std::lock_guard lock(booking.mutex);
  const auto hold = booking.inventory.find_hold(id, now);
  drain_changes(booking);
  if (!hold) return ended_hold_error(id, make_error(Errc::not_found, "no live hold with this id"));
  return encode_hold(booking, *hold);
}

Status Booking::release(const HoldId& id, UnixMillis now) {
  auto found = booking_of_hold(id);
  if (!found) return std::move(found).error();
  EventBooking& booking = **found;
  std::lock_guard lock(booking.mutex);
  Status released = booking.inventory.release(id, now);
  drain_changes(booking);
  if (!released && released.error().code == Errc::hold_gone) {
    return ended_hold_error(id, make_error(Errc::not_found, "no live hold with this id"));
  }
  return released;
}

Order Booking::make_order(const EventBooking& booking, const HoldView& hold,
                          const boost::json::object& customer, std::string idempotency_key,
                          std::string request_hash, std::string payment_id,
                          UnixMillis now) const {
  const boost::json::object encoded = encode_hold(booking, hold);
  Order order;
  order.id = random_id();
  order.event_id = booking.view->event->id;
  order.hold_id = hold.id;
  order.idempotency_key = std::move(idempotency_key);
  order.request_hash = std::move(request_hash);
  for (const auto& seat : encoded.at("seats").as_array()) {
    order.seats.emplace_back(seat.as_string());
  }
  if (hold.ga_area) {
    order.ga_area = layout_of(*booking.view).ga_areas[*hold.ga_area].id;
    order.ga_quantity = hold.ga_quantity;
  }
  order.total_cents = encoded.at("total_cents").as_int64();
  order.currency = booking.prices.currency;
  order.customer_email = customer.at("email").as_string();
  order.customer_name = customer.at("name").as_string();
  order.payment_id = std::move(payment_id);
  order.created_at = now;
  std::vector<std::string> units = order.seats;
  for (std::uint32_t n = 1; n <= order.ga_quantity; ++n) {
    units.push_back(*order.ga_area + "#" + std::to_string(n));
  }
  for (std::string& unit : units) {
    const std::string code = make_ticket_code({order.event_id, order.id.hex(), unit}, secret_);
    order.tickets.push_back({std::move(unit), code});
  }
  return order;
}

boost::asio::awaitable<Result<boost::json::object>> Booking::checkout(HoldId id,
                                                                     boost::json::value body,
                                                                     std::string idempotency_key,
                                                                     Clock clock) {
  if (idempotency_key.empty() || idempotency_key.size() > idempotency_key_bytes_max) {
    co_return make_error(Errc::invalid_field,
                         "the Idempotency-Key header is required (1 to 200 bytes)",
                         {{"field", "Idempotency-Key"}});
  }
  auto request = decode_checkout(body);
  if (!request) co_return std::move(request).error();

  // A retry of a checkout that already succeeded answers the same order.
  auto existing = co_await offload(store_calls_, [&] { return orders_.find_order_by_hold(id); });
  if (!existing) co_return std::move(existing).error();
  if (*existing) {
    const Order& order = **existing;
    if (order.idempotency_key != idempotency_key) {
      co_return make_error(Errc::conflict, "the hold was already checked out",
                           {{"order_id", order.id.hex()}});
    }
    if (order.request_hash != request->hash) {
      co_return make_error(Errc::idempotency_mismatch,
                           "this Idempotency-Key was used with another body");
    }
    co_return encode_order(order);
  }

  // The payment's own idempotency key: a retry of this very request reuses its authorisation.
  const std::string payment_key = id.hex() + ":" + idempotency_key + ":" + request->hash;
  const auto event_id = event_of_hold(id);
  if (!event_id) {
    co_await payments_.void_authorisation(payment_key + ":0");  // an attempt before a restart
    co_return ended_hold_error(
        id, make_error(Errc::hold_gone, "the hold has expired, was released, or was lost"));
  }
  auto found = event_booking(*event_id);
  if (!found) co_return std::move(found).error();
  EventBooking& booking = **found;

  Result<HoldView> pinned = [&] {
    std::lock_guard lock(booking.mutex);
    auto result = booking.inventory.begin_confirm(id, clock());
    drain_changes(booking);
    return result;
  }();
  if (!pinned) {
    if (pinned.error().code == Errc::hold_gone) {
      co_await payments_.void_authorisation(payment_key + ":0");
      co_return ended_hold_error(id, std::move(pinned).error());
    }
    co_return std::move(pinned).error();
  }
  const boost::json::object encoded_hold = encode_hold(booking, *pinned);
  auto abort = [&] {
    std::lock_guard lock(booking.mutex);
    booking.inventory.abort_confirm(id, clock());
    drain_changes(booking);
  };

  // Named, not a temporary in the co_await: g++ 12 destroys such temporaries twice. An
  // earlier attempt that failed had its authorisation voided: this one needs a key of its own.
  Authorisation authorisation{payment_key + ":" + std::to_string(pinned->aborted_checkouts),
                              request->card_number,
                              encoded_hold.at("total_cents").as_int64(), booking.prices.currency};
  const std::string authorisation_key = authorisation.idempotency_key;
  auto payment = co_await payments_.authorise(std::move(authorisation));
  if (!payment) {
    (payment.error().code == Errc::payment_declined ? metrics_.payments_declined
                                                    : metrics_.payments_failed)
        .add();
    metrics_.checkouts_failed.add();
    abort();
    co_return std::move(payment).error();
  }
  metrics_.payments_approved.add();
  Order order = make_order(booking, *pinned, {{"email", request->email}, {"name", request->name}},
                           idempotency_key, request->hash, *payment, clock());
  const std::uint32_t ga_capacity =
      pinned->ga_area ? layout_of(*booking.view).ga_areas[*pinned->ga_area].capacity : 0;
  Status committed =
      co_await offload(store_calls_, [&] { return orders_.commit_order(order, ga_capacity); });
  if (!committed) {
    if (committed.error().code == Errc::store_unavailable) metrics_.store_errors.add();
    metrics_.checkouts_failed.add();
    co_await payments_.void_authorisation(authorisation_key);
    abort();
    co_return std::move(committed).error();
  }
  {
    std::lock_guard lock(booking.mutex);
    booking.inventory.finish_confirm(id);
    drain_changes(booking);
  }
  metrics_.checkouts_confirmed.add();
  // The order stands from here on. A failed capture is retried at the next start.
  if (Status captured = co_await payments_.capture(order.payment_id); !captured) {
    spdlog::error("order {}: capture failed: {}", order.id.hex(), captured.error().detail);
  } else if (Status marked = co_await offload(store_calls_,
                                               [&] { return orders_.mark_captured(order.id); });
             !marked) {
    spdlog::error("order {}: marking captured failed: {}", order.id.hex(), marked.error().detail);
  } else {
    order.payment_status = PaymentStatus::captured;
  }
  co_return encode_order(order);
}

boost::json::object Booking::encode_order(const Order& order) const {
  boost::json::array seats;
  for (const std::string& seat : order.seats) seats.emplace_back(seat);
  boost::json::array tickets;
  for (const Ticket& ticket : order.tickets) {
    tickets.push_back({{"seat", ticket.unit}, {"code", ticket.code}});
  }
  boost::json::object answer{
      {"order_id", order.id.hex()},
      {"status", "confirmed"},
      {"event_id", order.event_id},
      {"hold_id", order.hold_id.hex()},
      {"seats", std::move(seats)},
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

Result<boost::json::object> Booking::order(const OrderId& id) {
  auto order = orders_.find_order(id);
  if (!order) return std::move(order).error();
  if (!*order) return make_error(Errc::not_found, "no such order");
  return encode_order(**order);
}

Result<boost::json::object> Booking::orders_of_event(std::int64_t event_id) {
  if (!catalog_.event(event_id)) return make_error(Errc::not_found, "no such event");
  auto orders = orders_.orders_of_event(event_id);
  if (!orders) return std::move(orders).error();
  boost::json::array list;
  for (const Order& order : *orders) list.push_back(encode_order(order));
  return boost::json::object{{"event_id", event_id}, {"orders", std::move(list)}};
}

Result<Availability> Booking::availability(std::int64_t event_id,
                                           std::optional<std::string_view> seats,
                                           UnixMillis now) {
  auto found = event_booking(event_id);
  if (!found) return std::move(found).error();
  EventBooking& booking = **found;
  const Layout& layout = layout_of(*booking.view);
  std::vector<std::string> ids;
  if (seats) {
    for (std::string_view rest = *seats; !rest.empty();) {
      const std::size_t comma = rest.find(',');
      ids.emplace_back(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (ids.size() > availability_seats_max) {
        return make_error(Errc::invalid_field, "seats: at most 1000 at a time",
                          {{"field", "seats"}});
      }
    }
  }
  auto indexes = resolve_seats(layout, ids);
  if (!indexes) return std::move(indexes).error();

  std::lock_guard lock(booking.mutex);
  booking.inventory.expire_due(now);
  drain_changes(booking);
  const Inventory& inventory = booking.inventory;
  if (seats) {
    boost::json::object states;
    for (const SeatIndex seat : *indexes) {
      states[layout.seats[seat].id] = state_name(inventory.seat_state(seat));
    }
    boost::json::object answer{
        {"event_id", event_id}, {"seq", inventory.seq()}, {"seats", std::move(states)}};
    return Availability{inventory.seq(),
                        std::make_shared<const std::string>(boost::json::serialize(answer))};
  }
  if (booking.availability.json && booking.availability.seq == inventory.seq()) {
    return booking.availability;
  }
  const std::size_t seat_count = layout.seats.size();
  std::vector<unsigned char> held((seat_count + 7) / 8, 0);
  std::vector<unsigned char> sold((seat_count + 7) / 8, 0);
  std::vector<std::uint32_t> section_available(layout.sections.size(), 0);
  for (SeatIndex seat = 0; seat < seat_count; ++seat) {
    const SeatState state = inventory.seat_state(seat);
    const auto bit = static_cast<unsigned char>(1u << (seat % 8));
    if (state == SeatState::held) held[seat / 8] |= bit;
    if (state == SeatState::sold) sold[seat / 8] |= bit;
    if (state == SeatState::available) ++section_available[layout.seats[seat].section];
  }
  boost::json::array sections;
  for (std::size_t i = 0; i < layout.sections.size(); ++i) {
    sections.push_back({{"id", layout.sections[i].id},
                        {"seats", layout.sections[i].seat_count},
                        {"available", section_available[i]}});
  }
  boost::json::array areas;
  for (std::size_t i = 0; i < layout.ga_areas.size(); ++i) {
    const GaCounts& counts = inventory.ga_counts()[i];
    areas.push_back({{"id", layout.ga_areas[i].id},
                     {"capacity", counts.capacity},
                     {"available", counts.available()},
                     {"held", counts.held},
                     {"sold", counts.sold}});
  }
  const std::uint32_t seats_held =
      static_cast<std::uint32_t>(seat_count) - inventory.seats_available() - inventory.seats_sold();
  boost::json::object answer{
      {"event_id", event_id},
      {"seq", inventory.seq()},
      {"seat_count", seat_count},
      {"available", inventory.seats_available()},
      {"held", seats_held},
      {"sold", inventory.seats_sold()},
      {"encoding", "base64 bitmaps in seat map order: bit i (least significant first in each "
                   "byte) stands for seat i"},
      {"held_bitmap", base64_of_bits(held)},
      {"sold_bitmap", base64_of_bits(sold)},
      {"sections", std::move(sections)},
      {"ga_areas", std::move(areas)}};
  booking.availability = {inventory.seq(),
                          std::make_shared<const std::string>(boost::json::serialize(answer))};
  return booking.availability;
}

std::size_t Booking::live_holds() {
  std::lock_guard lock(holds_mutex_);
  return hold_events_.size();
}

std::size_t Booking::sweep(UnixMillis now) {
  std::vector<EventBooking*> bookings;
  {
    std::shared_lock lock(events_mutex_);
    for (const auto& [id, booking] : events_) bookings.push_back(booking.get());
  }
  std::size_t expired = 0;
  for (EventBooking* booking : bookings) {
    std::lock_guard lock(booking->mutex);
    expired += booking->inventory.expire_due(now);
    drain_changes(*booking);
  }
  return expired;
}

}  // namespace boxoffice
