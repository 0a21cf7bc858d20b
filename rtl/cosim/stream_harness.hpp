// Drives a Verilated SystemC valid/ready stream unit (mac_array, requant) cycle by cycle, pin by pin:
// clock first, active-low reset, inputs driven on the falling edge and the handshake sampled just
// before the rising one, with optional random gaps on valid and stalls on ready. Waves are opt-in.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include <systemc>
#include <verilated.h>
#include <verilated_vcd_sc.h>

#include "lane_packing.hpp"
#include "stream_timing.hpp"

namespace qflow::rtl {

// The width N of a Verilated sc_bv<N> port (Verilator declares its ports as references).
template <class Port>
struct PortWidth : PortWidth<std::remove_reference_t<Port>> {};
template <int N>
struct PortWidth<sc_core::sc_in<sc_dt::sc_bv<N>>> {
  static constexpr int value = N;
};
template <int N>
struct PortWidth<sc_core::sc_out<sc_dt::sc_bv<N>>> {
  static constexpr int value = N;
};

// Lanes of `bits` bits each into an sc_bv<N> (lane_packing.hpp's layout).
template <int N, class Lanes>
sc_dt::sc_bv<N> pack_lanes(const Lanes& lanes, int bits) {
  std::array<uint32_t, (N + 31) / 32> words{};
  pack_lanes_into(words.data(), words.size(), lanes, bits);
  sc_dt::sc_bv<N> bv;
  for (size_t w = 0; w < words.size(); ++w) bv.set_word(int(w), words[w]);
  return bv;
}

// Lane i of `bits` bits (up to 64) from an sc_bv<N>, sign-extended when `is_signed`.
template <int N>
int64_t unpack_lane(const sc_dt::sc_bv<N>& bv, int i, int bits, bool is_signed) {
  std::array<uint32_t, (N + 31) / 32> words{};
  for (size_t w = 0; w < words.size(); ++w) words[w] = bv.get_word(int(w));
  return unpack_lane_from(words.data(), i, bits, is_signed);
}

// Pins: the unit's data signals, with bind(Vtop&), write(input index) and read(output index).
template <class Vtop, class Pins>
class StreamHarness : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(StreamHarness);

  // `inputs` beats go in, `outputs` beats are expected out. An empty vcd path: no waves.
  StreamHarness(sc_core::sc_module_name name, Pins& pins, size_t inputs, size_t outputs, StreamTiming timing,
                const std::string& vcd = "")
      : sc_module(name),
        tracing_(enable_tracing(!vcd.empty())),
        vcd_path_(vcd),
        dut_("dut"),
        pins_(pins),
        inputs_(inputs),
        outputs_(outputs),
        timing_(timing) {
    dut_.clk_i(clk_);
    dut_.rst_ni(rst_n_);
    dut_.in_valid_i(in_valid_);
    dut_.in_ready_o(in_ready_);
    dut_.out_valid_o(out_valid_);
    dut_.out_ready_i(out_ready_);
    pins_.bind(dut_);
    SC_THREAD(clock);
    SC_THREAD(drive);
  }

  // Holds this unit's stream until `event` fires; `prepare` then sets its input and output counts
  // (a unit fed by another unit's results). One stream, then the unit idles.
  void start_after(const sc_core::sc_event& event, std::function<std::pair<size_t, size_t>()> prepare) {
    start_after_ = &event;
    prepare_ = std::move(prepare);
  }
  // One more stream of `inputs` beats in and `outputs` out, from a thread of the caller: blocks in
  // simulated time until it is through. The way a PE reuses one unit for every output row.
  StreamStats run(size_t inputs, size_t outputs) {
    inputs_ = inputs;
    outputs_ = outputs;
    pending_ = true;
    start_.notify(sc_core::SC_ZERO_TIME);
    wait(done_);
    return stats_;
  }
  // Whether finishing this stream ends the simulation (the last unit of a chain).
  void set_stops_simulation(bool stops) { stops_ = stops; }
  const sc_core::sc_event& done() const { return done_; }
  const StreamStats& stats() const { return stats_; }
  // The handshake (and the clock, unless another unit on the same clock shows it) into a SystemC
  // trace file under `prefix`, plus what Pins traces.
  void trace(sc_core::sc_trace_file* file, const std::string& prefix, bool with_clock = true) const {
    if (with_clock) sc_core::sc_trace(file, clk_, prefix + ".clk");
    sc_core::sc_trace(file, in_valid_, prefix + ".in_valid");
    sc_core::sc_trace(file, in_ready_, prefix + ".in_ready");
    sc_core::sc_trace(file, out_valid_, prefix + ".out_valid");
    sc_core::sc_trace(file, out_ready_, prefix + ".out_ready");
    pins_.trace(file, prefix);
  }

