// The Lua scripts of the Redis waiting-room counters (stores/redis/queue_counters.hpp): the
// arithmetic of core/admission (Admission::advance) run atomically in Redis, so that every
// node's joins, ticks and frees act on one room. Written twice on purpose: core/admission is
// the in-process form, this the shared one; tests/stores/queue_counters_contract_test.cpp
// holds both to one contract.
//
// Keys of event E's room, with the hash tag {ev:E} of the event's holds:
//   {ev:E}:queue          hash  epoch, key (shuffle key, hex), issued, served, pre (pre-queue
//                         size, set at the open), credit, last (ms of the last advance),
//                         win_start, win_served, win_idle, rate (measured admissions/s),
//                         skipped (admitted, never claimed)
//   {ev:E}:queue:active   zset  admitted session (= rank) -> expires_at (ms): until claimed,
//                         admission + CLAIM_MS (core/admission.hpp's admission_claim_ms,
//                         defined above the prelude by the C++ side)
//   {ev:E}:queue:unclaimed set  admitted sessions not yet claimed by a status
//   {ev:E}:queue:h:<hold> "epoch:session:units" of a hold made under a session, until it ends
//   {ev:E}:queue:s:<epoch>:<session>  set: the session's live holds
//   {ev:E}:queue:u:<epoch>:<session>  how many units (seats, places) they hold
//   {ev:E}:queue:ending   zset  "epoch:session" of sessions with holds -> expires_at (ms)
// The hold and session keys expire a minute after the session (PX), so abandoned holds leave
// nothing behind; until then the tick that finds the session in `ending` answers its holds.
//
// Every script takes KEYS = room, active and ARGV = now, active_limit, admit_per_second,
// session_ms, sale_opens_at (all '' when the caller does not know the room's settings), epoch
// and key (for a room made now, if none is there; '' for none), then its own arguments. Numbers
// are integer replies or strings: a Lua number prints large integers in exponent form.
#pragma once

#include <string_view>

