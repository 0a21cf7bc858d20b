#include "isa_ceilings.hpp"

#include <omp.h>

#include <cstdint>
#include <vector>

#include "bench_timer.hpp"

namespace qflow::bench {
namespace {

// Each loop walks L1-resident operands as the real kernels walk a window: per step two weight
// registers and one broadcast code per pixel, the pointers advancing. Written in assembly so that
// the instruction stream is exactly the one named, with every accumulator in a register (compiled
// intrinsics spill some of them, which measures the compiler instead of the CPU).
constexpr int kSteps = 64;
constexpr int64_t kRounds = 200'000;

struct alignas(64) Operands {
  int32_t codes[6][kSteps] = {};        // per pixel: a pair of int16 codes or a float
  int16_t weights[kSteps][2][16] = {};  // two registers a step
};
Operands operands;

// ymm0..11 accumulate, ymm12/13 hold the step's weights, ymm14 the broadcast code, ymm15 a
// product; a pixel's codes are 256 bytes (kSteps int32) after the previous pixel's.
#define LOAD_WEIGHTS(mov) mov " (%[w]), %%ymm12\n\t" mov " 32(%[w]), %%ymm13\n\t"
#define INT16_PIXEL(at, a, b)                                                                               \
  "vpbroadcastd " #at "(%[x]), %%ymm14\n\t"                                                                 \
  "vpmaddwd %%ymm12, %%ymm14, %%ymm15\n\tvpaddd %%ymm15, %%ymm" #a ", %%ymm" #a "\n\t"                   \
  "vpmaddwd %%ymm13, %%ymm14, %%ymm15\n\tvpaddd %%ymm15, %%ymm" #b ", %%ymm" #b "\n\t"
#define FP32_PIXEL(at, a, b)                                                                                \
  "vbroadcastss " #at "(%[x]), %%ymm14\n\t"                                                                 \
  "vfmadd231ps %%ymm12, %%ymm14, %%ymm" #a "\n\tvfmadd231ps %%ymm13, %%ymm14, %%ymm" #b "\n\t"
#define ROUND_LOOP(body)                                                                                    \
  asm volatile("1:\n\t"                                                                                      \
               "mov %[steps], %[n]\n\tmov %[weights], %[w]\n\tmov %[codes], %[x]\n\t"                        \
               "2:\n\t" body                                                                                 \
               "add $64, %[w]\n\tadd $4, %[x]\n\tdec %[n]\n\tjnz 2b\n\t"                                     \
               "dec %[rounds]\n\tjnz 1b\n\t"                                                                 \
               "vzeroupper"                                                                                  \
               : [rounds] "+r"(rounds), [n] "=&r"(n), [w] "=&r"(w), [x] "=&r"(x)                            \
               : [steps] "i"(kSteps), [weights] "r"(operands.weights), [codes] "r"(operands.codes)           \
               : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", \
                 "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15")

// tile_avx2<6>: 6 pixels x 2 registers of 8 int32, 192 MACs a step.
void int16_rounds(int64_t rounds) {
  int64_t n;
  const void *w, *x;
  ROUND_LOOP(LOAD_WEIGHTS("vmovdqa") INT16_PIXEL(0, 0, 1) INT16_PIXEL(256, 2, 3) INT16_PIXEL(512, 4, 5)
                     INT16_PIXEL(768, 6, 7) INT16_PIXEL(1024, 8, 9) INT16_PIXEL(1280, 10, 11));
}

// 6 pixels x 2 registers of 8 floats, one FMA each: 96 MACs a step.
void fp32_rounds(int64_t rounds) {
  int64_t n;
  const void *w, *x;
  ROUND_LOOP(LOAD_WEIGHTS("vmovaps") FP32_PIXEL(0, 0, 1) FP32_PIXEL(256, 2, 3) FP32_PIXEL(512, 4, 5)
                     FP32_PIXEL(768, 6, 7) FP32_PIXEL(1024, 8, 9) FP32_PIXEL(1280, 10, 11));
}

double gmacs(double seconds, double macs_per_step) {
  return macs_per_step * double(kSteps) * double(kRounds) / seconds / 1e9;
}

}  // namespace

std::optional<IsaCeilings> measure_avx2_ceilings(int threads) {
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return std::nullopt;
  // Alternating, so that both medians see the same minutes of a shared machine; each thread times
  // its own loops, and the rates add up as a dynamically shared frame's would.
  constexpr int kRepeats = 9;
  std::vector<IsaCeilings> per_thread(static_cast<size_t>(threads));
#pragma omp parallel num_threads(threads)
  {
    std::vector<double> int16_s, fp32_s;
    int16_rounds(kRounds);  // warm-up
    fp32_rounds(kRounds);
    for (int i = 0; i < kRepeats; ++i) {
#pragma omp barrier
      int16_s.push_back(seconds_of([] { int16_rounds(kRounds); }));
#pragma omp barrier
      fp32_s.push_back(seconds_of([] { fp32_rounds(kRounds); }));
    }
    per_thread[size_t(omp_get_thread_num())] = {gmacs(median(int16_s), 6 * 2 * 16), gmacs(median(fp32_s), 6 * 2 * 8)};
  }
  IsaCeilings mean;
  for (const IsaCeilings& one : per_thread) {
    mean.int16_gmacs += one.int16_gmacs / threads;
    mean.fp32_gmacs += one.fp32_gmacs / threads;
  }
  return mean;
}

}  // namespace qflow::bench
