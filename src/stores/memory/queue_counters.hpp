// The embedded mode's waiting-room counters (services/queue_counters.hpp): one core::Admission
// per event and the holds made under each session, under one mutex.
//
// Kept across restarts when given a RoomStore (services/room_store.hpp): every tick saves the
// rooms that changed (counters, settings, the sessions' changes) in one batch, and a clean stop
// saves them exactly; joins and status polls never wait for the disk. Numbers are handed out
// only below the reservation saved last (like a sequence's cache): each save reserves the
// numbers of the next few ticks' joins ahead (reserve_ahead_*), so after a crash numbering
// resumes past every number that may have been handed out. What the crash loses: the numbers
// handed out since the last save (about 100 ms of joins: their tokens are refused, join again),
// and the admissions, claims and ends of sessions since then (admitted again, claimed again).
// A join that would pass the reservation (the disk failing, or joins outrunning the ticks) is
// store_unavailable. The holds made under sessions are not kept: the holds themselves do not
// survive a restart of the embedded mode. Without a store: never unavailable, and a restart
// starts every room afresh.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

#include "services/queue_counters.hpp"
#include "services/room_store.hpp"

namespace boxoffice::memory {

class QueueCounters final : public boxoffice::QueueCounters {
 public:
  // Numbers reserved ahead at a save: four times the joins since the save before, within these.
  static constexpr std::uint64_t reserve_ahead_min = 4'096;
  static constexpr std::uint64_t reserve_ahead_max = 262'144;

  // Rooms kept nowhere.
  QueueCounters() = default;
  // Rooms kept in `store` (which must outlive this): resume() before any other call.
  explicit QueueCounters(RoomStore& store) : store_(&store) {}

  // Loads the rooms saved, resumes each (numbers past its reservation; its sessions) and
  // saves them with a reservation of their own. A room that lost numbers in more than
  // lost_ranges_max crashes starts afresh. The store's error when it fails: nothing resumed.
  Status resume();
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
  Status flush() override;

 private:
  struct Room {
    std::uint64_t epoch;
    ShuffleKey key;
    Admission admission;
    AdmissionSettings settings;
    // Numbers below it may be handed out: never above what the store keeps (with a store).
    std::uint64_t reserved = 0;
    std::uint64_t joins_since_save = 0;
    std::optional<AdmissionState> saved;  // as last saved; nullopt: to be saved
    AdmissionSettings saved_settings;
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
  // Saves the rooms that changed; `exactly`: reserving no number ahead (a clean stop).
  Status save(bool exactly);
  // The rooms to save, their reservations lowered to what the batch reserves (locked).
  std::vector<SavedRoom> batch_to_save(bool exactly);

  RoomStore* const store_ = nullptr;
  std::mutex save_mutex_;  // one save at a time; taken before mutex_

  mutable std::mutex mutex_;
  std::map<std::int64_t, std::unique_ptr<Room>> rooms_;
  // Holds made under a session, forgotten when it ends: bounded by the active sessions' holds.
  std::map<HoldId, SessionKey> hold_sessions_;
  std::map<SessionKey, SessionHolds> sessions_;
};

}  // namespace boxoffice::memory
