"""Hardware calibration: micro-benchmarks of the local GPUs, run by the native library.

The CUDA runtime, cuBLAS/cuBLASLt and NCCL are loaded at run time (no build-time CUDA
dependency); on a machine without a GPU every entry point raises
:class:`~pdcost.errors.NoDeviceError` with the reason (library missing, driver error, no
device). The original pdcost API works as written::

    from pdcost import quick_calibrate, HardwareCalibrator, create_calibrated_hardware_config
    result = quick_calibrate(device_id=0)
    print(result)                       # CalibrationResult: GPU, memory, FP32/FP16/BF16, memory BW
    hw = result.create_hardware_config(num_nodes=1, gpus_per_node=8)
    result.profile.save("profiles/our-cluster.json")   # commit it (see profiles/README.md)

What is measured: GEMM throughput per precision over a sweep of shapes (fitted to the cost
model's efficiency curve), the sustained rate after a soak, device-copy (HBM) and pinned
host<->device bandwidth, and with 2+ GPUs NCCL collectives (bus bandwidth and latency).

Two results are produced (``include/pdcost.h``, ``pdcost_gpu_calibrate``):

* :attr:`CalibrationResult.profile`: efficiency parameters relative to the GPU's datasheet
  preset, with the raw measurements; use it with the preset GPU (``--profile``, ``use_profile``);
* :meth:`CalibrationResult.create_hardware_config` + :attr:`CalibrationResult.calibrated_profile`:
  the seed's calibrated hardware, a :class:`GPUSpec` whose numbers are the *measured* rates
  (``bf16_tflops`` is the large-GEMM rate the sweep converges to), and the same parameters
  re-expressed against it, so both predict the same times. MFU computed against a measured spec
  is relative to the measured rate, not to the datasheet peak.
"""

from __future__ import annotations

import glob
import json
import os
import sys
from typing import Any, Callable

from . import _native
from .config import GPUSpec, HardwareConfig
from .errors import NoDeviceError  # noqa: F401  (raised by the native calls)

__all__ = [
    "CalibrationResult",
    "HardwareCalibrator",
    "quick_calibrate",
    "create_calibrated_hardware_config",
    "cuda_available",
    "DTYPE_BITS",
]

GIB = float(2**30)

#: Precision name → bit of ``pdcost_gpu_calibration_options.dtypes``.
DTYPE_BITS = {"fp32": 1, "tf32": 2, "fp16": 4, "bf16": 8, "fp8": 16}

# GPUSpec fields and the report's calibrated_gpu keys (SI units) with their scales.
_SPEC_FIELDS = (
    ("fp32_tflops", "fp32_flops", 1e12), ("tf32_tflops", "tf32_flops", 1e12),
    ("fp16_tflops", "fp16_flops", 1e12), ("bf16_tflops", "bf16_flops", 1e12),
    ("fp8_tflops", "fp8_flops", 1e12), ("hbm_gb_per_s", "hbm_bandwidth", 1e9),
    ("nvlink_gb_per_s", "nvlink_bandwidth", 1e9), ("network_gb_per_s", "network_bandwidth", 1e9),
    ("pcie_gb_per_s", "pcie_bandwidth", 1e9),
)


def _add_wheel_library_dirs() -> None:
    """Let the library find CUDA installed from pip wheels (``nvidia-cuda-runtime-cu12``,
    ``nvidia-cublas-cu12``, ``nvidia-nccl-cu12``: ``site-packages/nvidia/*/lib``), as PyTorch
    does, unless the user set ``PDCOST_CUDA_LIBRARY_PATH`` already."""
    if os.environ.get("PDCOST_CUDA_LIBRARY_PATH"):
        return
    dirs: list[str] = []
    for root in sys.path:
        if root and os.path.isdir(os.path.join(root, "nvidia")):
            dirs += sorted(glob.glob(os.path.join(root, "nvidia", "*", "lib")))
    if dirs:
        os.environ["PDCOST_CUDA_LIBRARY_PATH"] = os.pathsep.join(dirs)


def cuda_available() -> dict[str, Any]:
    """What this machine offers for calibration, measuring nothing: ``{"available": bool,
    "error": reason or None, "device_count", "devices", "machine", "libraries", "notes"}``."""
    _add_wheel_library_dirs()
    result: dict[str, Any] = json.loads(_native.cuda_available())
    return result


