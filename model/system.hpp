// A whole simulated system: the host driver (CPU thread), the accelerator and the DRAM, bound over
// TLM-2.0, run for one or more frames of one image pair. SystemC elaborates once per process, so
// simulate() may be called once per process.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "arch/arch_config.hpp"
#include "arch/run_plan.hpp"
#include "faults/fault.hpp"
#include "driver/host_driver.hpp"
#include "flow/image_pair.hpp"
#include "ref/reference.hpp"

namespace qflow {

struct SimulationOptions {
  int frames = 1;
  std::filesystem::path vcd;               // empty: no waves
  std::function<void(double)> progress;    // fraction of the current frame done
  std::filesystem::path rom_images;        // load every PE's ROM from <dir>/<layer>.mem ($readmemh)
  bool record_layers = true;               // keep every layer's codes (SimulationResult::layers)
  std::vector<std::optional<Fault>> faults;  // per frame: a soft error to inject (model/faults)
  // A campaign's faults: one that finds nothing live where it strikes is masked, and the host runs
  // each frame as a campaign's (HostJob::campaign: the pair reloaded, the flow buffer cleared, a
  // frame ending with the error status recorded and the next one run).
  bool drawn_faults = false;
};

struct LayerActivity {                     // one package layer in the last frame, in cycles
  int64_t busy = 0, stall = 0, starve = 0, weight_wait = 0;
  int64_t first_start = 0, last_end = 0;   // since the pipeline started
  bool cosim = false;
  uint64_t rtl_cycles = 0, rtl_array_cycles = 0;  // co-simulated: the rows' cycles, and the array's share
  int64_t rom_bits = 0;
  std::string row_kernel;                  // what computes a conv PE's rows on this host ("" otherwise)
};

struct ChannelInfo {
  std::string name;
  int depth = 0;                           // rows
  int peak = 0;                            // the most rows it held
  int64_t row_bits = 0;                    // one row of the map it carries
  bool skip = false;
  std::vector<std::pair<int64_t, int>> levels;  // (cycle since the pipeline started, rows held), last frame
};

// A pipeline unit's last frame as stretches of one state: 'B' busy, 'S' stalled, 'W' starved.
struct UnitTimeline {
  std::string name;
  struct Span {
    char state;
    int64_t start, end;  // cycles since the pipeline started
  };
  std::vector<Span> spans;
};

struct DramUse {                           // one DMA transfer of the last frame
  std::string master;                      // "input", "flow", "skip <edge>", "weights <layer>"
  int64_t start = 0, end = 0;              // cycles since the pipeline started: issued, completed
  uint64_t bytes = 0;
};

struct SimulationResult {
  LayerCodes layers;                       // the codes each layer's unit emitted, package order (last
                                           // frame); empty unless options.record_layers
  std::vector<HostFrame> frames;           // what the host read back, per frame
  std::vector<LayerActivity> activity;     // per package layer
  std::vector<ChannelInfo> channels;
  std::vector<UnitTimeline> timeline;      // every unit, in pipeline order
  uint64_t frame_cycles = 0;
  uint64_t input_dma_cycles = 0;           // the input streamer's: the pair's rows over the DMA
  uint64_t dma_read_bytes = 0, dma_written_bytes = 0;  // the accelerator's, last frame
  std::map<std::string, uint64_t> dma_bytes_by_master;  // the same by master: input, flow, skips, weights
  std::vector<DramUse> dram_use;           // the same transfer by transfer, over the frame
  std::vector<bool> faults_injected;       // per frame started, with faults armed: whether its fault was
};

// Throws ArchError when the config does not fit the package, SimulationError when the frame
// fails (deadlock, DMA error, co-simulation mismatch, a fault that cannot be injected),
// FlowIoError when the pair does not fit.
SimulationResult simulate(const RunPlan& plan, const ImagePair& pair, const SimulationOptions& options = {});
// The same without throwing once SystemC has run: `failure` says why the frames did not complete
// (the result then holds only the frames that completed). After a simulation, AddressSanitizer's view of the main thread's stack
// is stale (SystemC switched stacks behind its back), so an exception unwinding it there reports a
// false overflow; a command line reports the failure through this instead.
SimulationResult simulate(const RunPlan& plan, const ImagePair& pair, const SimulationOptions& options,
                          std::string& failure);
// Where a run with waves in `vcd` puts its co-simulated layers' RTL waves: <vcd's folder>/rtl, one
// FST per Verilated unit (<layer>_mac_array.fst, <layer>_requant.fst).
std::filesystem::path rtl_waves_dir(const std::filesystem::path& vcd);
// The same with the run's plan made here (tests, benchmarks).
SimulationResult simulate(const Package& package, const ArchConfig& config, const ImagePair& pair,
                          const SimulationOptions& options = {});

}  // namespace qflow
