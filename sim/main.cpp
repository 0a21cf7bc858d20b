// qflow-sim: the front end of qflow.
#include <fmt/format.h>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"qflow-sim: a quantized FlowNetS accelerator model, its bit-exact reference and flow tools"};
  app.require_subcommand(1);
  qflow::sim::add_ref_command(app);
  qflow::sim::add_compare_command(app);
  qflow::sim::add_package_command(app);
  qflow::sim::add_epe_command(app);
  qflow::sim::add_color_command(app);
  qflow::sim::add_baseline_command(app);
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
  return 0;
}
