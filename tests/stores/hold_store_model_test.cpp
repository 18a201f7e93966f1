// Both hold stores (services/holds.hpp) against one plain model, under random sequences of
// every HoldStore operation and of time (RapidCheck): explicit seats, best available and GA
// asks, find_hold, release, the two-phase checkout, sweep and the settling of stale checkouts,
// and the organizer changing the hold terms (order limit, prices) between steps, over a small
// event (1-2 sections of a few seats, 1-2 small GA areas, a small order limit,
// sometimes units sold already), with time jumping ahead so that holds expire and checkout
// pins run out. After every step:
//  - the answer (ok, or which error, and the hold_gone reason) is the one the model predicts;
//    every hold's view is the model's (its total fixed by the prices it was made at); best
//    available is the brute force's choice;
//  - the change listener heard exactly this step's changes, numbered on one by one: the call's
//    own in order, and one expiry for each hold that came due (in any order among themselves);
//    replayed on a copy of the units, each change is a legal move (held only what was free,
//    nothing held twice, sold never back to available, GA never over capacity);
//  - the snapshot (states, counts, GA counters, seq) agrees with the model and with that copy;
//    find_hold of every live hold answers the model's view; after a sweep, so does
//    live_holds().
// Where the contract lets a store choose, the test does not: whether a call that answers
// without looking at the units (a rejected ask, an unknown hold) ends the holds due at `now`
// is the store's business, so the test then asks each hold that came due with find_hold at
// `now` (which must answer "expired"): the changes of a step are known whichever call ended
// them. Pins of a checkout run out in Redis (its node may die) and never in memory (the
// process that pinned is the one that checks out), as each store documents: that is the one
// difference the model knows. Settling a stale checkout as sold is finish_checkout, which
// takes no `now`: the units are sold even past the hold's deadline (the order exists).
// A Redis node learns expiries through its change stream: the test waits (at most 5 s) for
// the node to reach the model's sequence number before it compares.
// Each store runs RC_PARAMS' max_success cases (ctest sets them, with a fixed seed), each on a
// fresh store and event; then the test checks that every operation and outcome came up, so
// the generators are known to reach them (RC_COVERAGE=1 prints the counts).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>

#include "../core/best_available_reference.hpp"
#include "../core/error_names.hpp"
#include "../core/layout_builder.hpp"
#include "../support/run_coroutine.hpp"
#include "../support/test_redis.hpp"
#include "services/clock.hpp"
#include "services/holds.hpp"
#include "stores/memory/hold_store.hpp"
#include "stores/redis/hold_store.hpp"

namespace boxoffice {
namespace {

namespace asio = boost::asio;
using testing::build_layout;
using testing::name_of;
using testing::reference_best_available;

// How often each operation and outcome came up, over all cases of one store.
std::map<std::string, int> coverage;

// The facts the model reads: the reason a hold ended, and the seats a hold found taken.
std::string reason_of(const Error& error) { return error.facts.reason; }

std::set<SeatIndex> unavailable_of(const Error& error) {
  return {error.facts.seat_indexes.begin(), error.facts.seat_indexes.end()};
}

struct StoreKind {
  std::string name;
  bool pins_run_out = false;  // Redis: a pin ends after pin_ms; memory: with the checkout
};

struct ModelHold {
  std::vector<SeatIndex> seats;
  std::optional<std::uint32_t> ga_area;
  std::uint32_t ga_quantity = 0;
  UnixMillis created_at = 0;
  UnixMillis expires_at = 0;
  bool confirming = false;
  UnixMillis pin_end = 0;
  std::uint32_t aborted_checkouts = 0;
  std::int64_t total_cents = 0;
};

struct ExpectedChange {
  ChangeKind kind = ChangeKind::held;
  std::vector<SeatIndex> seats;
  std::optional<std::uint32_t> ga_area;
  std::uint32_t ga_quantity = 0;
  std::optional<std::uint64_t> seq;  // when the store's answer named it (Held::seq)

  auto key() const { return std::tie(kind, seats, ga_area, ga_quantity); }
};

const char* reason_name(ChangeKind why) {
  switch (why) {
    case ChangeKind::expired:
      return "expired";
    case ChangeKind::released:
      return "released";
    case ChangeKind::sold:
      return "checked_out";
    case ChangeKind::held:
      break;
  }
  return "held";
}

// The contract, written as plainly as possible.
struct Model {
  const Layout* layout = nullptr;
  std::uint32_t max_per_order = 0;
  bool pins_run_out = false;
  std::map<HoldId, ModelHold> holds;    // live, by id
  std::map<HoldId, std::string> ended;  // why each ended hold ended
  std::set<SeatIndex> sold;
  std::vector<std::uint32_t> ga_capacity;
  std::vector<std::uint32_t> ga_sold;
  std::uint64_t seq = 0;
  // This step's changes: the call's own, in order, and the expiries, in any order.
  std::vector<ExpectedChange> own;
  std::vector<ExpectedChange> expiries;
  std::vector<HoldId> expired_ids;

