// The embedded mode's stores: catalog and orders in one SQLite file (`boxoffice.sqlite` in
// the data dir). See services/stores.hpp for the contract.
#pragma once

#include <filesystem>

#include "services/stores.hpp"
#include "stores/sqlite/database.hpp"

namespace boxoffice::sqlite {

class Store final : public CatalogStore, public OrderStore, public AccessCodeStore {
 public:
  explicit Store(const std::filesystem::path& file);

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

  // stores/sqlite/access_codes.cpp
  Status add_access_codes(std::int64_t event_id, const std::string& presale_id, std::uint32_t uses,
                          const std::vector<std::string>& hashes) override;
  Status spend_access_code(std::int64_t event_id, const std::string& hash,
                           const std::vector<std::string>& presales) override;
  Status give_back_access_code(std::int64_t event_id, const std::string& hash) override;
  Status check_access_code(std::int64_t event_id, const std::string& hash,
                           const std::vector<std::string>& presales) override;

 private:
  Result<std::vector<Order>> select_orders(std::string_view where, const std::string& value);

  Database db_;
};

}  // namespace boxoffice::sqlite
