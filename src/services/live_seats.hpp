// Live seat maps: the hub behind GET /v1/events/{id}/availability/stream (server-sent events).
// The hub decides who is sent what and when; how a message is written is the edge's
// (LiveFormat, implemented in http/live_stream.cpp), asked once per message for all the
// subscribers that need the same one.
//
// The hold store reports every change to an event's units, in sequence order (publish()).
// Each event keeps a bounded ring of its recent changes. Its subscribers are grouped by the
// event loop (io_context) their connection runs on, and each group is served by one fan-out
// loop: woken by a change, it waits coalesce_ms for more, formats the delta once for all the
// subscribers that have the same seq (nearly all), and writes it to each connection without
// waiting (LiveSink::write_now), yielding to the event loop every few hundred subscribers so
// that requests (the holds that make the changes) are not queued behind the fan-out. What a
// connection does not take at once waits in its subscriber's pending bytes, which the
// subscriber's own coroutine (Subscription::run) writes as the socket drains.
//
// Guarantees to a subscriber:
//  - it starts exactly current: with a last_event_id the ring still covers, the changes after
//    it; else a snapshot (Booking::availability's whole answer) and the changes after the
//    snapshot's seq. It registers before it reads the snapshot or the ring, so no change falls
//    between the two, and it is sent only changes above its seq;
//  - it never receives a change twice, and never misses one while it is open;
//  - it never slows the publisher or another subscriber: when its pending bytes would pass
//    pending_bytes_max (it reads too slowly), or the store reloaded the event at another seq
//    than the subscriber's (a fresh snapshot is needed), its stream ends, and the browser
//    reconnects with its Last-Event-ID. (In cluster mode a node reports a reload at every load
//    of its mirror, mostly to the seq it had: no reason to end anything.)
// Memory is bounded: ring_changes_max changes per event, pending_bytes_max per subscriber.
//
// Thread safety: publish() and stop() from any thread; a Subscription is made, run and
// destroyed on the event loop of the executor it was made for.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
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

#include "core/catalog.hpp"
#include "core/errors.hpp"
#include "services/holds.hpp"
#include "services/metrics.hpp"

namespace boxoffice {

struct LiveLimits {
  std::size_t ring_changes_max = 4096;        // per event: how far back a reconnect can resume
  std::size_t pending_bytes_max = 64 * 1024;  // per subscriber: beyond, the subscriber is dropped
  std::size_t writes_per_turn = 256;          // a fan-out yields to its event loop this often
  std::chrono::milliseconds coalesce_ms{5};   // changes this close together make one message
  std::chrono::milliseconds heartbeat_ms{15'000};  // a comment when nothing else was sent
  std::chrono::milliseconds retry_ms{2'000};       // the browser's reconnection delay
};

// One subscriber's connection, as the server gives it to the stream.
class LiveSink {
 public:
  virtual ~LiveSink() = default;
  // Writes what the connection takes at once, without waiting: how many bytes of `data`;
  // nullopt when the peer is gone.
  virtual std::optional<std::size_t> write_now(std::string_view data) = 0;
  // Writes all of `data`, waiting as long as the server allows. False: the peer is gone or
  // too slow, and the stream must end.
  virtual boost::asio::awaitable<bool> write(std::string_view data) = 0;
  // Ends the connection now: a write() under way fails at once.
  virtual void abort() = 0;
};

// An event's whole availability, encoded as readers are sent it, current to `seq`.
struct EncodedSnapshot {
  std::uint64_t seq = 0;
  std::shared_ptr<const std::string> text;
};

// How the messages of a stream are written: the edge's business (http/live_stream.cpp).
class LiveFormat {
 public:
  virtual ~LiveFormat() = default;
  // The first bytes of every stream: how long a client waits before it reconnects.
  virtual std::string opening(std::chrono::milliseconds retry) const = 0;
  virtual std::string snapshot(const EncodedSnapshot& snapshot) const = 0;
  // The changes in order (at least one), named by `layout`; identified by the last one's seq.
  virtual std::string delta(
      const Layout& layout,
      const std::vector<std::shared_ptr<const UnitsChange>>& changes) const = 0;
  // What a resumed stream that missed nothing is sent after its opening.
  virtual std::string nothing_missed() const = 0;
  // Sent when nothing else was for heartbeat_ms, so proxies and clients know the stream lives.
  virtual std::string_view heartbeat() const = 0;
};

class LiveSeats {
 public:
  // The whole availability of an event, current to its seq.
  using SnapshotSource = std::function<Result<EncodedSnapshot>(std::int64_t event_id)>;

  class Subscription;
  struct Subscriber;

  // `format` must outlive the hub.
  LiveSeats(SnapshotSource snapshot, const LiveFormat& format, Metrics& metrics,
            LiveLimits limits = {});
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

  // Ignores changes from now on and ends every subscription (on each subscriber's event loop,
  // if it still runs). A store thread may report changes until the store is destroyed.
  void stop();

  std::size_t subscribers() const { return subscribers_.load(std::memory_order_relaxed); }

 private:
  struct EventFeed;
  struct Fanout;
  EventFeed& feed(std::int64_t event_id);
  // Has the fan-out run a round on its event loop soon (from any thread).
  void wake(const std::shared_ptr<Fanout>& fanout);
  boost::asio::awaitable<void> fan_out(std::shared_ptr<Fanout> fanout);
  // Sends `text` to `subscriber` without waiting: at once, or into its pending bytes. False
  // when the subscriber ended (gone, or too slow).
  bool send(Subscriber& subscriber, std::string_view text);
  void end(Subscriber& subscriber, bool dropped);

  SnapshotSource snapshot_;
  const LiveFormat& format_;
  Metrics& metrics_;
  const LiveLimits limits_;
  std::atomic<std::size_t> subscribers_ = 0;
  std::atomic<bool> stopped_ = false;
  std::shared_mutex feeds_mutex_;
  std::unordered_map<std::int64_t, std::unique_ptr<EventFeed>> feeds_;
};

// One open stream of an event. Ends its registration when destroyed.
class LiveSeats::Subscription {
 public:
  Subscription(LiveSeats& live, std::shared_ptr<Fanout> fanout,
               std::shared_ptr<Subscriber> subscriber);
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // The stream's first bytes: the retry field, then the snapshot or the missed changes.
  const std::string& first_message() const { return first_; }
  // Streams to `sink`, which sent first_message() already, until the subscription ends (too
  // slow, the event reloaded, stop()) or the sink fails: the deltas and heartbeats.
  boost::asio::awaitable<void> run(LiveSink& sink);

 private:
  friend class LiveSeats;

  LiveSeats& live_;
  std::shared_ptr<Fanout> fanout_;
  std::shared_ptr<Subscriber> subscriber_;
  std::string first_;
};

}  // namespace boxoffice
