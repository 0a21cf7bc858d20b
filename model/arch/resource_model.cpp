#include "resource_model.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "arch/pipeline_buffers.hpp"
#include "conv_folding.hpp"
#include "package/network_shapes.hpp"

namespace qflow {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The use of a resource the part has none of: far over any ceiling, and still a JSON number.
constexpr double kNoCapacity = 1e9;

// Bits of a signed field holding every value of `values`.
int signed_bits(const std::vector<int64_t>& values) {
  int64_t largest = 0;
  for (int64_t v : values) largest = std::max(largest, v < 0 ? -(v + 1) : v);
  int bits = 1;
  while (bits < 63 && (int64_t(1) << (bits - 1)) <= largest) ++bits;
  return bits;
}

// The LUTs checking 64 data bits read a cycle, as yosys 0.23 maps them onto UltraScale+
// (synth_xilinx -family xcup): rtl/secded_codec.sv, and a 65-input parity. Block RAM and UltraRAM
// decode SECDED in their 72-bit mode themselves.
constexpr double kParityCheckLuts = 40, kSecdedCheckLuts = 239;

}  // namespace

std::vector<MemoryShape> conv_memories(const Layer& layer, const LayerPlan& plan, const TensorShape& in,
                                       WordProtection rom_protection, WordProtection line_protection) {
  std::vector<MemoryShape> memories;
  const int w = layer.w_bits, a = in.bits + in.frac;
  const rtl::ConvFolding f{plan.pe, plan.simd};
  // The ROM is read in address order, so a word narrower than a block RAM's 72-bit port packs
  // several to a port word (a narrow folding would otherwise waste most of every block).
  const int64_t word = int64_t(plan.pe) * plan.simd * w, words = int64_t(f.groups(layer)) * f.folds(layer);
  const int64_t per_port = std::max<int64_t>(1, kBlockRamPortBits / word);
  int64_t line_rows = layer.kernel;
  if (!plan.weights_in_ddr) {
    // Each word's check bits beside it: one group per 64 data bits.
    const int64_t check = ceil_div(word, 64) * check_bits(rom_protection);
    memories.push_back({layer.name + "_rom", "weight_rom", (word + check) * per_port, ceil_div(words, per_port)});
  } else {
    // Two channel groups' words (double buffering); the band's input rows; the band's outputs,
    // which leave a channel group at a time, as rows once the last group is done.
    memories.push_back({layer.name + "_weights", "weight_buffer", word * per_port, ceil_div(2 * f.folds(layer), per_port)});
    line_rows = int64_t(plan.band_rows - 1) * layer.stride + layer.kernel;
    memories.push_back({layer.name + "_band", "band_outputs", int64_t(plan.pe) * layer.out_bits,
                        int64_t(plan.band_rows) * plan.out.width * f.groups(layer)});
  }
  const int64_t line_word = int64_t(plan.simd) * a;
  memories.push_back({layer.name + "_lines", "line_buffer", line_word + ceil_div(line_word, 64) * check_bits(line_protection),
                      ceil_div(line_rows * in.width * in.channels, plan.simd)});
  memories.push_back({layer.name + "_requant", "requant_params", int64_t(plan.pe) * (kMultBits + signed_bits(layer.bias)),
                      f.groups(layer)});
  return memories;
}

