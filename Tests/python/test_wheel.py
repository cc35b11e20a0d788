"""The portable binary wheel (scripts/build_wheel.sh) installs and runs without Swift.

The wheel under test is PDCOST_WHEEL (scripts/test.sh builds it once and installs it into the
test environment too); without it these tests are skipped, as building one takes minutes. A
fresh virtual environment gets the wheel, and every command runs there with a PATH that has no
Swift toolchain on it."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

WHEEL = os.environ.get("PDCOST_WHEEL")
pytestmark = pytest.mark.skipif(not WHEEL, reason="PDCOST_WHEEL not set (scripts/test.sh builds the wheel)")

# The libraries a manylinux policy lets a wheel take from the system (PEP 599/600: glibc's,
# libstdc++ and libgcc_s); libpdcost.so.<ABI> ships inside the wheel.
SYSTEM_LIBRARIES = re.compile(r"^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|"
                              r"libutil\.so\.1|libstdc\+\+\.so\.6|libgcc_s\.so\.1|ld-linux.*)$")
# The README's promise: installing the wheel takes at most this long (pip, no dependencies).
INSTALL_SECONDS = 5.0
JOB = ["--model", "llama3-8b", "--gpu", "H100-SXM-80GB", "--gpus", "8", "--tp", "2", "--pp", "1",
       "--mbs", "1", "--seq-len", "4096", "--global-batch", "64"]


def _header_version() -> str:
    text = (REPO / "include" / "pdcost.h").read_text()
    match = re.search(r'#define PDCOST_VERSION_STRING "([^"]+)"', text)
    assert match
    return match.group(1)


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A fresh venv (no pip of its own: the test's pip installs into it) with the wheel, its
    environment without Swift, and how long the install took."""
    assert WHEEL and Path(WHEEL).is_file(), f"PDCOST_WHEEL={WHEEL!r} is not a file"
    root = tmp_path_factory.mktemp("wheel-venv")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-index", "--no-deps", "--disable-pip-version-check", WHEEL], check=True)
    install_s = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    install_cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    path = os.pathsep.join([str(venv / "bin"), "/usr/local/bin", "/usr/bin", "/bin"])
    env = {"PATH": path, "HOME": str(root), "LANG": "C.UTF-8"}
    return {"python": str(python), "bin": str(venv / "bin"), "env": env, "install_s": install_s,
            "install_cpu_s": install_cpu_s,
            "cwd": str(root)}


def _run(wheel_env: dict[str, object], argv: list[str], **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = dict(wheel_env["env"])  # type: ignore[call-overload]
    env.update(extra_env)
    return subprocess.run(argv, env=env, cwd=str(wheel_env["cwd"]), capture_output=True, text=True,
                          timeout=120)


def test_wheel_is_manylinux_and_self_contained() -> None:
    assert WHEEL
    name = Path(WHEEL).name
    tag = re.search(r"-manylinux_2_(\d+)_(x86_64|aarch64)\.whl$", name)
    assert tag, name
    # glibc 2.34 (pthread in libc) is the floor of a build on a newer glibc; the one 2.35 symbol
    # the Swift runtime needs (hypotf) comes from Sources/CPDCost/glibc_compat.c (README).
    assert int(tag.group(1)) <= 34, name
    with zipfile.ZipFile(WHEEL) as wheel:
        names = wheel.namelist()
    libraries = [n for n in names if re.fullmatch(r"pdcost/libpdcost\.so\.\d+", n)]
    extensions = [n for n in names if re.fullmatch(r"pdcost/_native\..*\.so", n)]
    assert len(libraries) == 1 and len(extensions) == 1, names
    # auditwheel grafts libraries it found outside the wheel into pdcost.libs/: none here.
    assert not [n for n in names if ".libs/" in n], names


def test_install_is_fast_and_needs_no_swift(wheel_env: dict[str, object]) -> None:
    wall, cpu = wheel_env["install_s"], wheel_env["install_cpu_s"]
    print(f"pip install of the wheel: {wall:.2f} s wall, {cpu:.2f} s CPU")
    # Nothing is compiled: the CPU time (pip, unzip, byte-compiling the .py files) bounds it on
    # any machine; the wall time equals it plus I/O when the machine is not shared, and is
    # checked then (on a 2-core machine at load 15 the same install waits ~5x its CPU time).
    assert cpu <= INSTALL_SECONDS, f"pip install used {cpu:.1f} s of CPU"
    if os.getloadavg()[0] <= (os.cpu_count() or 1):
        assert wall <= INSTALL_SECONDS, f"pip install took {wall:.1f} s"
    env = wheel_env["env"]
    assert shutil.which("swift", path=env["PATH"]) is None  # type: ignore[index]
    assert shutil.which("swiftc", path=env["PATH"]) is None  # type: ignore[index]


def test_native_libraries_need_only_the_system(wheel_env: dict[str, object]) -> None:
    if shutil.which("readelf") is None:
        pytest.skip("no readelf")
    result = _run(wheel_env, [str(wheel_env["python"]), "-c",
                              "import pdcost, pathlib; print(pathlib.Path(pdcost.__file__).parent)"])
    assert result.returncode == 0, result.stderr
    package = Path(result.stdout.strip())
    assert str(package).startswith(str(wheel_env["cwd"]))  # the venv's copy, not the checkout's
    binaries = sorted(package.glob("libpdcost.so.*")) + sorted(package.glob("_native*.so"))
    assert len(binaries) == 2, binaries
    for binary in binaries:
        dynamic = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True,
                                 check=True).stdout
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dynamic)
        outside = [lib for lib in needed if not lib.startswith("libpdcost.so.") and not SYSTEM_LIBRARIES.match(lib)]
        assert not outside, f"{binary.name} needs {outside}"
        assert "swift" not in dynamic.lower(), f"{binary.name}: {dynamic}"


