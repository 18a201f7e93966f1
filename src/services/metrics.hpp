// Counters and histograms for GET /metrics (Prometheus text format, version 0.0.4).
//
// Every metric is a fixed atomic, created before serving: recording is one relaxed atomic
// add, with no lock and no allocation, so it can sit on the hot path. Rendering reads them
// all; a scrape sees each value as of some moment during the scrape.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace boxoffice {

class Counter {
 public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_ = 0;
};

// Latency in seconds, with buckets from 100 µs to 10 s.
class Histogram {
 public:
  static constexpr std::array<double, 12> bounds_seconds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5, 10};
  void observe(std::chrono::nanoseconds duration);
  // Appends the _bucket, _sum and _count lines of `name` with `labels` ("a=\"b\"").
  void render(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  std::array<std::atomic<std::uint64_t>, bounds_seconds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> count_ = 0;
  std::atomic<std::uint64_t> sum_nanoseconds_ = 0;
};

// What the HTTP layer sees of one route.
struct RouteMetrics {
  std::string method;
  std::string pattern;  // "/v1/events/{id}", or "unmatched"
  std::array<Counter, 600> responses_by_status;
  Histogram latency;
};

struct Metrics {
  // Business outcomes (services/booking).
  Counter holds_created;
  Counter hold_conflicts;  // seats taken, not enough together
  Counter holds_released;
  Counter holds_expired;
  Counter checkouts_confirmed;
  Counter checkouts_failed;
  Counter payments_approved;
  Counter payments_declined;
  Counter payments_failed;
  Counter store_errors;
  // Read at render time: live holds waiting for their expiry (the sweeper's queue).
  std::function<std::uint64_t()> holds_pending_expiry;

  // Live seat maps (services/live_seats).
  Counter live_messages_sent;                       // snapshots and delta batches
  Counter live_subscribers_dropped;                 // too slow: their queue overflowed
  std::function<std::uint64_t()> live_subscribers;  // read at render time

  // Waiting rooms (services/waiting_room).
  Counter queue_joins;
  // Read at render time: people waiting, admitted sessions active, admitted since start.
  std::function<std::array<std::uint64_t, 4>()> queue_totals;

  // Clients and limits (services/rate_limits, http/server).
  std::array<Counter, 4> rate_limited;  // requests refused 429, by RateClass
  Counter rate_limit_errors;            // a limiter could not answer (Redis): served unlimited
  Counter rate_limit_untracked;         // the in-process table was full: served unlimited
  // Read at render time: new connections closed at once, over the per-client cap and over
  // connections_max.
  std::function<std::array<std::uint64_t, 2>()> connections_refused;

  // Search (services/search): its own lines, rendered by the service.
  std::function<std::string()> search;

  // Filled once, before serving, by the router; indexed by route number.
  std::vector<std::unique_ptr<RouteMetrics>> routes;

  std::string render() const;
};

}  // namespace boxoffice