class CalibrationResult:
    """What the micro-benchmarks measured (the seed's ``CalibrationResult``).

    Fields as in the seed: ``gpu_name``, ``num_gpus``, ``memory_gb`` (GiB), ``fp32_tflops``,
    ``tf32_tflops``, ``fp16_tflops``, ``bf16_tflops``, ``fp8_tflops`` (best measured, None if not
    measured), ``memory_bandwidth_gb_s`` (device copy, read + write), ``h2d_bandwidth_gb_s``,
    ``d2h_bandwidth_gb_s``; plus :attr:`profile`, :attr:`calibrated_profile`, :attr:`notes`
    and :attr:`report` (the full native report as a dict).
    """

    __slots__ = ("report", "gpu_name", "num_gpus", "memory_gb", "fp32_tflops", "tf32_tflops",
                 "fp16_tflops", "bf16_tflops", "fp8_tflops", "memory_bandwidth_gb_s",
                 "h2d_bandwidth_gb_s", "d2h_bandwidth_gb_s", "notes")

    def __init__(self, report: dict[str, Any]) -> None:
        self.report = report
        gpu = report["profile"].get("gpu") or {}
        self.gpu_name: str = gpu.get("name", "")
        self.num_gpus: int = int(gpu.get("count", 0))
        self.memory_gb: float = float(gpu.get("memory_bytes", 0.0)) / GIB
        self.fp32_tflops: float | None = gpu.get("fp32_tflops")
        self.tf32_tflops: float | None = gpu.get("tf32_tflops")
        self.fp16_tflops: float | None = gpu.get("fp16_tflops")
        self.bf16_tflops: float | None = gpu.get("bf16_tflops")
        self.fp8_tflops: float | None = gpu.get("fp8_tflops")
        self.memory_bandwidth_gb_s = _scaled(gpu.get("hbm_bytes_per_second"), 1e9)
        self.h2d_bandwidth_gb_s = _scaled(gpu.get("host_to_device_bytes_per_second"), 1e9)
        self.d2h_bandwidth_gb_s = _scaled(gpu.get("device_to_host_bytes_per_second"), 1e9)
        self.notes: list[str] = list(report.get("notes", []))

    @classmethod
    def from_json(cls, text: str | bytes) -> CalibrationResult:
        """A result from the report JSON of ``pdcost_gpu_calibrate``."""
        return cls(json.loads(text))

    @property
    def profile(self) -> Any:
        """The profile to commit (:class:`pdcost.profile.CalibrationProfile`): efficiency
        relative to the datasheet preset, with measurements, machine and versions."""
        from .profile import CalibrationProfile
        return CalibrationProfile.from_dict(self.report["profile"])

    @property
    def calibrated_profile(self) -> Any:
        """Every efficiency parameter for the GPU of :meth:`calibrated_gpu`."""
        from .profile import CalibrationProfile
        return CalibrationProfile.from_dict(self.report["calibrated_profile"])

    def calibrated_gpu(self) -> GPUSpec:
        """A :class:`GPUSpec` holding the measured rates (large-GEMM TFLOPS per precision, device
        copy, host copy and, with 2+ GPUs, NCCL bus bandwidth); datasheet values where nothing was
        measured. Board power: the reference power (no power factor: the measurement already ran at this
        board's clocks)."""
        g = self.report["calibrated_gpu"]
        values = {ours: float(g[theirs]) / scale for ours, theirs, scale in _SPEC_FIELDS}
        return GPUSpec(name=g["name"], memory_gb=float(g["memory_bytes"]) / GIB,
                       architecture=g.get("architecture"), supports_fp8=g.get("supports_fp8"),
                       supports_fp4=g.get("supports_fp4"),
                       tdp_watts=float(g["tdp_watts"]), gpus_per_node=int(g["gpus_per_node"]),
                       source=g.get("source", ""), **values)

    def create_hardware_config(self, num_nodes: int = 1, gpus_per_node: int = 8) -> HardwareConfig:
        """The seed's calibrated hardware: :meth:`calibrated_gpu` × ``num_nodes`` × ``gpus_per_node``."""
        return HardwareConfig(gpu=self.calibrated_gpu(), num_nodes=num_nodes,
                              gpus_per_node=gpus_per_node)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__ if name != "report"}

    def __str__(self) -> str:
        return str(self.report.get("summary", ""))

    def __repr__(self) -> str:
        return (f"CalibrationResult(gpu_name={self.gpu_name!r}, num_gpus={self.num_gpus}, "
                f"bf16_tflops={self.bf16_tflops!r}, memory_bandwidth_gb_s="
                f"{self.memory_bandwidth_gb_s!r})")


