// The accelerator model's simulation speed. Two modes, one simulation per process (SystemC
// elaborates once):
//   frame: a full-size FlowNetQ W8A8 frame (384x512, random package) simulated frame after frame
//          without co-simulation, against the sw fast reference alone and oneDNN's int8
//          convolutions of the same layers, medians side by side in one run, as ratios; both
//          compute the flow only, or with --record-layers every layer's codes too;
//   cosim: one frame of a small model with every conv layer on the Verilated RTL: seconds, MACs/s;
//   rows:  where the model's conv time goes, without SystemC: each conv layer's kernel on the whole
//          map (as the reference runs it), row by row through its PE's datapath (one layer after the
//          other), and the rows of all layers interleaved as the pipeline runs them.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <vector>

#include <omp.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "arch/folding_model.hpp"
#include "datapath/conv_row_engine.hpp"
#include "datapath/weight_rom.hpp"
#include "pipeline/line_buffer.hpp"
#include "pipeline/row.hpp"
#include "bench_timer.hpp"
#include "gen/random_package.hpp"
#include "onednn_int8_layers.hpp"
#include "package/network_shapes.hpp"
#include "ref/channel_last.hpp"
#include "ref/conv_kernel.hpp"
#include "ref/host_flow.hpp"
#include "report/latency_report.hpp"
#include "system.hpp"

