// A Verilated C++ model (no SystemC) clocked by its caller in a plain loop: drive the inputs, then
// falling_edge() settles them and rising_edge() latches. Each model owns its VerilatedContext, so
// models of different PEs evaluate on different host threads at once. Waves are Verilator's own
// FST, on whatever time axis the caller gives (a PE's rows on the frame's). Also here: lanes into
// and out of the ports, and run_stream(), the stream harness's protocol (stream_harness.hpp) in
// the same loop, which the tests hold to the SystemC harness cycle for cycle.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <type_traits>

#include <verilated.h>
#include <verilated_fst_c.h>

#include "lane_packing.hpp"
#include "stream_timing.hpp"

namespace qflow::rtl {

// Lanes of `bits` bits each into a port (lane_packing.hpp's layout): a VlWide<N> (words of 32
// bits) or a scalar of up to 64 bits.
template <class Port, class Lanes>
void write_lanes(Port& port, const Lanes& lanes, int bits) {
  if constexpr (std::is_integral_v<Port>) {
    uint32_t words[2];
    pack_lanes_into(words, 2, lanes, bits);
    port = Port(uint64_t(words[0]) | uint64_t(words[1]) << 32);
  } else {
    static_assert(sizeof(EData) == sizeof(uint32_t), "Verilator's words are 32 bits");
    pack_lanes_into(reinterpret_cast<uint32_t*>(port.data()), sizeof(port) / sizeof(EData), lanes, bits);
  }
}

// Lane i of `bits` bits (up to 64) of a port, sign-extended when `is_signed`.
template <class Port>
int64_t read_lane(const Port& port, int i, int bits, bool is_signed) {
  if constexpr (std::is_integral_v<Port>) {
    const uint32_t words[2] = {uint32_t(uint64_t(port)), uint32_t(uint64_t(port) >> 32)};
    return unpack_lane_from(words, i, bits, is_signed);
  } else {
    return unpack_lane_from(reinterpret_cast<const uint32_t*>(port.data()), i, bits, is_signed);
  }
}

template <class Vtop>
class ClockedModel {
 public:
  // `fst`: where its waves go; empty for none.
  ClockedModel(const std::string& name, double period_ns, const std::filesystem::path& fst = {})
      : context_(std::make_unique<VerilatedContext>()), half_ps_(uint64_t(period_ns * 500.0 + 0.5)) {
    if (!fst.empty()) context_->traceEverOn(true);  // before the model is built, or nothing is traced
    dut_ = std::make_unique<Vtop>(context_.get(), name.c_str());
    if (!fst.empty()) {
      fst_ = std::make_unique<VerilatedFstC>();
      dut_->trace(fst_.get(), 99);
      fst_->open(fst.c_str());
    }
    reset();
  }
  ~ClockedModel() {
    if (fst_) fst_->close();
    dut_->final();
  }
  ClockedModel(const ClockedModel&) = delete;
  ClockedModel& operator=(const ClockedModel&) = delete;

  Vtop& io() { return *dut_; }
  const Vtop& io() const { return *dut_; }
  // The clock stops between streams (a gated clock); the next cycle starts at `ps` if that is later.
  void resume_at(uint64_t ps) { now_ps_ = std::max(now_ps_, ps); }
  uint64_t now_ps() const { return now_ps_; }

  // The inputs driven since the last edge settle; their combinational outputs can be sampled.
  void falling_edge() {
    dut_->clk_i = 0;
    edge();
  }
  void rising_edge() {
    dut_->clk_i = 1;
    edge();
  }

 private:
  // Two cycles with rst_ni low and the handshakes idle.
  void reset() {
    dut_->rst_ni = 0;
    dut_->in_valid_i = 0;
    dut_->out_ready_i = 0;
    for (int i = 0; i < 2; ++i) falling_edge(), rising_edge();
    dut_->rst_ni = 1;
    falling_edge();
  }
  void edge() {
    dut_->eval();
    now_ps_ += half_ps_;
    if (fst_) fst_->dump(now_ps_);
  }

  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Vtop> dut_;
  std::unique_ptr<VerilatedFstC> fst_;
  uint64_t half_ps_, now_ps_ = 0;
};

// One stream through a unit, as StreamHarness::stream runs it (the same random draws in the same
// order, the same handshake sampling): `write(i)` drives input beat i, `read(i)` takes output i.
template <class Vtop, class Write, class Read>
StreamStats run_stream(ClockedModel<Vtop>& model, size_t inputs, size_t outputs, const StreamTiming& timing,
                       std::mt19937_64& rng, Write&& write, Read&& read) {
  std::bernoulli_distribution gap(timing.valid_gap), stall(timing.ready_stall);
  Vtop& io = model.io();
  StreamStats stats;
  size_t sent = 0, received = 0;
  while (received < outputs) {
    const bool offer = sent < inputs && !gap(rng);
    io.in_valid_i = offer;
    if (offer) write(sent);
    io.out_ready_i = !stall(rng);
    model.falling_edge();
    if (io.out_valid_o && io.out_ready_i) read(received++);
    if (offer && io.in_ready_o) ++sent;
    model.rising_edge();
    if (++stats.cycles >= timing.max_cycles) {
      stats.timed_out = true;
      break;
    }
  }
  io.in_valid_i = 0;
  return stats;
}

}  // namespace qflow::rtl
