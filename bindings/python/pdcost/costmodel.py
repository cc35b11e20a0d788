"""The training cost model: step time, memory and MFU of a parallel plan.

:class:`PDCostModel` holds a model, a cluster and a training run; :meth:`PDCostModel.predict`
prices one :class:`~pdcost.config.ParallelConfig` in the native library (``libpdcost``,
``pdcost_cost_model_predict``) and returns a :class:`PredictionResult`. The native cost model
for a training setup (sequence length, batch, recomputation, offload) is built once and cached,
so repeated predictions of plans with the same setup cost a few microseconds each.

Units: times in milliseconds, memory in GiB (2**30 bytes, as nvidia-smi and torch report it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

from . import _native
from .config import GIB, GPUSpec, HardwareConfig, ModelConfig, ParallelConfig, TrainingConfig

__all__ = ["PDCostModel", "PredictionResult", "MemoryBreakdown", "COMM_KINDS", "validate_runs"]

_NOT_YET = "arrives with the training cost model's search (a later issue)"

#: The cluster assumed when none is given: one node of eight H100-SXM-80GB.
DEFAULT_GPU = "H100-SXM-80GB"

#: Communication kinds, in the order of pdcost_comm_kind.
COMM_KINDS = ("tp", "cp", "ep", "pp", "dp")

# Enum values of include/pdcost.h.
DTYPES = {"bfloat16": 0, "bf16": 0, "float16": 1, "fp16": 1, "fp8": 2, "float32": 3, "fp32": 3}
RECOMPUTE = {"none": 0, "selective": 1, "full": 2}
OPTIMIZERS = {"adamw": 0, "adam": 1, "sgd": 2}
FRAMEWORKS = {"megatron": 0, "nemo": 1, "megatron-bridge": 2, "torchtitan": 3, "deepspeed": 4,
              "paddleformers": 5}
ZERO_STAGES = {"none": 0, "stage1": 1, "stage2": 2, "stage3": 3}


def _choice(name: str, value: Any, table: dict[str, int]) -> int:
    try:
        return table[value]
    except (KeyError, TypeError):
        raise ValueError(f"{name}={value!r} must be one of "
                         + ", ".join(map(repr, table))) from None


@dataclass(slots=True)
class MemoryBreakdown:
    """Memory per GPU of the pipeline stage with the highest peak, in GiB.

    allocated = parameters + gradients + optimizer + activations + communication and temporary
    buffers (``torch.cuda.max_memory_allocated``); reserved = allocated + activation buffer
    pool (``max_memory_reserved``); total = reserved + framework overhead (CUDA context and
    libraries outside the caching allocator: what nvidia-smi shows).
    """

    parameter_memory_gb: float
    gradient_memory_gb: float
    optimizer_memory_gb: float
    activation_memory_gb: float
    communication_buffer_gb: float
    temporary_buffer_gb: float
    framework_overhead_gb: float
    allocated_memory_gb: float
    reserved_memory_gb: float
    activation_buffer_pool_gb: float
    total_memory_gb: float
    usable_memory_gb: float
    """What the caching allocator can use on this GPU; fits when reserved <= usable."""
    peak_stage: int
    """0-based pipeline stage these figures are for (the one with the highest peak)."""
    num_stages: int
    """Pipeline stages (pp); the peak stage decides whether the plan fits."""

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(slots=True)
class PredictionResult:
    """One plan's predicted step: times in ms, memory in GiB, throughput in tokens/s.

    ``compute_efficiency`` is the share of the dtype's peak FLOP/s achieved while computing:
    hardware FLOPs / (compute_time × peak) = ``hfu × step_time / compute_time``. MFU and HFU
    are over the whole step (MFU counts model FLOPs without recomputation; HFU with it).
    """

    step_time_ms: float
    compute_time_ms: float
    total_comm_time_ms: float
    """All communication, exposed plus overlapped."""
    exposed_comm_time_ms: float
    """Communication that lengthens the step."""
    bubble_time_ms: float
    recompute_time_ms: float
    """Part of compute_time_ms."""
    optimizer_time_ms: float
    offload_time_ms: float
    comm_exposed_ms: dict[str, float]
    """Exposed communication per kind: tp, cp, ep, pp, dp (DP includes ZeRO/FSDP gathers)."""
    comm_overlapped_ms: dict[str, float]
    """Communication hidden under computation, per kind."""
    memory_gb: float
    """Total memory per GPU on the peak stage (= memory_breakdown.total_memory_gb)."""
    memory_breakdown: MemoryBreakdown
    fits_memory: bool
    mfu: float
    hfu: float
    compute_efficiency: float
    tokens_per_second: float
    tokens_per_second_per_gpu: float
    gradient_accumulation_steps: int
    global_batch_size: int
    """Sequences per optimizer step (micro_batch_size × gradient_accumulation_steps × dp)."""
    seq_len: int

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (the breakdown as a nested dict)."""
        result: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            result[name] = value.to_dict() if isinstance(value, MemoryBreakdown) else value
        return result


