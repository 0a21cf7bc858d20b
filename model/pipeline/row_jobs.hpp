// Host threads for the PEs' row computations. SystemC simulates on one thread; a conv PE's row,
// once its window is in the strip, depends on nothing the simulation does until a consumer reads
// it, so it is handed to a worker meanwhile and rows of different PEs compute at once, each on one
// thread (a row split over threads loses 30 to 40 %, see README). Whoever needs the row first (a
// consumer's line buffer, the PE's next row, the probe) waits for it, running it itself if no
// worker has taken it yet. Results do not depend on which thread ran a row.
#pragma once

#include <atomic>
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

  Ticket submit(std::function<void()> work);
  // Returns once the job has run (here, if no worker had started it); rethrows its exception.
  static void wait_for(const Ticket& job);

 private:
  void work_loop();
  Ticket take_queued();  // the oldest job not yet taken, or null

  std::mutex mutex_;
  std::deque<Ticket> queue_;
  std::atomic<int> queued_{0};
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

}  // namespace qflow
