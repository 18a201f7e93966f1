// The Lua scripts of the Redis hold store: each one whole operation of the seat state machine,
// run atomically by Redis, so nodes never interleave inside one.
//
// Keys of event E, all with the hash tag {ev:E} so that Redis Cluster keeps an event on one
// shard (the scripts also touch the hold keys {ev:E}:h:ID, built from the same prefix):
//   {ev:E}:seats    hash  seat index -> id of the hold that has it, or "sold"
//   {ev:E}:ga       hash  "h:<area>" places held, "s:<area>" places sold
//   {ev:E}:expiry   zset  live holds by deadline (a pinned checkout: by the end of its pin)
//   {ev:E}:seq      the event's sequence number
//   {ev:E}:changes  stream, capped, one entry per change: seq, k (kind), h, s (seats), g, q
//   {ev:E}:loaded   set once the sold units were copied from the source of truth
//   {ev:E}:h:<id>   hash  st (held, checking_out, expired, released, checked_out), seats (csv
//                   of indexes), ga, q, c (created), x (expires), a (aborted checkouts), p (end
//                   of a checkout's pin), t (its total in cents, fixed when made); kept an hour
//                   after the hold ends, so a holder hears why; its key TTL is the last safety net.
// Sequence numbers travel as integer replies (a Lua number prints large integers in exponent
// form). Every script takes KEYS = seats, ga, expiry, seq, changes, loaded[, the hold's key], and
// first ends the holds due at `now` (lazy expiry), so no caller sees a hold past its deadline.
#pragma once

#include <string_view>

