// Writing one of qflow-sim's output files whole, with an error naming it when it cannot.
#pragma once

#include <filesystem>
#include <string>

namespace qflow::sim {

// Throws FlowIoError naming the file; `executable` adds the execute bits (generated scripts).
void write_output_file(const std::filesystem::path& file, const std::string& text, bool executable = false);

}  // namespace qflow::sim
