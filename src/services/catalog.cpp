#include "services/catalog.hpp"

#include <algorithm>

#include "core/catalog.hpp"

namespace boxoffice {

Catalog::Catalog(CatalogStore& store, EventEncoder encode, bool shared)
    : store_(store), encode_(std::move(encode)), shared_(shared) {}

Status Catalog::load() {
  auto signature = store_.catalog_signature();
  if (!signature) return std::move(signature).error();
  {
    std::lock_guard lock(refresh_mutex_);
    signature_ = *signature;
  }
  auto venues = store_.load_venues();
  if (!venues) return std::move(venues).error();
  auto events = store_.load_events();
  if (!events) return std::move(events).error();
  std::unique_lock lock(mutex_);
  for (Venue& venue : *venues) {
    const std::int64_t id = venue.id;
    venues_.emplace(id, std::make_shared<const Venue>(std::move(venue)));
  }
  for (Event& event : *events) {
    const std::int64_t id = event.id;
    categories_.insert(event.category);
    events_.emplace(id, make_view(std::make_shared<const Event>(std::move(event))));
  }
  return ok_status();
}

Result<std::shared_ptr<const Venue>> Catalog::create_venue(Venue venue) {
  {
    std::shared_lock lock(mutex_);
    if (venues_.size() >= catalog_venues_max) {
      return make_error(Errc::limit_exceeded, "a catalog holds at most " +
                                                  std::to_string(catalog_venues_max) + " venues");
    }
  }
  auto id = store_.create_venue(venue);
  if (!id) return std::move(id).error();
  venue.id = *id;
  auto shared = std::make_shared<const Venue>(std::move(venue));
  std::unique_lock lock(mutex_);
  venues_.emplace(*id, shared);
  return shared;
}

Status Catalog::check_category_limit(const std::string& category) const {
  if (categories_.size() < catalog_categories_max || categories_.contains(category)) {
    return ok_status();
  }
  return make_error(Errc::limit_exceeded, "a catalog holds at most " +
                                              std::to_string(catalog_categories_max) +
                                              " categories; use one it has");
}

Result<std::shared_ptr<const Event>> Catalog::create_event(Event event) {
  const auto venue = this->venue(event.venue_id);
  if (!venue) return field_error("venue_id", "no venue " + std::to_string(event.venue_id));
  if (Status valid = validate_event(event, *venue->layout); !valid) {
    return std::move(valid).error();
  }
  {
    std::shared_lock lock(mutex_);
    if (Status room = check_category_limit(event.category); !room) return std::move(room).error();
  }
  auto id = store_.create_event(event);
  if (!id) return std::move(id).error();
  event.id = *id;
  auto shared = std::make_shared<const Event>(std::move(event));
  std::shared_ptr<const EventView> view;
  {
    std::unique_lock lock(mutex_);
    categories_.insert(shared->category);
    view = events_.emplace(*id, make_view(shared)).first->second;
  }
  changed(view);
  return shared;
}

Result<std::shared_ptr<const EventView>> Catalog::change_event(
    std::int64_t event_id, const std::function<Result<bool>(Event&)>& edit) {
  // With a shared store, the edit is of the latest version any node stored: another node's
  // change since the last refresh is loaded first (and a store that answers conflict, because
  // one came in between, is asked again on the version it has).
  for (std::size_t attempt = 1;; ++attempt) {
    if (shared_) (void)refresh();
    auto changed = try_change_event(event_id, edit);
    if (changed || changed.error().code != Errc::conflict || attempt == change_attempts_max) {
      return changed;
    }
  }
}

Result<std::shared_ptr<const EventView>> Catalog::try_change_event(
    std::int64_t event_id, const std::function<Result<bool>(Event&)>& edit) {
  std::shared_ptr<const EventView> view;
  {
    std::unique_lock lock(mutex_);  // held across the write so two changes can't interleave
    const auto it = events_.find(event_id);
    if (it == events_.end()) return make_error(Errc::not_found, "no such event");
    Event changed = *it->second->event;
    auto edited = edit(changed);
    if (!edited) return std::move(edited).error();
    if (!*edited) return it->second;
    if (Status room = check_category_limit(changed.category); !room) return std::move(room).error();
    changed.version = it->second->event->version + 1;
    if (Status stored = store_.update_event(changed); !stored) return std::move(stored).error();
    categories_.insert(changed.category);
    it->second = make_view(std::make_shared<const Event>(std::move(changed)));
    view = it->second;
  }
  changed(view);
  return view;
}

Result<std::shared_ptr<const EventView>> Catalog::publish(std::int64_t event_id) {
  return change_event(event_id, [](Event& event) -> Result<bool> {
    if (event.published) return false;
    event.published = true;
    return true;
  });
}

Result<std::shared_ptr<const EventView>> Catalog::unpublish(std::int64_t event_id) {
  return change_event(event_id, [](Event& event) -> Result<bool> {
    if (!event.published) return false;
    event.published = false;
    return true;
  });
}

Result<std::shared_ptr<const EventView>> Catalog::cancel(std::int64_t event_id) {
  return change_event(event_id, [](Event& event) -> Result<bool> {
    if (event.cancelled) return false;
    event.cancelled = true;
    return true;
  });
}

Result<std::shared_ptr<const EventView>> Catalog::update_event(std::int64_t event_id,
                                                               Event updated) {
  return change_event(event_id, [this, &updated](Event& event) -> Result<bool> {
    if (updated.venue_id != event.venue_id) {
      return field_error("venue_id", "an event can't move to another venue");
    }
    const auto venue = venues_.find(event.venue_id);  // mutex_ is held
    if (venue == venues_.end()) return make_error(Errc::not_found, "no venue of the event");
    if (Status valid = validate_event(updated, *venue->second->layout); !valid) {
      return std::move(valid).error();
    }
    if (currency_of(updated) != currency_of(event)) {
      // Its holds' totals and its orders are in it; booking reads it from the latest version.
      return field_error("price_levels", "an event's currency can't change");
    }
    updated.id = event.id;
    updated.published = event.published;
    updated.cancelled = event.cancelled || updated.cancelled;
    event = std::move(updated);
    return true;
  });
}

Status Catalog::refresh() {
  // One refresh at a time; a caller that waited finds the catalog current.
  std::lock_guard refreshing(refresh_mutex_);
  auto signature = store_.catalog_signature();
  if (!signature) return std::move(signature).error();
  if (*signature == signature_) return ok_status();
  // Read after the signature: a change in between is loaded now and again next time.
  auto venues = store_.load_venues();
  if (!venues) return std::move(venues).error();
  auto events = store_.load_events();
  if (!events) return std::move(events).error();
  std::unique_lock lock(mutex_);
  for (Venue& venue : *venues) {  // venues never change once stored
    const std::int64_t id = venue.id;
    if (!venues_.contains(id)) venues_.emplace(id, std::make_shared<const Venue>(std::move(venue)));
  }
  std::vector<std::shared_ptr<const EventView>> changes;
  for (Event& event : *events) {
    const auto it = events_.find(event.id);
    if (it != events_.end() && it->second->event->version == event.version) continue;
    const std::int64_t id = event.id;
    categories_.insert(event.category);  // another node checked its limit
    changes.push_back(events_[id] = make_view(std::make_shared<const Event>(std::move(event))));
  }
  signature_ = std::move(*signature);
  lock.unlock();
  for (const auto& view : changes) changed(view);
  return ok_status();
}

std::shared_ptr<const Venue> Catalog::find_venue(std::int64_t id) const {
  std::shared_lock lock(mutex_);
  const auto it = venues_.find(id);
  return it == venues_.end() ? nullptr : it->second;
}

std::shared_ptr<const EventView> Catalog::find_event(std::int64_t id) const {
  std::shared_lock lock(mutex_);
  const auto it = events_.find(id);
  return it == events_.end() ? nullptr : it->second;
}

std::shared_ptr<const Venue> Catalog::venue(std::int64_t id) {
  auto venue = find_venue(id);
  if (!venue && shared_ && refresh().ok()) venue = find_venue(id);
  return venue;
}

std::shared_ptr<const EventView> Catalog::event(std::int64_t id) {
  auto view = find_event(id);
  if ((!view || !view->event->published) && shared_ && refresh().ok()) view = find_event(id);
  return view;
}

std::vector<std::shared_ptr<const Venue>> Catalog::venues() const {
  std::vector<std::shared_ptr<const Venue>> venues;
  {
    std::shared_lock lock(mutex_);
    venues.reserve(venues_.size());
    for (const auto& [id, venue] : venues_) venues.push_back(venue);
  }
  std::sort(venues.begin(), venues.end(),
            [](const auto& a, const auto& b) { return a->id < b->id; });
  return venues;
}

std::vector<std::shared_ptr<const EventView>> Catalog::events() const {
  std::vector<std::shared_ptr<const EventView>> views;
  {
    std::shared_lock lock(mutex_);
    views.reserve(events_.size());
    for (const auto& [id, view] : events_) views.push_back(view);
  }
  std::sort(views.begin(), views.end(),
            [](const auto& a, const auto& b) { return a->event->id < b->event->id; });
  return views;
}

// Called with mutex_ held (or before serving): looks the venue up directly.
std::shared_ptr<const EventView> Catalog::make_view(std::shared_ptr<const Event> event) const {
  auto view = std::make_shared<EventView>();
  const auto venue = venues_.find(event->venue_id);
  view->venue = venue == venues_.end() ? nullptr : venue->second;
  view->encoded = encode_(*event, view->venue.get());
  view->etag = "\"e" + std::to_string(event->id) + "v" + std::to_string(event->version) + "\"";
  view->event = std::move(event);
  return view;
}

}  // namespace boxoffice
