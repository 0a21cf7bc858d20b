// What every fuzz target shares: libFuzzer hands bytes, qflow's readers take files, and a finding
// must stop the process so that libFuzzer keeps the input that caused it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace qflow::fuzz {

// A file per process and name, rewritten for every input (in /dev/shm when there is one: no disk).
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& name) : path_(folder() / name) {}
  ~ScratchFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  const std::filesystem::path& write(const uint8_t* data, size_t size) const {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
    if (!out) fail("cannot write the scratch file " + path_.string());
    return path_;
  }
  const std::filesystem::path& path() const { return path_; }

  // One folder per process, so that libFuzzer's -jobs/-workers do not overwrite each other's
  // inputs; removed when the process ends normally (a finding keeps it for a look).
  static const std::filesystem::path& folder() {
    struct Folder {
      std::filesystem::path path;
      Folder() {
        const std::filesystem::path base =
            std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
        path = base / ("qflow-fuzz-" + std::to_string(getpid()));
        std::filesystem::create_directories(path);
      }
      ~Folder() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
      }
    };
    static const Folder folder;
    return folder.path;
  }

  [[noreturn]] static void fail(const std::string& what) {
    std::fprintf(stderr, "fuzz finding: %s\n", what.c_str());
    std::abort();
  }

 private:
  std::filesystem::path path_;
};

// An invariant of a successful read that the input broke: a finding, like a crash.
inline void expect(bool ok, const std::string& what) {
  if (!ok) ScratchFile::fail(what);
}

}  // namespace qflow::fuzz
