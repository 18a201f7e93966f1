// The inventory against a plain model, under random interleavings of every operation and of
// time (RapidCheck). After every step the inventory's answer must be the model's, every seat's
// state must agree, and every invariant must hold. Best available is checked against a brute
// force search over all windows, by the rules of best_available.hpp.
#include "core/inventory.hpp"
#include "layout_builder.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <set>

namespace boxoffice {
namespace {

using testing::build_layout;
using testing::hold_id;

struct ModelHold {
  std::vector<SeatIndex> seats;
  std::optional<std::uint32_t> ga_area;
  std::uint32_t ga_quantity = 0;
  UnixMillis expires_at = 0;
  bool confirming = false;
};

// The specification, written as plainly as possible.
struct Model {
  const Layout* layout = nullptr;
  std::uint32_t max_per_order = 0;
  std::map<HoldId, ModelHold> holds;
  std::set<SeatIndex> sold;
  std::vector<std::uint32_t> ga_sold;
  std::uint64_t seq = 0;

  std::optional<HoldId> holder_of(SeatIndex seat) const {
    for (const auto& [id, hold] : holds) {
      for (const SeatIndex s : hold.seats) {
        if (s == seat) return id;
      }
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
  void expire(UnixMillis now) {
    for (auto it = holds.begin(); it != holds.end();) {
      if (!it->second.confirming && it->second.expires_at <= now) {
        it = holds.erase(it);
        ++seq;
      } else {
        ++it;
      }
    }
  }

  // Brute force over every window, by the rules of best_available.hpp.
  std::optional<std::vector<SeatIndex>> best(std::uint32_t count,
                                             const std::vector<std::uint32_t>& sections) const {
    std::optional<std::tuple<int, double, SeatIndex>> chosen;  // stranding, -preference, first
    for (const Row& row : layout->rows) {
      const std::uint32_t section = layout->seats[row.first_seat].section;
      if (!sections.empty() &&
          std::find(sections.begin(), sections.end(), section) == sections.end()) {
        continue;
      }
      const SeatIndex end = row.first_seat + row.seat_count;
      for (SeatIndex first = row.first_seat; first + count <= end; ++first) {
        bool all_free = true;
        double preference = 0;
        for (SeatIndex s = first; s < first + count; ++s) {
          all_free = all_free && available(s);
          preference += layout->preference[s];
        }
        if (!all_free) continue;
        SeatIndex left = first;  // free seats left of the window, then what bounds them
        while (left > row.first_seat && available(left - 1)) --left;
        SeatIndex right = first + count;
        while (right < end && available(right)) ++right;
        auto side = [](std::uint32_t gap, bool taken) { return gap != 1 ? 0 : taken ? 2 : 1; };
        const int stranding = std::max(side(first - left, left > row.first_seat),
                                       side(right - (first + count), right < end));
        const auto candidate = std::make_tuple(stranding, -preference, first);
        if (!chosen || candidate < *chosen) chosen = candidate;
      }
    }
    if (!chosen) return std::nullopt;
    std::vector<SeatIndex> seats;
    for (std::uint32_t i = 0; i < count; ++i) seats.push_back(std::get<2>(*chosen) + i);
    return seats;
  }
};

// Compares every observable of the inventory with the model.
void check_agrees(const Inventory& inventory, const Model& model, UnixMillis now,
                  bool expired_now) {
  inventory.check_invariants();
  RC_ASSERT(inventory.seq() == model.seq);
  RC_ASSERT(inventory.live_holds() == model.holds.size());
  std::uint32_t available = 0;
  for (SeatIndex seat = 0; seat < model.layout->seats.size(); ++seat) {
    const SeatState expected = model.sold.contains(seat) ? SeatState::sold
                               : model.holder_of(seat)   ? SeatState::held
                                                         : SeatState::available;
    RC_ASSERT(inventory.seat_state(seat) == expected);
    if (expected == SeatState::available) ++available;
  }
  RC_ASSERT(inventory.seats_available() == available);
  for (std::uint32_t area = 0; area < model.ga_sold.size(); ++area) {
    RC_ASSERT(inventory.ga_counts()[area].sold == model.ga_sold[area]);
    RC_ASSERT(inventory.ga_counts()[area].held == model.ga_held(area));
  }
  if (!expired_now) return;
  for (const auto& [id, hold] : model.holds) {  // nothing outlives its deadline unpinned
    RC_ASSERT(hold.confirming || hold.expires_at > now);
  }
}

template <class T>
void expect_outcome(const Result<T>& result, std::optional<Errc> expected) {
  if (expected) {
    RC_ASSERT(!result.ok());
    RC_ASSERT(result.error().code == *expected);
  } else {
    RC_ASSERT(result.ok());
  }
}

RC_GTEST_PROP(InventoryProperty, AgreesWithTheModelUnderAnyInterleaving, ()) {
  // A random small venue; integer scores make preference sums exact, and ties frequent.
  const int sections = *rc::gen::inRange(1, 4);
  std::vector<std::vector<int>> rows(static_cast<std::size_t>(sections));
  std::size_t seat_count = 0;
  for (auto& section : rows) {
    section = *rc::gen::container<std::vector<int>>(
        static_cast<std::size_t>(*rc::gen::inRange(1, 5)), rc::gen::inRange(1, 9));
    for (int seats : section) seat_count += static_cast<std::size_t>(seats);
  }
  const auto capacities = *rc::gen::container<std::vector<std::uint32_t>>(
      static_cast<std::size_t>(*rc::gen::inRange(0, 3)), rc::gen::inRange<std::uint32_t>(1, 11));
  std::vector<double> scores;
  for (std::size_t i = 0; i < seat_count; ++i) scores.push_back(*rc::gen::inRange(0, 4));
  const auto layout = build_layout(rows, capacities, scores);
  const auto max_per_order = *rc::gen::inRange<std::uint32_t>(1, 7);
  const std::uint64_t first_seq = 7ull << 32;

  Inventory inventory(layout, max_per_order, first_seq);
  Model model{layout.get(), max_per_order, {}, {}, std::vector<std::uint32_t>(capacities.size()), first_seq};
  UnixMillis now = 1'000;
  std::uint32_t next_id = 1;
  std::vector<HoldId> known;  // every id ever used, live or not
  const auto steps = *rc::gen::inRange(1, 200);

  for (int step = 0; step < steps; ++step) {
    const int op = *rc::gen::inRange(0, 10);
    bool took_now = false;  // did this step call the inventory with `now`?
    const UnixMillis lifetime = *rc::gen::inRange(1, 30);
    auto some_known = [&]() -> HoldId {
      if (known.empty() || *rc::gen::inRange(0, 8) == 0) return hold_id(1'000'000);  // unknown
      return known[static_cast<std::size_t>(*rc::gen::inRange<std::size_t>(0, known.size()))];
    };
    switch (op) {
      case 0:
      case 1: {  // explicit seats, possibly duplicated, possibly taken
        std::vector<SeatIndex> seats = *rc::gen::container<std::vector<SeatIndex>>(
            static_cast<std::size_t>(*rc::gen::inRange(0, 8)),
            rc::gen::inRange<SeatIndex>(0, static_cast<SeatIndex>(seat_count)));
        const HoldId id = hold_id(next_id++);
        model.expire(now);
        took_now = true;
        std::optional<Errc> expected;
        const std::set<SeatIndex> distinct(seats.begin(), seats.end());
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
        const auto result = inventory.hold_seats(id, seats, now, now + lifetime);
        expect_outcome(result, expected);
        if (!expected) {
          RC_ASSERT(result->seats == seats);
          model.holds[id] = {seats, std::nullopt, 0, now + lifetime, false};
          ++model.seq;
          known.push_back(id);
        }
        break;
      }
      case 2: {  // best available
        BestAvailableQuery query;
        query.count = *rc::gen::inRange<std::uint32_t>(1, 8);
        if (*rc::gen::inRange(0, 3) == 0) {
          query.sections.push_back(*rc::gen::inRange<std::uint32_t>(0, static_cast<std::uint32_t>(sections)));
        }
        const HoldId id = hold_id(next_id++);
        model.expire(now);
        took_now = true;
        const auto best = model.best(query.count, query.sections);
        std::optional<Errc> expected;
        if (query.count > max_per_order) {
          expected = Errc::over_order_limit;
        } else if (!best) {
          expected = Errc::not_enough_seats;
        }
        const auto result = inventory.hold_best_available(id, query, now, now + lifetime);
        expect_outcome(result, expected);
        if (!expected) {
          RC_ASSERT(result->seats == *best);
          model.holds[id] = {*best, std::nullopt, 0, now + lifetime, false};
          ++model.seq;
          known.push_back(id);
        }
        break;
      }
      case 3: {  // general admission
        if (capacities.empty()) break;
        const auto area = *rc::gen::inRange<std::uint32_t>(0, static_cast<std::uint32_t>(capacities.size()));
        const auto quantity = *rc::gen::inRange<std::uint32_t>(0, 8);
        const HoldId id = hold_id(next_id++);
        model.expire(now);
        took_now = true;
        std::optional<Errc> expected;
        const std::uint32_t left = capacities[area] - model.ga_held(area) - model.ga_sold[area];
        if (quantity == 0) {
          expected = Errc::invalid_field;
        } else if (quantity > max_per_order) {
          expected = Errc::over_order_limit;
        } else if (quantity > left) {
          expected = Errc::not_enough_seats;
        }
        const auto result = inventory.hold_ga(id, area, quantity, now, now + lifetime);
        expect_outcome(result, expected);
        if (!expected) {
          model.holds[id] = {{}, area, quantity, now + lifetime, false};
          ++model.seq;
          known.push_back(id);
        }
        break;
      }
      case 4: {  // read a hold
        const HoldId id = some_known();
        model.expire(now);
        took_now = true;
        const auto found = inventory.find_hold(id, now);
        RC_ASSERT(found.has_value() == model.holds.contains(id));
        if (found) RC_ASSERT(found->expires_at == model.holds.at(id).expires_at);
        break;
      }
      case 5: {  // release
        const HoldId id = some_known();
        model.expire(now);
        took_now = true;
        std::optional<Errc> expected;
        if (!model.holds.contains(id)) {
          expected = Errc::hold_gone;
        } else if (model.holds.at(id).confirming) {
          expected = Errc::checkout_in_progress;
        }
        const Status result = inventory.release(id, now);
        expect_outcome(result, expected);
        if (!expected) {
          model.holds.erase(id);
          ++model.seq;
        }
        break;
      }
      case 6: {  // begin a checkout
        const HoldId id = some_known();
        model.expire(now);
        took_now = true;
        std::optional<Errc> expected;
        if (!model.holds.contains(id)) {
          expected = Errc::hold_gone;
        } else if (model.holds.at(id).confirming) {
          expected = Errc::checkout_in_progress;
        }
        expect_outcome(inventory.begin_confirm(id, now), expected);
        if (!expected) model.holds.at(id).confirming = true;
        break;
      }
      case 7: {  // finish or abort a checkout in progress
        std::vector<HoldId> pinned;
        for (const auto& [id, hold] : model.holds) {
          if (hold.confirming) pinned.push_back(id);
        }
        if (pinned.empty()) break;
        const HoldId id = pinned[*rc::gen::inRange<std::size_t>(0, pinned.size())];
        if (*rc::gen::arbitrary<bool>()) {
          inventory.finish_confirm(id);
          const ModelHold& hold = model.holds.at(id);
          model.sold.insert(hold.seats.begin(), hold.seats.end());
          if (hold.ga_area) model.ga_sold[*hold.ga_area] += hold.ga_quantity;
          model.holds.erase(id);
          ++model.seq;
        } else {
          inventory.abort_confirm(id, now);
          model.holds.at(id).confirming = false;
          model.expire(now);
          took_now = true;
        }
        break;
      }
      case 8: {  // the sweeper
        const std::size_t before = model.holds.size();
        model.expire(now);
        took_now = true;
        RC_ASSERT(inventory.expire_due(now) == before - model.holds.size());
        break;
      }
      case 9: {  // time passes: a little, a lot, or exactly to the next deadline
        const int how = *rc::gen::inRange(0, 3);
        if (how == 0) now += *rc::gen::inRange(0, 5);
        if (how == 1) now += *rc::gen::inRange(5, 60);
        if (how == 2 && inventory.next_expiry()) now = std::max(now, *inventory.next_expiry());
        break;
      }
    }
    // Changes come out in order, one number each.
    std::uint64_t expected_seq = inventory.seq();
    const auto changes = inventory.take_changes();
    for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
      RC_ASSERT(it->seq == expected_seq--);
    }
    // Every call that takes `now` expires first.
    check_agrees(inventory, model, now, took_now);
  }
}

}  // namespace
}  // namespace boxoffice
