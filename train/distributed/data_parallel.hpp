// A data-parallel training run's process group, on LibTorch's own distributed layer (c10d): every
// rank meets at a TCPStore that rank 0 serves, and Gloo runs the collectives. Any failure (a rank
// that never joins, one that dies or hangs, a store that cannot be reached, ranks started with
// different settings) ends in an error that names the rank and what it was doing, within the
// timeout: never a hang.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "rank_env.hpp"

namespace qflow::train {

class DataParallel {
 public:
  // Joins the group. `settings`: what every rank must agree on (network, batch, seed, ...); a rank
  // whose settings differ from rank 0's stops with both in the error.
  DataParallel(const RankEnv& env, std::chrono::seconds timeout, const std::string& settings);
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  int rank() const { return env_.rank; }
  int world() const { return env_.world; }

  // Rank 0's parameters and buffers to every rank: fresh and resumed runs start alike everywhere.
  void broadcast(torch::nn::Module& module);
  // Each gradient summed over the ranks in buckets of up to 25 MB, all in flight at once, then
  // divided by the ranks: every rank then takes the same optimizer step. `step` is for errors.
  void average_gradients(const std::vector<torch::Tensor>& parameters, int step);
  // x summed over the ranks, differentiable (its gradient is summed over the ranks too): the
  // synchronized BatchNorm's statistics, the logged loss.
  torch::Tensor sum(const torch::Tensor& x);
  // Returns once every rank has called it.
  void barrier();

  struct Group;  // the store and Gloo process group (c10d headers stay in the .cpp)

 private:
  [[noreturn]] void fail(const std::string& doing, const std::exception& error) const;

  RankEnv env_;
  std::chrono::seconds timeout_;
  std::unique_ptr<Group> group_;
  int step_ = 0;  // the step the last collective belonged to, for errors
};

}  // namespace qflow::train
