# Instrumented builds, each in its own build folder (scripts/sanitize.sh, scripts/fuzz.sh).
# The flags apply to every target, Verilated models included, so that a bad access anywhere between
# a file's bytes and the accelerator's registers is caught where it happens.

# Recoverable, so that UBSan's runtime suppressions apply (tests/sanitize/ubsan.supp); the scripts
# set halt_on_error=1, so any finding still stops the process and fails its test.
set(qflow_sanitizer_flags -fsanitize=address,undefined -fno-omit-frame-pointer -g1)

if(QFLOW_SANITIZE)
  add_compile_options(${qflow_sanitizer_flags})
  add_link_options(-fsanitize=address,undefined)
endif()

if(QFLOW_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "QFLOW_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++ "
                        "(Debian packages clang and libclang-rt-dev)")
  endif()
  # Coverage for libFuzzer in every library; only the fuzz targets link its main (tests/fuzz).
  add_compile_options(-fsanitize=fuzzer-no-link ${qflow_sanitizer_flags})
  add_link_options(-fsanitize=address,undefined)
endif()

# LeakSanitizer cannot scan a SystemC process: SystemC's thread stacks carry a guard page
# (mprotect) inside heap memory, and the leak scan faults on it or loses what those stacks hold.
# Every executable that links SystemC (tests, qflow-sim, fuzz_csr) turns leak checking off for
# itself; ASan and UBSan still check everything.
if(QFLOW_SANITIZE OR QFLOW_FUZZ)
  set_property(TARGET PkgConfig::SystemC APPEND PROPERTY INTERFACE_SOURCES
               ${PROJECT_SOURCE_DIR}/tests/sanitize/systemc_no_leak_check.cpp)
endif()

# Instrumented tests run several times slower: their time limits scale with this.
set(QFLOW_TIMEOUT_FACTOR 1)
if(QFLOW_SANITIZE)
  set(QFLOW_TIMEOUT_FACTOR 4)
endif()

# qflow_timeout(VAR SECONDS): a test's time limit, scaled for instrumented builds.
function(qflow_timeout var seconds)
  math(EXPR scaled "${seconds} * ${QFLOW_TIMEOUT_FACTOR}")
  set(${var} ${scaled} PARENT_SCOPE)
endfunction()
