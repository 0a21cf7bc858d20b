// Random-but-realistic packages for tests and benchmarks: random weight codes, and requant
// parameters calibrated layer by layer on a synthetic pair so that activations use their range
// (about 1 in 6 codes zero, almost none saturated) instead of dying out or clipping.
#pragma once

#include <cstdint>
#include <filesystem>

#include "package/flownetq_graph.hpp"
#include "package/package.hpp"
#include "ref/reference.hpp"
#include "synthetic_pair.hpp"

namespace qflow {

struct RandomPackage {
  Package package;
  SyntheticPair pair;  // the calibration pair
  LayerCodes codes;    // every layer's codes on that pair (the sw reference's)
};

RandomPackage make_random_package(const FlowNetQShape& shape, uint64_t seed);

// Writes the package and its calibration pair as golden case `synthetic`: images, layer codes,
// the network's full-resolution flow (flow.flo) and the pair's true motion (gt.flo).
void write_random_package(const RandomPackage& random, const std::filesystem::path& dir);

}  // namespace qflow
