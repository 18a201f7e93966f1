#include "stores/redis/hold_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>

#include "stores/redis/hold_scripts.hpp"
#include "stores/redis/scripts.hpp"

namespace boxoffice::redis {
namespace asio = boost::asio;

namespace {

constexpr int best_available_attempts = 4;
constexpr auto follow_block = std::chrono::milliseconds(50);  // how soon new events join
// After a read that brought changes (fewer than follow_count_max), the follower waits this long
// before the next: under load one read brings many changes, instead of a wakeup, a command and
// a reply for every few. Other nodes' changes reach the mirror this much later at most; a
// node's own usually at once, from its scripts' answers.
constexpr auto follow_gather = std::chrono::milliseconds(5);
constexpr std::size_t follow_count_max = 1000;  // changes per stream and read

// Seat owners in a mirror: who has the seat is Redis's business, only whether it is free
// matters here (best available reads 0 as free).
constexpr std::uint32_t mirror_held = 1;
constexpr std::uint32_t mirror_sold = 2;

std::string csv(std::span<const SeatIndex> seats) {
  std::string text;
  for (const SeatIndex seat : seats) {
    if (!text.empty()) text += ',';
    text += std::to_string(seat);
  }
  return text;
}

std::vector<SeatIndex> parse_csv(std::string_view text) {
  std::vector<SeatIndex> seats;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    SeatIndex seat = 0;
    std::from_chars(item.data(), item.data() + item.size(), seat);
    seats.push_back(seat);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return seats;
}

// HMGET st seats ga q c x a p t → the hold; hold_gone or not_found when it is not live.
Result<HoldView> hold_of(const HoldId& id, const Reply& fields) {
  if (fields.type != Reply::Type::array || fields.elements.size() != 9) return unexpected(fields);
  const auto& f = fields.elements;
  if (f[0].type == Reply::Type::nil) return no_such_hold_error();
  if (f[0].text != "held" && f[0].text != "checking_out") return hold_ended_error(f[0].text);
  HoldView hold;
  hold.id = id;
  hold.seats = parse_csv(f[1].text);
  if (!f[2].text.empty()) hold.ga_area = static_cast<std::uint32_t>(integer_of(f[2]));
  hold.ga_quantity = static_cast<std::uint32_t>(integer_of(f[3]));
  hold.created_at = integer_of(f[4]);
  hold.expires_at = integer_of(f[5]);
  hold.aborted_checkouts = static_cast<std::uint32_t>(integer_of(f[6]));
  hold.total_cents = integer_of(f[8]);
  hold.confirming = f[0].text == "checking_out";
  return hold;
}

// A change as the scripts and the stream spell it: kind by name, seats and GA area as text.
UnitsChange change_of(std::int64_t event_id, std::uint64_t seq, std::string_view kind,
                      std::string_view seats_csv, std::string_view ga_area,
                      std::uint32_t quantity) {
  UnitsChange change{event_id, seq,  ChangeKind::released, parse_csv(seats_csv), std::nullopt,
                     quantity, false};
  change.kind = kind == "held"      ? ChangeKind::held
                : kind == "sold"    ? ChangeKind::sold
                : kind == "expired" ? ChangeKind::expired
                                    : ChangeKind::released;
  if (!ga_area.empty()) {
    std::uint32_t area = 0;
    std::from_chars(ga_area.data(), ga_area.data() + ga_area.size(), area);
    change.ga_area = area;
  }
  return change;
}

// The change a script that ended a hold answers: {'ok', seq, seats, ga, q}.
UnitsChange ended_change(std::int64_t event_id, std::string_view kind,
                         const std::vector<Reply>& parts) {
  return change_of(event_id, static_cast<std::uint64_t>(integer_of(parts[1])), kind, parts[2].text,
                   parts[3].text, static_cast<std::uint32_t>(integer_of(parts[4])));
}

}  // namespace

struct HoldStore::Event {
  Event(EventUnits units_, const ChangeListener& listener_)
      : units(std::move(units_)), listener(listener_) {
    const std::string prefix = "{ev:" + std::to_string(units.event_id) + "}:";
    for (const char* name : {"seats", "ga", "expiry", "seq", "changes", "loaded"}) {
      keys.push_back(prefix + name);
    }
  }
  const std::string& stream_key() const { return keys[4]; }

