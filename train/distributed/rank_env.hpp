// Where a data-parallel rank learns its place, from the conventions launchers already set:
// torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT, and whether its
// agent serves the store: TORCHELASTIC_USE_AGENT_STORE, TORCHELASTIC_RESTART_COUNT), or else
// Slurm's (SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID, the first host of SLURM_JOB_NODELIST; the
// port from MASTER_PORT, or one derived from SLURM_JOB_ID so that jobs sharing a node differ).
// No torch here: the rules are tested on their own.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace qflow::train {

struct RankEnv {
  int rank = 0, world = 1, local_rank = 0;
  std::string master_addr = "127.0.0.1";
  uint16_t master_port = 29500;
  std::string source;  // "torchrun" or "Slurm": named in errors
  // torchrun's agent already serves the store on MASTER_PORT (TORCHELASTIC_USE_AGENT_STORE=True):
  // rank 0 connects to it as the others do, under a prefix of its own for each restart.
  bool agent_store = false;
  std::string key_prefix = "qflow";
};

// nullopt when neither convention says there is more than one rank. Throws, naming the variable,
// on an inconsistent or malformed one (a rank outside the world, a port that is not one).
using GetEnv = std::function<const char*(const char*)>;
std::optional<RankEnv> rank_env_from(const GetEnv& get);
std::optional<RankEnv> rank_env_from_process();

// The first host of a Slurm node list: "gpu[03-05,09],cpu1" -> "gpu03".
std::string first_slurm_host(const std::string& nodelist);

}  // namespace qflow::train
