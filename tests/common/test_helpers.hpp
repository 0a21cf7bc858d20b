// Helpers every test suite shares: fresh temporary folders and the message of an expected error.
#pragma once

#include <exception>
#include <filesystem>
#include <string>

namespace qflow::test {

// A fresh empty folder under the system's temporary directory.
inline std::filesystem::path temp_dir(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("qflow-test-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// What `f` throws, or "no error": for asserting that a message names the problem.
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace qflow::test