  const EventUnits units;
  const ChangeListener& listener;
  std::vector<std::string> keys;  // as every script takes them

  std::mutex mutex;  // guards the rest: the mirror
  bool mirrored = false;
  std::uint64_t seq = 0;
  std::string stream_id = "0-0";  // the last change read from the stream
  std::vector<std::uint32_t> owner;
  std::vector<GaCounts> ga;
  std::uint32_t seats_available = 0;
  std::uint32_t seats_sold = 0;
  std::shared_ptr<const UnitsSnapshot> snapshot;  // cached, current to its seq
  std::size_t live_holds = 0;                     // as of the last sweep

  // Applies the change if it is the next one, and tells the listener. False: a gap (the
  // mirror must be reloaded).
  bool apply(UnitsChange change) {
    if (!mirrored) return true;  // the reload brings it
    if (change.seq <= seq) return true;
    if (change.seq != seq + 1) return false;
    seq = change.seq;
    const bool held = change.kind == ChangeKind::held;
    const bool sold = change.kind == ChangeKind::sold;
    for (const SeatIndex seat : change.seats) {
      if (seat >= owner.size()) continue;
      std::uint32_t& o = owner[seat];
      if (o == 0) --seats_available;
      if (o == mirror_sold) --seats_sold;
      o = held ? mirror_held : sold ? mirror_sold : 0;
      if (o == 0) ++seats_available;
      if (o == mirror_sold) ++seats_sold;
    }
    if (change.ga_area && *change.ga_area < ga.size()) {
      GaCounts& counts = ga[*change.ga_area];
      if (held) {
        counts.held += change.ga_quantity;
      } else {
        counts.held -= std::min(counts.held, change.ga_quantity);
        if (sold) counts.sold += change.ga_quantity;
      }
    }
    if (listener) listener(change);
    return true;
  }
};

static std::vector<std::string> script_texts() {
  std::vector<std::string> texts(static_cast<std::size_t>(HoldStore::Script::count));
  const auto set = [&texts](HoldStore::Script script, std::string_view body, bool with_prelude) {
    texts[static_cast<std::size_t>(script)] =
        (with_prelude ? std::string(scripts::prelude) : std::string()) + std::string(body);
  };
  using Script = HoldStore::Script;
  set(Script::hold, scripts::hold, true);
  set(Script::find, scripts::find, true);
  set(Script::release, scripts::release, true);
  set(Script::begin_checkout, scripts::begin_checkout, true);
  set(Script::finish_checkout, scripts::finish_checkout, true);
  set(Script::abort_checkout, scripts::abort_checkout, true);
  set(Script::sweep, scripts::sweep, true);
  set(Script::snapshot, scripts::snapshot, true);
  set(Script::load, scripts::load, false);
  set(Script::raise_seq, scripts::raise_seq, false);
  return texts;
}

HoldStore::HoldStore(Endpoint endpoint, std::function<Result<std::uint64_t>()> next_epoch,
                     Metrics& metrics)
    : connections_(std::move(endpoint)),
      scripts_(script_texts()),
      next_epoch_(std::move(next_epoch)),
      metrics_(metrics),
      follower_client_(follower_io_, connections_.endpoint()),
      follower_([this] {
        follower_client_.start();
        asio::co_spawn(follower_io_, follow(), asio::detached);
        follower_io_.run();
      }) {}

HoldStore::~HoldStore() {
  follower_io_.stop();
  follower_.join();
}

HoldStore::Event* HoldStore::find_event(std::int64_t event_id) {
  std::shared_lock lock(events_mutex_);
  const auto it = events_.find(event_id);
  return it == events_.end() ? nullptr : it->second.get();
}

std::optional<std::int64_t> HoldStore::event_of(const HoldId& id) { return event_of_hold_id(id); }

Result<HoldStore::Event*> HoldStore::event_of_hold(const HoldId& id) {
  const auto event_id = event_of(id);
  Event* event = event_id ? find_event(*event_id) : nullptr;
  if (event == nullptr) return no_such_hold_error();
  return event;
}

asio::awaitable<Result<Reply>> HoldStore::run(Event& event, Script script,
                                              std::vector<std::string> args) {
  Client* connection = co_await connections_.here();
  co_return co_await run(*connection, event, script, std::move(args));
}

asio::awaitable<Result<Reply>> HoldStore::run(Client& client, Event& event, Script script,
                                              std::vector<std::string> args) {
  const auto index = static_cast<std::size_t>(script);
  for (int attempt = 0;; ++attempt) {
    auto reply = co_await scripts_.run(client, index, event.keys, args);
    if (!reply) co_return std::move(reply).error();
    if (reply->type != Reply::Type::error) co_return reply;
    // The event is not in Redis (new, or lost with a primary): load it once, then try again.
    if (attempt > 0 || reply->text.find("UNLOADED") == std::string::npos) {
      co_return unexpected(*reply);
    }
    if (Status loaded = co_await load(client, event); !loaded) co_return std::move(loaded).error();
  }
}

asio::awaitable<Status> HoldStore::load(Client& client, Event& event) {
  auto sold = event.units.load_sold();
  if (!sold) co_return std::move(sold).error();
  auto epoch = next_epoch_();
  if (!epoch) co_return std::move(epoch).error();
  std::string ga;
  for (const auto& [area, places] : sold->ga) {
    if (!ga.empty()) ga += ',';
    ga += std::to_string(area) + ":" + std::to_string(places);
  }
  std::vector<std::string> args{std::to_string(*epoch << 32), csv(sold->seats), std::move(ga)};
  auto loaded = co_await run(client, event, Script::load, std::move(args));
  if (!loaded) co_return std::move(loaded).error();
  if (loaded->integer == 1) spdlog::info("event {}: loaded into Redis", event.units.event_id);
  co_return ok_status();
}

asio::awaitable<Status> HoldStore::reload_mirror(Client& client, Event& event) {
  auto reply = co_await run(client, event, Script::snapshot, {});
  if (!reply) co_return std::move(reply).error();
  if (reply->elements.size() != 4) co_return unexpected(*reply);
  const auto& parts = reply->elements;
  const auto seq = static_cast<std::uint64_t>(integer_of(parts[0]));
  std::uint64_t shown = 0;  // the highest number this node has shown
  {
    std::lock_guard lock(event.mutex);
    shown = event.seq;
  }
  if (seq < shown) {
    // Redis went back in time (a replica that missed the last writes took over). Numbers
    // must never go backwards: lift Redis's above what this node has shown, then reload.
    std::vector<std::string> args{std::to_string(shown + 1)};
    auto raised = co_await run(client, event, Script::raise_seq, std::move(args));
    if (!raised) co_return std::move(raised).error();
    co_return co_await reload_mirror(client, event);
  }
  const Layout& layout = *event.units.layout;
  std::vector<std::uint32_t> owner(layout.seats.size(), 0);
  std::uint32_t sold = 0;
  const auto& seats = parts[2].elements;
  for (std::size_t i = 0; i + 1 < seats.size(); i += 2) {
    const auto seat = static_cast<std::size_t>(integer_of(seats[i]));
    if (seat >= owner.size()) continue;
    owner[seat] = seats[i + 1].text == "sold" ? mirror_sold : mirror_held;
    if (owner[seat] == mirror_sold) ++sold;
  }
  std::vector<GaCounts> ga;
  for (const GaArea& area : layout.ga_areas) ga.push_back(GaCounts{area.capacity, 0, 0});
  const auto& counts = parts[3].elements;
  for (std::size_t i = 0; i + 1 < counts.size(); i += 2) {
    const std::string& field = counts[i].text;  // "h:<area>" or "s:<area>"
    std::uint32_t area = 0;
    std::from_chars(field.data() + 2, field.data() + field.size(), area);
    if (field.size() < 3 || area >= ga.size()) continue;
    const auto value =
        static_cast<std::uint32_t>(std::max<std::int64_t>(0, integer_of(counts[i + 1])));
    (field[0] == 'h' ? ga[area].held : ga[area].sold) = value;
  }
  std::lock_guard lock(event.mutex);
  event.seats_available =
      static_cast<std::uint32_t>(std::count(owner.begin(), owner.end(), std::uint32_t{0}));
  event.seats_sold = sold;
  event.owner = std::move(owner);
  event.ga = std::move(ga);
  event.seq = seq;
  event.stream_id = parts[1].text;
  event.mirrored = true;
  if (event.listener) event.listener(UnitsChange{event.units.event_id, seq, {}, {}, {}, 0, true});
  co_return ok_status();
}

Status HoldStore::open_event(EventUnits units) {
  std::unique_lock lock(events_mutex_);
  if (events_.contains(units.event_id)) return ok_status();
  auto event = std::make_unique<Event>(std::move(units), listener_);
  // Before the event is served: its state must be in Redis and mirrored here. On a private
  // loop and connection, once per event and node.
  asio::io_context io;
  Status status = make_error(Errc::store_unavailable, "not run");
  {
    Client connection(io, connections_.endpoint());
    connection.start();
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          status = co_await reload_mirror(connection, *event);
          io.stop();  // the connection would keep the loop running
        },
        asio::detached);
    io.run();
  }
  if (!status) return status;
  events_.emplace(event->units.event_id, std::move(event));
  return ok_status();
}

