#include "sample_order.hpp"

#include <algorithm>
#include <numeric>
#include <random>
#include <stdexcept>

namespace qflow::train {

SampleOrder::SampleOrder(uint64_t dataset_size, uint64_t seed) : size_(dataset_size), seed_(seed) {
  if (size_ == 0) throw std::runtime_error("the training data set is empty");
}

const std::vector<uint64_t>& SampleOrder::permutation(uint64_t epoch) {
  if (epoch != cached_epoch_) {
    cached_.resize(size_);
    std::iota(cached_.begin(), cached_.end(), uint64_t(0));
    std::mt19937_64 rng(seed_ * 0x9E3779B97F4A7C15ull + epoch);
    std::shuffle(cached_.begin(), cached_.end(), rng);
    cached_epoch_ = epoch;
  }
  return cached_;
}

uint64_t SampleOrder::index(uint64_t position) { return permutation(position / size_)[position % size_]; }

std::vector<uint64_t> SampleOrder::batch(uint64_t step_start, int rank, int batch) {
  std::vector<uint64_t> indices;
  for (int i = 0; i < batch; ++i) indices.push_back(index(step_start + uint64_t(rank) * uint64_t(batch) + uint64_t(i)));
  return indices;
}

}  // namespace qflow::train
