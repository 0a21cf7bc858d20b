// The DRAM model: a TLM-2.0 target (loosely timed) that every initiator (host, accelerator DMA)
// binds to. Its bandwidth is one shared channel: a transaction's bytes move once the channel is
// free of earlier ones (at the initiator's local time), then its latency follows; the wait, the
// transfer and the latency are added to the annotated delay.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "arch/arch_config.hpp"

namespace qflow {

class Dram : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<Dram> socket;

  Dram(sc_core::sc_module_name name, const DramConfig& config);

 private:
  void b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(int id, tlm::tlm_generic_payload& trans);
  // Checks and performs the access; false (and an error response set) when it is refused.
  bool access(tlm::tlm_generic_payload& trans);

  uint64_t size_;
  sc_core::sc_time latency_;
  double ns_per_byte_;
  sc_core::sc_time channel_free_;  // when the data channel finishes the transfers accepted so far
  // calloc: pages the model never touches cost nothing.
  std::unique_ptr<uint8_t, decltype(&std::free)> memory_;
};

}  // namespace qflow
