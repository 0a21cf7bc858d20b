// compare: two layer dumps side by side, layer by layer, naming the first that differs.
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "golden_cases.hpp"
#include "package/dump_compare.hpp"
#include "package/layer_dump.hpp"
#include "package/package.hpp"

namespace qflow::sim {
namespace {

std::vector<std::string> layer_order(const std::string& model, const std::filesystem::path& a,
                                     const std::filesystem::path& b) {
  std::optional<std::filesystem::path> pkg = model.empty() ? owning_package(a) : std::filesystem::path(model);
  if (!pkg) pkg = owning_package(b);
  std::vector<std::string> order;
  if (pkg)
    for (const Layer& layer : read_package(*pkg).layers) order.push_back(layer.name);
  return order;
}

void print_table(const std::vector<LayerDiff>& diffs) {
  fmt::print("{:<16} {:>12} {:>12} {:>8}  {}\n", "layer", "codes", "mismatches", "max|d|", "first mismatch (c, y, x): a vs b");
  for (const LayerDiff& d : diffs) {
    std::string note;
    if (!d.in_a || !d.in_b) note = fmt::format("missing in {}", d.in_a ? "B" : "A");
    else if (!d.same_shape) note = "shapes differ";
    else if (d.mismatches) note = fmt::format("({}, {}, {}): {} vs {}", d.first_c, d.first_y, d.first_x, d.first_a, d.first_b);
    fmt::print("{:<16} {:>12} {:>12} {:>8}  {}\n", d.layer, d.codes, d.mismatches, d.max_abs_diff, note);
  }
}

}  // namespace

void add_compare_command(CLI::App& app) {
  struct Args {
    std::string a, b, model;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("compare", "Compare two layer dumps (or a dump and a package's golden case); exit 1 when any layer differs");
  cmd->add_option("DUMP_A", args->a, "layer dump folder, package golden case, or package")->required();
  cmd->add_option("DUMP_B", args->b, "layer dump folder, package golden case, or package")->required();
  cmd->add_option("--model", args->model, "package whose layer order to follow (default: found from the dumps)");
  cmd->callback([args] {
    const std::filesystem::path a = resolve_dump_dir(args->a), b = resolve_dump_dir(args->b);
    const std::vector<LayerDiff> diffs =
        compare_dumps(read_layer_dump(a), read_layer_dump(b), layer_order(args->model, a, b));
    fmt::print("A = {}\nB = {}\n", a.string(), b.string());
    print_table(diffs);
    for (const LayerDiff& d : diffs)
      if (!d.matches()) {
        fmt::print("FAIL: first differing layer is '{}'\n", d.layer);
        throw CheckFailed{};
      }
    fmt::print("OK: all {} layers identical\n", diffs.size());
  });
}

}  // namespace qflow::sim
