#!/usr/bin/env bash
# The long fuzz run: the seeded mutation fuzz tests (HTTP request parser, eventstream decoder, JSON reader,
# catalogue reader) with many more inputs than the test suite's fixed seeds, from a fresh random seed each run.
#
#   deploy/fuzz/run.sh                      # 200,000 inputs per target, random seed (a few minutes)
#   deploy/fuzz/run.sh --iterations 1000000 --seed 12345
#
# A failure prints the seed and iteration; rerun with --seed to reproduce it exactly.
set -euo pipefail
cd "$(dirname "$0")/../.."
iterations=200000
seed=$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')
while [ $# -gt 0 ]; do
  case "$1" in
    --iterations) iterations="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
deploy/install-deps.sh
swift build --build-tests
echo "fuzzing: $iterations inputs per target, seed $seed" >&2
TOLLGATE_FUZZ_ITERATIONS="$iterations" TOLLGATE_FUZZ_SEED="$seed" \
  swift test --skip-build --disable-swift-testing --filter 'FuzzTests' 2>&1 | grep -vE "^Test Case '.*' started"
