// The host threads behind the PEs' rows: every job runs once, whoever waits gets its error, and a
// thread waiting for a job a worker runs takes other queued jobs only by the rule wait_for states.
// Deferred jobs run only when asked for, and after their inputs.
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

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

// A pipeline of three units, each row reading the two rows above it in the unit before: every
// row runs once, and only after its inputs. Rows of one unit may run beside each other.
TEST(RowJobs, DeferredJobsRunOnceWhenAskedAndAfterTheirInputs) {
  for (const int workers : {0, 1, 3}) {
    RowJobs jobs(workers);
    constexpr int kUnits = 3, kRows = 40;
    std::atomic<bool> early{false};
    std::vector<std::vector<RowJobs::Ticket>> tickets(kUnits);
    std::vector<std::vector<std::atomic<int>>> runs(kUnits);
    for (auto& unit : runs) unit = std::vector<std::atomic<int>>(kRows);
    for (int y = 0; y < kRows; ++y)
      for (int u = 0; u < kUnits; ++u) {
        std::vector<RowJobs::Ticket> inputs;
        if (u > 0) inputs = {tickets[u - 1][size_t(y)], y > 0 ? tickets[u - 1][size_t(y - 1)] : nullptr};
        tickets[u].push_back(jobs.defer([&, u, y] {
          if (u > 0 && (runs[u - 1][size_t(y)] == 0 || (y > 0 && runs[u - 1][size_t(y - 1)] == 0))) early = true;
          std::this_thread::sleep_for(10us);
          ++runs[u][size_t(y)];
        }, u, inputs));
      }
    if (workers == 0) {
      EXPECT_EQ(runs[0][0], 0) << "a deferred job ran before it was asked for";
    }
    RowJobs::wait_for(tickets[1][5]);  // runs every deferred job
    for (int u = 0; u < kUnits; ++u)
      for (int y = 0; y < kRows; ++y) ASSERT_EQ(runs[u][size_t(y)], 1) << "unit " << u << " row " << y;
    EXPECT_FALSE(early) << "a job ran before its inputs, workers " << workers;
  }
}

TEST(RowJobs, ADeferredJobsErrorReachesWhoeverRunsThemAndDroppedJobsNeverRun) {
  for (const int workers : {0, 1}) {
    RowJobs jobs(workers);
    jobs.defer([] { throw std::runtime_error("row 7 failed"); }, 0, {});
    try {
      jobs.run_deferred();
      ADD_FAILURE() << "no error, workers " << workers;
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "row 7 failed");
    }
  }
  RowJobs jobs(0);  // a worker could run it before it is dropped
  bool ran = false;
  jobs.defer([&ran] { ran = true; }, 0, {});
  jobs.drop_deferred();
  jobs.run_deferred();
  EXPECT_FALSE(ran);
}

TEST(RowJobs, AJobDeferredBeforeAnInputOfItsOwnUnitOrAboveIsRefused) {
  RowJobs jobs(0);
  const RowJobs::Ticket later_unit = jobs.defer([] {}, 2, {});
  try {
    jobs.defer([] {}, 1, {later_unit});
    ADD_FAILURE() << "no error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("units must be numbered in dataflow order"), std::string::npos) << e.what();
  }
  jobs.drop_deferred();
}

}  // namespace
}  // namespace qflow