class PDCostModel:
    """Predicts step time, memory and throughput of training ``model_config`` on
    ``hardware_config`` (default: one node of 8× H100-SXM-80GB) with ``training_config``
    (default: :class:`TrainingConfig()`).

    The model and cluster are read when the first prediction is made; give a new
    ``PDCostModel`` rather than mutating them afterwards.
    """

    __slots__ = ("model_config", "hardware_config", "training_config", "calibration_result",
                 "_cluster", "_cache")

    def __init__(self, model_config: ModelConfig, hardware_config: HardwareConfig | None = None,
                 training_config: TrainingConfig | None = None, auto_calibrate: bool = False) -> None:
        if not isinstance(model_config, ModelConfig):
            raise TypeError("model_config must be a ModelConfig, not "
                            f"{type(model_config).__name__}")
        if hardware_config is None:
            hardware_config = HardwareConfig(gpu=GPUSpec.from_name(DEFAULT_GPU))
        if not isinstance(hardware_config, HardwareConfig):
            raise TypeError("hardware_config must be a HardwareConfig or None, not "
                            f"{type(hardware_config).__name__}")
        if training_config is None:
            training_config = TrainingConfig()
        if not isinstance(training_config, TrainingConfig):
            raise TypeError("training_config must be a TrainingConfig or None, not "
                            f"{type(training_config).__name__}")
        if not isinstance(auto_calibrate, bool):
            raise TypeError(f"auto_calibrate must be bool, not {type(auto_calibrate).__name__}")
        self.model_config = model_config
        self.hardware_config = hardware_config
        self.training_config = training_config
        self.calibration_result: Any = None
        self._cluster: tuple[Any, int, int] | None = None
        self._cache: dict[tuple[Any, ...], Any] = {}
        if auto_calibrate:
            self.calibrate()

    def __repr__(self) -> str:
        return (f"PDCostModel(model={self.model_config.name!r}, "
                f"gpu={self.hardware_config.gpu.name!r}, num_gpus={self.hardware_config.num_gpus})")

    # -- native plumbing ---------------------------------------------------------------------

    def _cluster_tuple(self) -> tuple[Any, int, int]:
        hw = self.hardware_config
        g = hw.gpu
        gpu = (g.name, g.memory_gb * GIB, g.fp32_tflops * 1e12, g.tf32_tflops * 1e12,
               g.fp16_tflops * 1e12, g.bf16_tflops * 1e12, g.fp8_tflops * 1e12,
               g.hbm_gb_per_s * 1e9, g.nvlink_gb_per_s * 1e9, g.network_gb_per_s * 1e9,
               g.pcie_gb_per_s * 1e9, g.tdp_watts, g.gpus_per_node)
        return (gpu, hw.num_gpus, hw.gpus_per_node)

    def _native(self, setup: tuple[Any, ...]) -> Any:
        cost_model = self._cache.get(setup)
        if cost_model is None:
            if self._cluster is None:
                self._cluster = self._cluster_tuple()
            cost_model = _native.CostModel(self.model_config._model(), self._cluster, setup)
            self._cache[setup] = cost_model
        return cost_model

    # -- predictions -------------------------------------------------------------------------

    def predict(self, parallel: ParallelConfig, micro_batch_size: int | None = None,
                seq_len: int | None = None, max_seq_len: int | None = None,
                gradient_accumulation_steps: int | None = None,
                recompute_granularity: str | None = None,
                tensorwise_offload_optimizer: bool | None = None,
                tensorwise_offload_ratio: float | None = None) -> PredictionResult:
        """Predict one parallel plan: step time, memory breakdown, MFU/HFU, tokens/s.

        Arguments left as None come from the ``training_config``. The global batch is
        ``micro_batch_size × gradient_accumulation_steps × parallel.dp`` sequences.
        ``max_seq_len`` (longest padded sequence) sets the memory figures; times use
        ``seq_len``. With ``tensorwise_offload_optimizer`` the share
        ``tensorwise_offload_ratio`` of the optimizer states lives in host memory.

        A plan that breaks a constraint (tp not dividing the heads, GPU counts that do not add
        up, ...) raises :class:`~pdcost.errors.InfeasiblePlanError` naming it; a plan that does
        not fit in memory returns ``fits_memory=False``.
        """
        tc = self.training_config
        mbs = tc.micro_batch_size if micro_batch_size is None else micro_batch_size
        seq = tc.sequence_length if seq_len is None else seq_len
        gas = tc.gradient_accumulation_steps if gradient_accumulation_steps is None \
            else gradient_accumulation_steps
        recompute = RECOMPUTE.get(tc.recompute_granularity if recompute_granularity is None
                                  else recompute_granularity)
        if recompute is None:
            _choice("recompute_granularity", recompute_granularity, RECOMPUTE)
        offload = tc.tensorwise_offload_optimizer if tensorwise_offload_optimizer is None \
            else tensorwise_offload_optimizer
        if offload:
            ratio = tc.tensorwise_offload_ratio if tensorwise_offload_ratio is None \
                else tensorwise_offload_ratio
            if not 0.0 <= ratio <= 1.0:
                raise ValueError(f"tensorwise_offload_ratio={ratio!r} must be in 0..1")
        else:
            ratio = 0.0
        for name, value in (("micro_batch_size", mbs), ("seq_len", seq),
                            ("gradient_accumulation_steps", gas)):
            if type(value) is not int or value < 1:
                raise (TypeError if type(value) is not int else ValueError)(
                    f"{name}={value!r} must be an int >= 1")
        p = parallel
        zero = ZERO_STAGES.get(p.sharding)
        if zero is None:
            _choice("sharding", p.sharding, ZERO_STAGES)
        plan = (p.tp, p.pp, p.vpp, p.dp, p.cp, p.ep, p.etp, int(p.sp), zero, int(p.fsdp), 0, 0)
        tail = (_choice("dtype", tc.dtype, DTYPES), OPTIMIZERS[tc.optimizer], recompute, 0,
                ratio, FRAMEWORKS[tc.framework])
        gbs = mbs * gas * p.dp
        r = self._native((seq, mbs, gbs) + tail).predict(plan)
        if max_seq_len is not None and max_seq_len != seq:
            if type(max_seq_len) is not int or max_seq_len < seq:
                raise ValueError(f"max_seq_len={max_seq_len!r} must be an int >= seq_len={seq}")
            peak = self._native((max_seq_len, mbs, gbs) + tail).predict(plan)
            memory = peak[23:]
        else:
            memory = r[23:]
        return _result(r, memory, p.pp, gas, gbs, seq)

    def predict_calibrated(self, parallel: ParallelConfig, **options: Any) -> PredictionResult:
        """Predict one plan with the calibrated efficiency model.

        Calibration (fitting the efficiency constants to measurements) is a later issue; for now
        this is exactly :meth:`predict`.
        """
        return self.predict(parallel, **options)

    def rank_configurations(self, configs: Any, top_k: int = 5, **options: Any) -> NoReturn:
        """Predict several plans and rank them by throughput (a later issue)."""
        raise NotImplementedError(f"PDCostModel.rank_configurations {_NOT_YET}")

    def generate_search_space(self, total_gpus: int, **options: Any) -> NoReturn:
        """The valid plans for ``total_gpus`` GPUs (a later issue)."""
        raise NotImplementedError(f"PDCostModel.generate_search_space {_NOT_YET}")

    def search_best_throughput(self, total_gpus: int, **options: Any) -> NoReturn:
        """Search the plans for ``total_gpus`` GPUs and return the ``top_k`` fastest that fit
        (a later issue)."""
        raise NotImplementedError(f"PDCostModel.search_best_throughput {_NOT_YET}")

    def calibrate(self, **options: Any) -> NoReturn:
        """Measure the local GPU and use the measured numbers (a later issue)."""
        raise NotImplementedError("PDCostModel.calibrate: hardware calibration arrives with "
                                  "the training cost model's calibration (a later issue)")