namespace boxoffice::redis::queue_scripts {

inline constexpr std::string_view prelude = R"lua(
local K_ROOM, K_ACTIVE = KEYS[1], KEYS[2]
local PREFIX = K_ROOM .. ':'
local K_UNCLAIMED = PREFIX .. 'unclaimed'
local now = tonumber(ARGV[1])
local limit, rate, session_ms, sale_at =
  tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local ZADD_CHUNK = 1000

if ARGV[6] ~= '' and redis.call('EXISTS', K_ROOM) == 0 then
  redis.call('DEL', K_ACTIVE, K_UNCLAIMED)
  redis.call('HSET', K_ROOM, 'epoch', ARGV[6], 'key', ARGV[7], 'issued', 0, 'served', 0,
             'credit', 0, 'last', 0, 'win_start', 0, 'win_served', 0, 'win_idle', 0)
end

-- Opens the sale when due, expires sessions, admits what the rate and the limit allow.
local function advance()
  local f = redis.call('HMGET', K_ROOM, 'issued', 'served', 'pre', 'credit', 'last',
                       'win_start', 'win_served', 'win_idle')
  local issued, served = tonumber(f[1]), tonumber(f[2])
  local credit, last = tonumber(f[4]), tonumber(f[5])
  local win_start, win_served, win_idle = tonumber(f[6]), tonumber(f[7]), f[8] == '1'
  if not f[3] then
    if now < sale_at then return end
    redis.call('HSET', K_ROOM, 'pre', issued)
    last, win_start = sale_at, sale_at
  end
  local ended = redis.call('ZRANGEBYSCORE', K_ACTIVE, '-inf', now)
  if #ended > 0 then
    local skipped = 0
    for _, s in ipairs(ended) do skipped = skipped + redis.call('SREM', K_UNCLAIMED, s) end
    if skipped > 0 then redis.call('HINCRBY', K_ROOM, 'skipped', skipped) end
    redis.call('ZREMRANGEBYSCORE', K_ACTIVE, '-inf', now)
  end
  if now > last then
    credit = math.min(rate, credit + (now - last) * rate / 1000)
    last = now
  end
  local space = math.max(0, limit - redis.call('ZCARD', K_ACTIVE))
  local admit = math.min(math.floor(credit), issued - served, space)
  local expires = now + CLAIM_MS
  local i = 0
  while i < admit do
    local args, sessions = {}, {}
    for j = i, math.min(admit, i + ZADD_CHUNK) - 1 do
      args[#args + 1] = expires
      args[#args + 1] = served + j
      sessions[#sessions + 1] = served + j
    end
    redis.call('ZADD', K_ACTIVE, unpack(args))
    redis.call('SADD', K_UNCLAIMED, unpack(sessions))
    i = i + ZADD_CHUNK
  end
  served = served + admit
  credit = credit - admit
  -- A window in which the line ran empty measures the arrivals, not the admission rate.
  if issued == served then win_idle = true end
  if now - win_start >= 5000 then
    if not win_idle then
      redis.call('HSET', K_ROOM, 'rate', tostring((served - win_served) * 1000 / (now - win_start)))
    end
    win_start, win_served, win_idle = now, served, false
  end
  redis.call('HSET', K_ROOM, 'served', served, 'credit', tostring(credit), 'last', last,
             'win_start', win_start, 'win_served', win_served, 'win_idle', win_idle and 1 or 0)
end

-- epoch, key, issued, served, pre ('' before the open), active sessions, rate ('' unmeasured),
-- skipped
local function view()
  local f = redis.call('HMGET', K_ROOM, 'epoch', 'key', 'issued', 'served', 'pre', 'rate',
                       'skipped')
  return {f[1], f[2], f[3], f[4], f[5] or '', redis.call('ZCARD', K_ACTIVE), f[6] or '',
          tonumber(f[7] or '0')}
end
)lua";

// The room advanced to now: view(). NOROOM when there is none and none was to be made.
inline constexpr std::string_view advance = R"lua(
if redis.call('EXISTS', K_ROOM) == 0 then return redis.error_reply('NOROOM') end
advance()
return view()
)lua";

// The next number (a join at or after the open is never in the pre-queue): view() .. number.
// NOROOM as advance.
inline constexpr std::string_view join = R"lua(
if redis.call('EXISTS', K_ROOM) == 0 then return redis.error_reply('NOROOM') end
advance()
local number = redis.call('HINCRBY', K_ROOM, 'issued', 1) - 1
local out = view()
out[#out + 1] = number
return out
)lua";

// ARGV[8] epoch, ARGV[9] session, ARGV[10] '1' to claim it (a status handing out its access
// token: it then lasts session_ms from now): its expires_at while admitted; 0 when it is not
// (any more); -1 when the room is not of that epoch.
inline constexpr std::string_view session = R"lua(
if redis.call('HGET', K_ROOM, 'epoch') ~= ARGV[8] then return -1 end
local expires = redis.call('ZSCORE', K_ACTIVE, ARGV[9])
if not expires or tonumber(expires) <= now then return 0 end
if ARGV[10] == '1' and redis.call('SREM', K_UNCLAIMED, ARGV[9]) == 1 then
  expires = now + session_ms
  redis.call('ZADD', K_ACTIVE, 'XX', expires, ARGV[9])
end
return tonumber(expires)
)lua";

// ARGV[8] epoch, ARGV[9] session, ARGV[10] hold id, ARGV[11] the session's expires_at,
// ARGV[12] the hold's units, ARGV[13] the most units the session may hold: the hold is
// remembered until then. 1; -1 (remembered nothing) when the session would hold more; 0 when
// the session is not active in this epoch.
inline constexpr std::string_view hold_made = R"lua(
if redis.call('HGET', K_ROOM, 'epoch') ~= ARGV[8] then return 0 end
if not redis.call('ZSCORE', K_ACTIVE, ARGV[9]) then return 0 end
local owner = ARGV[8] .. ':' .. ARGV[9]
local units_key = PREFIX .. 'u:' .. owner
local units = tonumber(ARGV[12])
if tonumber(redis.call('GET', units_key) or '0') + units > tonumber(ARGV[13]) then return -1 end
local ttl = math.max(1, tonumber(ARGV[11]) - now) + 60000
if redis.call('SET', PREFIX .. 'h:' .. ARGV[10], owner .. ':' .. units, 'PX', ttl, 'NX') then
  local set = PREFIX .. 's:' .. owner
  redis.call('SADD', set, ARGV[10])
  redis.call('INCRBY', units_key, units)
  redis.call('PEXPIRE', set, ttl)
  redis.call('PEXPIRE', units_key, ttl)
  redis.call('ZADD', PREFIX .. 'ending', ARGV[11], owner)
end
return 1
)lua";

