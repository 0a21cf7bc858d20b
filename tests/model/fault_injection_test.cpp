// Fault injection, as a user debugs a bitstream: the PEs' ROMs loaded from $readmemh images give the
// package's codes, and one flipped word shows first at its own layer, every earlier layer equal.
// Then soft errors at a time of the frame (model/faults): each site's upset changes exactly the
// layers from the one that reads it on, and ROM words under parity or SECDED are read through
// their code.
#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "arch/run_plan.hpp"
#include "datapath/weight_rom.hpp"
#include "faults/fault.hpp"
#include "model_test_support.hpp"
#include "test_helpers.hpp"

namespace qflow {
namespace {

using test::pair_input;
using test::small_package;

// Flips the sign bit of lane 0 in word `word` of a ROM image of `w_bits`-bit weights.
void flip_sign_bit(const std::filesystem::path& image, int word, int w_bits) {
  std::vector<std::string> lines;
  std::ifstream in(image);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string& hex = lines.at(size_t(word));
  char& digit = hex[hex.size() - 1 - size_t((w_bits - 1) / 4)];
  const int value = std::stoi(std::string(1, digit), nullptr, 16) ^ (1 << ((w_bits - 1) % 4));
  digit = "0123456789abcdef"[value];
  std::ofstream out(image);
  for (const std::string& line : lines) out << line << '\n';
}

// The package's ROM images written, `edit` applied to them, the frame simulated with the PEs'
// ROMs loaded from them.
template <class Edit>
SimulationResult simulate_with_rom_images(const RandomPackage& r, const std::string& name, Edit edit) {
  const ArchConfig config = default_arch_config(r.package, 256);
  SimulationOptions options;
  options.rom_images = test::temp_dir(name);
  write_rom_images(r.package, config, options.rom_images);
  edit(options.rom_images);
  return simulate(r.package, config, pair_input(r), options);
}

TEST(FaultInjection, RomImagesLoadedBackGiveThePackagesCodes) {
  const RandomPackage r = small_package(6, 6);
  const SimulationResult result = simulate_with_rom_images(r, "roms-ok", [](const std::filesystem::path&) {});
  test::expect_codes_equal(r.package, r.codes, result.layers);
}

TEST(FaultInjection, AFlippedRomWordShowsFirstAtItsLayer) {
  const RandomPackage r = small_package(8, 8);
  const SimulationResult result = simulate_with_rom_images(
      r, "roms-flipped", [](const std::filesystem::path& dir) { flip_sign_bit(dir / "conv3.mem", 0, 8); });
  bool reached = false;
  for (size_t i = 0; i < r.package.layers.size(); ++i) {
    const bool same = result.layers[i].codes == r.codes[i].codes;
    if (r.package.layers[i].name == "conv3") {
      EXPECT_FALSE(same) << "the flipped word of conv3's ROM changed none of its codes";
      reached = true;
      break;
    }
    EXPECT_TRUE(same) << r.package.layers[i].name << " differs before the faulty layer";
  }
  EXPECT_TRUE(reached);
}

// The first layer whose codes differ from the reference's ("" if none).
std::string first_differing_layer(const RandomPackage& r, const SimulationResult& result) {
  for (size_t i = 0; i < r.package.layers.size(); ++i)
    if (result.layers.at(i).codes != r.codes[i].codes) return r.package.layers[i].name;
  return "";
}

// The frame of the small package with one fault armed, at the middle of the slowest layer's
// cycles: every unit is then mid-frame, its line buffers and skip buffers holding rows.
struct FaultRun {
  RandomPackage r = test::small_package(8, 8);
  SimulationResult result;
  std::string failure;
  explicit FaultRun(Fault fault, WordProtection protection = WordProtection::None) {
    ArchConfig config = default_arch_config(r.package, 256);
    for (auto& [name, conv] : config.convs) conv.rom_protection = conv.line_buffer_protection = protection;
    const RunPlan plan(r.package, config);
    if (fault.cycle < 0) {
      int64_t slowest = 0;
      for (const LayerPlan& l : plan.layers) slowest = std::max(slowest, l.cycles);
      fault.cycle = slowest / 2;
    }
    SimulationOptions options;
    options.faults = {fault};
    result = simulate(plan, pair_input(r), options, failure);
  }
};

Fault at_mid_frame(const std::string& spec) {
  Fault f = parse_fault(spec + "@0");
  f.cycle = -1;
  return f;
}

TEST(FaultInjection, ARomUpsetShowsFirstAtItsLayer) {
  const FaultRun run(parse_fault("rom:conv3:word=0:bit=7@1"));
  ASSERT_EQ(run.failure, "");
  EXPECT_EQ(first_differing_layer(run.r, run.result), "conv3");
}

TEST(FaultInjection, ALineBufferUpsetShowsFirstAtItsLayer) {
  const FaultRun run(at_mid_frame("line:conv3_1:row=0:element=5:bit=7"));
  ASSERT_EQ(run.failure, "");
  EXPECT_TRUE(run.result.faults_injected.at(0));
  EXPECT_EQ(first_differing_layer(run.r, run.result), "conv3_1");
}

TEST(FaultInjection, ASkipBufferUpsetShowsFirstAtTheConcatReadingIt) {
  const FaultRun run(at_mid_frame("fifo:conv2_to_cat2:row=0:element=3:bit=7"));
  ASSERT_EQ(run.failure, "");
  EXPECT_EQ(first_differing_layer(run.r, run.result), "cat2");
}

TEST(FaultInjection, AnAccumulatorUpsetShowsFirstAtItsLayer) {
  const FaultRun run(at_mid_frame("acc:conv3_1:element=0:bit=20"));
  ASSERT_EQ(run.failure, "");
  EXPECT_EQ(first_differing_layer(run.r, run.result), "conv3_1");
}

TEST(FaultInjection, AFlowAddressUpsetLeavesTheLayersButNotTheFlowTheHostReads) {
  const FaultRun run(parse_fault("csr:flow_addr:bit=12@1"));
  ASSERT_EQ(run.failure, "");
  EXPECT_EQ(first_differing_layer(run.r, run.result), "");
  EXPECT_NE(run.result.frames.at(0).flow_head.codes, run.r.codes.back().codes);
}

TEST(FaultInjection, ParityOnTheRomDetectsASingleBitUpset) {
  const FaultRun run(parse_fault("rom:conv3:word=0:bit=7@1"), WordProtection::Parity);
  EXPECT_NE(run.failure.find("memory error detected in layer 'conv3''s weight ROM: word 0, bits 0..63: parity error"),
            std::string::npos)
      << run.failure;
}

TEST(FaultInjection, SecdedOnTheRomCorrectsASingleBitUpset) {
  const FaultRun run(parse_fault("rom:conv3:word=0:bit=7@1"), WordProtection::Secded);
  ASSERT_EQ(run.failure, "");
  EXPECT_EQ(first_differing_layer(run.r, run.result), "");
}

TEST(FaultInjection, SecdedOnTheRomDetectsADoubleBitUpset) {
  const FaultRun run(parse_fault("rom:conv3:word=0:bit=7:burst=2@1"), WordProtection::Secded);
  EXPECT_NE(run.failure.find("uncorrectable ECC error"), std::string::npos) << run.failure;
}

TEST(FaultInjection, SecdedOnTheLineBufferCorrectsASingleBitUpset) {
  const FaultRun run(at_mid_frame("line:conv3_1:row=0:element=5:bit=7"), WordProtection::Secded);
  ASSERT_EQ(run.failure, "");
  EXPECT_TRUE(run.result.faults_injected.at(0));
  EXPECT_EQ(first_differing_layer(run.r, run.result), "");
}

TEST(FaultInjection, ParityOnTheLineBufferDetectsASingleBitUpset) {
  const FaultRun run(at_mid_frame("line:conv3_1:row=0:element=5:bit=7"), WordProtection::Parity);
  EXPECT_NE(run.failure.find("memory error detected in layer 'conv3_1''s line buffer"), std::string::npos) << run.failure;
}

TEST(FaultInjection, AFaultAtASiteThatDoesNotExistIsRefused) {
  const FaultRun run(parse_fault("line:conv3_1:row=99:element=5:bit=7@1"));
  EXPECT_NE(run.failure.find("holds 0 rows, no row 99"), std::string::npos) << run.failure;
}

}  // namespace
}  // namespace qflow
