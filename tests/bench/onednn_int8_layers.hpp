// oneDNN's int8 convolutions (u8 x s8 -> s32, its best kernels) of every conv layer shape of a
// package: the limit of this CPU for the network's arithmetic, which the benchmarks compare against.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "package/network_shapes.hpp"
#include "package/package.hpp"

namespace qflow::bench {

// Each layer with its preferred layouts (NHWC=1 in the environment forces channel-last).
class OneDnnInt8Layers {
 public:
  explicit OneDnnInt8Layers(const Package& package) : engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {
    using dnnl::memory;
    const std::map<std::string, TensorShape> shapes = shapes_by_name(package);
    for (const Layer& l : package.layers) {
      if (!l.is_conv()) continue;
      const TensorShape& in = shapes.at(l.inputs[0]);
      const TensorShape& out = shapes.at(l.name);
      memory::desc src({1, l.cin, in.height, in.width}, memory::data_type::u8, getenv("NHWC") ? memory::format_tag::nhwc : memory::format_tag::any);
      memory::desc wei({l.cout, l.cin, l.kernel, l.kernel}, memory::data_type::s8, memory::format_tag::any);
      memory::desc dst({1, l.cout, out.height, out.width}, memory::data_type::s32, getenv("NHWC") ? memory::format_tag::nhwc : memory::format_tag::any);
      dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                        src, wei, dst, {l.stride, l.stride}, {l.pad, l.pad}, {l.pad, l.pad});
      dnnl::convolution_forward::primitive_desc pd(d, engine_);
      impls_.push_back(pd.impl_info_str());
      Conv conv{dnnl::convolution_forward(pd), memory(pd.src_desc(), engine_), memory(pd.weights_desc(), engine_),
                memory(pd.dst_desc(), engine_), in.max_code() > 255 ? 2 : 1};
      // Real bytes: untouched pages all map to the kernel's one zero page and would read from cache.
      fill_random(conv.src);
      fill_random(conv.weights);
      layers_.push_back(std::move(conv));
    }
  }
  // One u8 pass per layer: the arithmetic limit, as if every input fitted a byte.
  void run() { run_passes(false); }
  // As many u8 passes as the integer contract needs: two for the 12-bit upsampled inputs (low byte,
  // high part), which no single u8 pass can hold.
  void run_contract_passes() { run_passes(true); }
  const std::vector<std::string>& impls() const { return impls_; }

 private:
  static void fill_random(dnnl::memory& m) {
    auto* bytes = static_cast<uint8_t*>(m.get_data_handle());
    std::mt19937 rng(1);
    for (size_t i = 0; i < m.get_desc().get_size(); ++i) bytes[i] = uint8_t(rng() & 0x7f);
  }

  struct Conv {
    dnnl::convolution_forward conv;
    dnnl::memory src, weights, dst;
    int contract_passes;
  };
  void run_passes(bool contract) {
    for (Conv& c : layers_)
      for (int pass = 0; pass < (contract ? c.contract_passes : 1); ++pass)
        c.conv.execute(stream_, {{DNNL_ARG_SRC, c.src}, {DNNL_ARG_WEIGHTS, c.weights}, {DNNL_ARG_DST, c.dst}});
    stream_.wait();
  }
  dnnl::engine engine_;
  dnnl::stream stream_;
  std::vector<Conv> layers_;
  std::vector<std::string> impls_;
};

}  // namespace qflow::bench
