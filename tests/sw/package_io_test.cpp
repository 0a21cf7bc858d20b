// The model package: round trips, and every kind of untrustworthy package refused with a message
// that names the file, the layer and the problem.
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "errors.hpp"
#include "gen/random_package.hpp"
#include "package/layer_dump.hpp"
#include "package/network_shapes.hpp"
#include "package/npy.hpp"
#include "package/package.hpp"
#include "package/rom_hex.hpp"
#include "test_support.hpp"

namespace qflow {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class PackageIo : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    made_ = std::make_unique<RandomPackage>(make_random_package({1.0 / 16, 64, 64, 4, 3}, 5));
    write_package(made_->package, dir_);
    std::ifstream in(dir_ / "network.json");
    original_ = nlohmann::json::parse(in);
  }
  void set_network(const nlohmann::json& j) const { std::ofstream(dir_ / "network.json") << j.dump(); }
  // Edits network.json with `edit` and expects read_package to fail with all the `parts`.
  template <typename Edit>
  void expect_rejected(Edit edit, std::initializer_list<std::string> parts) {
    nlohmann::json j = original_;  // each edit starts from the valid package
    edit(j);
    set_network(j);
    try {
      read_package(dir_);
      FAIL() << "package accepted";
    } catch (const PackageError& e) {
      for (const std::string& part : parts) EXPECT_THAT(e.what(), HasSubstr(part));
    }
  }

  fs::path dir_;
  std::unique_ptr<RandomPackage> made_;
  nlohmann::json original_;
};

TEST_F(PackageIo, RoundTripKeepsEveryField) {
  const Package back = read_package(dir_);
  EXPECT_EQ(package_to_json(back), package_to_json(made_->package));
  for (size_t i = 0; i < back.layers.size(); ++i) EXPECT_EQ(back.layers[i].weights, made_->package.layers[i].weights);
}

TEST_F(PackageIo, RomIsOneTwosComplementCodePerLine) {
  std::ifstream rom(dir_ / "rom" / "conv1.hex");
  std::string first;
  std::getline(rom, first);
  EXPECT_EQ(first.size(), 1u);  // 4-bit weights: one hex digit
  const int8_t w = made_->package.layers[0].weights[0];
  EXPECT_EQ(std::stoi(first, nullptr, 16), w & 0xf);
}

TEST_F(PackageIo, RejectsWrongVersionAndFormat) {
  expect_rejected([](auto& j) { j["version"] = 2; }, {"network.json", "version 2"});
  expect_rejected([](auto& j) { j["version"] = 1; j["format"] = "onnx"; }, {"network.json", "unknown format"});
}

TEST_F(PackageIo, RejectsMissingAndMalformedFields) {
  expect_rejected([](auto& j) { j["layers"][3].erase("kernel"); }, {"layer 'conv3_1'", "'kernel' is missing"});
  expect_rejected([](auto& j) { j["layers"][0]["stride"] = "two"; }, {"layer 'conv1'", "'stride' must be an integer"});
  expect_rejected([](auto& j) { j["layers"][0]["op"] = "deconv"; }, {"layer 'conv1'", "unknown op 'deconv'"});
  expect_rejected([](auto& j) { j["div_flow"] = nullptr; }, {"div_flow", "finite number"});
}

// Sizes that would make the reader or the simulator allocate gigabytes are refused first.
TEST_F(PackageIo, RejectsSizesBeyondItsBoundsBeforeAllocating) {
  expect_rejected([](auto& j) { j["input"]["height"] = 65536; j["input"]["width"] = 65536; },
                  {"input 65536x65536", "outside 1..8192"});
  expect_rejected([](auto& j) { j["input"]["width"] = 0; }, {"input", "outside 1..8192"});
  expect_rejected([](auto& j) { j["layers"][0]["cout"] = 1000000000; }, {"layer 'conv1'", "cout 1000000000", "outside 1..16384"});
  expect_rejected([](auto& j) { j["layers"][1]["kernel"] = 99; }, {"layer 'conv2'", "kernel 99"});
  expect_rejected([](auto& j) { j["layers"][1]["stride"] = 0; }, {"layer 'conv2'", "stride 0"});
}

