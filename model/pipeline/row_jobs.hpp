// Host threads for the units' row computations. SystemC simulates on one thread; a unit's row,
// once the rows of its window are known, depends on nothing the simulation does, and its timing
// does not depend on its codes. So rows are computed in one of two ways:
// - submitted: handed to a worker at once, while the simulation goes on (a co-simulated PE's RTL);
//   whoever needs it waits for it, running queued jobs meanwhile (see wait_for);
// - deferred: recorded with the jobs computing its inputs. The workers run deferred rows whenever
//   they have nothing else to do, a unit's rows one after the other while its weights are in the
//   caches (the simulation runs ahead and leaves them a backlog); whoever reads a row's codes
//   first (a DMA write, a co-simulated PE, an upset, the frame's end) runs the rest with them
//   (run_deferred). Computed as the pipeline interleaves them, every row would fetch its PE's
//   weights again: the full-width network's 32 MB of weights fill a 32 MB L3. A unit's rows start
//   in order, and threads idle otherwise take further rows of the same unit beside them (its work
//   must allow that: a PE gives each thread its own kernel and strip), so the last layers, whose
//   rows each wait for the one before, do not leave all threads but one idle.
// Results do not depend on which thread ran a row, or when.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <exception>
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
  // A row of `unit` (units numbered in dataflow order: a unit's inputs come from lower ones), run
  // after `inputs` (null: already computed), started after the unit's earlier deferred rows (perhaps
  // beside them). Only the simulation thread defers jobs.
  Ticket defer(std::function<void()> work, int unit, std::vector<Ticket> inputs);
  // Returns once every deferred job has run, running them here too; rethrows the first exception
  // a deferred job threw since the last call.
  void run_deferred();
  // Forgets the deferred jobs (a frame stopped before its end): they never run.
  void drop_deferred();
  // Returns once the job has run (here, if no worker had started it; every deferred job, if it was
  // deferred); rethrows its exception. While a worker runs it, this thread runs queued jobs: the
  // shortest, if it is expected to end first or if another job is queued for the worker (rows take
  // tens to hundreds of microseconds).
  static void wait_for(const Ticket& job);

 private:
  void work_loop();
  Ticket take_oldest();  // for a worker; null if none is queued
  Ticket take_while_waiting(const Job& awaited);  // for a thread waiting for `awaited`; null if none should run
  Ticket pop(std::deque<Ticket>::iterator at);  // under the lock
  // Runs one deferred job whose inputs are done, if there is one (see Deferred::take); `last`: the
  // unit of the one this thread ran last.
  bool run_one_deferred(size_t& last);

  std::mutex mutex_;
  std::deque<Ticket> queue_;
  std::atomic<int> queued_{0};
  std::atomic<bool> stopping_{false};
  struct Deferred {
    std::mutex mutex;
    std::vector<std::deque<Ticket>> units;  // per unit, in the order deferred: not yet taken
    std::vector<int> running;               // per unit: how many of its jobs run now
    // Not yet taken; not yet done. Changed under the lock, read without it: a spinning thread
    // takes the lock only when there is something to take or to wait for.
    std::atomic<size_t> left{0}, unfinished{0};
    std::exception_ptr error;               // the first a job threw, for run_deferred
    Ticket take(size_t& last);
  } deferred_;
  std::vector<std::thread> threads_;
};

}  // namespace qflow
