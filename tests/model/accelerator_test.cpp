// The accelerator model end to end (host driver -> CSRs -> DMA -> pipeline -> DRAM -> host) against
// the sw reference, bit for bit, and its cycles against the analytic folding model. SystemC
// elaborates once per process: every test here is one simulation (gtest_discover_tests).
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "conv_folding.hpp"
#include "array_choice.hpp"
#include "qflow/rtl_config.hpp"
#include "datapath/weight_rom.hpp"
#include "model_error.hpp"
#include "model_test_support.hpp"
#include "report/latency_report.hpp"
#include "test_helpers.hpp"

namespace qflow {
namespace {

using test::expect_codes_equal;
using test::pair_input;
using test::small_package;

struct Bits {
  int w, a;
  bool ddr = false;  // some layers' weights streamed from DRAM, in bands
};
void PrintTo(const Bits& b, std::ostream* os) { *os << "W" << b.w << "A" << b.a << (b.ddr ? " DDR" : ""); }

class AcceleratorBitExact : public ::testing::TestWithParam<Bits> {};

TEST_P(AcceleratorBitExact, EveryLayerAndTheFlowMatchTheReference) {
  const RandomPackage r = small_package(GetParam().w, GetParam().a);
  ArchConfig config = default_arch_config(r.package, 256);
  if (GetParam().ddr) {
    for (const auto& [layer, band] : {std::pair{"conv1", 4}, std::pair{"conv3_1", 1}, std::pair{"deconv2", 2}}) {
      config.convs.at(layer).weights = WeightPlacement::Ddr;
      config.convs.at(layer).band_rows = band;
    }
  }
  const SimulationResult result = simulate(r.package, config, pair_input(r));
  expect_codes_equal(r.package, r.codes, result.layers);
  if (GetParam().ddr) {
    EXPECT_GT(result.dma_bytes_by_master.at("weights deconv2"), 0u);
  }
  ASSERT_EQ(result.frames.size(), 1u);
  // The flow went through DRAM and came back to the host unchanged.
  EXPECT_EQ(result.frames[0].flow_head.codes, r.codes.back().codes);

  // Cycles, counted by another route than the plan the model runs: a conv PE spends one cycle per
  // ROM word per output pixel (its weight ROM, packed for its folding, has groups x folds words),
  // an upsample unit one cycle per pixel and a concat none (it is wiring), with pixel counts from
  // the reference's own maps. The CSR counters the host read back say the same.
  int64_t slowest = 0;
  for (size_t i = 0; i < r.package.layers.size(); ++i) {
    const Layer& layer = r.package.layers[i];
    const CodeMap& map = r.codes[i];
    int64_t per_pixel = layer.op == LayerOp::Concat ? 0 : 1;
    if (layer.is_conv()) {
      const ConvArch& arch = config.convs.at(layer.name);
      per_pixel = WeightRom(layer, arch.pe, arch.simd).words();
      // Every MAC of the layer fits in those cycles, and no more than a fold's padding is idle.
      const int64_t macs = int64_t(layer.cout) * layer.cin * layer.kernel * layer.kernel;
      EXPECT_GE(per_pixel * arch.pe * arch.simd, macs) << layer.name;
    }
    const int64_t expected = per_pixel * map.height * map.width;
    EXPECT_EQ(result.activity[i].busy, expected) << layer.name;
    EXPECT_EQ(result.frames[0].layer_busy.at(i), uint64_t(result.activity[i].busy)) << layer.name;
    slowest = std::max(slowest, expected);
  }
  EXPECT_EQ(result.frames[0].cycles, result.frame_cycles);
  EXPECT_GE(int64_t(result.frame_cycles), slowest);
  // A unit stalls only on a full FIFO, and the FIFOs' peaks show it.
  bool stalled = false, some_full = false;
  for (const LayerActivity& a : result.activity) stalled = stalled || a.stall > 0;
  for (const ChannelInfo& c : result.channels) some_full = some_full || (!c.skip && c.peak == c.depth);
  EXPECT_TRUE(!stalled || some_full);
}

// With a DRAM far slower than the pixel rate, the input streamer's time is the DMA's: per row two
// reads (one per image) of W x 3 bytes, one after the other, each paying the bytes' transfer time and
// the latency. Only the flow writer shares the DRAM, and it can delay the input by at most its
// own bytes' transfer time.
TEST(Accelerator, TheInputStreamerWaitsForASlowDram) {
  const RandomPackage r = small_package(8, 8);
  ArchConfig config = default_arch_config(r.package, 256);
  config.dram.bandwidth_gbps = 0.1;  // 10 ns a byte
  const SimulationResult result = simulate(r.package, config, pair_input(r));
  expect_codes_equal(r.package, r.codes, result.layers);
  const double period_ns = config.period_ns(), ns_per_byte = 1.0 / config.dram.bandwidth_gbps;
  const double row_ns = 2 * (r.package.width * 3 * ns_per_byte + config.dram.latency_ns);
  ASSERT_GT(row_ns, r.package.width * period_ns);  // the DRAM, not the pixel rate, sets the pace
  const double dma_cycles = r.package.height * std::ceil(row_ns / period_ns);
  const double flow_cycles = double(r.codes.back().codes.size()) * 2 * ns_per_byte / period_ns;
  EXPECT_GE(double(result.input_dma_cycles), dma_cycles);
  EXPECT_LE(double(result.input_dma_cycles), dma_cycles + flow_cycles + r.package.height);
}

INSTANTIATE_TEST_SUITE_P(Widths, AcceleratorBitExact,
                         ::testing::Values(Bits{8, 8}, Bits{6, 5}, Bits{4, 4}, Bits{3, 2}, Bits{2, 8}, Bits{8, 8, true},
                                           Bits{4, 4, true}, Bits{3, 2, true}),
                         [](const ::testing::TestParamInfo<Bits>& p) {
                           return "W" + std::to_string(p.param.w) + "A" + std::to_string(p.param.a) +
                                  (p.param.ddr ? "_ddr" : "");
                         });

// Layers whose weights stream from DRAM (one of them co-simulated) compute with what they fetched,
// bit for bit, and wait for it as the analytic model says (within 5 %: the model charges the DRAM
// latency once per channel group, the simulation once per fetch).
TEST(Accelerator, WeightsStreamedFromDramAreBitExactAndTimedAsModelled) {
  const RandomPackage r = small_package(6, 5);
  ArchConfig config = default_arch_config(r.package, 256);
  for (const auto& [layer, band] : {std::pair{"conv2", 2}, std::pair{"conv4_1", 1}, std::pair{"deconv3", 3}}) {
    config.convs.at(layer).weights = WeightPlacement::Ddr;
    config.convs.at(layer).band_rows = band;
  }
  config.convs.at("conv4_1").cosim = true;
  config.dram.bandwidth_gbps = 0.2;  // slow enough that the waits show
  const RunPlan plan(r.package, config);
  const SimulationResult result = simulate(plan, pair_input(r));
  expect_codes_equal(r.package, r.codes, result.layers);
  int streamed = 0;
  for (size_t i = 0; i < plan.layers.size(); ++i) {
    const LayerPlan& p = plan.layers[i];
    if (!p.weights_in_ddr) {
      EXPECT_EQ(result.activity[i].weight_wait, 0) << p.name;
      continue;
    }
    ++streamed;
    ASSERT_GT(p.weight_wait_cycles, 0) << p.name;
    EXPECT_NEAR(double(result.activity[i].weight_wait), double(p.weight_wait_cycles), 0.05 * double(p.weight_wait_cycles))
        << p.name;
  }
  EXPECT_EQ(streamed, 3);
  // Every fetch went through the DMA, counted by master: each layer's image once per band, one
  // transfer each, over the frame (what the DRAM-use chart draws), in band order.
  for (const LayerPlan& p : plan.layers) {
    if (!p.weights_in_ddr) continue;
    EXPECT_EQ(int64_t(result.dma_bytes_by_master.at("weights " + p.name)), p.ddr_weight_bytes) << p.name;
    std::vector<const DramUse*> fetches;
    for (const DramUse& u : result.dram_use)
      if (u.master == "weights " + p.name) fetches.push_back(&u);
    ASSERT_EQ(int64_t(fetches.size()), (p.out.height + p.band_rows - 1) / p.band_rows) << p.name;
    for (size_t b = 0; b < fetches.size(); ++b) {
      EXPECT_EQ(int64_t(fetches[b]->bytes), p.weight_bytes) << p.name;
      EXPECT_LT(fetches[b]->start, fetches[b]->end) << p.name;
      if (b > 0) {
        EXPECT_GT(fetches[b]->start, fetches[b - 1]->start) << p.name;
      }
    }
  }
  EXPECT_EQ(result.dma_bytes_by_master.at("input"), 2u * 3 * 64 * 64);
  uint64_t moved = 0;
  for (const DramUse& u : result.dram_use) moved += u.bytes;
  EXPECT_EQ(moved, result.dma_read_bytes + result.dma_written_bytes);
}

// With room for every row nothing stalls, and every unit's time from its first row to its last is
// its modeled busy cycles plus the waits for input rows it could not yet have.
TEST(Accelerator, DeepFifosNeverStallAndTimeAddsUp) {
  const RandomPackage r = small_package(8, 8);
  ArchConfig config = default_arch_config(r.package, 256);
  config.fifo_depth_rows = 64;  // room for every row: nothing ever stalls
  const SimulationResult result = simulate(r.package, config, pair_input(r));
  const std::vector<LayerPlan> plans = plan_layers(r.package, config);
  // The room was used: the input streamer ran more rows ahead than the default depth allows.
  int deepest = 0;
  for (const ChannelInfo& c : result.channels) deepest = std::max(deepest, c.peak);
  EXPECT_GT(deepest, default_arch_config(r.package, 256).fifo_depth_rows);
  for (size_t i = 0; i < plans.size(); ++i) {
    EXPECT_EQ(result.activity[i].stall, 0) << plans[i].name;
    const LayerActivity& a = result.activity[i];
    // Starving before the first row is the wait for its window: first_start cycles after the start.
    EXPECT_EQ(a.last_end - a.first_start, plans[i].cycles + a.starve - a.first_start) << plans[i].name;
  }
}

TEST(Accelerator, ALayersOwnFifoDepthOverridesTheDefault) {
  const RandomPackage r = small_package(8, 8);
  ArchConfig config = default_arch_config(r.package, 256);
  config.fifo_depth_rows = 1;
  config.convs["conv1"].fifo_depth_rows = 32;  // all of conv1's rows
  const SimulationResult result = simulate(r.package, config, pair_input(r));
  expect_codes_equal(r.package, r.codes, result.layers);
  for (const ChannelInfo& c : result.channels) {
    if (!c.skip) {
      EXPECT_EQ(c.depth, c.name == "conv1_to_conv2" ? 32 : 1) << c.name;
    }
  }
  EXPECT_EQ(result.activity[0].stall, 0);  // conv1 never waits for conv2
}

TEST(Accelerator, CosimulatesEveryLayerOnTheRtlBitExactly) {
  const RandomPackage r = small_package(5, 3, 0.0625);
  ArchConfig config = default_arch_config(r.package, 128);
  select_cosim(config, r.package, "all");
  const std::filesystem::path waves = test::temp_dir("cosim-waves") / "cosim.vcd";
  SimulationOptions options;
  options.vcd = waves;
  const SimulationResult result = simulate(r.package, config, pair_input(r), options);
  expect_codes_equal(r.package, r.codes, result.layers);
  EXPECT_EQ(result.frames[0].flow_head.codes, r.codes.back().codes);
  const std::vector<LayerPlan> plans = plan_layers(r.package, config);
  for (size_t i = 0; i < plans.size(); ++i) {
    const Layer& layer = r.package.layers[i];
    if (!layer.is_conv()) continue;
    // Each row starts and ends empty: the model's steady-state cycles plus its fill, exactly where
    // the requant unit keeps up with the array (a group's channels within its folds), more where
    // it does not (the array then stalls on the requant unit's bank).
    const rtl::ConvFolding f{plans[i].pe, plans[i].simd};
    const int64_t fill = conv_row_fill(layer, plans[i].pe) * plans[i].out.height;
    if (f.folds(layer) >= std::min(f.pe, layer.cout))
      EXPECT_EQ(int64_t(result.activity[i].rtl_cycles), plans[i].row_cycles * plans[i].out.height + fill) << plans[i].name;
    else
      EXPECT_GE(int64_t(result.activity[i].rtl_cycles), plans[i].cycles) << plans[i].name;
    EXPECT_GT(result.activity[i].rtl_array_cycles, 0u) << plans[i].name;
    EXPECT_LT(result.activity[i].rtl_array_cycles, result.activity[i].rtl_cycles) << plans[i].name;
    // The PE computed its rows on the RTL inside the pipeline: its busy time is the RTL's cycles.
    EXPECT_EQ(uint64_t(result.activity[i].busy), result.activity[i].rtl_cycles) << plans[i].name;
    // Each Verilated unit wrote its own waves, Verilator's FST, beside the run's VCD.
    for (const char* unit : {"_mac_array.fst", "_requant.fst"}) {
      const std::filesystem::path fst = rtl_waves_dir(waves) / (layer.name + unit);
      EXPECT_TRUE(std::filesystem::exists(fst) && std::filesystem::file_size(fst) > 0) << fst;
    }
  }
}

TEST(Accelerator, CosimulatesChosenLayersAndTheFastPathFeedsThem) {
  const RandomPackage r = small_package(7, 6);
  ArchConfig config = default_arch_config(r.package, 256);
  select_cosim(config, r.package, "conv2,deconv3,predict_flow2");
  const SimulationResult result = simulate(r.package, config, pair_input(r));
  expect_codes_equal(r.package, r.codes, result.layers);
  for (size_t i = 0; i < r.package.layers.size(); ++i) {
    const std::string& name = r.package.layers[i].name;
    const bool cosim = name == "conv2" || name == "deconv3" || name == "predict_flow2";
    EXPECT_EQ(result.activity[i].cosim, cosim) << name;
    // The report says what computed each PE's rows: the RTL, or one of the fast kernels.
    const std::string& kernel = result.activity[i].row_kernel;
    if (!r.package.layers[i].is_conv())
      EXPECT_EQ(kernel, "") << name;
    else if (cosim)
      EXPECT_EQ(kernel.rfind("rtl:", 0), 0u) << name << ": " << kernel;
    else
      EXPECT_TRUE(kernel.rfind("onednn:", 0) == 0 || kernel.rfind("exact:", 0) == 0) << name << ": " << kernel;
  }
}

TEST(Accelerator, SkipBuffersInDramGiveTheSameCodesAndCostTraffic) {
  const RandomPackage r = small_package(8, 8);
  ArchConfig config = default_arch_config(r.package, 256);
  config.skips = SkipPlacement::Dram;
  const SimulationResult result = simulate(r.package, config, pair_input(r));
  expect_codes_equal(r.package, r.codes, result.layers);
  // Each skip map goes out and comes back: one byte per code, besides reading the pair and writing
  // the flow.
  int64_t skip_bytes = 0;
  for (const Layer& layer : r.package.layers)
    if (layer.op == LayerOp::Concat)  // its first input is the encoder's skip
      for (size_t i = 0; i < r.package.layers.size(); ++i)
        if (r.package.layers[i].name == layer.inputs[0]) skip_bytes += int64_t(r.codes[i].codes.size());
  const int64_t pair_bytes = 2 * 3 * 64 * 64, flow_bytes = int64_t(r.codes.back().codes.size()) * 2;
  EXPECT_EQ(int64_t(result.dma_read_bytes), pair_bytes + skip_bytes);
  EXPECT_EQ(int64_t(result.dma_written_bytes), skip_bytes + flow_bytes);
  const nlohmann::json report = latency_report(RunPlan(r.package, config), result);
  EXPECT_EQ(report["memory"]["skip_bits"], 0);
  EXPECT_GT(report["memory"]["skip_bits_in_dram"].get<int64_t>(), 0);
}

TEST(Accelerator, FramesRepeatIdentically) {
  const RandomPackage r = small_package(4, 5);
  SimulationOptions options;
  options.frames = 3;
  const SimulationResult result = simulate(r.package, default_arch_config(r.package), pair_input(r), options);
  ASSERT_EQ(result.frames.size(), 3u);
  for (const HostFrame& frame : result.frames) {
    EXPECT_EQ(frame.flow_head.codes, r.codes.back().codes);
    EXPECT_EQ(frame.cycles, result.frames[0].cycles);
  }
}

TEST(Accelerator, WavesHoldThePipelineSignals) {
  const RandomPackage r = small_package(8, 8);
  const std::filesystem::path waves = test::temp_dir("waves") / "frame.vcd";
  SimulationOptions options;
  options.vcd = waves;
  simulate(r.package, default_arch_config(r.package), pair_input(r), options);
  std::ifstream vcd(waves);
  ASSERT_TRUE(vcd) << waves;
  std::stringstream text;
  text << vcd.rdbuf();
  for (const char* signal : {"$scope module conv1", "busy", "stalled", "starved", "row", "$scope module fifo",
                             "level", "$scope module csr", "status", "irq", "$scope module dram", "input", "flow"})
    EXPECT_NE(text.str().find(signal), std::string::npos) << signal;
  EXPECT_NE(text.str().find("#"), std::string::npos);  // time advanced and values changed
}

TEST(Accelerator, RefusesAConfigOfAnotherPackage) {
  const RandomPackage r = small_package(8, 8);
  ArchConfig config = default_arch_config(r.package);
  config.convs.erase("conv3");
  EXPECT_NE(test::error_of([&] { simulate(r.package, config, pair_input(r)); })
                .find("no folding for conv layer 'conv3'"),
            std::string::npos);
}

TEST(Accelerator, RefusesAnInputOfTheWrongSize) {
  const RandomPackage r = small_package(8, 8);
  const ImagePair half{pair_input(r).img1.colRange(0, 32).clone(), pair_input(r).img2.colRange(0, 32).clone()};
  EXPECT_NE(test::error_of([&] { simulate(r.package, default_arch_config(r.package), half); })
                .find("the image pair is 32x64 (WxH) but package"),
            std::string::npos);
}

TEST(Accelerator, ArraySizesAreTheFewestLanesThatHoldTheFolding) {
  const auto choice = [](int pe, int simd) {
    const rtl::ArrayChoice c = rtl::choose_array(pe, simd);
    return fmt::format("{}x{} x{}", c.pe, c.simd, c.tiles);
  };
  EXPECT_EQ(choice(2, 54), "2x64 x1");
  EXPECT_EQ(choice(1, 39), "1x64 x1");
  EXPECT_EQ(choice(8, 20), "8x32 x1");
  EXPECT_EQ(choice(3, 13), "2x16 x2");   // two narrow arrays beat one 4x32 or 8x16
  EXPECT_EQ(choice(40, 8), "16x32 x3");  // the last of three runs 8 of its 16 PE lanes
  // Every folding up to the bounds the optimizer searches has arrays, and none beyond them.
  for (int pe = 1; pe <= rtl_config::kFoldingMaxPE; ++pe) {
    ASSERT_GT(rtl::max_cosim_simd(pe), 0) << pe;
    EXPECT_GT(rtl::choose_array(pe, rtl::max_cosim_simd(pe)).tiles, 0) << pe;
    EXPECT_EQ(rtl::choose_array(pe, rtl::max_cosim_simd(pe) + 1).tiles, 0) << pe;
  }
  EXPECT_EQ(rtl::max_cosim_simd(rtl_config::kFoldingMaxPE + 1), 0);
}

// A PE taller than any array runs on arrays side by side, the last one partly idle: bit-exact, on
// the RTL's cycles.
TEST(Accelerator, CosimulatesAFoldingTallerThanAnyArrayOnArraysSideBySide) {
  const RandomPackage r = small_package(8, 8, 0.5);
  ArchConfig config = default_arch_config(r.package);
  ASSERT_GE(r.package.layer("conv2").cout, 40);
  config.convs["conv2"] = {40, 8, true};
  const SimulationResult result = simulate(r.package, config, pair_input(r));
  expect_codes_equal(r.package, r.codes, result.layers);
  EXPECT_EQ(result.activity[1].row_kernel, "rtl:mac_array 16x32 x3 + requant (Verilated)");
  EXPECT_EQ(uint64_t(result.activity[1].busy), result.activity[1].rtl_cycles);
}

TEST(Accelerator, RefusesToCosimulateAFoldingWiderThanTheArray) {
  const RandomPackage r = small_package(8, 8, 0.5);
  ArchConfig config = default_arch_config(r.package);
  config.convs["conv2"] = {4, rtl_config::kFoldingMaxSIMD + 8, true};
  EXPECT_NE(test::error_of([&] { simulate(r.package, config, pair_input(r)); })
                .find(fmt::format("layer 'conv2': folding 4x{} (PE x SIMD) has no co-simulation array: SIMD up to {} at 4 PE",
                                  rtl_config::kFoldingMaxSIMD + 8, rtl_config::kFoldingMaxSIMD)),
            std::string::npos);
}

}  // namespace
}  // namespace qflow
