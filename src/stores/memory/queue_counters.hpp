// The embedded mode's waiting-room counters (services/queue_counters.hpp): one core::Admission
// per event and the holds made under each session, under one mutex. Never unavailable.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

#include "services/queue_counters.hpp"

namespace boxoffice::memory {

class QueueCounters final : public boxoffice::QueueCounters {
 public:
  boost::asio::awaitable<Result<std::optional<QueueNumber>>> join(std::int64_t event_id,
                                                                  AdmissionSettings settings,
                                                                  UnixMillis now) override;
  boost::asio::awaitable<Result<std::optional<QueueStatus>>> status(std::int64_t event_id,
                                                                    AdmissionSettings settings,
                                                                    QueueNumber number,
                                                                    UnixMillis now) override;
  boost::asio::awaitable<Result<bool>> is_active(std::int64_t event_id, std::uint64_t room_epoch,
                                                 std::uint64_t session, UnixMillis now) override;
  boost::asio::awaitable<Result<bool>> hold_made(HoldId hold, AccessGrant grant,
                                                 std::uint32_t units, std::uint32_t units_max,
                                                 UnixMillis now) override;
  boost::asio::awaitable<Result<std::vector<HoldId>>> hold_finished(std::int64_t event_id,
                                                                    HoldId hold, bool checked_out,
                                                                    UnixMillis now) override;
  boost::asio::awaitable<Result<bool>> end_empty_session(AccessGrant grant,
                                                         UnixMillis now) override;
  boost::asio::awaitable<Result<std::vector<HoldId>>> tick(UnixMillis now) override;
  boost::asio::awaitable<Result<QueueTotals>> room_totals(std::int64_t event_id,
                                                          AdmissionSettings settings,
                                                          UnixMillis now) override;
  QueueTotals totals() const override;

 private:
  struct Room {
    std::uint64_t epoch;
    Admission admission;
  };
  using SessionKey =
      std::tuple<std::int64_t, std::uint64_t, std::uint64_t>;  // event, epoch, session

  // The live holds of an active session.
  struct SessionHolds {
    UnixMillis expires_at = 0;
    std::map<HoldId, std::uint32_t> holds;  // → units

    std::uint32_t units() const {
      std::uint32_t total = 0;
      for (const auto& [hold, units] : holds) total += units;
      return total;
    }
  };

  Room& room_of(std::int64_t event_id, const AdmissionSettings& settings);  // locked
  Room* find(std::int64_t event_id, std::uint64_t room_epoch);              // locked
  // Forgets the session and answers its holds (locked).
  std::vector<HoldId> end_session(const SessionKey& key);

  mutable std::mutex mutex_;
  std::map<std::int64_t, std::unique_ptr<Room>> rooms_;
  // Holds made under a session, forgotten when it ends: bounded by the active sessions' holds.
  std::map<HoldId, SessionKey> hold_sessions_;
  std::map<SessionKey, SessionHolds> sessions_;
};

}  // namespace boxoffice::memory
