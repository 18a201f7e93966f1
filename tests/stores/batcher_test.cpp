// The batcher of the PostgreSQL store's group commit, with a fake database: blocking callers,
// and coroutines awaiting from event loops of their own.
#include "stores/batcher.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
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
  std::thread::id answered_on;  // the thread the caller resumed on
};

// Counts batches and the largest one; each takes a while, as a round trip and a flush would.
struct FakeDatabase {
  std::atomic<int> batches = 0;
  std::atomic<std::size_t> batch_seen_max = 0;
  std::atomic<int> in_flight = 0;
  std::atomic<int> in_flight_seen_max = 0;

  void run(const std::vector<Request*>& batch) {
    const int now = ++in_flight;
    if (now > in_flight_seen_max) in_flight_seen_max = now;
    if (batch.size() > batch_seen_max) batch_seen_max = batch.size();
    ++batches;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    for (Request* request : batch) {
      request->answer = request->value + 1;
      ++request->times_run;
    }
    --in_flight;
  }
};

TEST(Batcher, AloneARequestRunsAtOnce) {
  std::vector<std::size_t> sizes;
  Batcher<Request> commits(8, [&](const std::vector<Request*>& batch) {
    sizes.push_back(batch.size());
    for (Request* request : batch) request->answer = request->value * 2;
  });
  Request request{.value = 21};
  commits.submit_and_wait(request);
  EXPECT_EQ(request.answer, 42);
  EXPECT_EQ(sizes, std::vector<std::size_t>{1});
}

// Many threads at once: every request is run exactly once and answered before
// submit_and_wait returns, one batch runs at a time, batches stay within the bound, and they
// do gather requests.
TEST(Batcher, ConcurrentBlockingRequestsAreGatheredWithinTheBound) {
  constexpr std::size_t batch_max = 8;
  constexpr int threads_count = 64;
  constexpr int rounds = 5;
  FakeDatabase database;
  Batcher<Request> commits(batch_max, [&](const auto& batch) { database.run(batch); });

  std::latch start(threads_count);
  std::atomic<int> wrong = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < threads_count; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int round = 0; round < rounds; ++round) {
        Request request{.value = t * 100 + round};
        commits.submit_and_wait(request);
        if (request.answer != request.value + 1 || request.times_run != 1) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(database.batch_seen_max.load(), batch_max);
  EXPECT_EQ(database.in_flight_seen_max.load(), 1);
  EXPECT_GT(database.batch_seen_max.load(), 1u);
  EXPECT_LT(database.batches.load(), threads_count * rounds);
}

// Coroutines on two event loops, each loop on one thread: every request is answered once,
// and each coroutine resumes on its own loop's thread, never on the batcher's.
TEST(Batcher, AwaitingCoroutinesResumeOnTheirOwnEventLoops) {
  constexpr int per_loop = 200;
  FakeDatabase database;
  Batcher<Request> commits(16, [&](const auto& batch) { database.run(batch); });
  std::vector<Request> requests(2 * per_loop);
  boost::asio::io_context loops[2];
  for (int loop = 0; loop < 2; ++loop) {
    for (int i = 0; i < per_loop; ++i) {
      Request& request = requests[static_cast<std::size_t>(loop * per_loop + i)];
      request.value = loop * per_loop + i;
      auto await = [&commits, &request]() -> boost::asio::awaitable<void> {
        co_await commits.submit(request);
        request.answered_on = std::this_thread::get_id();
      };
      boost::asio::co_spawn(loops[loop], await, boost::asio::detached);
    }
  }
  std::thread::id loop_threads[2];
  std::thread runners[2];
  for (int loop = 0; loop < 2; ++loop) {
    runners[loop] = std::thread([&, loop] {
      loop_threads[loop] = std::this_thread::get_id();
      loops[loop].run();  // returns once every coroutine of the loop is done
    });
  }
  for (auto& runner : runners) runner.join();
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const Request& request = requests[i];
    EXPECT_EQ(request.answer, request.value + 1) << i;
    EXPECT_EQ(request.times_run, 1) << i;
    EXPECT_EQ(request.answered_on, loop_threads[i / per_loop]) << i;
  }
  EXPECT_LT(database.batches.load(), 2 * per_loop);  // gathered
}

// At shutdown: what is queued is answered unrun, and later submissions at once.
TEST(Batcher, StopAnswersWhatIsQueuedWithoutRunningIt) {
  std::latch running(1);
  std::latch go_on(1);
  Batcher<Request> commits(1, [&](const std::vector<Request*>& batch) {
    running.count_down();
    go_on.wait();
    for (Request* request : batch) ++request->times_run;
  });
  Request first;
  Request queued;
  std::thread submitter_first([&] { commits.submit_and_wait(first); });
  running.wait();  // the first is in its batch
  std::thread submitter_queued([&] { commits.submit_and_wait(queued); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the second is queued
  std::thread stopper([&] { commits.stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  go_on.count_down();
  stopper.join();
  submitter_first.join();
  submitter_queued.join();
  EXPECT_EQ(first.times_run, 1);   // the batch running was finished
  EXPECT_EQ(queued.times_run, 0);  // answered unrun
  Request late;
  commits.submit_and_wait(late);  // returns at once
  EXPECT_EQ(late.times_run, 0);
}

}  // namespace
}  // namespace boxoffice::postgres
