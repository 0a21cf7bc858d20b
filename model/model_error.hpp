// Errors of the accelerator model: messages name the file, layer, register or unit at fault.
#pragma once

#include <stdexcept>

namespace qflow {

// An architecture config that cannot be read or does not fit the package.
class ArchError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A simulation that could not complete: a deadlock, a co-simulation mismatch, a failed frame.
class SimulationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace qflow
