#include "waves_save.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "errors.hpp"

namespace qflow::sim {

void write_gtkwave_save(const std::filesystem::path& vcd, const std::filesystem::path& save) {
  std::ifstream in(vcd);
  if (!in) throw FlowIoError(fmt::format("{}: cannot read the waves", vcd.string()));
  std::vector<std::string> scopes;
  std::vector<std::pair<std::string, int>> signals;  // full name, width
  for (std::string line; std::getline(in, line) && line.find("$enddefinitions") == std::string::npos;) {
    std::istringstream words(line);
    std::string keyword;
    words >> keyword;
    if (keyword == "$scope") {
      std::string kind, name;
      words >> kind >> name;
      scopes.push_back(name);
    } else if (keyword == "$upscope") {
      if (!scopes.empty()) scopes.pop_back();
    } else if (keyword == "$var") {
      std::string kind, id, name;
      int width = 1;
      std::string range;  // GTKWave names a vector with its range: row[31:0]
      words >> kind >> width >> id >> name >> range;
      if (range.rfind('[', 0) == 0) name += range;
      std::string full;
      for (const std::string& s : scopes) full += s + ".";
      signals.emplace_back(full + name, width);
    }
  }
  std::ofstream out(save);
  out << "[dumpfile] \"" << std::filesystem::absolute(vcd).string() << "\"\n[timestart] 0\n[size] 1600 900\n";
  for (const auto& [name, width] : signals)
    out << (width == 1 ? "@28\n" : "@24\n") << name << "\n";  // 28: binary, 24: decimal
  if (!out) throw FlowIoError(fmt::format("{}: cannot write", save.string()));
}

}  // namespace qflow::sim
