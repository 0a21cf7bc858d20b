#include "latency_report.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "arch/folding_model.hpp"
#include "arch/resource_model.hpp"

namespace qflow {
namespace {

// What a conv PE's line buffer holds: k whole input rows, since the PE computes an output row at a
// time (a PE streaming pixel by pixel would need (k - 1) rows and k pixels).
int64_t line_buffer_bits(const Layer& layer, const TensorShape& in) {
  return int64_t(layer.kernel) * in.width * in.channels * (in.bits + in.frac);
}

}  // namespace

nlohmann::json latency_report(const RunPlan& run, const SimulationResult& result) {
  const Package& package = run.package;
  const ArchConfig& config = run.config;
  const std::vector<LayerPlan>& plans = run.layers;
  const std::map<std::string, TensorShape>& shape_of = run.maps;

  size_t bottleneck = 0;
  for (size_t i = 0; i < plans.size(); ++i)
    if (result.activity[i].busy > result.activity[bottleneck].busy) bottleneck = i;
  const int64_t interval = std::max<int64_t>(1, result.activity[bottleneck].busy);
  const double hz = config.clock_mhz * 1e6;

  nlohmann::json layers = nlohmann::json::array();
  int64_t macs = 0, multipliers = 0, rom_bits = 0, line_bits = 0;
  for (size_t i = 0; i < plans.size(); ++i) {
    const LayerPlan& p = plans[i];
    const LayerActivity& a = result.activity[i];
    const Layer& layer = package.layers[i];
    nlohmann::json l = {{"name", p.name},
                        {"op", to_string(p.op)},
                        {"out", {p.out.channels, p.out.height, p.out.width}},
                        {"macs", p.macs},
                        {"model_cycles", p.cycles},
                        {"busy_cycles", a.busy},
                        {"stall_cycles", a.stall},
                        {"starve_cycles", a.starve},
                        {"first_row_start", a.first_start},
                        {"last_row_end", a.last_end},
                        {"utilization", double(a.busy) / double(interval)}};
    if (layer.is_conv()) {
      const int64_t lb = line_buffer_bits(layer, shape_of.at(layer.inputs.at(0)));
      l["pe"] = p.pe;
      l["simd"] = p.simd;
      l["multipliers"] = p.multipliers();
      l["mac_efficiency"] = a.busy > 0 ? double(p.macs) / (double(a.busy) * double(p.multipliers())) : 0.0;
      l["rom_bits"] = a.rom_bits;
      l["weights"] = p.weights_in_ddr ? "ddr" : "rom";
      if (p.weights_in_ddr) {
        l["band_rows"] = p.band_rows;
        l["weight_wait_cycles"] = a.weight_wait;
        l["model_weight_wait_cycles"] = p.weight_wait_cycles;
        l["ddr_weight_bytes"] = p.ddr_weight_bytes;
      }
      l["row_kernel"] = a.row_kernel;
      l["line_buffer_bits"] = lb;
      macs += p.macs;
      multipliers += p.multipliers();
      rom_bits += a.rom_bits;
      line_bits += lb;
      if (a.cosim) {
        // The RTL's rows start and end empty: the model's row cycles plus each row's fill (waits for
        // weights are the PE's, not the RTL's).
        const int64_t model = (p.row_cycles + conv_row_fill(layer, p.pe)) * p.out.height;
        l["rtl_cycles"] = a.rtl_cycles;
        l["rtl_array_cycles"] = a.rtl_array_cycles;
        l["model_cycles_with_fill"] = model;
        l["rtl_vs_model_percent"] = model > 0 ? 100.0 * (double(a.rtl_cycles) - double(model)) / double(model) : 0.0;
      }
    }
    layers.push_back(l);
  }
  int64_t fifo_bits = 0, skip_bits = 0, skip_bits_used = 0;
  nlohmann::json channels = nlohmann::json::array();
  for (const ChannelInfo& c : result.channels) {
    (c.skip ? skip_bits : fifo_bits) += int64_t(c.depth) * c.row_bits;
    if (c.skip) skip_bits_used += int64_t(c.peak) * c.row_bits;
    channels.push_back({{"name", c.name}, {"depth_rows", c.depth}, {"peak_rows", c.peak}, {"row_bits", c.row_bits},
                        {"skip", c.skip}});
  }
  const ResourceEstimate estimate = estimate_resources(run);
  const nlohmann::json resources = resources_json(estimate, total_resources(estimate));
  std::map<std::string, const nlohmann::json*> cost_of;  // conv layers only
  for (const auto& r : resources["layers"]) cost_of[r["name"].get<std::string>()] = &r;
  for (auto& l : layers)
    if (const auto r = cost_of.find(l["name"].get<std::string>()); r != cost_of.end())
      for (const char* key : {"luts", "flip_flops", "dsps", "bram36"}) l[key] = (*r->second)[key];
  const bool skips_on_chip = config.skips == SkipPlacement::OnChip;
  const double frame_seconds = double(std::max<uint64_t>(1, result.frame_cycles)) / hz;
  const double dma_share = double(result.dma_read_bytes + result.dma_written_bytes) /
                           (frame_seconds * config.dram.bandwidth_gbps * 1e9);
  return {{"model", package.name},
          {"input", {{"height", package.height}, {"width", package.width}}},
          {"clock_mhz", config.clock_mhz},
          {"frame",
           {{"latency_cycles", result.frame_cycles},
            {"latency_ms", double(result.frame_cycles) / hz * 1e3},
            {"input_dma_cycles", result.input_dma_cycles},
            {"initiation_interval_cycles", interval},
            {"bottleneck", package.layers[bottleneck].name},
            {"fps_pipelined", hz / double(interval)},
            {"fps_one_frame_at_a_time", hz / double(std::max<uint64_t>(1, result.frame_cycles))},
            {"macs", macs},
            {"multipliers", multipliers},
            {"macs_per_cycle", double(macs) / double(interval)}}},
          {"memory",
           {{"rom_bits", rom_bits},
            {"line_buffer_bits", line_bits},
            {"fifo_bits", fifo_bits},
            {"skip_bits", skips_on_chip ? skip_bits : 0},
            {"skip_bits_in_dram", skips_on_chip ? 0 : skip_bits},
            {"skip_bits_used", skip_bits_used},
            {"skip_placement", skips_on_chip ? "onchip" : "dram"},
            {"dma_read_bytes", result.dma_read_bytes},
            {"dma_written_bytes", result.dma_written_bytes},
            {"dma_bytes_by_master", result.dma_bytes_by_master},
            {"dram_bandwidth_used", dma_share}}},
          {"resources", resources},
          {"layers", layers},
          {"channels", channels}};
}

std::string latency_report_markdown(const nlohmann::json& r) {
  const nlohmann::json& f = r["frame"];
  const nlohmann::json& m = r["memory"];
  std::string md = fmt::format("# Latency report: {} at {}x{} (WxH), {} MHz\n\n", r["model"].get<std::string>(),
                               r["input"]["width"].get<int>(), r["input"]["height"].get<int>(),
                               r["clock_mhz"].get<double>());
  md += fmt::format(
      "| frame | value |\n|---|---|\n| latency | {} cycles ({:.3f} ms) |\n| input streamer (DMA and pixels) | {} cycles |\n"
      "| initiation interval | {} cycles (bottleneck: {}) |\n| frames/s, pipelined | {:.1f} |\n"
      "| frames/s, one frame at a time | {:.1f} |\n| MACs | {} ({:.1f} per cycle) |\n| multipliers | {} |\n\n",
      f["latency_cycles"].get<uint64_t>(), f["latency_ms"].get<double>(), f["input_dma_cycles"].get<uint64_t>(),
      f["initiation_interval_cycles"].get<int64_t>(), f["bottleneck"].get<std::string>(),
      f["fps_pipelined"].get<double>(), f["fps_one_frame_at_a_time"].get<double>(), f["macs"].get<int64_t>(),
      f["macs_per_cycle"].get<double>(), f["multipliers"].get<int64_t>());
  bool cosim = false, streamed = false;
  for (const auto& l : r["layers"]) cosim = cosim || l.contains("rtl_cycles"), streamed = streamed || l.contains("band_rows");
  md += "| layer | out (CxHxW) | MACs | PE x SIMD | model cycles | busy | stall | starve | utilization | MAC efficiency |";
  if (streamed) md += " waits for weights (model) |";
  if (cosim) md += " RTL cycles | RTL vs model with fill |";
  md += "\n|---|---|---|---|---|---|---|---|---|---|" + std::string(streamed ? "---|" : "") + (cosim ? "---|---|" : "") + "\n";
  for (const auto& l : r["layers"]) {
    const auto out = l["out"];
    const bool conv = l.contains("pe");
    md += fmt::format("| {} | {}x{}x{} | {} | {} | {} | {} | {} | {} | {:.1f}% | {} |", l["name"].get<std::string>(),
                      out[0].get<int>(), out[1].get<int>(), out[2].get<int>(), l["macs"].get<int64_t>(),
                      conv ? fmt::format("{}x{}", l["pe"].get<int>(), l["simd"].get<int>()) : "-",
                      l["model_cycles"].get<int64_t>(), l["busy_cycles"].get<int64_t>(),
                      l["stall_cycles"].get<int64_t>(), l["starve_cycles"].get<int64_t>(),
                      100.0 * l["utilization"].get<double>(),
                      conv ? fmt::format("{:.1f}%", 100.0 * l["mac_efficiency"].get<double>()) : "-");
    if (streamed)
      md += l.contains("band_rows") ? fmt::format(" {} ({}), bands of {} |", l["weight_wait_cycles"].get<int64_t>(),
                                                  l["model_weight_wait_cycles"].get<int64_t>(), l["band_rows"].get<int>())
                                    : " - |";
    if (cosim)
      md += l.contains("rtl_cycles") ? fmt::format(" {} | {:+.2f}% |", l["rtl_cycles"].get<uint64_t>(),
                                                   l["rtl_vs_model_percent"].get<double>())
                                     : " - | - |";
    md += "\n";
  }
  md += fmt::format(
      "\n| on-chip memory | bits |\n|---|---|\n| weight ROMs | {} |\n| line buffers | {} |\n| FIFOs | {} |\n"
      "| skip buffers ({}) | {} (at most {} held at once) |\n\n"
      "Accelerator DMA traffic per frame: {} bytes read, {} bytes written ({:.2f}% of the DRAM bandwidth "
      "over the frame).\n",
      m["rom_bits"].get<int64_t>(), m["line_buffer_bits"].get<int64_t>(), m["fifo_bits"].get<int64_t>(),
      m["skip_placement"].get<std::string>(), m["skip_bits"].get<int64_t>() + m["skip_bits_in_dram"].get<int64_t>(),
      m["skip_bits_used"].get<int64_t>(),
      m["dma_read_bytes"].get<uint64_t>(), m["dma_written_bytes"].get<uint64_t>(),
      100.0 * m["dram_bandwidth_used"].get<double>());
  md += "\n| DRAM master | bytes per frame | share of the DRAM bandwidth over the frame |\n|---|---|---|\n";
  const double all = double(m["dma_read_bytes"].get<uint64_t>() + m["dma_written_bytes"].get<uint64_t>());
  for (const auto& [master, bytes] : m["dma_bytes_by_master"].items())
    md += fmt::format("| {} | {} | {:.2f}% |\n", master, bytes.get<uint64_t>(),
                      all > 0 ? 100.0 * m["dram_bandwidth_used"].get<double>() * bytes.get<double>() / all : 0.0);
  // Which kernel computed each PE's rows on the simulating host (the choice depends on its CPU).
  std::map<std::string, std::vector<std::string>> by_kernel;
  for (const auto& l : r["layers"])
    if (const std::string kernel = l.value("row_kernel", ""); !kernel.empty())
      by_kernel[kernel].push_back(l["name"].get<std::string>());
  if (!by_kernel.empty()) md += "\nThe PEs' rows were computed on this host by:\n";
  for (const auto& [kernel, layers] : by_kernel) md += fmt::format("- `{}`: {}\n", kernel, fmt::join(layers, ", "));
  const nlohmann::json& res = r["resources"];
  md += fmt::format(
      "\n| FPGA resources (estimate; `qflow-sim arch --part` fits them to a part) | |\n|---|---|\n"
      "| LUTs | {} ({} of them LUT RAM) |\n| flip-flops | {} |\n| DSPs | {} |\n| BRAM36 | {} (FIFOs and skip buffers: {}) |\n"
      "| LUTs a requant with each layer's shift built in would save | {} |\n",
      res["luts"].dump(), res["lutram_luts"].dump(), res["flip_flops"].dump(), res["dsps"].dump(), res["bram36"].dump(),
      res["buffers"]["bram36"].dump(), res["requant_fixed_shift_saving_luts"].dump());
  return md;
}

std::string latency_report_csv(const nlohmann::json& r) {
  static const char* const kColumns[] = {"name", "op", "macs", "pe", "simd", "multipliers", "model_cycles",
                                         "busy_cycles", "stall_cycles", "starve_cycles", "utilization",
                                         "mac_efficiency", "rom_bits", "line_buffer_bits", "luts", "flip_flops",
                                         "dsps", "bram36", "rtl_cycles", "rtl_vs_model_percent", "weights",
                                         "band_rows", "weight_wait_cycles", "model_weight_wait_cycles",
                                         "ddr_weight_bytes"};
  std::string csv = "layer,op,out_c,out_h,out_w";
  for (size_t c = 2; c < std::size(kColumns); ++c) csv += std::string(",") + kColumns[c];
  csv += "\n";
  for (const auto& l : r["layers"]) {
    csv += fmt::format("{},{},{},{},{}", l["name"].get<std::string>(), l["op"].get<std::string>(),
                       l["out"][0].get<int>(), l["out"][1].get<int>(), l["out"][2].get<int>());
    for (size_t c = 2; c < std::size(kColumns); ++c) csv += "," + (l.contains(kColumns[c]) ? l[kColumns[c]].dump() : "");
    csv += "\n";
  }
  return csv;
}

}  // namespace qflow
