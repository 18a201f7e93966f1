#include "services/booking.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <variant>

#include "core/check.hpp"
#include "services/random_ids.hpp"

namespace boxoffice {

// What booking keeps of an event it has opened: its layout (an event keeps its venue), and the
// unit prices of the latest version of the event it has seen, made again when the catalog has
// a newer one, so that a change applies to the next hold.
struct Booking::EventBooking {
  explicit EventBooking(std::shared_ptr<const Layout> layout_) : layout(std::move(layout_)) {}

  const std::shared_ptr<const Layout> layout;
  std::mutex mutex;
  std::shared_ptr<const EventView> priced;  // the version `prices` are of
  std::shared_ptr<const UnitPrices> prices;
  UnixMillis left_checked_at = 0;  // of `left`, under `mutex`
  UnitsLeft left;
};

namespace {

OrderId random_id() {
  Id128 id;
  random_id_bytes(id.bytes);
  return id;
}

Result<std::vector<SeatIndex>> resolve_seats(const Layout& layout,
                                             const std::vector<std::string>& ids) {
  std::vector<SeatIndex> seats;
  std::vector<std::string> unknown;
  for (const std::string& id : ids) {
    if (auto seat = layout.find_seat(id)) {
      seats.push_back(*seat);
    } else {
      unknown.push_back(id);
    }
  }
  if (!unknown.empty()) {
    return make_error(Errc::unknown_seats, "the venue has no such seats",
                      {.seat_ids = std::move(unknown)});
  }
  return seats;
}

// The sections of a best-available request, by index: those named (all when none are), and of
// those, the ones priced at its price level.
Result<BestAvailableQuery> resolve_best_available(const Event& event, const Layout& layout,
                                                  const HoldBestAvailable& request) {
  BestAvailableQuery query;
  query.count = request.count;
  for (const std::string& section : request.section_ids) {
    const auto it = layout.section_by_id.find(section);
    if (it == layout.section_by_id.end()) {
      return field_error("best_available.sections", "no section " + section);
    }
    query.sections.push_back(it->second);
  }
  if (!request.price_level) return query;
  std::vector<std::uint32_t> priced;
  for (std::uint32_t i = 0; i < layout.sections.size(); ++i) {
    const bool wanted =
        query.sections.empty() ||
        std::find(query.sections.begin(), query.sections.end(), i) != query.sections.end();
    if (wanted && event.pricing.at(layout.sections[i].id) == *request.price_level) {
      priced.push_back(i);
    }
  }
  if (priced.empty()) {
    return field_error("best_available.price_level",
                       "no seated section at price level " + *request.price_level);
  }
  query.sections = std::move(priced);
  return query;
}

// A hold request in the layout's terms. Errors: unknown_seats, invalid_field.
Result<HoldAsk> resolve_hold_request(const Event& event, const Layout& layout,
                                     const HoldRequest& request) {
  if (const auto* seats = std::get_if<HoldSeats>(&request)) {
    auto indexes = resolve_seats(layout, seats->seat_ids);
    if (!indexes) return std::move(indexes).error();
    return HoldAsk(std::move(indexes).value());
  }
  if (const auto* best = std::get_if<HoldBestAvailable>(&request)) {
    auto query = resolve_best_available(event, layout, *best);
    if (!query) return std::move(query).error();
    return HoldAsk(std::move(query).value());
  }
  const auto& ga = std::get<HoldGa>(request);
  const auto area = layout.find_ga_area(ga.area_id);
  if (!area) return field_error("ga.area", "no general-admission area " + ga.area_id);
  return HoldAsk(GaAsk{*area, ga.quantity});
}

// Identifies a checkout request's content, for Idempotency-Key reuse checks.
std::string request_hash_of(const CheckoutRequest& request) {
  const std::string content =
      request.card_number + '\n' + request.customer.email + '\n' + request.customer.name;
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(content.data()),
                     content.size(), nullptr, 0);
  Id128 hash;
  std::copy(std::begin(digest), std::end(digest), hash.bytes.begin());
  return hash.hex();
}

}  // namespace

