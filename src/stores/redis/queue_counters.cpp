#include "stores/redis/queue_counters.hpp"

#include <sodium.h>

#include <charconv>

#include "core/numbers.hpp"
#include "stores/redis/queue_scripts.hpp"

namespace boxoffice::redis {
namespace asio = boost::asio;

namespace {

// How old this node's view of a room may be for a status answer: ticks refresh it every
// 100 ms, so only a node whose sweeper stalls asks Redis on a poll.
constexpr UnixMillis view_age_max_ms = 250;
constexpr std::size_t view_fields = 8;

std::vector<std::string> script_texts() {
  std::vector<std::string> texts(static_cast<std::size_t>(QueueCounters::Script::count));
  const std::string claim = "local CLAIM_MS = " + std::to_string(admission_claim_ms) + "\n";
  const auto set = [&texts, &claim](QueueCounters::Script script, std::string_view body) {
    texts[static_cast<std::size_t>(script)] =
        claim + std::string(queue_scripts::prelude) + std::string(body);
  };
  using Script = QueueCounters::Script;
  set(Script::advance, queue_scripts::advance);
  set(Script::join, queue_scripts::join);
  set(Script::session, queue_scripts::session);
  set(Script::hold_made, queue_scripts::hold_made);
  const std::string ending = std::string(queue_scripts::end_session);
  set(Script::hold_finished, ending + std::string(queue_scripts::hold_finished));
  set(Script::sessions_ended, ending + std::string(queue_scripts::sessions_ended));
  set(Script::end_empty_session, queue_scripts::end_empty_session);
  return texts;
}

std::vector<std::string> keys_of(std::int64_t event_id) {
  const std::string room = "{ev:" + std::to_string(event_id) + "}:queue";
  return {room, room + ":active"};
}

}  // namespace

QueueCounters::QueueCounters(Endpoint endpoint)
    : connections_(std::move(endpoint)), scripts_(script_texts()) {}

asio::awaitable<Result<Reply>> QueueCounters::run(std::int64_t event_id, Script script,
                                                  std::optional<AdmissionSettings> settings,
                                                  UnixMillis now, std::vector<std::string> args,
                                                  bool make_room) {
  std::vector<std::string> argv{std::to_string(now)};
  if (settings) {
    argv.push_back(std::to_string(settings->active_limit));
    argv.push_back(std::to_string(settings->admit_per_second));
    argv.push_back(std::to_string(std::int64_t{settings->session_seconds} * millis_per_second));
    argv.push_back(std::to_string(settings->sale_opens_at));
  } else {
    argv.insert(argv.end(), 4, std::string());
  }
  // A room made now, if Redis has none (the first join, or Redis lost it): a fresh epoch, so
  // tokens of the lost room name nothing, and a fresh shuffle key. Drawn only when this node
  // has not seen the room, or Redis said it has none (NOROOM): random bytes are a system call.
  const bool may_make = script == Script::advance || script == Script::join;
  const bool make = may_make && settings && (make_room || !cached(event_id));
  if (make) {
    std::uint64_t epoch = 0;
    randombytes_buf(&epoch, sizeof epoch);
    ShuffleKey key{};
    randombytes_buf(key.data(), key.size());
    char hex[2 * std::tuple_size_v<ShuffleKey> + 1];
    sodium_bin2hex(hex, sizeof hex, key.data(), key.size());
    argv.push_back(std::to_string(epoch));
    argv.emplace_back(hex);
  } else {
    argv.insert(argv.end(), 2, std::string());
  }
  argv.insert(argv.end(), args.begin(), args.end());
  Client* client = co_await connections_.here();
  const std::vector<std::string> keys = keys_of(event_id);
  auto reply = co_await scripts_.run(*client, static_cast<std::size_t>(script), keys, argv);
  if (reply && reply->type == Reply::Type::error && !make && may_make &&
      reply->text.find("NOROOM") != std::string::npos) {  // Redis lost the room: make it anew
    co_return co_await run(event_id, script, settings, now, std::move(args), true);
  }
  if (reply && reply->type == Reply::Type::error) co_return unexpected(*reply);
  co_return reply;
}

Result<QueueCounters::Room> QueueCounters::keep_view(std::int64_t event_id, const Reply& reply,
                                                     AdmissionSettings settings, UnixMillis now) {
  if (reply.type != Reply::Type::array || reply.elements.size() < view_fields) {
    return unexpected(reply);
  }
  Room room{settings};
  room.seen_at = now;
  const auto& f = reply.elements;
  const auto epoch = parse_whole_number<std::uint64_t>(f[0].text);
  std::size_t key_bytes = 0;
  if (!epoch ||
      sodium_hex2bin(room.key.data(), room.key.size(), f[1].text.data(), f[1].text.size(), nullptr,
                     &key_bytes, nullptr) != 0 ||
      key_bytes != room.key.size()) {
    return unexpected(reply);
  }
  room.epoch = *epoch;
  room.line.issued = static_cast<std::uint64_t>(integer_of(f[2]));
  room.line.served = static_cast<std::uint64_t>(integer_of(f[3]));
  room.line.pre_queue_size = parse_whole_number<std::uint64_t>(f[4].text);
  room.active = static_cast<std::uint64_t>(integer_of(f[5]));
  double rate = room.settings.admit_per_second;
  if (!f[6].text.empty())
    std::from_chars(f[6].text.data(), f[6].text.data() + f[6].text.size(), rate);
  room.line.admission_rate = rate;
  room.skipped = static_cast<std::uint64_t>(integer_of(f[7]));
  const std::lock_guard lock(mutex_);
  Room& kept = rooms_[event_id];
  // Answers may arrive out of order: an older one never replaces a newer.
  if (room.seen_at >= kept.seen_at) kept = room;
  return room;
}

std::optional<QueueCounters::Room> QueueCounters::cached(std::int64_t event_id) const {
  const std::lock_guard lock(mutex_);
  const auto found = rooms_.find(event_id);
  if (found == rooms_.end()) return std::nullopt;
  return found->second;
}

asio::awaitable<Result<QueueCounters::Room>> QueueCounters::refresh(std::int64_t event_id,
                                                                    AdmissionSettings settings,
                                                                    UnixMillis now) {
  auto reply = co_await run(event_id, Script::advance, settings, now, {});
  if (!reply) co_return std::move(reply).error();
  co_return keep_view(event_id, *reply, settings, now);
}

asio::awaitable<Result<std::optional<QueueNumber>>> QueueCounters::join(std::int64_t event_id,
                                                                        AdmissionSettings settings,
                                                                        UnixMillis now) {
  if (now < settings.queue_opens_at) co_return std::optional<QueueNumber>();
  auto reply = co_await run(event_id, Script::join, settings, now, {});
  if (!reply) co_return std::move(reply).error();
  if (reply->elements.size() != view_fields + 1) co_return unexpected(*reply);
  auto room = keep_view(event_id, *reply, settings, now);
  if (!room) co_return std::move(room).error();
  co_return QueueNumber{room->epoch,
                        static_cast<std::uint64_t>(integer_of(reply->elements[view_fields]))};
}

// Whether the person at `position` in `room`'s view may have been let in since the view was
// taken: at most a second's banked credit plus the rate over the view's age.
bool QueueCounters::may_be_admitted(const Room& room, std::uint64_t position, UnixMillis now) {
  const double since_seconds = static_cast<double>(now - room.seen_at) / millis_per_second;
  const double admissions_max = room.settings.admit_per_second * (1.0 + since_seconds);
  return static_cast<double>(position) <= admissions_max + 1.0;
}

asio::awaitable<Result<std::optional<QueueStatus>>> QueueCounters::status(
    std::int64_t event_id, AdmissionSettings settings, QueueNumber number, UnixMillis now) {
  auto room = cached(event_id);
  const bool usable = room && room->epoch == number.room_epoch &&
                      now - room->seen_at <= view_age_max_ms &&
                      (room->line.pre_queue_size || now < settings.sale_opens_at);
  std::optional<QueueStatus> in_line;
  if (usable) in_line = place_in_line(number.number, room->line, settings, room->key, now);
  // Near the front of the line (or past it), the answer comes from Redis, so that no node
  // says "waiting" to someone another node has let in.
  if (!usable || !in_line ||
      (in_line->state == QueueState::waiting && may_be_admitted(*room, in_line->position, now))) {
    auto fresh = co_await refresh(event_id, settings, now);
    if (!fresh) co_return std::move(fresh).error();
    room = std::move(*fresh);
    if (room->epoch != number.room_epoch) co_return std::optional<QueueStatus>();
    in_line = place_in_line(number.number, room->line, settings, room->key, now);
  }
  if (in_line) co_return in_line;
  // Served: admitted while the session lasts (claimed by this very answer), ended after.
  const std::uint64_t rank = rank_in_line(number.number, room->line, room->key);
  std::vector<std::string> args{std::to_string(number.room_epoch), std::to_string(rank), "1"};
  auto reply = co_await run(event_id, Script::session, settings, now, std::move(args));
  if (!reply) co_return std::move(reply).error();
  if (reply->type != Reply::Type::integer) co_return unexpected(*reply);
  if (reply->integer < 0) co_return std::optional<QueueStatus>();  // the room was made anew
  QueueStatus status;
  status.state = QueueState::ended;
  if (reply->integer > now) {
    status.state = QueueState::admitted;
    status.session = rank;
    status.session_expires_at = reply->integer;
  }
  co_return status;
}

asio::awaitable<Result<bool>> QueueCounters::is_active(std::int64_t event_id,
                                                       std::uint64_t room_epoch,
                                                       std::uint64_t session, UnixMillis now) {
  std::vector<std::string> args{std::to_string(room_epoch), std::to_string(session), "0"};
  auto reply = co_await run(event_id, Script::session, std::nullopt, now, std::move(args));
  if (!reply) co_return std::move(reply).error();
  if (reply->type != Reply::Type::integer) co_return unexpected(*reply);
  co_return reply->integer > now;
}

asio::awaitable<Result<bool>> QueueCounters::hold_made(HoldId hold, AccessGrant grant,
                                                       std::uint32_t units, std::uint32_t units_max,
                                                       UnixMillis now) {
  std::vector<std::string> args{
      std::to_string(grant.room_epoch), std::to_string(grant.session), hold.hex(),
      std::to_string(grant.expires_at), std::to_string(units),         std::to_string(units_max)};
  auto reply = co_await run(grant.event_id, Script::hold_made, std::nullopt, now, std::move(args));
  if (!reply) co_return std::move(reply).error();
  if (reply->type != Reply::Type::integer) co_return unexpected(*reply);
  co_return reply->integer != -1;
}

namespace {

// Hold ids as a script answers them; ids that can't be one are skipped (none are written).
std::vector<HoldId> hold_ids_of(const Reply& reply) {
  std::vector<HoldId> holds;
  for (const Reply& element : reply.elements) {
    if (const auto id = Id128::from_hex(element.text)) holds.push_back(*id);
  }
  return holds;
}

}  // namespace

asio::awaitable<Result<std::vector<HoldId>>> QueueCounters::hold_finished(std::int64_t event_id,
                                                                          HoldId hold,
                                                                          bool checked_out,
                                                                          UnixMillis now) {
  // With the room's settings (when this node knows them) the next person is admitted at once;
  // without, at the next tick of any node.
  std::optional<AdmissionSettings> settings;
  if (const auto room = cached(event_id)) settings = room->settings;
  std::vector<std::string> args{hold.hex(), checked_out ? "1" : "0"};
  auto reply = co_await run(event_id, Script::hold_finished, settings, now, std::move(args));
  if (!reply) co_return std::move(reply).error();
  if (reply->type != Reply::Type::array || reply->elements.size() != 2) {
    co_return unexpected(*reply);
  }
  if (reply->elements[0].type == Reply::Type::array) {  // the room advanced: the next is in
    auto room = keep_view(event_id, reply->elements[0], *settings, now);
    if (!room) co_return std::move(room).error();
  }
  co_return hold_ids_of(reply->elements[1]);
}

asio::awaitable<Result<bool>> QueueCounters::end_empty_session(AccessGrant grant, UnixMillis now) {
  std::optional<AdmissionSettings> settings;
  if (const auto room = cached(grant.event_id)) settings = room->settings;
  std::vector<std::string> args{std::to_string(grant.room_epoch), std::to_string(grant.session)};
  auto reply =
      co_await run(grant.event_id, Script::end_empty_session, settings, now, std::move(args));
  if (!reply) co_return std::move(reply).error();
  if (reply->type != Reply::Type::integer) co_return unexpected(*reply);
  co_return reply->integer == 1;
}

asio::awaitable<Result<std::vector<HoldId>>> QueueCounters::tick(UnixMillis now) {
  std::vector<std::pair<std::int64_t, AdmissionSettings>> rooms;
  {
    const std::lock_guard lock(mutex_);
    for (const auto& [event_id, room] : rooms_) rooms.emplace_back(event_id, room.settings);
  }
  std::optional<Error> failure;
  std::vector<HoldId> ended;
  for (const auto& [event_id, settings] : rooms) {
    auto refreshed = co_await refresh(event_id, settings, now);
    if (!refreshed) failure = std::move(refreshed).error();
    auto due = co_await run(event_id, Script::sessions_ended, std::nullopt, now, {});
    if (!due) {
      failure = std::move(due).error();
      continue;
    }
    for (const HoldId& hold : hold_ids_of(*due)) ended.push_back(hold);
  }
  if (failure && ended.empty()) co_return std::move(*failure);
  co_return ended;
}

QueueTotals QueueCounters::totals_of(const Room& room) {
  return {room.line.issued - std::min(room.line.issued, room.line.served), room.active,
          room.line.served, room.skipped};
}

asio::awaitable<Result<QueueTotals>> QueueCounters::room_totals(std::int64_t event_id,
                                                                AdmissionSettings settings,
                                                                UnixMillis now) {
  auto room = co_await refresh(event_id, settings, now);
  if (!room) co_return std::move(room).error();
  co_return totals_of(*room);
}

QueueTotals QueueCounters::totals() const {
  const std::lock_guard lock(mutex_);
  QueueTotals totals;
  for (const auto& [event_id, room] : rooms_) totals += totals_of(room);
  return totals;
}

}  // namespace boxoffice::redis
