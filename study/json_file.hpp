// Reading and writing the study's files, with errors that name the file.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace qflow::study {

nlohmann::json read_json(const std::filesystem::path& path);
void write_text(const std::filesystem::path& path, const std::string& text);

}  // namespace qflow::study
