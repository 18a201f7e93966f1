#include "services/live_seats.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/check.hpp"

namespace boxoffice {
namespace {

namespace asio = boost::asio;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

using ChangePtr = std::shared_ptr<const UnitsChange>;
using SteadyClock = std::chrono::steady_clock;

}  // namespace

struct LiveSeats::Subscriber {
  explicit Subscriber(const asio::any_io_executor& executor) : wake(executor) {}

  // All on the subscriber's event loop, but `generation` and `have_seq`, set under the feed's
  // mutex before the subscriber is shown to its fan-out.
  std::uint64_t generation = 0;  // of the event's ring that `have_seq` is on
  std::uint64_t have_seq = 0;    // the subscriber has every change up to here
  LiveSink* sink = nullptr;      // set while run() streams, after the first message
  std::string pending;           // what the connection has not taken yet, for run() to write
  bool writing = false;          // run() is writing: what comes meanwhile goes to `pending`
  bool ended = false;
  SteadyClock::time_point last_write;
  asio::steady_timer wake;  // run() sleeps on it until a heartbeat is due; cancelled to wake
};

// An event's subscribers on one event loop, and the loop that sends them the changes.
struct LiveSeats::Fanout {
  Fanout(asio::any_io_executor executor, std::shared_ptr<const Layout> layout, EventFeed& event)
      : executor(std::move(executor)), layout(std::move(layout)), event(event) {}

