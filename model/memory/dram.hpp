// The DRAM model: a TLM-2.0 target (loosely timed) that every initiator (host, accelerator DMA)
// binds to. Its bandwidth is one shared channel that moves whole bursts at the sustained rate (peak x
// efficiency). A transaction's bursts take the channel's idle slots from the initiator's local time
// on, in the order transactions arrive: a burst the channel already promised to an earlier one is
// never moved, but the gaps between them are used (a row read issued while a long weight fetch is
// booked further ahead goes first). Its latency follows the last burst; the wait, the bursts and the
// latency are added to the annotated delay.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <map>
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

  // Books `bursts` bursts from `from` on in the channel's idle slots; returns when the last ends.
  sc_core::sc_time book(sc_core::sc_time from, uint64_t bursts);

  uint64_t size_;
  sc_core::sc_time latency_;
  uint64_t burst_bytes_;
  sc_core::sc_time burst_time_;
  std::map<sc_core::sc_time, sc_core::sc_time> booked_;  // the channel's busy spans, start -> end, disjoint
  // calloc: pages the model never touches cost nothing.
  std::unique_ptr<uint8_t, decltype(&std::free)> memory_;
};

}  // namespace qflow
