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
      burst_bytes_(uint64_t(config.burst_bytes)),
      burst_time_(double(config.burst_bytes) / config.sustained_gbps(), sc_core::SC_NS),
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
  const uint64_t bursts = (trans.get_data_length() + burst_bytes_ - 1) / burst_bytes_;
  delay = book(sc_core::sc_time_stamp() + delay, bursts) - sc_core::sc_time_stamp() + latency_;
}

sc_core::sc_time Dram::book(sc_core::sc_time from, uint64_t bursts) {
  // Spans over before now can hold nothing an initiator asks for from now on.
  while (!booked_.empty() && booked_.begin()->second <= sc_core::sc_time_stamp()) booked_.erase(booked_.begin());
  sc_core::sc_time at = from, last_end = from;
  auto next = booked_.upper_bound(at);
  if (next != booked_.begin() && std::prev(next)->second > at) at = std::prev(next)->second;  // inside a span
  while (bursts > 0) {
    // Whole bursts of the idle slot from `at` to the next span (or for ever).
    const uint64_t fit = next == booked_.end() ? bursts : uint64_t((next->first - at) / burst_time_);
    const uint64_t take = std::min(fit, bursts);
    if (take == 0) {  // too short a gap: after the next span
      at = next->second;
      ++next;
      continue;
    }
    last_end = at + burst_time_ * double(take);
    // One span with a neighbour it touches.
    sc_core::sc_time start = at, stop = last_end;
    if (next != booked_.begin() && std::prev(next)->second == at) start = std::prev(next)->first;
    if (next != booked_.end() && next->first == stop) {
      stop = next->second;
      next = booked_.erase(next);
    }
    booked_[start] = stop;
    bursts -= take;
    at = stop;
  }
  return last_end;
}

unsigned int Dram::transport_dbg(int, tlm::tlm_generic_payload& trans) {
  return access(trans) ? trans.get_data_length() : 0;
}

}  // namespace qflow
