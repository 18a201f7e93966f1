// The leader/follower batcher of the PostgreSQL store's group commit, with a fake database.
#include "stores/postgres/batcher.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <thread>
#include <vector>

namespace boxoffice::postgres {
namespace {

struct Request {
  int value = 0;
  int answer = 0;
  int times_run = 0;
};

TEST(Batcher, AloneARequestRunsAtOnce) {
  std::vector<std::size_t> sizes;
  Batcher<Request> commits(8, 1, [&](const std::vector<Request*>& batch) {
    sizes.push_back(batch.size());
    for (Request* request : batch) request->answer = request->value * 2;
  });
  Request request{.value = 21};
  commits.submit(request);
  EXPECT_EQ(request.answer, 42);
  EXPECT_EQ(sizes, std::vector<std::size_t>{1});
}

// Many threads at once, a commit that takes a while: every request is run exactly once and
// answered before submit returns, batches respect both bounds, and they do gather requests.
TEST(Batcher, ConcurrentRequestsAreGatheredWithinTheBounds) {
  constexpr std::size_t batch_max = 8;
  constexpr std::size_t in_flight_max = 2;
  constexpr int threads_count = 64;
  constexpr int rounds = 5;
  std::atomic<int> in_flight = 0;
  std::atomic<int> in_flight_seen_max = 0;
  std::atomic<std::size_t> batch_seen_max = 0;
  std::atomic<int> batches = 0;
  Batcher<Request> commits(batch_max, in_flight_max, [&](const std::vector<Request*>& batch) {
    const int now = ++in_flight;
    for (int seen = in_flight_seen_max; now > seen && !in_flight_seen_max.compare_exchange_weak(seen, now);) {
    }
    for (std::size_t seen = batch_seen_max; batch.size() > seen &&
                                            !batch_seen_max.compare_exchange_weak(seen, batch.size());) {
    }
    ++batches;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a round trip and a flush
    for (Request* request : batch) {
      request->answer = request->value + 1;
      ++request->times_run;
    }
    --in_flight;
  });

  std::latch start(threads_count);
  std::atomic<int> wrong = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < threads_count; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int round = 0; round < rounds; ++round) {
        Request request{.value = t * 100 + round};
        commits.submit(request);
        if (request.answer != request.value + 1 || request.times_run != 1) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(batch_seen_max.load(), batch_max);
  EXPECT_LE(in_flight_seen_max.load(), static_cast<int>(in_flight_max));
  EXPECT_GT(batch_seen_max.load(), 1u);
  EXPECT_LT(batches.load(), threads_count * rounds);
}

}  // namespace
}  // namespace boxoffice::postgres
