#include "output_file.hpp"

#include <fstream>

#include <fmt/format.h>

#include "errors.hpp"

namespace qflow::sim {

void write_output_file(const std::filesystem::path& file, const std::string& text, bool executable) {
  {
    std::ofstream out(file);
    if (!(out << text) || !out.flush()) throw FlowIoError(fmt::format("{}: cannot write", file.string()));
  }
  namespace fs = std::filesystem;
  if (executable) fs::permissions(file, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec, fs::perm_options::add);
}

}  // namespace qflow::sim
