// A package directory's network.json, fed through the package reader and its validator, beside
// the ROM images of a real small package. Any bytes give a valid package or a PackageError; a
// package read survives writing and reading again unchanged.
#include <filesystem>

#include "errors.hpp"
#include "fuzz_support.hpp"
#include "small_package.hpp"

using namespace qflow;
namespace fs = std::filesystem;

namespace {
const fs::path& package_dir() {
  static const fs::path dir = [] {
    const fs::path d = fuzz::ScratchFile::folder() / "package";
    write_package(fuzz::small_package(), d);
    return d;
  }();
  return dir;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fuzz::ScratchFile network("package/network.json");
  package_dir();  // the ROM images the seed's layers name
  Package package;
  try {
    network.write(data, size);
    package = read_package(package_dir());
  } catch (const PackageError&) {
    return 0;
  }
  const fs::path copy = fuzz::ScratchFile::folder() / "copy";
  write_package(package, copy);
  fuzz::expect(package_to_json(read_package(copy)) == package_to_json(package),
               "a package read does not survive writing and reading again");
  fs::remove_all(copy);
  return 0;
}
