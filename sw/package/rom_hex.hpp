// The canonical weight ROM image: one two's-complement code per line, in hex ($readmemh style).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace qflow {

void write_rom_hex(const std::filesystem::path& file, const std::vector<int8_t>& codes, int bits);
// Reads exactly `count` codes of `bits` bits; throws PackageError naming the file and line.
std::vector<int8_t> read_rom_hex(const std::filesystem::path& file, int64_t count, int bits);

}  // namespace qflow
