// The CPU variants qflow's hot loops are compiled for, picked at load time by the CPU (GCC and
// clang function multiversioning). Neither clones templates: a template body is wrapped in one
// plain function per type it runs on.
#pragma once

#define QFLOW_CPU_CLONES __attribute__((target_clones("arch=skylake-avx512", "avx2", "default")))
