// The order training reads its data set in: one shuffled pass (an epoch) after another, each a
// permutation drawn from the seed, read as one stream of sample positions. A step reads the
// next `batch x ranks` positions; rank r takes its own contiguous `batch` of them. So every rank
// reads a shard of each epoch that no other rank reads, 2 ranks of batch B read exactly the
// samples 1 process of batch 2B reads, and a run resumed on another number of ranks continues
// the same stream from the position its checkpoint saved.
#pragma once

#include <cstdint>
#include <vector>

namespace qflow::train {

class SampleOrder {
 public:
  SampleOrder(uint64_t dataset_size, uint64_t seed);
  // The data set index at stream position `position` (0, 1, 2, ... across epochs).
  uint64_t index(uint64_t position);
  // Rank `rank`'s `batch` indices at the step that starts at stream position `step_start`.
  std::vector<uint64_t> batch(uint64_t step_start, int rank, int batch);

 private:
  const std::vector<uint64_t>& permutation(uint64_t epoch);

  uint64_t size_, seed_;
  uint64_t cached_epoch_ = UINT64_MAX;
  std::vector<uint64_t> cached_;
};

}  // namespace qflow::train