def test_loads_nothing_from_the_toolchain(wheel_env: dict[str, object]) -> None:
    # LD_DEBUG=libs: the dynamic loader prints every library it opens (ld.so(8)), dlopen too.
    # A model, a multi-threaded search and a serving search: whatever the library might load
    # on first use is loaded by then.
    script = ("import pdcost\n"
              "m = pdcost.PDCostModel(pdcost.ModelConfig.from_name('llama3-8b'),\n"
              "    pdcost.HardwareConfig(gpu='H100-SXM-80GB', gpus_per_node=8))\n"
              "assert m.search(global_batch_size=16, top_k=1, threads=2).results\n"
              "pdcost.search_serving('llama3-8b', input_tokens=128, output_tokens=16, concurrency=4, threads=2)\n")
    result = _run(wheel_env, [str(wheel_env["python"]), "-c", script], LD_DEBUG="libs")
    assert result.returncode == 0, result.stderr[-2000:]
    opened = set(re.findall(r"calling init: (\S+)", result.stderr))
    assert any("libpdcost.so" in lib for lib in opened), sorted(opened)
    foreign = [lib for lib in opened if "swift" in lib.lower() or "/.build" in lib or "/build/" in lib]
    assert not foreign, foreign


def test_cli_runs_from_the_wheel(wheel_env: dict[str, object]) -> None:
    pdcost = os.path.join(str(wheel_env["bin"]), "pdcost")
    version = _run(wheel_env, [pdcost, "--version"])
    assert version.returncode == 0, version.stderr
    # "pdcost <package> (libpdcost <library>)": both are the header's version.
    assert version.stdout.split() == ["pdcost", _header_version(), "(libpdcost", _header_version() + ")"]
    predict = _run(wheel_env, [pdcost, "predict", *JOB, "--json"])
    assert predict.returncode == 0, predict.stderr
    data = json.loads(predict.stdout)
    assert (data["model"], data["num_gpus"], data["plan"]["dp"]) == ("llama3-8b", 8, 4)
    # 64 sequences per step over dp 4 at mbs 1: 16 accumulation steps.
    assert data["prediction"]["gradient_accumulation_steps"] == 16
    # tokens/s/GPU = 64 x 4096 tokens / step time / 8 GPUs.
    step_s = data["prediction"]["step_time_ms"] / 1e3
    assert data["prediction"]["tokens_per_second_per_gpu"] == pytest.approx(64 * 4096 / step_s / 8, rel=1e-9)


def test_python_prediction_matches_the_tested_package(wheel_env: dict[str, object]) -> None:
    """The wheel prices a job to the same numbers as the package the rest of the suite tests."""
    script = (
        "import json, pdcost\n"
        "m = pdcost.PDCostModel(pdcost.ModelConfig.from_name('llama3-8b'),\n"
        "    pdcost.HardwareConfig(gpu='H100-SXM-80GB', gpus_per_node=8),\n"
        "    pdcost.TrainingConfig(sequence_length=4096, gradient_accumulation_steps=8))\n"
        "r = m.predict(pdcost.ParallelConfig(tp=2, pp=1, dp=4))\n"
        "print(json.dumps([r.step_time_ms, r.tokens_per_second_per_gpu]))\n")
    result = _run(wheel_env, [str(wheel_env["python"]), "-c", script])
    assert result.returncode == 0, result.stderr
    step_ms, tokens = json.loads(result.stdout)
    import pdcost

    m = pdcost.PDCostModel(pdcost.ModelConfig.from_name("llama3-8b"),
                           pdcost.HardwareConfig(gpu="H100-SXM-80GB", gpus_per_node=8),
                           pdcost.TrainingConfig(sequence_length=4096, gradient_accumulation_steps=8))
    r = m.predict(pdcost.ParallelConfig(tp=2, pp=1, dp=4))
    assert (step_ms, tokens) == (r.step_time_ms, r.tokens_per_second_per_gpu)
    # tokens/s/GPU = global batch tokens / step time / GPUs: 1 mbs x 8 steps x 4 dp x 4096 tokens.
    assert tokens == pytest.approx(8 * 4 * 4096 / (step_ms / 1e3) / 8, rel=1e-9)
