#include "report.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace onsale {
namespace {

double seconds_between(std::int64_t from_ns, std::int64_t to_ns) {
  return static_cast<double>(to_ns - from_ns) / 1e9;
}

std::uint64_t vm_hwm_kib(std::int64_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::stoull(line.substr(6));
  }
  return 0;
}

void print_requests(Recorder& recorder, double run_seconds) {
  std::printf("requests (a second: mean over the run, peak second; then answers, and latency)\n");
  for (std::size_t a = 0; a < actors; ++a) {
    for (std::size_t k = 0; k < kinds; ++k) {
      auto& per = recorder.kinds_of[a][k];
      std::uint64_t total = 0;
      for (const auto count : per.answers) total += count;
      if (total == 0) continue;
      const auto peak = per.per_second.empty()
                            ? 0u
                            : *std::max_element(per.per_second.begin(), per.per_second.end());
      std::printf(
          "  %-4s %-12s %9.0f/s peak %7u/s  %9lu: ok %lu, 429 %lu, 4xx %lu, 5xx %lu, none %lu;"
          "  p50 %.1f ms, p99 %.1f ms\n",
          a == 0 ? "fan" : "bot", kind_name(static_cast<Kind>(k)),
          static_cast<double>(total) / run_seconds, peak, total, per.answers[0], per.answers[1],
          per.answers[2], per.answers[3], per.answers[4], quantile_ms(per.latency_us, 0.50),
          quantile_ms(per.latency_us, 0.99));
    }
  }
}

void print_fans(const Sale& sale, const std::vector<Fan>& fans) {
  std::uint64_t by_state[7] = {};
  for (const auto& fan : fans) ++by_state[static_cast<int>(fan.state)];
  std::printf(
      "fans: %lu bought, %lu told sold out, %lu gave up, %lu abandoned (released %lu, walked "
      "away %lu); still arriving %lu, in line %lu, shopping %lu\n",
      by_state[3], by_state[4], by_state[5], by_state[6], sale.released.load(),
      sale.walked_away.load(), by_state[0], by_state[1], by_state[2]);
  std::printf(
      "  declined cards %lu; turns skipped (not asked for in 10 s) %lu; joins again %lu; seats "
      "lost to another fan on the map %lu; requests retried (no answer, 5xx, 429) %lu\n",
      sale.declined.load(), sale.skipped.load(), sale.rejoins.load(), sale.pick_conflicts.load(),
      sale.retries.load());
}

}  // namespace

void sample_memory(std::vector<NodeMemory>& nodes) {
  for (auto& node : nodes) {
    std::ifstream file(node.pid_file);
    std::int64_t pid = 0;
    if (!(file >> pid) || pid <= 0) continue;
    const auto kib = vm_hwm_kib(pid);
    if (kib == 0) continue;
    if (pid != node.last_pid) ++node.processes;
    node.last_pid = pid;
    node.peak_kib = std::max(node.peak_kib, kib);
  }
}

// A fan A is admitted unfairly when someone B who had joined before A's join was sent (both
// after the open: the pre-queue is shuffled on purpose) was still answered "waiting" to a poll
// sent after A was first answered "admitted". Sorted by join, a running maximum of the last
// "waiting" poll makes it n log n.
Fairness fairness_of(const std::vector<Fan>& fans) {
  std::vector<const Fan*> joined;
  for (const auto& fan : fans) {
    if (fan.join_done_ns != 0 && !fan.joined_pre_queue) joined.push_back(&fan);
  }
  std::sort(joined.begin(), joined.end(),
            [](const Fan* a, const Fan* b) { return a->join_done_ns < b->join_done_ns; });
  std::vector<std::int64_t> latest_waiting(joined.size());
  std::int64_t running = 0;
  for (std::size_t i = 0; i < joined.size(); ++i) {
    running = std::max(running, joined[i]->last_waiting_sent_ns);
    latest_waiting[i] = running;
  }
  Fairness fairness;
  for (const auto* fan : joined) {
    if (fan->first_admitted_ns == 0) continue;
    ++fairness.admitted;
    const auto before = std::lower_bound(
        joined.begin(), joined.end(), fan->join_sent_ns,
        [](const Fan* other, std::int64_t at) { return other->join_done_ns < at; });
    if (before == joined.begin()) continue;
    const auto last = static_cast<std::size_t>(before - joined.begin()) - 1;
    if (latest_waiting[last] > fan->first_admitted_ns) ++fairness.violations;
  }
  return fairness;
}

