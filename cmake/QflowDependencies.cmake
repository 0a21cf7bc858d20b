# Finds every dependency once, with a message naming the Debian package when one is missing.
# scripts/setup-debian.sh installs them all.

macro(qflow_require found what package)
  if(NOT ${found})
    message(FATAL_ERROR "qflow needs ${what}: install the Debian package '${package}' "
                        "(or run scripts/setup-debian.sh as root)")
  endif()
endmacro()

find_package(PkgConfig QUIET)
qflow_require(PkgConfig_FOUND "pkg-config" "pkg-config")

find_package(OpenMP QUIET)
qflow_require(OpenMP_CXX_FOUND "OpenMP" "libgomp1 (gcc)")

find_package(nlohmann_json 3 QUIET)
qflow_require(nlohmann_json_FOUND "nlohmann-json" "nlohmann-json3-dev")

find_package(CLI11 QUIET)
qflow_require(CLI11_FOUND "CLI11" "libcli11-dev")

find_package(fmt QUIET)
qflow_require(fmt_FOUND "fmt" "libfmt-dev")

# GitHub-flavoured Markdown (tables) to HTML for the report pages.
pkg_check_modules(CmarkGfm QUIET IMPORTED_TARGET libcmark-gfm)
find_library(CMARK_GFM_EXTENSIONS_LIBRARY cmark-gfm-extensions)
qflow_require(CmarkGfm_FOUND "cmark-gfm (pkg-config libcmark-gfm)" "libcmark-gfm-dev")
qflow_require(CMARK_GFM_EXTENSIONS_LIBRARY "cmark-gfm's table extension" "libcmark-gfm-extensions-dev")

find_package(OpenCV 4 QUIET COMPONENTS core imgproc imgcodecs video)
qflow_require(OpenCV_FOUND "OpenCV 4 (core, imgproc, imgcodecs, video)" "libopencv-dev")

# Debian's dnnl-config.cmake insists on OpenCL (its GPU runtime), which qflow never uses: find
# the CPU library and headers directly.
find_path(DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.hpp)
find_library(DNNL_LIBRARY dnnl)
if(DNNL_INCLUDE_DIR AND DNNL_LIBRARY)
  set(DNNL_FOUND TRUE)
endif()
qflow_require(DNNL_FOUND "oneDNN" "libdnnl-dev")
add_library(qflow::dnnl INTERFACE IMPORTED)
target_include_directories(qflow::dnnl INTERFACE ${DNNL_INCLUDE_DIR})
target_link_libraries(qflow::dnnl INTERFACE ${DNNL_LIBRARY})

pkg_check_modules(SystemC QUIET IMPORTED_TARGET systemc tlm)
qflow_require(SystemC_FOUND "SystemC 2.3 with TLM (pkg-config systemc, tlm)" "libsystemc-dev")
# Verilator's CMake support looks for SystemC itself; hand it the pkg-config target instead.
add_library(Verilator::systemc INTERFACE IMPORTED)
target_link_libraries(Verilator::systemc INTERFACE PkgConfig::SystemC)

find_package(verilator 5 QUIET HINTS /usr/share/verilator)
qflow_require(verilator_FOUND "Verilator 5" "verilator")
find_package(ZLIB QUIET)  # Verilator's FST writer
qflow_require(ZLIB_FOUND "zlib" "zlib1g-dev")
find_package(Threads REQUIRED)

if(QFLOW_BUILD_TESTS)
  find_package(GTest QUIET)
  qflow_require(GTest_FOUND "GoogleTest" "libgtest-dev")
  include(GoogleTest)
endif()

# LibTorch is for train/ and the benchmarks only: the hardware side (sw/, model/, sim/) never links it.
if(QFLOW_BUILD_BENCH OR QFLOW_BUILD_TRAINER)
  find_package(Torch QUIET)
  qflow_require(Torch_FOUND "LibTorch" "libtorch-dev")
endif()
# Data-parallel training runs on LibTorch's Gloo process group, whose header includes Gloo's own
# (Debian ships them apart, in libgloo-dev). Without them the trainer builds, and refuses to run on
# several ranks with the reason.
if(QFLOW_BUILD_TRAINER)
  find_path(QFLOW_GLOO_INCLUDE_DIR gloo/context.h HINTS ${TORCH_INCLUDE_DIRS})
  if(NOT QFLOW_GLOO_INCLUDE_DIR)
    message(WARNING "Gloo's headers not found (Debian: libgloo-dev): qflow-train will train on one process only")
  endif()
endif()
