#include "dma_engine.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "driver/tlm_transfer.hpp"
#include "model_error.hpp"

namespace qflow {

DmaEngine::DmaEngine(sc_core::sc_module_name name) : sc_module(name), socket("socket") {}

DmaEngine::Master DmaEngine::add_master(std::string name) {
  masters_.push_back(std::move(name));
  master_bytes_.push_back(0);
  return masters_.size() - 1;
}

std::map<std::string, uint64_t> DmaEngine::bytes_by_master() const {
  std::map<std::string, uint64_t> bytes;
  for (size_t m = 0; m < masters_.size(); ++m)
    if (master_bytes_[m] > 0) bytes[masters_[m]] += master_bytes_[m];
  return bytes;
}

sc_core::sc_time DmaEngine::transfer(Master master, tlm::tlm_command command, uint64_t address, void* data,
                                     size_t length, sc_core::sc_time issued) {
  tlm::tlm_generic_payload trans;
  prepare_transfer(trans, command, address, data, length);
  sc_core::sc_time delay = issued;
  socket->b_transport(trans, delay);
  const bool read = command == tlm::TLM_READ_COMMAND;
  if (trans.is_response_error() && error_ == csr::ErrorCode::None)
    error_ = read ? csr::ErrorCode::DmaRead : csr::ErrorCode::DmaWrite;
  (read ? read_bytes_ : written_bytes_) += length;
  master_bytes_[master] += length;
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  spans_.push_back({master, now + issued, now + delay, length});
  return delay;
}

void DmaEngine::debug_transfer(tlm::tlm_command command, uint64_t address, void* data, size_t length) {
  tlm::tlm_generic_payload trans;
  prepare_transfer(trans, command, address, data, length);
  if (socket->transport_dbg(trans) != length)
    throw SimulationError(fmt::format("DRAM refused a {}-byte debug {} at {:#x}", length,
                                      command == tlm::TLM_READ_COMMAND ? "read" : "write", address));
}

void DmaEngine::trace(sc_core::sc_trace_file* file) const {
  for (size_t m = 0; m < masters_.size(); ++m) {
    std::string name = masters_[m];
    std::replace(name.begin(), name.end(), ' ', '_');
    sc_core::sc_trace(file, master_bytes_[m], "dram." + name);
  }
}

void DmaEngine::start_frame() {
  read_bytes_ = written_bytes_ = 0;
  std::fill(master_bytes_.begin(), master_bytes_.end(), 0);
  spans_.clear();
  error_ = csr::ErrorCode::None;
}

}  // namespace qflow
