// The host threads behind the PEs' rows: every job runs once, whoever waits gets its error, and a
// thread waiting for a job a worker runs takes other queued jobs only by the rule wait_for states.
#include <chrono>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "pipeline/row_jobs.hpp"

namespace qflow {
namespace {

using namespace std::chrono_literals;

// Spins until `flag` is set or five seconds pass; false on time-out (the test then fails, not hangs).
bool await(const std::atomic<bool>& flag) {
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (!flag.load())
    if (std::chrono::steady_clock::now() > give_up) return false;
  return true;
}

TEST(RowJobs, EveryJobRunsOnceWithAndWithoutWorkers) {
  for (const int workers : {0, 1, 2}) {
    RowJobs jobs(workers);
    RowJobs::Cost cost;
    std::vector<std::atomic<int>> runs(200);
    std::vector<RowJobs::Ticket> tickets;
    for (auto& r : runs) tickets.push_back(jobs.submit([&r] { ++r; }, &cost));
    for (const auto& t : tickets) RowJobs::wait_for(t);
    for (size_t i = 0; i < runs.size(); ++i) ASSERT_EQ(runs[i].load(), 1) << "job " << i << ", workers " << workers;
    EXPECT_GT(cost.expected_ns(), 0);
  }
}

TEST(RowJobs, TheWaiterGetsTheJobsError) {
  for (const int workers : {0, 1}) {
    RowJobs jobs(workers);
    RowJobs::Cost cost;
    const RowJobs::Ticket failing = jobs.submit([] { throw std::runtime_error("row 3 failed"); }, &cost);
    try {
      RowJobs::wait_for(failing);
      ADD_FAILURE() << "no error, workers " << workers;
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "row 3 failed");
    }
  }
}

// While the worker runs `held` (which ends once the short job has run), the waiting thread must run
// the short queued job, and must leave the long one, expected to outlast `held`, to the worker.
TEST(RowJobs, AWaitingThreadRunsTheQueuedJobsThatFitAndLeavesTheRest) {
  RowJobs jobs(1);
  RowJobs::Cost long_rows, short_rows;
  long_rows.learn(std::chrono::nanoseconds(10s).count());
  short_rows.learn(1000);
  std::atomic<bool> held_started{false}, short_ran{false}, long_ran{false}, long_ran_while_held{false};
  std::thread::id short_thread, long_thread;
  const RowJobs::Ticket held = jobs.submit([&] {
    held_started = true;
    EXPECT_TRUE(await(short_ran)) << "the waiting thread never ran the short job";
    std::this_thread::sleep_for(50ms);  // time enough to take the long job, were that allowed
    long_ran_while_held = long_ran.load();
  }, &long_rows);
  ASSERT_TRUE(await(held_started));  // the worker has it: the next two stay queued
  const RowJobs::Ticket long_job = jobs.submit([&] {
    long_thread = std::this_thread::get_id();
    long_ran = true;
  }, &long_rows);
  const RowJobs::Ticket short_job = jobs.submit([&] {
    short_thread = std::this_thread::get_id();
    short_ran = true;
  }, &short_rows);
  RowJobs::wait_for(held);
  EXPECT_EQ(short_thread, std::this_thread::get_id());
  EXPECT_FALSE(long_ran_while_held) << "the waiting thread ran a job expected to outlast the one it waited for";
  RowJobs::wait_for(long_job);
  RowJobs::wait_for(short_job);
}

}  // namespace
}  // namespace qflow
