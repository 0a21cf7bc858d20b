#include "conv_row_engine.hpp"

#include <algorithm>
#include <cstring>

#include "ref/integer_ops.hpp"

namespace qflow {

ConvRowEngine::ConvRowEngine(const Layer& layer, const TensorShape& in, const WeightRom& rom)
    : strip_layer_(layer), in_(in), pad_(layer.pad), head_(layer.op == LayerOp::FlowHead) {
  strip_layer_.pad = 0;
  strip_layer_.weights = rom.canonical_weights();
  strip_shape_ = {in.channels, layer.kernel, in.width + 2 * layer.pad, in.bits, in.frac, false};
  free_.push_back(make_strip_kernel());
  kernel_name_ = free_.back()->kernel->name();
}

std::unique_ptr<ConvRowEngine::StripKernel> ConvRowEngine::make_strip_kernel() const {
  auto made = std::make_unique<StripKernel>();
  made->kernel = make_conv_kernel(strip_layer_, strip_shape_,
                                  conv_output_shape(strip_layer_, strip_shape_.height, strip_shape_.width));
  made->buffer.resize(strip_shape_.channels, kBufferWindows * strip_shape_.height, strip_shape_.width,
                      strip_shape_.frac > 0);
  made->held.assign(size_t(made->buffer.height), 0);
  return made;
}

std::unique_ptr<ConvRowEngine::StripKernel> ConvRowEngine::take_strip_kernel() const {
  {
    std::lock_guard<std::mutex> lock(free_mutex_);
    if (!free_.empty()) {
      std::unique_ptr<StripKernel> taken = std::move(free_.back());
      free_.pop_back();
      return taken;
    }
  }
  return make_strip_kernel();
}

void ConvRowEngine::give_back(std::unique_ptr<StripKernel> taken) const {
  std::lock_guard<std::mutex> lock(free_mutex_);
  free_.push_back(std::move(taken));
}

RowRef ConvRowEngine::compute(int y, const LineBuffer& window) const {
  const std::shared_ptr<Row> out = take_row(y);
  compute(window_rows(y, window), *out);
  return out;
}

std::vector<RowRef> ConvRowEngine::window_rows(int y, const LineBuffer& window) const {
  std::vector<RowRef> rows;
  for (int ky = 0; ky < strip_layer_.kernel; ++ky) rows.push_back(window.held(y * strip_layer_.stride - pad_ + ky));
  return rows;
}

void ConvRowEngine::compute(const std::vector<RowRef>& window_rows, Row& out) const {
  std::unique_ptr<StripKernel> taken = take_strip_kernel();
  fill_strip(window_rows, *taken);
  const ChannelLastView strip = taken->buffer.rows(taken->top, strip_layer_.kernel);
  // One form per row: the bytes the next PEs read, or the head's int16 codes.
  if (head_)
    taken->kernel->run(strip, &out.head_codes, nullptr);
  else
    taken->kernel->run(strip, nullptr, &out.bytes);
  give_back(std::move(taken));
}

void ConvRowEngine::fill_strip(const std::vector<RowRef>& window_rows, StripKernel& strip) const {
  const int k = strip_layer_.kernel, c = in_.channels, w = in_.width;
  const auto wanted = [&](int ky) {
    const Row* row = window_rows[size_t(ky)].get();
    return row ? row->serial : kZeroRow;
  };
  // How far the strip moves down from its last window: the window's first rows are the last ones
  // held (a stride for the PE's next row); k when it holds none of them.
  const auto holds_from = [&](int moved) {
    for (int ky = 0; ky < k - moved; ++ky) {
      const uint64_t serial = wanted(ky);
      if (serial == 0 || strip.held[size_t(strip.top + moved + ky)] != serial) return false;
    }
    return true;
  };
  int moved = 0;
  while (moved < k && !holds_from(moved)) ++moved;
  const int kept = k - moved;
  ChannelLast& buffer = strip.buffer;
  const size_t row_bytes = size_t(buffer.width) * c, pad_bytes = size_t(pad_) * c;
  int top = strip.top + moved;
  if (moved == k) top = 0;
  if (top + k > buffer.height) {  // the rows kept go to the buffer's top
    std::memmove(buffer.low.data(), buffer.low.data() + top * row_bytes, kept * row_bytes);
    if (buffer.split()) std::memmove(buffer.high.data(), buffer.high.data() + top * row_bytes, kept * row_bytes);
    std::copy_n(strip.held.begin() + top, kept, strip.held.begin());
    top = 0;
  }
  // The left and right padding columns are never written: zero since construction.
  for (int ky = kept; ky < k; ++ky) {
    const size_t at = size_t(top + ky) * row_bytes;
    if (const Row* row = window_rows[size_t(ky)].get()) {
      std::memcpy(buffer.low.data() + at + pad_bytes, row->bytes.low.data(), size_t(w) * c);
      if (buffer.split()) std::memcpy(buffer.high.data() + at + pad_bytes, row->bytes.high.data(), size_t(w) * c);
    } else {  // above or below the map: a row of zero padding
      std::fill_n(buffer.low.data() + at, row_bytes, uint8_t(0));
      if (buffer.split()) std::fill_n(buffer.high.data() + at, row_bytes, uint8_t(0));
    }
    strip.held[size_t(top + ky)] = wanted(ky);
  }
  strip.top = top;
}

void ConvRowEngine::upset_accumulator(const std::vector<RowRef>& window_rows, Row& out, int64_t element, int bit,
                                      int burst) const {
  const Layer& l = strip_layer_;
  const int out_w = out.width(), k = l.kernel;
  const int c = int(element / out_w), x = int(element % out_w);
  int64_t acc = 0;
  for (int ky = 0; ky < k; ++ky)
    for (int kx = 0; kx < k; ++kx) {
      const Row* row = window_rows.at(size_t(ky)).get();
      const int col = x * l.stride + kx - pad_;
      if (!row || col < 0 || col >= in_.width) continue;  // zero padding
      for (int ci = 0; ci < l.cin; ++ci) {
        const size_t at = size_t(col) * l.cin + ci;
        const int code = row->bytes.low[at] | (row->bytes.split() ? row->bytes.high[at] << 8 : 0);
        acc += int64_t(code) * l.weights[((size_t(c) * l.cin + ci) * k + ky) * k + kx];
      }
    }
  uint32_t bits = uint32_t(int32_t(acc));
  for (int b = bit; b < bit + burst; ++b) bits ^= 1u << b;
  const int16_t code = requantize(int32_t(bits), l.mult[size_t(c)], l.bias[size_t(c)], l.shift, l.out_bits, head_);
  if (head_) {
    out.head_codes.codes[size_t(c) * out_w + size_t(x)] = code;
  } else {
    const size_t at = size_t(x) * l.cout + size_t(c);
    out.bytes.low[at] = uint8_t(code & 0xFF);
    if (out.bytes.split()) out.bytes.high[at] = uint8_t(code >> 8);
  }
}

CodeMap ConvRowEngine::strip_codes(int y, const LineBuffer& window) const {
  const int k = strip_layer_.kernel, c = in_.channels, w = in_.width, sw = w + 2 * pad_;
  CodeMap strip{c, k, sw, std::vector<int16_t>(size_t(c) * k * sw, 0)};
  for (int ky = 0; ky < k; ++ky)
    if (const Row* row = window.row(y * strip_layer_.stride - pad_ + ky))
      row->write_codes(strip.codes.data() + size_t(ky) * sw + pad_, size_t(k) * sw);
  return strip;
}

}  // namespace qflow
