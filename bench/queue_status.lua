-- wrk script: poll GET <BENCH_STATUS_PATH>?token=<t> with the queue tokens of the file
-- BENCH_TOKENS (one per line) in turn, each thread from its own place in the list. nginx
-- ignores the query of a static file, so the same script drives both sides.
local path = os.getenv("BENCH_STATUS_PATH")
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local threads = 0

function setup(thread)
  thread:set("first", threads * 97)
  threads = threads + 1
end

function init(args)
  next_token = first
end

function request()
  next_token = next_token % #tokens + 1
  return wrk.format("GET", path .. "?token=" .. tokens[next_token])
end
