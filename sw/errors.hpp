// Error types of the package and flow layers: messages name the file, the layer and the problem.
#pragma once

#include <stdexcept>
#include <string>

namespace qflow {

// A model package (or a layer dump) that cannot be trusted.
class PackageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A flow file, image or image pair that cannot be read or does not fit.
class FlowIoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace qflow
