// qflow-sim's subcommands; each registers itself on the app and does its work in a callback.
// Callbacks throw on failure (main prints the message and exits non-zero) and return normally on
// success, except `compare`, which exits 1 when the dumps differ.
#pragma once

#include <string>

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
void add_faults_command(CLI::App& app);

// Thrown by a command whose check ran and failed (compare, package check): exit code 1, no error.
struct CheckFailed {};

// A command that fails after a simulation prints why and records it here instead of throwing (see
// simulate()); qflow-sim then exits 1.
void fail_after_simulation(const std::string& why);
bool failed_after_simulation();

}  // namespace qflow::sim
