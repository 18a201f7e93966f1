// The embedded mode's stores: catalog and orders in one SQLite file (`boxoffice.sqlite` in
// the data dir). See services/stores.hpp for the contract.
//
// Group commit: commit_order and mark_captured calls that run at the same time are gathered
// (stores/batcher.hpp) into one transaction, one fsync for the whole batch, each write in a
// savepoint of its own so that a refused order fails alone (store.cpp: write_batch). Under an
// on-sale's checkouts, one fsync each and the one lock made them queue for seconds.
#pragma once

#include <filesystem>

#include "services/stores.hpp"
#include "stores/batcher.hpp"
#include "stores/sqlite/database.hpp"

namespace boxoffice::sqlite {

class Store final : public CatalogStore, public OrderStore, public AccessCodeStore {
 public:
  // At most this many writes in one transaction (as the PostgreSQL store).
  static constexpr std::size_t writes_per_batch_max = 128;

  explicit Store(const std::filesystem::path& file);
  // Finishes the batch running and answers what is queued with store_unavailable: call it at
  // shutdown while the event loops of awaiting callers still exist.
  void stop_batches();

  // A commit_order (`order` set) or a mark_captured, and its answer.
  struct Write {
    const Order* order = nullptr;
    std::uint32_t ga_capacity = 0;
    OrderId captured;
    Status answer = make_error(Errc::store_unavailable, "the store is stopping");
  };

  Result<std::int64_t> create_venue(const Venue& venue) override;
  Result<std::int64_t> create_event(const Event& event) override;
  Status update_event(const Event& event) override;
  Result<std::vector<Venue>> load_venues() override;
  Result<std::vector<Event>> load_events() override;
  Result<std::string> catalog_signature() override;

  Status commit_order(const Order& order, std::uint32_t ga_capacity) override;
  Status mark_captured(const OrderId& order) override;
  // Answered by the batch's thread: no thread of `blocking_calls` is used.
  boost::asio::awaitable<Status> async_commit_order(const Order& order, std::uint32_t ga_capacity,
                                                    boost::asio::thread_pool&) override;
  boost::asio::awaitable<Status> async_mark_captured(const OrderId& order,
                                                     boost::asio::thread_pool&) override;
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
  void write_batch(const std::vector<Write*>& batch);

  Database db_;
  Batcher<Write> writes_{writes_per_batch_max,
                         [this](const std::vector<Write*>& batch) { write_batch(batch); }};
};

}  // namespace boxoffice::sqlite
