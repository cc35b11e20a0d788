"""GPU calibration from Python: on a machine without a GPU (CI) every entry point raises
NoDeviceError with the reason and the CLI exits with a one-line message and its own status; the
result class and the calibrated hardware config are checked on a report with known numbers."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import pdcost
from pdcost import (
    CalibrationResult,
    HardwareCalibrator,
    ModelConfig,
    NoDeviceError,
    PDCostModel,
    create_calibrated_hardware_config,
    quick_calibrate,
)
from pdcost.calibration import cuda_available

HAS_GPU = cuda_available()["available"]
no_gpu_only = pytest.mark.skipif(HAS_GPU, reason="a usable GPU is present")


def test_probe_describes_the_machine():
    probe = cuda_available()
    assert set(probe) >= {"available", "error", "device_count", "devices", "libraries"}
    if not probe["available"]:
        assert probe["error"]
        assert probe["device_count"] == 0


@no_gpu_only
def test_quick_calibrate_raises_no_device():
    with pytest.raises(NoDeviceError) as info:
        quick_calibrate(device_id=0)
    assert info.value.status == "PDCOST_ENODEVICE"
    assert "no usable GPU" in str(info.value)
    assert isinstance(info.value, RuntimeError)


@no_gpu_only
def test_calibrator_and_helpers_raise_no_device():
    with pytest.raises(NoDeviceError):
        HardwareCalibrator(device_id=0).calibrate(gemm_size=4096, verbose=False)
    with pytest.raises(NoDeviceError):
        HardwareCalibrator().create_hardware_config()
    with pytest.raises(NoDeviceError):
        create_calibrated_hardware_config(num_nodes=1, gpus_per_node=8)


@no_gpu_only
def test_cost_model_auto_calibrate_raises_no_device():
    model = ModelConfig.from_name("llama3-8b")
    with pytest.raises(NoDeviceError):
        PDCostModel(model, auto_calibrate=True)
    costmodel = PDCostModel(model)
    with pytest.raises(NoDeviceError):
        costmodel.calibrate(gemm_size=4096, verbose=False)
    # Nothing changed: still the default H100 preset, no result.
    assert costmodel.calibration_result is None
    assert costmodel.hardware_config.gpu.name == "H100-SXM-80GB"


def test_bad_options_are_rejected_before_any_gpu_work():
    with pytest.raises(ValueError, match="gemm_size=100"):
        quick_calibrate(gemm_size=100)
    with pytest.raises(ValueError, match="dtypes"):
        quick_calibrate(dtypes=["int4"])
    with pytest.raises(ValueError, match="device_id"):
        HardwareCalibrator(device_id=-1)
    with pytest.raises(TypeError):
        quick_calibrate(test_memory="yes")


@no_gpu_only
def test_cli_no_gpu_exit_status_and_one_line():
    result = subprocess.run([sys.executable, "-m", "pdcost.cli", "calibrate", "--gpu", "--quick"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pdcost: error: no usable GPU")
    assert "Traceback" not in result.stderr


def test_cli_needs_gpu_or_runs():
    result = subprocess.run([sys.executable, "-m", "pdcost.cli", "calibrate"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--gpu" in result.stderr


# A report as pdcost_gpu_calibrate returns it, abridged, with round numbers: an H100 whose BF16
# GEMMs converge to 700 TFLOP/s (best sample 660), D2D copy 3015 GB/s (= 0.9 x 3350).
REPORT = {
    "profile": {
        "format": "pdcost-profile", "version": 1, "created": "2026-01-01T00:00:00Z",
        "source": "gpu-microbenchmarks", "generation": "hopper",
        "efficiency": {"gemm_peak_fraction16": 0.7075, "hbm_fraction": 0.9},
        "gpu": {"name": "NVIDIA H100 80GB HBM3", "count": 8, "memory_bytes": 85899345920.0,
                "fp32_tflops": 51.6, "bf16_tflops": 660.0, "fp16_tflops": 655.0,
                "hbm_bytes_per_second": 3.015e12},
    },
    "calibrated_profile": {
        "format": "pdcost-profile", "version": 1, "created": "2026-01-01T00:00:00Z",
        "source": "gpu-microbenchmarks", "generation": "hopper",
        "efficiency": {"gemm_peak_fraction16": 1.0, "hbm_fraction": 1.0},
    },
    "calibrated_gpu": {
        "name": "H100-SXM-80GB (measured)", "memory_bytes": 85899345920.0, "fp32_flops": 52e12,
        "tf32_flops": 494.7e12, "fp16_flops": 700e12, "bf16_flops": 700e12, "fp8_flops": 1978.9e12,
        "hbm_bandwidth": 3.015e12, "nvlink_bandwidth": 450e9, "network_bandwidth": 50e9,
        "pcie_bandwidth": 51.2e9, "tdp_watts": 0.0, "gpus_per_node": 8, "source": "measured",
    },
    "summary": "CalibrationResult:\n  GPU: NVIDIA H100 80GB HBM3 × 8\n  Memory: 80.0 GB",
    "notes": ["fp8 GEMMs skipped: example"],
}


def test_result_fields_and_calibrated_hardware():
    result = CalibrationResult.from_json(json.dumps(REPORT))
    assert str(result).startswith("CalibrationResult:\n  GPU: NVIDIA H100 80GB HBM3 × 8")
    assert result.gpu_name == "NVIDIA H100 80GB HBM3"
    assert result.num_gpus == 8
    assert result.memory_gb == pytest.approx(80.0)          # 85899345920 / 2**30
    assert result.bf16_tflops == 660.0
    assert result.memory_bandwidth_gb_s == pytest.approx(3015.0)
    assert result.tf32_tflops is None
    assert result.notes == ["fp8 GEMMs skipped: example"]
    hw = result.create_hardware_config(num_nodes=2, gpus_per_node=8)
    assert hw.num_gpus == 16
    assert hw.gpu.bf16_tflops == pytest.approx(700.0)        # 700e12 / 1e12
    assert hw.gpu.hbm_gb_per_s == pytest.approx(3015.0)
    # A report's board power 0 is unknown: completed from the name's preset (H100 SXM datasheet,
    # 700 W), the Hopper reference power, so no power factor applies either way.
    assert hw.gpu.tdp_watts == 700.0
    profile = result.profile
    assert profile.source == "gpu-microbenchmarks"
    assert profile.efficiency["gemm_peak_fraction16"] == 0.7075
    assert result.calibrated_profile.efficiency["gemm_peak_fraction16"] == 1.0


def test_exports():
    for name in ("quick_calibrate", "HardwareCalibrator", "CalibrationResult",
                 "create_calibrated_hardware_config", "NoDeviceError"):
        assert name in pdcost.__all__


# A stand-in libcudart.so.12 whose cudaGetDeviceCount fails as on a machine with a driver but no
# device (cudaErrorNoDevice = 100, driver_types.h): exercises the dlopen/dlsym path and the
# driver's error string.
STUB_CUDART = r"""
static const char *text = "no CUDA-capable device is detected";
int cudaGetDeviceCount(int *count) { *count = 0; return 100; }
const char *cudaGetErrorString(int error) { (void)error; return text; }
#define STUB(name) int name(void) { return 0; }
STUB(cudaDriverGetVersion) STUB(cudaRuntimeGetVersion) STUB(cudaSetDevice)
STUB(cudaDeviceGetAttribute) STUB(cudaGetDeviceProperties_v2) STUB(cudaMemGetInfo) STUB(cudaMalloc)
STUB(cudaFree) STUB(cudaMallocHost) STUB(cudaFreeHost) STUB(cudaMemcpy) STUB(cudaMemcpyAsync)
STUB(cudaMemset) STUB(cudaStreamCreate) STUB(cudaStreamDestroy) STUB(cudaStreamSynchronize)
STUB(cudaEventCreate) STUB(cudaEventDestroy) STUB(cudaEventRecord) STUB(cudaEventSynchronize)
STUB(cudaEventElapsedTime)
"""


def _build_stub(tmp_path, source, name="libcudart.so.12"):
    import shutil
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        pytest.skip("no C compiler to build the stub runtime")
    (tmp_path / "stub.c").write_text(source)
    subprocess.run([compiler, "-shared", "-fPIC", "-o", str(tmp_path / name), str(tmp_path / "stub.c")],
                   check=True, capture_output=True)
    return str(tmp_path)


@no_gpu_only
def test_driver_error_string_is_reported(tmp_path):
    stub = _build_stub(tmp_path, STUB_CUDART)
    code = ("import pdcost\n"
            "try:\n    pdcost.quick_calibrate()\n"
            "except pdcost.NoDeviceError as e:\n    print(e)\n")
    env = dict(__import__("os").environ, PDCOST_CUDA_LIBRARY_PATH=stub)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert "cudaGetDeviceCount failed: no CUDA-capable device is detected (cudaError_t 100)" in out.stdout


@no_gpu_only
def test_incomplete_runtime_names_missing_symbols(tmp_path):
    stub = _build_stub(tmp_path, "int cudaGetDeviceCount(int *c) { *c = 1; return 0; }\n")
    env = dict(__import__("os").environ, PDCOST_CUDA_LIBRARY_PATH=stub)
    code = "import pdcost.calibration as c; print(c.cuda_available()['error'])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert "lacks cudaDriverGetVersion" in out.stdout
