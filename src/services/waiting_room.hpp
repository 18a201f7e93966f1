// The virtual waiting room of hot on-sales (DESIGN.md): joining hands out a signed queue
// token with the holder's number; status answers from the token and the room's shared
// counters alone (no per-person state); once admitted, a signed access token bound to the
// event and a session, which the hold endpoint requires while the room is enabled.
//
// The arithmetic is core/admission; the shared counters sit behind QueueCounters so that
// the cluster mode can keep them in Redis (INCR for numbers, a serving counter, a ZSET of
// active sessions by expiry) with the same code above. MemoryQueueCounters is the embedded
// mode's. Every method of both classes is safe to call from any thread.
#pragma once

#include "core/admission.hpp"
#include "core/catalog.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/queue_token.hpp"
#include "services/metrics.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

namespace boxoffice {

// A room's position in its counters: tokens name the epoch they were made in.
struct QueueNumber {
  std::uint64_t room_epoch = 0;
  std::uint64_t number = 0;
};

struct QueueTotals {
  std::uint64_t waiting = 0;   // joined, not yet admitted (the pre-queue included)
  std::uint64_t active = 0;    // admitted sessions still shopping
  std::uint64_t admitted = 0;  // admitted since start
};

class QueueCounters {
 public:
  virtual ~QueueCounters() = default;
  // The next number of the event's room; nullopt before settings.queue_opens_at.
  virtual std::optional<QueueNumber> join(std::int64_t event_id, const AdmissionSettings& settings,
                                          UnixMillis now) = 0;
  // Where `number` stands; nullopt when the epoch or the number is not this room's.
  virtual std::optional<QueueStatus> status(std::int64_t event_id,
                                            const AdmissionSettings& settings,
                                            QueueNumber number, UnixMillis now) = 0;
  virtual bool is_active(std::int64_t event_id, std::uint64_t room_epoch, std::uint64_t session,
                         UnixMillis now) = 0;
  // Ends a session at once, giving its place to the next person.
  virtual void free(std::int64_t event_id, std::uint64_t room_epoch, std::uint64_t session) = 0;
  // Advances every room (admissions, expiries) to `now`.
  virtual void tick(UnixMillis now) = 0;
  virtual QueueTotals totals() const = 0;
};

// In-process counters: one core::Admission per event, under one mutex.
class MemoryQueueCounters final : public QueueCounters {
 public:
  std::optional<QueueNumber> join(std::int64_t event_id, const AdmissionSettings& settings,
                                  UnixMillis now) override;
  std::optional<QueueStatus> status(std::int64_t event_id, const AdmissionSettings& settings,
                                    QueueNumber number, UnixMillis now) override;
  bool is_active(std::int64_t event_id, std::uint64_t room_epoch, std::uint64_t session,
                 UnixMillis now) override;
  void free(std::int64_t event_id, std::uint64_t room_epoch, std::uint64_t session) override;
  void tick(UnixMillis now) override;
  QueueTotals totals() const override;

 private:
  struct Room {
    std::uint64_t epoch;
    Admission admission;
  };
  Room& room_of(std::int64_t event_id, const AdmissionSettings& settings);  // locked
  Room* find(std::int64_t event_id, std::uint64_t room_epoch);             // locked

  mutable std::mutex mutex_;
  std::map<std::int64_t, std::unique_ptr<Room>> rooms_;
};

// The settings of an event's room, or nullopt when the event has none enabled.
std::optional<AdmissionSettings> admission_settings(const Event& event);

class WaitingRoomService {
 public:
  WaitingRoomService(QueueCounters& counters, const QueueSecret& secret, Metrics& metrics);

  // POST /v1/events/{id}/queue: {"queue_token", "number", "state", "position",
  // "eta_seconds"}. not_found when the event has no enabled room; queue_not_open before it
  // opens (extra: "opens_at").
  Result<boost::json::object> join(const Event& event, UnixMillis now);
  // GET /v1/events/{id}/queue/status: {"state", "position", "eta_seconds"} and, once
  // admitted, "access_token", "access_expires_at". queue_token_invalid for a forged, foreign
  // or stale token; queue_session_ended once the admitted session is over.
  Result<boost::json::object> status(const Event& event, std::string_view queue_token,
                                     UnixMillis now);
  // The session of a genuine access token for this event, unexpired and still active at
  // `now`; nullopt otherwise (the hold is then refused with queue_required).
  std::optional<AccessGrant> check_access(const Event& event, std::string_view access_token,
                                          UnixMillis now);
  // A hold made under `grant`; finishing its checkout, or releasing the session's last hold,
  // frees the session's place at once.
  void hold_made(const Id128& hold_id, const AccessGrant& grant);
  void hold_finished(const Id128& hold_id, bool checked_out);
  void tick(UnixMillis now);

 private:
  QueueCounters& counters_;
  QueueSecret secret_;
  Metrics& metrics_;
  std::mutex mutex_;
  // Holds made under a session (bounded by the active sessions' holds; forgotten with the
  // session). Per node: in cluster mode a release seen by another node only frees the place
  // at the session's expiry.
  std::map<Id128, AccessGrant> hold_sessions_;
  std::map<std::tuple<std::int64_t, std::uint64_t, std::uint64_t>, std::size_t> session_holds_;
};

}  // namespace boxoffice
