// package random | check: make a random package, or check that one can be trusted.
#include <memory>
#include <tuple>

#include <fmt/format.h>

#include "commands.hpp"
#include "errors.hpp"
#include "gen/random_package.hpp"
#include "golden_cases.hpp"
#include "package/dump_compare.hpp"
#include "package/layer_dump.hpp"
#include "package/network_shapes.hpp"
#include "ref/host_flow.hpp"

namespace qflow::sim {
namespace {

FlowNetQShape with_size(FlowNetQShape shape, const std::string& size) {
  std::tie(shape.height, shape.width) = parse_input_size("--size", size);
  return shape;
}

void print_summary(const Package& package) {
  const std::vector<TensorShape> shapes = infer_shapes(package);
  fmt::print("package '{}': input {}x{}, {} layers\n", package.name, package.height, package.width,
             package.layers.size());
  fmt::print("{:<16} {:<11} {:>18} {:>6} {:>6} {:>10} {:>10}\n", "layer", "op", "out C x H x W", "w_bits",
             "bits", "weights", "MMAC");
  int64_t weights = 0, macs = 0;
  for (size_t i = 0; i < package.layers.size(); ++i) {
    const Layer& l = package.layers[i];
    const TensorShape& s = shapes[i];
    weights += l.is_conv() ? l.weight_count() : 0;
    macs += layer_macs(l, s);
    fmt::print("{:<16} {:<11} {:>18} {:>6} {:>6} {:>10} {:>10.1f}\n", l.name, to_string(l.op),
               fmt::format("{} x {} x {}", s.channels, s.height, s.width), l.is_conv() ? fmt::format("{}", l.w_bits) : "",
               s.frac ? fmt::format("{}+{}", s.bits, s.frac) : fmt::format("{}", s.bits),
               l.is_conv() ? l.weight_count() : 0, double(layer_macs(l, s)) / 1e6);
  }
  fmt::print("total: {} weights, {:.1f} MMAC per frame\n", weights, double(macs) / 1e6);
}

// Runs the reference on each golden case and compares every layer; true when all match.
bool check_golden(const Package& package, const std::filesystem::path& dir) {
  const std::vector<std::filesystem::path> cases = golden_cases(dir);
  if (cases.empty()) fmt::print("no golden cases\n");
  std::vector<std::string> order;
  for (const Layer& l : package.layers) order.push_back(l.name);
  FastReference reference(package);
  bool ok = true;
  for (const std::filesystem::path& c : cases) {
    const LayerCodes codes = reference.run(input_codes(load_image_pair(c / "img1.png", c / "img2.png"), package));
    std::map<std::string, CodeMap> ours;
    for (size_t i = 0; i < codes.size(); ++i) ours.emplace(package.layers[i].name, codes[i]);
    for (const LayerDiff& d : compare_dumps(read_layer_dump(c), ours, order))
      if (!d.matches()) {
        fmt::print("golden '{}': layer '{}' differs from the reference ({} mismatches{})\n",
                   c.filename().string(), d.layer, d.mismatches, d.in_a ? "" : ", missing in the golden case");
        ok = false;
        break;
      }
    if (ok) fmt::print("golden '{}': every layer reproduced exactly\n", c.filename().string());
  }
  return ok;
}

}  // namespace

void add_package_command(CLI::App& app) {
  CLI::App* pkg = app.add_subcommand("package", "Make or check model packages");
  pkg->require_subcommand(1);

  struct RandomArgs {
    FlowNetQShape shape;
    std::string size = "384x512", out;
    uint64_t seed = 1;
  };
  auto r = std::make_shared<RandomArgs>();
  CLI::App* random = pkg->add_subcommand("random", "A FlowNetQ package with random weights and calibrated requant");
  random->add_option("--width-mult", r->shape.width_mult, "channel width multiplier (1 = full FlowNetQ)")
      ->check(CLI::PositiveNumber);
  random->add_option("--size", r->size, "input size HxW, multiples of 64")->capture_default_str();
  random->add_option("--wbits", r->shape.w_bits, "weight bits, every layer")->check(CLI::Range(2, 8))->capture_default_str();
  random->add_option("--abits", r->shape.a_bits, "activation bits, every layer")->check(CLI::Range(2, 8))->capture_default_str();
  random->add_option("--seed", r->seed, "random seed")->capture_default_str();
  random->add_option("--out", r->out, "package folder to write")->required();
  random->callback([r] {
    const RandomPackage made = make_random_package(with_size(r->shape, r->size), r->seed);
    write_random_package(made, r->out);
    fmt::print("wrote package '{}' to {}\n", made.package.name, r->out);
  });

  auto dir = std::make_shared<std::string>();
  CLI::App* check = pkg->add_subcommand("check", "Validate a package and reproduce its golden cases exactly");
  check->add_option("DIR", *dir, "package folder")->required();
  check->callback([dir] {
    const Package package = read_package(*dir);
    print_summary(package);
    if (!check_golden(package, *dir)) throw CheckFailed{};
  });
}

}  // namespace qflow::sim
