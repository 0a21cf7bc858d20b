// A conv PE's datapath on its own: rows through a line buffer and the PE's ROM give the reference's
// rows, and the checks catch dataflow bugs a PE could have (a window read one row off, a row the
// line buffer no longer holds, a ROM image that does not fit).
#include <fstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "datapath/conv_row_engine.hpp"
#include "model_error.hpp"
#include "model_test_support.hpp"
#include "test_helpers.hpp"

namespace qflow {
namespace {

using test::small_package;

size_t index_of(const Package& p, const std::string& name) {
  for (size_t i = 0; i < p.layers.size(); ++i)
    if (p.layers[i].name == name) return i;
  throw std::runtime_error("no layer " + name);
}

// One conv layer of a random package: the map it reads, the reference's output and a PE with its ROM.
struct LayerPe {
  const Layer& layer;
  CodeMap pair;  // the graph's input, when the layer reads it
  const CodeMap& in;
  const CodeMap& expected;
  WeightRom rom;
  ConvRowEngine pe;

  LayerPe(const RandomPackage& r, const std::string& name)
      : layer(r.package.layers[index_of(r.package, name)]),
        pair(stack_input(r.pair.images.img1, r.pair.images.img2)),
        in(layer.inputs[0] == "input" ? pair : r.codes[index_of(r.package, layer.inputs[0])]),
        expected(r.codes[index_of(r.package, name)]),
        rom(layer, 4, 8),
        pe(layer, {in.channels, in.height, in.width, layer.in_bits, layer.in_frac, false}, rom) {}

