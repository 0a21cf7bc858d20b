// requant's data pins for the stream harness: accumulator, multiplier, bias and shift in, a code out.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>

#include "stream_beats.hpp"
#include "stream_harness.hpp"

namespace qflow::rtl {

template <class Vtop>
class RequantPins {
 public:
  static constexpr int kAccBits = PortWidth<decltype(Vtop::in_acc_i)>::value;
  static constexpr int kMultBits = PortWidth<decltype(Vtop::in_mult_i)>::value;
  static constexpr int kBiasBits = PortWidth<decltype(Vtop::in_bias_i)>::value;
  static constexpr int kShiftBits = PortWidth<decltype(Vtop::in_shift_i)>::value;

  std::vector<RequantBeat> beats;
  std::vector<int> codes;  // outputs, in order

  void bind(Vtop& dut) {
    dut.in_acc_i(acc_);
    dut.in_mult_i(mult_);
    dut.in_bias_i(bias_);
    dut.in_shift_i(shift_);
    dut.out_code_o(code_);
  }
  void write(size_t i) {
    const RequantBeat& b = beats[i];
    acc_ = pack_lanes<kAccBits>(std::array<int64_t, 1>{b.acc}, kAccBits);
    mult_ = pack_lanes<kMultBits>(std::array<int64_t, 1>{b.mult}, kMultBits);
    bias_ = pack_lanes<kBiasBits>(std::array<int64_t, 1>{b.bias}, kBiasBits);
    shift_ = pack_lanes<kShiftBits>(std::array<int, 1>{b.shift}, kShiftBits);
  }
  void trace(sc_core::sc_trace_file* file, const std::string& prefix) const {
    sc_core::sc_trace(file, code_, prefix + ".out_code");
  }
  void read(size_t) { codes.push_back(int(unpack_lane(code_.read(), 0, 16, /*is_signed=*/true))); }

 private:
  sc_core::sc_signal<sc_dt::sc_bv<kAccBits>> acc_{"acc"};
  sc_core::sc_signal<sc_dt::sc_bv<kMultBits>> mult_{"mult"};
  sc_core::sc_signal<sc_dt::sc_bv<kBiasBits>> bias_{"bias"};
  sc_core::sc_signal<sc_dt::sc_bv<kShiftBits>> shift_{"shift"};
  sc_core::sc_signal<sc_dt::sc_bv<16>> code_{"code"};
};

}  // namespace qflow::rtl
