// The cluster mode's source of truth: catalog and orders in PostgreSQL 15, shared by every
// node. Same contract as the SQLite store (services/stores.hpp); the sale of a seat is guarded
// by the primary key of sold_seats, and of general-admission places by a conditional update,
// so PostgreSQL stays the final arbiter whatever the holds in Redis believe.
//
// Group commit: commit_order and mark_captured calls that run at the same time are gathered
// (stores/batcher.hpp) and made in one transaction, one round trip and one WAL flush
// for the whole batch, by the SQL function commit_batch. Each order there is guarded on its
// own, so one that fails (a seat sold, a second order for its hold) is undone alone and
// answered its own error while the others commit; every caller returns once the batch's
// COMMIT is durable. A batch that fails as a whole on a statement error (a deadlock with
// another node) is retried write by write, so the answers stay each write's own.
// find_order_by_hold calls (one at the start of every checkout) are gathered the same way,
// into one query.
//
// Migrations are numbered and applied at start under an advisory lock, so several nodes
// starting at once apply each exactly once.
#pragma once

#include <string>
#include <vector>

#include "services/stores.hpp"
#include "stores/batcher.hpp"
#include "stores/postgres/connection.hpp"

namespace boxoffice::postgres {

class Store final : public CatalogStore, public OrderStore, public AccessCodeStore {
 public:
  // At most this many writes in one transaction: a bound on its statement and its locks.
  static constexpr std::size_t writes_per_batch_max = 128;
  static constexpr std::size_t lookups_per_batch_max = 128;
  // One batch of each kind runs at a time (on its own connection); callers that come
  // meanwhile join the next batch. On the 2-core machine of bench/README.md, two in flight
  // made smaller batches and cost PostgreSQL 20 to 40% more CPU per checkout for no more
  // checkouts per second.

  // Connects lazily, up to `connections`; call migrate() before use.
  Store(std::string url, std::size_t connections);
  // Finishes the batches running and answers what is queued with store_unavailable: call it
  // at shutdown while the event loops of awaiting callers still exist.
  void stop_batches();

  // Applies the migrations this database lacks. Safe to run from several nodes at once.
  Status migrate();

  Result<std::int64_t> create_venue(const Venue& venue) override;
  Result<std::int64_t> create_event(const Event& event) override;
  Status update_event(const Event& event) override;
  Result<std::vector<Venue>> load_venues() override;
  Result<std::vector<Event>> load_events() override;
  Result<std::string> catalog_signature() override;

  // stores/postgres/access_codes.cpp
  Status add_access_codes(std::int64_t event_id, const std::string& presale_id, std::uint32_t uses,
                          const std::vector<std::string>& hashes) override;
  Status spend_access_code(std::int64_t event_id, const std::string& hash,
                           const std::vector<std::string>& presales) override;
  Status give_back_access_code(std::int64_t event_id, const std::string& hash) override;
  Status check_access_code(std::int64_t event_id, const std::string& hash,
                           const std::vector<std::string>& presales) override;

  Status commit_order(const Order& order, std::uint32_t ga_capacity) override;
  Status mark_captured(const OrderId& order) override;
  Result<std::optional<Order>> find_order(const OrderId& id) override;
  Result<std::optional<Order>> find_order_by_hold(const HoldId& hold) override;
  // Answered by the batches' threads: no thread of `blocking_calls` is used.
  boost::asio::awaitable<Status> async_commit_order(const Order& order, std::uint32_t ga_capacity,
                                                    boost::asio::thread_pool&) override;
  boost::asio::awaitable<Status> async_mark_captured(const OrderId& order,
                                                     boost::asio::thread_pool&) override;
  boost::asio::awaitable<Result<std::optional<Order>>> async_find_order_by_hold(
      const HoldId& hold, boost::asio::thread_pool&) override;
  Result<std::vector<Order>> orders_of_event(std::int64_t event_id) override;
  Result<std::vector<Order>> uncaptured_orders() override;
  Result<SoldUnits> sold_units(std::int64_t event_id) override;
  Status ping() override;
  Result<std::uint64_t> next_epoch() override;

 private:
  // A write that group commit gathers: an order to commit, or an order to mark captured.
  struct Write {
    const Order* order = nullptr;
    std::uint32_t ga_capacity = 0;
    const OrderId* captured = nullptr;
    // Never success until commit_batch says so.
    Status answer = make_error(Errc::store_unavailable, "PostgreSQL: the write was not answered");
  };

  struct Lookup {
    const HoldId* hold = nullptr;
    Result<std::optional<Order>> answer =
        make_error(Errc::store_unavailable, "PostgreSQL: the lookup was not answered");
  };

  void write_batch(const std::vector<Write*>& batch);
  void lookup_batch(const std::vector<Lookup*>& batch);
  Status commit_batch(Connection& connection, const std::vector<Write*>& batch);
  // Orders with their tickets; `from_where` names them as `o` ("FROM orders o WHERE ...").
  Result<std::vector<Order>> select_orders(std::string_view name, std::string_view from_where,
                                           const std::vector<Param>& params);

  Pool pool_;
  Batcher<Write> writes_;
  Batcher<Lookup> lookups_;
};

}  // namespace boxoffice::postgres
