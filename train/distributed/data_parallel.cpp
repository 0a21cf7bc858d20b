#include "data_parallel.hpp"

#include <thread>

#include <fmt/format.h>

namespace qflow::train {

#ifndef QFLOW_WITH_GLOO

struct DataParallel::Group {};

DataParallel::DataParallel(const RankEnv& env, std::chrono::seconds, const std::string&) : env_(env) {
  throw std::runtime_error(fmt::format("rank {} of {} ({}): this qflow-train was built without Gloo's headers "
                                       "(Debian: libgloo-dev), so it trains on one process only",
                                       env.rank, env.world, env.source));
}
DataParallel::~DataParallel() = default;
void DataParallel::broadcast(torch::nn::Module&) {}
void DataParallel::average_gradients(const std::vector<torch::Tensor>&, int) {}
torch::Tensor DataParallel::sum(const torch::Tensor& x) { return x; }
void DataParallel::barrier() {}

#else

}  // namespace qflow::train

// Debian's LibTorch is built with Gloo, but its c10d headers declare ProcessGroupGloo only under
// the macro its own build defined.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

namespace qflow::train {

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kBucketBytes = size_t(25) << 20;  // PyTorch DDP's default bucket
// How long the ranks that saw a collective fail wait for one another's reports before naming the
// ranks that did not report as the ones that died or hung.
constexpr std::chrono::seconds kReportGrace{10};

std::string key(const char* what, int rank) { return fmt::format("{}/{}", what, rank); }

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

std::string list(const std::vector<int>& ranks) {
  return fmt::format("{} {}", ranks.size() == 1 ? "rank" : "ranks", fmt::join(ranks, ", "));
}

// The ranks whose key `what/<rank>` is still missing from the store after waiting up to `wait`
// for all of them.
std::vector<int> ranks_without(c10d::Store& store, const char* what, int world, std::chrono::seconds wait) {
  const auto deadline = Clock::now() + wait;
  std::vector<int> missing;
  for (;;) {
    missing.clear();
    for (int r = 0; r < world; ++r)
      if (!store.check({key(what, r)})) missing.push_back(r);
    if (missing.empty() || Clock::now() > deadline) return missing;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

struct DataParallel::Group {
  c10::intrusive_ptr<c10d::TCPStore> tcp;
  c10::intrusive_ptr<c10d::Store> store;  // tcp, under the run's key prefix
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
};

// x summed over ranks in the forward pass, the gradient summed over ranks in the backward pass:
// every rank's loss depends on every rank's x.
class RankSumFunction : public torch::autograd::Function<RankSumFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, DataParallel* group) {
    // The group outlives every graph built during training; the context keeps it as a number.
    ctx->saved_data["group"] = int64_t(reinterpret_cast<intptr_t>(group));
    return group->sum(x.detach());
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::tensor_list grads) {
    auto* group = reinterpret_cast<DataParallel*>(intptr_t(ctx->saved_data["group"].toInt()));
    return {group->sum(grads[0]), torch::Tensor()};
  }
};

DataParallel::DataParallel(const RankEnv& env, std::chrono::seconds timeout, const std::string& settings)
    : env_(env), timeout_(timeout), group_(std::make_unique<Group>()) {
  const std::string where = fmt::format("{}:{}", env.master_addr, env.master_port);
  c10d::TCPStoreOptions options;
  options.port = env.master_port;
  options.isServer = env.rank == 0 && !env.agent_store;
  options.numWorkers = size_t(env.world);
  options.waitWorkers = false;  // the join below names the ranks that never came
  options.timeout = timeout;
  try {
    group_->tcp = c10::make_intrusive<c10d::TCPStore>(env.master_addr, options);
    group_->store = c10::make_intrusive<c10d::PrefixStore>(env.key_prefix, group_->tcp);
  } catch (const std::exception& e) {
    throw std::runtime_error(
        options.isServer
            ? fmt::format("rank 0 cannot serve the rendezvous store on {} ({}): {}", where, env.source, e.what())
            : fmt::format("rank {} cannot reach {} rendezvous store on {} within {} s ({}): {}", env.rank,
                          env.agent_store ? "torchrun's agent's" : "rank 0's", where, timeout.count(), env.source,
                          e.what()));
  }
  c10d::Store& store = *group_->store;
  store.set(key("world", env.rank), bytes(std::to_string(env.world)));
  store.set(key("settings", env.rank), bytes(settings));
  const auto text = [&](const std::string& k) {
    const std::vector<uint8_t> v = store.get(k);  // waits for the key, up to the timeout
    return std::string(v.begin(), v.end());
  };
  // First each rank holds its world size and settings against rank 0's, then waits for the rest.
  if (const std::string world0 = text(key("world", 0)); world0 != std::to_string(env.world))
    throw std::runtime_error(fmt::format("rank {} was started for {} ranks, rank 0 for {}", env.rank, env.world, world0));
  if (const std::string settings0 = text(key("settings", 0)); settings0 != settings)
    throw std::runtime_error(fmt::format("rank {} was started with other settings than rank 0:\n  rank 0: {}\n  rank {}: {}",
                                         env.rank, settings0, env.rank, settings));
  if (const std::vector<int> missing = ranks_without(store, "world", env.world, timeout); !missing.empty())
    throw std::runtime_error(fmt::format("rank {}: {} of {} did not join at {} within {} s ({})", env.rank, list(missing),
                                         env.world, where, timeout.count(), env.source));
  auto gloo_options = c10d::ProcessGroupGloo::Options::create();
  gloo_options->timeout = timeout;
  try {
    gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(env.master_addr));
    group_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, env.rank, env.world, gloo_options);
  } catch (const std::exception& e) {
    fail("connecting to the other ranks", e);
  }
}

