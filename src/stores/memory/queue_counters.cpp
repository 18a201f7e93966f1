#include "stores/memory/queue_counters.hpp"

#include <sodium.h>

namespace boxoffice::memory {

QueueCounters::Room& QueueCounters::room_of(std::int64_t event_id,
                                            const AdmissionSettings& settings) {
  auto& room = rooms_[event_id];
  if (!room) {
    std::uint64_t epoch = 0;
    randombytes_buf(&epoch, sizeof epoch);
    ShuffleKey key{};
    randombytes_buf(key.data(), key.size());
    room = std::make_unique<Room>(Room{epoch, Admission(settings, key)});
  }
  room->admission.change_settings(settings);  // as the event has them now
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
    if (const auto number = room.admission.join(now)) joined = QueueNumber{room.epoch, *number};
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

QueueTotals QueueCounters::totals() const {
  const std::lock_guard lock(mutex_);
  QueueTotals totals;
  for (const auto& [event_id, room] : rooms_) totals += totals_of(room->admission);
  return totals;
}

}  // namespace boxoffice::memory
