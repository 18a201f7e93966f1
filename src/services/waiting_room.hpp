// The virtual waiting room of hot on-sales (DESIGN.md): joining hands out a signed queue
// token with the holder's number; status answers from the token and the room's shared
// counters alone (no per-person state); once admitted, a signed access token bound to the
// event and a session, which the hold endpoint requires while the room is enabled.
//
// The arithmetic is core/admission; the shared counters sit behind QueueCounters
// (services/queue_counters.hpp): in process in the embedded mode, in Redis in cluster mode,
// with this same code above. Every method is safe to call from any thread; what is passed by
// reference or view must live until the returned coroutine is done.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/admission.hpp"
#include "core/catalog.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/queue_token.hpp"
#include "services/metrics.hpp"
#include "services/queue_counters.hpp"
#include "services/spent_challenges.hpp"

namespace boxoffice {

// The settings of an event's room, or nullopt when the event has none enabled.
std::optional<AdmissionSettings> admission_settings(const Event& event);

// Someone who just joined: their token and number, and where they stand.
struct QueueJoined {
  std::string queue_token;
  std::uint64_t number = 0;
  std::optional<QueueStatus> where;  // nullopt only if the room was made anew at once
};

// Where a queue token's holder stands; once admitted, their access token too.
struct QueueAnswer {
  QueueStatus where;
  std::string access_token;  // "" until admitted
  UnixMillis access_expires_at = 0;
  bool admitted() const { return !access_token.empty(); }
};

std::string_view queue_state_name(QueueState state);

// A proof-of-work challenge handed out (core/join_challenge.hpp).
struct JoinChallengeIssued {
  std::string challenge;
  std::uint32_t difficulty = 0;
  UnixMillis expires_at = 0;
};

// What a join sends when its room asks for work: the challenge and its solution.
struct JoinProof {
  std::string challenge;
  std::string solution;
};

class WaitingRoomService {
 public:
  // `spent` remembers the challenges used, for rooms that ask for a proof of work.
  WaitingRoomService(QueueCounters& counters, SpentChallenges& spent, const QueueSecret& secret,
                     Metrics& metrics);

  // GET /v1/events/{id}/queue/challenge: a fresh challenge, good for join_challenge_ttl_ms.
  // not_found when the event has no enabled room or its room asks for no work.
  Result<JoinChallengeIssued> challenge(const Event& event, UnixMillis now) const;
  // POST /v1/events/{id}/queue. not_found when the event has no enabled room; when the room
  // asks for a proof of work: proof_of_work_required without `proof`, proof_of_work_invalid
  // for one not good (core/join_challenge.hpp) or used before (reason "used"); a proof checked
  // is used, even if the join then fails. queue_not_open before it opens (fact opens_at);
  // store_unavailable.
  boost::asio::awaitable<Result<QueueJoined>> join(const Event& event,
                                                   std::optional<JoinProof> proof, UnixMillis now);
  // GET /v1/events/{id}/queue/status. queue_token_invalid for a forged, foreign or stale token;
  // queue_session_ended once the admitted session is over; store_unavailable.
  boost::asio::awaitable<Result<QueueAnswer>> status(const Event& event,
                                                     std::string_view queue_token, UnixMillis now);
  // GET /v1/events/{id}/queue (organizers): the room's counts at `now`. not_found when the
  // event has no enabled room; store_unavailable.
  boost::asio::awaitable<Result<QueueTotals>> counts(const Event& event, UnixMillis now);
  // The session of a genuine access token for this event, unexpired and still active at
  // `now`; nullopt otherwise (the hold is then refused with queue_required).
  boost::asio::awaitable<Result<std::optional<AccessGrant>>> check_access(const Event& event,
                                                                          std::string access_token,
                                                                          UnixMillis now);
  // A hold of `units` made under `grant`: false when the session would then hold more than
  // `units_max` at once (the caller releases the hold). Finishing its checkout, or releasing
  // the session's last hold, frees the session's place at once (hold_finished, on whichever
  // node it happens) and answers the session's other holds, for the caller to release.
  boost::asio::awaitable<Result<bool>> hold_made(HoldId hold, AccessGrant grant,
                                                 std::uint32_t units, std::uint32_t units_max,
                                                 UnixMillis now);
  boost::asio::awaitable<Result<std::vector<HoldId>>> hold_finished(std::int64_t event_id,
                                                                    HoldId hold, bool checked_out,
                                                                    UnixMillis now);
  // The session's hold found nothing available: it ends at once unless it holds something.
  boost::asio::awaitable<Result<bool>> end_empty_session(AccessGrant grant, UnixMillis now);
  // Advances the rooms; answers the holds of sessions that expired, for the caller to release.
  boost::asio::awaitable<Result<std::vector<HoldId>>> tick(UnixMillis now);

 private:
  // The proof's challenge good and unused for the event's room (which asks `difficulty` bits).
  boost::asio::awaitable<Status> check_proof(const Event& event, std::uint32_t difficulty,
                                             const std::optional<JoinProof>& proof, UnixMillis now);

  QueueCounters& counters_;
  SpentChallenges& spent_;
  const Signer signer_;  // of the queue secret
  Metrics& metrics_;
};

}  // namespace boxoffice