  // A line buffer holding the whole input map: every window is there.
  LineBuffer whole_map() const {
    LineBuffer window(layer.name + " line buffer", in.height, in.height);
    for (int y = 0; y < in.height; ++y) window.push(map_row(in, y, layer.in_frac > 0));
    return window;
  }
  // Whether `out` holds the reference's output row y.
  bool is_reference_row(const Row& out, int y) const {
    std::vector<int16_t> row(size_t(expected.channels) * expected.width);
    out.write_codes(row.data(), size_t(expected.width));
    for (int c = 0; c < expected.channels; ++c)
      if (!std::equal(row.begin() + c * expected.width, row.begin() + (c + 1) * expected.width,
                      expected.codes.data() + (size_t(c) * expected.height + y) * expected.width))
        return false;
    return true;
  }
};

// Output rows of `layer` computed by a PE fed the reference's input map row by row; `skew` reads
// every window that many rows late (0: the correct PE).
int rows_differing(const RandomPackage& r, const std::string& layer_name, int skew) {
  const LayerPe t(r, layer_name);
  LineBuffer window("test", t.layer.kernel + skew, t.in.height);
  int differing = 0, received = 0;
  for (int y = 0; y < t.expected.height; ++y) {
    const int y_read = std::min(y + skew, t.expected.height - 1);
    const int need = std::min(y_read * t.layer.stride - t.layer.pad + t.layer.kernel - 1, t.in.height - 1);
    while (received <= need) window.push(map_row(t.in, received++, t.layer.in_frac > 0));
    if (!t.is_reference_row(*t.pe.compute(y_read, window), y)) ++differing;
  }
  return differing;
}

TEST(ConvPe, RowsFromTheLineBufferAndRomEqualTheReference) {
  const RandomPackage r = small_package(6, 5);
  for (const char* layer : {"conv1", "conv2", "conv3_1", "deconv3", "predict_flow2"})
    EXPECT_EQ(rows_differing(r, layer, 0), 0) << layer;
}

// The host threads compute rows of one PE at once (RowJobs): each must take a strip and kernel of
// its own, or one row's window would overwrite another's.
TEST(ConvPe, RowsComputedByThreadsAtOnceEqualTheReference) {
  const RandomPackage r = small_package(6, 5);
  const LayerPe t(r, "conv3_1");
  const LineBuffer window = t.whole_map();
  std::vector<std::vector<RowRef>> windows;
  for (int y = 0; y < t.expected.height; ++y) windows.push_back(t.pe.window_rows(y, window));
  constexpr int kThreads = 3, kRounds = 30;
  std::vector<int> differing(kThreads, 0);
  std::vector<std::thread> threads;
  for (int thread = 0; thread < kThreads; ++thread)
    threads.emplace_back([&, thread] {
      Row out;
      for (int round = 0; round < kRounds; ++round)
        for (int y = 0; y < t.expected.height; ++y) {
          t.pe.compute(windows[size_t(y)], out);
          if (!t.is_reference_row(out, y)) ++differing[size_t(thread)];
        }
    });
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(differing, std::vector<int>(kThreads, 0));
}

// A PE's strip keeps the rows the next window reads again (ConvRowEngine::fill_strip): rows in any
// order, repeated, or after the rows a window reads have changed, still give the reference's rows.
TEST(ConvPe, RowsInAnyOrderEqualTheReference) {
  const RandomPackage r = small_package(6, 5);
  for (const char* name : {"conv1", "conv2", "conv3_1"}) {
    const LayerPe t(r, name);
    const LineBuffer window = t.whole_map();
    std::vector<int> order;
    for (int y = 0; y < t.expected.height; ++y) order.push_back(y);
    for (int y = t.expected.height - 1; y >= 0; y -= 3) order.push_back(y);
    for (int y = 0; y < t.expected.height; y += 2) order.insert(order.end(), {y, y});
    Row out;
    for (const int y : order) {
      t.pe.compute(t.pe.window_rows(y, window), out);
      ASSERT_TRUE(t.is_reference_row(out, y)) << name << " row " << y;
    }
  }
}

TEST(ConvPe, AWindowRowReplacedSinceTheLastWindowIsReadAnew) {
  const RandomPackage r = small_package(6, 5);
  const LayerPe t(r, "conv3_1");
  const ConvRowEngine fresh(t.layer, {t.in.channels, t.in.height, t.in.width, t.layer.in_bits, t.layer.in_frac, false},
                            t.rom);
  const LineBuffer window = t.whole_map();
  Row out, upset, reference;
  t.pe.compute(t.pe.window_rows(2, window), out);  // holds rows 1..3
  // Row 3 as an upset leaves it: the same y, one code changed.
  CodeMap changed{t.in.channels, 1, t.in.width, std::vector<int16_t>(size_t(t.in.channels) * t.in.width)};
  window.row(3)->write_codes(changed.codes.data(), size_t(t.in.width));
  changed.codes[5] ^= 1;
  std::vector<RowRef> rows = t.pe.window_rows(3, window);
  rows[1] = make_row(3, changed, false, false);
  t.pe.compute(rows, upset);
  fresh.compute(rows, reference);
  t.pe.compute(t.pe.window_rows(3, window), out);
  EXPECT_EQ(upset.bytes.low, reference.bytes.low);
  EXPECT_NE(upset.bytes.low, out.bytes.low) << "the changed code makes no difference: the test proves nothing";
}

TEST(ConvPe, AWindowOneRowOffIsCaught) {
  // A PE that starts its window one row late (top padding off by one) gives other rows: the
  // reference comparison every accelerator test makes names them.
  const RandomPackage r = small_package(6, 5);
  EXPECT_GT(rows_differing(r, "conv3_1", 1), 0);
}

TEST(ConvPe, AWindowReadingARowTheLineBufferNoLongerHoldsIsAnError) {
  const RandomPackage r = small_package(8, 8);
  const LayerPe t(r, "conv3_1");
  LineBuffer window("conv3_1 line buffer", t.layer.kernel - 1, t.in.height);  // one row short
  for (int y = 0; y < 4; ++y) window.push(map_row(t.in, y, false));
  EXPECT_NE(test::error_of([&] { t.pe.compute(2, window); })
                .find("conv3_1 line buffer: a window read row 1 while the line buffer held rows 2..3"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] { window.push(map_row(t.in, 7, false)); }).find("row 7 arrived where row 4 was due"),
            std::string::npos);
}

TEST(ConvPe, TheWeightsAreTheRomsAndARomImageRoundTrips) {
  const RandomPackage r = small_package(5, 4);
  const Layer& layer = r.package.layers[index_of(r.package, "conv2")];
  for (const auto& [pe, simd] : {std::pair{1, 1}, std::pair{3, 5}, std::pair{16, 32}}) {
    const WeightRom rom(layer, pe, simd);
    EXPECT_EQ(rom.canonical_weights(), layer.weights) << pe << "x" << simd;
    const std::filesystem::path image = test::temp_dir("rom") / "conv2.mem";
    rom.write_readmemh(image);
    EXPECT_EQ(WeightRom::from_readmemh(layer, pe, simd, image).canonical_weights(), layer.weights);
  }
}

TEST(ConvPe, RefusesAMisfitRomImage) {
  const RandomPackage r = small_package(5, 4);
  const Layer& layer = r.package.layers[index_of(r.package, "conv2")];
  const std::filesystem::path image = test::temp_dir("rom-misfit") / "conv2.mem";
  WeightRom(layer, 4, 8).write_readmemh(image);
  // Words of the same width but another count, and words of another width.
  EXPECT_NE(test::error_of([&] { WeightRom::from_readmemh(layer, 2, 16, image); }).find("needs"), std::string::npos);
  EXPECT_NE(test::error_of([&] { WeightRom::from_readmemh(layer, 4, 16, image); }).find("hex word"), std::string::npos);
  std::ofstream(image, std::ios::app) << "zz\n";
  EXPECT_NE(test::error_of([&] { WeightRom::from_readmemh(layer, 4, 8, image); }).find("more than the"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] { WeightRom::from_readmemh(layer, 4, 8, image.parent_path() / "none.mem"); })
                .find("no ROM image for layer 'conv2'"),
            std::string::npos);
}

}  // namespace
}  // namespace qflow