Booking::Booking(Catalog& catalog, OrderStore& orders, HoldStore& holds, Presales& presales,
                 PaymentProvider& payments, TicketSecret secret, Metrics& metrics,
                 UnixMillis checkout_pin_ms, std::size_t store_thread_count)
    : catalog_(catalog),
      orders_(orders),
      presales_(presales),
      holds_(holds),
      payments_(payments),
      metrics_(metrics),
      signer_(secret),
      checkout_pin_ms_(checkout_pin_ms),
      store_calls_(store_thread_count) {}

Booking::~Booking() = default;

boost::asio::awaitable<Status> Booking::recover() {
  auto uncaptured = orders_.uncaptured_orders();
  if (!uncaptured) co_return std::move(uncaptured).error();
  for (const Order& order : *uncaptured) {
    Status captured = co_await payments_.capture(order.payment_id);
    if (!captured && captured.error().code == Errc::conflict) {
      // Not this node's processor account (several nodes on one PostgreSQL, each with its own
      // test ledger): the node that authorised it captures it.
      spdlog::warn("order {}: not captured here: {}", order.id.hex(), captured.error().detail);
      continue;
    }
    if (!captured) co_return std::move(captured).error();
    if (Status marked = orders_.mark_captured(order.id); !marked)
      co_return std::move(marked).error();
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
    for (const std::string& id : sold->seats)
      indexes.seats.push_back(layout->find_seat(id).value());
    for (const auto& [area, quantity] : sold->ga) {
      indexes.ga.emplace_back(layout->find_ga_area(area).value(), quantity);
    }
    return indexes;
  };
  Status opened = holds_.open_event({event_id, layout, load_sold});
  if (!opened) return std::move(opened).error();
  auto booking = std::make_unique<EventBooking>(layout);
  return events_.emplace(event_id, std::move(booking)).first->second.get();
}

std::shared_ptr<const UnitPrices> Booking::prices_of(EventBooking& booking,
                                                     std::shared_ptr<const EventView> view) {
  std::lock_guard lock(booking.mutex);
  if (booking.priced != view) {
    booking.prices = std::make_shared<const UnitPrices>(unit_prices(*view->event, *booking.layout));
    booking.priced = std::move(view);
  }
  return booking.prices;
}

