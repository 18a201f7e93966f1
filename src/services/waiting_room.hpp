// The virtual waiting room of hot on-sales (DESIGN.md): joining hands out a signed queue
// token with the holder's number; status answers from the token and the room's shared
// counters alone (no per-person state); once admitted, a signed access token bound to the
// event and a session, which the hold endpoint requires while the room is enabled.
//
// The arithmetic is core/admission; the shared counters sit behind QueueCounters
// (services/queue_counters.hpp): in process in the embedded mode, in Redis in cluster mode,
// with this same code above. Every method is safe to call from any thread.
#pragma once

#include "core/admission.hpp"
#include "core/catalog.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/queue_token.hpp"
#include "services/metrics.hpp"
#include "services/queue_counters.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace boxoffice {

// The settings of an event's room, or nullopt when the event has none enabled.
std::optional<AdmissionSettings> admission_settings(const Event& event);

class WaitingRoomService {
 public:
  WaitingRoomService(QueueCounters& counters, const QueueSecret& secret, Metrics& metrics);

  // POST /v1/events/{id}/queue: {"queue_token", "number", "state", "position",
  // "eta_seconds"}. not_found when the event has no enabled room; queue_not_open before it
  // opens (extra: "opens_at"); store_unavailable.
  boost::asio::awaitable<Result<boost::json::object>> join(const Event& event, UnixMillis now);
  // GET /v1/events/{id}/queue/status: {"state", "position", "eta_seconds"} and, once
  // admitted, "access_token", "access_expires_at". queue_token_invalid for a forged, foreign
  // or stale token; queue_session_ended once the admitted session is over; store_unavailable.
  boost::asio::awaitable<Result<boost::json::object>> status(const Event& event,
                                                             std::string queue_token,
                                                             UnixMillis now);
  // The session of a genuine access token for this event, unexpired and still active at
  // `now`; nullopt otherwise (the hold is then refused with queue_required).
  boost::asio::awaitable<Result<std::optional<AccessGrant>>> check_access(const Event& event,
                                                                          std::string access_token,
                                                                          UnixMillis now);
  // A hold made under `grant`; finishing its checkout, or releasing the session's last hold,
  // frees the session's place at once (hold_finished, on whichever node it happens).
  boost::asio::awaitable<Status> hold_made(HoldId hold, AccessGrant grant, UnixMillis now);
  boost::asio::awaitable<Status> hold_finished(std::int64_t event_id, HoldId hold,
                                               bool checked_out, UnixMillis now);
  boost::asio::awaitable<Status> tick(UnixMillis now);

 private:
  QueueCounters& counters_;
  QueueSecret secret_;
  Metrics& metrics_;
};

}  // namespace boxoffice
