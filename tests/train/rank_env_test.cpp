// How a rank finds its place from torchrun's or Slurm's environment, and the errors for bad values.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "distributed/rank_env.hpp"
#include "test_helpers.hpp"

namespace qflow::train {
namespace {

using testing::HasSubstr;

GetEnv env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(RankEnv, NoLauncherMeansOneProcess) {
  EXPECT_FALSE(rank_env_from(env_of({})).has_value());
  EXPECT_FALSE(rank_env_from(env_of({{"WORLD_SIZE", "1"}, {"RANK", "0"}, {"MASTER_PORT", "29500"}})).has_value());
  EXPECT_FALSE(rank_env_from(env_of({{"SLURM_NTASKS", "1"}, {"SLURM_PROCID", "0"}})).has_value());
}

TEST(RankEnv, ReadsTorchrunsVariables) {
  const auto env = rank_env_from(env_of({{"WORLD_SIZE", "4"}, {"RANK", "3"}, {"LOCAL_RANK", "1"},
                                         {"MASTER_ADDR", "node7"}, {"MASTER_PORT", "29600"}}));
  ASSERT_TRUE(env.has_value());
  EXPECT_EQ(env->rank, 3);
  EXPECT_EQ(env->world, 4);
  EXPECT_EQ(env->local_rank, 1);
  EXPECT_EQ(env->master_addr, "node7");
  EXPECT_EQ(env->master_port, 29600);
  EXPECT_EQ(env->source, "torchrun");
  EXPECT_FALSE(env->agent_store);
}

TEST(RankEnv, UnderTorchrunsAgentRankZeroUsesTheAgentsStoreUnderARestartsPrefix) {
  const auto env = rank_env_from(env_of({{"WORLD_SIZE", "2"}, {"RANK", "0"}, {"MASTER_ADDR", "127.0.0.1"},
                                         {"MASTER_PORT", "29600"}, {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                                         {"TORCHELASTIC_RESTART_COUNT", "3"}}));
  ASSERT_TRUE(env.has_value());
  EXPECT_TRUE(env->agent_store);
  EXPECT_EQ(env->key_prefix, "qflow/3");
}

TEST(RankEnv, ReadsSlurmsVariablesWithTheFirstNodeAsRankZerosHost) {
  const auto env = rank_env_from(env_of({{"SLURM_NTASKS", "8"}, {"SLURM_PROCID", "5"}, {"SLURM_LOCALID", "1"},
                                         {"SLURM_JOB_NODELIST", "gpu[03-06],login1"}, {"SLURM_JOB_ID", "123456"}}));
  ASSERT_TRUE(env.has_value());
  EXPECT_EQ(env->rank, 5);
  EXPECT_EQ(env->world, 8);
  EXPECT_EQ(env->local_rank, 1);
  EXPECT_EQ(env->master_addr, "gpu03");
  EXPECT_EQ(env->master_port, 20000 + 123456 % 20000);
  EXPECT_EQ(env->source, "Slurm");
}

TEST(RankEnv, FirstSlurmHost) {
  EXPECT_EQ(first_slurm_host("node1"), "node1");
  EXPECT_EQ(first_slurm_host("node1,node2"), "node1");
  EXPECT_EQ(first_slurm_host("cn[7,9-12]"), "cn7");
  EXPECT_EQ(first_slurm_host("a1,cn[2-3]"), "a1");
  EXPECT_EQ(first_slurm_host("rack2-n[010-012]"), "rack2-n010");
  EXPECT_THAT(test::error_of([] { first_slurm_host("cn[3"); }), HasSubstr("unclosed"));
}

TEST(RankEnv, BadValuesAreNamed) {
  EXPECT_THAT(test::error_of([] {
                rank_env_from(env_of({{"WORLD_SIZE", "2"}, {"RANK", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}}));
              }),
              HasSubstr("RANK='2' is not a whole number in 0..1"));
  EXPECT_THAT(test::error_of([] { rank_env_from(env_of({{"WORLD_SIZE", "two"}})); }), HasSubstr("WORLD_SIZE='two'"));
  EXPECT_THAT(test::error_of([] {
                rank_env_from(env_of({{"WORLD_SIZE", "2"}, {"RANK", "1"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "70000"}}));
              }),
              HasSubstr("MASTER_PORT='70000'"));
  EXPECT_THAT(test::error_of([] { rank_env_from(env_of({{"WORLD_SIZE", "2"}, {"RANK", "1"}, {"MASTER_PORT", "1"}})); }),
              HasSubstr("MASTER_ADDR is not set"));
  EXPECT_THAT(test::error_of([] { rank_env_from(env_of({{"SLURM_NTASKS", "2"}, {"SLURM_PROCID", "0"}})); }),
              HasSubstr("SLURM_JOB_NODELIST is not set"));
}

}  // namespace
}  // namespace qflow::train
