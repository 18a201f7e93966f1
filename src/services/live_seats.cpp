#include "services/live_seats.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cassert>

namespace boxoffice {
namespace {

namespace asio = boost::asio;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

using ChangePtr = std::shared_ptr<const UnitsChange>;
// A null change is a heartbeat.
using Queue =
    asio::experimental::concurrent_channel<void(boost::system::error_code, ChangePtr)>;

const char* kind_name(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::held:
      return "held";
    case ChangeKind::sold:
      return "sold";
    case ChangeKind::released:
    case ChangeKind::expired:
      return "released";
  }
  return "released";
}

boost::json::object encode_change(const Layout& layout, const UnitsChange& change) {
  boost::json::object out;
  out["seq"] = change.seq;
  out["kind"] = kind_name(change.kind);
  if (change.kind == ChangeKind::released) out["reason"] = "release";
  if (change.kind == ChangeKind::expired) out["reason"] = "timeout";
  boost::json::array seats;
  seats.reserve(change.seats.size());
  for (const SeatIndex seat : change.seats) {
    assert(seat < layout.seats.size());
    seats.emplace_back(layout.seats[seat].id);
  }
  out["seats"] = std::move(seats);
  if (change.ga_area) {
    assert(*change.ga_area < layout.ga_areas.size());
    out["ga"] = {{"area", layout.ga_areas[*change.ga_area].id}, {"quantity", change.ga_quantity}};
  }
  return out;
}

}  // namespace

struct LiveSeats::Subscriber {
  Subscriber(const asio::any_io_executor& executor, std::size_t capacity)
      : queue(executor, capacity), heartbeat(executor) {}

  Queue queue;  // filled by publish(), from any thread
  asio::steady_timer heartbeat;
  std::atomic<bool> ended = false;  // dropped by publish(): the stream must end
  bool closed = false;              // the subscription is gone (its executor only)
};

struct LiveSeats::EventFeed {
  std::mutex mutex;
  std::deque<ChangePtr> ring;  // contiguous seqs, oldest first
  std::vector<std::shared_ptr<Subscriber>> subscribers;

  // The last delta message formatted, for the subscribers whose batch is the same: most of an
  // event's subscribers send the same changes at about the same time, and formatting them is
  // most of a message's cost. A batch is named by its first and last change (the changes of an
  // event come in seq order) and the layout that named its seats.
  struct LastMessage {
    std::mutex mutex;
    ChangePtr first;
    ChangePtr last;
    std::shared_ptr<const Layout> layout;
    std::string text;
  } last_message;
};

namespace {

// Ends a subscriber from the publisher's side; its stream sees the queue closed.
void end_subscriber(LiveSeats::Subscriber& subscriber) {
  subscriber.ended.store(true, std::memory_order_relaxed);
  subscriber.queue.close();
}

// Queues a heartbeat every `interval` while the subscription lives. Through the queue, so that
// the stream has one place to wait and a change is never lost to a wait that was cancelled.
asio::awaitable<void> beat(std::shared_ptr<LiveSeats::Subscriber> subscriber,
                           std::chrono::milliseconds interval) {
  while (!subscriber->closed) {
    subscriber->heartbeat.expires_after(interval);
    co_await subscriber->heartbeat.async_wait(use_nothrow);
    if (subscriber->closed) break;
    (void)subscriber->queue.try_send(boost::system::error_code(), ChangePtr());  // full: skip
  }
}

}  // namespace

std::string live_delta_message(const Layout& layout, const std::vector<ChangePtr>& changes) {
  assert(!changes.empty());
  boost::json::array list;
  list.reserve(changes.size());
  for (const ChangePtr& change : changes) list.emplace_back(encode_change(layout, *change));
  const boost::json::object data{{"changes", std::move(list)}};
  std::string out = "event: delta\nid: ";
  out += std::to_string(changes.back()->seq);
  out += "\ndata: ";
  out += boost::json::serialize(data);
  out += "\n\n";
  return out;
}

LiveSeats::LiveSeats(SnapshotSource snapshot, Metrics& metrics, LiveLimits limits)
    : snapshot_(std::move(snapshot)), metrics_(metrics), limits_(limits) {
  assert(limits_.ring_changes_max > 0 && limits_.queue_messages_max > 0);
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
    for (const auto& subscriber : event->subscribers) end_subscriber(*subscriber);
    event->subscribers.clear();
  }
}

void LiveSeats::publish(const UnitsChange& change) {
  EventFeed& event = feed(change.event_id);
  std::lock_guard lock(event.mutex);
  if (stopped_.load()) return;
  auto shared = std::make_shared<const UnitsChange>(change);
  if (change.reloaded) {
    // The store reloaded the event at this seq. Where that is where the ring ends, nothing
    // jumped; else the ring no longer leads to the state. Subscribers hear of it in line with
    // the changes and judge by what they have (Subscription::next).
    if (event.ring.empty() || event.ring.back()->seq != change.seq) event.ring.clear();
  } else {
    // The ring holds contiguous seqs only, so that "covers everything after id X" is a range
    // check; a change out of line (never expected) starts it afresh.
    if (!event.ring.empty() && change.seq != event.ring.back()->seq + 1) event.ring.clear();
    event.ring.push_back(shared);
    if (event.ring.size() > limits_.ring_changes_max) event.ring.pop_front();
  }
  std::erase_if(event.subscribers, [&](const std::shared_ptr<Subscriber>& subscriber) {
    if (subscriber->queue.try_send(boost::system::error_code(), shared)) return false;
    end_subscriber(*subscriber);  // too slow: its browser resumes from its Last-Event-ID
    metrics_.live_subscribers_dropped.add();
    return true;
  });
}