  std::optional<HoldId> holder_of(SeatIndex seat) const {
    for (const auto& [id, hold] : holds) {
      if (std::find(hold.seats.begin(), hold.seats.end(), seat) != hold.seats.end()) return id;
    }
    return std::nullopt;
  }
  bool available(SeatIndex seat) const { return !sold.contains(seat) && !holder_of(seat); }
  std::uint32_t ga_held(std::uint32_t area) const {
    std::uint32_t held = 0;
    for (const auto& [id, hold] : holds) {
      if (hold.ga_area == area) held += hold.ga_quantity;
    }
    return held;
  }
  std::uint32_t ga_left(std::uint32_t area) const {
    return ga_capacity[area] - ga_held(area) - ga_sold[area];
  }
  bool due(const ModelHold& hold, UnixMillis now) const {
    return !hold.confirming && hold.expires_at <= now;
  }
  ExpectedChange change_of(ChangeKind kind, const ModelHold& hold) const {
    return {kind, hold.seats, hold.ga_area, hold.ga_quantity, std::nullopt};
  }

  void grant(const HoldId& id, ModelHold hold, std::uint64_t seq_answered) {
    ExpectedChange change = change_of(ChangeKind::held, hold);
    change.seq = seq_answered;
    own.push_back(std::move(change));
    ++seq;
    holds.emplace(id, std::move(hold));
  }
  // Ends a live hold: released, expired or sold.
  void end(const HoldId& id, ChangeKind why) {
    const ModelHold hold = holds.at(id);
    (why == ChangeKind::expired ? expiries : own).push_back(change_of(why, hold));
    ++seq;
    if (why == ChangeKind::expired) expired_ids.push_back(id);
    if (why == ChangeKind::sold) {
      sold.insert(hold.seats.begin(), hold.seats.end());
      if (hold.ga_area) ga_sold[*hold.ga_area] += hold.ga_quantity;
    }
    holds.erase(id);
    ended[id] = reason_name(why);
  }
  // Every unpinned hold whose deadline is at or before `now` ends (exact expiry).
  void expire(UnixMillis now) {
    std::vector<HoldId> due_ids;
    for (const auto& [id, hold] : holds) {
      if (due(hold, now)) due_ids.push_back(id);
    }
    for (const HoldId& id : due_ids) {
      ++coverage[holds.at(id).expires_at == now ? "expired exactly at the deadline"
                                                : "expired past the deadline"];
      end(id, ChangeKind::expired);
    }
  }
  // The model's own invariants: no unit in two live holds, or held and sold; GA in capacity.
  void check() const {
    std::set<SeatIndex> held;
    for (const auto& [id, hold] : holds) {
      for (const SeatIndex seat : hold.seats) {
        RC_ASSERT(held.insert(seat).second);
        RC_ASSERT(!sold.contains(seat));
      }
    }
    for (std::uint32_t area = 0; area < ga_capacity.size(); ++area) {
      RC_ASSERT(ga_held(area) + ga_sold[area] <= ga_capacity[area]);
    }
  }
};

// The units as the change listener tells them, replayed change by change.
struct Replica {
  std::vector<SeatState> seats;
  std::vector<GaCounts> ga;

  // Each change must be a legal move from the state before it.
  void apply(const UnitsChange& change) {
    const bool taking = change.kind == ChangeKind::held;
    for (const SeatIndex seat : change.seats) {
      SeatState& state = seats.at(seat);
      RC_ASSERT(state == (taking ? SeatState::available : SeatState::held));
      state = taking                            ? SeatState::held
              : change.kind == ChangeKind::sold ? SeatState::sold
                                                : SeatState::available;
    }
    if (!change.ga_area) return;
    GaCounts& counts = ga.at(*change.ga_area);
    if (taking) {
      counts.held += change.ga_quantity;
      RC_ASSERT(counts.held + counts.sold <= counts.capacity);
      return;
    }
    RC_ASSERT(counts.held >= change.ga_quantity);
    counts.held -= change.ga_quantity;
    if (change.kind == ChangeKind::sold) counts.sold += change.ga_quantity;
  }
};

// What the listener heard, from whichever thread the store calls it on.
struct Heard {
  std::mutex mutex;
  std::vector<UnitsChange> changes;
  std::size_t size() {
    std::lock_guard lock(mutex);
    return changes.size();
  }
};

std::unique_ptr<HoldStore> make_store(const StoreKind& kind, Metrics& metrics) {
  if (kind.name == "memory") return std::make_unique<memory::HoldStore>(5ull << 32, metrics);
  return std::make_unique<redis::HoldStore>(
      redis::parse_redis_endpoint(testing::test_redis_url()).value(),
      [] { return Result<std::uint64_t>(5); }, metrics);
}

// One case: a fresh store (its own io_context, so its connections close with it) and event.
struct Case {
  explicit Case(const StoreKind& kind_) : kind(kind_), store(make_store(kind, metrics)) {
    store->on_change([this](const UnitsChange& change) {
      std::lock_guard lock(heard.mutex);
      heard.changes.push_back(change);
    });
  }
  ~Case() { store.reset(); }  // first: its follower thread calls the listener

  template <class T>
  T run(asio::awaitable<T> work) {
    return testing::run_coroutine(io, std::move(work));
  }

