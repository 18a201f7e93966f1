// The inventory against a plain model, under random interleavings of every operation and of
// time (RapidCheck). After every step:
//  - the inventory's answer (ok, or which error) is the one the model predicts, and a hold's
//    view is the model's;
//  - best available chose seats that were free, adjacent in one row of the allowed sections,
//    and no better window existed (by a brute-force search over all windows, written from the
//    rules of best_available.hpp);
//  - every seat's state, the owners, the counts and the GA counters agree with the model;
//  - check_invariants() passes; no hold is live past its deadline unless it is being confirmed;
//  - the sequence grew by exactly the number of changes, which came out numbered one by one,
//    expirations first, each carrying what the model says moved.
// Runs RC_PARAMS' max_success cases (ctest sets 300 with a fixed seed), then checks that the
// generated runs really reached every operation and outcome, so the test can't go vacuous.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include "best_available_reference.hpp"
#include "core/inventory.hpp"
#include "error_names.hpp"
#include "layout_builder.hpp"

namespace boxoffice {
namespace {

using testing::build_layout;
using testing::hold_id;
using testing::name_of;
using testing::reference_best_available;

// How often each operation and outcome came up, over all cases.
std::map<std::string, int> coverage;

struct ModelHold {
  std::vector<SeatIndex> seats;
  std::optional<std::uint32_t> ga_area;
  std::uint32_t ga_quantity = 0;
  UnixMillis created_at = 0;
  UnixMillis expires_at = 0;
  bool confirming = false;
};

struct ExpectedChange {
  ChangeKind kind;
  HoldId hold;
  std::vector<SeatIndex> seats;
  std::optional<std::uint32_t> ga_area;
  std::uint32_t ga_quantity = 0;
};

// The specification, written as plainly as possible.
struct Model {
  const Layout* layout = nullptr;
  std::uint32_t max_per_order = 0;
  std::map<HoldId, ModelHold> holds;
  std::set<SeatIndex> sold;
  std::vector<std::uint32_t> ga_capacity;
  std::vector<std::uint32_t> ga_sold;
  std::uint64_t seq = 0;
  std::vector<ExpectedChange> changes;  // of the current step

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
  void change(ChangeKind kind, const HoldId& id, const ModelHold& hold) {
    changes.push_back({kind, id, hold.seats, hold.ga_area, hold.ga_quantity});
    ++seq;
  }
  // Every unpinned hold whose deadline is at or before `now` ends.
  void expire(UnixMillis now) {
    for (auto it = holds.begin(); it != holds.end();) {
      if (!it->second.confirming && it->second.expires_at <= now) {
        ++coverage[it->second.expires_at == now ? "expired exactly at the deadline"
                                                : "expired past the deadline"];
        change(ChangeKind::expired, it->first, it->second);
        it = holds.erase(it);
      } else {
        ++it;
      }
    }
  }
  void grant(const HoldId& id, ModelHold hold) {
    change(ChangeKind::held, id, hold);
    holds.emplace(id, std::move(hold));
  }
  void end(const HoldId& id, ChangeKind why) {
    const ModelHold hold = holds.at(id);
    change(why, id, hold);
    if (why == ChangeKind::sold) {
      sold.insert(hold.seats.begin(), hold.seats.end());
      if (hold.ga_area) ga_sold[*hold.ga_area] += hold.ga_quantity;
    }
    holds.erase(id);
  }
  std::optional<UnixMillis> next_expiry() const {
    std::optional<UnixMillis> next;
    for (const auto& [id, hold] : holds) {
      if (!hold.confirming && (!next || hold.expires_at < *next)) next = hold.expires_at;
    }
    return next;
  }
};

template <class T>
void expect_outcome(const std::string& operation, const Result<T>& result,
                    std::optional<Errc> expected) {
  if (expected) {
    RC_ASSERT(!result.ok());
    RC_ASSERT(name_of(result.error().code) == name_of(*expected));
    ++coverage[operation + ": " + name_of(*expected)];
  } else {
    if (!result.ok()) RC_FAIL(operation + " failed: " + result.error().detail);
    ++coverage[operation + ": ok"];
  }
}

void expect_view(const HoldView& view, const HoldId& id, const ModelHold& hold) {
  RC_ASSERT(view.id == id);
  RC_ASSERT(view.seats == hold.seats);
  RC_ASSERT(view.ga_area == hold.ga_area);
  RC_ASSERT(view.ga_quantity == hold.ga_quantity);
  RC_ASSERT(view.created_at == hold.created_at);
  RC_ASSERT(view.expires_at == hold.expires_at);
  RC_ASSERT(view.confirming == hold.confirming);
}

// The changes of one step: numbered on from `seq_before`, one each; expirations (in any order
// among themselves) before the change the call itself made.
void expect_changes(Inventory& inventory, Model& model, std::uint64_t seq_before) {
  const std::vector<Change> changes = inventory.take_changes();
  RC_ASSERT(inventory.seq() == model.seq);
  RC_ASSERT(inventory.seq() - seq_before == changes.size());
  RC_ASSERT(changes.size() == model.changes.size());
  for (std::size_t i = 0; i < changes.size(); ++i) RC_ASSERT(changes[i].seq == seq_before + 1 + i);
  const auto key = [](ChangeKind kind, const HoldId& hold) { return std::make_pair(hold, kind); };
  std::map<std::pair<HoldId, ChangeKind>, const ExpectedChange*> expected;
  for (const ExpectedChange& change : model.changes)
    expected[key(change.kind, change.hold)] = &change;
  bool past_expirations = false;
  for (const Change& change : changes) {
    if (change.kind != ChangeKind::expired) past_expirations = true;
    RC_ASSERT(change.kind != ChangeKind::expired || !past_expirations);
    const auto it = expected.find(key(change.kind, change.hold));
    RC_ASSERT(it != expected.end());
    RC_ASSERT(change.seats == it->second->seats);
    RC_ASSERT(change.ga_area == it->second->ga_area);
    RC_ASSERT(change.ga_quantity == it->second->ga_quantity);
    expected.erase(it);
  }
  model.changes.clear();
}

// Every observable of the inventory against the model. `expired_now`: this step called the
// inventory with `now`, so nothing due at `now` may be left.
void expect_agreement(Inventory& inventory, const Model& model, UnixMillis now, bool expired_now) {
  inventory.check_invariants();
  RC_ASSERT(inventory.live_holds() == model.holds.size());
  const auto owners = inventory.seat_owners();
  RC_ASSERT(owners.size() == model.layout->seats.size());
  std::uint32_t available = 0;
  std::map<HoldId, std::uint32_t> owner_of_hold;
  std::set<std::uint32_t> owners_seen;
  for (SeatIndex seat = 0; seat < model.layout->seats.size(); ++seat) {
    const auto holder = model.holder_of(seat);
    const SeatState expected = model.sold.contains(seat) ? SeatState::sold
                               : holder                  ? SeatState::held
                                                         : SeatState::available;
    RC_ASSERT(inventory.seat_state(seat) == expected);
    RC_ASSERT((owners[seat] == 0) == (expected == SeatState::available));
    if (expected == SeatState::available) ++available;
    if (holder) {  // one owner per hold, a different one for each hold
      const auto [it, first] = owner_of_hold.emplace(*holder, owners[seat]);
      RC_ASSERT(it->second == owners[seat]);
      if (first) RC_ASSERT(owners_seen.insert(owners[seat]).second);
    }
  }
  RC_ASSERT(inventory.seats_available() == available);
  RC_ASSERT(inventory.seats_sold() == model.sold.size());
  RC_ASSERT(inventory.ga_counts().size() == model.ga_capacity.size());
  for (std::uint32_t area = 0; area < model.ga_capacity.size(); ++area) {
    const GaCounts& counts = inventory.ga_counts()[area];
    RC_ASSERT(counts.capacity == model.ga_capacity[area]);
    RC_ASSERT(counts.sold == model.ga_sold[area]);
    RC_ASSERT(counts.held == model.ga_held(area));
    RC_ASSERT(counts.available() == model.ga_left(area));
  }
  RC_ASSERT(inventory.next_expiry() == model.next_expiry());
  if (!expired_now) return;
  // Nothing outlives its deadline unpinned, as the inventory itself answers.
  RC_ASSERT(!inventory.next_expiry() || *inventory.next_expiry() > now);
  for (const auto& [id, hold] : model.holds) {
    RC_ASSERT(hold.confirming || hold.expires_at > now);
    const auto found = inventory.find_hold(id, now);  // no effect: `now` was seen already
    RC_ASSERT(found.has_value());
    expect_view(*found, id, hold);
  }
  RC_ASSERT(inventory.take_changes().empty());
}

// The chosen seats of a best-available hold: free, adjacent in one row of the allowed
// sections, and exactly the brute force's choice.
void expect_best_choice(const Model& model, const BestAvailableQuery& query,
                        const std::vector<SeatIndex>& chosen) {
  const Layout& layout = *model.layout;
  RC_ASSERT(chosen.size() == query.count);
  const Seat& first = layout.seats.at(chosen.front());
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    RC_ASSERT(model.available(chosen[i]));
    RC_ASSERT(chosen[i] == chosen.front() + i);
    RC_ASSERT(layout.seats.at(chosen[i]).row == first.row);
  }
  RC_ASSERT(query.sections.empty() || std::find(query.sections.begin(), query.sections.end(),
                                                first.section) != query.sections.end());
}

// A value in [min, max), uniformly whatever the case's size (RapidCheck's inRange grows with
// the size, so small cases would mostly pick `min`). Still shrinks towards `min`.
template <class T>
T uniform(T min, T max) {
  return *rc::gen::resize(100, rc::gen::inRange<T>(min, max));
}

bool coin() { return uniform(0, 2) == 1; }

void run_case() {
  // A random small venue: with integer scores (sums exact, ties frequent), or without scores
  // and without a stage (preference is nearness to the centre, so mirror images tie).
  const int section_count = *rc::gen::inRange(1, 4);
  std::vector<std::vector<int>> rows(static_cast<std::size_t>(section_count));
  std::size_t seat_count = 0;
  for (auto& section : rows) {
    section = *rc::gen::container<std::vector<int>>(
        static_cast<std::size_t>(*rc::gen::inRange(1, 5)), rc::gen::inRange(1, 9));
    for (const int seats : section) seat_count += static_cast<std::size_t>(seats);
  }
  const auto capacities = *rc::gen::container<std::vector<std::uint32_t>>(
      static_cast<std::size_t>(*rc::gen::inRange(0, 3)), rc::gen::inRange<std::uint32_t>(1, 11));
  const bool scored = coin();
  std::vector<double> scores;
  if (scored) {
    for (std::size_t i = 0; i < seat_count; ++i) scores.push_back(uniform(0, 4));
  }
  const auto layout = build_layout(rows, capacities, scores,
                                   scored ? std::optional<Point>(Point{0, -10}) : std::nullopt);
  const auto max_per_order = uniform<std::uint32_t>(1, 7);
  const std::uint64_t first_seq = uniform<std::uint64_t>(0, 1ull << 40);

  Inventory inventory(layout, first_seq);
  const HoldTerms terms = testing::test_terms(*layout, max_per_order);
  Model model{layout.get(), max_per_order,
              {},           {},
              capacities,   std::vector<std::uint32_t>(capacities.size(), 0),
              first_seq,    {}};

  // What the store sold before this node started: loaded, not changes.
  if (uniform(0, 4) == 0) {
    std::vector<SeatIndex> sold;
    for (SeatIndex seat = 0; seat < seat_count; ++seat) {
      if (uniform(0, 5) == 0) sold.push_back(seat);
    }
    inventory.load_sold_seats(sold);
    model.sold.insert(sold.begin(), sold.end());
    for (std::uint32_t area = 0; area < capacities.size(); ++area) {
      const auto quantity = uniform<std::uint32_t>(0, capacities[area] + 1);
      inventory.load_sold_ga(area, quantity);
      model.ga_sold[area] = quantity;
    }
    ++coverage["started with sales loaded"];
  }
  RC_ASSERT(inventory.take_changes().empty());
  expect_agreement(inventory, model, 0, false);

  UnixMillis now = 1'000;
  std::uint32_t next_id = 1;
  std::vector<HoldId> known;  // every id ever granted, live or not
  const int steps = uniform(1, 201);

  for (int step = 0; step < steps; ++step) {
    const std::uint64_t seq_before = inventory.seq();
    bool took_now = false;  // did this step call the inventory with `now`?
    const UnixMillis lifetime = uniform<UnixMillis>(1, 30);
    const auto some_id = [&]() -> HoldId {
      // Mostly a live hold; else one that ended, or one that never was.
      if (!model.holds.empty() && coin()) {
        return std::next(model.holds.begin(), uniform<std::ptrdiff_t>(0, model.holds.size()))
            ->first;
      }
      if (known.empty() || uniform(0, 4) == 0) return hold_id(0xffff'fff0);
      return known[uniform<std::size_t>(0, known.size())];
    };
    switch (uniform(0, 12)) {
      case 0:
      case 1: {  // explicit seats: possibly none, too many, duplicated or taken
        const auto seats = *rc::gen::container<std::vector<SeatIndex>>(
            uniform<std::size_t>(0, max_per_order + 2),
            rc::gen::resize(100,
                            rc::gen::inRange<SeatIndex>(0, static_cast<SeatIndex>(seat_count))));
        const HoldId id = hold_id(next_id++);
        model.expire(now);
        took_now = true;
        const std::set<SeatIndex> distinct(seats.begin(), seats.end());
        std::optional<Errc> expected;
        if (seats.empty()) {
          expected = Errc::invalid_field;
        } else if (seats.size() > max_per_order) {
          expected = Errc::over_order_limit;
        } else if (distinct.size() != seats.size()) {
          expected = Errc::duplicate_seats;
        } else if (std::any_of(seats.begin(), seats.end(),
                               [&](SeatIndex s) { return !model.available(s); })) {
          expected = Errc::seats_unavailable;
        }
        const auto result = inventory.hold_seats(id, terms, seats, now, now + lifetime);
        expect_outcome("hold_seats", result, expected);
        if (expected == Errc::seats_unavailable) {
          std::set<SeatIndex> named;
          for (const SeatIndex seat : result.error().facts.seat_indexes) named.insert(seat);
          std::set<SeatIndex> taken;
          for (const SeatIndex seat : seats) {
            if (!model.available(seat)) taken.insert(seat);
          }
          RC_ASSERT(named == taken);
        }
        if (!expected) {
          const ModelHold hold{seats, std::nullopt, 0, now, now + lifetime, false};
          expect_view(*result, id, hold);
          model.grant(id, hold);
          known.push_back(id);
        }
        break;
      }
      case 2:
      case 3: {  // best available, with a random section filter (possibly repeating itself)
        BestAvailableQuery query;
        query.count = uniform<std::uint32_t>(0, max_per_order + 2);
        if (coin()) {
          query.sections = *rc::gen::container<std::vector<std::uint32_t>>(
              uniform<std::size_t>(1, 4),
              rc::gen::resize(100, rc::gen::inRange<std::uint32_t>(
                                       0, static_cast<std::uint32_t>(section_count))));
        }
        const HoldId id = hold_id(next_id++);
        model.expire(now);
        took_now = true;
        const auto reference = reference_best_available(
            *layout, [&](SeatIndex s) { return model.available(s); }, query.count, query.sections);
        std::optional<Errc> expected;
        if (query.count == 0) {
          expected = Errc::invalid_field;
        } else if (query.count > max_per_order) {
          expected = Errc::over_order_limit;
        } else if (!reference) {
          expected = Errc::not_enough_seats;
        }
        const auto result = inventory.hold_best_available(id, terms, query, now, now + lifetime);
        expect_outcome("hold_best_available", result, expected);
        if (!expected) {
          expect_best_choice(model, query, result->seats);
          RC_ASSERT(result->seats == *reference);  // no better window exists
          const ModelHold hold{*reference, std::nullopt, 0, now, now + lifetime, false};
          expect_view(*result, id, hold);
          model.grant(id, hold);
          known.push_back(id);
        }
        break;
      }
      case 4: {  // general admission
        if (capacities.empty()) break;
        const auto area = uniform<std::uint32_t>(0, static_cast<std::uint32_t>(capacities.size()));
        const auto quantity = uniform<std::uint32_t>(0, max_per_order + 2);
        const HoldId id = hold_id(next_id++);
        model.expire(now);
        took_now = true;
        std::optional<Errc> expected;
        if (quantity == 0) {
          expected = Errc::invalid_field;
        } else if (quantity > max_per_order) {
          expected = Errc::over_order_limit;
        } else if (quantity > model.ga_left(area)) {
          expected = Errc::not_enough_seats;
        }
        const auto result = inventory.hold_ga(id, terms, area, quantity, now, now + lifetime);
        expect_outcome("hold_ga", result, expected);
        if (expected == Errc::not_enough_seats) {
          RC_ASSERT(result.error().facts.places_available.value() == model.ga_left(area));
        }
        if (!expected) {
          const ModelHold hold{{}, area, quantity, now, now + lifetime, false};
          expect_view(*result, id, hold);
          model.grant(id, hold);
          known.push_back(id);
        }
        break;
      }
      case 5: {  // read a hold
        const HoldId id = some_id();
        model.expire(now);
        took_now = true;
        const auto found = inventory.find_hold(id, now);
        RC_ASSERT(found.has_value() == model.holds.contains(id));
        if (found) expect_view(*found, id, model.holds.at(id));
        ++coverage[found ? "find_hold: live" : "find_hold: gone"];
        break;
      }
      case 6: {  // release
        const HoldId id = some_id();
        model.expire(now);
        took_now = true;
        std::optional<Errc> expected;
        if (!model.holds.contains(id)) {
          expected = Errc::hold_gone;
        } else if (model.holds.at(id).confirming) {
          expected = Errc::checkout_in_progress;
        }
        expect_outcome("release", inventory.release(id, now), expected);
        if (!expected) model.end(id, ChangeKind::released);
        break;
      }
      case 7: {  // begin a checkout
        const HoldId id = some_id();
        model.expire(now);
        took_now = true;
        std::optional<Errc> expected;
        if (!model.holds.contains(id)) {
          expected = Errc::hold_gone;
        } else if (model.holds.at(id).confirming) {
          expected = Errc::checkout_in_progress;
        }
        const auto result = inventory.begin_confirm(id, now);
        expect_outcome("begin_confirm", result, expected);
        if (!expected) {
          model.holds.at(id).confirming = true;
          expect_view(*result, id, model.holds.at(id));
        }
        break;
      }
      case 8: {  // finish or abort a checkout in progress (the only holds they may name)
        std::vector<HoldId> pinned;
        for (const auto& [id, hold] : model.holds) {
          if (hold.confirming) pinned.push_back(id);
        }
        if (pinned.empty()) break;
        const HoldId id = pinned[uniform<std::size_t>(0, pinned.size())];
        if (coin()) {
          if (model.holds.at(id).expires_at <= now) ++coverage["finish_confirm past the deadline"];
          inventory.finish_confirm(id);
          model.end(id, ChangeKind::sold);
          ++coverage["finish_confirm"];
        } else {
          ++coverage[model.holds.at(id).expires_at <= now ? "abort_confirm past the deadline"
                                                          : "abort_confirm in time"];
          inventory.abort_confirm(id, now);
          model.holds.at(id).confirming = false;
          model.expire(now);
          took_now = true;
        }
        break;
      }
      case 9: {  // the sweeper
        const std::size_t before = model.holds.size();
        model.expire(now);
        took_now = true;
        RC_ASSERT(inventory.expire_due(now) == before - model.holds.size());
        ++coverage["expire_due"];
        break;
      }
      case 10:
      case 11: {  // time passes: a little, a lot, to a deadline, or to just before one
        const auto next = model.next_expiry();
        switch (uniform(0, 5)) {
          case 0:
            now += uniform<UnixMillis>(0, 5);
            break;
          case 1:
            now += uniform<UnixMillis>(5, 60);
            break;
          case 2:
            now += uniform<UnixMillis>(1'000, 1'000'000);
            break;
          case 3:
            if (next && *next > now) now = *next;
            break;
          case 4:
            if (next && *next - 1 > now) now = *next - 1;
            break;
        }
        break;
      }
    }
    expect_changes(inventory, model, seq_before);
    expect_agreement(inventory, model, now, took_now);
  }
}

TEST(InventoryProperty, AgreesWithTheModelUnderAnyInterleaving) {
  coverage.clear();
  EXPECT_TRUE(rc::check("the inventory agrees with the model", run_case));
  // The generator reached every operation and outcome that matters.
  for (const char* outcome : {"hold_seats: ok",
                              "hold_seats: invalid_field",
                              "hold_seats: over_order_limit",
                              "hold_seats: duplicate_seats",
                              "hold_seats: seats_unavailable",
                              "hold_best_available: ok",
                              "hold_best_available: invalid_field",
                              "hold_best_available: over_order_limit",
                              "hold_best_available: not_enough_seats",
                              "hold_ga: ok",
                              "hold_ga: invalid_field",
                              "hold_ga: over_order_limit",
                              "hold_ga: not_enough_seats",
                              "find_hold: live",
                              "find_hold: gone",
                              "release: ok",
                              "release: hold_gone",
                              "release: checkout_in_progress",
                              "begin_confirm: ok",
                              "begin_confirm: hold_gone",
                              "begin_confirm: checkout_in_progress",
                              "finish_confirm",
                              "finish_confirm past the deadline",
                              "abort_confirm in time",
                              "abort_confirm past the deadline",
                              "expire_due",
                              "expired exactly at the deadline",
                              "expired past the deadline",
                              "started with sales loaded"}) {
    EXPECT_GT(coverage[outcome], 0) << outcome;
  }
  if (::testing::Test::HasFailure() || std::getenv("RC_COVERAGE") != nullptr) {
    for (const auto& [outcome, count] : coverage) std::printf("%8d  %s\n", count, outcome.c_str());
  }
}

}  // namespace
}  // namespace boxoffice