Result<std::unique_ptr<LiveSeats::Subscription>> LiveSeats::subscribe(
    asio::any_io_executor executor, std::int64_t event_id, std::shared_ptr<const Layout> layout,
    std::optional<std::uint64_t> last_event_id) {
  EventFeed& event = feed(event_id);
  auto subscriber = std::make_shared<Subscriber>(executor, limits_.queue_messages_max);
  std::vector<ChangePtr> missed;
  bool resumed = false;
  {
    std::lock_guard lock(event.mutex);
    const auto& ring = event.ring;
    // Resumable when the ring holds every change after the id: from the future, or older
    // than the ring, it needs a snapshot.
    if (last_event_id && !ring.empty() && *last_event_id + 1 >= ring.front()->seq &&
        *last_event_id <= ring.back()->seq) {
      resumed = true;
      for (const ChangePtr& change : ring) {
        if (change->seq > *last_event_id) missed.push_back(change);
      }
    }
    event.subscribers.push_back(subscriber);
  }
  auto subscription =
      std::make_unique<Subscription>(*this, event, std::move(subscriber), std::move(layout));
  std::string& first = subscription->first_;
  first = "retry: " + std::to_string(limits_.retry_ms.count()) + "\n";
  if (resumed) {
    subscription->have_seq_ = *last_event_id;
    if (!missed.empty()) {
      first += live_delta_message(*subscription->layout_, missed);
      subscription->have_seq_ = missed.back()->seq;
    } else {
      first += "\n";
    }
  } else {
    // Read after registering: whatever the snapshot lacks is in the queue.
    auto snapshot = snapshot_(event_id);
    if (!snapshot) return std::move(snapshot).error();
    subscription->have_seq_ = snapshot->seq;
    first += "event: snapshot\nid: " + std::to_string(snapshot->seq) + "\ndata: ";
    first += *snapshot->json;
    first += "\n\n";
  }
  metrics_.live_messages_sent.add();
  return subscription;
}

LiveSeats::Subscription::Subscription(LiveSeats& live, EventFeed& feed,
                                      std::shared_ptr<Subscriber> subscriber,
                                      std::shared_ptr<const Layout> layout)
    : live_(live), feed_(feed), subscriber_(std::move(subscriber)), layout_(std::move(layout)) {
  live_.subscribers_.fetch_add(1, std::memory_order_relaxed);
  asio::co_spawn(subscriber_->heartbeat.get_executor(),
                 beat(subscriber_, live_.limits_.heartbeat_ms), asio::detached);
}

LiveSeats::Subscription::~Subscription() {
  subscriber_->closed = true;
  subscriber_->heartbeat.cancel();
  {
    std::lock_guard lock(feed_.mutex);
    std::erase(feed_.subscribers, subscriber_);
  }
  live_.subscribers_.fetch_sub(1, std::memory_order_relaxed);
}

std::string LiveSeats::Subscription::delta_message(const std::vector<ChangePtr>& batch) {
  auto& last = feed_.last_message;
  std::lock_guard lock(last.mutex);
  if (last.first != batch.front() || last.last != batch.back() || last.layout != layout_) {
    last.text = live_delta_message(*layout_, batch);
    last.first = batch.front();
    last.last = batch.back();
    last.layout = layout_;
  }
  return last.text;
}

asio::awaitable<std::optional<std::string>> LiveSeats::Subscription::next() {
  Subscriber& subscriber = *subscriber_;
  for (;;) {
    auto [error, change] = co_await subscriber.queue.async_receive(use_nothrow);
    if (error || subscriber.ended.load(std::memory_order_relaxed)) co_return std::nullopt;
    if (!change) co_return std::string(": hb\n\n");
    // A reload to another state than ours: only a fresh snapshot leads there.
    if (change->reloaded && change->seq != have_seq_) co_return std::nullopt;
    if (change->reloaded || change->seq <= have_seq_) continue;  // the snapshot has it
    // Let the changes of the next few milliseconds join this one: one message, not many.
    std::vector<ChangePtr> batch{std::move(change)};
    asio::steady_timer pause(subscriber.heartbeat.get_executor(), live_.limits_.coalesce_ms);
    co_await pause.async_wait(use_nothrow);
    bool jumped = false;
    while (subscriber.queue.try_receive([&](boost::system::error_code, ChangePtr more) {
      if (!more) return;
      if (more->reloaded) {
        jumped = jumped || more->seq != batch.back()->seq;
      } else if (more->seq > batch.back()->seq) {
        batch.push_back(std::move(more));
      }
    })) {
    }
    if (jumped || subscriber.ended.load(std::memory_order_relaxed)) co_return std::nullopt;
    have_seq_ = batch.back()->seq;
    live_.metrics_.live_messages_sent.add();
    co_return delta_message(batch);
  }
}

}  // namespace boxoffice
