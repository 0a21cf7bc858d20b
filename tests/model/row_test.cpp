// A row's one form and the codes read back from it: make_row / map_row store channel-last bytes
// (split for 1/16-unit codes) or the head's int16 codes, and write_codes gives back every
// code, over shapes the 16 x 16 transposing blocks cover exactly, partly and not at all.
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "pipeline/row.hpp"

namespace qflow {
namespace {

CodeMap random_map(int channels, int height, int width, int max_code, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> code(0, max_code);
  CodeMap map{channels, height, width, std::vector<int16_t>(size_t(channels) * height * width)};
  for (int16_t& c : map.codes) c = int16_t(code(rng));
  return map;
}

TEST(RowForms, WriteCodesGivesBackEveryCodeOfEveryForm) {
  int cases = 0;
  for (const auto& [channels, width] : {std::pair{16, 16}, std::pair{64, 48}, std::pair{19, 37}, std::pair{6, 512},
                                       std::pair{33, 15}, std::pair{2, 128}})
    for (const int max_code : {255, 4080, -1}) {  // 8-bit, 1/16-unit (split), the flow head (int16)
      const bool head = max_code < 0;
      CodeMap map = random_map(channels, 3, width, head ? 32767 : max_code, uint64_t(++cases));
      if (head)
        for (size_t i = 0; i < map.codes.size(); i += 3) map.codes[i] = int16_t(-map.codes[i]);  // signed flow
      const std::string what = fmt::format("{} channels x {} pixels, codes up to {}", channels, width, max_code);
      const int y = 1;
      CodeMap one{channels, 1, width, std::vector<int16_t>(size_t(channels) * width)};
      for (int c = 0; c < channels; ++c)
        std::copy_n(map.codes.data() + (size_t(c) * 3 + y) * width, width, one.codes.data() + size_t(c) * width);
      const RowRef row = head ? make_row(y, one, true, false) : map_row(map, y, max_code > 255);
      ASSERT_EQ(row->is_head(), head) << what;
      ASSERT_EQ(row->channels(), channels) << what;
      ASSERT_EQ(row->width(), width) << what;
      // Written into a wider map's row y, as the model's probe does: the stride and the neighbours count.
      std::vector<int16_t> written(size_t(channels) * 3 * width, -7);
      row->write_codes(written.data() + size_t(y) * width, size_t(3) * width);
      for (int c = 0; c < channels; ++c)
        for (int r = 0; r < 3; ++r)
          for (int x = 0; x < width; ++x) {
            const size_t at = (size_t(c) * 3 + r) * width + x;
            const int expected = r == y ? map.codes[at] : -7;
            ASSERT_EQ(written[at], expected) << what << ": channel " << c << ", row " << r << ", pixel " << x;
          }
    }
}

}  // namespace
}  // namespace qflow
