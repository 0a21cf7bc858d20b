#include "dma_engine.hpp"

#include "driver/tlm_transfer.hpp"

namespace qflow {

DmaEngine::DmaEngine(sc_core::sc_module_name name) : sc_module(name), socket("socket") {}

sc_core::sc_time DmaEngine::transfer(const std::string& master, tlm::tlm_command command, uint64_t address,
                                     void* data, size_t length, sc_core::sc_time issued) {
  tlm::tlm_generic_payload trans;
  prepare_transfer(trans, command, address, data, length);
  sc_core::sc_time delay = issued;
  socket->b_transport(trans, delay);
  const bool read = command == tlm::TLM_READ_COMMAND;
  if (trans.is_response_error() && error_ == csr::ErrorCode::None)
    error_ = read ? csr::ErrorCode::DmaRead : csr::ErrorCode::DmaWrite;
  (read ? read_bytes_ : written_bytes_) += length;
  by_master_[master] += length;
  return delay;
}

void DmaEngine::start_frame() {
  read_bytes_ = written_bytes_ = 0;
  by_master_.clear();
  error_ = csr::ErrorCode::None;
}

}  // namespace qflow