def _result(r: tuple[Any, ...], m: tuple[Any, ...], pp: int, gas: int, gbs: int,
            seq: int) -> PredictionResult:
    """A PredictionResult from _native.CostModel.predict's tuple (r) and the memory items
    (m = tuple[23:], possibly from the max_seq_len prediction)."""
    g = 1.0 / GIB
    breakdown = MemoryBreakdown(m[0] * g, m[1] * g, m[2] * g, m[3] * g, m[4] * g, m[5] * g,
                                m[6] * g, m[7] * g, m[8] * g, m[9] * g, m[10] * g, m[11] * g,
                                m[12], pp)
    step, compute = r[0], r[1]
    hfu = r[19]
    efficiency = hfu * step / compute if compute > 0 else 0.0
    return PredictionResult(
        step * 1e3, compute * 1e3, r[16] * 1e3, r[17] * 1e3, r[2] * 1e3, r[3] * 1e3, r[4] * 1e3,
        r[5] * 1e3,
        {"tp": r[6] * 1e3, "cp": r[7] * 1e3, "ep": r[8] * 1e3, "pp": r[9] * 1e3,
         "dp": r[10] * 1e3},
        {"tp": r[11] * 1e3, "cp": r[12] * 1e3, "ep": r[13] * 1e3, "pp": r[14] * 1e3,
         "dp": r[15] * 1e3},
        m[10] * g, breakdown, m[13], r[18], hfu, efficiency, r[20], r[21], gas, gbs, seq)



def validate_runs(runs: str | bytes, *, text: bool = False, only_complete: bool = False) -> str:
    """Predict every record of a measured-runs document (schema ``pdcost.runs/1``, JSON text or
    bytes) and compare with what was measured.

    Returns the library's JSON report ``{"runs": [...], "summary": {metric: {"n", "mape",
    "max_abs_pct", "complete_n", "complete_mape"}}}`` (errors in percent), or with ``text=True``
    a readable table (``only_complete=True`` lists only complete records). The GIL is released
    while the library works.
    """
    data = runs.encode("utf-8") if isinstance(runs, str) else bytes(runs)
    return _native.validate_runs(data, text=text, only_complete=only_complete)
