-- wrk script: join the waiting room at BENCH_QUEUE_PATH (a POST without a body). wrk reports
-- any answer that is not a 201 among its "Non-2xx" responses.
local path = os.getenv("BENCH_QUEUE_PATH")

function request()
  return wrk.format("POST", path)
end