namespace {

LayerResources conv_resources(const Layer& layer, const LayerPlan& plan, const TensorShape& in, const ConvArch& arch,
                              bool dsp_packing, const CircuitCostModel& cost) {
  LayerResources r;
  r.name = layer.name;
  r.multipliers = arch.multipliers;
  const int w = layer.w_bits, a = in.bits + in.frac;
  r.array = cost.mac_array(w, a, plan.pe, plan.simd, arch.multipliers);
  // WP486: two weights share one activation in a DSP48E2's 27-bit port, 18 bits apart.
  if (dsp_packing && arch.multipliers == MultiplierImpl::Dsp && w <= 8 && a <= 8)
    r.array.dsps = std::ceil(r.array.dsps / 2);
  r.requant = cost.requant_lanes(w, a, plan.pe, arch.multipliers);
  r.fixed_shift_saving_luts = r.requant.luts - cost.requant_lanes(w, a, plan.pe, arch.multipliers, true).luts;
  const WordProtection rom = plan.weights_in_ddr ? WordProtection::None : arch.rom_protection;
  r.memories = conv_memories(layer, plan, in, rom, arch.line_buffer_protection);
  // The checkers of a word read a cycle: the ROM's (the line buffer's is its last memory but one).
  const auto checkers = [](WordProtection p, int64_t word_bits, const MemoryShape& memory) {
    if (p == WordProtection::None) return 0.0;
    if (p == WordProtection::Secded && block_ram(memory).bram36 > 0) return 0.0;  // the block's own ECC
    return double(ceil_div(word_bits, 64)) * (p == WordProtection::Parity ? kParityCheckLuts : kSecdedCheckLuts);
  };
  r.memory_check.luts = checkers(rom, int64_t(plan.pe) * plan.simd * w, r.memories.front()) +
                     checkers(arch.line_buffer_protection, int64_t(plan.simd) * a, r.memories[r.memories.size() - 2]);
  return r;
}

// Every memory in block RAM (LUT RAM when shallow), then `rearrange` may move some elsewhere (to
// UltraRAM); the totals with the memory controller's share.
ResourceUse place(const ResourceEstimate& estimate, const FabricResources& controller,
                  const std::function<void(std::vector<PlacedMemory>&)>& rearrange) {
  ResourceUse use;
  for (const LayerResources& l : estimate.layers) {
    use.logic.luts += l.array.luts + l.requant.luts + l.memory_check.luts;
    use.logic.flip_flops += l.array.flip_flops + l.requant.flip_flops;
    use.logic.dsps += l.array.dsps + l.requant.dsps;
    for (const MemoryShape& m : l.memories) use.memories.push_back({l.name, m, block_ram(m)});
  }
  for (const MemoryShape& m : estimate.buffers) use.memories.push_back({"pipeline", m, block_ram(m)});
  if (rearrange) rearrange(use.memories);
  for (const PlacedMemory& m : use.memories) {
    use.lutram.luts += double(m.blocks.lutram_luts);
    use.memory.bram36 += m.blocks.bram36;
    use.memory.uram += double(m.blocks.uram);
  }
  use.memory_controller = controller;
  use.used.luts = use.logic.luts + use.lutram.luts + controller.luts;
  use.used.flip_flops = use.logic.flip_flops + controller.flip_flops;
  use.used.dsps = std::ceil(use.logic.dsps) + controller.dsps;
  use.used.bram36 = use.memory.bram36 + controller.bram36;
  use.used.uram = use.memory.uram + controller.uram;
  return use;
}

// Logic as whole cells; block RAM in RAMB36 units, where a RAMB18 is half of one.
int64_t cells(double x) { return std::llround(x); }

nlohmann::json fabric_json(const FabricResources& r) {
  return {{"luts", cells(r.luts)}, {"flip_flops", cells(r.flip_flops)}, {"bram36", r.bram36}, {"uram", cells(r.uram)},
          {"dsps", cells(r.dsps)}};
}

ResourceEstimate estimate(const Package& package, const ArchConfig& config, const std::vector<LayerPlan>& plans,
                          const std::vector<BufferSpec>& buffers, const CircuitCostModel& cost) {
  const std::map<std::string, TensorShape> shapes = map_shapes(package, plans);
  ResourceEstimate estimate;
  for (size_t i = 0; i < package.layers.size(); ++i) {
    const Layer& layer = package.layers[i];
    if (layer.is_conv())
      estimate.layers.push_back(conv_resources(layer, plans[i], shapes.at(layer.inputs.at(0)), config.convs.at(layer.name),
                                               config.dsp_packing, cost));
  }
  DramTraffic& dram = estimate.dram;
  const TensorShape input = input_shape(package), flow = plans.back().out;
  dram.input_bytes = double(input.height) * input.width * input.channels;
  dram.flow_bytes = double(flow.size()) * 2;
  int64_t slowest = 1;
  for (const LayerPlan& p : plans) {
    slowest = std::max(slowest, p.cycles);
    if (p.weights_in_ddr) dram.weight_bytes.emplace_back(p.name, double(p.ddr_weight_bytes));
  }
  dram.frames_per_second = config.clock_mhz * 1e6 / double(slowest);
  for (const BufferSpec& b : buffers)
    if (b.in_dram) dram.skip_bytes += 2.0 * double(b.map_rows) * std::ceil(double(b.row_bits) / 8);  // out and back
  for (const BufferSpec& b : buffers)
    if (!b.in_dram)
      estimate.buffers.push_back({b.name, b.skip ? "skip_buffer" : "fifo", b.beat_bits,
                                  ceil_div(int64_t(b.depth_rows) * b.row_bits, b.beat_bits)});
  return estimate;
}

}  // namespace

