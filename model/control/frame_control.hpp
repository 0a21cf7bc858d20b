// The accelerator's control unit: on a start from the CSRs it resets the frame's state, starts the
// pipeline, waits for the flow's last row to leave, then reports the frame (its cycles and each
// layer's busy counter, or its first error) to the CSRs, which raise the interrupt.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <systemc>

#include "control/csr_block.hpp"

namespace qflow {

struct FrameHooks {
  std::function<void()> prepare;                      // clear the last frame's counters and levels
  std::function<const sc_core::sc_event&()> done;     // notified when the flow's last row has left
  std::function<csr::ErrorCode()> error;              // the frame's first failure, None if it had none
  std::function<std::vector<uint64_t>()> layer_busy;  // each layer's busy cycles, for the CSR counters
};

class FrameControl : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(FrameControl);
  FrameControl(sc_core::sc_module_name name, CsrBlock& csr, sc_core::sc_time period, FrameHooks hooks);

  // Every pipeline unit starts its frame on this event.
  const sc_core::sc_event& frame_start() const { return frame_start_; }
  sc_core::sc_time pipeline_start() const { return pipeline_start_; }
  uint64_t cycles() const { return cycles_; }  // START to DONE of the last frame

 private:
  void run();
  CsrBlock& csr_;
  sc_core::sc_time period_;
  FrameHooks hooks_;
  sc_core::sc_event frame_start_;
  sc_core::sc_time pipeline_start_;
  uint64_t cycles_ = 0;
};

}  // namespace qflow
