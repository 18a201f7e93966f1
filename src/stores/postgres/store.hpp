// The cluster mode's source of truth: catalog and orders in PostgreSQL 15, shared by every
// node. Same contract as the SQLite store (services/stores.hpp); the sale of a seat is guarded
// by the primary key of sold_seats, and of general-admission places by a conditional update,
// so PostgreSQL stays the final arbiter whatever the holds in Redis believe.
//
// Migrations are numbered and applied at start under an advisory lock, so several nodes
// starting at once apply each exactly once.
#pragma once

#include "services/stores.hpp"
#include "stores/postgres/connection.hpp"

#include <string>

namespace boxoffice::postgres {

class Store final : public CatalogStore, public OrderStore {
 public:
  // Connects lazily; call migrate() before use.
  Store(std::string url, std::size_t connections);

  // Applies the migrations this database lacks. Safe to run from several nodes at once.
  Status migrate();

  Result<std::int64_t> create_venue(const Venue& venue) override;
  Result<std::int64_t> create_event(const Event& event) override;
  Status update_event(const Event& event) override;
  Result<std::vector<Venue>> load_venues() override;
  Result<std::vector<Event>> load_events() override;
  Result<std::string> catalog_signature() override;

  Status commit_order(const Order& order, std::uint32_t ga_capacity) override;
  Status mark_captured(const OrderId& order) override;
  Result<std::optional<Order>> find_order(const OrderId& id) override;
  Result<std::optional<Order>> find_order_by_hold(const HoldId& hold) override;
  Result<std::vector<Order>> orders_of_event(std::int64_t event_id) override;
  Result<std::vector<Order>> uncaptured_orders() override;
  Result<SoldUnits> sold_units(std::int64_t event_id) override;
  Status ping() override;
  Result<std::uint64_t> next_epoch() override;

 private:
  Status insert_order(Connection& connection, const Order& order, std::uint32_t ga_capacity);
  Result<std::vector<Order>> select_orders(std::string_view name, std::string_view where,
                                           const std::vector<Param>& params);

  Pool pool_;
};

}  // namespace boxoffice::postgres
