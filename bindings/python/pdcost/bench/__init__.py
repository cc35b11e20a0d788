"""pdcost.bench: measure real training and inference steps with PyTorch.

On a machine with PyTorch and NVIDIA GPUs this builds a Hugging Face-architecture decoder from
a config (random weights, no download), runs real steps for a plan the local GPUs can hold and
writes measured-runs records (``pdcost.runs/1``, shared/validation/SCHEMA.md) that
``pdcost validate`` and calibration read::

    from pdcost.bench import BenchConfig, run, run_grid, preset
    record = run(BenchConfig(model="qwen2.5-0.5b", seq_len=2048, micro_batch_size=2))
    run_grid(preset("single-gpu"), "measured/h100.json")

or ``python -m pdcost.bench --help``. torch is imported only when a run starts, so this
package imports (and its CLI prints help) without it; running without it raises
:class:`TorchUnavailableError`, and without a GPU :class:`~pdcost.errors.NoDeviceError`.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from ..errors import NoDeviceError
from ._torch import INSTALL_HINT, TorchUnavailableError
from .config import BENCH_MODELS, BenchConfig, resolve_model
from .grid import PRESETS, preset, skipped_path
from .records import SCHEMA, Measurement, build_record, schema_problems

__all__ = [
    "BenchConfig", "run", "run_grid", "preset", "PRESETS", "BENCH_MODELS", "resolve_model",
    "Measurement", "build_record", "schema_problems", "skipped_path", "SCHEMA",
    "TorchUnavailableError", "NoDeviceError", "INSTALL_HINT",
]


def run(config: BenchConfig, *, log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Measures one configuration and returns its measured-runs record.

    Under torchrun every rank must call it; ranks other than 0 get ``{}``.
    """
    from .harness import run as _run

    return _run(config, log=log) or {}


def run_grid(configs: Iterable[BenchConfig], out_path: str, progress: bool = True,
             resume: bool = True) -> dict[str, Any]:
    """Measures each configuration into the measured-runs file ``out_path`` (rewritten after
    every run), with progress on stderr. Runs that run out of GPU memory are skipped and
    listed with the reason in ``skipped_path(out_path)``. Returns
    ``{"runs": count, "skipped": [{"config", "reason"}, ...]}``."""
    from .grid import run_grid as _run_grid

    return _run_grid(configs, out_path, progress=progress, resume=resume)
