"""pdcost: predict the performance of distributed LLM training.

Model analysis (exact parameter counts per component, FLOPs per token) and GPU presets come
from the native library ``libpdcost`` through the private extension ``pdcost._native``; this
package is the Python API over it::

    from pdcost import ModelConfig
    m = ModelConfig.from_name("qwen3-30b-a3b")          # a preset
    m = ModelConfig.from_json("path/to/config.json")     # a Hugging Face config.json
    m.num_parameters(), m.num_active_parameters(), m.parameter_breakdown()
    m.flops_per_token(seq_len=8192)

The training cost model prices a parallel plan::

    from pdcost import PDCostModel, ParallelConfig
    r = PDCostModel(m).predict(ParallelConfig(tp=1, dp=8))   # 8x H100-SXM-80GB by default
    r.step_time_ms, r.mfu, r.tokens_per_second_per_gpu, r.memory_breakdown.reserved_memory_gb

searches every plan for the fastest that fits, and takes the framework's switches::

    best = PDCostModel(m).search(total_gpus=64, global_batch_size=512, top_k=5)
    PDCostModel(m, settings=FrameworkSettings(tp_comm_overlap=True)).predict(...)

Serving (inference) is one call::

    r = predict_serving("llama3-70b", gpu="H100", tp=4, engine="vllm",
                        input_tokens=32768, output_tokens=256, concurrency=64)
    r.ttft_ms, r.tpot_ms, r.output_tokens_per_s, r.memory_gib, r.fits_memory

Results are immutable (``to_dict()``, ``to_dataframe()``); figures of them are in
:mod:`pdcost.plots` (matplotlib, ``pip install 'pdcost[plots]'``) and :func:`report` writes one
HTML or Markdown page of a plan and its search; calibration (GPU micro-benchmarks,
fits to measured runs) is in :mod:`pdcost.calibration` and :mod:`pdcost.fitting`.
"""

from __future__ import annotations

# errors first: the extension looks its exception classes up in pdcost.errors at import.
from .errors import (
    InfeasiblePlanError,
    InvalidArgumentError,
    NoDeviceError,
    CancelledError,
    NotFoundError,
    ParseError,
    PDCostError,
    PDCostIOError,
    UnsupportedError,
    VersionMismatchError,
)
from . import _native
from .config import (
    FlopsPerToken,
    FilledField,
    GPUSpec,
    HardwareConfig,
    ModelConfig,
    ParallelConfig,
    TrainingConfig,
)
from .costmodel import CalibrationNotAppliedWarning, MemoryBreakdown, PDCostModel, PredictionResult, validate_runs
from .search import NoPlanFitsWarning, RankedPlans
from .profile import CalibrationProfile
from .settings import FrameworkSettings
from .serving import (
    ServingDeployment,
    ServingModel,
    ServingPrediction,
    ServingSettings,
    ServingWorkload,
    predict_serving,
)
from .serving_search import ServingSearchEntry, ServingSearchResult, ServingSearchStats, search_serving
from .fitting import efficiency_parameters, fit
from .planner import RunPlan, chinchilla_for_compute, chinchilla_tokens, plan_run
# `pdcost.report(...)` is the function (the module stays importable as pdcost.report's
# sys.modules entry: `from pdcost.report import Report`).
from .report import report
# The function, not the module: `pdcost.sweep(grid)`; the module is `pdcost.sweep` in sys.modules
# (`from pdcost.sweep import write_parquet`).
from .sweep import sweep
from .calibration import (
    CalibrationResult,
    HardwareCalibrator,
    create_calibrated_hardware_config,
    quick_calibrate,
)

#: The package version: that of the header the extension was built against, which the
#: extension checked at import against the loaded library.
__version__: str = _native.HEADER_VERSION_STRING


def library_version() -> str:
    """The version string of the loaded libpdcost."""
    return _native.version_string()


__all__ = [
    "__version__",
    "predict_serving",
    "search_serving",
    "sweep",
    "ServingSearchResult",
    "ServingSearchEntry",
    "ServingSearchStats",
    "ServingModel",
    "ServingDeployment",
    "ServingWorkload",
    "ServingSettings",
    "ServingPrediction",
    "library_version",
    "ModelConfig",
    "FlopsPerToken",
    "FilledField",
    "GPUSpec",
    "HardwareConfig",
    "TrainingConfig",
    "ParallelConfig",
    "FrameworkSettings",
    "PDCostModel",
    "PredictionResult",
    "CalibrationNotAppliedWarning",
    "MemoryBreakdown",
    "RankedPlans",
    "NoPlanFitsWarning",
    "CalibrationProfile",
    "fit",
    "efficiency_parameters",
    "plan_run",
    "report",
    "RunPlan",
    "chinchilla_tokens",
    "chinchilla_for_compute",
    "validate_runs",
    "quick_calibrate",
    "CalibrationResult",
    "HardwareCalibrator",
    "create_calibrated_hardware_config",
    "PDCostError",
    "InvalidArgumentError",
    "ParseError",
    "NotFoundError",
    "UnsupportedError",
    "VersionMismatchError",
    "InfeasiblePlanError",
    "NoDeviceError",
    "CancelledError",
    "PDCostIOError",
]
