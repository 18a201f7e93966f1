#include "services/metrics.hpp"

#include <cstdio>

#include "services/rate_limiter.hpp"

namespace boxoffice {
namespace {

void line(std::string& out, std::string_view name, std::string_view labels, double value) {
  char number[32];
  std::snprintf(number, sizeof number, "%.17g", value);
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  out += number;
  out += '\n';
}

void counter(std::string& out, std::string_view name, std::string_view help, const Counter& c) {
  out += "# HELP " + std::string(name) + " " + std::string(help) + "\n";
  out += "# TYPE " + std::string(name) + " counter\n";
  line(out, name, "", static_cast<double>(c.value()));
}

// Requests refused by class, and the limits' other counts (services/rate_limits), and
// connections the server closed at once (http/server).
void render_limits(std::string& out, const Metrics& metrics) {
  static_assert(std::tuple_size_v<decltype(metrics.rate_limited)> == rate_classes);
  out +=
      "# HELP boxoffice_rate_limited_total Requests answered 429: their client asked too often.\n";
  out += "# TYPE boxoffice_rate_limited_total counter\n";
  for (std::size_t i = 0; i < rate_classes; ++i) {
    const std::string label = "class=\"" + std::string(name_of(static_cast<RateClass>(i))) + "\"";
    line(out, "boxoffice_rate_limited_total", label,
         static_cast<double>(metrics.rate_limited[i].value()));
  }
  counter(out, "boxoffice_rate_limit_errors_total",
          "Requests served unlimited because the limiter (Redis) could not answer.",
          metrics.rate_limit_errors);
  counter(out, "boxoffice_rate_limit_untracked_total",
          "Requests served unlimited because the table of clients was full.",
          metrics.rate_limit_untracked);
  const auto refused =
      metrics.connections_refused ? metrics.connections_refused() : std::array<std::uint64_t, 2>{};
  out += "# HELP boxoffice_connections_refused_total New connections closed at once.\n";
  out += "# TYPE boxoffice_connections_refused_total counter\n";
  line(out, "boxoffice_connections_refused_total", "reason=\"client_cap\"",
       static_cast<double>(refused[0]));
  line(out, "boxoffice_connections_refused_total", "reason=\"connections_max\"",
       static_cast<double>(refused[1]));
}

}  // namespace

void Histogram::observe(std::chrono::nanoseconds duration) {
  const double seconds = std::chrono::duration<double>(duration).count();
  std::size_t bucket = 0;
  while (bucket < bounds_seconds.size() && seconds > bounds_seconds[bucket]) ++bucket;
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_nanoseconds_.fetch_add(static_cast<std::uint64_t>(duration.count()),
                             std::memory_order_relaxed);
}

void Histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
  const std::string prefix = labels.empty() ? "" : std::string(labels) + ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds_seconds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    char bound[32];
    if (i < bounds_seconds.size()) {
      std::snprintf(bound, sizeof bound, "%g", bounds_seconds[i]);
    } else {
      std::snprintf(bound, sizeof bound, "+Inf");
    }
    line(out, std::string(name) + "_bucket", prefix + "le=\"" + bound + "\"",
         static_cast<double>(cumulative));
  }
  line(out, std::string(name) + "_sum", labels,
       static_cast<double>(sum_nanoseconds_.load(std::memory_order_relaxed)) / 1e9);
  line(out, std::string(name) + "_count", labels,
       static_cast<double>(count_.load(std::memory_order_relaxed)));
}