  const asio::any_io_executor executor;
  const std::shared_ptr<const Layout> layout;  // an event's layout never changes
  EventFeed& event;
  std::atomic<bool> woken = false;  // a round is due: set by publish(), cleared by the round
  // On the event loop only. Owned by their Subscriptions (and streams): a subscriber's timer
  // must go with its event loop, not with the hub.
  std::vector<std::weak_ptr<Subscriber>> subscribers;  // ended ones leave between rounds
  bool running = false;
};

struct LiveSeats::EventFeed {
  std::mutex mutex;
  std::deque<ChangePtr> ring;  // contiguous seqs, oldest first
  // A new generation starts when the store reloads the event at a seq where the ring does not
  // end: the ring starts afresh there, subscribers at restart_seq go on, the others end.
  std::uint64_t generation = 0;
  std::uint64_t restart_seq = 0;
  std::unordered_map<const void*, std::shared_ptr<Fanout>> fanouts;  // by event loop
};

LiveSeats::LiveSeats(SnapshotSource snapshot, const LiveFormat& format, Metrics& metrics,
                     LiveLimits limits)
    : snapshot_(std::move(snapshot)), format_(format), metrics_(metrics), limits_(limits) {
  BOXOFFICE_CHECK(limits_.ring_changes_max > 0 && limits_.pending_bytes_max > 0 &&
                  limits_.writes_per_turn > 0);
}

LiveSeats::~LiveSeats() = default;

LiveSeats::EventFeed& LiveSeats::feed(std::int64_t event_id) {
  {
    std::shared_lock lock(feeds_mutex_);
    if (auto found = feeds_.find(event_id); found != feeds_.end()) return *found->second;
  }
  std::unique_lock lock(feeds_mutex_);
  auto& slot = feeds_[event_id];
  if (!slot) slot = std::make_unique<EventFeed>();
  return *slot;
}

void LiveSeats::stop() {
  stopped_.store(true);
  std::shared_lock lock(feeds_mutex_);
  for (auto& [id, event] : feeds_) {
    std::lock_guard event_lock(event->mutex);
    for (const auto& [loop, fanout] : event->fanouts) {
      asio::post(fanout->executor, [this, fanout] {
        for (const auto& weak : fanout->subscribers) {
          if (const auto subscriber = weak.lock()) end(*subscriber, false);
        }
      });
    }
  }
}

void LiveSeats::publish(const UnitsChange& change) {
  EventFeed& event = feed(change.event_id);
  std::vector<std::shared_ptr<Fanout>> fanouts;
  {
    std::lock_guard lock(event.mutex);
    if (stopped_.load()) return;
    const bool in_line = !event.ring.empty() && change.seq == event.ring.back()->seq + 1;
    if (change.reloaded) {
      // Where the ring ends (or ended) at this seq, nothing jumped.
      const std::uint64_t end_seq = event.ring.empty() ? event.restart_seq : event.ring.back()->seq;
      if (end_seq == change.seq) return;
      event.ring.clear();
      ++event.generation;
      event.restart_seq = change.seq;
    } else {
      // The ring holds contiguous seqs only, so that "covers everything after id X" is a range
      // check; a change out of line (never expected) starts it afresh. The state did not jump:
      // subscribers whose seq the new ring covers go on.
      if (!in_line) event.ring.clear();
      event.ring.push_back(std::make_shared<const UnitsChange>(change));
      if (event.ring.size() > limits_.ring_changes_max) event.ring.pop_front();
    }
    fanouts.reserve(event.fanouts.size());
    for (const auto& [loop, fanout] : event.fanouts) fanouts.push_back(fanout);
  }
  for (const auto& fanout : fanouts) wake(fanout);
}

void LiveSeats::wake(const std::shared_ptr<Fanout>& fanout) {
  if (fanout->woken.exchange(true)) return;  // a round is due already
  asio::post(fanout->executor, [this, fanout] {
    if (fanout->running) return;  // the running round sees `woken` and goes round again
    fanout->running = true;
    asio::co_spawn(fanout->executor, fan_out(fanout), asio::detached);
  });
}

bool LiveSeats::send(Subscriber& subscriber, std::string_view text) {
  if (subscriber.ended || subscriber.sink == nullptr) return false;
  if (subscriber.writing || !subscriber.pending.empty()) {
    if (subscriber.pending.size() + text.size() > limits_.pending_bytes_max) {
      end(subscriber, true);  // too slow: its browser resumes from its Last-Event-ID
      return false;
    }
    subscriber.pending.append(text);
    return true;
  }
  const auto written = subscriber.sink->write_now(text);
  if (!written) {
    end(subscriber, false);
    return false;
  }
  subscriber.last_write = SteadyClock::now();
  if (*written < text.size()) {
    subscriber.pending.assign(text.substr(*written));
    subscriber.wake.cancel();  // run() writes the rest as the connection drains
  }
  return true;
}

void LiveSeats::end(Subscriber& subscriber, bool dropped) {
  if (subscriber.ended) return;
  subscriber.ended = true;
  subscriber.wake.cancel();
  if (subscriber.writing && subscriber.sink) subscriber.sink->abort();  // don't wait for it
  if (dropped) metrics_.live_subscribers_dropped.add();
}

// One fan-out round after another while changes come: every subscriber is sent what it lacks,
// formatted once per distinct seq the subscribers are at.
asio::awaitable<void> LiveSeats::fan_out(std::shared_ptr<Fanout> fanout) {
  EventFeed& event = fanout->event;
  asio::steady_timer pause(fanout->executor, limits_.coalesce_ms);
  co_await pause.async_wait(use_nothrow);  // the changes of the next few ms join this one
  while (fanout->woken.exchange(false)) {
    // Ended subscribers leave; the lowest seq of the streaming ones bounds what is read.
    std::uint64_t lowest = UINT64_MAX;
    std::erase_if(fanout->subscribers, [&lowest](const std::weak_ptr<Subscriber>& weak) {
      const auto subscriber = weak.lock();
      if (!subscriber || subscriber->ended) return true;
      if (subscriber->sink) lowest = std::min(lowest, subscriber->have_seq);
      return false;
    });
    std::vector<ChangePtr> changes;  // the ring above `lowest`
    std::uint64_t generation = 0;
    std::uint64_t restart_seq = 0;
    {
      std::lock_guard lock(event.mutex);
      generation = event.generation;
      restart_seq = event.restart_seq;
      for (auto it = event.ring.rbegin(); it != event.ring.rend() && (*it)->seq > lowest; ++it) {
        changes.push_back(*it);
      }
    }
    std::reverse(changes.begin(), changes.end());
    const std::uint64_t last = changes.empty() ? 0 : changes.back()->seq;
    const std::uint64_t first = changes.empty() ? 0 : changes.front()->seq;
    std::unordered_map<std::uint64_t, std::string> messages;  // by the seq a subscriber is at
    std::size_t writes = 0;
    // By index: subscribers may join while the loop yields (they are added at the end).
    for (std::size_t i = 0; i < fanout->subscribers.size(); ++i) {
      const auto kept = fanout->subscribers[i].lock();
      if (!kept || kept->ended || kept->sink == nullptr) continue;
      Subscriber& subscriber = *kept;
      if (subscriber.generation != generation) {
        // The ring started afresh: only a subscriber at its start is still on the path.
        if (subscriber.have_seq != restart_seq) {
          end(subscriber, false);
          continue;
        }
        subscriber.generation = generation;
      }
      if (changes.empty() || subscriber.have_seq >= last) continue;
      if (subscriber.have_seq + 1 < first) {  // the ring no longer has what it lacks
        end(subscriber, false);
        continue;
      }
      std::string& message = messages[subscriber.have_seq];
      if (message.empty()) {
        const auto from = std::find_if(changes.begin(), changes.end(), [&](const ChangePtr& c) {
          return c->seq > subscriber.have_seq;
        });
        message = format_.delta(*fanout->layout, std::vector(from, changes.end()));
      }
      if (!send(subscriber, message)) continue;
      subscriber.have_seq = last;
      metrics_.live_messages_sent.add();
      if (++writes % limits_.writes_per_turn == 0) {
        co_await asio::post(fanout->executor, asio::use_awaitable);  // requests go first
      }
    }
  }
  fanout->running = false;
}

Result<std::unique_ptr<LiveSeats::Subscription>> LiveSeats::subscribe(
    asio::any_io_executor executor, std::int64_t event_id, std::shared_ptr<const Layout> layout,
    std::optional<std::uint64_t> last_event_id) {
  EventFeed& event = feed(event_id);
  auto subscriber = std::make_shared<Subscriber>(executor);
  std::shared_ptr<Fanout> fanout;
  std::vector<ChangePtr> missed;
  bool resumed = false;
  {
    std::lock_guard lock(event.mutex);
    const void* loop = &asio::query(executor, asio::execution::context);
    auto& slot = event.fanouts[loop];
    if (!slot) slot = std::make_shared<Fanout>(executor, layout, event);
    fanout = slot;
    const auto& ring = event.ring;
    subscriber->generation = event.generation;
    // Resumable when the ring holds every change after the id: from the future, or older
    // than the ring, it needs a snapshot.
    if (last_event_id && !ring.empty() && *last_event_id + 1 >= ring.front()->seq &&
        *last_event_id <= ring.back()->seq) {
      resumed = true;
      for (const ChangePtr& change : ring) {
        if (change->seq > *last_event_id) missed.push_back(change);
      }
    }
  }
  fanout->subscribers.push_back(subscriber);  // this event loop's own list
  auto subscription = std::make_unique<Subscription>(*this, fanout, subscriber);
  std::string& first = subscription->first_;
  first = format_.opening(limits_.retry_ms);
  if (resumed) {
    subscriber->have_seq = *last_event_id;
    if (!missed.empty()) {
      first += format_.delta(*layout, missed);
      subscriber->have_seq = missed.back()->seq;
    } else {
      first += format_.nothing_missed();
    }
  } else {
    // Read after registering: the fan-out sends whatever the snapshot lacks.
    auto snapshot = snapshot_(event_id);
    if (!snapshot) return std::move(snapshot).error();
    subscriber->have_seq = snapshot->seq;
    first += format_.snapshot(*snapshot);
  }
  metrics_.live_messages_sent.add();
  return subscription;
}

LiveSeats::Subscription::Subscription(LiveSeats& live, std::shared_ptr<Fanout> fanout,
                                      std::shared_ptr<Subscriber> subscriber)
    : live_(live), fanout_(std::move(fanout)), subscriber_(std::move(subscriber)) {
  live_.subscribers_.fetch_add(1, std::memory_order_relaxed);
}

LiveSeats::Subscription::~Subscription() {
  subscriber_->sink = nullptr;
  subscriber_->ended = true;
  subscriber_->wake.cancel();
  if (!fanout_->running) {
    std::erase_if(fanout_->subscribers, [this](const std::weak_ptr<Subscriber>& weak) {
      return weak.expired() || weak.lock() == subscriber_;
    });
  }
  live_.subscribers_.fetch_sub(1, std::memory_order_relaxed);
}

asio::awaitable<void> LiveSeats::Subscription::run(LiveSink& sink) {
  // Its own references: the Subscription may be destroyed while this waits (its destructor
  // ends the subscriber, which ends this).
  const std::shared_ptr<Subscriber> kept = subscriber_;
  const std::shared_ptr<Fanout> fanout = fanout_;
  LiveSeats& live = live_;
  Subscriber& subscriber = *kept;
  struct Detach {  // the sink lives as long as this call
    Subscriber& subscriber;
    ~Detach() { subscriber.sink = nullptr; }
  } detach{subscriber};
  if (subscriber.ended) co_return;
  subscriber.sink = &sink;
  subscriber.last_write = SteadyClock::now();
  live.wake(fanout);  // what came since the snapshot, if anything
  for (;;) {
    if (subscriber.ended) co_return;
    if (!subscriber.pending.empty()) {
      std::string out;
      out.swap(subscriber.pending);
      subscriber.writing = true;
      const bool written = co_await sink.write(out);
      subscriber.writing = false;
      if (!written) co_return;
      subscriber.last_write = SteadyClock::now();
      continue;
    }
    subscriber.wake.expires_at(subscriber.last_write + live.limits_.heartbeat_ms);
    auto [error] = co_await subscriber.wake.async_wait(use_nothrow);
    if (!error && !subscriber.ended) (void)live.send(subscriber, live.format_.heartbeat());
  }
}

}  // namespace boxoffice
