#include "stats.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace onsale {
namespace {

void add_at(std::vector<std::uint32_t>& buckets, std::int64_t second, std::uint32_t count) {
  if (second < 0) second = 0;
  const auto at = static_cast<std::size_t>(second);
  if (buckets.size() <= at) buckets.resize(at + 1, 0);
  buckets[at] += count;
}

void merge_buckets(std::vector<std::uint32_t>& into, const std::vector<std::uint32_t>& from) {
  if (into.size() < from.size()) into.resize(from.size(), 0);
  for (std::size_t i = 0; i < from.size(); ++i) into[i] += from[i];
}

}  // namespace

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::join:
      return "join";
    case Kind::status:
      return "status";
    case Kind::stream:
      return "stream";
    case Kind::availability:
      return "availability";
    case Kind::hold:
      return "hold";
    case Kind::release:
      return "release";
    case Kind::checkout:
      return "checkout";
    case Kind::count:
      break;
  }
  return "?";
}

Outcome outcome_of(int status) {
  if (status == 0) return Outcome::no_answer;
  if (status == 429) return Outcome::rate_limited;
  if (status >= 500) return Outcome::server_error;
  if (status >= 400) return Outcome::client_error;
  return Outcome::ok;
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void Recorder::request(Actor actor, Kind kind, std::int64_t started_ns, std::int64_t done_ns,
                       int status) {
  auto& per = kinds_of[static_cast<std::size_t>(actor)][static_cast<std::size_t>(kind)];
  ++per.answers[static_cast<std::size_t>(outcome_of(status))];
  if (status != 0) {
    const auto us = std::max<std::int64_t>(0, (done_ns - started_ns) / 1000);
    per.latency_us.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(us, UINT32_MAX)));
  }
  add_at(per.per_second, (started_ns - run_start_ns) / 1'000'000'000, 1);
}

void Recorder::sold(std::int64_t at_ns, OrderSeen order) {
  add_at(tickets_per_second, (at_ns - on_sale_ns) / 1'000'000'000,
         static_cast<std::uint32_t>(order.seats.size()));
  last_ticket_ns = std::max(last_ticket_ns, at_ns);
  orders.push_back(std::move(order));
}

void Recorder::merge(Recorder&& other) {
  for (std::size_t a = 0; a < actors; ++a) {
    for (std::size_t k = 0; k < kinds; ++k) {
      auto& into = kinds_of[a][k];
      auto& from = other.kinds_of[a][k];
      for (std::size_t o = 0; o < outcomes; ++o) into.answers[o] += from.answers[o];
      into.latency_us.insert(into.latency_us.end(), from.latency_us.begin(), from.latency_us.end());
      merge_buckets(into.per_second, from.per_second);
    }
  }
  merge_buckets(tickets_per_second, other.tickets_per_second);
  lateness_us.insert(lateness_us.end(), other.lateness_us.begin(), other.lateness_us.end());
  for (auto& order : other.orders) orders.push_back(std::move(order));
  last_ticket_ns = std::max(last_ticket_ns, other.last_ticket_ns);
}

double quantile_ms(std::vector<std::uint32_t>& values, double p) {
  if (values.empty()) return std::nan("");
  const auto at =
      std::min(values.size() - 1, static_cast<std::size_t>(p * static_cast<double>(values.size())));
  std::nth_element(values.begin(), values.begin() + static_cast<long>(at), values.end());
  return static_cast<double>(values[at]) / 1000.0;
}

}  // namespace onsale
