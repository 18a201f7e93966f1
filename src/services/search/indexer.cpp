// The indexer: one thread that applies the catalog's changes to the index, and rebuilds it.
//
// put() and remove() only enqueue (at most index_queue_max changes; past that the oldest are
// dropped, and a rebuild recovers). The thread takes up to index_batch_max changes at a time
// and applies them in one SQLite transaction under the index's lock held exclusively, so a
// batch costs searches a few milliseconds of waiting however many changes it holds; then it
// observes each change's lag, from the moment the catalog saw it to now.
//
// A rebuild makes a fresh index from a full list, off to the side and without the lock (the
// old index keeps answering meanwhile), optimizes its FTS5 table, copies the popularity counts
// over by event id, and swaps the pointer. Changes queued meanwhile stay queued and are applied
// to the new index after it. Of rebuilds asked for while one is built, only the last list is
// built next; each request has a number, and rebuilt(n) tells when one at least as recent is in
// use.
//
// Searches hold a shared_ptr to the index they started on, so a swapped-out index lives until
// its last search ends, and its files are removed then.
#include <spdlog/spdlog.h>

#include "services/clock.hpp"
#include "services/search/index.hpp"
#include "services/search/search.hpp"
#include "services/search/stats.hpp"

namespace boxoffice {
namespace {

bool indexable(const Event& event) { return event.published && !event.cancelled; }

// A folder of the index's own, emptied: at start nothing in it is in use.
std::filesystem::path prepared(std::filesystem::path dir) {
  if (!dir.empty()) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  return dir;
}

}  // namespace

SearchService::SearchService(Metrics* metrics, std::filesystem::path index_dir)
    : metrics_(metrics),
      index_dir_(prepared(std::move(index_dir))),
      index_(std::make_shared<search_detail::Index>(index_dir_)),
      stats_(std::make_unique<Stats>()),
      indexer_([this] { run(); }) {}

SearchService::~SearchService() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_changed_.notify_all();
  indexer_.join();
}

std::shared_ptr<search_detail::Index> SearchService::current() const {
  std::lock_guard lock(index_mutex_);
  return index_;
}

void SearchService::put(std::shared_ptr<const Event> event, std::shared_ptr<const Venue> venue,
                        UnixMillis seen_at) {
  BOXOFFICE_CHECK(event);
  const std::int64_t id = event->id;
  if (!indexable(*event) || !venue) {
    remove(id, seen_at);
    return;
  }
  {
    std::lock_guard lock(queue_mutex_);
    if (queue_.size() >= index_queue_max) queue_.pop_front();  // bounded; a rebuild recovers
    queue_.push_back({id, std::move(event), std::move(venue), seen_at});
    ++enqueued_;
  }
  queue_changed_.notify_all();
}

void SearchService::remove(std::int64_t event_id, UnixMillis seen_at) {
  {
    std::lock_guard lock(queue_mutex_);
    if (queue_.size() >= index_queue_max) queue_.pop_front();
    queue_.push_back({event_id, nullptr, nullptr, seen_at});
    ++enqueued_;
  }
  queue_changed_.notify_all();
}

std::uint64_t SearchService::request_rebuild(EventsWithVenues events) {
  std::uint64_t number = 0;
  {
    std::lock_guard lock(queue_mutex_);
    pending_rebuild_ = std::move(events);
    number = ++rebuilds_requested_;
  }
  queue_changed_.notify_all();
  return number;
}

bool SearchService::rebuilt(std::uint64_t number) const {
  std::lock_guard lock(queue_mutex_);
  return rebuilds_done_ >= number;
}

void SearchService::rebuild(EventsWithVenues events) {
  const std::uint64_t number = request_rebuild(std::move(events));
  std::unique_lock lock(queue_mutex_);
  queue_changed_.wait(lock, [&] { return rebuilds_done_ >= number || stopping_; });
}

void SearchService::flush() {
  std::unique_lock lock(queue_mutex_);
  const std::uint64_t target = enqueued_;
  const std::uint64_t rebuild = rebuilds_requested_;
  queue_changed_.wait(
      lock, [&] { return (applied_ >= target && rebuilds_done_ >= rebuild) || stopping_; });
}

void SearchService::run() {
  for (;;) {
    std::vector<Change> batch;
    EventsWithVenues rebuild_from;
    std::uint64_t rebuilding = 0;  // the number of the rebuild under way, if any
    {
      std::unique_lock lock(queue_mutex_);
      const auto rebuild_wanted = [this] { return rebuilds_requested_ > rebuilds_done_; };
      queue_changed_.wait(lock, [&] { return stopping_ || rebuild_wanted() || !queue_.empty(); });
      if (stopping_) return;
      if (rebuild_wanted()) {
        rebuilding = rebuilds_requested_;
        rebuild_from = std::move(pending_rebuild_);
        pending_rebuild_.clear();
      } else {
        while (!queue_.empty() && batch.size() < index_batch_max) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
    }
    if (rebuilding) {
      rebuild_aside(rebuild_from);
      std::lock_guard lock(queue_mutex_);
      rebuilds_done_ = rebuilding;
      queue_changed_.notify_all();
      continue;
    }
    apply(batch);
    std::lock_guard lock(queue_mutex_);
    applied_ += batch.size();
    queue_changed_.notify_all();
  }
}

void SearchService::rebuild_aside(const EventsWithVenues& events) {
  auto fresh = std::make_shared<search_detail::Index>(index_dir_);
  const auto old = current();
  {
    SQLite::Transaction transaction(*fresh->writer);
    for (const auto& [event, venue] : events) {
      if (event && venue && indexable(*event)) fresh->insert(*event, *venue);
    }
    transaction.commit();
  }
  fresh->writer->exec("INSERT INTO events (events) VALUES ('optimize')");
  fresh->writer->exec("PRAGMA wal_checkpoint(TRUNCATE)");
  {
    std::shared_lock old_lock(old->mutex);  // carry popularity over
    for (const auto& [id, slot] : fresh->slot_of) {
      const auto it = old->slot_of.find(id);
      if (it == old->slot_of.end()) continue;
      fresh->popularity[slot].views = old->popularity[it->second].views.load();
      fresh->popularity[slot].sold = old->popularity[it->second].sold.load();
    }
  }
  {
    std::lock_guard lock(index_mutex_);
    index_ = fresh;
  }
  stats_->rebuilds.add();
}

void SearchService::apply(std::vector<Change>& batch) {
  const auto index = current();
  try {
    std::unique_lock lock(index->mutex);
    {
      std::lock_guard counts_lock(index->document_counts_mutex);
      index->document_counts.clear();
    }
    SQLite::Transaction transaction(*index->writer);
    for (const Change& change : batch) {
      if (change.event) {
        index->insert(*change.event, *change.venue);
      } else {
        index->erase(change.event_id);
      }
    }
    transaction.commit();
  } catch (const SQLite::Exception& e) {
    spdlog::error("search index: a batch of {} changes failed: {}", batch.size(), e.what());
    return;
  }
  const UnixMillis now = system_now();
  for (const Change& change : batch) {
    const UnixMillis lag = std::max<UnixMillis>(0, now - change.seen_at);
    stats_->lag.observe(std::chrono::milliseconds(lag));
    stats_->last_lag_ms = lag;
  }
  stats_->applied.add(batch.size());
}

}  // namespace boxoffice
