// qflow-sim: the front end of qflow. SystemC's library owns main() and calls sc_main; with no
// arguments, qflow-sim runs the accelerator model on the bundled model and pair.
#include <cstdlib>
#include <vector>

#include <fmt/format.h>
#include <systemc>

#include "commands.hpp"

namespace {
// Before SystemC's main() prints its banner: qflow-sim's output is its own.
const bool kQuietSystemC = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0) == 0;
bool simulation_failed = false;
}  // namespace

void qflow::sim::fail_after_simulation(const std::string& why) {
  fmt::print(stderr, "qflow-sim: error: {}\n", why);
  simulation_failed = true;
}

bool qflow::sim::failed_after_simulation() { return simulation_failed; }

int sc_main(int argc, char** argv) {
  CLI::App app{"qflow-sim: a quantized FlowNetS accelerator model, its bit-exact reference and flow tools"};
  app.require_subcommand(0, 1);
  qflow::sim::add_run_command(app);
  qflow::sim::add_arch_command(app);
  qflow::sim::add_ref_command(app);
  qflow::sim::add_compare_command(app);
  qflow::sim::add_faults_command(app);
  qflow::sim::add_package_command(app);
  qflow::sim::add_epe_command(app);
  qflow::sim::add_color_command(app);
  qflow::sim::add_baseline_command(app);
  std::vector<const char*> run_default{argv[0], "run"};
  if (argc == 1) {  // the bundled default
    argc = 2;
    argv = const_cast<char**>(run_default.data());
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const qflow::sim::CheckFailed&) {
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "qflow-sim: error: {}\n", e.what());
    return 1;
  }
  return simulation_failed ? 1 : 0;
}
