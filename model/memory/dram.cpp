#include "dram.hpp"

#include <algorithm>
#include <cstring>
#include <new>

namespace qflow {

Dram::Dram(sc_core::sc_module_name name, const DramConfig& config)
    : sc_module(name),
      socket("socket"),
      size_(uint64_t(config.size_mib) << 20),
      latency_(config.latency_ns, sc_core::SC_NS),
      ns_per_byte_(1.0 / config.bandwidth_gbps),
      memory_(static_cast<uint8_t*>(std::calloc(size_, 1)), &std::free) {
  if (!memory_) throw std::bad_alloc();
  socket.register_b_transport(this, &Dram::b_transport);
  socket.register_transport_dbg(this, &Dram::transport_dbg);
}

bool Dram::access(tlm::tlm_generic_payload& trans) {
  const uint64_t address = trans.get_address(), length = trans.get_data_length();
  if (trans.get_byte_enable_ptr()) {
    trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return false;
  }
  if (address > size_ || length > size_ - address) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  uint8_t* at = memory_.get() + address;
  if (trans.is_read())
    std::memcpy(trans.get_data_ptr(), at, length);
  else if (trans.is_write())
    std::memcpy(at, trans.get_data_ptr(), length);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  return true;
}

void Dram::b_transport(int, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (trans.get_command() == tlm::TLM_IGNORE_COMMAND) {
    trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  if (!access(trans)) return;
  // Loosely timed: add to the initiator's delay, never wait here.
  const sc_core::sc_time now = sc_core::sc_time_stamp() + delay;
  const sc_core::sc_time start = std::max(now, channel_free_);
  channel_free_ = start + sc_core::sc_time(double(trans.get_data_length()) * ns_per_byte_, sc_core::SC_NS);
  delay = channel_free_ - sc_core::sc_time_stamp() + latency_;
}

unsigned int Dram::transport_dbg(int, tlm::tlm_generic_payload& trans) {
  return access(trans) ? trans.get_data_length() : 0;
}

}  // namespace qflow