asio::awaitable<Result<Held>> HoldStore::hold(std::int64_t event_id, HoldAsk ask, HoldTerms terms,
                                              UnixMillis now, UnixMillis expires_at) {
  Event* event = find_event(event_id);
  if (event == nullptr) co_return make_error(Errc::not_found, "the event is not open");
  const Layout& layout = *event->units.layout;
  const std::uint32_t max_per_order = terms.max_per_order;
  const HoldId id = new_hold_id(event_id);

  std::vector<SeatIndex> seats;
  std::string ga_area;
  std::uint32_t quantity = 0;
  std::uint32_t capacity = 0;
  const BestAvailableQuery* best = std::get_if<BestAvailableQuery>(&ask);
  if (auto* asked = std::get_if<std::vector<SeatIndex>>(&ask)) {
    if (Status valid = check_seats_request(*asked, max_per_order); !valid) {
      co_return std::move(valid).error();
    }
    seats = std::move(*asked);
  } else if (auto* ga = std::get_if<GaAsk>(&ask)) {
    if (Status valid = check_ga_request(ga->quantity, max_per_order); !valid) {
      co_return std::move(valid).error();
    }
    if (ga->area >= layout.ga_areas.size()) {
      co_return make_error(Errc::invalid_field, "ga.area: no such area");
    }
    ga_area = std::to_string(ga->area);
    quantity = ga->quantity;
    capacity = layout.ga_areas[ga->area].capacity;
  } else if (best->count == 0) {
    co_return make_error(Errc::invalid_field, "count: at least 1");
  } else if (best->count > max_per_order) {
    co_return make_error(Errc::over_order_limit,
                         "at most " + std::to_string(max_per_order) + " per order",
                         {.max_per_order = max_per_order});
  }

  // Best available: chosen from the mirror, then claimed. What this call learns meanwhile
  // corrects the mirror in the next choice, latest last: seats someone took, and seats of holds
  // that came due at `now` (the mirror can't know deadlines: the script ends such holds and
  // answers them instead of claiming, so that no choice is made around an expired hold).
  std::vector<std::pair<SeatIndex, std::uint32_t>> learned;
  bool due_ended = false;  // the script has ended every hold due at `now`
  const auto choose = [&]() -> std::optional<std::vector<SeatIndex>> {
    std::lock_guard lock(event->mutex);
    if (learned.empty()) return find_best_available(layout, event->owner, *best);
    std::vector<std::uint32_t> owner = event->owner;
    for (const auto& [seat, state] : learned) {
      if (seat < owner.size()) owner[seat] = state;
    }
    return find_best_available(layout, owner, *best);
  };
  for (int attempt = 0;; ++attempt) {
    if (best) {
      auto chosen = choose();
      if (!chosen && due_ended) {
        co_return make_error(Errc::not_enough_seats, "no row has " + std::to_string(best->count) +
                                                         " adjacent seats available");
      }
      // No window: the script only ends the holds that are due, and the choice is made again.
      seats = chosen ? std::move(*chosen) : std::vector<SeatIndex>();
    }
    const std::string seats_csv = csv(seats);
    std::optional<std::uint32_t> area;
    if (!ga_area.empty()) area = std::get<GaAsk>(ask).area;
    const std::int64_t total_cents = terms.prices->total(seats, area, quantity);
    std::vector<std::string> args{std::to_string(now),
                                  std::to_string(expires_at),
                                  id.hex(),
                                  seats_csv,
                                  ga_area,
                                  std::to_string(quantity),
                                  std::to_string(capacity),
                                  best ? "1" : "0",
                                  std::to_string(total_cents)};
    auto reply = co_await run(*event, Script::hold, std::move(args));
    if (!reply) co_return std::move(reply).error();
    const auto& parts = reply->elements;
    if (parts.empty()) co_return unexpected(*reply);
    if (parts[0].text == "ok" && parts.size() == 2) {
      const auto seq = static_cast<std::uint64_t>(integer_of(parts[1]));
      HoldView view{id, std::move(seats), area, quantity, now, expires_at, false, 0, total_cents};
      {
        std::lock_guard lock(event->mutex);
        event->apply(UnitsChange{event_id, seq, ChangeKind::held, view.seats, view.ga_area,
                                 quantity, false});
      }
      co_return Held{std::move(view), seq};
    }
    if (parts[0].text == "short") {
      const std::int64_t left = std::max<std::int64_t>(0, integer_of(parts[1]));
      co_return make_error(Errc::not_enough_seats, "only " + std::to_string(left) + " places left",
                           {.places_available = static_cast<std::uint32_t>(left)});
    }
    const bool expired = best && parts[0].text == "expired";
    if (!expired && parts[0].text != "taken") co_return unexpected(*reply);
    if (!best || attempt + 1 == best_available_attempts) {
      if (best) {
        co_return make_error(Errc::not_enough_seats,
                             "the best seats were taken while choosing them; try again");
      }
      std::vector<std::uint32_t> unavailable;
      for (std::size_t i = 1; i < parts.size(); ++i) {
        unavailable.push_back(static_cast<std::uint32_t>(integer_of(parts[i])));
      }
      co_return make_error(Errc::seats_unavailable, "some seats are held or sold",
                           {.seat_indexes = std::move(unavailable)});
    }
    if (!expired) {
      for (std::size_t i = 1; i < parts.size(); ++i) {
        learned.emplace_back(static_cast<SeatIndex>(integer_of(parts[i])), mirror_held);
      }
      continue;
    }
    due_ended = true;
    std::lock_guard lock(event->mutex);
    for (std::size_t i = 1; i + 3 < parts.size(); i += 4) {  // seq, seats, ga, q of each
      UnitsChange change = change_of(event_id, static_cast<std::uint64_t>(integer_of(parts[i])),
                                     "expired", parts[i + 1].text, parts[i + 2].text,
                                     static_cast<std::uint32_t>(integer_of(parts[i + 3])));
      for (const SeatIndex seat : change.seats) learned.emplace_back(seat, 0);
      event->apply(std::move(change));  // at once if it is the mirror's next change
    }
  }
}

