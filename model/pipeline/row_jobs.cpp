#include "row_jobs.hpp"

#include <immintrin.h>
#include <omp.h>

#include <chrono>
#include <exception>

namespace qflow {

struct RowJobs::Job {
  enum State { Queued, Running, Done };
  std::function<void()> work;
  std::atomic<int> state{Queued};
  std::exception_ptr error;

  // Runs the job if no one has started it; false if someone has.
  bool run_if_queued() {
    int expected = Queued;
    if (!state.compare_exchange_strong(expected, Running)) return false;
    try {
      work();
    } catch (...) {
      error = std::current_exception();
    }
    state.store(Done, std::memory_order_release);
    return true;
  }
};

RowJobs::RowJobs(int workers) {
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { work_loop(); });
}

RowJobs::~RowJobs() {
  stopping_ = true;
  for (std::thread& t : threads_) t.join();
}

RowJobs::Ticket RowJobs::submit(std::function<void()> work) {
  auto job = std::make_shared<Job>();
  job->work = std::move(work);
  if (threads_.empty()) return job;  // runs when waited for
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.push_back(job);
  queued_.fetch_add(1, std::memory_order_release);
  return job;
}

void RowJobs::wait_for(const Ticket& job) {
  if (!job->run_if_queued())
    while (job->state.load(std::memory_order_acquire) != Job::Done) _mm_pause();  // a row: microseconds
  if (job->error) std::rethrow_exception(job->error);
}

RowJobs::Ticket RowJobs::take_queued() {
  if (queued_.load(std::memory_order_acquire) == 0) return nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  if (queue_.empty()) return nullptr;
  Ticket job = std::move(queue_.front());
  queue_.pop_front();
  queued_.fetch_sub(1, std::memory_order_relaxed);
  return job;
}

void RowJobs::work_loop() {
  omp_set_num_threads(1);  // one thread per row: the rows of different PEs are the parallelism
  auto idle_since = std::chrono::steady_clock::now();
  while (!stopping_) {
    if (Ticket job = take_queued()) {
      job->run_if_queued();
      idle_since = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - idle_since > std::chrono::milliseconds(2)) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));  // between frames: leave the core
    } else {
      _mm_pause();
    }
  }
}

}  // namespace qflow
