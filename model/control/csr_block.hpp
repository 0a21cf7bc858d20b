// The control and status registers (sw/driver/csr_map.hpp) behind a TLM-2.0 target socket.
// Accesses must be single aligned 32-bit words without byte enables; anything else, an unmapped
// address, a write to a read-only register or a start while busy gets a TLM error response.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "driver/csr_map.hpp"

namespace qflow {

class CsrBlock : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(CsrBlock);

  tlm_utils::simple_target_socket<CsrBlock> socket;
  sc_core::sc_out<bool> irq;

  // The frame size the accelerator was built for; `layers` per-layer counters.
  CsrBlock(sc_core::sc_module_name name, int height, int width, int layers, sc_core::sc_time access_time);

  // Fires when the host starts a frame whose settings are valid.
  const sc_core::sc_event& start_requested() const { return start_; }
  uint32_t reg(uint32_t offset) const;  // the accelerator's view of an address register

  // An upset (model/faults): the register's bits in `mask` flipped. Throws FaultError for a
  // register that holds no settings (status, counters).
  void upset(uint32_t offset, uint32_t mask);
  void frame_done(uint64_t cycles, const std::vector<uint64_t>& layer_busy);
  void frame_failed(csr::ErrorCode code);
  void trace(sc_core::sc_trace_file* file) const;

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  tlm::tlm_response_status read(uint32_t offset, uint32_t& value) const;
  // `at`: the access's annotated delay, when its effects (start, interrupt) take place.
  tlm::tlm_response_status write(uint32_t offset, uint32_t value, const sc_core::sc_time& at);
  void set_status(uint32_t status, const sc_core::sc_time& at = sc_core::SC_ZERO_TIME);

  int height_, width_;
  sc_core::sc_time access_time_;
  uint32_t ctrl_ = 0, status_ = 0, img1_ = 0, img2_ = 0, flow_ = 0, skip_ = 0, weights_ = 0, frame_h_ = 0, frame_w_ = 0;
  csr::ErrorCode error_ = csr::ErrorCode::None;
  uint64_t cycles_ = 0;
  std::vector<uint64_t> layer_busy_;
  sc_core::sc_event start_;
  // Status changes come from the host's accesses and from the accelerator's frame end; one
  // process drives the status signal and the interrupt from them.
  void drive_outputs();
  sc_core::sc_event status_changed_;
  sc_core::sc_signal<uint32_t> status_signal_{"status"};
};

}  // namespace qflow
