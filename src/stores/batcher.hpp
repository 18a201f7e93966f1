// Batching, for group commit (the SQLite and PostgreSQL stores of orders): many callers each
// have one request for the database (a write to make durable, a lookup); rather than one round
// trip (and for a write one transaction and one WAL flush) each, the requests of concurrent
// callers are gathered into batches and a batch is sent at once.
//
// A batcher has one thread of its own. Callers queue their requests; the thread takes up to
// `batch_max` of them, runs them as one batch, answers each, and takes the next batch. So
// under light load a request goes alone at once (nothing waits for a batch to fill), and under
// heavy load a batch holds everything that arrived during the previous one's round trip. A
// batch starts after each of its requests was submitted, so it sees every write that was
// answered before.
//
// A coroutine awaiting its request holds no thread meanwhile and is resumed on its own
// executor: the server's event loops go on serving, and a request costs no hand-off to a pool
// thread and back (those hand-offs, two context switches each, were most of a checkout's CPU
// time when callers blocked in a thread pool). Blocking callers (tests, start-up) have
// submit_and_wait.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "core/check.hpp"

namespace boxoffice {

template <class Request>
class Batcher {
 public:
  // Answers every request of the batch (the requests' own fields carry the answers). Runs on
  // the batcher's thread, one batch at a time.
  using Run = std::function<void(const std::vector<Request*>& batch)>;

  Batcher(std::size_t batch_max, Run run) : batch_max_(batch_max), run_(std::move(run)) {
    BOXOFFICE_CHECK(batch_max_ > 0);
    thread_ = std::thread([this] { work(); });
  }
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;
  ~Batcher() { stop(); }

  // Completes once `request` has been run (as part of some batch) and answered, or stop()
  // gave up on it. `request` must live until then.
  boost::asio::awaitable<void> submit(Request& request) {
    // Named, not a temporary in the co_await: g++ 12 destroys such temporaries twice.
    auto queue = [this, &request](Resume resume) { enqueue({&request, std::move(resume)}); };
    co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void()>(
        queue, boost::asio::use_awaitable);
  }

  // The same, blocking the calling thread.
  void submit_and_wait(Request& request) {
    std::promise<void> answered;
    enqueue({&request, {}, &answered});
    answered.get_future().wait();
  }

  // Finishes the batch running, answers the requests still queued without running them (they
  // keep the answers they were made with), and ends the thread; later submissions are
  // answered at once, unrun. For shutdown, while the event loops of awaiting coroutines are
  // still there to take their answers.
  void stop() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    queued_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  // What resumes a coroutine awaiting submit().
  using Resume = boost::asio::async_result<boost::asio::use_awaitable_t<>, void()>::handler_type;

  struct Waiting {
    Request* request;
    std::optional<Resume> resume;            // an awaiting coroutine's, or
    std::promise<void>* answered = nullptr;  // a blocked thread's
  };

  void enqueue(Waiting waiting) {
    std::unique_lock lock(mutex_);
    if (stopping_) {
      lock.unlock();
      answer(std::move(waiting));
      return;
    }
    queue_.push_back(std::move(waiting));
    lock.unlock();
    queued_.notify_one();
  }

  // Resumes the coroutine on its own executor (never here), or wakes the thread.
  static void answer(Waiting waiting) {
    if (waiting.answered != nullptr) {
      waiting.answered->set_value();
    } else {
      boost::asio::post(std::move(*waiting.resume));
    }
  }

  void work() {
    std::vector<Waiting> batch;
    std::vector<Request*> requests;
    std::unique_lock lock(mutex_);
    for (;;) {
      queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and all answered
      while (!queue_.empty() && batch.size() < batch_max_) {
        requests.push_back(queue_.front().request);
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      const bool run = !stopping_;
      lock.unlock();
      if (run) run_(requests);
      for (Waiting& waiting : batch) answer(std::move(waiting));
      batch.clear();
      requests.clear();
      lock.lock();
    }
  }

  const std::size_t batch_max_;
  const Run run_;
  std::mutex mutex_;
  std::condition_variable queued_;
  std::deque<Waiting> queue_;  // not yet taken into a batch, oldest first
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the rest is made
};

}  // namespace boxoffice
