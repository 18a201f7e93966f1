// Leader/follower batching, for group commit: many threads each have one request for the
// database (a write to make durable, a lookup); rather than one round trip (and for a write
// one transaction and one WAL flush) each, the requests of concurrent callers are gathered
// into batches and a batch is sent at once. No thread of its own:
//
//   - a caller queues its request; if fewer than `in_flight_max` batches are running, the
//     caller becomes a leader: it takes up to `batch_max` queued requests (its own among them
//     when the queue is short), runs the batch without the lock, answers every request of it,
//     and wakes the first still-queued caller to lead the next batch;
//   - a caller that arrives while the batches in flight are at the limit waits, and joins the
//     batch that the next free leader takes.
//
// So under light load a request goes alone at once (no added latency: nothing waits for a
// batch to fill), and under heavy load a batch holds everything that arrived during the
// previous one's round trip. A batch starts after each of its requests was submitted, so it
// sees every write that was answered before. submit() returns only once `run` has answered
// the request. Thread-safe; `run` is called from the submitting threads, never two calls with
// one request.
#pragma once

#include <cassert>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace boxoffice::postgres {

template <class Request>
class Batcher {
 public:
  // Answers every request of the batch (the requests' own fields carry the answers).
  using Run = std::function<void(const std::vector<Request*>& batch)>;

  Batcher(std::size_t batch_max, std::size_t in_flight_max, Run run)
      : batch_max_(batch_max), in_flight_max_(in_flight_max), run_(std::move(run)) {
    assert(batch_max_ > 0 && in_flight_max_ > 0);
  }

  // Returns once `request` has been run (as part of some batch) and answered.
  void submit(Request& request) {
    Waiter me{&request};
    std::unique_lock lock(mutex_);
    queue_.push_back(&me);
    while (!me.answered) {
      if (in_flight_ < in_flight_max_ && !queue_.empty()) {
        lead(lock);
      } else {
        me.woken.wait(lock);
      }
    }
  }

 private:
  struct Waiter {
    Request* request;
    bool answered = false;
    std::condition_variable woken;
  };

  // Runs one batch of the queue's first requests, then hands leadership on. Called and
  // returns with the lock held.
  void lead(std::unique_lock<std::mutex>& lock) {
    std::vector<Waiter*> waiters;
    std::vector<Request*> batch;
    while (!queue_.empty() && batch.size() < batch_max_) {
      waiters.push_back(queue_.front());
      batch.push_back(queue_.front()->request);
      queue_.pop_front();
    }
    ++in_flight_;
    lock.unlock();
    run_(batch);
    lock.lock();
    --in_flight_;
    // Notified under the lock: a waiter can't return (and destroy its condition variable)
    // before we are done with it.
    for (Waiter* waiter : waiters) {
      waiter->answered = true;
      waiter->woken.notify_one();
    }
    if (!queue_.empty()) queue_.front()->woken.notify_one();  // the next leader
  }

  const std::size_t batch_max_;
  const std::size_t in_flight_max_;
  const Run run_;
  std::mutex mutex_;
  std::deque<Waiter*> queue_;  // not yet taken into a batch, oldest first
  std::size_t in_flight_ = 0;
};

}  // namespace boxoffice::postgres