// A package only ever reads (and writes) its ROM images inside its own folder.
TEST_F(PackageIo, RejectsRomPathsOutsideThePackage) {
  expect_rejected([](auto& j) { j["layers"][0]["rom"] = "/etc/passwd"; }, {"layer 'conv1'", "rom '/etc/passwd'"});
  expect_rejected([](auto& j) { j["layers"][1]["rom"] = "rom/../../conv2.hex"; }, {"layer 'conv2'", "relative path inside"});
  expect_rejected([](auto& j) { j["layers"][1]["rom"] = ""; }, {"layer 'conv2'", "rom ''"});
  Package package = made_->package;
  package.layers[0].rom = "../outside.hex";
  EXPECT_THROW(write_package(package, dir_ / "copy"), PackageError);
  EXPECT_FALSE(fs::exists(dir_ / "outside.hex"));
}

TEST_F(PackageIo, RejectsBitsOutOfRange) {
  expect_rejected([](auto& j) { j["layers"][1]["w_bits"] = 9; }, {"layer 'conv2'", "w_bits 9 is outside 2..8"});
  expect_rejected([](auto& j) { j["layers"][1]["out_bits"] = 1; }, {"layer 'conv2'", "out_bits 1 is outside 2..8"});
}

TEST_F(PackageIo, RejectsShapesThatDoNotChain) {
  expect_rejected([](auto& j) { j["layers"][1]["cin"] = 5; }, {"layer 'conv2'", "cin = 5"});
  expect_rejected([](auto& j) { j["layers"][1]["inputs"] = {"nowhere"}; }, {"layer 'conv2'", "'nowhere'"});
  expect_rejected([](auto& j) { j["input"]["height"] = 96; }, {"layer 'cat5'", "input 'deconv5' is 4x"});
  expect_rejected([](auto& j) { j["layers"][1]["in_bits"] = 8; }, {"layer 'conv2'", "in_bits = 8"});
}

TEST_F(PackageIo, RejectsRequantThatDoesNotFit) {
  expect_rejected([](auto& j) { j["layers"][2]["mult"][0] = 1 << 23; }, {"layer 'conv3'", "mult[0]", "24-bit"});
  expect_rejected([](auto& j) { j["layers"][2]["bias"].erase(0); }, {"layer 'conv3'", "bias"});
}

