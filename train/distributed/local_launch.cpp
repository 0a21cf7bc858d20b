#include "local_launch.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <map>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

namespace qflow::train {

namespace {

using Clock = std::chrono::steady_clock;

// A port no one listens on now: the kernel's pick for a socket bound to port 0.
uint16_t free_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("--nproc: cannot open a socket to find a free port");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0;
  close(fd);
  if (!ok) throw std::runtime_error("--nproc: cannot find a free port on 127.0.0.1");
  return ntohs(addr.sin_port);
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("was killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  return "stopped";
}

bool failed(int status) { return !WIFEXITED(status) || WEXITSTATUS(status) != 0; }

}  // namespace

std::optional<std::string> oversubscription_warning(int nproc, int cores) {
  if (nproc <= cores) return std::nullopt;
  return fmt::format("--nproc {} is more ranks than this machine's {} cores: they will contend for them", nproc, cores);
}

std::vector<std::string> without_option(const std::vector<std::string>& argv, const std::string& option) {
  std::vector<std::string> kept;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] == option) {
      ++i;  // and its value
      continue;
    }
    if (argv[i].rfind(option + "=", 0) == 0) continue;
    kept.push_back(argv[i]);
  }
  return kept;
}

void launch_local_ranks(int nproc, std::vector<std::string> command, int threads, std::chrono::seconds timeout) {
  const int cores = int(std::thread::hardware_concurrency());
  if (const auto warning = oversubscription_warning(nproc, cores)) fmt::print(stderr, "qflow-train: warning: {}\n", *warning);
  if (threads == 0) {
    command.push_back("--threads");
    command.push_back(std::to_string(std::max(1, cores / nproc)));
  }
  const std::string port = std::to_string(free_loopback_port());
  std::vector<char*> args;
  for (std::string& a : command) args.push_back(a.data());
  args.push_back(nullptr);
  std::map<pid_t, int> ranks;  // running children
  for (int r = 0; r < nproc; ++r) {
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(fmt::format("--nproc: cannot start rank {}", r));
    if (pid == 0) {
      setenv("RANK", std::to_string(r).c_str(), 1);
      setenv("LOCAL_RANK", std::to_string(r).c_str(), 1);
      setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      setenv("MASTER_ADDR", "127.0.0.1", 1);
      setenv("MASTER_PORT", port.c_str(), 1);
      execv("/proc/self/exe", args.data());
      fmt::print(stderr, "qflow-train: rank {}: cannot run /proc/self/exe\n", r);
      _exit(127);
    }
    ranks[pid] = r;
  }
  // The first failure is the one to name; the ranks left get the timeout to notice it and stop.
  std::string first_failure;
  Clock::time_point give_up = Clock::time_point::max();
  while (!ranks.empty()) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, first_failure.empty() ? 0 : WNOHANG);
    if (pid > 0) {
      const int rank = ranks.at(pid);
      ranks.erase(pid);
      if (failed(status) && first_failure.empty()) {
        first_failure = fmt::format("rank {} {}", rank, describe_exit(status));
        give_up = Clock::now() + timeout + std::chrono::seconds(15);
      }
      continue;
    }
    if (Clock::now() > give_up) {
      for (const auto& [child, rank] : ranks) {
        fmt::print(stderr, "qflow-train: rank {} still runs after {}; ending it\n", rank, first_failure);
        kill(child, SIGTERM);
      }
      give_up = Clock::time_point::max();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!first_failure.empty())
    throw std::runtime_error(fmt::format("--nproc {}: {}", nproc, first_failure));
}

}  // namespace qflow::train