bool print_report(const Sale& sale, const Options& options, Recorder& recorder,
                  const std::vector<Fan>& fans, const std::vector<Bot>& bots,
                  const Checked& checked, const std::vector<NodeMemory>& nodes,
                  double run_seconds) {
  const auto seats = sale.layout.seats();
  const auto sold = sale.tickets_sold.load();
  const bool sold_out = sale.sold_out_ns.load() != 0;
  const double to_sold_out = sold_out ? seconds_between(sale.on_sale_ns, sale.sold_out_ns) : 0;
  const double selling = seconds_between(sale.on_sale_ns, recorder.last_ticket_ns);
  const auto told = sale.sold_out_told_ns.load();
  std::printf("sale: %lu of %u tickets sold (201s the crowd got); %s", sold, seats,
              sold_out ? "" : "NOT sold out; ");
  if (sold_out) std::printf("sold out %.1f s after the on-sale; ", to_sold_out);
  std::printf("the line first told sold_out at %.1f s\n",
              told == 0 ? 0.0 : seconds_between(sale.on_sale_ns, told));
  const auto& buckets = recorder.tickets_per_second;
  const auto peak = buckets.empty() ? 0u : *std::max_element(buckets.begin(), buckets.end());
  const double mean = selling > 0 ? static_cast<double>(sold) / selling : 0;
  const bool ran_out = sale.ran_out_ns.load() != 0;
  const double to_ran_out = ran_out ? seconds_between(sale.on_sale_ns, sale.ran_out_ns) : 0;
  const double offered_mean =
      to_ran_out > 0 ? static_cast<double>(sale.sold_when_ran_out) / to_ran_out : mean;
  std::printf(
      "tickets a second: mean %.0f (on-sale to last ticket), peak %u (a one-second bucket); mean "
      "%.0f while seats were on offer (the first fan told none was left: %.1f s, %lu sold; after "
      "that, only held seats coming back)\n",
      mean, peak, offered_mean, to_ran_out, sale.sold_when_ran_out.load());
  print_requests(recorder, run_seconds);
  print_fans(sale, fans);

  const auto fairness = fairness_of(fans);
  std::printf(
      "fairness: %lu of %lu fans admitted after joining past the open were admitted while "
      "someone who had joined before them was still waiting (%.4f%%)\n",
      fairness.violations, fairness.admitted,
      fairness.admitted == 0 ? 0.0
                             : 100.0 * static_cast<double>(fairness.violations) /
                                   static_cast<double>(fairness.admitted));
  std::uint64_t bot_tickets = 0, bot_orders = 0, bot_admitted = 0, bot_holds = 0;
  for (const auto& order : recorder.orders) {
    if (order.bot) bot_tickets += order.seats.size(), ++bot_orders;
  }
  for (const auto& bot : bots) bot_admitted += bot.admitted, bot_holds += bot.holds_granted;
  const double bot_share =
      sold == 0 ? 0 : static_cast<double>(bot_tickets) / static_cast<double>(sold);
  std::printf(
      "bots: %u addresses; %lu admitted, %lu orders, %lu tickets = %.3f%% of the tickets; holds "
      "without an access token granted %lu (must be 0)\n",
      options.bot_addresses, bot_admitted, bot_orders, bot_tickets, 100 * bot_share, bot_holds);
  auto& lateness = recorder.lateness_us;
  std::printf("the tool: fans' requests started late by p50 %.1f ms, p99 %.1f ms (its own lag)\n",
              quantile_ms(lateness, 0.5), quantile_ms(lateness, 0.99));
  for (const auto& node : nodes) {
    std::printf("peak memory of %s: %.1f MiB (VmHWM; %u process(es))\n", node.name.c_str(),
                static_cast<double>(node.peak_kib) / 1024, node.processes);
  }
  if (!checked.error.empty()) std::printf("CHECK FAILED: %s\n", checked.error.c_str());
  std::printf(
      "store: %lu orders, %lu tickets; ledgers: %lu captures\n"
      "anomalies: seat in two orders %lu; order answered 201 and missing %lu; capture without "
      "an order %lu; fan left waiting after the sell-out %lu\n",
      checked.orders_in_store, checked.tickets_in_store, checked.captures,
      checked.seats_in_two_orders, checked.orders_missing, checked.captures_without_order,
      checked.fans_left_waiting);
  std::printf(
      "RESULT sold_out=%d sold_out_s=%.1f tickets_per_s_mean=%.0f tickets_per_s_peak=%u "
      "ran_out_s=%.1f tickets_per_s_on_offer=%.0f fairness_violations=%lu bot_share_pct=%.3f "
      "anomalies=%lu checked=%d\n",
      sold_out ? 1 : 0, to_sold_out, mean, peak, to_ran_out, offered_mean, fairness.violations,
      100 * bot_share, checked.anomalies(), checked.error.empty() ? 1 : 0);
  return sold_out && checked.error.empty() && checked.anomalies() == 0 && bot_holds == 0;
}

}  // namespace onsale
