// The architecture config (file, checks against a package), the analytic folding model with its
// default derivation, and the weight ROM packing. No simulation.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "array_choice.hpp"

#include "arch/folding_model.hpp"
#include "conv_folding.hpp"
#include "datapath/weight_rom.hpp"
#include "model_error.hpp"
#include "model_test_support.hpp"
#include "test_helpers.hpp"

namespace qflow {
namespace {

using test::error_of;

int64_t interval(const Package& package, const ArchConfig& config) {
  int64_t slowest = 0;
  for (const LayerPlan& p : plan_layers(package, config)) slowest = std::max(slowest, p.cycles);
  return slowest;
}

int64_t multipliers(const Package& package, const ArchConfig& config) {
  int64_t n = 0;
  for (const LayerPlan& p : plan_layers(package, config)) n += p.multipliers();
  return n;
}

TEST(ArchConfig, DefaultFoldingFitsItsBudgetAndBalancesTheLayers) {
  const Package package = flownetq_skeleton({0.25, 128, 128, 8, 8});
  const ArchConfig small = default_arch_config(package, 128), large = default_arch_config(package, 2048);
  EXPECT_NO_THROW(check_arch_matches(small, package));
  EXPECT_LE(multipliers(package, small), 128);
  EXPECT_LE(multipliers(package, large), 2048);
  EXPECT_LT(interval(package, large), interval(package, small));
  // Balanced: no conv layer is more than twice as fast as the slowest, unless it is already at 1x1
  // (halving its multipliers would have been cheaper).
  const int64_t ii = interval(package, large);
  for (const LayerPlan& p : plan_layers(package, large)) {
    if (p.pe > 0 && p.multipliers() > 1) {
      EXPECT_GT(2 * p.cycles, ii) << p.name;
    }
  }
}

TEST(ArchConfig, ATargetIntervalIsMetAsCheaplyAsPossible) {
  const Package package = flownetq_skeleton({0.25, 128, 128, 8, 8});
  const int64_t target = 20000;
  const ArchConfig config = arch_for_interval(package, target);
  for (const LayerPlan& p : plan_layers(package, config)) {
    if (p.pe == 0) continue;
    const Layer& layer = package.layer(p.name);
    // Every folding the co-simulation arrays run.
    const int max_pe = std::min(rtl_config::kFoldingMaxPE, layer.cout), depth = layer.cin * layer.kernel * layer.kernel;
    const auto max_simd = [&](int pe) { return std::min(rtl::max_cosim_simd(pe), depth); };
    int64_t fastest = -1;
    for (int pe = 1; pe <= max_pe; ++pe) {
      const int64_t cycles = conv_row_cycles(layer, p.out.width, pe, max_simd(pe)) * p.out.height;
      fastest = fastest < 0 ? cycles : std::min(fastest, cycles);
    }
    EXPECT_TRUE(p.cycles <= target || p.cycles == fastest) << p.name;
    EXPECT_LE(p.simd, max_simd(p.pe)) << p.name;
    // No folding with fewer multipliers would have reached the target.
    for (int pe = 1; pe <= max_pe; ++pe)
      for (int simd = 1; simd <= max_simd(pe); ++simd)
        if (int64_t(pe) * simd < p.multipliers()) {
          EXPECT_GT(conv_row_cycles(layer, p.out.width, pe, simd) * p.out.height, std::max(target, p.cycles))
              << p.name << " " << pe << "x" << simd;
        }
  }
}

TEST(ArchConfig, ConvCyclesFollowTheFolding) {
  Layer layer;
  layer.op = LayerOp::Conv;
  layer.kernel = 3;
  layer.cin = 20;   // 180 taps: 12 folds of 16
  layer.cout = 10;  // 3 groups of 4
  EXPECT_EQ(conv_row_cycles(layer, 7, 4, 16), 7 * 3 * 12);
  EXPECT_EQ(conv_row_cycles(layer, 7, 1, 1), 7 * 10 * 180);
}

TEST(ArchConfig, RoundTripsThroughItsFile) {
  const Package package = flownetq_skeleton({0.125, 64, 64, 8, 8});
  ArchConfig config = default_arch_config(package);
  config.clock_mhz = 250;
  config.skips = SkipPlacement::Dram;
  config.dram.latency_ns = 80;
  config.convs["conv2"].cosim = true;
  config.convs["conv1"].fifo_depth_rows = 6;
  const auto file = test::temp_dir("arch") / "arch.json";
  write_arch_config(file, config);
  const ArchConfig back = read_arch_config(file);
  EXPECT_EQ(arch_to_json(back), arch_to_json(config));
}

void write_text(const std::filesystem::path& file, const std::string& text) { std::ofstream(file) << text; }

TEST(ArchConfig, BadFilesNameTheProblem) {
  const auto dir = test::temp_dir("bad-arch");
  // Writes `text` as `name` and expects reading it to fail with a message holding `part`.
  const auto expect_refused = [&](const std::string& name, const std::string& text, const std::string& part) {
    write_text(dir / name, text);
    EXPECT_NE(error_of([&] { read_arch_config(dir / name); }).find(part), std::string::npos) << name;
  };
  EXPECT_NE(error_of([&] { read_arch_config(dir / "none.json"); }).find("none.json: missing or unreadable"),
            std::string::npos);
  expect_refused("a.json", "{ not json", "a.json: not valid JSON");
  expect_refused("b.json", R"({"format": "qflow-package", "version": 1})", "not a qflow architecture config");
  expect_refused("c.json", R"({"format": "qflow-arch", "version": 1, "skip_buffers": "sram"})", "skip_buffers is 'sram'");
  expect_refused("d.json", R"({"format": "qflow-arch", "version": 1, "layers": {"conv1": {"pe": 0, "simd": 4}}})", "layer 'conv1': pe and simd must be at least 1");
  expect_refused("f.json", R"({"format": "qflow-arch", "version": 1, "clock_mhzz": 100})", "unknown key 'clock_mhzz' (known: format");
  expect_refused("g.json", R"({"format": "qflow-arch", "version": 1, "layers": {"conv1": {"pe": 2, "simd": 2, "PE": 4}}})", "layer 'conv1': unknown key 'PE'");
  expect_refused("h.json", R"({"format": "qflow-arch", "version": 1, "dram": 5})", "dram: expected an object");
  expect_refused("e.json", R"({"format": "qflow-arch", "version": 1, "clock_mhz": "fast"})", "'clock_mhz' must be a finite number, got \"fast\"");
  // Found by fuzz_arch_json: a format or version of another type, a fraction or an out-of-range
  // number where an integer belongs, were taken (or escaped as a JSON library exception).
  expect_refused("i.json", R"({"format": 100.0, "version": 1})", "not a qflow architecture config");
  expect_refused("j.json", R"({"format": "qflow-arch", "version": "1"})", "unsupported version");
  expect_refused("k.json", R"({"format": "qflow-arch", "version": 1, "layers": {"conv1": {"pe": 1.5, "simd": 2}}})", "layer 'conv1': 'pe' must be an integer, got 1.5");
  expect_refused("l.json", R"({"format": "qflow-arch", "version": 1, "fifo_depth_rows": 99999999999})", "'fifo_depth_rows' must be an integer in range");
  expect_refused("m.json", R"({"format": "qflow-arch", "version": 1, "layers": {"conv1": {"pe": 1, "simd": 1, "cosim": 1}}})", "'cosim' must be true or false");
}

TEST(ArchConfig, MismatchWithThePackageIsRefused) {
  const Package package = flownetq_skeleton({0.125, 64, 64, 8, 8});
  ArchConfig config = default_arch_config(package);
  config.convs["conv9"] = {1, 1, false};
  EXPECT_NE(error_of([&] { check_arch_matches(config, package); }).find("names layer 'conv9', which is not a conv layer"),
            std::string::npos);
  config = default_arch_config(package);
  config.convs["conv1"].pe = 9;  // conv1 has 8 outputs at x0.125
  EXPECT_NE(error_of([&] { check_arch_matches(config, package); }).find("layer 'conv1': pe 9 exceeds its 8 output"),
            std::string::npos);
  EXPECT_NE(error_of([&] { select_cosim(config, package, "conv1,up3"); }).find("'up3' is not a conv layer"),
            std::string::npos);
  select_cosim(config, package, "conv1,predict_flow2");
  EXPECT_TRUE(config.convs["conv1"].cosim);
  EXPECT_TRUE(config.convs["predict_flow2"].cosim);
  EXPECT_FALSE(config.convs["conv2"].cosim);
}

// The ROM holds exactly the weights the array multiplies in each beat of the folding.
// Word g * folds + f, lane p * SIMD + s: output channel g * PE + p's weight at (cin, ky, kx) index
// f * SIMD + s, zero past the channels or the taps.
TEST(WeightRom, WordsAreTheFoldedWeights) {
  const RandomPackage r = test::small_package(5, 4);
  for (const char* name : {"conv1", "conv3_1", "predict_flow2"}) {
    const Layer& layer = r.package.layer(name);
    const int depth = layer.cin * layer.kernel * layer.kernel;
    for (const auto& [pe, simd] : std::vector<std::pair<int, int>>{{1, 1}, {3, 5}, {4, 16}}) {
      const WeightRom rom(layer, pe, simd);
      const int folds = (depth + simd - 1) / simd;
      ASSERT_EQ(rom.words(), (layer.cout + pe - 1) / pe * folds);
      for (int w = 0; w < rom.words(); ++w)
        for (int p = 0; p < pe; ++p)
          for (int s = 0; s < simd; ++s) {
            const int co = (w / folds) * pe + p, e = (w % folds) * simd + s;
            const int expected = co < layer.cout && e < depth ? layer.weights[size_t(co) * depth + e] : 0;
            ASSERT_EQ(rom.word(w)[p * simd + s], expected) << name << " word " << w << " lane " << p * simd + s;
          }
    }
  }
}

TEST(WeightRom, ReadmemhImageHoldsEveryLane) {
  const RandomPackage r = test::small_package(3, 4);
  const WeightRom rom(r.package.layer("conv2"), 4, 8);
  const auto file = test::temp_dir("rom") / "conv2.mem";
  rom.write_readmemh(file);
  std::ifstream in(file);
  int words = 0;
  for (std::string line; std::getline(in, line); ++words) {
    ASSERT_EQ(line.size(), size_t((rom.word_bits() + 3) / 4));
    for (int lane = 0; lane < 32; ++lane) {
      int code = 0;
      for (int b = 0; b < 3; ++b) {
        const int bit = lane * 3 + b, digit = int(line.size()) - 1 - bit / 4;
        const int nibble = std::stoi(std::string(1, line[size_t(digit)]), nullptr, 16);
        code |= ((nibble >> (bit % 4)) & 1) << b;
      }
      ASSERT_EQ(int8_t(code << 5) >> 5, rom.word(words)[lane]) << "word " << words << " lane " << lane;
    }
  }
  EXPECT_EQ(words, rom.words());
}

}  // namespace
}  // namespace qflow
