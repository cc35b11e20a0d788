#!/usr/bin/env bash
# The C tests under sanitizers: the library and the tests are both instrumented.
#   ASan + UBSan   memory errors and leaks (LeakSanitizer) in the library and the tests;
#                  undefined behaviour in the C tests (Swift traps on it in the library)
#   TSan           data races, including inside the library's search threads
# Usage: bash scripts/sanitize.sh [address|thread]...   (default: both). Needs the Swift
# toolchain (its clang carries the sanitizer runtimes). Debug builds go to .build-<sanitizer>.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
swift_bin=$(dirname "$(command -v swift)")
clang="$swift_bin/clang"
swift_lib="$(dirname "$swift_bin")/lib/swift/linux"
fixtures="$root/Tests/PDCostTests/Fixtures/hf_configs"
tests=(test_abi test_search test_fit test_calibration test_threads test_limits test_fork test_dlclose test_files)
sanitizers=("$@")
[ ${#sanitizers[@]} -gt 0 ] || sanitizers=(address thread)

status=0
for san in "${sanitizers[@]}"; do
    case "$san" in
        address) swift_flags=(-sanitize=address); c_flags=(-fsanitize=address,undefined -fno-sanitize-recover=undefined) ;;
        # Swift's TSan runtime intercepts libdispatch, so the test links it (and its blocks runtime).
        thread) swift_flags=(-sanitize=thread); c_flags=(-fsanitize=thread -L"$swift_lib" -ldispatch -lBlocksRuntime -Wl,-rpath,"$swift_lib") ;;
        *) echo "unknown sanitizer '$san' (address or thread)" >&2; exit 2 ;;
    esac
    scratch="$root/.build-$san"
    printf '\n==> %s: building libpdcost (debug, instrumented)\n' "$san"
    swift build --product pdcost --scratch-path "$scratch" -c debug \
        $(printf -- '-Xswiftc %s ' "${swift_flags[@]}") 2>&1 | tail -n 3
    libdir="$scratch/debug"
    work="$scratch/c-tests"
    mkdir -p "$work"
    for test in "${tests[@]}"; do
        source="Tests/c/$test.c"
        [ -f "$source" ] || continue
        # TSan's own background thread makes every process multi-threaded, and its runtime locks
        # can be held across fork: a child that then starts threads can deadlock inside TSan
        # (ThreadSanitizer docs: fork in a multi-threaded program is not supported). The fork
        # test runs under ASan and in the normal suite.
        if [ "$san" = thread ] && [ "$test" = test_fork ]; then
            echo "==> thread: test_fork skipped (TSan does not support threads after fork)"; continue
        fi
        "$clang" -g -O1 -std=gnu99 -Iinclude "${c_flags[@]}" "$source" -o "$work/$test" \
            -L"$libdir" -lpdcost -Wl,-rpath,"$libdir" -lm -ldl -lpthread
        args=()
        [ "$test" = test_abi ] && args=("$fixtures" "$work")
        [ "$test" = test_dlclose ] && args=("$libdir/libpdcost.so")
        [ "$test" = test_files ] && args=("$work" "$fixtures/mistralai__Mistral-7B-v0.1.json")
        printf '==> %s: %s\n' "$san" "$test"
        # halt_on_error: the first report fails the run; leaks are reported by ASan's LSan.
        if ! ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
             TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 "$work/$test" "${args[@]}" \
             > "$work/$test.log" 2>&1; then
            echo "FAILED: $san $test (log: $work/$test.log)"; tail -n 30 "$work/$test.log"; status=1
        else
            tail -n 1 "$work/$test.log"
        fi
    done
done
exit $status