// Forgets the session `owner` ("epoch:session") and answers its live holds.
inline constexpr std::string_view end_session = R"lua(
local function end_session(owner)
  local set = PREFIX .. 's:' .. owner
  local holds = redis.call('SMEMBERS', set)
  for _, hold in ipairs(holds) do redis.call('DEL', PREFIX .. 'h:' .. hold) end
  redis.call('DEL', set, PREFIX .. 'u:' .. owner)
  redis.call('ZREM', PREFIX .. 'ending', owner)
  return holds
end
)lua";

// ARGV[8] hold id, ARGV[9] 1 when checked out: a checkout, or the release of the session's
// last hold, ends the session and admits the next person. Answers {ended, others}: ended is
// view() (with the room's settings), 1 (without), or 0 when no session ended; others the
// session's other live holds, for the caller to release.
inline constexpr std::string_view hold_finished = R"lua(
local hold = PREFIX .. 'h:' .. ARGV[8]
local value = redis.call('GET', hold)
if not value then return {0, {}} end
redis.call('DEL', hold)
local epoch, session, units = string.match(value, '^(%d+):(%d+):(%d+)$')
if redis.call('HGET', K_ROOM, 'epoch') ~= epoch then return {0, {}} end
local owner = epoch .. ':' .. session
redis.call('SREM', PREFIX .. 's:' .. owner, ARGV[8])
redis.call('DECRBY', PREFIX .. 'u:' .. owner, units)
if redis.call('SCARD', PREFIX .. 's:' .. owner) > 0 and ARGV[9] ~= '1' then return {0, {}} end
local others = end_session(owner)
if redis.call('ZREM', K_ACTIVE, session) == 0 then return {0, others} end
if ARGV[2] == '' then return {1, others} end
advance()
return {view(), others}
)lua";

// ARGV[8] epoch, ARGV[9] session: the session ends unless it holds something (its set of holds
// is not empty), and the next person is admitted (with the room's settings). Answers 1 when it
// ended, else 0.
inline constexpr std::string_view end_empty_session = R"lua(
if redis.call('HGET', K_ROOM, 'epoch') ~= ARGV[8] then return 0 end
if redis.call('SCARD', PREFIX .. 's:' .. ARGV[8] .. ':' .. ARGV[9]) > 0 then return 0 end
redis.call('SREM', K_UNCLAIMED, ARGV[9])
if redis.call('ZREM', K_ACTIVE, ARGV[9]) == 0 then return 0 end
if ARGV[2] ~= '' then advance() end
return 1
)lua";

// The live holds of sessions that expired by `now` (at most 1,000 sessions a call), each
// answered once.
inline constexpr std::string_view sessions_ended = R"lua(
local due = redis.call('ZRANGEBYSCORE', PREFIX .. 'ending', '-inf', now, 'LIMIT', 0, 1000)
local out = {}
for _, owner in ipairs(due) do
  for _, hold in ipairs(end_session(owner)) do out[#out + 1] = hold end
end
return out
)lua";

}  // namespace boxoffice::redis::queue_scripts
