# Instrumented builds, each in its own build folder (scripts/sanitize.sh, scripts/fuzz.sh).
# The flags apply to every target, Verilated models included, so that a bad access anywhere between
# a file's bytes and the accelerator's registers is caught where it happens.

# Any finding stops the process: a test that trips a sanitizer fails instead of printing and going on.
set(qflow_sanitizer_flags -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g1)

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
