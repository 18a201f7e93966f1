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

boost::asio::awaitable<Status> QueueCounters::hold_made(HoldId hold, AccessGrant grant,
                                                        UnixMillis) {
  {
    const std::lock_guard lock(mutex_);
    if (hold_sessions_.emplace(hold, grant).second) {
      ++session_holds_[{grant.event_id, grant.room_epoch, grant.session}];
    }
  }
  co_return ok_status();
}

boost::asio::awaitable<Status> QueueCounters::hold_finished(std::int64_t, HoldId hold,
                                                            bool checked_out, UnixMillis) {
  {
    const std::lock_guard lock(mutex_);
    const auto found = hold_sessions_.find(hold);
    if (found != hold_sessions_.end()) {
      const AccessGrant grant = found->second;
      hold_sessions_.erase(found);
      const auto count = session_holds_.find({grant.event_id, grant.room_epoch, grant.session});
      const bool last = count == session_holds_.end() || --count->second == 0;
      if (last && count != session_holds_.end()) session_holds_.erase(count);
      if (checked_out || last) {
        if (Room* room = find(grant.event_id, grant.room_epoch))
          room->admission.free(grant.session);
      }
    }
  }
  co_return ok_status();
}

boost::asio::awaitable<Status> QueueCounters::tick(UnixMillis now) {
  {
    const std::lock_guard lock(mutex_);
    for (auto& [event_id, room] : rooms_) room->admission.advance(now);
    for (auto it = hold_sessions_.begin(); it != hold_sessions_.end();) {
      if (it->second.expires_at > now) {
        ++it;
        continue;
      }
      session_holds_.erase({it->second.event_id, it->second.room_epoch, it->second.session});
      it = hold_sessions_.erase(it);
    }
  }
  co_return ok_status();
}

namespace {

QueueTotals totals_of(const Admission& admission) {
  return {admission.waiting(), admission.active(), admission.served()};
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
