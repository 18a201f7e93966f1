// What the simulator counts while the sale runs, one Recorder per thread (nothing shared, so
// no locks on the hot path), merged once at the end: requests by kind and answer, each
// answered request's latency, tickets sold per second since the on-sale, and the orders the
// crowd was answered 201 for (which the checker then looks for in the store).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace onsale {

enum class Kind { join, status, stream, availability, hold, release, checkout, count };
inline constexpr std::size_t kinds = static_cast<std::size_t>(Kind::count);
const char* kind_name(Kind kind);

enum class Actor { fan, bot, count };
inline constexpr std::size_t actors = static_cast<std::size_t>(Actor::count);

// How a request ended, for the counts by kind.
enum class Outcome { ok, rate_limited, client_error, server_error, no_answer, count };
inline constexpr std::size_t outcomes = static_cast<std::size_t>(Outcome::count);
Outcome outcome_of(int status);

// An order answered 201, as the crowd saw it.
struct OrderSeen {
  std::string order_id;
  std::vector<std::string> seats;
  bool bot = false;
};

struct Recorder {
  struct PerKind {
    std::array<std::uint64_t, outcomes> answers{};
    std::vector<std::uint32_t> latency_us;  // of answered requests
    std::vector<std::uint32_t> per_second;  // requests started in second s of the run
  };
  std::array<std::array<PerKind, kinds>, actors> kinds_of{};
  std::vector<std::uint32_t> tickets_per_second;  // by second since the on-sale
  std::vector<OrderSeen> orders;
  std::int64_t run_start_ns = 0;  // the tool's start: request seconds count from here
  std::int64_t on_sale_ns = 0;
  std::int64_t last_ticket_ns = 0;  // the latest 201 checkout
  // How late the tool started fans' requests (joins, polls) after they were due: when the
  // tool can't keep up, the crowd it simulates is slower than asked.
  std::vector<std::uint32_t> lateness_us;

  void request(Actor actor, Kind kind, std::int64_t started_ns, std::int64_t done_ns, int status);
  void sold(std::int64_t at_ns, OrderSeen order);
  void late(std::int64_t ns) {
    lateness_us.push_back(
        static_cast<std::uint32_t>(std::clamp<std::int64_t>(ns / 1000, 0, UINT32_MAX)));
  }
  void merge(Recorder&& other);
};

// The p-th quantile (0..1) of `values` in milliseconds; reorders them. NaN when empty.
double quantile_ms(std::vector<std::uint32_t>& values, double p);

std::int64_t now_ns();

}  // namespace onsale
