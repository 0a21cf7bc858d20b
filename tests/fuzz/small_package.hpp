// The package the package and arch targets fuzz around: small (x1/16, 64x64), written once per
// process, its network.json the seed the corpus starts from.
#pragma once

#include "fuzz_support.hpp"
#include "gen/random_package.hpp"

namespace qflow::fuzz {

inline const Package& small_package() {
  static const Package package = make_random_package({1.0 / 16, 64, 64, 4, 3}, 5).package;
  return package;
}

}  // namespace qflow::fuzz
