// Fault injection, as a user debugs a bitstream: the PEs' ROMs loaded from $readmemh images give the
// package's codes, and one flipped word shows first at its own layer, every earlier layer equal.
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "datapath/weight_rom.hpp"
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

}  // namespace
}  // namespace qflow