std::string Booking::currency_of(std::int64_t event_id) {
  const auto view = catalog_.event(event_id);
  return view ? boxoffice::currency_of(*view->event) : "";
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

boost::asio::awaitable<Result<HoldGranted>> Booking::hold(std::int64_t event_id,
                                                          HoldRequest request,
                                                          std::optional<std::string> access_code,
                                                          UnixMillis now) {
  auto found = event_booking(event_id);
  if (!found) co_return std::move(found).error();
  EventBooking& booking = **found;
  // The event as it is now: a change made through any node applies to this hold.
  const auto view = catalog_.event(event_id);
  if (!view || view->event->cancelled || !view->event->published) {
    co_return make_error(Errc::not_on_sale, "the event is cancelled or no longer published");
  }
  const Event& event = *view->event;
  const Layout& layout = *booking.layout;
  auto ask = resolve_hold_request(event, layout, request);
  if (!ask) co_return std::move(ask).error();
  auto admitted = co_await presales_.admit_hold(event, access_code, now);
  if (!admitted) co_return std::move(admitted).error();
  auto held = co_await hold_admitted(booking, view, std::move(*ask), now);
  // A use of a presale code is spent on a hold granted, not on one refused.
  if (!held && *admitted) co_await presales_.give_back(event_id, **admitted);
  co_return held;
}

boost::asio::awaitable<Result<HoldGranted>> Booking::hold_admitted(
    EventBooking& booking, std::shared_ptr<const EventView> view, HoldAsk ask, UnixMillis now) {
  const Event& event = *view->event;
  const std::int64_t event_id = event.id;
  const Layout& layout = *booking.layout;

  HoldTerms terms{event.max_per_order, prices_of(booking, view)};
  const std::string currency = terms.prices->currency;
  const UnixMillis expires_at = now + static_cast<UnixMillis>(event.hold_seconds) * 1000;
  auto held = co_await holds_.hold(event_id, std::move(ask), std::move(terms), now, expires_at);
  if (!held) {
    Error error = std::move(held).error();
    if (error.code == Errc::seats_unavailable || error.code == Errc::not_enough_seats) {
      metrics_.hold_conflicts.add();
    }
    if (error.code == Errc::store_unavailable) metrics_.store_errors.add();
    for (const std::uint32_t seat : error.facts.seat_indexes) {  // the hold store's indexes
      error.facts.seat_ids.push_back(layout.seats.at(seat).id);
    }
    error.facts.seat_indexes.clear();
    co_return error;
  }
  metrics_.holds_created.add();
  co_return HoldGranted{details_of(event_id, layout, currency, held->hold), held->seq,
                        event.max_per_order};
}

HoldDetails Booking::details_of(std::int64_t event_id, const Layout& layout,
                                const std::string& currency, const HoldView& hold) const {
  HoldDetails details{.id = hold.id,
                      .event_id = event_id,
                      .checking_out = hold.confirming,
                      .created_at = hold.created_at,
                      .expires_at = hold.expires_at,
                      .total_cents = hold.total_cents,
                      .currency = currency};
  for (const SeatIndex seat : hold.seats) details.seat_ids.push_back(layout.seats[seat].id);
  if (hold.ga_area) details.ga = GaPlaces{layout.ga_areas[*hold.ga_area].id, hold.ga_quantity};
  return details;
}

boost::asio::awaitable<Result<HoldDetails>> Booking::find_hold(HoldId id, UnixMillis now) {
  auto found = co_await booking_of_hold(id, now);
  if (!found) co_return std::move(found).error();
  auto hold = co_await holds_.find_hold(id, now);
  if (!hold) co_return std::move(hold).error();
  const std::int64_t event_id = *holds_.event_of(id);
  co_return details_of(event_id, *(*found)->layout, currency_of(event_id), *hold);
}

boost::asio::awaitable<Status> Booking::release(HoldId id, UnixMillis now) {
  auto found = co_await booking_of_hold(id, now);
  if (!found) co_return std::move(found).error();
  co_return co_await holds_.release(id, now);
}

boost::asio::awaitable<void> Booking::release_all(std::vector<HoldId> holds, UnixMillis now) {
  for (const HoldId& hold : holds) co_await release(hold, now);
}

Order Booking::make_order(const HoldDetails& hold, const CheckoutRequest& request,
                          std::string request_hash, std::string payment_id, UnixMillis now) const {
  Order order;
  order.id = random_id();
  order.event_id = hold.event_id;
  order.hold_id = hold.id;
  order.idempotency_key = request.idempotency_key;
  order.request_hash = std::move(request_hash);
  order.seats = hold.seat_ids;
  if (hold.ga) {
    order.ga_area = hold.ga->area_id;
    order.ga_quantity = hold.ga->quantity;
  }
  order.total_cents = hold.total_cents;
  order.currency = hold.currency;
  order.customer_email = request.customer.email;
  order.customer_name = request.customer.name;
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

boost::asio::awaitable<Result<std::optional<Order>>> Booking::existing_order(
    HoldId id, std::string idempotency_key, std::string request_hash) {
  auto existing = co_await orders_.async_find_order_by_hold(id, store_calls_);
  if (!existing) co_return std::move(existing).error();
  if (!*existing) co_return std::optional<Order>();
  const Order& order = **existing;
  if (order.idempotency_key != idempotency_key) {
    co_return make_error(Errc::conflict, "the hold was already checked out",
                         {.order_id = order.id.hex()});
  }
  if (order.request_hash != request_hash) {
    co_return make_error(Errc::idempotency_mismatch,
                         "this Idempotency-Key was used with another body");
  }
  // Its node may have died before marking the seats sold: settle the hold (a no-op if done).
  co_await holds_.finish_checkout(id);
  co_return std::move(existing).value();
}

boost::asio::awaitable<Result<Order>> Booking::checkout(HoldId id, CheckoutRequest request,
                                                        Clock clock) {
  BOXOFFICE_CHECK(!request.idempotency_key.empty() &&
                  request.idempotency_key.size() <= idempotency_key_bytes_max);
  const std::string request_hash = request_hash_of(request);
  // The payment's own idempotency key: a retry of this very request reuses its authorisation.
  const std::string payment_key = id.hex() + ":" + request.idempotency_key + ":" + request_hash;
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
      auto existing = co_await existing_order(id, request.idempotency_key, request_hash);
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
  // An earlier attempt that failed had its authorisation voided: this one needs a key of its
  // own.
  const std::string authorisation_key =
      payment_key + ":" + std::to_string(pinned->aborted_checkouts);
  std::exception_ptr failure;
  try {
    co_return co_await pay_and_commit(**found, *pinned, request, request_hash, authorisation_key,
                                      clock);
  } catch (...) {
    failure = std::current_exception();
  }
  // A bug or a store that threw: not a reason to leave the hold pinned (an in-process pin never
  // runs out) or an authorisation open. The exception still reaches the caller (a 500).
  co_await settle_after_exception(id, authorisation_key, clock());
  std::rethrow_exception(failure);
}

boost::asio::awaitable<Result<Order>> Booking::pay_and_commit(
    const EventBooking& booking, const HoldView& pinned, const CheckoutRequest& request,
    const std::string& request_hash, const std::string& authorisation_key, Clock clock) {
  const HoldId id = pinned.id;
  const std::int64_t event_id = *holds_.event_of(id);
  const HoldDetails hold = details_of(event_id, *booking.layout, currency_of(event_id), pinned);
  // Named, not a temporary in the co_await: g++ 12 destroys such temporaries twice.
  auto abort = [&]() -> boost::asio::awaitable<void> {
    Status aborted = co_await holds_.abort_checkout(id, clock());
    if (!aborted) {  // the pin runs out by itself; the sweep then settles the hold
      spdlog::warn("hold {}: abort of checkout failed: {}", id.hex(), aborted.error().detail);
    }
  };

  // Named, not a temporary in the co_await (as above).
  Authorisation authorisation{authorisation_key, request.card_number, hold.total_cents,
                              hold.currency};
  auto payment = co_await payments_.authorise(std::move(authorisation));
  if (!payment) {
    const bool declined = payment.error().code == Errc::payment_declined;
    (declined ? metrics_.payments_declined : metrics_.payments_failed).add();
    // A provider that timed out may have authorised all the same: voided by its key.
    if (!declined) co_await payments_.void_authorisation(authorisation_key);
    metrics_.checkouts_failed.add();
    co_await abort();
    co_return std::move(payment).error();
  }
  metrics_.payments_approved.add();
  Order order = make_order(hold, request, request_hash, *payment, clock());
  const std::uint32_t ga_capacity =
      pinned.ga_area ? booking.layout->ga_areas[*pinned.ga_area].capacity : 0;
  Status committed = co_await orders_.async_commit_order(order, ga_capacity, store_calls_);
  if (!committed) {
    if (committed.error().code == Errc::store_unavailable) metrics_.store_errors.add();
    co_await payments_.void_authorisation(authorisation_key);
    if (committed.error().code == Errc::conflict) {
      // The hold has its order already: made by a node that died after committing it, whose
      // pin this checkout took over. The same request gets that order.
      auto existing = co_await existing_order(id, request.idempotency_key, request_hash);
      if (!existing) co_return std::move(existing).error();
      if (*existing) co_return std::move(**existing);
    }
    metrics_.checkouts_failed.add();
    co_await abort();
    Error refused = std::move(committed).error();
    if (refused.code == Errc::customer_limit) {
      const auto view = catalog_.event(event_id);
      if (view) refused.facts.max_per_customer = view->event->max_per_customer;
    }
    co_return refused;
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
  co_return order;
}

boost::asio::awaitable<void> Booking::settle_after_exception(HoldId id,
                                                             std::string authorisation_key,
                                                             UnixMillis now) {
  metrics_.checkouts_failed.add();
  try {
    // As the sweep settles the checkout of a node that died: the store says whether the order
    // was made. An order that stands is captured at the next start, if it was not.
    auto existing = co_await orders_.async_find_order_by_hold(id, store_calls_);
    if (!existing) {
      spdlog::error("hold {}: checkout threw, and its order could not be looked up: {}", id.hex(),
                    existing.error().detail);
      co_return;  // the pin stays until it runs out (cluster) or the node restarts
    }
    if (*existing) {
      co_await holds_.finish_checkout(id);
      co_return;
    }
    co_await payments_.void_authorisation(authorisation_key);
    co_await holds_.abort_checkout(id, now);
  } catch (const std::exception& e) {
    spdlog::error("hold {}: settling a checkout that threw failed: {}", id.hex(), e.what());
  }
}

boost::asio::awaitable<void> Booking::record_capture(OrderId order_id) {
  if (Status marked = co_await orders_.async_mark_captured(order_id, store_calls_); !marked) {
    spdlog::error("order {}: marking captured failed: {}", order_id.hex(), marked.error().detail);
  }
}

Result<Order> Booking::order(const OrderId& id) {
  auto order = orders_.find_order(id);
  if (!order) return std::move(order).error();
  if (!*order) return make_error(Errc::not_found, "no such order");
  return std::move(**order);
}

Result<std::vector<Order>> Booking::orders_of_event(std::int64_t event_id) {
  if (!catalog_.event(event_id)) return make_error(Errc::not_found, "no such event");
  return orders_.orders_of_event(event_id);
}

Result<AvailabilityState> Booking::availability(std::int64_t event_id, UnixMillis now) {
  auto found = event_booking(event_id);
  if (!found) return std::move(found).error();
  auto units = holds_.snapshot(event_id, now);
  if (!units) return std::move(units).error();
  return AvailabilityState{event_id, (*found)->layout, std::move(*units)};
}

Result<Booking::UnitsLeft> Booking::units_left(std::int64_t event_id, UnixMillis now) {
  auto found = event_booking(event_id);
  if (!found) return std::move(found).error();
  EventBooking& booking = **found;
  {
    std::lock_guard lock(booking.mutex);
    if (now >= booking.left_checked_at && now - booking.left_checked_at < units_left_recheck_ms) {
      return booking.left;
    }
  }
  auto units = holds_.snapshot(event_id, now);
  if (!units) return std::move(units).error();
  UnitsLeft left{(*units)->seats_available, (*units)->seats_sold == booking.layout->seats.size()};
  for (const GaCounts& area : (*units)->ga) {
    left.available += area.available();
    left.sold_out = left.sold_out && area.sold == area.capacity;
  }
  std::lock_guard lock(booking.mutex);
  booking.left_checked_at = now;
  booking.left = left;
  return left;
}

Result<SeatStates> Booking::seat_states(std::int64_t event_id,
                                        const std::vector<std::string>& seat_ids, UnixMillis now) {
  if (seat_ids.size() > availability_seats_max) {
    return field_error("seats", "at most " + std::to_string(availability_seats_max) + " at a time");
  }
  auto found = event_booking(event_id);
  if (!found) return std::move(found).error();
  auto indexes = resolve_seats(*(*found)->layout, seat_ids);
  if (!indexes) return std::move(indexes).error();
  auto units = holds_.snapshot(event_id, now);
  if (!units) return std::move(units).error();
  SeatStates states{event_id, (*units)->seq, {}};
  for (std::size_t i = 0; i < seat_ids.size(); ++i) {
    states.seats.emplace_back(seat_ids[i], (*units)->seats[(*indexes)[i]]);
  }
  return states;
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
