#include "stores/memory/queue_counters.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

#include "core/check.hpp"

namespace boxoffice::memory {

QueueCounters::Room& QueueCounters::room_of(std::int64_t event_id,
                                            const AdmissionSettings& settings) {
  auto& room = rooms_[event_id];
  if (!room) {
    std::uint64_t epoch = 0;
    randombytes_buf(&epoch, sizeof epoch);
    ShuffleKey key{};
    randombytes_buf(key.data(), key.size());
    // Unsaved, the room's numbers can't be handed out twice: a restart would not know its
    // epoch (its tokens name nothing then). Its first save reserves numbers for real, so a
    // flood at a room's first join is never refused.
    const std::uint64_t reserved = std::numeric_limits<std::uint64_t>::max();
    room = std::make_unique<Room>(Room{epoch, key, Admission(settings, key), settings, reserved});
  }
  room->admission.change_settings(settings);  // as the event has them now
  room->settings = settings;
  return *room;
}

QueueCounters::Room* QueueCounters::find(std::int64_t event_id, std::uint64_t room_epoch) {
  const auto found = rooms_.find(event_id);
  if (found == rooms_.end() || found->second->epoch != room_epoch) return nullptr;
  return found->second.get();
}

boost::asio::awaitable<Result<std::optional<QueueNumber>>> QueueCounters::join(
    std::int64_t event_id, AdmissionSettings settings, UnixMillis now) {
  std::optional<QueueNumber> joined;
  if (now >= settings.queue_opens_at) {
    const std::lock_guard lock(mutex_);
    Room& room = room_of(event_id, settings);
    if (room.admission.issued() >= room.reserved) {
      co_return make_error(Errc::store_unavailable,
                           "the waiting room is saving its line; join again in a second");
    }
    if (const auto number = room.admission.join(now)) {
      joined = QueueNumber{room.epoch, *number};
      ++room.joins_since_save;
    }
  }
  co_return joined;
}

boost::asio::awaitable<Result<std::optional<QueueStatus>>> QueueCounters::status(
    std::int64_t event_id, AdmissionSettings settings, QueueNumber number, UnixMillis now) {
  std::optional<QueueStatus> status;
  {
    const std::lock_guard lock(mutex_);
    if (Room* room = find(event_id, number.room_epoch)) {
      room->admission.change_settings(settings);
      room->settings = settings;
      status = room->admission.status(number.number, now);
    }
  }
  co_return status;
}

boost::asio::awaitable<Result<bool>> QueueCounters::is_active(std::int64_t event_id,
                                                              std::uint64_t room_epoch,
                                                              std::uint64_t session,
                                                              UnixMillis now) {
  bool active = false;
  {
    const std::lock_guard lock(mutex_);
    Room* room = find(event_id, room_epoch);
    active = room && room->admission.is_active(session, now);
  }
  co_return active;
}

boost::asio::awaitable<Result<bool>> QueueCounters::hold_made(HoldId hold, AccessGrant grant,
                                                              std::uint32_t units,
                                                              std::uint32_t units_max,
                                                              UnixMillis now) {
  bool within = true;
  {
    const std::lock_guard lock(mutex_);
    const SessionKey key{grant.event_id, grant.room_epoch, grant.session};
    Room* room = find(grant.event_id, grant.room_epoch);
    if (room && room->admission.is_active(grant.session, now) && !hold_sessions_.contains(hold)) {
      SessionHolds& session = sessions_[key];
      within = session.units() + units <= units_max;
      if (within) {
        session.expires_at = grant.expires_at;
        session.holds.emplace(hold, units);
        hold_sessions_.emplace(hold, key);
      } else if (session.holds.empty()) {
        sessions_.erase(key);
      }
    }
  }
  co_return within;
}

std::vector<HoldId> QueueCounters::end_session(const SessionKey& key) {
  std::vector<HoldId> holds;
  const auto found = sessions_.find(key);
  if (found == sessions_.end()) return holds;
  for (const auto& [hold, units] : found->second.holds) {
    hold_sessions_.erase(hold);
    holds.push_back(hold);
  }
  sessions_.erase(found);
  return holds;
}

boost::asio::awaitable<Result<std::vector<HoldId>>> QueueCounters::hold_finished(std::int64_t,
                                                                                 HoldId hold,
                                                                                 bool checked_out,
                                                                                 UnixMillis) {
  std::vector<HoldId> others;
  {
    const std::lock_guard lock(mutex_);
    const auto found = hold_sessions_.find(hold);
    if (found != hold_sessions_.end()) {
      const SessionKey key = found->second;
      hold_sessions_.erase(found);
      SessionHolds& session = sessions_.at(key);
      session.holds.erase(hold);
      if (checked_out || session.holds.empty()) {
        others = end_session(key);
        if (Room* room = find(std::get<0>(key), std::get<1>(key)))
          room->admission.free(std::get<2>(key));
      }
    }
  }
  co_return others;
}

boost::asio::awaitable<Result<bool>> QueueCounters::end_empty_session(AccessGrant grant,
                                                                      UnixMillis) {
  bool ended = false;
  {
    const std::lock_guard lock(mutex_);
    const SessionKey key{grant.event_id, grant.room_epoch, grant.session};
    Room* room = find(grant.event_id, grant.room_epoch);
    if (room && !sessions_.contains(key)) ended = room->admission.free(grant.session);
  }
  co_return ended;
}

boost::asio::awaitable<Result<std::vector<HoldId>>> QueueCounters::tick(UnixMillis now) {
  std::vector<HoldId> ended;
  {
    const std::lock_guard lock(mutex_);
    for (auto& [event_id, room] : rooms_) room->admission.advance(now);
    std::vector<SessionKey> expired;
    for (const auto& [key, session] : sessions_) {
      if (session.expires_at <= now) expired.push_back(key);
    }
    for (const SessionKey& key : expired) {
      for (const HoldId& hold : end_session(key)) ended.push_back(hold);
    }
  }
  if (Status saved = save(false); !saved) {
    spdlog::warn("waiting rooms not saved: {}", saved.error().detail);
  }
  co_return ended;
}

namespace {

QueueTotals totals_of(const Admission& admission) {
  return {admission.waiting(), admission.active(), admission.served(), admission.skipped()};
}

}  // namespace

boost::asio::awaitable<Result<QueueTotals>> QueueCounters::room_totals(std::int64_t event_id,
                                                                       AdmissionSettings settings,
                                                                       UnixMillis now) {
  QueueTotals totals;
  {
    const std::lock_guard lock(mutex_);
    const auto found = rooms_.find(event_id);
    if (found != rooms_.end()) {
      found->second->admission.change_settings(settings);
      found->second->admission.advance(now);
      totals = totals_of(found->second->admission);
    }
  }
  co_return totals;
}

std::vector<SavedRoom> QueueCounters::batch_to_save(bool exactly) {
  std::vector<SavedRoom> batch;
  for (auto& [event_id, room] : rooms_) {
    AdmissionState state = room->admission.state();
    SessionChanges sessions = room->admission.take_session_changes();
    const std::uint64_t ahead =
        exactly ? 0 : std::clamp(4 * room->joins_since_save, reserve_ahead_min, reserve_ahead_max);
    const std::uint64_t reserved = state.issued + ahead;
    const bool unchanged = room->saved && *room->saved == state &&
                           room->saved_settings == room->settings && sessions.empty() &&
                           (!exactly || room->reserved == reserved);
    if (unchanged) continue;
    // No number past what this batch reserves until it is saved (it may reserve fewer than
    // the last one did, when joins slowed down).
    room->reserved = std::min(room->reserved, reserved);
    room->joins_since_save = 0;
    batch.push_back({event_id, room->epoch, room->key, room->settings, std::move(state), reserved,
                     std::move(sessions)});
  }
  return batch;
}

Status QueueCounters::save(bool exactly) {
  if (!store_) return ok_status();
  const std::lock_guard saving(save_mutex_);
  std::vector<SavedRoom> batch;
  {
    const std::lock_guard lock(mutex_);
    batch = batch_to_save(exactly);
  }
  if (batch.empty()) return ok_status();
  Status saved = store_->save_rooms(batch);
  const std::lock_guard lock(mutex_);
  for (SavedRoom& kept : batch) {
    Room& room = *rooms_.at(kept.event_id);
    if (!saved) {  // saved again, whole, at the next tick
      room.admission.forget_taken_changes();
      room.saved.reset();
      continue;
    }
    room.reserved = kept.reserved;
    room.saved = std::move(kept.state);
    room.saved_settings = kept.settings;
  }
  return saved;
}

Status QueueCounters::resume() {
  BOXOFFICE_CHECK(store_ != nullptr);
  auto rooms = store_->load_rooms();
  if (!rooms) return std::move(rooms).error();
  {
    const std::lock_guard lock(mutex_);
    BOXOFFICE_CHECK(rooms_.empty());
    for (SavedRoom& saved : *rooms) {
      const bool lost_now = saved.reserved > saved.state.issued;
      if (saved.state.lost.size() + (lost_now ? 1 : 0) > lost_ranges_max) {
        spdlog::warn(
            "the waiting room of event {} lost numbers in too many crashes: it starts "
            "afresh",
            saved.event_id);
        continue;
      }
      // Until the resumed room is saved, no number is handed out.
      rooms_[saved.event_id] =
          std::make_unique<Room>(Room{saved.epoch, saved.key,
                                      Admission(saved.settings, saved.key, std::move(saved.state),
                                                saved.sessions.put, saved.reserved),
                                      saved.settings, saved.reserved});
      spdlog::info("waiting room of event {} resumed: numbers from {}", saved.event_id,
                   saved.reserved);
    }
  }
  return save(false);
}

Status QueueCounters::flush() { return save(true); }

QueueTotals QueueCounters::totals() const {
  const std::lock_guard lock(mutex_);
  QueueTotals totals;
  for (const auto& [event_id, room] : rooms_) totals += totals_of(room->admission);
  return totals;
}

}  // namespace boxoffice::memory
