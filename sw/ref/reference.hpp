// The bit-exact integer forward pass of a model package (DESIGN section 2), two implementations:
// run_naive (loops that obviously follow the contract) and FastReference (threaded, vectorized,
// oneDNN where its kernel is exact). Both return every layer's codes, in package order.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "package/npy.hpp"
#include "package/package.hpp"

namespace qflow {

using LayerCodes = std::vector<CodeMap>;  // one per package layer, C x H x W

LayerCodes run_naive(const Package& package, const CodeMap& input);

// One layer through the fast kernels, for tools that build a package layer by layer (the random
// generator calibrates each layer's requant on the previous layer's real output).
CodeMap run_layer_fast(const Layer& layer, const std::vector<const CodeMap*>& inputs);

class FastReference {
 public:
  // threads = 0: OpenMP's default.
  explicit FastReference(const Package& package, int threads = 0);
  ~FastReference();
  FastReference(const FastReference&) = delete;
  FastReference& operator=(const FastReference&) = delete;

  LayerCodes run(const CodeMap& input);
  // The same into `outputs`, reusing its buffers: the form for a stream of frames.
  void run(const CodeMap& input, LayerCodes& outputs);
  // The flow head's codes alone (the package's last layer), reusing `flow`'s buffer: the layers
  // before it are computed only in the channel-last form the kernels pass on, without their
  // C x H x W planes (which cost about a tenth of a frame).
  void run_flow(const CodeMap& input, CodeMap& flow);
  // Which kernel computes each conv layer ("onednn:<impl>" or "exact:<why>"), in package order.
  std::vector<std::string> kernel_names() const;
  // The same grouped: each kernel with its conv layers' names (what tools log once).
  std::map<std::string, std::vector<std::string>> layers_by_kernel() const;

 private:
  // The graph walk: planes[i] receives layer i's C x H x W codes, or is null where no one reads
  // them (only ever before the head, whose byte forms then carry the frame).
  void walk(const CodeMap& input, const std::vector<CodeMap*>& planes);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace qflow
