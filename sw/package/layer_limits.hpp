// The limits a conv layer must keep, checked in one place: when a package is read (before anything
// is allocated from its sizes) and when shapes are inferred (for packages built in memory).
#pragma once

#include <string>

#include "package.hpp"

namespace qflow {

inline constexpr int kMaxStride = 8;

// Empty when the conv or flow head layer keeps every limit; else the first problem, naming the field.
std::string layer_limit_problem(const Layer& layer);

}  // namespace qflow
