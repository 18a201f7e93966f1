// Cluster mode's waiting-room counters (services/queue_counters.hpp) in Redis, shared by every
// node: joins, the serving counter, admitted sessions and the holds made under them are changed
// only by Lua scripts (stores/redis/queue_scripts.hpp), atomic in Redis. Any node's tick
// advances a room; the token bucket counts time, not ticks, so several nodes ticking admit no
// more than one would.
//
// Status polls, the hot path of an on-sale, are answered from this node's view of each room
// (numbers handed out, serving counter, pre-queue size, shuffle key, measured rate), refreshed
// by every tick and join: no Redis round trip for most of the line. Those near its front (who
// may have been let in by another node since the view was taken) and those already served
// (is their session still on?) ask Redis; checking an access token too.
#pragma once

#include <map>
#include <mutex>

#include "services/queue_counters.hpp"
#include "stores/redis/scripts.hpp"

namespace boxoffice::redis {

class QueueCounters final : public boxoffice::QueueCounters {
 public:
  explicit QueueCounters(Endpoint endpoint);

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
  Status flush() override { return ok_status(); }

  enum class Script {
    advance,
    join,
    session,
    hold_made,
    hold_finished,
    sessions_ended,
    end_empty_session,
    count
  };

 private:
  // This node's view of a room, as a script last answered.
  struct Room {
    AdmissionSettings settings;
    std::uint64_t epoch = 0;
    ShuffleKey key{};
    LineCounters line;
    std::uint64_t active = 0;
    std::uint64_t skipped = 0;
    UnixMillis seen_at = 0;  // the `now` of the script that answered
  };

  // Runs `script` on the event's room; `settings` nullopt when they are not known here.
  // `make_room`: with a fresh epoch and key, for advance and join to make the room if Redis
  // has none (also done when this node has not seen the room).
  boost::asio::awaitable<Result<Reply>> run(std::int64_t event_id, Script script,
                                            std::optional<AdmissionSettings> settings,
                                            UnixMillis now, std::vector<std::string> args,
                                            bool make_room = false);
  // Advances the room in Redis and keeps what it answers as this node's view.
  boost::asio::awaitable<Result<Room>> refresh(std::int64_t event_id, AdmissionSettings settings,
                                               UnixMillis now);
  // Reads a view() answer (its first 8 elements), given at `now`, and keeps it as this node's
  // view of the room unless a newer one is kept already.
  Result<Room> keep_view(std::int64_t event_id, const Reply& reply, AdmissionSettings settings,
                         UnixMillis now);
  std::optional<Room> cached(std::int64_t event_id) const;
  static bool may_be_admitted(const Room& room, std::uint64_t position, UnixMillis now);
  static QueueTotals totals_of(const Room& room);

  Connections connections_;
  Scripts scripts_;
  mutable std::mutex mutex_;
  std::map<std::int64_t, Room> rooms_;  // the rooms this node has seen
};

}  // namespace boxoffice::redis