ResourceEstimate estimate_resources(const Package& package, const ArchConfig& config, const std::vector<LayerPlan>& plans,
                                    const CircuitCostModel& cost) {
  return estimate(package, config, plans, pipeline_buffers(package, config, plans), cost);
}

ResourceEstimate estimate_resources(const RunPlan& plan, const CircuitCostModel& cost) {
  return estimate(plan.package, plan.config, plan.layers, plan.buffers, cost);
}

double DramTraffic::bytes_per_frame() const {
  double bytes = input_bytes + flow_bytes + skip_bytes;
  for (const auto& [layer, b] : weight_bytes) bytes += b;
  return bytes;
}

ResourceUse total_resources(const ResourceEstimate& estimate) { return place(estimate, {}, nullptr); }

PartFit fit_to_part(const ResourceEstimate& estimate, const FpgaPart& part, const PartCatalog& catalog) {
  PartFit fit;
  fit.part = &part;
  const FabricResources& cap = part.capacity;
  const FabricResources& ceil = catalog.ceilings;
  fit.limit = {cap.luts * ceil.luts, cap.flip_flops * ceil.flip_flops, cap.bram36 * ceil.bram36, cap.uram * ceil.uram,
               cap.dsps * ceil.dsps};
  const FabricResources controller = part.hard_memory_controller ? FabricResources{} : catalog.soft_memory_controller;
  // UltraRAM takes the memories that save the most block RAM per UltraRAM while block RAM is
  // over its ceiling.
  const auto to_uram = [&](std::vector<PlacedMemory>& memories) {
    double bram = controller.bram36, uram = 0;
    for (const PlacedMemory& m : memories) bram += m.blocks.bram36;
    std::vector<PlacedMemory*> order;
    for (PlacedMemory& m : memories)
      if (m.blocks.bram36 > 0) order.push_back(&m);
    const auto saving = [](const PlacedMemory* m) { return m->blocks.bram36 / double(ultra_ram(m->shape).uram); };
    std::stable_sort(order.begin(), order.end(), [&](auto* x, auto* y) { return saving(x) > saving(y); });
    for (PlacedMemory* m : order) {
      if (bram <= fit.limit.bram36) break;
      const MemoryBlocks u = ultra_ram(m->shape);
      if (uram + double(u.uram) > fit.limit.uram) continue;
      bram -= m->blocks.bram36;
      uram += double(u.uram);
      m->blocks = u;
    }
  };
  fit.use = place(estimate, controller, cap.uram > 0 ? to_uram : std::function<void(std::vector<PlacedMemory>&)>{});
  fit.ddr_gbps_used = estimate.dram.gbps();
  fit.ddr_gbps_limit = part.ddr_gbps * catalog.ddr_ceiling;
  const std::pair<const char*, std::pair<double, double>> checks[] = {
      {"luts", {fit.use.used.luts, fit.limit.luts}},       {"flip_flops", {fit.use.used.flip_flops, fit.limit.flip_flops}},
      {"bram36", {fit.use.used.bram36, fit.limit.bram36}}, {"uram", {fit.use.used.uram, fit.limit.uram}},
      {"dsps", {fit.use.used.dsps, fit.limit.dsps}},      {"ddr", {fit.ddr_gbps_used, fit.ddr_gbps_limit}}};
  fit.fits = true;
  fit.binding_fraction = -1;
  for (const auto& [name, ul] : checks) {
    const auto [used, limit] = ul;
    const double fraction = limit > 0 ? used / limit : (used > 0 ? kNoCapacity : 0.0);
    if (fraction > 1) fit.fits = false;
    if (fraction > fit.binding_fraction) {
      fit.binding_fraction = fraction;
      fit.binding = name;
    }
  }
  return fit;
}

