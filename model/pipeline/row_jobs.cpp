#include "row_jobs.hpp"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <exception>

namespace qflow {

namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void RowJobs::Cost::learn(int64_t ns) {
  const int64_t old = expected_ns();
  ns_.store(old == 0 ? ns : (3 * old + ns) / 4, std::memory_order_relaxed);  // follows a PE's rows as they change
}

struct RowJobs::Job {
  enum State { Queued, Running, Done };
  std::function<void()> work;
  Cost* cost = nullptr;
  RowJobs* owner = nullptr;
  std::atomic<int> state{Queued};
  std::atomic<int64_t> started_ns{0};
  std::exception_ptr error;

  // Runs the job if no one has started it; false if someone has.
  bool run_if_queued() {
    int expected = Queued;
    if (!state.compare_exchange_strong(expected, Running)) return false;
    const int64_t start = now_ns();
    started_ns.store(start, std::memory_order_relaxed);
    try {
      work();
    } catch (...) {
      error = std::current_exception();
    }
    cost->learn(now_ns() - start);
    state.store(Done, std::memory_order_release);
    return true;
  }
  // How long the job is still expected to run.
  int64_t remaining_ns() const { return cost->expected_ns() - (now_ns() - started_ns.load(std::memory_order_relaxed)); }
};

RowJobs::RowJobs(int workers) {
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { work_loop(); });
}

RowJobs::~RowJobs() {
  stopping_ = true;
  for (std::thread& t : threads_) t.join();
}

RowJobs::Ticket RowJobs::submit(std::function<void()> work, Cost* cost) {
  auto job = std::make_shared<Job>();
  job->work = std::move(work);
  job->cost = cost;
  job->owner = this;
  if (threads_.empty()) return job;  // runs when waited for
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.push_back(job);
  queued_.fetch_add(1, std::memory_order_release);
  return job;
}

void RowJobs::wait_for(const Ticket& job) {
  if (!job->run_if_queued())
    while (job->state.load(std::memory_order_acquire) != Job::Done) {
      if (Ticket other = job->owner->take_while_waiting(*job))
        other->run_if_queued();
      else
        _mm_pause();
    }
  if (job->error) std::rethrow_exception(job->error);
}

RowJobs::Ticket RowJobs::take_oldest() {
  if (queued_.load(std::memory_order_acquire) == 0) return nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  return pop(queue_.begin());
}

RowJobs::Ticket RowJobs::take_while_waiting(const Job& awaited) {
  if (queued_.load(std::memory_order_acquire) == 0) return nullptr;  // the spin's usual case: no clock read
  std::lock_guard<std::mutex> lock(mutex_);
  const auto shortest = std::min_element(queue_.begin(), queue_.end(), [](const Ticket& a, const Ticket& b) {
    return a->cost->expected_ns() < b->cost->expected_ns();
  });
  // Another queued job keeps the worker busy even if this one outlasts the awaited one.
  if (queue_.size() >= 2 ||
      (shortest != queue_.end() && (*shortest)->cost->expected_ns() < awaited.remaining_ns()))
    return pop(shortest);
  return nullptr;
}

RowJobs::Ticket RowJobs::pop(std::deque<Ticket>::iterator at) {
  if (at == queue_.end()) return nullptr;
  Ticket job = std::move(*at);
  queue_.erase(at);
  queued_.fetch_sub(1, std::memory_order_relaxed);
  return job;
}

void RowJobs::work_loop() {
  omp_set_num_threads(1);  // one thread per row: the rows of different PEs are the parallelism
  auto idle_since = std::chrono::steady_clock::now();
  while (!stopping_) {
    if (Ticket job = take_oldest()) {
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