  const StoreKind& kind;
  Heard heard;
  Metrics metrics;
  asio::io_context io;
  std::unique_ptr<HoldStore> store;
  std::int64_t event_id = 0;
  HoldTerms terms;  // the event's as last changed
  Model model;
  Replica replica;
  UnixMillis now = 0;
  UnixMillis store_now = 0;  // the last `now` the store has seen every due hold end at
  std::size_t heard_checked = 0;
  std::vector<HoldId> known;        // every id ever granted
  std::set<HoldId> reported_stale;  // by any sweep so far
  std::optional<HoldId> unknown;    // an id never granted
};

// A value in [min, max), uniformly whatever the case's size (RapidCheck's inRange grows with
// the size). Still shrinks towards `min`. Clamped: while shrinking, RapidCheck replays values
// drawn before, and a range that depends on the state (how many holds are live) may have
// become smaller since.
template <class T>
T uniform(T min, T max) {
  const auto low = static_cast<std::int64_t>(min);
  const auto high = static_cast<std::int64_t>(max);
  const std::int64_t draw = *rc::gen::resize(100, rc::gen::inRange(low, high));
  return static_cast<T>(std::clamp(draw, low, high - 1));
}

// `count` values of [min, max), each drawn as uniform() does.
template <class T>
std::vector<T> uniform_values(std::size_t count, T min, T max) {
  std::vector<T> values;
  for (std::size_t i = 0; i < count; ++i) values.push_back(uniform(min, max));
  return values;
}

bool coin() { return uniform(0, 2) == 1; }

template <class T>
T pick(const std::vector<T>& items) {
  return items[uniform<std::size_t>(0, items.size())];
}

// The answer is the expected error, or ok; counted as the operation's outcome (+ detail).
template <class T>
void expect_outcome(const std::string& operation, const Result<T>& result,
                    std::optional<Errc> expected, const std::string& detail = "") {
  if (!expected) {
    if (!result.ok()) RC_FAIL(operation + " failed: " + result.error().detail);
    ++coverage[operation + ": ok" + detail];
    return;
  }
  if (result.ok()) RC_FAIL(operation + " succeeded, expected " + name_of(*expected));
  if (result.error().code != *expected) {
    RC_FAIL(operation + ": " + name_of(result.error().code) + " (" + result.error().detail +
            "), expected " + name_of(*expected));
  }
  ++coverage[operation + ": " + name_of(*expected) + detail];
}

// find_hold, release and begin_checkout of a hold that is not live: hold_gone with the
// reason it ended, or not_found if it never was.
template <class T>
void expect_not_live(const Model& model, const std::string& operation, const HoldId& id,
                     const Result<T>& result) {
  const auto ended = model.ended.find(id);
  if (ended == model.ended.end()) {
    expect_outcome(operation, result, Errc::not_found);
    return;
  }
  expect_outcome(operation, result, Errc::hold_gone, " " + ended->second);
  RC_ASSERT(reason_of(result.error()) == ended->second);
}

void expect_view(const HoldView& view, const HoldId& id, const ModelHold& hold) {
  RC_ASSERT(view.id == id);
  RC_ASSERT(view.seats == hold.seats);
  RC_ASSERT(view.ga_area == hold.ga_area);
  RC_ASSERT(view.ga_quantity == hold.ga_quantity);
  RC_ASSERT(view.created_at == hold.created_at);
  RC_ASSERT(view.expires_at == hold.expires_at);
  RC_ASSERT(view.confirming == hold.confirming);
  RC_ASSERT(view.aborted_checkouts == hold.aborted_checkouts);
  RC_ASSERT(view.total_cents == hold.total_cents);
}

// Mostly a live hold (possibly due, possibly pinned); else one granted before, or one that
// never was.
HoldId some_id(Case& c) {
  if (!c.model.holds.empty() && coin()) {
    return std::next(c.model.holds.begin(), uniform<std::ptrdiff_t>(0, c.model.holds.size()))
        ->first;
  }
  if (c.known.empty() || uniform(0, 4) == 0) {
    if (c.unknown) return *c.unknown;
    return HoldId{{0x01}};
  }
  return pick(c.known);
}

// A granted hold: a new id, of this event, and now the model's.
void expect_granted(Case& c, const Result<Held>& held, ModelHold hold) {
  const HoldId id = held->hold.id;
  for (const SeatIndex seat : hold.seats) hold.total_cents += c.terms.prices->seat_cents[seat];
  if (hold.ga_area) {
    hold.total_cents += hold.ga_quantity * c.terms.prices->ga_cents[*hold.ga_area];
  }
  RC_ASSERT(!c.model.holds.contains(id) && !c.model.ended.contains(id));
  RC_ASSERT(c.store->event_of(id) == c.event_id);
  expect_view(held->hold, id, hold);
  c.model.grant(id, std::move(hold), held->seq);
  c.known.push_back(id);
  if (!c.unknown) {
    c.unknown = id;
    c.unknown->bytes[0] ^= 0xff;  // the same event, never handed out
  }
}

// Explicit seats: possibly none, too many, repeated, or taken.
void hold_seats_step(Case& c, UnixMillis lifetime) {
  Model& m = c.model;
  const auto seat_count = static_cast<SeatIndex>(m.layout->seats.size());
  const auto seats =
      uniform_values<SeatIndex>(uniform<std::size_t>(0, m.max_per_order + 2), 0, seat_count);
  m.expire(c.now);
  std::set<SeatIndex> taken;
  for (const SeatIndex seat : seats) {
    if (!m.available(seat)) taken.insert(seat);
  }
  std::optional<Errc> expected;
  if (seats.empty()) {
    expected = Errc::invalid_field;
  } else if (seats.size() > m.max_per_order) {
    expected = Errc::over_order_limit;
  } else if (std::set<SeatIndex>(seats.begin(), seats.end()).size() != seats.size()) {
    expected = Errc::duplicate_seats;
  } else if (!taken.empty()) {
    expected = Errc::seats_unavailable;
  }
  const auto held =
      c.run(c.store->hold(c.event_id, HoldAsk(seats), c.terms, c.now, c.now + lifetime));
  expect_outcome("hold seats", held, expected);
  if (expected == Errc::seats_unavailable) RC_ASSERT(unavailable_of(held.error()) == taken);
  if (!expected) expect_granted(c, held, {seats, std::nullopt, 0, c.now, c.now + lifetime});
}

// Best available, with a random section filter: exactly the brute force's choice.
void hold_best_step(Case& c, UnixMillis lifetime) {
  Model& m = c.model;
  BestAvailableQuery query;
  query.count = uniform<std::uint32_t>(0, m.max_per_order + 2);
  if (coin()) {
    const auto sections = static_cast<std::uint32_t>(m.layout->sections.size());
    query.sections = uniform_values(uniform<std::size_t>(1, 3), 0u, sections);
  }
  m.expire(c.now);
  const auto reference = reference_best_available(
      *m.layout, [&](SeatIndex s) { return m.available(s); }, query.count, query.sections);
  std::optional<Errc> expected;
  if (query.count == 0) {
    expected = Errc::invalid_field;
  } else if (query.count > m.max_per_order) {
    expected = Errc::over_order_limit;
  } else if (!reference) {
    expected = Errc::not_enough_seats;
  }
  // Whether the choice needs seats of a hold that came due at this very call.
  std::set<SeatIndex> freed;
  for (const ExpectedChange& expiry : m.expiries)
    freed.insert(expiry.seats.begin(), expiry.seats.end());
  const bool freed_now = !expected && std::any_of(reference->begin(), reference->end(),
                                                  [&](SeatIndex s) { return freed.contains(s); });
  const auto held =
      c.run(c.store->hold(c.event_id, HoldAsk(query), c.terms, c.now, c.now + lifetime));
  expect_outcome("hold best available", held, expected, freed_now ? " after expiries" : "");
  if (!expected) expect_granted(c, held, {*reference, std::nullopt, 0, c.now, c.now + lifetime});
}

// General admission: of an area, or of one that doesn't exist.
void hold_ga_step(Case& c, UnixMillis lifetime) {
  Model& m = c.model;
  const auto areas = static_cast<std::uint32_t>(m.ga_capacity.size());
  const bool no_such_area = uniform(0, 8) == 0;
  const auto area = no_such_area ? areas : uniform<std::uint32_t>(0, areas);
  // With no such area, a valid quantity: which of two faults a store names first is not
  // part of the contract.
  const auto quantity = no_such_area ? uniform<std::uint32_t>(1, m.max_per_order + 1)
                                     : uniform<std::uint32_t>(0, m.max_per_order + 2);
  m.expire(c.now);
  std::optional<Errc> expected;
  if (no_such_area || quantity == 0) {
    expected = Errc::invalid_field;
  } else if (quantity > m.max_per_order) {
    expected = Errc::over_order_limit;
  } else if (quantity > m.ga_left(area)) {
    expected = Errc::not_enough_seats;
  }
  const auto held = c.run(
      c.store->hold(c.event_id, HoldAsk(GaAsk{area, quantity}), c.terms, c.now, c.now + lifetime));
  expect_outcome("hold ga", held, expected, no_such_area ? " (no such area)" : "");
  if (!expected) expect_granted(c, held, {{}, area, quantity, c.now, c.now + lifetime});
}

void find_step(Case& c) {
  const HoldId id = some_id(c);
  c.model.expire(c.now);
  const auto found = c.run(c.store->find_hold(id, c.now));
  const auto live = c.model.holds.find(id);
  if (live == c.model.holds.end()) return expect_not_live(c.model, "find_hold", id, found);
  expect_outcome("find_hold", found, std::nullopt, live->second.confirming ? " pinned" : "");
  expect_view(*found, id, live->second);
}

void release_step(Case& c) {
  const HoldId id = some_id(c);
  c.model.expire(c.now);
  const auto released = c.run(c.store->release(id, c.now));
  const auto live = c.model.holds.find(id);
  if (live == c.model.holds.end()) return expect_not_live(c.model, "release", id, released);
  if (live->second.confirming) {
    return expect_outcome("release", released, Errc::checkout_in_progress);
  }
  expect_outcome("release", released, std::nullopt);
  c.model.end(id, ChangeKind::released);
}

// Pins the hold for a checkout (due holds expired first). A pin that ran out belongs to a
// node that died: a new attempt takes the checkout over.
void begin_checkout(Case& c, const HoldId& id) {
  const auto pin_ms = uniform<UnixMillis>(1, 12);
  Model& m = c.model;
  m.expire(c.now);
  const auto pinned = c.run(c.store->begin_checkout(id, c.now, pin_ms));
  const auto live = m.holds.find(id);
  if (live == m.holds.end()) return expect_not_live(m, "begin_checkout", id, pinned);
  ModelHold& hold = live->second;
  std::string detail;
  if (hold.confirming) {
    if (!m.pins_run_out || hold.pin_end > c.now) {
      detail = hold.pin_end > c.now ? "" : " past the pin";
      return expect_outcome("begin_checkout", pinned, Errc::checkout_in_progress, detail);
    }
    ++hold.aborted_checkouts;
    detail = " taking over a stale pin";
  }
  hold.confirming = true;
  hold.pin_end = c.now + pin_ms;
  expect_outcome("begin_checkout", pinned, std::nullopt, detail);
  expect_view(*pinned, id, hold);
}

void begin_checkout_step(Case& c) { begin_checkout(c, some_id(c)); }

// Ends a checkout in progress with its order stored, or asks again for one that did.
void finish_step(Case& c) {
  Model& m = c.model;
  std::vector<HoldId> targets;
  for (const auto& [id, hold] : m.holds) {
    if (hold.confirming) targets.push_back(id);
  }
  if (targets.empty() || uniform(0, 4) == 0) {
    for (const auto& [id, why] : m.ended) {
      if (why == "checked_out") targets.push_back(id);
    }
  }
  if (targets.empty()) return;
  const HoldId id = pick(targets);
  const auto finished = c.run(c.store->finish_checkout(id));
  const auto live = m.holds.find(id);
  if (live == m.holds.end())
    return expect_outcome("finish_checkout", finished, std::nullopt, " again");
  const ModelHold& hold = live->second;
  expect_outcome("finish_checkout", finished, std::nullopt);
  if (hold.expires_at <= c.now) ++coverage["finish_checkout past the deadline"];
  if (m.pins_run_out && hold.pin_end <= c.now) ++coverage["finish_checkout past the pin"];
  m.end(id, ChangeKind::sold);
}

// Gives a checkout up (the hold is held again, or expires if its time has passed), or asks
// again for a live hold that is not being checked out (a no-op). Answers whether it called.
bool abort_step(Case& c) {
  Model& m = c.model;
  std::vector<HoldId> pinned;
  std::vector<HoldId> unpinned;  // and not due: an abort of an ended hold is not asked for
  for (const auto& [id, hold] : m.holds) {
    if (hold.confirming) pinned.push_back(id);
    if (!m.due(hold, c.now) && !hold.confirming) unpinned.push_back(id);
  }
  if (pinned.empty() && unpinned.empty()) return false;
  const bool again = pinned.empty() || (!unpinned.empty() && uniform(0, 4) == 0);
  const HoldId id = pick(again ? unpinned : pinned);
  m.expire(c.now);
  const auto aborted = c.run(c.store->abort_checkout(id, c.now));
  if (again) {
    expect_outcome("abort_checkout", aborted, std::nullopt, " not pinned");
    return true;
  }
  ModelHold& hold = m.holds.at(id);
  hold.confirming = false;
  ++hold.aborted_checkouts;
  const bool late = hold.expires_at <= c.now;
  expect_outcome("abort_checkout", aborted, std::nullopt, late ? " past the deadline" : "");
  if (late) m.end(id, ChangeKind::expired);
  return true;
}

// What the sweeper's caller does with a stale checkout: sold if the source of truth has its
// order (its units are sold, whatever the hold's deadline: the order exists), else held again
// unless another checkout took it over meanwhile.
void settle(Case& c, const HoldId& id, bool sold) {
  Model& m = c.model;
  const auto settled = c.run(c.store->settle_stale_checkout(id, sold, c.now));
  const auto live = m.holds.find(id);
  std::string detail = sold ? " sold" : " not sold";
  if (live == m.holds.end()) {
    detail += " after it ended";
  } else if (sold) {
    if (live->second.expires_at <= c.now) detail += " past the deadline";
    m.end(id, ChangeKind::sold);
  } else if (!live->second.confirming || live->second.pin_end > c.now) {
    detail += ", taken over or given up meanwhile";
  } else {
    ModelHold& hold = live->second;
    hold.confirming = false;
    ++hold.aborted_checkouts;
    if (hold.expires_at <= c.now) {
      detail += ", past the deadline";
      m.end(id, ChangeKind::expired);
    }
  }
  expect_outcome("settle_stale_checkout", settled, std::nullopt, detail);
}

void sweep_step(Case& c) {
  Model& m = c.model;
  const std::size_t live_before = m.holds.size();
  m.expire(c.now);
  std::set<HoldId> stale;
  for (const auto& [id, hold] : m.holds) {
    if (hold.confirming && m.pins_run_out && hold.pin_end <= c.now) stale.insert(id);
  }
  const auto swept = c.run(c.store->sweep(c.now));
  if (!swept.ok()) RC_FAIL("sweep failed: " + swept.error().detail);
  RC_ASSERT(swept->expired == live_before - m.holds.size());
  const std::set<HoldId> reported(swept->stale_checkouts.begin(), swept->stale_checkouts.end());
  RC_ASSERT(reported.size() == swept->stale_checkouts.size());  // each once
  RC_ASSERT(reported == stale);
  RC_ASSERT(c.store->live_holds() == m.holds.size());  // as of the sweep
  // Each settled at once, as Booking::sweep does; or after the buyer's retry on another node
  // took the checkout over (which the settling must not undo); or later, by a slow sweeper.
  for (const HoldId& id : stale) {
    c.reported_stale.insert(id);
    const int what = uniform(0, 4);
    if (what == 0) begin_checkout(c, id);
    if (what <= 2) settle(c, id, coin());
  }
  ++coverage[swept->expired > 0 ? "sweep: expired some" : "sweep: nothing due"];
  if (!stale.empty()) ++coverage["sweep: stale checkouts"];
  const bool pinned_past_pin = std::any_of(m.holds.begin(), m.holds.end(), [&](const auto& h) {
    return h.second.confirming && h.second.pin_end <= c.now;
  });
  if (!m.pins_run_out && pinned_past_pin) ++coverage["sweep: pinned past the pin, not stale"];
}

// Settles a checkout a sweep reported stale, some steps later (a slow sweeper). Answers
// whether it gave the store `now`.
bool settle_step(Case& c) {
  Model& m = c.model;
  // The reported ones still live; or, sometimes, one that was sold since.
  std::vector<HoldId> targets;
  for (const HoldId& id : c.reported_stale) {
    if (m.holds.contains(id)) targets.push_back(id);
  }
  if (targets.empty() || uniform(0, 4) == 0) {
    for (const HoldId& id : c.reported_stale) {
      if (m.ended.contains(id) && m.ended.at(id) == "checked_out") targets.push_back(id);
    }
  }
  if (targets.empty()) return false;
  const HoldId id = pick(targets);
  // Settling as sold is finish_checkout, which takes no `now`.
  const bool sold = coin();
  if (!sold) m.expire(c.now);
  settle(c, id, sold);
  return !sold;
}

// Time passes: a little, a lot, to the next deadline or pin end, or to just before one.
void advance_time(Case& c) {
  std::optional<UnixMillis> next;
  for (const auto& [id, hold] : c.model.holds) {
    const UnixMillis at = hold.confirming ? hold.pin_end : hold.expires_at;
    if (at > c.now && (!next || at < *next)) next = at;
  }
  switch (uniform(0, 10)) {
    case 0:
      c.now += uniform<UnixMillis>(0, 5);
      break;
    case 1:
    case 2:
    case 3:
    case 4:
      c.now += uniform<UnixMillis>(5, 60);
      break;
    case 5:
      c.now += uniform<UnixMillis>(1'000, 100'000);
      break;
    case 6:
    case 7:
      if (next) c.now = *next;
      break;
    default:
      if (next && *next - 1 > c.now) c.now = *next - 1;
      break;
  }
}

// Asks each hold that came due in this step whether it expired: it must have, and the store
// must end it now if the step's call chose not to.
void ask_due_holds(Case& c) {
  for (const HoldId& id : c.model.expired_ids) {
    const auto found = c.run(c.store->find_hold(id, c.now));
    if (found.ok()) RC_FAIL("a hold live past its deadline");
    if (found.error().code != Errc::hold_gone || reason_of(found.error()) != "expired") {
      RC_FAIL("a hold that came due: " + found.error().detail);
    }
  }
}

// Waits until the listener heard `count` changes in all and the snapshot reached the model's
// seq: a Redis node learns of expiries by its change stream, milliseconds later.
std::shared_ptr<const UnitsSnapshot> settled_snapshot(Case& c, std::size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    auto snapshot = c.store->snapshot(c.event_id, c.store_now);
    const bool caught_up = snapshot && (*snapshot)->seq >= c.model.seq;
    if (caught_up && c.heard.size() >= count) return *snapshot;
    if (std::chrono::steady_clock::now() > deadline) {
      RC_FAIL("the store did not reach seq " + std::to_string(c.model.seq) + " with " +
              std::to_string(count) + " changes heard (heard " + std::to_string(c.heard.size()) +
              ")");
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
}

// The step's changes as heard: numbered on one by one; the call's own in order, each expiry
// once; each a legal move on the replica.
void expect_heard(Case& c, std::uint64_t seq_before) {
  const std::size_t count = c.model.seq - seq_before;
  std::vector<UnitsChange> heard;
  {
    std::lock_guard lock(c.heard.mutex);
    RC_ASSERT(c.heard.changes.size() == c.heard_checked + count);
    heard.assign(c.heard.changes.begin() + static_cast<std::ptrdiff_t>(c.heard_checked),
                 c.heard.changes.end());
  }
  c.heard_checked += count;
  std::multiset<
      std::tuple<ChangeKind, std::vector<SeatIndex>, std::optional<std::uint32_t>, std::uint32_t>>
      expiries;
  for (const ExpectedChange& change : c.model.expiries) expiries.insert(change.key());
  std::size_t own = 0;
  for (std::size_t i = 0; i < heard.size(); ++i) {
    const UnitsChange& change = heard[i];
    RC_ASSERT(change.event_id == c.event_id);
    RC_ASSERT(!change.reloaded);
    RC_ASSERT(change.seq == seq_before + 1 + i);
    const auto key = std::tie(change.kind, change.seats, change.ga_area, change.ga_quantity);
    if (change.kind == ChangeKind::expired) {
      const auto it = expiries.find(key);
      RC_ASSERT(it != expiries.end());
      expiries.erase(it);
    } else {
      RC_ASSERT(own < c.model.own.size());
      const ExpectedChange& expected = c.model.own[own++];
      RC_ASSERT(key == expected.key());
      RC_ASSERT(!expected.seq || *expected.seq == change.seq);
    }
    c.replica.apply(change);
  }
  RC_ASSERT(own == c.model.own.size());
  c.model.own.clear();
  c.model.expiries.clear();
  c.model.expired_ids.clear();
}

// The snapshot against the model and against the replica of what the listener said.
void expect_snapshot(const Case& c, const UnitsSnapshot& snapshot) {
  const Model& m = c.model;
  RC_ASSERT(snapshot.seq == m.seq);
  RC_ASSERT(snapshot.seats.size() == m.layout->seats.size());
  std::uint32_t available = 0;
  for (SeatIndex seat = 0; seat < snapshot.seats.size(); ++seat) {
    const SeatState expected = m.sold.contains(seat) ? SeatState::sold
                               : m.holder_of(seat)   ? SeatState::held
                                                     : SeatState::available;
    RC_ASSERT(snapshot.seats[seat] == expected);
    RC_ASSERT(c.replica.seats[seat] == expected);
    if (expected == SeatState::available) ++available;
  }
  RC_ASSERT(snapshot.seats_available == available);
  RC_ASSERT(snapshot.seats_sold == m.sold.size());
  RC_ASSERT(snapshot.ga.size() == m.ga_capacity.size());
  for (std::uint32_t area = 0; area < m.ga_capacity.size(); ++area) {
    for (const GaCounts& counts : {snapshot.ga[area], c.replica.ga[area]}) {
      RC_ASSERT(counts.capacity == m.ga_capacity[area]);
      RC_ASSERT(counts.held == m.ga_held(area));
      RC_ASSERT(counts.sold == m.ga_sold[area]);
    }
  }
}

// Everything observable after a step. `took_now`: the step's call was given `now`.
void expect_agreement(Case& c, std::uint64_t seq_before, bool took_now) {
  if (took_now) {
    ask_due_holds(c);
    c.store_now = c.now;
  }
  c.model.check();
  const auto snapshot = settled_snapshot(c, c.heard_checked + (c.model.seq - seq_before));
  expect_heard(c, seq_before);
  expect_snapshot(c, *snapshot);
  // Nothing is due at store_now: these reads change nothing.
  for (const auto& [id, hold] : c.model.holds) {
    const auto found = c.run(c.store->find_hold(id, c.store_now));
    if (!found.ok()) RC_FAIL("find_hold of a live hold failed: " + found.error().detail);
    expect_view(*found, id, hold);
  }
}

// The organizer changes the event: a new order limit (1-4) and new prices (0-999 cents a
// unit) for the holds made from now on; live holds keep their totals.
void change_terms(Case& c) {
  auto prices = std::make_shared<UnitPrices>();
  prices->currency = "EUR";
  for (std::size_t i = 0; i < c.model.layout->seats.size(); ++i) {
    prices->seat_cents.push_back(uniform<std::int64_t>(0, 1'000));
  }
  for (std::size_t i = 0; i < c.model.layout->ga_areas.size(); ++i) {
    prices->ga_cents.push_back(uniform<std::int64_t>(0, 1'000));
  }
  c.model.max_per_order = uniform<std::uint32_t>(1, 5);
  c.terms = HoldTerms{c.model.max_per_order, std::move(prices)};
}

// A small random event: 1-2 sections of 1-2 rows of 1-5 seats (scored, or by nearness),
// 1-2 GA areas of 1-6 places, an order limit of 1-4; sometimes with units sold already.
// Opens it on a fresh event id, and starts the model, the replica and the clock.
void open_event(Case& c, std::shared_ptr<const Layout>& layout) {
  std::vector<std::vector<int>> rows(uniform<std::size_t>(1, 3));
  std::size_t seat_count = 0;
  for (auto& section : rows) {
    section = uniform_values(uniform<std::size_t>(1, 3), 1, 6);
    for (const int seats : section) seat_count += static_cast<std::size_t>(seats);
  }
  const auto capacities = uniform_values(uniform<std::size_t>(1, 3), 1u, 7u);
  std::vector<double> scores;
  if (coin()) {
    for (std::size_t i = 0; i < seat_count; ++i) scores.push_back(uniform(0, 4));
  }
  layout = build_layout(rows, capacities, scores);
  SoldIndexes sold;
  std::vector<std::uint32_t> ga_sold(capacities.size(), 0);
  if (uniform(0, 4) == 0) {
    for (SeatIndex seat = 0; seat < seat_count; ++seat) {
      if (uniform(0, 4) == 0) sold.seats.push_back(seat);
    }
    for (std::uint32_t area = 0; area < capacities.size(); ++area) {
      ga_sold[area] = uniform<std::uint32_t>(0, capacities[area] + 1);
      sold.ga.emplace_back(area, ga_sold[area]);
    }
    ++coverage["started with sales loaded"];
  }
  c.event_id = testing::fresh_event_id();
  const Status opened =
      c.store->open_event({c.event_id, layout, [sold] { return Result<SoldIndexes>(sold); }});
  if (!opened.ok()) RC_FAIL("open_event failed: " + opened.error().detail);

  Model& m = c.model;
  m = Model{layout.get(), 0, c.kind.pins_run_out};
  change_terms(c);
  m.sold.insert(sold.seats.begin(), sold.seats.end());
  m.ga_capacity = capacities;
  m.ga_sold = ga_sold;
  c.now = c.store_now = system_now();  // Redis keeps ended holds an hour of its own clock
  const auto snapshot = c.store->snapshot(c.event_id, c.now);
  RC_ASSERT(snapshot.ok());
  m.seq = (*snapshot)->seq;
  RC_ASSERT(m.seq >= 5ull << 32);  // above every number of an earlier epoch
  for (SeatIndex seat = 0; seat < seat_count; ++seat) {
    c.replica.seats.push_back(m.sold.contains(seat) ? SeatState::sold : SeatState::available);
  }
  for (std::uint32_t area = 0; area < capacities.size(); ++area) {
    c.replica.ga.push_back(GaCounts{capacities[area], 0, ga_sold[area]});
  }
  expect_snapshot(c, **snapshot);
  // A Redis node tells that it (re)loaded the event: its state jumps to the snapshot's seq.
  std::lock_guard lock(c.heard.mutex);
  for (const UnitsChange& change : c.heard.changes) {
    RC_ASSERT(change.reloaded && change.seq == m.seq);
  }
  c.heard_checked = c.heard.changes.size();
}

void run_case(const StoreKind& kind) {
  Case c(kind);
  std::shared_ptr<const Layout> layout;
  open_event(c, layout);
  const int steps = uniform(1, 101);
  for (int step = 0; step < steps; ++step) {
    const std::uint64_t seq_before = c.model.seq;
    // Short-lived holds expire often; long-lived ones outlast checkout pins (1-11 ms).
    const auto lifetime = coin() ? uniform<UnixMillis>(1, 30) : uniform<UnixMillis>(30, 300);
    bool took_now = true;
    switch (uniform(0, 19)) {
      case 0:
      case 1:
        hold_seats_step(c, lifetime);
        break;
      case 2:
      case 3:
        hold_best_step(c, lifetime);
        break;
      case 4:
        hold_ga_step(c, lifetime);
        break;
      case 5:
        find_step(c);
        break;
      case 6:
        release_step(c);
        break;
      case 7:
      case 8:
        begin_checkout_step(c);
        break;
      case 9:
        finish_step(c);
        took_now = false;  // finish_checkout takes no `now`
        break;
      case 10:
        took_now = abort_step(c);
        break;
      case 11:
      case 12:
        sweep_step(c);
        break;
      case 13:
      case 14:
        took_now = settle_step(c);
        break;
      case 15:
        change_terms(c);
        ++coverage["terms changed"];
        took_now = false;
        break;
      default:
        advance_time(c);
        took_now = uniform(0, 3) == 0;  // the sweeper's timer fired, as it does every 100 ms
        if (took_now) sweep_step(c);
        break;
    }
    expect_agreement(c, seq_before, took_now);
  }
}

const std::vector<std::string> outcomes_of_both = {
    "hold seats: ok",
    "hold seats: invalid_field",
    "hold seats: over_order_limit",
    "hold seats: duplicate_seats",
    "hold seats: seats_unavailable",
    "hold best available: ok",
    "hold best available: ok after expiries",
    "hold best available: invalid_field",
    "hold best available: over_order_limit",
    "hold best available: not_enough_seats",
    "hold ga: ok",
    "hold ga: invalid_field",
    "hold ga: invalid_field (no such area)",
    "hold ga: over_order_limit",
    "hold ga: not_enough_seats",
    "find_hold: ok",
    "find_hold: ok pinned",
    "find_hold: hold_gone expired",
    "find_hold: hold_gone released",
    "find_hold: hold_gone checked_out",
    "find_hold: not_found",
    "release: ok",
    "release: hold_gone expired",
    "release: hold_gone released",
    "release: hold_gone checked_out",
    "release: not_found",
    "release: checkout_in_progress",
    "begin_checkout: ok",
    "begin_checkout: hold_gone expired",
    "begin_checkout: hold_gone checked_out",
    "begin_checkout: not_found",
    "begin_checkout: checkout_in_progress",
    "finish_checkout: ok",
    "finish_checkout past the deadline",
    "finish_checkout: ok again",
    "abort_checkout: ok",
    "abort_checkout: ok past the deadline",
    "abort_checkout: ok not pinned",
    "sweep: expired some",
    "sweep: nothing due",
    "expired exactly at the deadline",
    "expired past the deadline",
    "started with sales loaded",
    "terms changed",
};

// Runs the property against one store, then checks that every outcome came up.
void check_store(const StoreKind& kind, std::vector<std::string> outcomes) {
  coverage.clear();
  spdlog::set_level(spdlog::level::warn);  // not a line for each event loaded into Redis
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(rc::check("the " + kind.name + " hold store agrees with the model",
                        [&kind] { run_case(kind); }));
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  std::printf("%s: %.1f s\n", kind.name.c_str(), seconds.count());
  outcomes.insert(outcomes.end(), outcomes_of_both.begin(), outcomes_of_both.end());
  for (const std::string& outcome : outcomes) EXPECT_GT(coverage[outcome], 0) << outcome;
  if (::testing::Test::HasFailure() || std::getenv("RC_COVERAGE") != nullptr) {
    for (const auto& [outcome, count] : coverage) std::printf("%8d  %s\n", count, outcome.c_str());
  }
}

TEST(HoldStoreModel, MemoryAgreesWithTheModel) {
  // Its pins last until the checkout ends: never stale, never taken over.
  check_store({"memory", false}, {"begin_checkout: checkout_in_progress past the pin",
                                  "sweep: pinned past the pin, not stale"});
}

TEST(HoldStoreModel, RedisAgreesWithTheModel) {
  if (testing::test_redis_url().empty()) {
    GTEST_FAIL() << "no Redis: BOXOFFICE_TEST_REDIS_URL_FILE is not set";
  }
  check_store({"redis", true},
              {"begin_checkout: ok taking over a stale pin", "sweep: stale checkouts",
               "finish_checkout past the pin", "settle_stale_checkout: ok sold",
               "settle_stale_checkout: ok not sold",
               "settle_stale_checkout: ok not sold, past the deadline",
               "settle_stale_checkout: ok not sold, taken over or given up meanwhile",
               "settle_stale_checkout: ok sold after it ended"});
}

}  // namespace
}  // namespace boxoffice
