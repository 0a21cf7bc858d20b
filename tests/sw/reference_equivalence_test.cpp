// naive == fast, bit for bit: whole random packages at every bit width, then single layers over
// kernels, strides, pads, odd sizes, upsampled inputs, full accumulation depth and extreme codes.
// Registered once per oneDNN ISA cap (tests/sw/CMakeLists.txt): every kernel path oneDNN has.
#include <cstdlib>
#include <map>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <oneapi/dnnl/dnnl.hpp>

#include "gen/random_package.hpp"
#include "ref/conv_kernel.hpp"
#include "ref/host_flow.hpp"
#include "ref/naive_ops.hpp"
#include "ref/reference.hpp"
#include "test_support.hpp"

namespace qflow {
namespace {

// Under ONEDNN_MAX_CPU_ISA=X on a CPU without X, oneDNN silently runs a lesser ISA: skip, saying so.
class IsaCapAvailable : public ::testing::Environment {
 public:
  void SetUp() override {
    const char* cap = std::getenv("ONEDNN_MAX_CPU_ISA");
    if (!cap) return;
    static const std::map<std::string, dnnl::cpu_isa> kIsas = {
        {"AVX2", dnnl::cpu_isa::avx2},
        {"AVX512_CORE", dnnl::cpu_isa::avx512_core},
        {"AVX512_CORE_VNNI", dnnl::cpu_isa::avx512_core_vnni}};
    const auto isa = kIsas.find(cap);
    if (isa != kIsas.end() && dnnl::get_effective_cpu_isa() != isa->second)
      GTEST_SKIP() << "this CPU lacks " << cap << ": its oneDNN kernels cannot run here";
  }
};
const auto* const isa_cap_check = ::testing::AddGlobalTestEnvironment(new IsaCapAvailable);

void expect_same_codes(const CodeMap& naive, const CodeMap& fast, const std::string& what) {
  ASSERT_EQ(naive.channels, fast.channels) << what;
  ASSERT_EQ(naive.height, fast.height) << what;
  ASSERT_EQ(naive.width, fast.width) << what;
  for (size_t i = 0; i < naive.codes.size(); ++i)
    ASSERT_EQ(naive.codes[i], fast.codes[i]) << what << ": first mismatch at flat index " << i;
}

class WholeNetwork : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(WholeNetwork, FastEqualsNaiveOnEveryLayerAndFlowAlone) {
  const auto [w_bits, a_bits] = GetParam();
  FlowNetQShape shape{1.0 / 16, 64, 128, w_bits, a_bits};
  const RandomPackage made = make_random_package(shape, uint64_t(100 * w_bits + a_bits));
  const CodeMap input = stack_input(made.pair.images.img1, made.pair.images.img2);
  const LayerCodes naive = run_naive(made.package, input);
  FastReference reference(made.package);
  // The flow alone first, on fresh buffers: its layers pass only channel-last bytes on.
  CodeMap flow;
  reference.run_flow(input, flow);
  const LayerCodes fast = reference.run(input);
  ASSERT_EQ(naive.size(), made.package.layers.size());
  for (size_t i = 0; i < naive.size(); ++i) expect_same_codes(naive[i], fast[i], made.package.layers[i].name);
  expect_same_codes(naive.back(), flow, "the flow head from run_flow");
}

INSTANTIATE_TEST_SUITE_P(Bits2To8, WholeNetwork,
                         ::testing::Combine(::testing::Range(2, 9), ::testing::Range(2, 9)),
                         [](const auto& param_info) {
                           return fmt::format("w{}a{}", std::get<0>(param_info.param), std::get<1>(param_info.param));
                         });

TEST(SingleLayer, FastEqualsNaiveOverKernelsStridesPadsAndOddSizes) {
  std::mt19937_64 rng(7);
  int cases = 0;
  for (int kernel : {1, 2, 3, 5, 7})
    for (int stride : {1, 2, 3})
      for (int pad = 0; pad < kernel; pad += (kernel > 3 ? 2 : 1))
        for (auto [h, w] : {std::pair{9, 13}, std::pair{8, 10}})
          for (int in_frac : {0, 4}) {
            test::ConvSpec spec;
            spec.kernel = kernel;
            spec.stride = stride;
            spec.pad = pad;
            spec.in_frac = in_frac;
            spec.cin = 1 + cases % 37;  // channel counts that are not multiples of any SIMD width
            spec.cout = 1 + cases % 11;
            spec.w_bits = 2 + cases % 7;
            spec.in_bits = 2 + (cases / 7) % 7;
            spec.out_bits = 2 + (cases / 3) % 7;
            spec.flow_head = cases % 5 == 0;
            if (h + 2 * pad < kernel || w + 2 * pad < kernel) continue;
            const Layer layer = test::random_conv(spec, rng);
            const CodeMap in = test::random_codes(spec.cin, h, w, ((1 << spec.in_bits) - 1) << in_frac, rng);
            const std::string what = fmt::format("k{} s{} p{} {}x{} frac{} cin{} cout{} w{} a{}", kernel, stride, pad,
                                                 h, w, in_frac, spec.cin, spec.cout, spec.w_bits, spec.in_bits);
            expect_same_codes(naive_conv(layer, in, test::conv_out_shape(layer, in)), run_layer_fast(layer, {&in}), what);
            ++cases;
          }
  EXPECT_GT(cases, 100);
}

// The deepest accumulations of FlowNetQ at the extreme codes: the most negative weight times the
// largest (upsampled) activation over k*k*cin terms. The flow head's int16 mode with a shift lets
// the test read the accumulator back and check it against the closed form.
class ExtremeAccumulation : public ::testing::TestWithParam<std::tuple<int, int, int>> {};

TEST_P(ExtremeAccumulation, ExactAtFullDepth) {
  const auto [cin, in_frac, w_bits] = GetParam();
  std::mt19937_64 rng(11);
  test::ConvSpec spec;
  spec.cin = cin;
  spec.cout = 2;
  spec.in_frac = in_frac;
  spec.w_bits = w_bits;
  spec.flow_head = true;
  spec.extreme_weights = true;
  Layer layer = test::random_conv(spec, rng);
  const int64_t max_code = int64_t(255) << in_frac;
  const int64_t interior_acc = -int64_t(9) * cin * (int64_t(1) << (w_bits - 1)) * max_code;
  test::read_accumulators_back(layer, 20);  // |acc| < 2^32: >> 20 lands well inside int16
  const CodeMap in = test::random_codes(cin, 5, 6, max_code, rng, /*extreme=*/true);
  const CodeMap naive = naive_conv(layer, in, test::conv_out_shape(layer, in));
  const CodeMap fast = run_layer_fast(layer, {&in});
  expect_same_codes(naive, fast, fmt::format("cin {} frac {} w{}", cin, in_frac, w_bits));
  // Interior pixel (1, 1): all nine taps inside. floor((acc + 2^19) / 2^20) = round(acc / 2^20).
  const int64_t expected = (interior_acc + (int64_t(1) << 19)) >> 20;
  EXPECT_EQ(fast.codes[size_t(1) * 6 + 1], expected);
}

INSTANTIATE_TEST_SUITE_P(Depths, ExtremeAccumulation,
                         ::testing::Values(std::tuple{1024, 0, 8}, std::tuple{768, 4, 8}, std::tuple{1024, 4, 8},
                                           std::tuple{384, 4, 2}, std::tuple{192, 0, 5}));

// On a saturating kernel (AVX2, AVX-512 without VNNI) a W8A8 layer of 8-bit codes runs oneDNN on
// frames whose codes all stay below 128 and the int16 kernel on the others. Every weight at -128
// and codes at 255 in neighbouring channels: a saturating pair sum would be off by 32K, so the
// second frame fails if it runs on oneDNN. The int16 head reads the accumulators back.
TEST(SaturatingKernels, EachFrameRunsWhereItsCodesFit) {
  std::mt19937_64 rng(5);
  for (const auto& [stride, kernel, cin] : {std::tuple{1, 3, 48}, std::tuple{2, 5, 40}, std::tuple{2, 7, 6}}) {
    test::ConvSpec spec;
    spec.cin = cin;
    spec.cout = 37;
    spec.kernel = kernel;
    spec.stride = stride;
    spec.pad = kernel / 2;
    spec.flow_head = true;
    spec.extreme_weights = true;
    Layer layer = test::random_conv(spec, rng);
    test::read_accumulators_back(layer, 12);  // |acc| < 49 * 48 * 128 * 255 < 2^27
    CodeMap in = test::random_codes(cin, 13, 17, 127, rng);
    const std::string what = fmt::format("k{} s{} cin {}", kernel, stride, cin);
    expect_same_codes(naive_conv(layer, in, test::conv_out_shape(layer, in)), run_layer_fast(layer, {&in}),
                      what + ", codes below 128");
    const size_t plane = size_t(in.height) * in.width;
    for (size_t p = 0; p < plane; p += 7) in.codes[p] = in.codes[plane + p] = 255;  // channels 0 and 1
    expect_same_codes(naive_conv(layer, in, test::conv_out_shape(layer, in)), run_layer_fast(layer, {&in}),
                      what + ", codes at 255");
  }
}

// The fast path must know which kernel it got. Where oneDNN's kernel saturates int16 pair sums
// (AVX2, AVX-512 without VNNI): a W8A8 layer of 8-bit codes runs oneDNN on frames whose codes stay
// below 128 and the int16 kernel on the others, a W4A4 one runs oneDNN as it is,
// and codes over 8 bits (W8A8's upsampled inputs) run on the int16 kernel (two oneDNN passes would
// be slower).
// With exact sums every layer runs oneDNN. The equivalence tests above show the results exact.
// Prints what was picked.
TEST(KernelChoice, SaturatingKernelsRunOnlyWherePairSumsFit) {
  for (const int bits : {8, 4}) {
    const RandomPackage made = make_random_package({1.0 / 16, 64, 64, bits, bits}, 1);
    const std::vector<std::string> names = FastReference(made.package).kernel_names();
    for (size_t i = 0; i < names.size(); ++i) {
      const Layer& layer = made.package.layers[i];
      if (!layer.is_conv()) continue;
      std::printf("W%dA%d %-14s %s\n", bits, bits, layer.name.c_str(), names[i].c_str());
      const bool exact_sums = names[i].find("vnni") != std::string::npos || names[i].find("amx") != std::string::npos;
      EXPECT_EQ(names[i].find("ref"), std::string::npos) << names[i];  // oneDNN's float-summing kernel
      const bool onednn = names[i].rfind("onednn:", 0) == 0;
      const bool two_bytes = ((1 << layer.in_bits) - 1) << layer.in_frac > 255;
      if (exact_sums || !onednn) {
        EXPECT_TRUE(exact_sums || two_bytes) << layer.name << ": " << names[i];
        continue;
      }
      EXPECT_FALSE(two_bytes) << layer.name << ": codes over 8 bits on a saturating kernel: " << names[i];
      EXPECT_EQ(names[i].find("below 128") != std::string::npos, bits == 8) << names[i];
    }
  }
}

// qflow's int16 kernel, its tiles at every ISA this CPU has (AVX-512, AVX2, plain loops), against
// the naive loops: tile tails and full tiles, channel blocks that are not full, odd channel
// counts, strides, pads, 12-bit inputs, and a window deep enough to need int64 over int32 ranges.
TEST(ExactKernel, TilesEqualNaiveLoops) {
  std::mt19937_64 rng(13);
  struct Case {
    test::ConvSpec spec;  // cin, cout, kernel, stride, pad, in_bits, in_frac, w_bits
    int h, w;
  };
  // Channel counts of one block, two (a pair tile) and three (a pair and one). The last two: every
  // weight and code at its extreme, |acc| near 2^32, read back through the int16 head.
  Case cases[] = {{{7, 5, 3, 1, 1, 8, 0, 8}, 9, 13},     {{40, 37, 5, 2, 2, 8, 0, 8}, 13, 17},
                  {{33, 16, 3, 1, 1, 8, 4, 8}, 6, 7},    {{3, 2, 1, 1, 0, 8, 4, 2}, 5, 23},
                  {{17, 31, 2, 3, 1, 8, 0, 5}, 11, 19},  {{20, 48, 3, 2, 1, 8, 0, 8}, 5, 61},
                  {{1024, 3, 3, 1, 1, 8, 4, 8}, 4, 8},   {{1024, 35, 3, 1, 1, 8, 4, 8}, 3, 14}};
  for (Case& c : cases) {
    test::ConvSpec& spec = c.spec;
    const bool deep = spec.cin == 1024;
    spec.extreme_weights = deep;
    spec.flow_head = deep;
    Layer layer = test::random_conv(spec, rng);
    if (deep) test::read_accumulators_back(layer, 20);
    const CodeMap in = test::random_codes(spec.cin, c.h, c.w, int64_t(255) << spec.in_frac, rng, deep);
    ChannelLast bytes;
    to_channel_last(in, spec.in_frac > 0, bytes);
    const CodeMap naive = naive_conv(layer, in, test::conv_out_shape(layer, in));
    for (const VectorIsa isa : vector_isas_of_this_cpu()) {
      const auto kernel = make_exact_conv(layer, {spec.cin, c.h, c.w, 8, spec.in_frac, false},
                                          conv_output_shape(layer, c.h, c.w), isa);
      EXPECT_NE(kernel->name().find(int16_tile_kernel(isa).isa), std::string::npos) << kernel->name();
      if (deep) {
        EXPECT_NE(kernel->name().find("int64"), std::string::npos) << kernel->name();
      }
      CodeMap fast;
      kernel->run(bytes, &fast, nullptr);
      expect_same_codes(naive, fast,
                        fmt::format("k{} s{} cin{} cout{} {}", spec.kernel, spec.stride, spec.cin, spec.cout, kernel->name()));
    }
  }
}

// A perturbed packing must be caught: the same layer with one weight changed differs.
TEST(ExactKernel, OneChangedWeightChangesTheCodes) {
  std::mt19937_64 rng(17);
  test::ConvSpec spec;
  spec.cin = 20;
  spec.cout = 18;
  Layer layer = test::random_conv(spec, rng);
  const CodeMap in = test::random_codes(spec.cin, 8, 8, 255, rng);
  ChannelLast bytes;
  to_channel_last(in, false, bytes);
  const TensorShape in_shape{spec.cin, 8, 8, 8, 0, false};
  CodeMap before, after;
  make_exact_conv(layer, in_shape, conv_output_shape(layer, 8, 8))->run(bytes, &before, nullptr);
  layer.weights[size_t(17) * spec.cin * 9 + 19 * 9 + 4] ^= 0x40;  // channel 17 (second block), input 19 (odd), centre tap
  make_exact_conv(layer, in_shape, conv_output_shape(layer, 8, 8))->run(bytes, &after, nullptr);
  const size_t plane = 64;
  for (size_t i = 0; i < before.codes.size(); ++i)
    if (i / plane != 17) {
      ASSERT_EQ(before.codes[i], after.codes[i]) << "only channel 17 may change, index " << i;
    }
  EXPECT_NE(std::vector<int16_t>(before.codes.begin() + 17 * plane, before.codes.begin() + 18 * plane),
            std::vector<int16_t>(after.codes.begin() + 17 * plane, after.codes.begin() + 18 * plane));
}

}  // namespace
}  // namespace qflow
