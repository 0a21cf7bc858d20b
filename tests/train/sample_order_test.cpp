// The training data stream: shards of every epoch that no two ranks share, and the samples N ranks
// read at a step being the ones one process of N times the batch reads.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "data/sample_order.hpp"

namespace qflow::train {
namespace {

TEST(SampleOrder, RanksReadDisjointShardsThatCoverEachEpoch) {
  const uint64_t size = 60;
  const int ranks = 3, batch = 4;
  SampleOrder order(size, 7);
  std::multiset<uint64_t> seen;
  for (uint64_t start = 0; start < size; start += uint64_t(ranks * batch))
    for (int r = 0; r < ranks; ++r)
      for (const uint64_t i : order.batch(start, r, batch)) seen.insert(i);
  ASSERT_EQ(seen.size(), size);
  for (uint64_t i = 0; i < size; ++i) EXPECT_EQ(seen.count(i), 1u) << "sample " << i;
}

TEST(SampleOrder, TwoRanksOfBatchBReadWhatOneProcessOfBatch2BReads) {
  SampleOrder one(50, 3), two(50, 3);
  for (uint64_t start = 0; start < 200; start += 8) {  // across epoch boundaries too
    std::vector<uint64_t> ranks = two.batch(start, 0, 4);
    const std::vector<uint64_t> second = two.batch(start, 1, 4);
    ranks.insert(ranks.end(), second.begin(), second.end());
    EXPECT_EQ(ranks, one.batch(start, 0, 8)) << "step starting at " << start;
  }
}

TEST(SampleOrder, EachEpochIsAnotherPermutationAndTheSeedDecidesThem) {
  SampleOrder a(100, 1), b(100, 1), c(100, 2);
  std::vector<uint64_t> first, second, again, other;
  for (uint64_t p = 0; p < 100; ++p) first.push_back(a.index(p));
  for (uint64_t p = 100; p < 200; ++p) second.push_back(a.index(p));
  for (uint64_t p = 0; p < 100; ++p) again.push_back(b.index(p));
  for (uint64_t p = 0; p < 100; ++p) other.push_back(c.index(p));
  EXPECT_EQ(first, again);
  EXPECT_NE(first, second);
  EXPECT_NE(first, other);
  std::sort(second.begin(), second.end());
  for (uint64_t i = 0; i < 100; ++i) EXPECT_EQ(second[i], i);
}

TEST(SampleOrder, RefusesAnEmptyDataSet) { EXPECT_THROW(SampleOrder(0, 1), std::runtime_error); }

}  // namespace
}  // namespace qflow::train
