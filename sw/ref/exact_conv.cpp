// qflow's own exact conv kernel: int16 codes x int16 weights in register tiles (int16_tiles), the
// fallback wherever oneDNN's kernel is not exact or would need two passes to be.
#include <algorithm>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "conv_kernel.hpp"
#include "int16_tiles.hpp"
#include "requant_rows.hpp"

namespace qflow {
namespace {

// Below this many multiply-adds a layer (or the accelerator model's one-row strip) runs on the
// calling thread: forking would cost more than it saves.
constexpr int64_t kParallelMacs = int64_t(1) << 22;

// A range of the window (rows x channel pairs) whose worst-case sum fits int32.
struct SumRange {
  int ky_begin, ky_end, pair_begin, pair_end;
};

class ExactConv final : public ConvKernel {
 public:
  ExactConv(const Layer& layer, const TensorShape& in, const TensorShape& out, TileKernel tile)
      : layer_(layer), requant_(requant_table(layer)), in_shape_(in), out_shape_(out), tile_(tile),
        pairs_((layer.cin + 1) / 2), blocks_((layer.cout + kTileChannels - 1) / kTileChannels), padded_width_(in.width + 2 * layer.pad) {
    pack_weights();
    padded_.assign(size_t(in.height + 2 * layer.pad) * padded_width_ * 2 * pairs_, 0);  // the border stays zero
    plan_sum_ranges(in.max_code());
  }

  void run(const ChannelLastView& in, CodeMap* out, ChannelLast* bytes) override {
    if (in.channels != layer_.cin || in.height != in_shape_.height || in.width != in_shape_.width)
      throw std::invalid_argument(fmt::format("layer '{}': exact kernel built for {}x{}x{} input, given {}x{}x{}",
                                              layer_.name, layer_.cin, in_shape_.height, in_shape_.width,
                                              in.channels, in.height, in.width));
    fill_padded(in);
    resize_outputs(out_shape_.channels, out_shape_.height, out_shape_.width, out, bytes);
    if (ranges_.size() == 1)
      convolve_and_requantize(acc32_, out, bytes);
    else
      convolve_and_requantize(acc64_, out, bytes);
  }

  std::string name() const override {
    const std::string sums = ranges_.size() == 1 ? "int32 sums"
                                                 : fmt::format("int64 over {} int32 partial sums", ranges_.size());
    return fmt::format("exact:int16 pmaddwd tiles ({}), {}", tile_.isa, sums);
  }

 private:
  // (cout, cin, kh, kw) -> per block of 16 output channels [ky][kx][pair][16][2]: a tap's channel
  // pair for 8 output channels is one register.
  void pack_weights() {
    const int k = layer_.kernel;
    weights_.assign(size_t(blocks_) * k * k * pairs_ * 2 * kTileChannels, 0);
    for (int co = 0; co < layer_.cout; ++co)
      for (int ci = 0; ci < layer_.cin; ++ci)
        for (int t = 0; t < k * k; ++t) {
          const int block = co / kTileChannels, lane = co % kTileChannels, pair = ci / 2;
          const size_t at = (((size_t(block) * k * k + t) * pairs_ + pair) * 2 + lane / 8) * kTileChannels +
                            (lane % 8) * 2 + ci % 2;
          weights_[at] = layer_.weights[(size_t(co) * layer_.cin + ci) * k * k + t];
        }
  }

  // One range when the whole window's worst case fits int32; otherwise one window row at a time,
  // in as few channel ranges as keep each partial sum in int32 (summed in int64).
  void plan_sum_ranges(int64_t max_code) {
    const int k = layer_.kernel;
    const int64_t per_pair = 2 * max_code * (int64_t(1) << (layer_.w_bits - 1));
    const int64_t limit = std::numeric_limits<int32_t>::max();
    if (per_pair * k * k * pairs_ <= limit) {
      ranges_.push_back({0, k, 0, pairs_});
      return;
    }
    const int pairs_per_range = int(std::max<int64_t>(1, limit / (per_pair * k)));
    for (int ky = 0; ky < k; ++ky)
      for (int p = 0; p < pairs_; p += pairs_per_range)
        ranges_.push_back({ky, ky + 1, p, std::min(pairs_, p + pairs_per_range)});
  }

  void fill_padded(const ChannelLastView& in) {
    const int channels = in.channels, stride = 2 * pairs_, pad = layer_.pad;
    const bool split = in.split();
#pragma omp parallel for if (int64_t(in.height) * in.width * channels >= kParallelCodes)
    for (int y = 0; y < in.height; ++y)
      for (int x = 0; x < in.width; ++x) {
        const size_t from = (size_t(y) * in.width + x) * channels;
        int16_t* to = padded_.data() + ((size_t(y) + pad) * padded_width_ + x + pad) * stride;
        for (int c = 0; c < channels; ++c)
          to[c] = int16_t(in.low[from + c] + (split ? in.high[from + c] << 8 : 0));
      }
  }

