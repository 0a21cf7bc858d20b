#!/usr/bin/env bash
# The SystemC/TLM frame's cost beyond the fast reference, for the working tree and earlier commits,
# alternated on one machine (the VM's neighbours move single runs by a factor of two). Each commit
# is built once in its own worktree under ${QFLOW_BENCH_TREES:-~/.cache/qflow/bench-trees}.
#   scripts/bench_model_commits.sh [--runs N] COMMIT...    e.g. 0387a4f HEAD~1
# Prints each run's table lines, then per build the runs' ms beyond the reference (the model's
# median frame less the lower of the reference's medians before and after it) and their median.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
if [[ ${1:-} == --runs ]]; then
  runs=$2
  shift 2
fi
(($# > 0)) || { echo "usage: $0 [--runs N] COMMIT..." >&2; exit 2; }
trees=${QFLOW_BENCH_TREES:-$HOME/.cache/qflow/bench-trees}
mkdir -p "$trees"

cmake -S . -B build -G Ninja > /dev/null
cmake --build build --target qflow_model_bench > /dev/null
names=(working-tree)
benches=("$PWD/build/tests/bench/qflow_model_bench")
for commit in "$@"; do
  sha=$(git rev-parse --short=10 "$commit^{commit}")
  tree=$trees/$sha
  [[ -d $tree ]] || git worktree add --detach "$tree" "$sha" > /dev/null
  echo "building $commit ($sha) in $tree ..." >&2
  cmake -S "$tree" -B "$tree/build" -G Ninja > /dev/null
  cmake --build "$tree/build" --target qflow_model_bench > /dev/null
  names+=("$commit")
  benches+=("$tree/build/tests/bench/qflow_model_bench")
done

log=$(mktemp)
for ((run = 1; run <= runs; ++run)); do
  for i in "${!names[@]}"; do
    echo "=== ${names[$i]} run $run"
    "${benches[$i]}" frame --repeats 9 | grep -E "^CPU|sw fast reference|SystemC/TLM model"
  done
done | tee "$log"

echo
echo "| build | ms beyond the reference, each run | median |"
echo "|---|---|---|"
awk '
  /^=== / { name = $2 }
  /sw fast reference/ { split($0, cells, "|"); split(cells[3], ref, " / "); fast = ref[1] < ref[2] ? ref[1] : ref[2] }
  /SystemC\/TLM model/ { split($0, cells, "|"); beyond[name] = beyond[name] sprintf(" %.1f", cells[3] - fast); order[name] = ++seen }
  END {
    for (name in order) {
      n = split(beyond[name], v, " ")
      for (i = 1; i <= n; ++i) for (j = i + 1; j <= n; ++j) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
      median = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      printf "| %s |%s | %.1f |\n", name, beyond[name], median
    }
  }' "$log"
rm -f "$log"
