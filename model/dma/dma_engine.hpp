// The accelerator's DMA master: one TLM-2.0 initiator socket to DRAM, shared by the input reader,
// the skip-row spill and the flow writer. It counts the frame's traffic and keeps its first failure
// (the frame then ends with that error in the status CSR).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <deque>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "driver/csr_map.hpp"

namespace qflow {

class DmaEngine : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<DmaEngine> socket;

  explicit DmaEngine(sc_core::sc_module_name name);

  // A unit the DMA moves data for ("input", "flow", a skip, a layer's weights), named once when
  // the pipeline is built; its transfers are counted under that name.
  using Master = size_t;
  Master add_master(std::string name);

  // One transfer for `master`, issued `issued` after the current time; returns when it completes,
  // relative to the current time (chain them: t = transfer(..., t)). Loosely timed: it never waits.
  sc_core::sc_time transfer(Master master, tlm::tlm_command command, uint64_t address, void* data, size_t length,
                            sc_core::sc_time issued = sc_core::SC_ZERO_TIME);

  // A read or write through the debug transport: no time passes and nothing is counted (the payload
  // of a write already timed and counted, an upset of DRAM). Throws SimulationError if refused.
  void debug_transfer(tlm::tlm_command command, uint64_t address, void* data, size_t length);

  // One transfer of the frame: whose, from its issue to its completion (latency included).
  struct Span {
    Master master;
    sc_core::sc_time start, end;
    uint64_t bytes;
  };

  void start_frame();  // clears the counters, the spans and the error
  uint64_t read_bytes() const { return read_bytes_; }
  uint64_t written_bytes() const { return written_bytes_; }
  std::map<std::string, uint64_t> bytes_by_master() const;  // this frame's, of the masters that moved any
  const std::vector<Span>& spans() const { return spans_; }  // this frame's transfers, in issue order
  const std::string& master_name(Master master) const { return masters_[master]; }
  // Each master's bytes so far this frame, as "dram.<master>" (spaces as underscores): a ramp per
  // master in the waves, rising when a transfer is issued.
  void trace(sc_core::sc_trace_file* file) const;
  csr::ErrorCode error() const { return error_; }

 private:
  uint64_t read_bytes_ = 0, written_bytes_ = 0;
  std::vector<std::string> masters_;
  std::deque<uint64_t> master_bytes_;  // traced by reference: a deque never moves its elements
  std::vector<Span> spans_;
  csr::ErrorCode error_ = csr::ErrorCode::None;
};

}  // namespace qflow
