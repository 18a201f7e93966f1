// The Lua script of cluster mode's rate limits (stores/redis/rate_limiter.hpp): one request
// against one bucket, by the GCRA of core/rate_limit.hpp (written twice on purpose: that is
// the in-process form, this the shared one; tests/stores/rate_limiter_contract_test.cpp holds
// both to one contract).
//
// Time is the Redis server's own (TIME, in µs), not the node's: nodes whose clocks disagree
// still share one bucket, and a node never has to be trusted with time. (Redis 7 replicates a
// script's effects, not the script, so reading TIME before a write is allowed.)
//
// KEYS[1] the bucket, a string holding its TAT in µs, which expires when the bucket is full
// again (so idle clients leave nothing behind). ARGV[1] interval_us, ARGV[2] burst.
// Answers 0 when the request may go (and counts it), else the µs to wait (and changes nothing).
// Every number stays below 2^53, so a Lua number (a double) holds it exactly; it is written
// with %d, as Lua would print a large number in exponent form.
#pragma once

#include <string_view>

namespace boxoffice::redis::rate_limit_script {

inline constexpr std::string_view take = R"lua(
local interval, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or 0)
if tat < now then tat = now end
local wait = tat - now - (burst - 1) * interval
if wait > 0 then return wait end
tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', tat), 'PX',
           string.format('%d', math.ceil((tat - now) / 1000)))
return 0
)lua";

}  // namespace boxoffice::redis::rate_limit_script
