// What the accelerator tests share: a small random package with its reference codes, and the
// simulation of its calibration pair.
#pragma once

#include <cstdint>

#include <gtest/gtest.h>

#include "arch/folding_model.hpp"
#include "gen/random_package.hpp"
#include "ref/host_flow.hpp"
#include "system.hpp"

namespace qflow::test {

inline RandomPackage small_package(int w_bits, int a_bits, double width_mult = 0.125, uint64_t seed = 7) {
  return make_random_package({width_mult, 64, 64, w_bits, a_bits}, seed);
}

inline const ImagePair& pair_input(const RandomPackage& r) { return r.pair.images; }

// Every layer's codes equal, the first difference named.
inline void expect_codes_equal(const Package& package, const LayerCodes& expected, const LayerCodes& actual) {
  ASSERT_EQ(expected.size(), actual.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const CodeMap &e = expected[i], &a = actual[i];
    ASSERT_EQ(e.channels, a.channels) << package.layers[i].name;
    ASSERT_EQ(e.height, a.height) << package.layers[i].name;
    ASSERT_EQ(e.width, a.width) << package.layers[i].name;
    const auto diff = std::mismatch(e.codes.begin(), e.codes.end(), a.codes.begin());
    ASSERT_TRUE(diff.first == e.codes.end())
        << "layer " << package.layers[i].name << " differs at code " << (diff.first - e.codes.begin()) << ": "
        << *diff.first << " expected, " << *diff.second << " simulated";
  }
}

}  // namespace qflow::test