  // Elaborates, opens the waves if asked, and simulates until the last stream of the simulation
  // is done. Call once per process (SystemC elaborates once).
  void simulate() {
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    std::unique_ptr<VerilatedVcdSc> vcd;
    if (tracing_) {
      vcd = std::make_unique<VerilatedVcdSc>();
      dut_.trace(vcd.get(), 99);
      vcd->open(vcd_path_.c_str());
    }
    sc_core::sc_start();
    if (vcd) vcd->close();
    dut_.final();
  }

 private:
  static bool enable_tracing(bool on) {
    if (on) Verilated::traceEverOn(true);  // before the model is built, or nothing is traced
    return on;
  }

  // The unit's clock: it runs through reset and while a stream is in flight, and stops between
  // streams (a unit waiting for its next row costs the simulation nothing, as a gated clock). A
  // cycle is a rising edge, then the falling edge half a period later.
  void clock() {
    const sc_core::sc_time half(timing_.period_ns / 2, sc_core::SC_NS);
    for (;;) {
      while (!clock_on_) wait(clock_start_);
      clk_.write(true);
      wait(half);
      clk_.write(false);
      wait(half);
    }
  }
  void gate_clock(bool on) {
    clock_on_ = on;
    if (on) clock_start_.notify(sc_core::SC_ZERO_TIME);
  }

  void drive() {
    rst_n_ = false;
    in_valid_ = false;
    out_ready_ = false;
    for (int i = 0; i < 2; ++i) wait(clk_.posedge_event());
    rst_n_ = true;
    gate_clock(false);
    if (start_after_) {
      wait(*start_after_);
      std::tie(inputs_, outputs_) = prepare_();
    } else if (inputs_ == 0 && outputs_ == 0) {
      await_run();
    }
    for (;;) {
      gate_clock(true);
      stream();
      gate_clock(false);
      done_.notify(sc_core::SC_ZERO_TIME);
      if (stops_) sc_core::sc_stop();
      if (start_after_) return;
      await_run();
    }
  }

  void await_run() {
    while (!pending_) wait(start_);
    pending_ = false;
  }

  void stream() {
    using sc_core::SC_NS;
    std::bernoulli_distribution gap(timing_.valid_gap), stall(timing_.ready_stall);
    stats_ = {};
    size_t sent = 0, received = 0;
    while (received < outputs_) {
      wait(clk_.negedge_event());
      const bool offer = sent < inputs_ && !gap(rng_);
      in_valid_ = offer;
      if (offer) pins_.write(sent);
      out_ready_ = !stall(rng_);
      wait(timing_.period_ns * 0.4, SC_NS);  // every delta settled, just before the rising edge
      if (out_valid_.read() && out_ready_.read()) pins_.read(received++);
      if (offer && in_ready_.read()) ++sent;
      wait(clk_.posedge_event());
      if (++stats_.cycles >= timing_.max_cycles) {
        stats_.timed_out = true;
        break;
      }
    }
    in_valid_ = false;
  }

  bool tracing_;
  std::string vcd_path_;
  sc_core::sc_signal<bool> clk_{"clk"};
  bool clock_on_ = true;
  sc_core::sc_event clock_start_;
  sc_core::sc_signal<bool> rst_n_{"rst_n"}, in_valid_{"in_valid"}, in_ready_{"in_ready"};
  sc_core::sc_signal<bool> out_valid_{"out_valid"}, out_ready_{"out_ready"};
  Vtop dut_;
  Pins& pins_;
  size_t inputs_, outputs_;
  StreamTiming timing_;
  std::mt19937_64 rng_{timing_.seed};
  StreamStats stats_;
  bool pending_ = false;
  sc_core::sc_event start_;
  const sc_core::sc_event* start_after_ = nullptr;
  std::function<std::pair<size_t, size_t>()> prepare_;
  bool stops_ = true;
  sc_core::sc_event done_;
};

}  // namespace qflow::rtl