nlohmann::json resources_json(const ResourceEstimate& estimate, const ResourceUse& use) {
  std::map<std::string, std::vector<const PlacedMemory*>> memories_of;
  for (const PlacedMemory& m : use.memories) memories_of[m.owner].push_back(&m);
  const auto memories_json = [&](const std::string& owner, FabricResources& sum) {
    nlohmann::json list = nlohmann::json::array();
    for (const PlacedMemory* m : memories_of[owner]) {
      list.push_back({{"name", m->shape.name}, {"kind", m->shape.kind}, {"width_bits", m->shape.width_bits},
                      {"depth", m->shape.depth}, {"bram36", m->blocks.bram36}, {"uram", m->blocks.uram},
                      {"lutram_luts", m->blocks.lutram_luts}});
      sum.bram36 += m->blocks.bram36, sum.uram += double(m->blocks.uram), sum.luts += double(m->blocks.lutram_luts);
    }
    return list;
  };
  nlohmann::json layers = nlohmann::json::array();
  double fixed_saving = 0;
  for (const LayerResources& l : estimate.layers) {
    FabricResources mem;
    nlohmann::json memories = memories_json(l.name, mem);
    layers.push_back({{"name", l.name},
                      {"multipliers", l.multipliers == MultiplierImpl::Lut ? "lut" : "dsp"},
                      {"array_luts", cells(l.array.luts)},
                      {"requant_luts", cells(l.requant.luts)},
                      {"memory_check_luts", cells(l.memory_check.luts)},
                      {"luts", cells(l.array.luts + l.requant.luts + l.memory_check.luts + mem.luts)},
                      {"flip_flops", cells(l.array.flip_flops + l.requant.flip_flops)},
                      {"dsps", cells(l.array.dsps + l.requant.dsps)},
                      {"bram36", mem.bram36},
                      {"uram", cells(mem.uram)},
                      {"lutram_luts", cells(mem.luts)},
                      {"memories", memories}});
    fixed_saving += l.fixed_shift_saving_luts;
  }
  FabricResources buffers;
  nlohmann::json buffer_list = memories_json("pipeline", buffers);
  nlohmann::json j = fabric_json(use.used);
  j["logic"] = fabric_json(use.logic);
  j["lutram_luts"] = cells(use.lutram.luts);
  j["memory_controller"] = fabric_json(use.memory_controller);
  j["requant_fixed_shift_saving_luts"] = cells(fixed_saving);
  j["layers"] = layers;
  j["buffers"] = {{"bram36", buffers.bram36}, {"uram", cells(buffers.uram)}, {"lutram_luts", cells(buffers.luts)},
                  {"memories", buffer_list}};
  nlohmann::json weights = nlohmann::json::object();
  for (const auto& [layer, bytes] : estimate.dram.weight_bytes) weights[layer] = bytes;
  j["dram"] = {{"bytes_per_frame", estimate.dram.bytes_per_frame()}, {"gbps", estimate.dram.gbps()},
               {"frames_per_second", estimate.dram.frames_per_second}, {"input_bytes", estimate.dram.input_bytes},
               {"flow_bytes", estimate.dram.flow_bytes}, {"skip_bytes", estimate.dram.skip_bytes},
               {"weight_bytes", weights}};
  return j;
}

nlohmann::json part_fit_json(const PartFit& fit) {
  const auto use = [](double used, double capacity) { return capacity > 0 ? used / capacity : (used > 0 ? kNoCapacity : 0.0); };
  const FabricResources& u = fit.use.used;
  const FabricResources& c = fit.part->capacity;
  return {{"name", fit.part->name},
          {"device", fit.part->device},
          {"fits", fit.fits},
          {"binding", fit.binding},
          {"binding_of_ceiling", fit.binding_fraction},
          {"used", fabric_json(u)},
          {"capacity", fabric_json(c)},
          {"ceiling", fabric_json(fit.limit)},
          {"use_of_capacity",
           {{"luts", use(u.luts, c.luts)}, {"flip_flops", use(u.flip_flops, c.flip_flops)},
            {"bram36", use(u.bram36, c.bram36)}, {"uram", use(u.uram, c.uram)}, {"dsps", use(u.dsps, c.dsps)}}},
          {"memory_controller", fabric_json(fit.use.memory_controller)},
          {"ddr", fit.part->ddr},
          {"ddr_gbps_peak", fit.part->ddr_gbps},
          {"ddr_gbps_used", fit.ddr_gbps_used},
          {"ddr_gbps_ceiling", fit.ddr_gbps_limit}};
}

}  // namespace qflow