asio::awaitable<Result<HoldView>> HoldStore::find_hold(HoldId id, UnixMillis now) {
  auto event = event_of_hold(id);
  if (!event) co_return std::move(event).error();
  std::vector<std::string> args{std::to_string(now), id.hex()};
  auto reply = co_await run(**event, Script::find, std::move(args));
  if (!reply) co_return std::move(reply).error();
  co_return hold_of(id, *reply);
}

asio::awaitable<Status> HoldStore::release(HoldId id, UnixMillis now) {
  auto event = event_of_hold(id);
  if (!event) co_return std::move(event).error();
  std::vector<std::string> args{std::to_string(now), id.hex()};
  auto reply = co_await run(**event, Script::release, std::move(args));
  if (!reply) co_return std::move(reply).error();
  const auto& parts = reply->elements;
  if (parts.empty()) co_return unexpected(*reply);
  if (parts[0].text == "none") co_return no_such_hold_error();
  if (parts[0].text == "busy") {
    co_return make_error(Errc::checkout_in_progress, "the hold is being checked out");
  }
  if (parts[0].text == "ended" && parts.size() == 2) co_return hold_ended_error(parts[1].text);
  if (parts[0].text != "ok" || parts.size() != 5) co_return unexpected(*reply);
  {
    std::lock_guard lock((*event)->mutex);
    (*event)->apply(ended_change((*event)->units.event_id, "released", parts));
  }
  metrics_.holds_released.add();
  co_return ok_status();
}

