// Injects each frame's fault, if it has one, into the accelerator at its cycle, and undoes the
// frame's lasting upsets when the frame ends (every ROM reloaded, the CSR written back): a
// campaign's trials run frame after frame in one simulation, each seeing its own frame only. Built only when
// faults are armed, so a fault-free run pays nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <systemc>

#include "accelerator.hpp"
#include "fault.hpp"

namespace qflow {

class FaultInjector : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(FaultInjector);

  // `per_frame[f]`: frame f's fault (none past the vector's end). `drawn`: the faults were drawn
  // by a campaign, so one that finds no live data where it strikes (a FIFO slot empty then, a line
  // buffer not yet filled) is masked, not an error.
  FaultInjector(sc_core::sc_module_name name, Accelerator& accelerator, std::vector<std::optional<Fault>> per_frame,
                bool drawn);

  // Per frame started: whether its fault was injected (false: none armed, or the frame ended first).
  const std::vector<bool>& injected() const { return injected_; }
  // Why a fault could not be injected (a site that does not exist, bits past it); "" if none.
  const std::string& error() const { return error_; }

 private:
  void run();
  void inject(const Fault& fault);
  void undo();

  Accelerator& accelerator_;
  std::vector<std::optional<Fault>> per_frame_;
  bool drawn_;
  std::vector<bool> injected_;
  std::string error_;
  uint32_t csr_offset_ = 0, csr_mask_ = 0;  // the CSR upset to undo
};

}  // namespace qflow