namespace qflow::bench {
namespace {

void frame_mode(const FlowNetQShape& shape, int repeats, int multipliers, bool record_layers) {
  fmt::print("generating a random W8A8 FlowNetQ x{} at {}x{} ...\n", shape.width_mult, shape.height, shape.width);
  const RandomPackage made = make_random_package(shape, 1);
  const CodeMap input = stack_input(made.pair.images.img1, made.pair.images.img2);
  FastReference fast(made.package);
  OneDnnInt8Layers onednn(made.package);
  // The model's PEs pick their row kernels by the same rule as the reference's layers.
  fmt::print("CPU: {}, {} OpenMP threads; conv1's kernel: {}\n", cpu_name(), omp_get_max_threads(),
             fast.kernel_names().front());
  LayerCodes codes;
  CodeMap flow;
  const auto run_reference = [&] { record_layers ? fast.run(input, codes) : fast.run_flow(input, flow); };
  // The reference and oneDNN before and after the simulation: the machine's drift shows.
  const double fast_before = median_seconds(repeats, run_reference);
  const double dnnl_before = median_seconds(repeats, [&] { onednn.run(); });

  SimulationOptions options;
  options.frames = repeats + 1;  // the first one warms up
  options.record_layers = record_layers;
  const RunPlan plan(made.package, default_arch_config(made.package, multipliers));
  const ArchConfig& config = plan.config;
  const SimulationResult result = simulate(plan, made.pair.images, options);
  std::vector<double> wall;
  for (size_t f = 1; f < result.frames.size(); ++f) wall.push_back(result.frames[f].wall_seconds);
  const double model_s = median(wall);

  const double fast_after = median_seconds(repeats, run_reference);
  const double dnnl_after = median_seconds(repeats, [&] { onednn.run(); });
  const double fast_s = std::min(fast_before, fast_after), dnnl_s = std::min(dnnl_before, dnnl_after);
  const nlohmann::json report = latency_report(plan, result);

  fmt::print("\n{}\n| path (median of {}) | ms per frame | vs fast reference | vs oneDNN int8 convs |\n"
             "|---|---|---|---|\n",
             record_layers ? "every layer's codes kept" : "the flow only", repeats);
  fmt::print("| oneDNN int8 convs only (before / after) | {:.1f} / {:.1f} | | 1.00 |\n", dnnl_before * 1e3,
             dnnl_after * 1e3);
  fmt::print("| sw fast reference (before / after) | {:.1f} / {:.1f} | 1.00 | {:.2f} |\n", fast_before * 1e3,
             fast_after * 1e3, fast_s / dnnl_s);
  fmt::print("| SystemC/TLM model, whole system | {:.1f} | {:.3f} | {:.2f} |\n\n", model_s * 1e3, model_s / fast_s,
             model_s / dnnl_s);
  // Rows the simulation moves per frame: the input streamer's, every layer's and the flow writer's.
  int64_t rows = made.package.height + plan.layers.back().out.height;
  for (const LayerPlan& p : plan.layers) rows += p.out.height;
  fmt::print("Rows simulated per frame: {}; the model's cost beyond the reference's: {:.2f} ms a frame, {:.2f} us a row.\n",
             rows, (model_s - fast_s) * 1e3, (model_s - fast_s) / double(rows) * 1e6);
  fmt::print("SystemC overhead over the fast reference: {:+.1f}%. The modeled accelerator ({} multipliers, {} MHz) "
             "takes {:.2f} ms per frame ({:.1f} frames/s pipelined): the simulation runs at {:.2f}x real time.\n",
             100.0 * (model_s / fast_s - 1.0), report["frame"]["multipliers"].get<int64_t>(), config.clock_mhz,
             report["frame"]["latency_ms"].get<double>(), report["frame"]["fps_pipelined"].get<double>(),
             report["frame"]["latency_ms"].get<double>() * 1e-3 / model_s);
}

void cosim_mode(const FlowNetQShape& shape, int multipliers) {
  const RandomPackage made = make_random_package(shape, 1);
  ArchConfig config = default_arch_config(made.package, multipliers);
  select_cosim(config, made.package, "all");
  const RunPlan plan(made.package, config);
  const SimulationResult result = simulate(plan, made.pair.images);
  const nlohmann::json report = latency_report(plan, result);
  const double seconds = result.frames[0].wall_seconds;
  const auto macs = report["frame"]["macs"].get<int64_t>();
  uint64_t rtl_cycles = 0;
  for (const LayerActivity& a : result.activity) rtl_cycles += a.rtl_cycles;
  const bool exact = result.layers.size() == made.codes.size() &&
                     std::equal(made.codes.begin(), made.codes.end(), result.layers.begin(),
                                [](const CodeMap& a, const CodeMap& b) { return a.codes == b.codes; });
  fmt::print("| model | MACs | multipliers | RTL cycles | seconds | MMAC/s | k RTL cycles/s | codes |\n"
             "|---|---|---|---|---|---|---|---|\n");
  fmt::print("| x{} {}x{} W8A8, every conv on the RTL | {} | {} | {} | {:.2f} | {:.2f} | {:.1f} | {} |\n",
             shape.width_mult, shape.height, shape.width, macs, report["frame"]["multipliers"].get<int64_t>(),
             rtl_cycles, seconds, double(macs) / seconds * 1e-6, double(rtl_cycles) / seconds * 1e-3,
             exact ? "bit-exact" : "DIFFER");
}

// One conv layer computed whole, as the reference does, and as its PE computes it: one output row
// at a time through the PE's own datapath (ConvRowEngine: the strip of its line buffer, the ROM's
// weights), the line buffer holding the whole input map so that every window is there.
struct RowWise {
  const Layer& layer;
  std::unique_ptr<ConvKernel> whole;
  ChannelLast input;
  WeightRom rom;
  ConvRowEngine pe;
  LineBuffer window;
  CodeMap codes;
  ChannelLast bytes;
  int out_height;

