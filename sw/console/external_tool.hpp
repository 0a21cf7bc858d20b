// Running an installed tool (gnuplot, vcd2fst) as a child process, without a shell: arguments are
// passed as they are, so paths need no quoting.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace qflow {

// Runs argv[0] (looked up on the PATH) with its arguments in `cwd` (empty: this folder), its
// stdout and stderr written to `log` (empty: discarded). Returns its exit status; 127 when it
// could not be started (not installed).
int run_tool(const std::vector<std::string>& argv, const std::filesystem::path& cwd = {},
             const std::filesystem::path& log = {});

}  // namespace qflow