asio::awaitable<Result<HoldView>> HoldStore::begin_checkout(HoldId id, UnixMillis now,
                                                            UnixMillis pin_ms) {
  auto event = event_of_hold(id);
  if (!event) co_return std::move(event).error();
  std::vector<std::string> args{std::to_string(now), id.hex(), std::to_string(now + pin_ms)};
  auto reply = co_await run(**event, Script::begin_checkout, std::move(args));
  if (!reply) co_return std::move(reply).error();
  if (reply->elements.size() == 1 && reply->elements[0].text == "busy") {
    co_return make_error(Errc::checkout_in_progress, "the hold is being checked out");
  }
  auto hold = hold_of(id, *reply);
  if (hold && !hold->confirming) co_return unexpected(*reply);
  co_return hold;
}

asio::awaitable<Status> HoldStore::finish_checkout(HoldId id) {
  auto event = event_of_hold(id);
  if (!event) co_return std::move(event).error();
  std::vector<std::string> args{id.hex()};
  auto reply = co_await run(**event, Script::finish_checkout, std::move(args));
  if (!reply) co_return std::move(reply).error();
  const auto& parts = reply->elements;
  if (parts.size() == 5 && parts[0].text == "ok") {
    std::lock_guard lock((*event)->mutex);
    (*event)->apply(ended_change((*event)->units.event_id, "sold", parts));
  }
  co_return ok_status();
}

