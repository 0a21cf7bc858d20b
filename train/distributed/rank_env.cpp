#include "rank_env.hpp"

#include <climits>
#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

namespace qflow::train {

namespace {

long parse_number(const GetEnv& get, const char* name, long low, long high) {
  const char* text = get(name);
  if (!text || !*text) throw std::runtime_error(fmt::format("{} is not set", name));
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*end != '\0' || value < low || value > high)
    throw std::runtime_error(fmt::format("{}='{}' is not a whole number in {}..{}", name, text, low, high));
  return value;
}

long number_or(const GetEnv& get, const char* name, long fallback, long low, long high) {
  const char* text = get(name);
  return text && *text ? parse_number(get, name, low, high) : fallback;
}

}  // namespace

std::string first_slurm_host(const std::string& nodelist) {
  // The first entry ends at a comma outside brackets; a bracket holds ranges and single numbers.
  const size_t open = nodelist.find('[');
  const size_t comma = nodelist.find(',');
  if (open == std::string::npos || (comma != std::string::npos && comma < open))
    return nodelist.substr(0, comma);
  const size_t first_end = nodelist.find_first_of("-,]", open + 1);
  if (first_end == std::string::npos)
    throw std::runtime_error(fmt::format("SLURM_JOB_NODELIST='{}' has an unclosed '['", nodelist));
  return nodelist.substr(0, open) + nodelist.substr(open + 1, first_end - open - 1);
}

std::optional<RankEnv> rank_env_from(const GetEnv& get) {
  RankEnv env;
  const char* world = get("WORLD_SIZE");
  if (world && *world) {
    env.source = "torchrun";
    env.world = int(parse_number(get, "WORLD_SIZE", 1, 1 << 16));
    if (env.world == 1) return std::nullopt;
    env.rank = int(parse_number(get, "RANK", 0, env.world - 1));
    env.local_rank = int(number_or(get, "LOCAL_RANK", env.rank, 0, env.world - 1));
    if (const char* addr = get("MASTER_ADDR"); addr && *addr) env.master_addr = addr;
    else throw std::runtime_error("MASTER_ADDR is not set (torchrun sets it with WORLD_SIZE)");
    env.master_port = uint16_t(parse_number(get, "MASTER_PORT", 1, 65535));
    const char* agent = get("TORCHELASTIC_USE_AGENT_STORE");
    env.agent_store = agent && std::string(agent) == "True";
    env.key_prefix = fmt::format("qflow/{}", number_or(get, "TORCHELASTIC_RESTART_COUNT", 0, 0, LONG_MAX));
  } else if (const char* tasks = get("SLURM_NTASKS"); tasks && *tasks) {
    env.source = "Slurm";
    env.world = int(parse_number(get, "SLURM_NTASKS", 1, 1 << 16));
    if (env.world == 1) return std::nullopt;
    env.rank = int(parse_number(get, "SLURM_PROCID", 0, env.world - 1));
    env.local_rank = int(number_or(get, "SLURM_LOCALID", 0, 0, env.world - 1));
    if (const char* addr = get("MASTER_ADDR"); addr && *addr) {
      env.master_addr = addr;
    } else {
      const char* nodes = get("SLURM_JOB_NODELIST");
      if (!nodes || !*nodes) throw std::runtime_error("SLURM_JOB_NODELIST is not set: no host for rank 0's store");
      env.master_addr = first_slurm_host(nodes);
    }
    env.master_port = uint16_t(number_or(get, "MASTER_PORT", 0, 1, 65535));
    if (env.master_port == 0) env.master_port = uint16_t(20000 + number_or(get, "SLURM_JOB_ID", 0, 0, LONG_MAX) % 20000);
  } else {
    return std::nullopt;
  }
  return env;
}

std::optional<RankEnv> rank_env_from_process() {
  return rank_env_from([](const char* name) { return std::getenv(name); });
}

}  // namespace qflow::train
