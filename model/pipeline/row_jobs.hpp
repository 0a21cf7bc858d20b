// Host threads for the PEs' row computations. SystemC simulates on one thread; a conv PE's row,
// once its window is in the strip, depends on nothing the simulation does until a consumer reads
// it, so it is handed to a worker meanwhile and rows of different PEs compute at once, each on one
// thread (a row split over threads loses 30 to 40 %, see README). Whoever needs the row first (a
// consumer's line buffer, the PE's next row, the probe) waits for it, running it itself if no
// worker has taken it yet, and other queued rows while a worker runs it (see wait_for). Results do
// not depend on which thread ran a row.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace qflow {

class RowJobs {
 public:
  struct Job;
  using Ticket = std::shared_ptr<Job>;

  // `workers` threads besides the simulation's (0: every job runs when first waited for).
  explicit RowJobs(int workers);
  ~RowJobs();  // jobs not started by then never run
  RowJobs(const RowJobs&) = delete;
  RowJobs& operator=(const RowJobs&) = delete;

  // How long one kind of job takes (a PE's rows), learned from the jobs that ran: it only guides
  // what a waiting thread runs, so a learn() lost to a race does no harm.
  class Cost {
   public:
    int64_t expected_ns() const { return ns_.load(std::memory_order_relaxed); }
    void learn(int64_t ns);

   private:
    std::atomic<int64_t> ns_{0};
  };

  // `cost`: the job's kind, outliving the job.
  Ticket submit(std::function<void()> work, Cost* cost);
  // Returns once the job has run (here, if no worker had started it); rethrows its exception.
  // While a worker runs it, this thread runs queued jobs: the shortest, if it is expected to end
  // first or if another job is queued for the worker (rows take tens to hundreds of microseconds).
  static void wait_for(const Ticket& job);

 private:
  void work_loop();
  Ticket take_oldest();  // for a worker; null if none is queued
  Ticket take_while_waiting(const Job& awaited);  // for a thread waiting for `awaited`; null if none should run
  Ticket pop(std::deque<Ticket>::iterator at);  // under the lock

  std::mutex mutex_;
  std::deque<Ticket> queue_;
  std::atomic<int> queued_{0};
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

}  // namespace qflow
