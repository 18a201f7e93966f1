#include "services/waiting_room.hpp"

#include "core/time.hpp"

#include <sodium.h>

namespace boxoffice {
namespace {

std::string_view state_name(QueueState state) {
  switch (state) {
    case QueueState::pre_queue: return "pre_queue";
    case QueueState::waiting: return "waiting";
    case QueueState::admitted: return "admitted";
    case QueueState::ended: return "ended";
  }
  return "waiting";
}

boost::json::object status_json(const QueueStatus& status) {
  return {{"state", state_name(status.state)},
          {"position", status.position},
          {"eta_seconds", status.eta_seconds}};
}

}  // namespace

std::optional<AdmissionSettings> admission_settings(const Event& event) {
  if (!event.waiting_room || !event.waiting_room->enabled) return std::nullopt;
  const WaitingRoom& room = *event.waiting_room;
  AdmissionSettings settings;
  settings.active_limit = room.active_limit;
  settings.admit_per_second = room.admit_per_second;
  settings.session_seconds = room.session_seconds;
  settings.sale_opens_at = event.on_sale_at;
  settings.queue_opens_at =
      std::min(room.pre_queue_opens_at.value_or(event.on_sale_at), event.on_sale_at);
  return settings;
}

// ---- MemoryQueueCounters ----

MemoryQueueCounters::Room& MemoryQueueCounters::room_of(std::int64_t event_id,
                                                       const AdmissionSettings& settings) {
  auto& room = rooms_[event_id];
  if (!room) {
    std::uint64_t epoch = 0;
    randombytes_buf(&epoch, sizeof epoch);
    ShuffleKey key{};
    randombytes_buf(key.data(), key.size());
    room = std::make_unique<Room>(Room{epoch, Admission(settings, key)});
  }
  return *room;
}

MemoryQueueCounters::Room* MemoryQueueCounters::find(std::int64_t event_id,
                                                     std::uint64_t room_epoch) {
  const auto found = rooms_.find(event_id);
  if (found == rooms_.end() || found->second->epoch != room_epoch) return nullptr;
  return found->second.get();
}

std::optional<QueueNumber> MemoryQueueCounters::join(std::int64_t event_id,
                                                     const AdmissionSettings& settings,
                                                     UnixMillis now) {
  if (now < settings.queue_opens_at) return std::nullopt;
  const std::lock_guard lock(mutex_);
  Room& room = room_of(event_id, settings);
  const auto number = room.admission.join(now);
  if (!number) return std::nullopt;
  return QueueNumber{room.epoch, *number};
}

std::optional<QueueStatus> MemoryQueueCounters::status(std::int64_t event_id,
                                                       const AdmissionSettings&,
                                                       QueueNumber number, UnixMillis now) {
  const std::lock_guard lock(mutex_);
  Room* room = find(event_id, number.room_epoch);
  if (!room) return std::nullopt;
  return room->admission.status(number.number, now);
}

bool MemoryQueueCounters::is_active(std::int64_t event_id, std::uint64_t room_epoch,
                                    std::uint64_t session, UnixMillis now) {
  const std::lock_guard lock(mutex_);
  Room* room = find(event_id, room_epoch);
  return room && room->admission.is_active(session, now);
}

void MemoryQueueCounters::free(std::int64_t event_id, std::uint64_t room_epoch,
                               std::uint64_t session) {
  const std::lock_guard lock(mutex_);
  if (Room* room = find(event_id, room_epoch)) room->admission.free(session);
}

void MemoryQueueCounters::tick(UnixMillis now) {
  const std::lock_guard lock(mutex_);
  for (auto& [event_id, room] : rooms_) room->admission.advance(now);
}

QueueTotals MemoryQueueCounters::totals() const {
  const std::lock_guard lock(mutex_);
  QueueTotals totals;
  for (const auto& [event_id, room] : rooms_) {
    totals.waiting += room->admission.waiting();
    totals.active += room->admission.active();
    totals.admitted += room->admission.served();
  }
  return totals;
}

// ---- WaitingRoomService ----

WaitingRoomService::WaitingRoomService(QueueCounters& counters, const QueueSecret& secret,
                                       Metrics& metrics)
    : counters_(counters), secret_(secret), metrics_(metrics) {}

Result<boost::json::object> WaitingRoomService::join(const Event& event, UnixMillis now) {
  const auto settings = admission_settings(event);
  if (!settings) return make_error(Errc::not_found, "this event has no waiting room");
  const auto number = counters_.join(event.id, *settings, now);
  if (!number) {
    return make_error(Errc::queue_not_open, "the waiting room opens at " +
                                                format_rfc3339(settings->queue_opens_at),
                      {{"opens_at", format_rfc3339(settings->queue_opens_at)}});
  }
  metrics_.queue_joins.add();
  const QueueTicket ticket{event.id, number->room_epoch, number->number};
  const auto status = counters_.status(event.id, *settings, *number, now);
  boost::json::object body = status ? status_json(*status) : boost::json::object{};
  body["queue_token"] = make_queue_token(ticket, secret_);
  body["number"] = number->number;
  return body;
}

Result<boost::json::object> WaitingRoomService::status(const Event& event, std::string_view queue_token,
                                                UnixMillis now) {
  const auto settings = admission_settings(event);
  if (!settings) return make_error(Errc::not_found, "this event has no waiting room");
  const auto ticket = verify_queue_token(queue_token, secret_);
  if (!ticket || ticket->event_id != event.id) {
    return make_error(Errc::queue_token_invalid, "not a queue token of this event's room");
  }
  const QueueNumber number{ticket->room_epoch, ticket->number};
  const auto status = counters_.status(event.id, *settings, number, now);
  if (!status) {
    return make_error(Errc::queue_token_invalid,
                      "the waiting room restarted since this token was made; join again");
  }
  if (status->state == QueueState::ended) {
    return make_error(Errc::queue_session_ended, "the admitted session is over; join again");
  }
  boost::json::object body = status_json(*status);
  if (status->state == QueueState::admitted) {
    const AccessGrant grant{event.id, ticket->room_epoch, status->session,
                            status->session_expires_at};
    body["access_token"] = make_access_token(grant, secret_);
    body["access_expires_at"] = format_rfc3339(status->session_expires_at);
  }
  return body;
}

std::optional<AccessGrant> WaitingRoomService::check_access(const Event& event,
                                                     std::string_view access_token,
                                                     UnixMillis now) {
  auto grant = verify_access_token(access_token, event.id, now, secret_);
  if (!grant || !counters_.is_active(event.id, grant->room_epoch, grant->session, now)) {
    return std::nullopt;
  }
  return grant;
}

void WaitingRoomService::hold_made(const Id128& hold_id, const AccessGrant& grant) {
  const std::lock_guard lock(mutex_);
  if (hold_sessions_.emplace(hold_id, grant).second) {
    ++session_holds_[{grant.event_id, grant.room_epoch, grant.session}];
  }
}

void WaitingRoomService::hold_finished(const Id128& hold_id, bool checked_out) {
  std::optional<AccessGrant> to_free;
  {
    const std::lock_guard lock(mutex_);
    const auto found = hold_sessions_.find(hold_id);
    if (found == hold_sessions_.end()) return;
    const AccessGrant grant = found->second;
    hold_sessions_.erase(found);
    const auto key = std::make_tuple(grant.event_id, grant.room_epoch, grant.session);
    const auto count = session_holds_.find(key);
    const bool last = count == session_holds_.end() || --count->second == 0;
    if (last && count != session_holds_.end()) session_holds_.erase(count);
    if (checked_out || last) to_free = grant;
  }
  if (to_free) counters_.free(to_free->event_id, to_free->room_epoch, to_free->session);
}

void WaitingRoomService::tick(UnixMillis now) {
  counters_.tick(now);
  const std::lock_guard lock(mutex_);
  for (auto it = hold_sessions_.begin(); it != hold_sessions_.end();) {
    if (it->second.expires_at > now) {
      ++it;
      continue;
    }
    session_holds_.erase({it->second.event_id, it->second.room_epoch, it->second.session});
    it = hold_sessions_.erase(it);
  }
}

}  // namespace boxoffice
