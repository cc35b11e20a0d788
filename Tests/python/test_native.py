"""The extension module itself: versions, the import-time check, the wheel layout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import pdcost
from pdcost import _native

REPO = Path(__file__).resolve().parents[2]


def header_version() -> str:
    for line in (REPO / "include" / "pdcost.h").read_text().splitlines():
        if line.startswith("#define PDCOST_VERSION_STRING"):
            return line.split('"')[1]
    raise AssertionError("PDCOST_VERSION_STRING not found in include/pdcost.h")


def test_versions_agree():
    assert _native.version() == (_native.HEADER_VERSION_MAJOR, _native.HEADER_VERSION_MINOR,
                                 _native.HEADER_VERSION_PATCH)
    assert _native.version_string() == _native.HEADER_VERSION_STRING == header_version()
    assert _native.abi_version() == _native.HEADER_ABI_VERSION
    assert pdcost.__version__ == pdcost.library_version() == header_version()


def test_version_check_passes_for_the_header_version():
    _native._check_version(*_native.version())


def test_version_mismatch_is_an_import_error_naming_both_versions():
    with pytest.raises(ImportError) as info:
        _native._check_version(99, 7, 3)
    message = str(info.value)
    assert "99.7.3" in message
    assert _native.version_string() in message
    assert "libpdcost" in message


def test_module_uses_multi_phase_init_and_state():
    # A second, independent instance of the module can be created (PEP 489 multi-phase init).
    import importlib.util

    spec = importlib.util.find_spec("pdcost._native")
    other = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(other)
    assert other is not _native
    assert other.Model is not _native.Model  # per-module heap type
    with pytest.raises(pdcost.NotFoundError):  # the same error classes, via module state
        other.model_from_preset("nope")


def test_library_is_loaded_from_beside_the_extension():
    """In an installed wheel, the extension finds libpdcost.so.<ABI> in its own directory."""
    package_dir = Path(_native.__file__).resolve().parent
    bundled = package_dir / f"libpdcost.so.{_native.abi_version()}"
    if not bundled.exists():
        pytest.skip(f"not an installed wheel layout (no {bundled.name} beside the extension)")
    maps = Path("/proc/self/maps").read_text()
    loaded = {line.split()[-1] for line in maps.splitlines() if "libpdcost" in line}
    assert loaded == {str(bundled)} or loaded == {os.path.realpath(bundled)}


def test_import_is_quiet_and_fast():
    code = "import time; t=time.perf_counter(); import pdcost; print(time.perf_counter()-t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr == ""
    assert float(out.stdout) < 2.0
