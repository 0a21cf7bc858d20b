// A plain TLM-2.0 data transfer, as every initiator here issues it: one contiguous burst, no byte
// enables, streaming width = length, response not yet known.
#pragma once

#include <cstddef>
#include <cstdint>

#include <tlm>

namespace qflow {

inline void prepare_transfer(tlm::tlm_generic_payload& trans, tlm::tlm_command command, uint64_t address,
                             void* data, size_t length) {
  trans.set_command(command);
  trans.set_address(address);
  trans.set_data_ptr(static_cast<unsigned char*>(data));
  trans.set_data_length(unsigned(length));
  trans.set_streaming_width(unsigned(length));
  trans.set_byte_enable_ptr(nullptr);
  trans.set_dmi_allowed(false);
  trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

}  // namespace qflow
