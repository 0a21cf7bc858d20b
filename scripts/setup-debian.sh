#!/usr/bin/env bash
# Installs every Debian 12 package qflow needs to build, test and benchmark.
# Idempotent: packages already present are left alone, and nothing runs when all are.
# Usage (as root): scripts/setup-debian.sh [--bench] [--view] [--fuzz]
#   --bench adds the Python PyTorch baseline and yosys; --view adds GTKWave, Xvfb, Chromium and ImageMagick (the tests
#   of what the waves and the report pages show); --fuzz adds clang and libFuzzer (scripts/fuzz.sh)
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libsystemc-dev            # SystemC 2.3.4 + TLM-2.0 (pkg-config: systemc, tlm)
  verilator                 # 5.006, RTL co-simulation
  zlib1g-dev                # Verilator's FST waves
  libtorch-dev              # LibTorch 1.13, the trainer only
  libgloo-dev               # the headers of LibTorch's Gloo process group: data-parallel training
  libopenblas0-openmp       # without it torch::mm falls back to reference BLAS (~30x slower)
  libopencv-dev libopencv-contrib-dev   # flow I/O, colour coding, DIS/Farneback baselines
  libdnnl-dev               # oneDNN int8 convolutions for the fast reference
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev
  libcmark-gfm-dev libcmark-gfm-extensions-dev   # the report pages (Markdown tables to HTML)
  parallel gnuplot-nox      # qflow-study: runs its jobs, draws its charts
)
for option in "$@"; do
  case $option in
    --bench) packages+=(python3-torch yosys) ;;
    --view) packages+=(gtkwave xvfb xauth chromium imagemagick) ;;
    --fuzz) packages+=(clang libclang-rt-dev) ;;
    *) echo "setup: unknown option $option (--bench, --view, --fuzz)" >&2; exit 1 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "setup: missing packages (${missing[*]}); run this script as root" >&2
  exit 1
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