namespace boxoffice::redis::scripts {

inline constexpr std::string_view prelude = R"lua(
local K_SEATS, K_GA, K_EXPIRY = KEYS[1], KEYS[2], KEYS[3]
local K_SEQ, K_CHANGES, K_LOADED = KEYS[4], KEYS[5], KEYS[6]
local PREFIX = string.sub(K_SEATS, 1, -6)
local ENDED_MS = 3600000
if redis.call('EXISTS', K_LOADED) == 0 then return redis.error_reply('UNLOADED') end
local function hold_key(id) return PREFIX .. 'h:' .. id end
local function split(text)
  local out = {}
  for x in string.gmatch(text or '', '[^,]+') do out[#out + 1] = x end
  return out
end
local function emit(kind, id, seats, ga, q)
  local seq = redis.call('INCR', K_SEQ)
  redis.call('XADD', K_CHANGES, 'MAXLEN', '~', 10000, '*', 'seq', seq, 'k', kind, 'h', id,
             's', seats, 'g', ga, 'q', q)
  return seq
end
-- Ends a live hold: its units go back, or become sold; the hold stays an hour, saying why.
-- Answers the change: seq, seats, ga, q.
local function end_hold(id, why)
  local k = hold_key(id)
  local h = redis.call('HMGET', k, 'seats', 'ga', 'q')
  local seats, ga, q = h[1] or '', h[2] or '', tonumber(h[3] or '0')
  for _, seat in ipairs(split(seats)) do
    if why == 'sold' then
      redis.call('HSET', K_SEATS, seat, 'sold')
    elseif redis.call('HGET', K_SEATS, seat) == id then
      redis.call('HDEL', K_SEATS, seat)
    end
  end
  if ga ~= '' then
    redis.call('HINCRBY', K_GA, 'h:' .. ga, -q)
    if why == 'sold' then redis.call('HINCRBY', K_GA, 's:' .. ga, q) end
  end
  redis.call('ZREM', K_EXPIRY, id)
  redis.call('HSET', k, 'st', why == 'sold' and 'checked_out' or why)
  redis.call('PEXPIRE', k, ENDED_MS)
  return emit(why, id, seats, ga, q), seats, ga, q
end
-- Ends the holds due at `now`; answers how many, the checkouts whose pin ran out (their node
-- died: the caller settles them against the source of truth), and the changes, flat: seq,
-- seats, ga, q of each.
local function expire_due(now, limit)
  local due = redis.call('ZRANGEBYSCORE', K_EXPIRY, '-inf', now, 'LIMIT', 0, limit)
  local expired, stale, changes = 0, {}, {}
  for _, id in ipairs(due) do
    local st = redis.call('HGET', hold_key(id), 'st')
    if st == 'held' then
      local seq, seats, ga, q = end_hold(id, 'expired')
      local n = #changes
      changes[n + 1], changes[n + 2], changes[n + 3], changes[n + 4] = seq, seats, ga, q
      expired = expired + 1
    elseif st == 'checking_out' then
      stale[#stale + 1] = id
    else
      redis.call('ZREM', K_EXPIRY, id)
    end
  end
  return expired, stale, changes
end
local function hold_fields(id)
  return redis.call('HMGET', hold_key(id), 'st', 'seats', 'ga', 'q', 'c', 'x', 'a', 'p', 't')
end
)lua";

// ARGV: now, expires_at, id, seats csv, ga area ('' for none), ga quantity, ga capacity, '1'
// when the seats are a best-available choice, and the hold's total in cents. The node chose those
// from its mirror, which can't know which holds are due: when holds with seats expire here, the
// script answers them instead of holding, and the node chooses again (with no seats, it only
// expires). Answers {'ok', seq} | {'taken', seat...} | {'short', places left} |
// {'expired', (seq, seats, ga, q)...}.
inline constexpr std::string_view hold = R"lua(
local now = tonumber(ARGV[1])
local _, _, ended = expire_due(now, 100)
local id, seats_csv, ga, q = ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
if ARGV[8] == '1' then
  local freed = seats_csv == ''
  for i = 2, #ended, 4 do freed = freed or ended[i] ~= '' end
  if freed then
    table.insert(ended, 1, 'expired')
    return ended
  end
end
local seats = split(seats_csv)
local taken = {'taken'}
for _, seat in ipairs(seats) do
  if redis.call('HEXISTS', K_SEATS, seat) == 1 then taken[#taken + 1] = seat end
end
if #taken > 1 then return taken end
if ga ~= '' then
  local h = redis.call('HMGET', K_GA, 'h:' .. ga, 's:' .. ga)
  local left = tonumber(ARGV[7]) - tonumber(h[1] or '0') - tonumber(h[2] or '0')
  if left < q then return {'short', tostring(left)} end
  redis.call('HINCRBY', K_GA, 'h:' .. ga, q)
end
for _, seat in ipairs(seats) do redis.call('HSET', K_SEATS, seat, id) end
local k = hold_key(id)
redis.call('HSET', k, 'st', 'held', 'seats', seats_csv, 'ga', ga, 'q', q, 'c', ARGV[1],
           'x', ARGV[2], 'a', 0, 'p', 0, 't', ARGV[9])
redis.call('PEXPIREAT', k, tonumber(ARGV[2]) + ENDED_MS)
redis.call('ZADD', K_EXPIRY, ARGV[2], id)
return {'ok', (emit('held', id, seats_csv, ga, q))}
)lua";

// ARGV: now, id. Answers the hold's fields (st is nil for an unknown hold).
inline constexpr std::string_view find = R"lua(
expire_due(tonumber(ARGV[1]), 100)
return hold_fields(ARGV[2])
)lua";

// ARGV: now, id. Answers {'ok', seq, seats, ga, q} | {'ended', st} | {'busy'} | {'none'}.
inline constexpr std::string_view release = R"lua(
expire_due(tonumber(ARGV[1]), 100)
local id = ARGV[2]
local h = redis.call('HMGET', hold_key(id), 'st', 'seats', 'ga', 'q')
if not h[1] then return {'none'} end
if h[1] == 'checking_out' then return {'busy'} end
if h[1] ~= 'held' then return {'ended', h[1]} end
return {'ok', (end_hold(id, 'released')), h[2], h[3], h[4]}
)lua";

// ARGV: now, id, end of the pin. Pins a held hold; takes over a checkout whose pin ran out
// (its node died), counting it as aborted so the new attempt pays under a key of its own.
// Answers the hold's fields after pinning, or {'busy'}; an unknown or ended hold: its fields.
inline constexpr std::string_view begin_checkout = R"lua(
local now = tonumber(ARGV[1])
expire_due(now, 100)
local id, k = ARGV[2], hold_key(ARGV[2])
local h = redis.call('HMGET', k, 'st', 'p', 'x')
if h[1] == 'checking_out' then
  if tonumber(h[2]) > now then return {'busy'} end
  redis.call('HINCRBY', k, 'a', 1)
elseif h[1] ~= 'held' then
  return hold_fields(id)