asio::awaitable<Status> HoldStore::abort_checkout(HoldId id, UnixMillis now) {
  auto event = event_of_hold(id);
  if (!event) co_return std::move(event).error();
  std::vector<std::string> args{std::to_string(now), id.hex(), "0"};
  auto reply = co_await run(**event, Script::abort_checkout, std::move(args));
  if (!reply) co_return std::move(reply).error();
  co_return ok_status();
}

asio::awaitable<Status> HoldStore::settle_stale_checkout(HoldId id, bool sold, UnixMillis now) {
  if (sold) co_return co_await finish_checkout(id);
  auto event = event_of_hold(id);
  if (!event) co_return std::move(event).error();
  std::vector<std::string> args{std::to_string(now), id.hex(), "1"};
  auto reply = co_await run(**event, Script::abort_checkout, std::move(args));
  if (!reply) co_return std::move(reply).error();
  co_return ok_status();
}

asio::awaitable<Result<SweepOutcome>> HoldStore::sweep(UnixMillis now) {
  std::vector<Event*> events;
  {
    std::shared_lock lock(events_mutex_);
    for (const auto& [id, event] : events_) events.push_back(event.get());
  }
  SweepOutcome outcome;
  for (Event* event : events) {
    {
      // Nothing held, as far as the mirror knows: nothing to end, no script to send. (Most
      // open events, most of the time; the mirror is milliseconds behind at most.)
      std::lock_guard lock(event->mutex);
      const bool seats_held = event->seats_available + event->seats_sold != event->owner.size();
      const bool places_held = std::any_of(event->ga.begin(), event->ga.end(),
                                           [](const GaCounts& counts) { return counts.held > 0; });
      if (event->mirrored && !seats_held && !places_held) {
        event->live_holds = 0;
        continue;
      }
    }
    std::vector<std::string> args{std::to_string(now)};
    auto reply = co_await run(*event, Script::sweep, std::move(args));
    if (!reply) co_return std::move(reply).error();
    const auto& parts = reply->elements;
    if (parts.size() < 2) co_return unexpected(*reply);
    const auto expired = static_cast<std::size_t>(integer_of(parts[0]));
    outcome.expired += expired;
    metrics_.holds_expired.add(expired);
    for (std::size_t i = 2; i < parts.size(); ++i) {
      if (auto id = Id128::from_hex(parts[i].text)) outcome.stale_checkouts.push_back(*id);
    }
    std::lock_guard lock(event->mutex);
    event->live_holds = static_cast<std::size_t>(integer_of(parts[1]));
  }
  co_return outcome;
}

Result<std::shared_ptr<const UnitsSnapshot>> HoldStore::snapshot(std::int64_t event_id,
                                                                 UnixMillis) {
  Event* event = find_event(event_id);
  if (event == nullptr) return make_error(Errc::not_found, "the event is not open");
  std::lock_guard lock(event->mutex);
  if (!event->mirrored) {
    return make_error(Errc::store_unavailable, "the event's seat states are being reloaded");
  }
  if (event->snapshot && event->snapshot->seq == event->seq) return event->snapshot;
  auto snapshot = std::make_shared<UnitsSnapshot>();
  snapshot->seq = event->seq;
  snapshot->seats.reserve(event->owner.size());
  for (const std::uint32_t owner : event->owner) {
    snapshot->seats.push_back(owner == 0             ? SeatState::available
                              : owner == mirror_sold ? SeatState::sold
                                                     : SeatState::held);
  }
  snapshot->ga = event->ga;
  snapshot->seats_available = event->seats_available;
  snapshot->seats_sold = event->seats_sold;
  event->snapshot = std::move(snapshot);
  return event->snapshot;
}

