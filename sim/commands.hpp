// qflow-sim's subcommands; each registers itself on the app and does its work in a callback.
// Callbacks throw on failure (main prints the message and exits non-zero) and return normally on
// success, except `compare`, which exits 1 when the dumps differ.
#pragma once

#include <CLI/CLI.hpp>

namespace qflow::sim {

void add_epe_command(CLI::App& app);
void add_color_command(CLI::App& app);
void add_baseline_command(CLI::App& app);
void add_package_command(CLI::App& app);
void add_ref_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_arch_command(CLI::App& app);
void add_compare_command(CLI::App& app);

// Thrown by a command whose check ran and failed (compare, package check): exit code 1, no error.
struct CheckFailed {};

}  // namespace qflow::sim