end
redis.call('HSET', k, 'st', 'checking_out', 'p', ARGV[3])
redis.call('ZADD', K_EXPIRY, ARGV[3], id)
redis.call('PEXPIREAT', k, math.max(tonumber(ARGV[3]), tonumber(h[3])) + ENDED_MS)
return hold_fields(id)
)lua";

// ARGV: id. The order is stored: the units are sold. Answers {'ok', seq, seats, ga, q} or
// {'done'}. A hold that ended meanwhile (a stale pin settled wrongly, or lost in a failover)
// still has its seats marked sold: the source of truth has sold them.
inline constexpr std::string_view finish_checkout = R"lua(
local id = ARGV[1]
local h = redis.call('HMGET', hold_key(id), 'st', 'seats', 'ga', 'q')
if h[1] == 'checked_out' or not h[1] then return {'done'} end
if h[1] == 'held' or h[1] == 'checking_out' then
  return {'ok', (end_hold(id, 'sold')), h[2], h[3], h[4]}
end
for _, seat in ipairs(split(h[2])) do redis.call('HSET', K_SEATS, seat, 'sold') end
if h[3] ~= '' then redis.call('HINCRBY', K_GA, 's:' .. h[3], tonumber(h[4])) end
redis.call('HSET', hold_key(id), 'st', 'checked_out')
return {'ok', (emit('sold', id, h[2], h[3], h[4])), h[2], h[3], h[4]}
)lua";

// ARGV: now, id, only_stale (1: the sweeper, which must not undo a live checkout). The
// checkout failed: held again, and expired at once if its time has passed. Answers {'ok'}.
inline constexpr std::string_view abort_checkout = R"lua(
local now = tonumber(ARGV[1])
local id, k = ARGV[2], hold_key(ARGV[2])
local h = redis.call('HMGET', k, 'st', 'p', 'x')
if h[1] ~= 'checking_out' then return {'ok'} end
if ARGV[3] == '1' and tonumber(h[2]) > now then return {'ok'} end
redis.call('HSET', k, 'st', 'held', 'p', 0)
redis.call('HINCRBY', k, 'a', 1)
redis.call('ZADD', K_EXPIRY, h[3], id)
expire_due(now, 100)
return {'ok'}
)lua";

// ARGV: now. Answers {expired, live holds left, stale checkout id...}.
inline constexpr std::string_view sweep = R"lua(
local expired, stale = expire_due(tonumber(ARGV[1]), 10000)
local out = {expired, redis.call('ZCARD', K_EXPIRY)}
for _, id in ipairs(stale) do out[#out + 1] = id end
return out
)lua";

// Answers {seq, last stream id, seats hash as a flat list, ga hash as a flat list}: the whole
// state at one sequence number, for a node that (re)builds its mirror.
inline constexpr std::string_view snapshot = R"lua(
local last = redis.call('XREVRANGE', K_CHANGES, '+', '-', 'COUNT', 1)
local last_id = '0-0'
if #last > 0 then last_id = last[1][1] end
return {redis.call('GET', K_SEQ) or '0', last_id, redis.call('HGETALL', K_SEATS),
        redis.call('HGETALL', K_GA)}
)lua";

// Not preceded by the prelude: runs when the event is not loaded yet. ARGV: lowest sequence
// number (epoch << 32), sold seats csv, sold GA as "area:places" csv. Answers 1 if it loaded.
inline constexpr std::string_view load = R"lua(
local K_SEATS, K_GA, K_SEQ, K_LOADED = KEYS[1], KEYS[2], KEYS[4], KEYS[6]
if redis.call('EXISTS', K_LOADED) == 1 then return 0 end
for seat in string.gmatch(ARGV[2], '[^,]+') do redis.call('HSET', K_SEATS, seat, 'sold') end
for area, places in string.gmatch(ARGV[3], '([^,:]+):([^,]+)') do
  redis.call('HSET', K_GA, 's:' .. area, places)
end
if tonumber(redis.call('GET', K_SEQ) or '0') < tonumber(ARGV[1]) then
  redis.call('SET', K_SEQ, ARGV[1])
end
redis.call('SET', K_LOADED, '1')
return 1
)lua";

// Not preceded by the prelude. ARGV: a floor for the sequence number. Answers 1.
inline constexpr std::string_view raise_seq = R"lua(
if tonumber(redis.call('GET', KEYS[4]) or '0') < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[4], ARGV[1])
end
return 1
)lua";

}  // namespace boxoffice::redis::scripts
