// Opt-in waves for the co-simulation tests: with QFLOW_WAVES=DIR set (e.g. the repository's
// waves/), each test writes DIR/<suite>.<test>.vcd; without it, nothing is traced.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace qflow::rtl {

inline std::string test_waves_path() {
  const char* dir = std::getenv("QFLOW_WAVES");
  if (!dir || !*dir) return "";
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name() + ".vcd";
  for (char& c : name)
    if (c == '/') c = '_';
  std::filesystem::create_directories(dir);
  return (std::filesystem::path(dir) / name).string();
}

}  // namespace qflow::rtl
