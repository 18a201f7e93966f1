// Live seat maps: the hub behind GET /v1/events/{id}/availability/stream (server-sent events).
//
// The hold store reports every change to an event's units, in sequence order (publish()).
// Each event keeps a bounded ring of its recent changes, and a list of subscribers, each with
// a bounded queue that publish() fills without waiting (try_send). A subscriber's stream
// takes what its queue holds, waits coalesce_ms for more, and sends the batch as one message.
//
// Guarantees to a subscriber:
//  - it starts exactly current: with a last_event_id the ring still covers, the changes after
//    it; else a snapshot (Booking::availability's whole answer) and the changes after the
//    snapshot's seq. It registers before it reads the snapshot or the ring, so no change falls
//    between the two, and it drops what the snapshot already has;
//  - it never receives a change with a seq at or below what it already has, and never misses
//    one while it is open;
//  - it never slows the publisher or another subscriber: when its queue is full (it reads too
//    slowly), or the store reloaded the event at another seq than the subscriber's (a fresh
//    snapshot is needed), its subscription ends, and the browser reconnects with its
//    Last-Event-ID. (In cluster mode a node reports a reload at every load of its mirror,
//    mostly to the seq it had: no reason to end anything.)
// Memory is bounded: ring_changes_max changes per event, queue_messages_max per subscriber.
//
// Thread safety: publish() from any thread (the store's); a Subscription is used on the
// executor it was made for, from one coroutine at a time.
#pragma once

#include "core/catalog.hpp"
#include "core/errors.hpp"
#include "services/booking.hpp"
#include "services/holds.hpp"
#include "services/metrics.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace boxoffice {

struct LiveLimits {
  std::size_t ring_changes_max = 4096;      // per event: how far back a reconnect can resume
  std::size_t queue_messages_max = 1024;    // per subscriber: beyond, the subscriber is dropped
  std::chrono::milliseconds coalesce_ms{5};  // changes this close together make one message
  std::chrono::milliseconds heartbeat_ms{15'000};  // a comment when nothing else was sent
  std::chrono::milliseconds retry_ms{2'000};       // the browser's reconnection delay
};

class LiveSeats {
 public:
  // The whole availability answer of an event, current to its seq (Booking::availability).
  using SnapshotSource = std::function<Result<Availability>(std::int64_t event_id)>;

  class Subscription;
  struct Subscriber;

  LiveSeats(SnapshotSource snapshot, Metrics& metrics, LiveLimits limits = {});
  ~LiveSeats();
  LiveSeats(const LiveSeats&) = delete;
  LiveSeats& operator=(const LiveSeats&) = delete;

  // The hold store's change listener: quick, never blocks on a subscriber.
  void publish(const UnitsChange& change);

  // Subscribes to the event's changes on `executor`. `layout` names its seats. Errors: those
  // of the snapshot source.
  Result<std::unique_ptr<Subscription>> subscribe(boost::asio::any_io_executor executor,
                                                  std::int64_t event_id,
                                                  std::shared_ptr<const Layout> layout,
                                                  std::optional<std::uint64_t> last_event_id);

  // Ends every subscription and ignores changes from now on. Call when serving stops, before
  // the server's event loops go: a store thread may still report changes after that.
  void stop();

  std::size_t subscribers() const { return subscribers_.load(std::memory_order_relaxed); }

 private:
  struct EventFeed;
  EventFeed& feed(std::int64_t event_id);

  SnapshotSource snapshot_;
  Metrics& metrics_;
  const LiveLimits limits_;
  std::atomic<std::size_t> subscribers_ = 0;
  std::atomic<bool> stopped_ = false;
  std::shared_mutex feeds_mutex_;
  std::unordered_map<std::int64_t, std::unique_ptr<EventFeed>> feeds_;
};

// One open stream's view of an event. Ends its registration when destroyed.
class LiveSeats::Subscription {
 public:
  Subscription(LiveSeats& live, EventFeed& feed, std::shared_ptr<Subscriber> subscriber,
               std::shared_ptr<const Layout> layout);
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // The stream's first bytes: the retry field, then the snapshot or the missed changes.
  const std::string& first_message() const { return first_; }
  // The next message to send: a batch of changes or a heartbeat comment; nullopt when the
  // subscription ended (the queue overflowed, or the event was reloaded).
  boost::asio::awaitable<std::optional<std::string>> next();

 private:
  friend class LiveSeats;

  // live_delta_message of the batch, formatted once for the subscribers that send the same.
  std::string delta_message(const std::vector<std::shared_ptr<const UnitsChange>>& batch);

  LiveSeats& live_;
  EventFeed& feed_;
  std::shared_ptr<Subscriber> subscriber_;
  std::shared_ptr<const Layout> layout_;
  std::uint64_t have_seq_ = 0;  // the subscriber has every change up to here
  std::string first_;
};

// The SSE text of changes, as a delta message (exposed for tests).
std::string live_delta_message(const Layout& layout,
                               const std::vector<std::shared_ptr<const UnitsChange>>& changes);

}  // namespace boxoffice