def _scaled(value: Any, scale: float) -> float | None:
    return None if value is None else float(value) / scale


def _options(gemm_size: int, test_compute: bool, test_memory: bool, test_collectives: bool,
             quick: bool, repetitions: int | None, dtypes: Any, sustain_seconds: float | None,
             max_collective_bytes: int | None) -> dict[str, Any]:
    for name, value in (("test_compute", test_compute), ("test_memory", test_memory),
                        ("test_collectives", test_collectives), ("quick", quick)):
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be bool, not {type(value).__name__}")
    if type(gemm_size) is not int:
        raise TypeError(f"gemm_size must be int, not {type(gemm_size).__name__}")
    options: dict[str, Any] = {"gemm_size": gemm_size, "test_compute": test_compute,
                               "test_memory": test_memory, "test_collectives": test_collectives}
    if quick:  # GPUBenchmarkOptions.quick
        options.update(repetitions=5, warmup=2, sustain_seconds=0.0, max_collective_bytes=2**28)
    if repetitions is not None:
        options["repetitions"] = repetitions
    if sustain_seconds is not None:
        options["sustain_seconds"] = float(sustain_seconds)
    if max_collective_bytes is not None:
        options["max_collective_bytes"] = max_collective_bytes
    if dtypes is not None:
        names = [dtypes] if isinstance(dtypes, str) else list(dtypes)
        bits = 0
        for name in names:
            if name not in DTYPE_BITS:
                raise ValueError(f"dtypes: {name!r} is not one of {', '.join(DTYPE_BITS)}")
            bits |= DTYPE_BITS[name]
        options["dtypes"] = bits
    return options


class HardwareCalibrator:
    """Measures the GPU ``device_id`` (and, for collectives, every visible GPU)."""

    def __init__(self, device_id: int = 0) -> None:
        if type(device_id) is not int or device_id < 0:
            raise ValueError(f"device_id={device_id!r} must be an int >= 0")
        self.device_id = device_id
        self.result: CalibrationResult | None = None

    def calibrate(self, gemm_size: int = 8192, test_compute: bool = True, test_memory: bool = True,
                  test_collectives: bool = True, verbose: bool = True, *, quick: bool = False,
                  repetitions: int | None = None, dtypes: Any = None,
                  sustain_seconds: float | None = None, max_collective_bytes: int | None = None,
                  progress: Callable[[str, int, int], Any] | None = None) -> CalibrationResult:
        """Runs the micro-benchmarks (minutes; ``quick=True`` for a shorter run) and returns the
        result. ``verbose`` prints each stage on stderr; ``progress(stage, done, total)``
        returning True cancels. Raises :class:`NoDeviceError` without a GPU."""
        options = _options(gemm_size, test_compute, test_memory, test_collectives, quick,
                           repetitions, dtypes, sustain_seconds, max_collective_bytes)
        if progress is None and verbose:
            def progress(stage: str, done: int, total: int) -> None:
                print(f"[pdcost calibrate] {done}/{total} {stage}", file=sys.stderr, flush=True)
        _add_wheel_library_dirs()
        report = _native.gpu_calibrate(progress, device=self.device_id, **options)
        self.result = CalibrationResult.from_json(report)
        return self.result

    def create_hardware_config(self, num_nodes: int = 1, gpus_per_node: int = 8) -> HardwareConfig:
        """The calibrated hardware (runs :meth:`calibrate` first if it has not run)."""
        result = self.result if self.result is not None else self.calibrate(verbose=False)
        return result.create_hardware_config(num_nodes=num_nodes, gpus_per_node=gpus_per_node)


def quick_calibrate(device_id: int = 0, **options: Any) -> CalibrationResult:
    """Calibrates GPU ``device_id`` with :meth:`HardwareCalibrator.calibrate`'s options
    (default ``verbose=False``). Raises :class:`NoDeviceError` without a GPU."""
    options.setdefault("verbose", False)
    return HardwareCalibrator(device_id).calibrate(**options)


def create_calibrated_hardware_config(num_nodes: int = 1, gpus_per_node: int = 8,
                                      device_id: int = 0, **options: Any) -> HardwareConfig:
    """Calibrates GPU ``device_id`` and returns the calibrated hardware config."""
    return quick_calibrate(device_id, **options).create_hardware_config(
        num_nodes=num_nodes, gpus_per_node=gpus_per_node)

