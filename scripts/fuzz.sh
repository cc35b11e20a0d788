#!/usr/bin/env bash
# Builds the libFuzzer target over pdcost's byte-taking entry points and runs it for a bounded
# time from the seed corpus in Tests/fuzz/corpus. Exits non-zero if the fuzzer finds a crash or
# a broken contract (the failing input is kept under <build>/Tests/fuzz/run/artifacts).
#
#   scripts/fuzz.sh [seconds]          default 60
#
# Environment:
#   PDCOST_FUZZ_BUILD       build directory (default: build-fuzz)
#   PDCOST_FUZZ_ROUNDTRIP=0 skips the check that every model's canonical JSON loads back identically
# Needs the Swift toolchain (its clang has -fsanitize=fuzzer), cmake and ninja
# (`pip install cmake ninja`).
set -euo pipefail

seconds=${1:-60}
case $seconds in
    ''|*[!0-9]*) echo "usage: $0 [seconds]" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PDCOST_FUZZ_BUILD:-$root/build-fuzz}
# The fuzzer runs in its own work directory: a relative build path must not follow it there.
case $build in /*) ;; *) build=$PWD/$build ;; esac
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi

cmake -S "$root" -B "$build" "${generator[@]}" \
    -DPDCOST_BUILD_FUZZ=ON -DPDCOST_BUILD_TESTS=OFF -DPDCOST_BUILD_EXAMPLES=OFF \
    -DPDCOST_FUZZ_SECONDS="$seconds" >/dev/null
cmake --build "$build" --target pdcost_fuzz

exec cmake -DFUZZER="$build/Tests/fuzz/fuzz_entry_points" -DSECONDS="$seconds" \
    -DSEEDS="$root/Tests/fuzz/corpus" -DWORK_DIR="$build/Tests/fuzz/run" \
    -P "$root/Tests/fuzz/run_fuzzer.cmake"