std::string Metrics::render() const {
  std::string out;
  out.reserve(16 * 1024);
  out += "# HELP boxoffice_http_requests_total HTTP responses by route and status.\n";
  out += "# TYPE boxoffice_http_requests_total counter\n";
  for (const auto& route : routes) {
    for (std::size_t status = 0; status < route->responses_by_status.size(); ++status) {
      const std::uint64_t n = route->responses_by_status[status].value();
      if (n == 0) continue;
      line(out, "boxoffice_http_requests_total",
           "method=\"" + route->method + "\",route=\"" + route->pattern + "\",status=\"" +
               std::to_string(status) + "\"",
           static_cast<double>(n));
    }
  }
  out +=
      "# HELP boxoffice_http_request_duration_seconds Time from a whole request to its answer.\n";
  out += "# TYPE boxoffice_http_request_duration_seconds histogram\n";
  for (const auto& route : routes) {
    route->latency.render(out, "boxoffice_http_request_duration_seconds",
                          "method=\"" + route->method + "\",route=\"" + route->pattern + "\"");
  }
  counter(out, "boxoffice_holds_created_total", "Holds granted.", holds_created);
  counter(out, "boxoffice_hold_conflicts_total",
          "Holds refused because the seats were taken or not enough were together.",
          hold_conflicts);
  counter(out, "boxoffice_holds_released_total", "Holds released by their holder.", holds_released);
  counter(out, "boxoffice_holds_expired_total", "Holds that ran out of time.", holds_expired);
  counter(out, "boxoffice_checkouts_confirmed_total", "Orders confirmed.", checkouts_confirmed);
  counter(out, "boxoffice_checkouts_failed_total",
          "Checkouts that ended without an order (declined, gone, store errors).",
          checkouts_failed);
  counter(out, "boxoffice_payments_approved_total", "Authorisations approved.", payments_approved);
  counter(out, "boxoffice_payments_declined_total", "Authorisations declined.", payments_declined);
  counter(out, "boxoffice_payments_failed_total", "Authorisations that failed (processor errors).",
          payments_failed);
  counter(out, "boxoffice_store_errors_total", "Calls to a store that failed.", store_errors);
  out += "# HELP boxoffice_holds_pending_expiry Live holds waiting for their expiry.\n";
  out += "# TYPE boxoffice_holds_pending_expiry gauge\n";
  line(out, "boxoffice_holds_pending_expiry", "",
       holds_pending_expiry ? static_cast<double>(holds_pending_expiry()) : 0.0);
  const auto queue = queue_totals ? queue_totals() : std::array<std::uint64_t, 4>{};
  out += "# HELP boxoffice_queue_waiting People in waiting rooms not yet admitted.\n";
  out += "# TYPE boxoffice_queue_waiting gauge\n";
  line(out, "boxoffice_queue_waiting", "", static_cast<double>(queue[0]));
  out += "# HELP boxoffice_queue_active Admitted waiting-room sessions still shopping.\n";
  out += "# TYPE boxoffice_queue_active gauge\n";
  line(out, "boxoffice_queue_active", "", static_cast<double>(queue[1]));
  out += "# HELP boxoffice_queue_admitted_total People admitted from waiting rooms.\n";
  out += "# TYPE boxoffice_queue_admitted_total counter\n";
  line(out, "boxoffice_queue_admitted_total", "", static_cast<double>(queue[2]));
  out += "# HELP boxoffice_queue_skipped_total Admitted numbers never claimed (nobody asked).\n";
  out += "# TYPE boxoffice_queue_skipped_total counter\n";
  line(out, "boxoffice_queue_skipped_total", "", static_cast<double>(queue[3]));
  out += "# HELP boxoffice_live_subscribers Open live seat map streams.\n";
  out += "# TYPE boxoffice_live_subscribers gauge\n";
  line(out, "boxoffice_live_subscribers", "",
       live_subscribers ? static_cast<double>(live_subscribers()) : 0.0);
  counter(out, "boxoffice_queue_joins_total", "People who joined a waiting room.", queue_joins);
  counter(out, "boxoffice_live_messages_sent_total",
          "Live seat map messages sent (snapshots and batches of changes).", live_messages_sent);
  counter(out, "boxoffice_live_subscribers_dropped_total",
          "Live seat map streams closed because their reader fell behind.",
          live_subscribers_dropped);
  render_limits(out, *this);
  if (search) out += search();
  return out;
}

}  // namespace boxoffice
