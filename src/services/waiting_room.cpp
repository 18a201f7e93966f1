#include "services/waiting_room.hpp"

#include <sodium.h>

#include "core/time.hpp"

namespace boxoffice {

std::string_view queue_state_name(QueueState state) {
  switch (state) {
    case QueueState::pre_queue:
      return "pre_queue";
    case QueueState::waiting:
      return "waiting";
    case QueueState::admitted:
      return "admitted";
    case QueueState::ended:
      return "ended";
    case QueueState::sold_out:
      return "sold_out";
  }
  return "waiting";
}

std::optional<AdmissionSettings> admission_settings(const Event& event) {
  if (!event.waiting_room || !event.waiting_room->enabled) return std::nullopt;
  const WaitingRoom& room = *event.waiting_room;
  AdmissionSettings settings;
  settings.active_limit = room.active_limit;
  settings.admit_per_second = room.admit_per_second;
  settings.session_seconds = room.session_seconds;
  // A presale's line is the same line: it moves from the first presale's start.
  settings.sale_opens_at = first_sale_at(event);
  settings.queue_opens_at =
      std::min(room.pre_queue_opens_at.value_or(settings.sale_opens_at), settings.sale_opens_at);
  return settings;
}

// ---- WaitingRoomService ----

WaitingRoomService::WaitingRoomService(QueueCounters& counters, SpentChallenges& spent,
                                       const QueueSecret& secret, Metrics& metrics)
    : counters_(counters), spent_(spent), signer_(secret), metrics_(metrics) {}

namespace {

std::uint32_t proof_of_work_difficulty(const Event& event) {
  return event.waiting_room ? event.waiting_room->proof_of_work_difficulty : 0;
}

}  // namespace

Result<JoinChallengeIssued> WaitingRoomService::challenge(const Event& event,
                                                          UnixMillis now) const {
  const std::uint32_t difficulty = proof_of_work_difficulty(event);
  if (!admission_settings(event) || difficulty == 0) {
    return make_error(Errc::not_found, "this event's waiting room asks for no proof of work");
  }
  JoinChallenge challenge{event.id, now + join_challenge_ttl_ms, difficulty};
  randombytes_buf(challenge.nonce.data(), challenge.nonce.size());
  return JoinChallengeIssued{make_join_challenge(challenge, signer_), difficulty,
                             challenge.expires_at};
}

boost::asio::awaitable<Status> WaitingRoomService::check_proof(
    const Event& event, std::uint32_t difficulty, const std::optional<JoinProof>& proof,
    UnixMillis now) {
  if (!proof) {
    co_return make_error(Errc::proof_of_work_required,
                         "this waiting room asks for a solved challenge: get one, solve it, and "
                         "send {\"challenge\", \"solution\"} with the join");
  }
  auto checked =
      check_join_proof(proof->challenge, proof->solution, event.id, difficulty, now, signer_);
  if (!checked) co_return std::move(checked).error();
  auto first = co_await spent_.spend(*checked, now);
  if (!first) co_return std::move(first).error();
  if (!*first) {
    co_return make_error(Errc::proof_of_work_invalid,
                         "this challenge was used already: solve a new one", {.reason = "used"});
  }
  co_return ok_status();
}

boost::asio::awaitable<Result<QueueJoined>> WaitingRoomService::join(const Event& event,
                                                                     std::optional<JoinProof> proof,
                                                                     UnixMillis now) {
  const auto settings = admission_settings(event);
  if (!settings) co_return make_error(Errc::not_found, "this event has no waiting room");
  if (const std::uint32_t difficulty = proof_of_work_difficulty(event); difficulty > 0) {
    auto proved = co_await check_proof(event, difficulty, proof, now);
    if (!proved) co_return std::move(proved).error();
  }
  auto number = co_await counters_.join(event.id, *settings, now);
  if (!number) co_return std::move(number).error();
  if (!*number) {
    const std::string opens_at = format_rfc3339(settings->queue_opens_at);
    co_return make_error(Errc::queue_not_open, "the waiting room opens at " + opens_at,
                         {.opens_at = settings->queue_opens_at});
  }
  metrics_.queue_joins.add();
  const QueueNumber joined = **number;
  auto status = co_await counters_.status(event.id, *settings, joined, now);
  if (!status) co_return std::move(status).error();
  co_return QueueJoined{.queue_token = make_queue_token(
                            QueueTicket{event.id, joined.room_epoch, joined.number}, signer_),
                        .number = joined.number,
                        .where = *status};
}

boost::asio::awaitable<Result<QueueAnswer>> WaitingRoomService::status(const Event& event,
                                                                       std::string_view queue_token,
                                                                       UnixMillis now) {
  const auto settings = admission_settings(event);
  if (!settings) co_return make_error(Errc::not_found, "this event has no waiting room");
  const auto ticket = verify_queue_token(queue_token, signer_);
  if (!ticket || ticket->event_id != event.id) {
    co_return make_error(Errc::queue_token_invalid, "not a queue token of this event's room");
  }
  const QueueNumber number{ticket->room_epoch, ticket->number};
  auto status = co_await counters_.status(event.id, *settings, number, now);
  if (!status) co_return std::move(status).error();
  if (!*status) {
    co_return make_error(Errc::queue_token_invalid,
                         "the waiting room restarted since this token was made; join again");
  }
  const QueueStatus& where = **status;
  if (where.state == QueueState::ended) {
    co_return make_error(Errc::queue_session_ended, "the admitted session is over; join again");
  }
  QueueAnswer answer{.where = where};
  if (where.state == QueueState::admitted) {
    const AccessGrant grant{event.id, ticket->room_epoch, where.session, where.session_expires_at};
    answer.access_token = make_access_token(grant, signer_);
    answer.access_expires_at = where.session_expires_at;
  }
  co_return answer;
}

boost::asio::awaitable<Result<QueueTotals>> WaitingRoomService::counts(const Event& event,
                                                                       UnixMillis now) {
  const auto settings = admission_settings(event);
  if (!settings) co_return make_error(Errc::not_found, "this event has no waiting room");
  co_return co_await counters_.room_totals(event.id, *settings, now);
}

boost::asio::awaitable<Result<std::optional<AccessGrant>>> WaitingRoomService::check_access(
    const Event& event, std::string access_token, UnixMillis now) {
  const auto grant = verify_access_token(access_token, event.id, now, signer_);
  if (!grant) co_return std::optional<AccessGrant>();
  auto active = co_await counters_.is_active(event.id, grant->room_epoch, grant->session, now);
  if (!active) co_return std::move(active).error();
  co_return *active ? grant : std::optional<AccessGrant>();
}

boost::asio::awaitable<Result<bool>> WaitingRoomService::hold_made(HoldId hold, AccessGrant grant,
                                                                   std::uint32_t units,
                                                                   std::uint32_t units_max,
                                                                   UnixMillis now) {
  co_return co_await counters_.hold_made(hold, grant, units, units_max, now);
}

boost::asio::awaitable<Result<std::vector<HoldId>>> WaitingRoomService::hold_finished(
    std::int64_t event_id, HoldId hold, bool checked_out, UnixMillis now) {
  co_return co_await counters_.hold_finished(event_id, hold, checked_out, now);
}

boost::asio::awaitable<Result<bool>> WaitingRoomService::end_empty_session(AccessGrant grant,
                                                                           UnixMillis now) {
  co_return co_await counters_.end_empty_session(grant, now);
}

boost::asio::awaitable<Result<std::vector<HoldId>>> WaitingRoomService::tick(UnixMillis now) {
  co_return co_await counters_.tick(now);
}

}  // namespace boxoffice
