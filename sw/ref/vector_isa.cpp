#include "vector_isa.hpp"

#include <oneapi/dnnl/dnnl.hpp>

namespace qflow {

const std::vector<VectorIsa>& vector_isas_of_this_cpu() {
  static const std::vector<VectorIsa> isas = [] {
    // oneDNN's ISAs are bit sets, each holding the ones below it.
    const auto cap = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
    const auto has = [cap](dnnl_cpu_isa_t isa) { return (cap & unsigned(isa)) == unsigned(isa); };
    std::vector<VectorIsa> found;
    if (has(dnnl_cpu_isa_avx512_core) && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq"))
      found.push_back(VectorIsa::Avx512);
    if (has(dnnl_cpu_isa_avx2) && __builtin_cpu_supports("avx2")) found.push_back(VectorIsa::Avx2);
    found.push_back(VectorIsa::Portable);
    return found;
  }();
  return isas;
}

}  // namespace qflow
