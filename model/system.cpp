#include "system.hpp"

#include <cmath>
#include <cstdlib>
#include <map>

#include <fmt/format.h>
#include <omp.h>

#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "accelerator.hpp"
#include "arch/folding_model.hpp"
#include "faults/fault_injector.hpp"
#include "errors.hpp"
#include "memory/dram.hpp"
#include "model_error.hpp"
#include "ref/host_flow.hpp"

namespace qflow {
namespace {

int64_t cycles_of(const sc_core::sc_time& t, const sc_core::sc_time& period) { return int64_t(std::llround(t / period)); }

// A generous bound on a frame's simulated time: every unit one after the other, a hundred times
// over, plus the RTL's own time under co-simulation. Only a deadlock reaches it.
sc_core::sc_time frame_timeout(const Package& package, const ArchConfig& config, const std::vector<LayerPlan>& plans) {
  double cycles = double(package.height) * package.width;
  double rtl_ns = 0;
  for (const LayerPlan& plan : plans) {
    cycles += double(plan.cycles);
    if (plan.pe > 0 && config.convs.at(plan.name).cosim)
      rtl_ns += 10.0 * (double(plan.cycles) + double(plan.out.size()) + 8.0 * plan.out.height);
  }
  return sc_core::sc_time(100.0 * cycles * config.period_ns() + 10.0 * rtl_ns + 1e7, sc_core::SC_NS);
}

}  // namespace

std::filesystem::path rtl_waves_dir(const std::filesystem::path& vcd) { return vcd.parent_path() / "rtl"; }

namespace {

// Sets this thread's OpenMP team size to one for its lifetime, and gives the previous one back.
class OneOpenMpThread {
 public:
  OneOpenMpThread() : host_threads_(omp_get_max_threads()) { omp_set_num_threads(1); }
  ~OneOpenMpThread() { omp_set_num_threads(host_threads_); }
  OneOpenMpThread(const OneOpenMpThread&) = delete;
  OneOpenMpThread& operator=(const OneOpenMpThread&) = delete;
  int host_threads() const { return host_threads_; }

 private:
  int host_threads_;
};

// An image's bytes, row after row (a cv::Mat may pad its rows).
std::vector<uint8_t> rgb_bytes(const cv::Mat& rgb) {
  const cv::Mat packed = rgb.isContinuous() ? rgb : rgb.clone();
  return {packed.data, packed.data + packed.total() * packed.elemSize()};
}

// The frames on the elaborated system; `failure` says why they did not all complete (the result is
// then empty). Nothing is thrown once the simulation has started.
SimulationResult simulate_frames(const RunPlan& plan, const ImagePair& pair, const SimulationOptions& options,
                                 std::string& failure) {
  const Package& package = plan.package;
  const ArchConfig& config = plan.config;
  const std::vector<LayerPlan>& plans = plan.layers;
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(config.quantum_ns, sc_core::SC_NS));

  const TensorShape& head = plans.back().out;
  Dram dram("dram", config.dram);
  // Each PE row runs on one host thread (rows of different PEs at once), so the row kernels, planned
  // when the accelerator is built, get one OpenMP thread each; the caller's count comes back after.
  const OneOpenMpThread one_thread;
  // Co-simulated layers' RTL waves: Verilator's FST, one file per unit, beside the VCD.
  // An earlier run's files there go: the folder holds this run's units only.
  const std::filesystem::path rtl_waves =
      options.vcd.empty() || !cosimulates(config) ? std::filesystem::path() : rtl_waves_dir(options.vcd);
  if (!rtl_waves.empty()) {
    std::filesystem::create_directories(rtl_waves);
    for (const auto& entry : std::filesystem::directory_iterator(rtl_waves))
      if (entry.path().extension() == ".fst") std::filesystem::remove(entry.path());
  }
  Accelerator accelerator("accelerator", plan, one_thread.host_threads(), options.rom_images, options.record_layers,
                          rtl_waves);
  HostDriver host("host", {rgb_bytes(pair.img1), rgb_bytes(pair.img2), package.height, package.width, head.channels,
                           head.height, head.width, options.frames, frame_timeout(package, config, plans),
                           accelerator.dram_weights(), options.drawn_faults});
  const uint64_t dram_needed = host.memory_map().skip + accelerator.skip_area_bytes();
  if (dram_needed > uint64_t(config.dram.size_mib) << 20) {
    failure = fmt::format("the DRAM model ({} MiB, dram.size_mib) cannot hold the frame's buffers: the pair, the flow, "
                          "{:.1f} MiB of streamed weights and {:.1f} MiB of skip rows need {:.1f} MiB",
                          config.dram.size_mib, double(host.memory_map().skip - host.memory_map().weights) / (1 << 20),
                          double(accelerator.skip_area_bytes()) / (1 << 20), double(dram_needed) / (1 << 20));
    return {};
  }
  sc_core::sc_signal<bool> irq("irq");
  accelerator.csr.irq(irq);
  host.irq(irq);
  host.csr_socket.bind(accelerator.csr.socket);
  host.mem_socket.bind(dram.socket);
  accelerator.dma_socket().bind(dram.socket);
  accelerator.set_progress(options.progress);
  std::unique_ptr<FaultInjector> injector;
  if (!options.faults.empty()) injector = std::make_unique<FaultInjector>("faults", accelerator, options.faults, options.drawn_faults);

