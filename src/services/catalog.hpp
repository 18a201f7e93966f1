// The catalog service: venues and events, kept whole in memory (read thousands of times per
// write) and written through to the CatalogStore. Each version of an event is encoded once for
// readers, by the edge's EventEncoder (http/), and kept with a version for the ETag, so the hot
// `GET /v1/events/{id}` is a map lookup and a copy.
//
// Thread-safe: reads take a shared lock, writes an exclusive one; what a read returns is
// immutable and stays valid however long the caller keeps it.
//
// With a store that several nodes share (cluster mode), what another node wrote is loaded by
// refresh(): called periodically, and on a lookup that misses (an id this node has not seen,
// or an event not yet published here), so an organizer's writes through one node are at once
// usable through every other.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/catalog.hpp"
#include "core/errors.hpp"
#include "services/stores.hpp"

namespace boxoffice {

// Bounds of a catalog, so that what is derived from it has bounds too (the search index keeps
// venue names, cities and categories as 16-bit ids). Creating more answers limit_exceeded.
inline constexpr std::size_t catalog_venues_max = 65'535;
inline constexpr std::size_t catalog_categories_max = 65'535;

// An event with its venue, and its representation for readers.
struct EventView {
  std::shared_ptr<const Event> event;
  std::shared_ptr<const Venue> venue;  // null only if the store lost it
  std::string encoded;                 // what EventEncoder made of this version
  std::string etag;                    // of this version, quoted
};

// How readers are sent an event (the edge's codec): called once per version of each event.
using EventEncoder = std::function<std::string(const Event& event, const Venue* venue)>;

class Catalog {
 public:
  // `shared`: other nodes write to the same store.
  Catalog(CatalogStore& store, EventEncoder encode, bool shared = false);

  // Loads everything stored; called once before serving.
  Status load();
  // Loads what changed in the store since the last load (a cheap question when nothing did).
  Status refresh();

  // Stores a new venue (its id is chosen here). Errors: limit_exceeded (catalog_venues_max),
  // store_unavailable.
  Result<std::shared_ptr<const Venue>> create_venue(Venue venue);
  // Stores a new event (its id is chosen here). Errors: invalid_field (no such venue; see
  // validate_event in core/catalog.hpp), limit_exceeded (catalog_categories_max),
  // store_unavailable.
  Result<std::shared_ptr<const Event>> create_event(Event event);
  // Makes an event visible and sellable from its on_sale_at. Publishing twice is harmless.
  Result<std::shared_ptr<const EventView>> publish(std::int64_t event_id);
  // Hides an event again (not found for fans, gone from search). Harmless twice.
  Result<std::shared_ptr<const EventView>> unpublish(std::int64_t event_id);
  // Marks an event cancelled: still readable (with "cancelled": true), no longer sold or
  // found by search. Errors: not_found, store_unavailable. Harmless twice.
  Result<std::shared_ptr<const EventView>> cancel(std::int64_t event_id);
  // Replaces an event's details with `updated`'s (the venue, id, publication and currency
  // stay). Errors: as create_event (invalid_field also for another venue or currency),
  // not_found.
  Result<std::shared_ptr<const EventView>> update_event(std::int64_t event_id, Event updated);

  // Called with every event this catalog sees change (created, published, updated, cancelled,
  // or loaded by refresh() from another node), after the change, outside any lock. One
  // listener, set before serving (the search index follows the catalog through it).
  using ChangeListener = std::function<void(const std::shared_ptr<const EventView>&)>;
  void on_change(ChangeListener listener) { listener_ = std::move(listener); }

  std::shared_ptr<const Venue> venue(std::int64_t id);
  // Every venue, by id.
  std::vector<std::shared_ptr<const Venue>> venues() const;
  // Published or not: callers decide who may see an unpublished event.
  std::shared_ptr<const EventView> event(std::int64_t id);
  // The same as this node knows it now, without asking the store about an event it lacks: for
  // checks that run before the handler (an event's own rate limits), which a flood of made-up
  // ids must not turn into store reads.
  std::shared_ptr<const EventView> known_event(std::int64_t id) const { return find_event(id); }
  std::vector<std::shared_ptr<const EventView>> events() const;

 private:
  std::shared_ptr<const EventView> make_view(std::shared_ptr<const Event> event) const;
  // Whether the catalog may take an event of `category` (mutex_ held). Errors: limit_exceeded.
  Status check_category_limit(const std::string& category) const;
  // Another node's changes coming in between the refresh and the write, again and again.
  static constexpr std::size_t change_attempts_max = 5;

  // Stores `edit` of the event (when it says so: it answers whether it changed anything),
  // with the next version, on the latest version stored.
  Result<std::shared_ptr<const EventView>> change_event(
      std::int64_t event_id, const std::function<Result<bool>(Event&)>& edit);
  // One attempt of change_event on the version this node has. Errors: those of edit,
  // limit_exceeded, not_found, conflict (the store has another version), store_unavailable.
  Result<std::shared_ptr<const EventView>> try_change_event(
      std::int64_t event_id, const std::function<Result<bool>(Event&)>& edit);
  void changed(const std::shared_ptr<const EventView>& view) const {
    if (listener_) listener_(view);
  }
  std::shared_ptr<const Venue> find_venue(std::int64_t id) const;
  std::shared_ptr<const EventView> find_event(std::int64_t id) const;

  CatalogStore& store_;
  const EventEncoder encode_;
  const bool shared_;
  std::mutex refresh_mutex_;
  std::string signature_;  // of the store's catalog as last loaded
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::int64_t, std::shared_ptr<const Venue>> venues_;
  std::unordered_map<std::int64_t, std::shared_ptr<const EventView>> events_;
  std::unordered_set<std::string> categories_;  // every one seen, for the limit
  ChangeListener listener_;
};

}  // namespace boxoffice