TEST_F(PackageIo, RejectsNonFiniteNumbers) {
  std::string text;
  {
    std::ifstream in(dir_ / "network.json");
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t at = text.find("\"div_flow\"");
  const size_t end = text.find(',', at);
  text.replace(at, end - at, "\"div_flow\": 1e999");
  std::ofstream(dir_ / "network.json") << text;
  EXPECT_THROW(read_package(dir_), PackageError);
}

TEST_F(PackageIo, RejectsShortLongAndCorruptRoms) {
  const fs::path rom = dir_ / "rom" / "conv2.hex";
  std::vector<std::string> lines;
  {
    std::ifstream in(rom);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  const auto write = [&](const std::vector<std::string>& ls) {
    std::ofstream out(rom);
    for (const auto& l : ls) out << l << '\n';
  };
  const auto expect_error = [&](const std::string& part) {
    try {
      read_package(dir_);
      FAIL() << "accepted";
    } catch (const PackageError& e) {
      EXPECT_THAT(e.what(), HasSubstr("conv2"));
      EXPECT_THAT(e.what(), HasSubstr(part));
    }
  };
  write({lines.begin(), lines.end() - 1});
  expect_error("short");
  auto longer = lines;
  longer.push_back("0");
  write(longer);
  expect_error("longer");
  auto corrupt = lines;
  corrupt[3] = "zz";
  write(corrupt);
  expect_error(":4: 'zz'");
  fs::remove(rom);
  expect_error("missing");
}

TEST_F(PackageIo, RejectsMissingOrInvalidNetworkJson) {
  std::ofstream(dir_ / "network.json") << "{ not json";
  EXPECT_THROW(read_package(dir_), PackageError);
  try {
    read_package(dir_ / "nowhere");
    FAIL();
  } catch (const PackageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("network.json: missing"));
  }
}

// The producers of a concat's inputs share one scale, and so do the upsample and concat after them;
// each group is named by its first conv. The flow head and the graph input belong to none.
TEST(ScaleGroups, ConcatInputsAndWhatCarriesThemShareTheFirstConvsGroup) {
  const std::map<std::string, std::string> groups = scale_groups(flownetq_skeleton({1.0 / 16, 64, 64, 4, 4}));
  for (const char* name : {"conv5_1", "deconv5", "cat5", "up5"}) EXPECT_EQ(groups.at(name), "conv5_1") << name;
  for (const char* name : {"conv2", "deconv2", "cat2"}) EXPECT_EQ(groups.at(name), "conv2") << name;
  EXPECT_EQ(groups.at("conv1"), "conv1");
  EXPECT_EQ(groups.at("deconv4"), "conv4_1");
  EXPECT_EQ(groups.count("predict_flow2"), 0u);
  EXPECT_EQ(groups.count("input"), 0u);
}

TEST(Npy, RoundTripsAndRejectsOtherArrays) {
  const fs::path dir = test::temp_dir("npy");
  const CodeMap map{2, 3, 5, {1, -2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                              -32768, 32767, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}};
  write_npy(dir / "a.npy", map);
  const CodeMap back = read_npy(dir / "a.npy");
  EXPECT_EQ(back.channels, 2);
  EXPECT_EQ(back.height, 3);
  EXPECT_EQ(back.width, 5);
  EXPECT_EQ(back.codes, map.codes);
  // The header is 64-byte aligned, as numpy writes it.
  EXPECT_EQ(fs::file_size(dir / "a.npy"), 128u + 60u);
  fs::resize_file(dir / "a.npy", 150);
  EXPECT_THROW(read_npy(dir / "a.npy"), PackageError);
  std::ofstream(dir / "b.npy") << "\x93NUMPY\x01\x00\x46\x00{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1), }   \n";
  EXPECT_THROW(read_npy(dir / "b.npy"), PackageError);
}

// Found by fuzz_npy: a shape side too large for an int escaped as std::out_of_range, and a shape
// the file cannot hold was allocated before the read found out.
TEST(Npy, ShapesBeyondBoundsOrTheFileAreRefusedBeforeAllocating) {
  const fs::path dir = test::temp_dir("npy-shapes");
  const auto write_header = [&](const std::string& name, const std::string& shape) {
    std::string header = "{'descr': '<i2', 'fortran_order': False, 'shape': " + shape + ", }";
    header.append(63 - (10 + header.size()) % 64, ' ');
    header.push_back('\n');
    std::ofstream out(dir / name, std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    out.put(char(header.size() & 0xff)).put(char(header.size() >> 8));
    out << header << std::string(8, '\0');  // four codes
    return dir / name;
  };
  const auto error_of = [](const fs::path& file) {
    try {
      read_npy(file);
    } catch (const PackageError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_THAT(error_of(write_header("huge.npy", "(1, 88888888888888888888, 1)")), HasSubstr("shape side 88888888888888888888 is beyond"));
  EXPECT_THAT(error_of(write_header("big.npy", "(1024, 1024, 1024)")), HasSubstr("8 bytes, 2147483648 expected"));
  EXPECT_EQ(read_npy(write_header("ok.npy", "(1, 2, 2)")).codes.size(), 4u);
}

}  // namespace
}  // namespace qflow