  sc_core::sc_trace_file* waves = nullptr;
  if (!options.vcd.empty()) {
    std::filesystem::create_directories(options.vcd.parent_path().empty() ? "." : options.vcd.parent_path());
    std::filesystem::path stem = options.vcd;
    stem.replace_extension();  // SystemC appends .vcd
    waves = sc_core::sc_create_vcd_trace_file(stem.string().c_str());
    accelerator.trace(waves);
    sc_core::sc_trace(waves, irq, "irq");
  }
  sc_core::sc_start();
  if (waves) sc_core::sc_close_vcd_trace_file(waves);

  if (!host.finished()) {
    std::string why = host.error();
    if (!accelerator.datapath_error().empty()) why += ": " + accelerator.datapath_error();
    const std::string blocked = accelerator.blocked_units();
    if (!blocked.empty())
      why += "\nthe pipeline is deadlocked (a FIFO or skip buffer too shallow for the rows its consumer needs first?):" +
             blocked;
    failure = why.empty() ? "the simulation stopped before the host finished" : why;
    if (injector && !injector->error().empty()) failure = injector->error();  // the fault's spec, not the model, failed
    SimulationResult partial;  // the frames that completed before (a fault campaign's trials)
    partial.frames = host.frames();
    if (injector) partial.faults_injected = injector->injected();
    return partial;
  }

  SimulationResult result;
  const sc_core::sc_time period(config.period_ns(), sc_core::SC_NS);
  const FrameTiming timing = accelerator.frame_timing();
  result.layers = accelerator.layer_codes();
  result.frames = host.frames();
  result.frame_cycles = timing.cycles;
  result.input_dma_cycles = uint64_t(accelerator.input_stats().busy_cycles);
  for (size_t i = 0; i < package.layers.size(); ++i) {
    const UnitStats& s = accelerator.layer_stats(i);
    LayerActivity a;
    a.busy = s.busy_cycles;
    a.stall = cycles_of(s.stall, period);
    a.starve = cycles_of(s.starve, period);
    a.weight_wait = cycles_of(s.weight_wait, period);
    a.first_start = cycles_of(s.first_start - timing.pipeline_start, period);
    a.last_end = cycles_of(s.last_end - timing.pipeline_start, period);
    if (const WeightRom* rom = accelerator.rom(i)) a.rom_bits = rom->bits();
    a.row_kernel = accelerator.row_kernel(i);
    const RtlCycles rtl = accelerator.rtl_cycles(i);
    a.cosim = package.layers[i].is_conv() && config.convs.at(package.layers[i].name).cosim;
    a.rtl_cycles = rtl.rows;
    a.rtl_array_cycles = rtl.array;
    result.activity.push_back(a);
  }
  for (size_t c = 0; c < accelerator.channels().size(); ++c) {
    const auto& channel = accelerator.channels()[c];
    const BufferSpec& spec = accelerator.channel_spec(c);
    ChannelInfo info{channel->basename(), channel->depth(), channel->peak(), spec.row_bits, spec.skip, {}};
    for (const auto& [when, rows] : channel->levels())
      info.levels.emplace_back(cycles_of(when - timing.pipeline_start, period), rows);
    result.channels.push_back(std::move(info));
  }
  for (const auto& unit : accelerator.units()) {
    UnitTimeline line{unit->basename(), {}};
    for (const UnitSpan& span : unit->stats().spans)
      line.spans.push_back({char(span.state), cycles_of(span.start - timing.pipeline_start, period),
                            cycles_of(span.end - timing.pipeline_start, period)});
    result.timeline.push_back(std::move(line));
  }
  if (injector) result.faults_injected = injector->injected();
  result.dma_read_bytes = timing.dma_read_bytes;
  result.dma_written_bytes = timing.dma_written_bytes;
  result.dma_bytes_by_master = timing.dma_bytes_by_master;
  for (const DmaEngine::Span& span : accelerator.dma().spans())
    result.dram_use.push_back({accelerator.dma().master_name(span.master),
                               cycles_of(span.start - timing.pipeline_start, period),
                               cycles_of(span.end - timing.pipeline_start, period), span.bytes});
  return result;
}

}  // namespace

SimulationResult simulate(const Package& package, const ArchConfig& config, const ImagePair& pair,
                          const SimulationOptions& options) {
  return simulate(RunPlan(package, config), pair, options);
}

SimulationResult simulate(const RunPlan& plan, const ImagePair& pair, const SimulationOptions& options,
                          std::string& failure) {
  static bool simulated = false;
  if (simulated) throw SimulationError("SystemC elaborates once per process: simulate() runs once per process");
  simulated = true;
  check_pair_size(pair, plan.package);
  return simulate_frames(plan, pair, options, failure);
}

SimulationResult simulate(const RunPlan& plan, const ImagePair& pair, const SimulationOptions& options) {
  std::string failure;
  SimulationResult result = simulate(plan, pair, options, failure);
  if (!failure.empty()) throw SimulationError(failure);
  return result;
}

}  // namespace qflow
