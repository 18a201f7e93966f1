// The catalog service: venues and events, kept whole in memory (read thousands of times per
// write) and written through to the CatalogStore. Reads are answered from precomputed JSON
// with a version for the ETag, so the hot `GET /v1/events/{id}` is a map lookup and a copy.
//
// Thread-safe: reads take a shared lock, writes an exclusive one; what a read returns is
// immutable and stays valid however long the caller keeps it.
//
// With a store that several nodes share (cluster mode), what another node wrote is loaded by
// refresh(): called periodically, and on a lookup that misses (an id this node has not seen,
// or an event not yet published here), so an organizer's writes through one node are at once
// usable through every other.
#pragma once

#include "core/catalog.hpp"
#include "core/errors.hpp"
#include "services/stores.hpp"

#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace boxoffice {

// An event as the API shows it, with its venue, in encoded form.
struct EventView {
  std::shared_ptr<const Event> event;
  std::shared_ptr<const Venue> venue;
  std::string details_json;  // GET /v1/events/{id}
  std::string etag;          // of details_json, quoted
};

class Catalog {
 public:
  // `shared`: other nodes write to the same store.
  explicit Catalog(CatalogStore& store, bool shared = false);

  // Loads everything stored; called once before serving.
  Status load();
  // Loads what changed in the store since the last load (a cheap question when nothing did).
  Status refresh();

  // POST /v1/venues and POST /v1/events bodies. Errors: malformed input (see
  // core/catalog_codec.hpp), not_found (no such venue), store_unavailable.
  Result<std::shared_ptr<const Venue>> create_venue(const boost::json::value& body);
  Result<std::shared_ptr<const Event>> create_event(const boost::json::value& body);
  // Makes an event visible and sellable from its on_sale_at. Publishing twice is harmless.
  Result<std::shared_ptr<const EventView>> publish(std::int64_t event_id);
  // Hides an event again (not found for fans, gone from search). Harmless twice.
  Result<std::shared_ptr<const EventView>> unpublish(std::int64_t event_id);
  // Marks an event cancelled: still readable (with "cancelled": true), no longer sold or
  // found by search. Errors: not_found, store_unavailable. Harmless twice.
  Result<std::shared_ptr<const EventView>> cancel(std::int64_t event_id);
  // Replaces an event's details with `body` (a POST /v1/events body; the venue stays).
  // Errors: as create_event, not_found.
  Result<std::shared_ptr<const EventView>> update_event(std::int64_t event_id,
                                                        const boost::json::value& body);

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
  std::vector<std::shared_ptr<const EventView>> events() const;

  // The seat map of an event, encoded once and kept (immutable for the event's life).
  std::shared_ptr<const std::string> seatmap_json(const EventView& view);

 private:
  std::shared_ptr<const EventView> make_view(std::shared_ptr<const Event> event) const;
  // Stores `edit` of the event (when it says so: it answers whether it changed anything),
  // with the next version.
  Result<std::shared_ptr<const EventView>> change_event(std::int64_t event_id,
                                                        const std::function<Result<bool>(Event&)>& edit);
  void changed(const std::shared_ptr<const EventView>& view) const {
    if (listener_) listener_(view);
  }
  std::shared_ptr<const Venue> find_venue(std::int64_t id) const;
  std::shared_ptr<const EventView> find_event(std::int64_t id) const;

  CatalogStore& store_;
  const bool shared_;
  std::mutex refresh_mutex_;
  std::string signature_;  // of the store's catalog as last loaded
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::int64_t, std::shared_ptr<const Venue>> venues_;
  std::unordered_map<std::int64_t, std::shared_ptr<const EventView>> events_;
  ChangeListener listener_;
  std::mutex seatmaps_mutex_;
  std::unordered_map<std::int64_t, std::shared_ptr<const std::string>> seatmaps_;
};

}  // namespace boxoffice
