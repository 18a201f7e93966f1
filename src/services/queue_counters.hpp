// The shared counters of the virtual waiting rooms (DESIGN.md): what the waiting room service
// (services/waiting_room) needs besides signed tokens. Per event: the numbers handed out, the
// serving counter, the admitted sessions, and which holds (of how many units) were made under
// which session, so that a session holds at most max_per_order units at once and its other
// holds are released when it ends. No per-person state for those still in line, whatever the
// length of the line.
//
// Two implementations with one contract (tests/stores/queue_counters_contract_test.cpp): the
// embedded mode's in-process counters (stores/memory) and cluster mode's in Redis
// (stores/redis), shared by every node, so a token made by one node is good on all of them.
// Times are passed in (`now`), so the contract is tested with a simulated clock.
//
// Every method is safe to call from any thread and any io_context. store_unavailable when the
// counters can't be reached (Redis down); nothing changed then, unless said otherwise.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/admission.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/queue_token.hpp"

namespace boxoffice {

// A place in a room's counters: tokens name the epoch they were made in, a random number drawn
// when a room's counters are created, so tokens of an earlier life of the room name nothing.
struct QueueNumber {
  std::uint64_t room_epoch = 0;
  std::uint64_t number = 0;
};

struct QueueTotals {
  std::uint64_t waiting = 0;   // joined, not yet admitted (the pre-queue included)
  std::uint64_t active = 0;    // admitted sessions still shopping
  std::uint64_t admitted = 0;  // admitted since the rooms were made
  std::uint64_t skipped = 0;   // of those, never claimed (core/admission.hpp)

  QueueTotals& operator+=(const QueueTotals& other) {
    waiting += other.waiting;
    active += other.active;
    admitted += other.admitted;
    skipped += other.skipped;
    return *this;
  }
};

class QueueCounters {
 public:
  virtual ~QueueCounters() = default;

  // The next number of the event's room (made on first use); nullopt before
  // settings.queue_opens_at. A join at or after the sale's open is never in the pre-queue.
  virtual boost::asio::awaitable<Result<std::optional<QueueNumber>>> join(
      std::int64_t event_id, AdmissionSettings settings, UnixMillis now) = 0;
  // Where `number` stands; nullopt when the epoch is not the room's (it was made anew).
  virtual boost::asio::awaitable<Result<std::optional<QueueStatus>>> status(
      std::int64_t event_id, AdmissionSettings settings, QueueNumber number, UnixMillis now) = 0;
  // Is `session` of the room's epoch admitted and neither expired nor freed at `now`?
  virtual boost::asio::awaitable<Result<bool>> is_active(std::int64_t event_id,
                                                         std::uint64_t room_epoch,
                                                         std::uint64_t session, UnixMillis now) = 0;
  // The hold `hold`, of `units` seats or places, made under `grant`: remembered until the
  // session ends, unless the session's live holds would then have more than `units_max` units
  // (the event's max_per_order): then false, nothing is remembered, and the caller releases the
  // hold. True, remembering nothing, when the session is not active in this epoch.
  virtual boost::asio::awaitable<Result<bool>> hold_made(HoldId hold, AccessGrant grant,
                                                         std::uint32_t units,
                                                         std::uint32_t units_max,
                                                         UnixMillis now) = 0;
  // The hold `hold` of event `event_id` ended by checkout (`checked_out`) or release: a
  // checkout, or the release of the session's last hold, ends its session at once and gives
  // its place to the next person. Answers the session's other live holds when it ended, for
  // the caller to release. Nothing happens for a hold made under no session.
  virtual boost::asio::awaitable<Result<std::vector<HoldId>>> hold_finished(std::int64_t event_id,
                                                                            HoldId hold,
                                                                            bool checked_out,
                                                                            UnixMillis now) = 0;
  // The session of `grant` found nothing to hold (the event has nothing available): it ends
  // at once, giving its place to the next person, unless it holds something already. Answers
  // whether it ended.
  virtual boost::asio::awaitable<Result<bool>> end_empty_session(AccessGrant grant,
                                                                 UnixMillis now) = 0;
  // Advances every room this node has seen (admissions, expiries) to `now`. Answers the live
  // holds of sessions that expired since (on any node), for the caller to release: each is
  // answered to one tick only.
  virtual boost::asio::awaitable<Result<std::vector<HoldId>>> tick(UnixMillis now) = 0;
  // The event's room at `now` (in Redis, read from Redis, not this node's view); zeros when
  // nobody has joined it yet.
  virtual boost::asio::awaitable<Result<QueueTotals>> room_totals(std::int64_t event_id,
                                                                  AdmissionSettings settings,
                                                                  UnixMillis now) = 0;
  // For /metrics: every room's, as last seen by this node.
  virtual QueueTotals totals() const = 0;
  // The process stops cleanly, after its last tick: what must survive the restart is kept
  // exactly, so that nobody's number is lost (the embedded mode's rooms; Redis keeps its own
  // and has nothing to do). Joins are refused after it.
  virtual Status flush() = 0;
};

}  // namespace boxoffice