DataParallel::~DataParallel() = default;

void DataParallel::fail(const std::string& doing, const std::exception& error) const {
  std::string who;
  try {
    c10d::Store& store = *group_->store;
    store.set(key("failed", env_.rank), bytes(std::to_string(step_)));
    const std::vector<int> silent = ranks_without(store, "failed", env_.world, kReportGrace);
    who = silent.empty() ? "every rank saw it fail (a network error or a timeout; no rank is missing)"
                         : fmt::format("{} stopped answering (died, or hung for {} s)", list(silent), kReportGrace.count());
  } catch (const std::exception&) {
    who = fmt::format("{} (the rendezvous store on {}:{} no longer answers)",
                      env_.agent_store ? "torchrun's agent is gone" : "rank 0 died or hung", env_.master_addr,
                      env_.master_port);
  }
  throw std::runtime_error(fmt::format("rank {} of {}, step {}, {}: {}\n  ({})", env_.rank, env_.world, step_, doing,
                                       who, error.what()));
}

void DataParallel::broadcast(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> tensors = module.parameters();
  for (const torch::Tensor& b : module.buffers()) tensors.push_back(b);
  try {
    for (torch::Tensor& t : tensors) {
      std::vector<at::Tensor> one{t.is_contiguous() ? t : t.contiguous()};
      group_->gloo->broadcast(one)->wait();
      if (!one[0].is_same(t)) t.copy_(one[0]);
    }
  } catch (const std::exception& e) {
    fail("receiving rank 0's parameters", e);
  }
}

void DataParallel::average_gradients(const std::vector<torch::Tensor>& parameters, int step) {
  step_ = step;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> grads;
  for (const torch::Tensor& p : parameters) {
    if (!p.grad().defined()) const_cast<torch::Tensor&>(p).mutable_grad() = torch::zeros_like(p);
    grads.push_back(p.grad());
  }
  // Buckets of consecutive gradients, each flattened into one tensor and sent at once.
  struct Bucket {
    size_t first, end;
    std::vector<at::Tensor> flat;
    c10::intrusive_ptr<c10d::Work> work;
  };
  std::vector<Bucket> buckets;
  for (size_t i = 0; i < grads.size();) {
    size_t end = i, bytes = 0;
    while (end < grads.size() && (end == i || bytes + grads[end].nbytes() <= kBucketBytes))
      bytes += grads[end++].nbytes();
    buckets.push_back({i, end, {}, {}});
    i = end;
  }
  try {
    for (Bucket& b : buckets) {
      std::vector<torch::Tensor> parts;
      for (size_t i = b.first; i < b.end; ++i) parts.push_back(grads[i].reshape(-1));
      b.flat = {torch::cat(parts)};
      b.work = group_->gloo->allreduce(b.flat);
    }
    for (Bucket& b : buckets) {
      b.work->wait();
      b.flat[0].div_(env_.world);
      int64_t at = 0;
      for (size_t i = b.first; i < b.end; ++i) {
        grads[i].copy_(b.flat[0].narrow(0, at, grads[i].numel()).view(grads[i].sizes()));
        at += grads[i].numel();
      }
    }
  } catch (const std::exception& e) {
    fail("summing the gradients", e);
  }
}

torch::Tensor DataParallel::sum(const torch::Tensor& x) {
  if (x.requires_grad()) return RankSumFunction::apply(x, this);
  std::vector<at::Tensor> one{x.contiguous().clone()};
  try {
    group_->gloo->allreduce(one)->wait();
  } catch (const std::exception& e) {
    fail("summing over the ranks (batch statistics, the logged loss)", e);
  }
  return one[0];
}

void DataParallel::barrier() {
  try {
    group_->gloo->barrier()->wait();
  } catch (const std::exception& e) {
    fail("waiting for the other ranks", e);
  }
}

#endif  // QFLOW_WITH_GLOO

}  // namespace qflow::train
