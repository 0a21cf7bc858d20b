// mac_array's data pins for the stream harness: beats of SIMD activations and PE x SIMD weights
// in, PE accumulators out. Widths come from the Verilated ports and its parameters header.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <systemc>

#include "stream_beats.hpp"
#include "stream_harness.hpp"

namespace qflow::rtl {

template <class Vtop, class Params>
class MacArrayPins {
 public:
  static constexpr int kPE = Params::kPE, kSIMD = Params::kSIMD;
  static constexpr int kWBits = Params::kWBits, kABits = Params::kABits;
  static constexpr int kAccBits = PortWidth<decltype(Vtop::out_acc_o)>::value / kPE;

  explicit MacArrayPins(std::vector<MacBeat> beats = {}) : beats_(std::move(beats)) {}

  // The next stream's beats; the outputs of the previous one are dropped.
  void load(std::vector<MacBeat> beats) {
    beats_ = std::move(beats);
    outputs.clear();
  }

  void bind(Vtop& dut) {
    dut.in_act_i(act_);
    dut.in_wgt_i(wgt_);
    dut.in_last_i(last_);
    dut.out_acc_o(acc_);
  }
  void write(size_t i) {
    const MacBeat& beat = beats_[i];
    act_ = pack_lanes<kSIMD * kABits>(beat.act, kABits);
    wgt_ = pack_lanes<kPE * kSIMD * kWBits>(beat.wgt, kWBits);
    last_ = beat.last;
  }
  void read(size_t) {
    const sc_dt::sc_bv<kPE * kAccBits> acc = acc_.read();
    std::vector<int64_t> out(kPE);
    for (int p = 0; p < kPE; ++p) out[size_t(p)] = unpack_lane(acc, p, kAccBits, /*is_signed=*/true);
    outputs.push_back(std::move(out));
  }
  // The fold marker and the accumulators (the operand buses, PE x SIMD x 8 bits wide, would
  // dominate the file).
  void trace(sc_core::sc_trace_file* file, const std::string& prefix) const {
    sc_core::sc_trace(file, last_, prefix + ".in_last");
    sc_core::sc_trace(file, acc_, prefix + ".out_acc");
  }
  const std::vector<MacBeat>& beats() const { return beats_; }
  size_t output_count() const {
    size_t n = 0;
    for (const MacBeat& b : beats_) n += b.last;
    return n;
  }

  std::vector<std::vector<int64_t>> outputs;

 private:
  std::vector<MacBeat> beats_;
  sc_core::sc_signal<sc_dt::sc_bv<kSIMD * kABits>> act_{"act"};
  sc_core::sc_signal<sc_dt::sc_bv<kPE * kSIMD * kWBits>> wgt_{"wgt"};
  sc_core::sc_signal<bool> last_{"last"};
  sc_core::sc_signal<sc_dt::sc_bv<kPE * kAccBits>> acc_{"acc"};
};

}  // namespace qflow::rtl