std::size_t HoldStore::live_holds() {
  std::shared_lock lock(events_mutex_);
  std::size_t live = 0;
  for (const auto& [id, event] : events_) {
    std::lock_guard event_lock(event->mutex);
    live += event->live_holds;
  }
  return live;
}

// Follows the change streams of every open event: one XREAD over all of them, blocking at
// most follow_block so newly opened events join soon. A dropped connection may mean another
// Redis took over: every mirror is rebuilt.
asio::awaitable<void> HoldStore::follow() {
  asio::steady_timer pause(follower_io_);
  for (;;) {
    std::vector<Event*> events;
    {
      std::shared_lock lock(events_mutex_);
      for (const auto& [id, event] : events_) events.push_back(event.get());
    }
    bool failed = false;
    for (Event* event : events) {
      bool mirrored = false;
      {
        std::lock_guard lock(event->mutex);
        mirrored = event->mirrored;
      }
      if (!mirrored) failed |= !(co_await reload_mirror(follower_client_, *event)).ok();
    }
    std::vector<std::string> command{"XREAD",
                                     "COUNT",
                                     std::to_string(follow_count_max),
                                     "BLOCK",
                                     std::to_string(follow_block.count()),
                                     "STREAMS"};
    for (Event* event : events) command.push_back(event->stream_key());
    for (Event* event : events) {
      std::lock_guard lock(event->mutex);
      command.push_back(event->stream_id);
    }
    if (events.empty()) {  // nothing to follow yet: still tell whether Redis answers
      std::vector<std::string> ping{"PING"};
      auto pong = co_await follower_client_.command(std::move(ping));
      reachable_ = pong && pong->type != Reply::Type::error;
    }
    if (events.empty() || failed) {
      pause.expires_after(follow_block);
      co_await pause.async_wait(asio::use_awaitable);
      continue;
    }
    auto reply = co_await follower_client_.command(std::move(command));
    reachable_ = reply && reply->type != Reply::Type::error;
    if (!reachable_) {
      for (Event* event : events) {
        std::lock_guard lock(event->mutex);
        event->mirrored = false;
      }
      pause.expires_after(follow_block);
      co_await pause.async_wait(asio::use_awaitable);
      continue;
    }
    bool full = false;  // a stream had more than one read brings: read again at once
    for (const Reply& stream : reply->elements) {  // [key, [[id, [field, value, ...]], ...]]
      if (stream.elements.size() != 2) continue;
      full |= stream.elements[1].elements.size() >= follow_count_max;
      Event* event = nullptr;
      for (Event* candidate : events) {
        if (candidate->stream_key() == stream.elements[0].text) event = candidate;
      }
      if (event == nullptr) continue;
      for (const Reply& entry : stream.elements[1].elements) {
        if (entry.elements.size() != 2) continue;
        // Locked per change, not per read: a server thread applying its own change never waits
        // for a whole read's worth (nor for the follower being descheduled in the middle of it).
        std::lock_guard lock(event->mutex);
        std::uint64_t seq = 0;
        std::string_view kind, seats, ga;
        std::uint32_t quantity = 0;
        const auto& fields = entry.elements[1].elements;
        for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
          const std::string& name = fields[i].text;
          const std::string& value = fields[i + 1].text;
          if (name == "seq") seq = static_cast<std::uint64_t>(integer_of(fields[i + 1]));
          if (name == "k") kind = value;
          if (name == "s") seats = value;
          if (name == "g") ga = value;
          if (name == "q") quantity = static_cast<std::uint32_t>(integer_of(fields[i + 1]));
        }
        event->stream_id = entry.elements[0].text;
        if (!event->apply(change_of(event->units.event_id, seq, kind, seats, ga, quantity))) {
          event->mirrored = false;  // a gap: reloaded at the top of the loop
          break;
        }
      }
    }
    if (reply->type == Reply::Type::array && !full) {  // changes came: let more gather
      pause.expires_after(follow_gather);
      co_await pause.async_wait(asio::use_awaitable);
    }
  }
}

}  // namespace boxoffice::redis
