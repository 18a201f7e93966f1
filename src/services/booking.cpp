#include "services/booking.hpp"

#include "core/json_reader.hpp"
#include "services/random_ids.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <variant>

namespace boxoffice {

struct Booking::EventBooking {
  explicit EventBooking(std::shared_ptr<const EventView> view_)
      : view(std::move(view_)), prices(price_table(*view->event, *view->venue->layout)) {}

  const std::shared_ptr<const EventView> view;
  const PriceTable prices;
  std::mutex availability_mutex;
  Availability availability;  // cached whole answer, current to availability.seq
};

namespace {

constexpr std::size_t hold_seat_ids_max = max_per_order_max;
constexpr std::size_t idempotency_key_bytes_max = 200;
constexpr std::size_t availability_seats_max = 1'000;

OrderId random_id() {
  Id128 id;
  random_id_bytes(id.bytes);
  return id;
}

const Layout& layout_of(const EventView& view) { return *view.venue->layout; }

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

Result<HoldAsk> decode_hold_request(const Event& event, const Layout& layout,
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
    return HoldAsk(std::move(seats).value());
  }
  if (best.count > 0) return HoldAsk(std::move(best));
  const auto area = layout.find_ga_area(ga_area);
  if (!area) {
    return make_error(Errc::invalid_field, "ga.area: no general-admission area " + ga_area,
                      {{"field", "ga.area"}});
  }
  return HoldAsk(GaAsk{*area, ga_quantity});
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

Booking::Booking(Catalog& catalog, OrderStore& orders, HoldStore& holds,
                 PaymentProvider& payments, TicketSecret secret, Metrics& metrics,
                 UnixMillis checkout_pin_ms)
    : catalog_(catalog),
      orders_(orders),
      holds_(holds),
      payments_(payments),
      metrics_(metrics),
      signer_(secret),
      checkout_pin_ms_(checkout_pin_ms) {}

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
  const std::shared_ptr<const Layout> layout = view->venue->layout;
  auto load_sold = [this, event_id, layout]() -> Result<SoldIndexes> {
    auto sold = orders_.sold_units(event_id);
    if (!sold) return std::move(sold).error();
    SoldIndexes indexes;
    for (const std::string& id : sold->seats) indexes.seats.push_back(layout->find_seat(id).value());
    for (const auto& [area, quantity] : sold->ga) {
      indexes.ga.emplace_back(layout->find_ga_area(area).value(), quantity);
    }
    return indexes;
  };
  Status opened = holds_.open_event({event_id, layout, view->event->max_per_order, load_sold});
  if (!opened) return std::move(opened).error();
  auto booking = std::make_unique<EventBooking>(view);
  return events_.emplace(event_id, std::move(booking)).first->second.get();
}

boost::asio::awaitable<Result<Booking::EventBooking*>> Booking::booking_of_hold(const HoldId& id,
                                                                               UnixMillis now) {
  const auto event_id = holds_.event_of(id);
  if (!event_id) {
    auto hold = co_await holds_.find_hold(id, now);
    co_return hold ? no_such_hold_error() : std::move(hold).error();
  }
  auto booking = event_booking(*event_id);
  if (!booking && booking.error().code == Errc::not_found) co_return no_such_hold_error();
  co_return booking;
}

boost::asio::awaitable<Result<boost::json::object>> Booking::hold(std::int64_t event_id,
                                                                 boost::json::value body,
                                                                 UnixMillis now) {
  auto found = event_booking(event_id);
  if (!found) co_return std::move(found).error();
  EventBooking& booking = **found;
  const Event& event = *booking.view->event;
  if (now < event.on_sale_at) {
    co_return make_error(Errc::not_on_sale,
                         "the sale opens at " + format_rfc3339(event.on_sale_at),
                         {{"on_sale_at", format_rfc3339(event.on_sale_at)}});
  }
  if (now >= event.starts_at) co_return make_error(Errc::not_on_sale, "the event has started");
  // Cancelled or unpublished since its booking opened: the catalog has the last word.
  if (const auto latest = catalog_.event(event_id);
      !latest || latest->event->cancelled || !latest->event->published) {
    co_return make_error(Errc::not_on_sale, "the event is cancelled or no longer published");
  }
  auto ask = decode_hold_request(event, layout_of(*booking.view), body);
  if (!ask) co_return std::move(ask).error();

  const UnixMillis expires_at = now + static_cast<UnixMillis>(event.hold_seconds) * 1000;
  auto held = co_await holds_.hold(event_id, std::move(*ask), now, expires_at);
  if (!held) {
    Error error = std::move(held).error();
    if (error.code == Errc::seats_unavailable || error.code == Errc::not_enough_seats) {
      metrics_.hold_conflicts.add();
    }
    if (error.code == Errc::store_unavailable) metrics_.store_errors.add();
    for (const char* field : {"unavailable", "duplicates"}) {  // seat indexes → seat ids
      if (auto* seats = error.extra.if_contains(field)) {
        for (auto& seat : seats->as_array()) {
          seat = layout_of(*booking.view).seats.at(seat.to_number<SeatIndex>()).id;
        }
      }
    }
    co_return error;
  }
  metrics_.holds_created.add();
  boost::json::object answer = encode_hold(booking, held->hold);
  answer["seq"] = held->seq;
  co_return answer;
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

boost::asio::awaitable<Result<boost::json::object>> Booking::find_hold(HoldId id,
                                                                      UnixMillis now) {
  auto found = co_await booking_of_hold(id, now);
  if (!found) co_return std::move(found).error();
  auto hold = co_await holds_.find_hold(id, now);
  if (!hold) co_return std::move(hold).error();
  co_return encode_hold(**found, *hold);
}

boost::asio::awaitable<Status> Booking::release(HoldId id, UnixMillis now) {
  auto found = co_await booking_of_hold(id, now);
  if (!found) co_return std::move(found).error();
  co_return co_await holds_.release(id, now);
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
    const std::string code = make_ticket_code({order.event_id, order.id.hex(), unit}, signer_);
    order.tickets.push_back({std::move(unit), code});
  }
  return order;
}

boost::asio::awaitable<Result<std::optional<boost::json::object>>> Booking::existing_order(
    HoldId id, std::string idempotency_key, std::string request_hash) {
  auto existing = co_await orders_.async_find_order_by_hold(id, store_calls_);
  if (!existing) co_return std::move(existing).error();
  if (!*existing) co_return std::optional<boost::json::object>();
  const Order& order = **existing;
  if (order.idempotency_key != idempotency_key) {
    co_return make_error(Errc::conflict, "the hold was already checked out",
                         {{"order_id", order.id.hex()}});
  }
  if (order.request_hash != request_hash) {
    co_return make_error(Errc::idempotency_mismatch,
                         "this Idempotency-Key was used with another body");
  }
  // Its node may have died before marking the seats sold: settle the hold (a no-op if done).
  co_await holds_.finish_checkout(id);
  co_return std::optional<boost::json::object>(encode_order(order));
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

  // The payment's own idempotency key: a retry of this very request reuses its authorisation.
  const std::string payment_key = id.hex() + ":" + idempotency_key + ":" + request->hash;
  auto found = co_await booking_of_hold(id, clock());
  Result<HoldView> pinned = make_error(Errc::not_found, "no live hold with this id");
  if (found) {
    pinned = co_await holds_.begin_checkout(id, clock(), checkout_pin_ms_);
  } else {
    pinned = found.error();
  }
  if (!pinned) {
    const Errc code = pinned.error().code;
    if (code == Errc::hold_gone || code == Errc::not_found) {
      // Only a hold that is not live can have an order: asking the store here, not before
      // every checkout, keeps a round trip off the way of the first attempt.
      auto existing = co_await existing_order(id, idempotency_key, request->hash);
      if (!existing) co_return std::move(existing).error();
      if (*existing) co_return std::move(**existing);

      // An attempt before a restart, or by a node that died, may have left an authorisation.
      co_await payments_.void_authorisation(payment_key + ":0");
      if (code == Errc::not_found) {
        co_return make_error(Errc::hold_gone, "the hold has expired, was released, or was lost");
      }
    }
    if (code == Errc::store_unavailable) metrics_.store_errors.add();
    co_return std::move(pinned).error();
  }
  EventBooking& booking = **found;
  const boost::json::object encoded_hold = encode_hold(booking, *pinned);
  // Named, not a temporary in the co_await: g++ 12 destroys such temporaries twice.
  auto abort = [&]() -> boost::asio::awaitable<void> {
    Status aborted = co_await holds_.abort_checkout(id, clock());
    if (!aborted) {  // the pin runs out by itself; the sweep then settles the hold
      spdlog::warn("hold {}: abort of checkout failed: {}", id.hex(), aborted.error().detail);
    }
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
    co_await abort();
    co_return std::move(payment).error();
  }
  metrics_.payments_approved.add();
  Order order = make_order(booking, *pinned, {{"email", request->email}, {"name", request->name}},
                           idempotency_key, request->hash, *payment, clock());
  const std::uint32_t ga_capacity =
      pinned->ga_area ? layout_of(*booking.view).ga_areas[*pinned->ga_area].capacity : 0;
  Status committed = co_await orders_.async_commit_order(order, ga_capacity, store_calls_);
  if (!committed) {
    if (committed.error().code == Errc::store_unavailable) metrics_.store_errors.add();
    co_await payments_.void_authorisation(authorisation_key);
    if (committed.error().code == Errc::conflict) {
      // The hold has its order already: made by a node that died after committing it, whose
      // pin this checkout took over. The same request gets that order.
      auto existing = co_await existing_order(id, idempotency_key, request->hash);
      if (!existing) co_return std::move(existing).error();
      if (*existing) co_return std::move(**existing);
    }
    metrics_.checkouts_failed.add();
    co_await abort();
    co_return std::move(committed).error();
  }
  if (Status sold = co_await holds_.finish_checkout(id); !sold) {
    // The order stands (the store is the truth); the pin runs out and the sweep settles it.
    spdlog::warn("hold {}: marking sold failed: {}", id.hex(), sold.error().detail);
  }
  metrics_.checkouts_confirmed.add();
  // The order stands from here on. A failed capture is retried at the next start.
  if (Status captured = co_await payments_.capture(order.payment_id); !captured) {
    spdlog::error("order {}: capture failed: {}", order.id.hex(), captured.error().detail);
  } else {
    order.payment_status = PaymentStatus::captured;
    // Recorded in the background, off the buyer's way (with PostgreSQL it joins the next batch
    // of commits): the payment is captured, and were the record lost, the next start would
    // capture again (the provider answers a second capture as done) and record it.
    boost::asio::co_spawn(co_await boost::asio::this_coro::executor, record_capture(order.id),
                          boost::asio::detached);
  }
  co_return encode_order(order);
}

boost::asio::awaitable<void> Booking::record_capture(OrderId order_id) {
  if (Status marked = co_await orders_.async_mark_captured(order_id, store_calls_); !marked) {
    spdlog::error("order {}: marking captured failed: {}", order_id.hex(), marked.error().detail);
  }
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

  auto found_snapshot = holds_.snapshot(event_id, now);
  if (!found_snapshot) return std::move(found_snapshot).error();
  const UnitsSnapshot& units = **found_snapshot;
  if (seats) {
    boost::json::object states;
    for (const SeatIndex seat : *indexes) {
      states[layout.seats[seat].id] = state_name(units.seats[seat]);
    }
    boost::json::object answer{
        {"event_id", event_id}, {"seq", units.seq}, {"seats", std::move(states)}};
    return Availability{units.seq,
                        std::make_shared<const std::string>(boost::json::serialize(answer))};
  }
  std::lock_guard lock(booking.availability_mutex);
  if (booking.availability.json && booking.availability.seq == units.seq) {
    return booking.availability;
  }
  const std::size_t seat_count = layout.seats.size();
  std::vector<unsigned char> held((seat_count + 7) / 8, 0);
  std::vector<unsigned char> sold((seat_count + 7) / 8, 0);
  std::vector<std::uint32_t> section_available(layout.sections.size(), 0);
  for (SeatIndex seat = 0; seat < seat_count; ++seat) {
    const SeatState state = units.seats[seat];
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
    const GaCounts& counts = units.ga[i];
    areas.push_back({{"id", layout.ga_areas[i].id},
                     {"capacity", counts.capacity},
                     {"available", counts.available()},
                     {"held", counts.held},
                     {"sold", counts.sold}});
  }
  const std::uint32_t seats_held =
      static_cast<std::uint32_t>(seat_count) - units.seats_available - units.seats_sold;
  boost::json::object answer{
      {"event_id", event_id},
      {"seq", units.seq},
      {"seat_count", seat_count},
      {"available", units.seats_available},
      {"held", seats_held},
      {"sold", units.seats_sold},
      {"encoding", "base64 bitmaps in seat map order: bit i (least significant first in each "
                   "byte) stands for seat i"},
      {"held_bitmap", base64_of_bits(held)},
      {"sold_bitmap", base64_of_bits(sold)},
      {"sections", std::move(sections)},
      {"ga_areas", std::move(areas)}};
  booking.availability = {units.seq,
                          std::make_shared<const std::string>(boost::json::serialize(answer))};
  return booking.availability;
}

boost::asio::awaitable<Result<std::size_t>> Booking::sweep(UnixMillis now) {
  auto outcome = co_await holds_.sweep(now);
  if (!outcome) co_return std::move(outcome).error();
  for (const HoldId& id : outcome->stale_checkouts) {
    // Its node died mid-checkout: the store says whether the order was made.
    auto order = co_await orders_.async_find_order_by_hold(id, store_calls_);
    if (!order) co_return std::move(order).error();
    const bool sold = order->has_value();
    Status settled = co_await holds_.settle_stale_checkout(id, sold, now);
    if (!settled) co_return std::move(settled).error();
    spdlog::info("hold {}: checkout of a lost node settled: {}", id.hex(),
                 sold ? "sold" : "held again");
  }
  co_return outcome->expired;
}

}  // namespace boxoffice