  RowWise(const Layer& l, const CodeMap& in_codes, const TensorShape& in, const TensorShape& out)
      : layer(l), whole(make_conv_kernel(l, in, out)), rom(l, 1, 1), pe(l, in, rom),
        window(l.name + " line buffer", in.height, in.height), out_height(out.height) {
    to_channel_last(in_codes, in.frac > 0, input);
    for (int y = 0; y < in.height; ++y) window.push(map_row(in_codes, y, in.frac > 0));
  }
  // The form a PE's rows take: the bytes the next layer reads, or the flow head's codes.
  void run_whole() {
    const bool head = layer.op == LayerOp::FlowHead;
    whole->run(input, head ? &codes : nullptr, head ? nullptr : &bytes);
  }
  void run_row(int y) { pe.compute(y, window); }
};

void rows_mode(const FlowNetQShape& shape, int repeats) {
  fmt::print("generating a random W8A8 FlowNetQ x{} at {}x{} ...\n", shape.width_mult, shape.height, shape.width);
  const RandomPackage made = make_random_package(shape, 1);
  const CodeMap input = stack_input(made.pair.images.img1, made.pair.images.img2);
  const std::map<std::string, TensorShape> shapes = shapes_by_name(made.package);
  std::vector<std::unique_ptr<RowWise>> layers;
  for (size_t i = 0; i < made.package.layers.size(); ++i) {
    const Layer& l = made.package.layers[i];
    if (!l.is_conv()) continue;
    const auto from = std::find_if(made.package.layers.begin(), made.package.layers.end(),
                                   [&](const Layer& p) { return p.name == l.inputs[0]; });
    const CodeMap& in =
        from == made.package.layers.end() ? input : made.codes[size_t(from - made.package.layers.begin())];
    layers.push_back(std::make_unique<RowWise>(l, in, shapes.at(l.inputs[0]), shapes.at(l.name)));
  }
  fmt::print("CPU: {}, {} OpenMP threads; conv1's kernel: {}\n\n", cpu_name(), omp_get_max_threads(),
             layers.front()->whole->name());
  fmt::print("| layer (median of {}) | whole map (ms) | row by row (ms) | rows / whole |\n|---|---|---|---|\n",
             repeats);
  double whole_total = 0, rows_total = 0;
  for (const auto& l : layers) {
    const double whole = median_seconds(repeats, [&] { l->run_whole(); });
    const double rows = median_seconds(repeats, [&] {
      for (int y = 0; y < l->out_height; ++y) l->run_row(y);
    });
    whole_total += whole;
    rows_total += rows;
    fmt::print("| {} | {:.2f} | {:.2f} | {:.2f} |\n", l->layer.name, whole * 1e3, rows * 1e3, rows / whole);
  }
  // The pipeline's order: in each of `steps` slices of the frame every layer computes its share of rows.
  const int steps = shape.height;
  const double interleaved = median_seconds(repeats, [&] {
    for (int step = 0; step < steps; ++step)
      for (const auto& l : layers)
        for (int y = step * l->out_height / steps; y < (step + 1) * l->out_height / steps; ++y) l->run_row(y);
  });
  fmt::print("| all conv layers | {:.1f} | {:.1f} | {:.2f} |\n", whole_total * 1e3, rows_total * 1e3,
             rows_total / whole_total);
  fmt::print("| all conv layers, rows interleaved as the pipeline runs them | | {:.1f} | {:.2f} |\n",
             interleaved * 1e3, interleaved / whole_total);
}

}  // namespace
}  // namespace qflow::bench

namespace {
const bool kQuietSystemC = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0) == 0;  // before SystemC's main prints
}  // namespace

int sc_main(int argc, char** argv) {
  using namespace qflow;
  CLI::App app{"The accelerator model's simulation speed"};
  std::string mode = "frame", size;
  double width_mult = 0;
  int repeats = 9, multipliers = 0;
  bool record_layers = false;
  app.add_option("mode", mode, "frame | cosim | rows")
      ->check(CLI::IsMember({"frame", "cosim", "rows"}))
      ->capture_default_str();
  app.add_option("--size", size, "input HxW (frame: 384x512, cosim: 128x128)");
  app.add_option("--width-mult", width_mult, "channel width multiplier (frame: 1, cosim: 0.125)");
  app.add_option("--repeats", repeats, "frames per median")->capture_default_str();
  app.add_option("--multipliers", multipliers, "multiplier budget (frame: 4096, cosim: 1024)");
  app.add_flag("--record-layers", record_layers, "frame: keep every layer's codes in both (as tests and dumps do)");
  CLI11_PARSE(app, argc, argv);
  const bool frame = mode != "cosim";
  if (size.empty()) size = frame ? "384x512" : "128x128";
  if (width_mult == 0) width_mult = frame ? 1.0 : 0.125;
  if (multipliers == 0) multipliers = frame ? 4096 : kDefaultMultiplierBudget;
  const auto x = size.find('x');
  const FlowNetQShape shape{width_mult, std::stoi(size.substr(0, x)), std::stoi(size.substr(x + 1)), 8, 8};
  if (mode == "rows")
    bench::rows_mode(shape, repeats);
  else if (frame)
    bench::frame_mode(shape, repeats, multipliers, record_layers);
  else
    bench::cosim_mode(shape, multipliers);
  return 0;
}