  TileArgs tile_args(int oy, int ox, int block, const SumRange& range) const {
    const int s = layer_.stride, k = layer_.kernel;
    return {padded_.data() + (size_t(oy) * s * padded_width_ + size_t(ox) * s) * 2 * pairs_,
            int64_t(padded_width_) * 2 * pairs_,
            s * 2 * pairs_,
            k,
            pairs_,
            weights_.data() + size_t(block) * block_stride(),
            block_stride(),
            range.ky_begin,
            range.ky_end,
            range.pair_begin,
            range.pair_end};
  }

  int64_t block_stride() const { return int64_t(layer_.kernel) * layer_.kernel * pairs_ * 2 * kTileChannels; }

  // The blocks one tile call computes: two neighbouring ones where the ISA has a pair tile (the
  // last group of an odd count has one).
  int blocks_per_group() const { return tile_.run_pair ? 2 : 1; }
  int groups() const { return (blocks_ + blocks_per_group() - 1) / blocks_per_group(); }
  struct Group {
    int block;     // its first block
    TileFn tile;
    int channels;  // 16 per block
  };
  Group group_at(int group) const {
    const int block = group * blocks_per_group();
    const bool pair = tile_.run_pair && block + 1 < blocks_;
    return {block, pair ? tile_.run_pair : tile_.run, (pair ? 2 : 1) * kTileChannels};
  }

  // Output row oy, the channel blocks of group `group`, into acc (pixels x blocks_ * 16 per row).
  void convolve_tiles(int oy, int group, int32_t* acc) const {
    const int width = out_shape_.width, step = blocks_ * kTileChannels;
    const Group g = group_at(group);
    int32_t* row = acc + size_t(oy) * width * step + g.block * kTileChannels;
    for (int ox = 0; ox < width; ox += tile_.pixels)
      g.tile(tile_args(oy, ox, g.block, ranges_.front()), std::min(tile_.pixels, width - ox), row + size_t(ox) * step,
             step);
  }
  void convolve_tiles(int oy, int group, int64_t* acc) const {
    const int width = out_shape_.width, step = blocks_ * kTileChannels;
    const Group g = group_at(group);
    const int channels = g.channels;
    int64_t* row = acc + size_t(oy) * width * step + g.block * kTileChannels;
    int32_t partial[kMaxTilePixels * kMaxTileBlocks * kTileChannels];
    for (int ox = 0; ox < width; ox += tile_.pixels) {
      const int pixels = std::min(tile_.pixels, width - ox);
      int64_t* sums = row + size_t(ox) * step;
      for (int p = 0; p < pixels; ++p) std::fill_n(sums + p * step, channels, 0);
      for (const SumRange& range : ranges_) {
        g.tile(tile_args(oy, ox, g.block, range), pixels, partial, channels);
        for (int p = 0; p < pixels; ++p)
          for (int o = 0; o < channels; ++o) sums[p * step + o] += partial[p * channels + o];
      }
    }
  }

  template <typename Acc>
  void convolve_and_requantize(std::vector<Acc>& acc, CodeMap* out, ChannelLast* bytes) {
    const int height = out_shape_.height, width = out_shape_.width, cout = layer_.cout;
    const int step = blocks_ * kTileChannels;
    acc.resize(size_t(height) * width * step);
    const int64_t macs = int64_t(height) * width * cout * layer_.kernel * layer_.kernel * layer_.cin;
#pragma omp parallel if (macs >= kParallelMacs)
    {
      // Dynamic: a thread slowed by the machine's other load leaves its rows to the others (fixed
      // halves were 13 % slower AVX2-capped in alternating runs; the README has the figures).
#pragma omp for collapse(2) schedule(dynamic)
      for (int oy = 0; oy < height; ++oy)
        for (int group = 0; group < groups(); ++group) convolve_tiles(oy, group, acc.data());
#pragma omp for schedule(static)
      for (int oy = 0; oy < height; ++oy) {
        const Acc* row = acc.data() + size_t(oy) * width * step;
        if constexpr (std::is_same_v<Acc, int32_t>)
          requantize_block(requant_, row, nullptr, 0, step, int64_t(oy) * width, width, {out, bytes});
        else
          requantize_block(requant_, row, step, int64_t(oy) * width, width, {out, bytes});
      }
    }
  }

  const Layer& layer_;
  RequantTable requant_;
  TensorShape in_shape_, out_shape_;
  TileKernel tile_;
  int pairs_, blocks_, padded_width_;
  std::vector<int16_t> weights_;  // packed by pack_weights
  std::vector<int16_t> padded_;   // the input, channel-last, zero border, even channel count
  std::vector<SumRange> ranges_;
  std::vector<int32_t> acc32_;  // output pixels x blocks_ * 16, when one range sums the window
  std::vector<int64_t> acc64_;  // the same, otherwise
};

}  // namespace

std::unique_ptr<ConvKernel> make_exact_conv(const Layer& layer, const TensorShape& in, const TensorShape& out) {
  return std::make_unique<ExactConv>(layer, in, out, int16_tile_kernel());
}

std::unique_ptr<ConvKernel> make_exact_conv(const Layer& layer, const TensorShape& in, const TensorShape& out,
                                            VectorIsa isa) {
  return std::make_unique<ExactConv>(layer, in, out, int16_tile_kernel(isa));
}

}  // namespace qflow
