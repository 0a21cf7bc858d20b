// Data-parallel training over 127.0.0.1: qflow-train processes as torchrun or --nproc starts them.
// Two ranks of batch B train as one process of batch 2B does (within float tolerance: the sums
// run in another order), a run resumed on another number of ranks continues the same run, the
// same run twice gives the same bytes, and a rank that dies, never comes or disagrees is named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "distributed/local_launch.hpp"
#include "test_helpers.hpp"
#include "training.hpp"

namespace qflow::train {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;
using Clock = std::chrono::steady_clock;

// One qflow-train process, its environment set as a launcher would, its output in a file.
class TrainProcess {
 public:
  TrainProcess(const std::vector<std::string>& args, const std::map<std::string, std::string>& env, fs::path log)
      : log_(std::move(log)) {
    std::vector<std::string> argv{QFLOW_TRAIN_EXE};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = fork();
    if (pid_ == 0) {
      for (const char* var : {"WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT", "SLURM_NTASKS"})
        unsetenv(var);
      for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
      const int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      std::vector<char*> c;
      for (std::string& a : argv) c.push_back(a.data());
      c.push_back(nullptr);
      execv(c[0], c.data());
      _exit(127);
    }
  }
  ~TrainProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  // The exit status; -1 (and the process killed) past `limit`.
  int wait(std::chrono::seconds limit) {
    const auto give_up = Clock::now() + limit;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() > give_up) return -1;  // the destructor kills it
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    pid_ = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  void kill() { ::kill(pid_, SIGKILL); }
  std::string output() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  fs::path log_;
  pid_t pid_ = 0;
};

// A small FlowNetQ, float so that BatchNorm's statistics (synchronized over the ranks) are the
// only thing a data-parallel run changes: quantizer rounding would turn float noise into steps.
std::vector<std::string> small_run(const fs::path& out, int steps, int batch, int val_every = 6, int timeout = 60) {
  return {"train", "--width-mult", "0.125", "--size", "64x64", "--wbits", "0", "--abits", "0", "--steps",
          std::to_string(steps), "--batch", std::to_string(batch), "--val-every", std::to_string(val_every),
          "--val-samples", "2", "--lr", "1e-3", "--seed", "5", "--threads", "1", "--quiet", "--dist-timeout",
          std::to_string(timeout), "--out", out.string()};
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

int free_port() {
  static int next = 29700 + int(getpid() % 200) * 10;  // ctest runs tests in parallel processes
  return next++;
}

std::map<std::string, std::string> rank_env(int rank, int world, int port) {
  return {{"RANK", std::to_string(rank)}, {"WORLD_SIZE", std::to_string(world)}, {"LOCAL_RANK", std::to_string(rank)},
          {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", std::to_string(port)}};
}

void run_ok(const std::vector<std::string>& args, const fs::path& log) {
  TrainProcess p(args, {}, log);
  ASSERT_EQ(p.wait(std::chrono::seconds(300)), 0) << p.output();
}

// How far apart two checkpoints' parameters and BatchNorm statistics are: the norm of their
// difference over the norm of the first's, over all of them at once. (Per tensor it would not do:
// Adam moves a weight whose gradient is nearly zero by about the learning rate, either way, so
// float noise in such a gradient moves it by that much.)
double relative_distance(const fs::path& a, const fs::path& b) {
  const Checkpoint x = load_checkpoint(a), y = load_checkpoint(b);
  double difference = 0, norm = 0;
  const auto add = [&](const torch::OrderedDict<std::string, torch::Tensor>& xs,
                       const torch::OrderedDict<std::string, torch::Tensor>& ys) {
    for (const auto& item : xs) {
      const torch::Tensor p = item.value().to(torch::kDouble), q = ys[item.key()].to(torch::kDouble);
      difference += (p - q).square().sum().item<double>();
      norm += p.square().sum().item<double>();
    }
  };
  add(x.net->named_parameters(), y.net->named_parameters());
  add(x.net->named_buffers(), y.net->named_buffers());
  return std::sqrt(difference / norm);
}

std::string bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(DataParallel, TwoRanksOfBatchBEndAsOneProcessOfBatch2B) {
  const fs::path dir = test::temp_dir("dp-equivalence");
  run_ok(small_run(dir / "one", 12, 8), dir / "one.log");
  run_ok(with(small_run(dir / "two", 12, 4), {"--nproc", "2"}), dir / "two.log");
  // Float noise grows over the steps: the same one-process run on 1 and on 2 threads ends about
  // 2e-4 apart here, the two ranks 5e-4 from it.
  EXPECT_LT(relative_distance(dir / "one/checkpoint", dir / "two/checkpoint"), 1e-3);
  // And the check can fail: another seed's run is far from it.
  std::vector<std::string> other = small_run(dir / "other", 12, 8);
  *std::find(other.begin(), other.end(), "5") = "6";  // --seed
  run_ok(other, dir / "other.log");
  EXPECT_GT(relative_distance(dir / "one/checkpoint", dir / "other/checkpoint"), 1e-2);
}

TEST(DataParallel, ARunResumedOnAnotherNumberOfRanksContinuesTheSameRun) {
  const fs::path dir = test::temp_dir("dp-resume");
  // 6 steps on one process or two ranks, then to step 12 on one process or two ranks: the data
  // stream continues from the position the checkpoint saved, whatever the number of ranks.
  run_ok(small_run(dir / "first_on_one", 6, 8), dir / "1.log");
  run_ok(with(small_run(dir / "first_on_two", 6, 4), {"--nproc", "2"}), dir / "2.log");
  const auto resume = [&](const char* from) { return std::vector<std::string>{"--resume", (dir / from / "checkpoint").string()}; };
  run_ok(with(small_run(dir / "one_one", 12, 8), resume("first_on_one")), dir / "3.log");
  run_ok(with(small_run(dir / "two_one", 12, 8), resume("first_on_two")), dir / "4.log");
  run_ok(with(with(small_run(dir / "one_two", 12, 4), resume("first_on_one")), {"--nproc", "2"}), dir / "5.log");
  EXPECT_LT(relative_distance(dir / "one_one/checkpoint", dir / "two_one/checkpoint"), 1e-3);
  EXPECT_LT(relative_distance(dir / "one_one/checkpoint", dir / "one_two/checkpoint"), 1e-3);
}

TEST(DataParallel, TheSameRunTwiceGivesTheSameBytes) {
  const fs::path dir = test::temp_dir("dp-bytes");
  run_ok(with(small_run(dir / "a", 6, 4), {"--nproc", "2"}), dir / "a.log");
  run_ok(with(small_run(dir / "b", 6, 4), {"--nproc", "2"}), dir / "b.log");
  EXPECT_EQ(bytes_of(dir / "a/checkpoint/model.pt"), bytes_of(dir / "b/checkpoint/model.pt"));
  EXPECT_EQ(bytes_of(dir / "a/checkpoint/optimizer.pt"), bytes_of(dir / "b/checkpoint/optimizer.pt"));
}

// Waits until rank 0's log has `lines` lines (both ranks then trained that far).
bool wait_for_log(const fs::path& log, int lines, std::chrono::seconds limit) {
  const auto give_up = Clock::now() + limit;
  while (Clock::now() < give_up) {
    std::ifstream in(log);
    int n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    if (n >= lines) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(DataParallel, ARankThatDiesIsNamedAndTheOthersStopWithinTheTimeout) {
  const fs::path dir = test::temp_dir("dp-dies");
  const int port = free_port();
  TrainProcess rank0(small_run(dir / "run", 100000, 2, 3, 20), rank_env(0, 2, port), dir / "rank0.log");
  TrainProcess rank1(small_run(dir / "run", 100000, 2, 3, 20), rank_env(1, 2, port), dir / "rank1.log");
  ASSERT_TRUE(wait_for_log(dir / "run/log.csv", 2, std::chrono::seconds(120))) << rank0.output() << rank1.output();
  rank1.kill();
  const auto killed = Clock::now();
  EXPECT_EQ(rank0.wait(std::chrono::seconds(90)), 1) << rank0.output();
  EXPECT_LT(Clock::now() - killed, std::chrono::seconds(60));
  EXPECT_THAT(rank0.output(), HasSubstr("rank 1 stopped answering"));
}

TEST(DataParallel, ARankThatCannotReachTheStoreStopsNamingRankZero) {
  const fs::path dir = test::temp_dir("dp-no-store");
  TrainProcess rank1(small_run(dir / "run", 10, 2, 3, 3), rank_env(1, 2, free_port()), dir / "rank1.log");
  EXPECT_EQ(rank1.wait(std::chrono::seconds(60)), 1) << rank1.output();
  EXPECT_THAT(rank1.output(), HasSubstr("rank 1 cannot reach rank 0's rendezvous store on 127.0.0.1"));
}

TEST(DataParallel, RanksStartedForAnotherWorldOrWithOtherSettingsAreRefused) {
  const fs::path dir = test::temp_dir("dp-mismatch");
  {
    const int port = free_port();
    TrainProcess rank0(small_run(dir / "a", 10, 2, 3, 5), rank_env(0, 2, port), dir / "a0.log");
    TrainProcess rank1(small_run(dir / "a", 10, 2, 3, 5), rank_env(1, 3, port), dir / "a1.log");
    EXPECT_EQ(rank1.wait(std::chrono::seconds(60)), 1) << rank1.output();
    EXPECT_THAT(rank1.output(), HasSubstr("rank 1 was started for 3 ranks, rank 0 for 2"));
    EXPECT_EQ(rank0.wait(std::chrono::seconds(60)), 1) << rank0.output();  // and rank 0 does not hang
  }
  {
    const int port = free_port();
    TrainProcess rank0(small_run(dir / "b", 10, 2, 3, 5), rank_env(0, 2, port), dir / "b0.log");
    TrainProcess rank1(small_run(dir / "b", 10, 3, 3, 5), rank_env(1, 2, port), dir / "b1.log");
    EXPECT_EQ(rank1.wait(std::chrono::seconds(60)), 1) << rank1.output();
    EXPECT_THAT(rank1.output(), HasSubstr("rank 1 was started with other settings than rank 0"));
    EXPECT_THAT(rank1.output(), HasSubstr("\"batch\":3"));
    EXPECT_EQ(rank0.wait(std::chrono::seconds(60)), 1) << rank0.output();
  }
}

TEST(DataParallel, NprocUnderALauncherIsRefused) {
  const fs::path dir = test::temp_dir("dp-nested");
  TrainProcess p(with(small_run(dir / "run", 10, 2), {"--nproc", "2"}), rank_env(0, 2, free_port()), dir / "p.log");
  EXPECT_EQ(p.wait(std::chrono::seconds(60)), 1) << p.output();
  EXPECT_THAT(p.output(), HasSubstr("--nproc starts the ranks itself; this process is already rank 0 of 2 (torchrun)"));
}

TEST(DataParallel, MoreRanksThanCoresIsWarnedOf) {
  EXPECT_THAT(oversubscription_warning(3, 2), testing::Optional(HasSubstr("--nproc 3 is more ranks than this machine's 2 cores")));
  EXPECT_FALSE(oversubscription_warning(2, 2).has_value());
}

}  // namespace
}  // namespace qflow::train
