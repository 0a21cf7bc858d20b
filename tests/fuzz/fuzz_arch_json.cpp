// The architecture config (arch.json), read and then matched against a small package. Any bytes
// give a config or an ArchError; a config read survives writing and reading again unchanged.
#include "arch/arch_config.hpp"
#include "fuzz_support.hpp"
#include "model_error.hpp"
#include "small_package.hpp"

using namespace qflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fuzz::ScratchFile file("arch.json"), copy("copy.json");
  ArchConfig config;
  try {
    config = read_arch_config(file.write(data, size));
  } catch (const ArchError&) {
    return 0;
  }
  write_arch_config(copy.path(), config);
  fuzz::expect(arch_to_json(read_arch_config(copy.path())) == arch_to_json(config),
               "a config read does not survive writing and reading again");
  try {
    check_arch_matches(config, fuzz::small_package());
  } catch (const ArchError&) {
  }
  return 0;
}
