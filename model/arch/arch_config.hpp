// The architecture config (DESIGN section 4): clock, per-layer PE x SIMD folding, FIFO depths,
// skip placement and DRAM timing, as one JSON file read by the model and its reports.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "arch/circuit_cost.hpp"
#include "faults/secded.hpp"
#include "package/package.hpp"

namespace qflow {

// Where a conv layer's weights live: its on-chip ROM, or DRAM, streamed into a weight buffer once
// per band of output rows (DESIGN section 4).
enum class WeightPlacement { Rom, Ddr };

struct ConvArch {
  int pe = 1;          // output channels per cycle
  int simd = 1;        // input elements (channel x tap) per cycle
  bool cosim = false;  // run this layer's MACs through the Verilated RTL
  int fifo_depth_rows = 0;  // its output FIFOs' depth; 0: the config's fifo_depth_rows
  MultiplierImpl multipliers = MultiplierImpl::Dsp;  // where its MACs and requant multiply (resources only)
  WeightPlacement weights = WeightPlacement::Rom;
  int band_rows = 1;   // weights on DDR: output rows computed per pass over the weights
  // Its ROM's words: check bits per 64 data bits that detect (parity) or correct (SECDED) upsets.
  WordProtection rom_protection = WordProtection::None;
  WordProtection line_buffer_protection = WordProtection::None;  // the same for its line buffer's rows
};

enum class SkipPlacement { OnChip, Dram };

struct DramConfig {
  double latency_ns = 100.0;     // per transaction
  double bandwidth_gbps = 12.8;  // GB/s, the channel's peak
  double efficiency = 1.0;       // the share of the peak a stream of bursts sustains (refresh, page misses, turnarounds)
  int burst_bytes = 64;          // the channel moves whole bursts (DDR4 x64, burst of 8: 64 bytes)
  int size_mib = 64;
  double sustained_gbps() const { return bandwidth_gbps * efficiency; }
};

struct ArchConfig {
  double clock_mhz = 200.0;
  double quantum_ns = 1000.0;  // how far the DMA may run ahead of simulated time
  int fifo_depth_rows = 2;     // between neighbouring units, in rows of the map (per conv: ConvArch)
  SkipPlacement skips = SkipPlacement::OnChip;
  // Two narrow MACs sharing an activation in one DSP48E2 (Xilinx WP486), for layers of DSP
  // multipliers whose weights and activations are 8 bits or fewer (resources only).
  bool dsp_packing = false;
  DramConfig dram;
  std::map<std::string, ConvArch> convs;  // by conv layer name, every conv of the package
  // Depths in rows by channel name ("conv1_to_conv2", a skip buffer's "conv3_1_to_concat3", ...):
  // what `run --size-fifos` writes; they override the per-layer and default depths.
  std::map<std::string, int> fifo_depths;

  double period_ns() const { return 1000.0 / clock_mhz; }
};

// A JSON file of the architecture side (a config, a parts catalog); throws ArchError naming the
// file when it is missing or not JSON, `what` saying what it should have been.
nlohmann::json read_json_file(const std::filesystem::path& file, const char* what);

// Reads and checks a config file (format, ranges); throws ArchError naming the file and field.
ArchConfig read_arch_config(const std::filesystem::path& file);
void write_arch_config(const std::filesystem::path& file, const ArchConfig& config);
nlohmann::json arch_to_json(const ArchConfig& config);

// Throws ArchError when the config does not fit the package: a conv without folding, a layer
// name the package does not have, a folding wider than the layer.
void check_arch_matches(const ArchConfig& config, const Package& package);

// Co-simulation for "all" or a comma-separated list of conv layer names.
void select_cosim(ArchConfig& config, const Package& package, const std::string& layers);
// Whether any conv layer runs on the Verilated RTL.
bool cosimulates(const ArchConfig& config);

}  // namespace qflow
