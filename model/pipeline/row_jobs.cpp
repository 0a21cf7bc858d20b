#include "row_jobs.hpp"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

#include <fmt/format.h>

#include "model_error.hpp"

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
  enum State { Deferred, Queued, Running, Done };
  std::function<void()> work;
  Cost* cost = nullptr;  // null for a deferred job
  RowJobs* owner = nullptr;
  int unit = -1;                // a deferred job's unit
  std::vector<Ticket> inputs;   // the jobs a deferred job runs after
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
    if (cost) cost->learn(now_ns() - start);
    work = nullptr;  // what it held (its row among them) goes now
    inputs.clear();
    state.store(Done, std::memory_order_release);
    return true;
  }
  bool done() const { return state.load(std::memory_order_acquire) == Done; }
  // How long the job is still expected to run.
  int64_t remaining_ns() const { return cost->expected_ns() - (now_ns() - started_ns.load(std::memory_order_relaxed)); }
};

RowJobs::RowJobs(int workers) {
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { work_loop(); });
}

RowJobs::~RowJobs() {
  drop_deferred();
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
  if (job->unit >= 0) {  // deferred: it runs in its unit's order, with the rest
    if (!job->done()) job->owner->run_deferred();
  } else if (!job->run_if_queued())
    while (job->state.load(std::memory_order_acquire) != Job::Done) {
      if (Ticket other = job->owner->take_while_waiting(*job))
        other->run_if_queued();
      else
        _mm_pause();
    }
  if (job->error) std::rethrow_exception(job->error);
}

RowJobs::Ticket RowJobs::defer(std::function<void()> work, int unit, std::vector<Ticket> inputs) {
  auto job = std::make_shared<Job>();
  job->state = Job::Deferred;
  job->work = std::move(work);
  job->owner = this;
  job->unit = unit;
  std::lock_guard<std::mutex> lock(deferred_.mutex);
  for (Ticket& input : inputs) {
    if (!input || input->done()) continue;
    if (input->state == Job::Deferred && input->unit >= unit)
      throw SimulationError(fmt::format("a row of unit {} deferred after one of unit {}, which it reads: units must be "
                                        "numbered in dataflow order", unit, input->unit));
    job->inputs.push_back(std::move(input));
  }
  if (size_t(unit) >= deferred_.units.size()) {
    deferred_.units.resize(size_t(unit) + 1);
    deferred_.running.resize(size_t(unit) + 1, 0);
  }
  deferred_.units[size_t(unit)].push_back(job);
  ++deferred_.left;
  ++deferred_.unfinished;
  return job;
}

// A deferred job whose inputs are done: the next of the unit `last` if it has one, else the first of
// the lowest unit that no other thread is running, else of the lowest unit (the lowest unit with jobs
// left always has one once the jobs running now are done, so every job runs). Null if none is ready.
// Under the lock.
RowJobs::Ticket RowJobs::Deferred::take(size_t& last) {
  const auto ready = [&](size_t u) {
    if (units[u].empty()) return false;
    const std::vector<Ticket>& inputs = units[u].front()->inputs;
    return std::all_of(inputs.begin(), inputs.end(), [](const Ticket& in) { return in->done(); });
  };
  const auto lowest = [&](bool alone) {
    size_t u = 0;
    while (u < units.size() && !(ready(u) && (!alone || running[u] == 0))) ++u;
    return u;
  };
  size_t unit = last;
  if (unit >= units.size() || !ready(unit)) unit = lowest(true);
  if (unit == units.size()) unit = lowest(false);
  if (unit == units.size()) return nullptr;
  Ticket job = std::move(units[unit].front());
  units[unit].pop_front();
  ++running[unit];
  --left;
  last = unit;
  job->state = Job::Queued;
  return job;
}

bool RowJobs::run_one_deferred(size_t& last) {
  if (deferred_.left.load(std::memory_order_acquire) == 0) return false;  // a worker's usual case: no lock
  Ticket job;
  {
    std::lock_guard<std::mutex> lock(deferred_.mutex);
    job = deferred_.take(last);
  }
  if (!job) return false;
  job->run_if_queued();
  std::lock_guard<std::mutex> lock(deferred_.mutex);
  --deferred_.running[size_t(job->unit)];
  --deferred_.unfinished;
  if (job->error && !deferred_.error) deferred_.error = job->error;
  return true;
}

void RowJobs::run_deferred() {
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);  // one thread per row, as on the workers
  size_t last = SIZE_MAX;
  while (deferred_.unfinished.load(std::memory_order_acquire) > 0)
    if (!run_one_deferred(last)) _mm_pause();
  omp_set_num_threads(threads);
  std::lock_guard<std::mutex> lock(deferred_.mutex);
  if (std::exception_ptr error = std::exchange(deferred_.error, nullptr)) std::rethrow_exception(error);
}

void RowJobs::drop_deferred() {
  std::lock_guard<std::mutex> lock(deferred_.mutex);
  for (auto& unit : deferred_.units) {
    deferred_.unfinished -= unit.size();
    for (const Ticket& job : unit) {
      job->work = nullptr;
      job->inputs.clear();
    }
    unit.clear();
  }
  deferred_.left = 0;
  deferred_.error = nullptr;
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
  size_t last = SIZE_MAX;  // the unit of the deferred job it ran last
  while (!stopping_) {
    if (Ticket job = take_oldest()) {
      job->run_if_queued();
      idle_since = std::chrono::steady_clock::now();
    } else if (run_one_deferred(last)) {
      idle_since = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - idle_since > std::chrono::milliseconds(2)) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));  // between frames: leave the core
    } else {
      _mm_pause();
    }
  }
}

}  // namespace qflow
