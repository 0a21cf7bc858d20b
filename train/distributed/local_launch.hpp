// `qflow-train train --nproc N`: N ranks of one data-parallel run on this machine, over loopback.
// Each rank is this program again, with torchrun's variables set (RANK, WORLD_SIZE, LOCAL_RANK,
// MASTER_ADDR=127.0.0.1, a free MASTER_PORT) and its share of the cores. The launcher waits for all
// of them; when one fails it names it, gives the others the collective timeout to stop on their
// own (they do: their next collective fails), then ends them.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace qflow::train {

// `command`: this program's arguments without --nproc; `threads`: per rank (0: the cores / N).
// Returns 0 when every rank succeeded; otherwise throws, naming the first rank that failed.
void launch_local_ranks(int nproc, std::vector<std::string> command, int threads, std::chrono::seconds timeout);

// The warning for more ranks than cores, or none.
std::optional<std::string> oversubscription_warning(int nproc, int cores);

// `argv` without the `--nproc N` (or `--nproc=N`) option.
std::vector<std::string> without_option(const std::vector<std::string>& argv, const std::string& option);

}  // namespace qflow::train
