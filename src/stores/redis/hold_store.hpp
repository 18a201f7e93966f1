// Cluster mode's hold store: the seat state machine in Redis, shared by every node.
//
// Each operation is one Lua script (stores/redis/hold_scripts.hpp), atomic in Redis, sent over
// the calling thread's own connection (one per io_context, so a server thread never blocks and
// concurrent requests are pipelined). A hold's id carries its event (the last 6 bytes; the
// first 10 are random), so any node finds the hold's keys without a lookup.
//
// Every node keeps a mirror of each event it serves (whose seats are held or sold, GA counts),
// built from a snapshot and kept current by following the event's change stream (XREAD on a
// connection of its own) plus the answers of its own scripts: availability and best available
// read the mirror; holds are then claimed by the scripts, which have the last word. A gap in the
// stream (trimmed, or Redis replaced by a replica) makes the node reload the snapshot.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "services/holds.hpp"
#include "services/metrics.hpp"
#include "stores/redis/client.hpp"
#include "stores/redis/scripts.hpp"

namespace boxoffice::redis {

class HoldStore final : public boxoffice::HoldStore {
 public:
  // `next_epoch` is OrderStore::next_epoch: an event loaded into Redis anew starts its
  // sequence at epoch << 32, above any number handed out before.
  HoldStore(Endpoint endpoint, std::function<Result<std::uint64_t>()> next_epoch, Metrics& metrics);
  ~HoldStore() override;

  // Blocks until the event's state is in Redis and mirrored here (once per event and node).
  Status open_event(EventUnits units) override;
  std::optional<std::int64_t> event_of(const HoldId& id) override;
  boost::asio::awaitable<Result<Held>> hold(std::int64_t event_id, HoldAsk ask, HoldTerms terms,
                                            UnixMillis now, UnixMillis expires_at) override;
  boost::asio::awaitable<Result<HoldView>> find_hold(HoldId id, UnixMillis now) override;
  boost::asio::awaitable<Status> release(HoldId id, UnixMillis now) override;
  boost::asio::awaitable<Result<HoldView>> begin_checkout(HoldId id, UnixMillis now,
                                                          UnixMillis pin_ms) override;
  boost::asio::awaitable<Status> finish_checkout(HoldId id) override;
  boost::asio::awaitable<Status> abort_checkout(HoldId id, UnixMillis now) override;
  boost::asio::awaitable<Status> settle_stale_checkout(HoldId id, bool sold,
                                                       UnixMillis now) override;
  boost::asio::awaitable<Result<SweepOutcome>> sweep(UnixMillis now) override;
  Result<std::shared_ptr<const UnitsSnapshot>> snapshot(std::int64_t event_id,
                                                        UnixMillis now) override;
  std::size_t live_holds() override;
  bool reachable() override { return reachable_; }
  void on_change(ChangeListener listener) override { listener_ = std::move(listener); }

  enum class Script {
    hold,
    find,
    release,
    begin_checkout,
    finish_checkout,
    abort_checkout,
    sweep,
    snapshot,
    load,
    raise_seq,
    count
  };

 private:
  struct Event;

  Event* find_event(std::int64_t event_id);
  Result<Event*> event_of_hold(const HoldId& id);
  // Runs a script on the event's keys; loads the script or the event into Redis if it must.
  boost::asio::awaitable<Result<Reply>> run(Client& client, Event& event, Script script,
                                            std::vector<std::string> args);
  boost::asio::awaitable<Result<Reply>> run(Event& event, Script script,
                                            std::vector<std::string> args);
  boost::asio::awaitable<Status> load(Client& client, Event& event);
  // Rebuilds the event's mirror from Redis.
  boost::asio::awaitable<Status> reload_mirror(Client& client, Event& event);
  boost::asio::awaitable<void> follow();

  Connections connections_;
  Scripts scripts_;
  const std::function<Result<std::uint64_t>()> next_epoch_;
  Metrics& metrics_;
  ChangeListener listener_;
  std::shared_mutex events_mutex_;
  std::unordered_map<std::int64_t, std::unique_ptr<Event>> events_;

  // The follower: an event loop and a connection of its own, blocked in XREAD.
  std::atomic<bool> reachable_ = true;  // as the follower's last read found it
  boost::asio::io_context follower_io_;
  Client follower_client_;
  std::thread follower_;  // last: starts when the rest exists
};

}  // namespace boxoffice::redis
