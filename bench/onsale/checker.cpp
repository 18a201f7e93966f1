#include "checker.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "json_fields.hpp"
#include "setup.hpp"

namespace onsale {
namespace {

constexpr std::size_t orders_bytes_max = std::size_t{1} << 30;

struct StoredOrder {
  std::vector<std::string> seats;  // sorted
};

std::vector<std::string> sorted_strings(const boost::json::value* value) {
  std::vector<std::string> out;
  if (value != nullptr && value->is_array()) {
    for (const auto& item : value->get_array()) {
      if (item.is_string()) out.emplace_back(item.get_string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The payment ids captured in one ledger; false when it can't be read.
bool read_captures(const std::string& file, std::vector<std::string>& captured) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return false;
  }
  sqlite3_busy_timeout(db, 10'000);
  sqlite3_stmt* statement = nullptr;
  bool ok = sqlite3_prepare_v2(db, "SELECT id FROM payments WHERE status = 'captured'", -1,
                               &statement, nullptr) == SQLITE_OK;
  int step = SQLITE_DONE;
  while (ok && (step = sqlite3_step(statement)) == SQLITE_ROW) {
    captured.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
  }
  ok = ok && step == SQLITE_DONE;
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return ok;
}

}  // namespace

Checked check_sale(const Sale& sale, const Options& options, const std::vector<OrderSeen>& seen,
                   const std::vector<Fan>& fans) {
  Checked checked;
  Request request{.target = "/v1/events/" + std::to_string(sale.event_id) + "/orders"};
  request.headers.emplace_back("Authorization", "Bearer " + options.admin_key);
  const auto answer = send_blocking(sale.servers.front(), sale.host, request, orders_bytes_max);
  if (answer.status != 200) {
    checked.error =
        "GET orders: " + std::to_string(answer.status) + " " + answer.body.substr(0, 300);
    return checked;
  }
  const auto listing = object_of(answer.body);
  const auto* orders = listing.if_contains("orders");
  if (orders == nullptr || !orders->is_array()) {
    checked.error = "GET orders: no orders array";
    return checked;
  }
  std::unordered_map<std::string, StoredOrder> by_id;
  std::unordered_map<std::string, std::uint32_t> orders_of_seat;
  std::unordered_set<std::string> payments;
  for (const auto& item : orders->get_array()) {
    if (!item.is_object()) continue;
    const auto& order = item.get_object();
    auto seats = sorted_strings(order.if_contains("seats"));
    for (const auto& seat : seats) {
      if (++orders_of_seat[seat] == 2) ++checked.seats_in_two_orders;
    }
    checked.tickets_in_store += seats.size();
    if (const auto* payment = order.if_contains("payment"); payment && payment->is_object()) {
      payments.insert(text_of(payment->get_object(), "id"));
    }
    by_id[text_of(order, "order_id")] = StoredOrder{std::move(seats)};
  }
  checked.orders_in_store = by_id.size();

  for (const auto& order : seen) {
    auto seats = order.seats;
    std::sort(seats.begin(), seats.end());
    const auto found = by_id.find(order.order_id);
    if (found == by_id.end() || found->second.seats != seats) ++checked.orders_missing;
  }

  for (const auto& ledger : options.payment_ledgers) {
    std::vector<std::string> captured;
    if (!read_captures(ledger, captured)) {
      checked.error = "cannot read the payment ledger " + ledger;
      return checked;
    }
    checked.captures += captured.size();
    for (const auto& id : captured) checked.captures_without_order += payments.contains(id) ? 0 : 1;
  }

  // Sold out as the store has it: a 201 lost to a node's death is not the crowd's to count.
  if (checked.tickets_in_store >= sale.layout.seats()) {
    for (const auto& fan : fans) {
      const bool waiting =
          fan.line_state == LineState::waiting || fan.line_state == LineState::pre_queue;
      if (fan.state == FanState::in_line && waiting) ++checked.fans_left_waiting;
    }
  }
  return checked;
}

}  // namespace onsale
