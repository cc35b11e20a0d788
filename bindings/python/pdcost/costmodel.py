"""The training cost model: step time, memory and MFU of a parallel plan.

:class:`PDCostModel` holds a model, a cluster and a training run; :meth:`PDCostModel.predict`
prices one :class:`~pdcost.config.ParallelConfig` in the native library (``libpdcost``,
``pdcost_cost_model_predict``) and returns a :class:`PredictionResult`. The native cost model
for a training setup (sequence length, batch, recomputation, offload) is built once and cached,
so repeated predictions of plans with the same setup cost a few microseconds each. The cache
keeps the :data:`CACHE_SIZE` most recently used setups (least recently used dropped first), so a
sweep over thousands of setups holds a bounded amount of native memory.

Units: times in milliseconds, memory in GiB (2**30 bytes, as nvidia-smi and torch report it).
"""

from __future__ import annotations

from collections import OrderedDict
import dataclasses
import json
import threading
from typing import TYPE_CHECKING, Any, Callable, Generic, Hashable, NoReturn, TypeVar

import os

from . import _native
from . import _validate as check
from .config import GIB, GPUSpec, HardwareConfig, ModelConfig, ParallelConfig, TrainingConfig
from .profile import CalibrationProfile
from .results import (COMM_KINDS, HOST_FIELDS, MemoryBreakdown, PredictionResult, prediction_row,
                      result_from_rows)
from .settings import FrameworkSettings

if TYPE_CHECKING:
    from .search import SearchResult

#: Marks a cache slot not yet computed.
_UNSET = object()

__all__ = ["PDCostModel", "PredictionResult", "MemoryBreakdown", "COMM_KINDS", "validate_runs"]


#: Entries each :class:`PDCostModel` keeps per cache: native cost models (one per distinct
#: training setup, a few kilobytes of native memory each) and settings reports.
CACHE_SIZE = 64

_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


class _LRUCache(Generic[_K, _V]):
    """A mapping that keeps its ``capacity`` most recently used entries. Thread-safe: a
    PDCostModel may be shared by threads (searches run with the GIL released)."""

    __slots__ = ("capacity", "_items", "_lock")

    def __init__(self, capacity: int = CACHE_SIZE) -> None:
        self.capacity = capacity
        self._items: OrderedDict[_K, _V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: _K) -> _V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: _K, value: _V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def discard_if(self, predicate: Callable[[_K], bool]) -> None:
        """Drops the entries whose key satisfies ``predicate``."""
        with self._lock:
            for key in [k for k in self._items if predicate(k)]:
                del self._items[key]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


#: The cluster assumed when none is given: one node of eight H100-SXM-80GB.
DEFAULT_GPU = "H100-SXM-80GB"


# Enum values of include/pdcost.h.
DTYPES = {"bfloat16": 0, "bf16": 0, "float16": 1, "fp16": 1, "fp8": 2, "float32": 3, "fp32": 3}
RECOMPUTE = {"none": 0, "selective": 1, "full": 2}
OPTIMIZERS = {"adamw": 0, "adam": 1, "sgd": 2, "adamw_8bit": 3, "paged_adamw": 4, "paged_adamw_8bit": 5}
FRAMEWORKS = {"megatron": 0, "nemo": 1, "megatron-bridge": 2, "torchtitan": 3, "deepspeed": 4,
              "paddleformers": 5, "automodel": 6, "hf-trainer": 7}
ZERO_STAGES = {"none": 0, "stage1": 1, "stage2": 2, "stage3": 3}


def _choice(name: str, value: Any, table: dict[str, int]) -> int:
    try:
        return table[value]
    except (KeyError, TypeError):
        raise ValueError(f"{name}={value!r} must be one of "
                         + ", ".join(map(repr, table))) from None


class CalibrationNotAppliedWarning(UserWarning):
    """:meth:`PDCostModel.predict` was called on a model with a calibration profile, which it
    does not apply (:meth:`PDCostModel.predict_calibrated` does)."""


class PDCostModel:
    """Predicts step time, memory and throughput of training ``model_config`` on
    ``hardware_config`` (default: one node of 8× H100-SXM-80GB) with ``training_config``
    (default: :class:`TrainingConfig()`).

    The configs are frozen dataclasses. The constructor refuses a setup that no plan could be
    priced under (a GPU without the training dtype, a global batch beyond the limits table, a
    bad framework setting ...): it builds the library's cost model for the training config at
    dp = 1, so the error names the field and value at once instead of at every ``predict``.
    """

    __slots__ = ("model_config", "hardware_config", "training_config", "calibration_result",
                 "_cluster", "_cache", "profile", "_profile_json", "settings", "_settings_reports",
                 "_default_settings_json", "_warned_uncalibrated")

    def __init__(self, model_config: ModelConfig, hardware_config: HardwareConfig | None = None,
                 training_config: TrainingConfig | None = None, auto_calibrate: bool = False,
                 profile: CalibrationProfile | str | os.PathLike[str] | None = None,
                 settings: FrameworkSettings | dict[str, Any] | None = None) -> None:
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
        if settings is not None and not isinstance(settings, FrameworkSettings):
            if not isinstance(settings, dict):
                raise TypeError("settings must be a FrameworkSettings, a dict or None, not "
                                f"{type(settings).__name__}")
            settings = FrameworkSettings.from_dict(settings)
        #: The framework settings of this job (None keys: the framework's defaults).
        self.settings: FrameworkSettings = settings or FrameworkSettings()
        # Both caches are bounded LRUs of CACHE_SIZE entries.
        self._settings_reports: _LRUCache[str, dict[str, Any]] = _LRUCache()
        self._default_settings_json: Any = _UNSET
        self._cluster: tuple[Any, int, int] | None = None
        self._cache: _LRUCache[tuple[Any, ...], Any] = _LRUCache()
        self.profile: CalibrationProfile | None = None
        self._profile_json: bytes | None = None
        self._warned_uncalibrated = False
        if profile is not None:
            self.use_profile(profile)
        self._check_setup()
        if auto_calibrate:
            self.calibrate()

    def __repr__(self) -> str:
        return (f"PDCostModel(model={self.model_config.name!r}, "
                f"gpu={self.hardware_config.gpu.name!r}, num_gpus={self.hardware_config.num_gpus})")

    # -- native plumbing ---------------------------------------------------------------------

    def _check_setup(self) -> None:
        """Builds (and caches) the native cost model of the training config at dp = 1, the
        smallest global batch: the library's plan-independent checks (TrainingSetup.validated,
        the cluster, the dtype on this GPU, the settings) run here, so a setup every later
        predict would reject fails at construction. The key equals what :meth:`predict` builds
        for a plan with dp = 1."""
        tc = self.training_config
        ratio = tc.tensorwise_offload_ratio if tc.tensorwise_offload_optimizer else 0.0
        tail = (_choice("dtype", tc.dtype, DTYPES), OPTIMIZERS[tc.optimizer],
                RECOMPUTE[tc.recompute_granularity], 0, ratio, FRAMEWORKS[tc.framework],
                self._settings_json(None))
        mbs = tc.micro_batch_size
        self._native((tc.sequence_length, mbs, mbs * tc.gradient_accumulation_steps) + tail)

    def _cluster_tuple(self) -> tuple[Any, ...]:
        hw = self.hardware_config
        g = hw.gpu
        gpu = (g.name, g.memory_gb * GIB, g.fp32_tflops * 1e12, g.tf32_tflops * 1e12,
               g.fp16_tflops * 1e12, g.bf16_tflops * 1e12, g.fp8_tflops * 1e12,
               g.hbm_gb_per_s * 1e9, g.nvlink_gb_per_s * 1e9, g.network_gb_per_s * 1e9,
               g.pcie_gb_per_s * 1e9, g.tdp_watts, g.gpus_per_node, g._native_architecture(),
               g._native_capability("supports_fp8"), g._native_capability("supports_fp4"))
        host = (hw.host_memory_gb * GIB, hw.host_memory_gb_per_s * 1e9, hw.nvme_gb_per_s * 1e9,
                float(hw.cpu_adam_params_per_s))
        return (gpu, hw.num_gpus, hw.gpus_per_node, host)

    def _native(self, setup: tuple[Any, ...], profile_json: bytes | None = None) -> Any:
        setup = setup + self.training_config._fine_tuning()
        key = setup if profile_json is None else setup + (profile_json,)
        cost_model = self._cache.get(key)
        if cost_model is None:
            if self._cluster is None:
                self._cluster = self._cluster_tuple()
            cost_model = _native.CostModel(self.model_config._model(), self._cluster, setup,
                                           profile_json)
            self._cache.put(key, cost_model)
        return cost_model

    # -- calibration profiles ------------------------------------------------------------------

    def use_profile(self, profile: CalibrationProfile | str | os.PathLike[str] | None) -> None:
        """Use ``profile`` (a :class:`~pdcost.profile.CalibrationProfile`, or the path of a
        profile JSON file) for :meth:`predict_calibrated`; None removes it. The profile is
        checked at once (:class:`~pdcost.errors.InvalidArgumentError` names an unknown constant
        or a value out of bounds). Both its ``efficiency`` overrides and its
        ``efficiency_scale`` factors apply to this model's cluster."""
        if profile is not None and not isinstance(profile, CalibrationProfile):
            if isinstance(profile, (str, os.PathLike)):
                profile = CalibrationProfile.load(profile)
            else:
                raise TypeError("profile must be a CalibrationProfile, a path or None, not "
                                f"{type(profile).__name__}")
        data = profile.to_json(indent=None).encode("utf-8") if profile is not None else None
        if data is not None:
            _native.check_profile(data)
        # Cost models built under the previous profile are dropped (uncalibrated ones stay).
        self._cache.discard_if(lambda k: bool(k) and isinstance(k[-1], bytes))
        self.profile = profile
        self._profile_json = data

    # -- predictions -------------------------------------------------------------------------

    def predict(self, parallel: ParallelConfig, micro_batch_size: int | None = None,
                seq_len: int | None = None, max_seq_len: int | None = None,
                gradient_accumulation_steps: int | None = None,
                recompute_granularity: str | None = None,
                tensorwise_offload_optimizer: bool | None = None,
                tensorwise_offload_ratio: float | None = None,
                settings: FrameworkSettings | dict[str, Any] | None = None,
                split_param: bool | None = None,
                sd_release_grads: bool | None = None,
                recompute_num_layers: int | None = None) -> PredictionResult:
        """Predict one parallel plan: step time, memory breakdown, MFU/HFU, tokens/s.

        Arguments left as None come from the ``training_config``. The global batch is
        ``micro_batch_size × gradient_accumulation_steps × parallel.dp`` sequences.
        ``max_seq_len`` (longest padded sequence) sets the memory figures; times use
        ``seq_len``. With ``tensorwise_offload_optimizer`` the share
        ``tensorwise_offload_ratio`` of the optimizer states lives in host memory.
        ``recompute_num_layers`` (with ``recompute_granularity="full"`` only): recompute N
        layers per model chunk instead of all (Megatron ``--recompute-method block
        --recompute-num-layers N``); None = all.

        Every entry of :meth:`search` predicts to the same numbers here:
        ``predict(entry.parallel, **entry.predict_options())``.

        A plan that breaks a constraint (tp not dividing the heads, GPU counts that do not add
        up, ...) raises :class:`~pdcost.errors.InfeasiblePlanError` naming it; a plan that does
        not fit in memory returns ``fits_memory=False``.

        ``settings`` overrides this model's :attr:`settings` for this call (the keys it states
        win); ``split_param`` and ``sd_release_grads`` are the PaddleFormers sharding switches
        of the same name (:class:`~pdcost.settings.FrameworkSettings`), given as the seed
        API does.

        This is the uncalibrated model (each GPU generation's default efficiencies);
        :meth:`predict_calibrated` applies the profile set with :meth:`use_profile`. When a
        profile is set, this says so once per model with a :class:`CalibrationNotAppliedWarning`
        (the search, by contrast, prices under the profile).
        """
        if self._profile_json is not None and not self._warned_uncalibrated:
            import warnings
            self._warned_uncalibrated = True
            warnings.warn("predict() prices with the default efficiencies and ignores this model's "
                          "calibration profile; predict_calibrated() applies it",
                          CalibrationNotAppliedWarning, stacklevel=2)
        return self._predict(None, parallel, micro_batch_size, seq_len, max_seq_len,
                             gradient_accumulation_steps, recompute_granularity,
                             tensorwise_offload_optimizer, tensorwise_offload_ratio,
                             settings, split_param, sd_release_grads, recompute_num_layers)

    def _settings_json(self, settings: FrameworkSettings | dict[str, Any] | None,
                       split_param: bool | None = None,
                       sd_release_grads: bool | None = None) -> str | None:
        """The JSON of this model's settings with a call's overrides (None when none is
        stated)."""
        if settings is None and split_param is None and sd_release_grads is None:
            # The common call: the model's own (frozen) settings; their JSON is kept while they
            # are the same object.
            cached = self._default_settings_json
            if cached is not _UNSET and cached[0] is self.settings:
                return cached[1]  # type: ignore[no-any-return]
            text = self.settings.to_json() if self.settings.to_dict() else None
            self._default_settings_json = (self.settings, text)
            return text
        merged = self.settings.overridden(settings)
        extra = {k: v for k, v in (("split_param", split_param),
                                   ("sd_release_grads", sd_release_grads)) if v is not None}
        if extra:
            merged = merged.overridden(extra)
        stated = merged.to_dict()
        return merged.to_json() if stated else None

    def _settings_report(self, native: Any, key: str | None) -> dict[str, Any]:
        """The library's given/defaulted settings report for a cost model, cached per
        settings JSON and framework."""
        cache_key = f"{self.training_config.framework}|{key}"
        report = self._settings_reports.get(cache_key)
        if report is None:
            report = json.loads(native.settings_json())
            self._settings_reports.put(cache_key, report)
        return report

    def _predict(self, profile_json: bytes | None, parallel: ParallelConfig,
                 micro_batch_size: int | None = None, seq_len: int | None = None,
                 max_seq_len: int | None = None, gradient_accumulation_steps: int | None = None,
                 recompute_granularity: str | None = None,
                 tensorwise_offload_optimizer: bool | None = None,
                 tensorwise_offload_ratio: float | None = None,
                 settings: FrameworkSettings | dict[str, Any] | None = None,
                 split_param: bool | None = None,
                 sd_release_grads: bool | None = None,
                 recompute_num_layers: int | None = None) -> PredictionResult:
        """:meth:`predict` under ``profile_json`` (None: the defaults)."""
        tc = self.training_config
        mbs = tc.micro_batch_size if micro_batch_size is None else micro_batch_size
        seq = tc.sequence_length if seq_len is None else seq_len
        gas = tc.gradient_accumulation_steps if gradient_accumulation_steps is None \
            else gradient_accumulation_steps
        recompute = RECOMPUTE.get(tc.recompute_granularity if recompute_granularity is None
                                  else recompute_granularity)
        if recompute is None:
            _choice("recompute_granularity", recompute_granularity, RECOMPUTE)
        if recompute_num_layers is not None:
            if type(recompute_num_layers) is not int:
                raise TypeError(f"recompute_num_layers={recompute_num_layers!r} must be an int "
                                "(None: every layer)")
            check.in_limit("recompute_num_layers", recompute_num_layers, "recompute_num_layers")
            if recompute != RECOMPUTE["full"]:
                raise ValueError(f"recompute_num_layers={recompute_num_layers} needs "
                                 "recompute_granularity='full'")
        offload = tc.tensorwise_offload_optimizer if tensorwise_offload_optimizer is None \
            else tensorwise_offload_optimizer
        if offload:
            ratio = tc.tensorwise_offload_ratio if tensorwise_offload_ratio is None \
                else tensorwise_offload_ratio
            if not 0.0 <= ratio <= 1.0:
                raise ValueError(f"tensorwise_offload_ratio={ratio!r} must be in 0..1")
        else:
            ratio = 0.0
        for name, value, limit in (("micro_batch_size", mbs, "micro_batch_size"),
                                   ("seq_len", seq, "seq_len"),
                                   ("gradient_accumulation_steps", gas, "global_batch_size")):
            if type(value) is not int:
                raise TypeError(f"{name}={value!r} must be an int in {check.limit_range(limit)}")
            check.in_limit(name, value, limit)
        p = parallel
        zero = ZERO_STAGES.get(p.sharding)
        if zero is None:
            _choice("sharding", p.sharding, ZERO_STAGES)
        plan = (p.tp, p.pp, p.vpp, p.dp, p.cp, p.ep, p.etp, int(p.sp), zero, int(p.fsdp),
                p.first_stage_layers or 0, p.last_stage_layers or 0)
        settings_json = self._settings_json(settings, split_param, sd_release_grads)
        tail = (_choice("dtype", tc.dtype, DTYPES), OPTIMIZERS[tc.optimizer], recompute,
                recompute_num_layers or 0, ratio, FRAMEWORKS[tc.framework], settings_json)
        gbs = mbs * gas * p.dp
        native = self._native((seq, mbs, gbs) + tail, profile_json)
        row = native.predict(plan)
        memory = row
        if max_seq_len is not None and max_seq_len != seq:
            if type(max_seq_len) is not int or max_seq_len < seq:
                raise ValueError(f"max_seq_len={max_seq_len!r} must be an int >= seq_len={seq}")
            memory = self._native((max_seq_len, mbs, gbs) + tail, profile_json).predict(plan)
        return result_from_rows(row, memory, p.pp, gbs, seq,
                                gpu_filled_in=self.hardware_config.gpu.filled_in,
                                settings=self._settings_report(native, settings_json),
                                host_row=native.predict_host(plan))

    def predict_calibrated(self, parallel: ParallelConfig, **options: Any) -> PredictionResult:
        """Predict one plan with the calibrated efficiency model: :meth:`predict` (same
        arguments) with the calibration profile of :meth:`use_profile` (or of the ``profile=``
        argument, or of :meth:`calibrate`) applied. Without a profile it equals :meth:`predict`.

        The seed's sequence-length threshold effect is part of this model for every prediction
        (attention runs at s/(s + s½) of its long-sequence rate); a fit to measured runs can
        move the knee s½ (``attention_half_sequence``) with the other constants.
        """
        return self._predict(self._profile_json, parallel, **options)

    # -- plan search (issue 4) ----------------------------------------------------------------

    def _with_gpus(self, total_gpus: int) -> PDCostModel:
        """This model on ``total_gpus`` GPUs of the same kind (self when it already is)."""
        if type(total_gpus) is not int or total_gpus < 1:
            raise (TypeError if type(total_gpus) is not int else ValueError)(
                f"total_gpus={total_gpus!r} must be an int >= 1")
        hw = self.hardware_config
        if total_gpus == hw.num_gpus:
            return self
        # Whole nodes of this size, or one smaller node (HardwareConfig.for_job).
        job = HardwareConfig.for_job(hw.gpu, total_gpus, hw.gpus_per_node)
        hardware = dataclasses.replace(hw, num_nodes=job.num_nodes, gpus_per_node=job.gpus_per_node)
        return PDCostModel(self.model_config, hardware, self.training_config, profile=self.profile,
                           settings=self.settings)

    def generate_search_space(self, total_gpus: int, max_tp: int = 8, max_pp: int | None = None,
                              max_ep: int | None = None, max_cp: int = 1,
                              shardings: tuple[str, ...] = ("stage1",),
                              sequence_parallel: bool = True) -> list[dict[str, Any]]:
        """The plans for ``total_gpus`` GPUs as dicts ``{"tp", "pp", "dp", "ep", "cp", "sp",
        "sharding"}`` (the seed's search space): ``tp*pp*cp*dp == total_gpus``; tp divides the
        attention heads and divides (or, for PaddleFormers, is a multiple of) the KV heads; pp
        divides the layers evenly; ep divides the experts and ``tp*cp*dp``; sharding stages
        other than "none" need dp > 1. Feed it to :meth:`rank_configurations`.
        :meth:`search` covers far more (uneven pipelines, vpp, recomputation, micro-batches)."""
        if type(total_gpus) is not int or total_gpus < 1:
            raise ValueError(f"total_gpus={total_gpus!r} must be an int >= 1")
        for name, value in (("max_tp", max_tp), ("max_pp", max_pp), ("max_ep", max_ep),
                            ("max_cp", max_cp)):
            if value is not None and (type(value) is not int or value < 1):
                raise ValueError(f"{name}={value!r} must be an int >= 1")
        for sharding in shardings:
            _choice("shardings", sharding, ZERO_STAGES)
        m = self.model_config
        heads = m.num_attention_heads
        kv = m.num_key_value_heads or heads
        mla = getattr(m, "kv_lora_rank", None) is not None
        layers = m.num_hidden_layers
        experts = m.num_experts or 0
        replicate = self.training_config.framework == "paddleformers"
        divisors = [d for d in range(1, total_gpus + 1) if total_gpus % d == 0]
        configs: list[dict[str, Any]] = []
        for tp in divisors:
            if tp > max_tp or heads % tp:
                continue
            if not mla and kv % tp and not (replicate and tp % kv == 0):
                continue
            for pp in divisors:
                if (max_pp is not None and pp > max_pp) or pp > layers or layers % pp \
                        or total_gpus % (tp * pp):
                    continue
                for cp in divisors:
                    if cp > max_cp or total_gpus % (tp * pp * cp):
                        continue
                    dp = total_gpus // (tp * pp * cp)
                    eps = [e for e in range(1, experts + 1) if experts % e == 0
                           and (max_ep is None or e <= max_ep) and (tp * cp * dp) % e == 0] \
                        if experts else [1]
                    for ep in eps:
                        for sharding in shardings:
                            if sharding != "none" and dp == 1:
                                continue
                            configs.append({"tp": tp, "pp": pp, "dp": dp, "ep": ep, "cp": cp,
                                            "sp": sequence_parallel and tp > 1,
                                            "sharding": sharding})
        return configs

    def rank_configurations(self, configs: Any, top_k: int = 5, verbose: bool = True,
                            return_rejected: bool = False, **options: Any) -> Any:
        """Predict each plan (dicts like ``{"tp": 8, "pp": 1, "dp": 1, "ep": 8, "sharding":
        "stage1"}`` or :class:`ParallelConfig`; ``options`` go to :meth:`predict`) and return
        the ``top_k`` fastest that can run as dicts ``{"rank", "throughput" (tokens/s/GPU),
        "tp", "pp", "dp", "ep", "cp", "sp", "sharding", "step_time_ms", "memory_gb", "mfu",
        "fits_memory", "config", "result"}``, best first (ties: fewer GPUs per replica, then
        less memory). With ``verbose`` a ranked report is printed.

        No configuration is dropped silently. The result is a
        :class:`~pdcost.search.RankedPlans` (a list) whose ``rejected`` holds every
        configuration not ranked as ``{"config", "parallel", "reason"}``: the library's
        message for a plan that breaks a constraint (naming the field and value, e.g.
        ``"tp=3 does not divide num_attention_heads=32"``), the message of a configuration
        that is not a valid :class:`ParallelConfig`, or ``"does not fit: needs X GiB of Y GiB
        usable"``. When nothing can run the list is empty, its ``explanation`` says why, and a
        :class:`~pdcost.search.NoPlanFitsWarning` carrying that explanation is emitted.
        With ``return_rejected=True`` the call returns the pair ``(ranked, rejected)``."""
        ranked = self._rank(configs, top_k, verbose, options)
        if not ranked:
            import warnings
            from .search import NoPlanFitsWarning
            warnings.warn(ranked.explanation or "no plan", NoPlanFitsWarning, stacklevel=2)
        return (ranked, ranked.rejected) if return_rejected else ranked

    def _rank(self, configs: Any, top_k: int, verbose: bool, options: dict[str, Any]) -> Any:
        """:meth:`rank_configurations` without the warning."""
        from .errors import PDCostError
        from .search import RankedPlans
        if type(top_k) is not int or top_k < 1:
            raise ValueError(f"top_k={top_k!r} must be an int >= 1")
        ranked: list[tuple[tuple[float, int, float, int], dict[str, Any]]] = []
        rejected: list[dict[str, Any]] = []
        infeasible = 0
        closest: tuple[float, dict[str, Any]] | None = None
        for index, config in enumerate(configs):
            parallel: ParallelConfig | None = None
            try:
                parallel = config if isinstance(config, ParallelConfig) else \
                    ParallelConfig.from_dict({k: v for k, v in dict(config).items()
                                              if k in ParallelConfig.__dataclass_fields__})
                model = self._with_gpus(parallel.num_gpus)
                r = model.predict(parallel, **options)
            except (PDCostError, ValueError) as e:
                # PDCostError: the library's message (InfeasiblePlanError names the broken
                # constraint); ValueError: a configuration that is not a valid plan.
                infeasible += 1
                rejected.append({"config": config, "parallel": parallel, "reason": str(e)})
                continue
            if not r.fits_memory:
                b = r.memory_breakdown
                miss = {"config": config, "parallel": parallel,
                        "reason": f"does not fit: needs {b.allocated_memory_gb:.1f} GiB of "
                                  f"{b.usable_memory_gb:.1f} GiB usable"}
                rejected.append(miss)
                excess = b.allocated_memory_gb - b.usable_memory_gb
                if closest is None or excess < closest[0]:
                    closest = (excess, miss)
                continue
            entry = {"throughput": r.tokens_per_second_per_gpu, "tp": parallel.tp,
                     "pp": parallel.pp, "dp": parallel.dp, "ep": parallel.ep, "cp": parallel.cp,
                     "sp": parallel.sp, "sharding": parallel.sharding,
                     "step_time_ms": r.step_time_ms, "memory_gb": r.memory_gb, "mfu": r.mfu,
                     "fits_memory": r.fits_memory, "config": parallel.to_dict(), "result": r}
            key = (-r.tokens_per_second_per_gpu, parallel.tp * parallel.pp * parallel.cp,
                   r.memory_breakdown.allocated_memory_gb, index)
            ranked.append((key, entry))
        ranked.sort(key=lambda item: item[0])
        best = [dict(e, rank=i + 1) for i, (_, e) in enumerate(ranked[:top_k])]
        explanation = None
        if not best:
            total = len(rejected)
            if total == 0:
                explanation = "no configurations to rank: the list is empty"
            else:
                oom = total - infeasible
                explanation = (f"none of the {total} configurations can run: {infeasible} "
                               f"infeasible, {oom} do not fit in memory")
                if closest is not None:
                    explanation += (f"; closest to fitting: {_describe(closest[1])} "
                                    f"{closest[1]['reason'][len('does not fit: '):]}")
                first = next((x for x in rejected if not x["reason"].startswith("does not fit")),
                             None)
                if first is not None:
                    explanation += f"; first infeasible: {_describe(first)}: {first['reason']}"
        result = RankedPlans(best, rejected, explanation)
        if verbose:
            print(f"Ranked {len(ranked)} plans that fit ({len(rejected)} infeasible or out of "
                  "memory):")
            if best:
                print(f"{'#':>3} {'tok/s/GPU':>10} {'MFU':>6} {'step ms':>10} {'mem GiB':>8}  plan")
            for e in best:
                print(f"{e['rank']:>3} {e['throughput']:>10.0f} {e['mfu']:>6.1%} "
                      f"{e['step_time_ms']:>10.1f} {e['memory_gb']:>8.1f}  tp={e['tp']} "
                      f"pp={e['pp']} dp={e['dp']} ep={e['ep']} cp={e['cp']} "
                      f"sharding={e['sharding']}")
            if explanation:
                print(f"nothing fits: {explanation}")
        return result

    def search_best_throughput(self, total_gpus: int, seq_len: int | None = None,
                               micro_batch_size: int | None = None,
                               gradient_accumulation_steps: int | None = None,
                               tensorwise_offload_optimizer: bool | None = None,
                               top_k: int = 5, max_tp: int = 8, max_pp: int | None = None,
                               verbose: bool = False) -> Any:
        """The seed's search: every plan of :meth:`generate_search_space` (all sharding
        stages) predicted with the given micro-batch size and gradient accumulation steps
        (so the global batch is ``micro_batch_size * gradient_accumulation_steps * dp``),
        out-of-memory plans dropped, the ``top_k`` fastest returned as dicts with
        ``throughput`` (tokens/s/GPU), ``tp``, ``pp``, ``dp``, ``ep``, ``cp``, ``sharding``,
        ``step_time_ms``, ``memory_gb``, ``mfu``. With tensorwise offload, plans need dp > 1
        (a sharding group). For a fixed global batch and the whole space use :meth:`search`.

        Returns a :class:`~pdcost.search.RankedPlans` as :meth:`rank_configurations` does:
        ``rejected`` lists every plan of the space that was not ranked, with the reason; an
        empty result has an ``explanation`` (also for an empty search space) and emits a
        :class:`~pdcost.search.NoPlanFitsWarning` with it."""
        shardings = ("stage1", "stage2", "stage3") if tensorwise_offload_optimizer \
            else ("none", "stage1", "stage2", "stage3")
        configs = self.generate_search_space(total_gpus, max_tp=max_tp, max_pp=max_pp,
                                             shardings=shardings)
        options: dict[str, Any] = {"seq_len": seq_len, "micro_batch_size": micro_batch_size,
                                   "gradient_accumulation_steps": gradient_accumulation_steps,
                                   "tensorwise_offload_optimizer": tensorwise_offload_optimizer}
        ranked = self._rank(configs, top_k, verbose,
                            {k: v for k, v in options.items() if v is not None})
        if not configs:
            m = self.model_config
            ranked.explanation = (
                f"the search space is empty: no tp*pp*cp*dp={total_gpus} with tp <= {max_tp} "
                f"dividing num_attention_heads={m.num_attention_heads} (and the KV heads), "
                f"pp{'' if max_pp is None else f' <= {max_pp}'} dividing "
                f"num_hidden_layers={m.num_hidden_layers}"
                + (" and dp > 1 (tensorwise offload needs a sharding group)"
                   if tensorwise_offload_optimizer else ""))
        if not ranked:
            import warnings
            from .search import NoPlanFitsWarning
            warnings.warn(ranked.explanation or "no plan", NoPlanFitsWarning, stacklevel=2)
        return ranked

    def search(self, total_gpus: int | None = None, *, seq_len: int | None = None,
               global_batch_size: int | None = None, global_batch_tokens: int | None = None,
               micro_batch_sizes: tuple[int, ...] = (1, 2, 4, 8),
               recompute: tuple[str, ...] = ("none", "selective", "full", "partial"),
               zero_stages: tuple[int, ...] | None = None,
               optimizer_offload_ratios: tuple[float, ...] = (0.0,),
               sequence_parallel: str = "on", max_tp: int | None = None,
               max_pp: int | None = None, max_vpp: int = 8, max_cp: int = 32,
               max_ep: int | None = None, max_etp: int = 1, allow_tp_across_nodes: bool = False,
               uneven_pipeline: bool = True, max_stage_layer_reduction: int = 2, top_k: int = 10,
               memory_safety_margin: float = 0.0, threads: int = 0,
               progress: Callable[[int, int], Any] | bool | None = None,
               settings: FrameworkSettings | dict[str, Any] | None = None,
               vary_settings: tuple[str, ...] = ()) -> SearchResult:
        """Search every valid plan for ``total_gpus`` GPUs (default: the hardware config's) at
        a fixed global batch (``global_batch_size`` sequences, or ``global_batch_tokens``;
        default: the training config's micro-batch × accumulation steps × GPUs) and return a
        :class:`~pdcost.search.SearchResult`: the ``top_k`` fastest plans that fit, the Pareto
        front, and counts per pruning reason. Runs in the native library on ``threads`` cores
        (0 = all) with the GIL released, under the calibration profile when one is set
        (:meth:`use_profile`, :meth:`calibrate`).

        Plans are priced under this model's :attr:`settings`, overridden by ``settings``.
        ``vary_settings`` names up to four on/off settings (from
        :data:`pdcost.settings.VARIABLE_SETTINGS`, e.g. ``("tp_comm_overlap", "cuda_graphs")``)
        to try both ways: the search runs once per combination and ranks all plans together;
        each entry's ``settings`` says which values it was priced under.

        ``progress``: a callable ``(done, total) -> bool`` (work units) called every few ms on
        this thread, returning True to stop early (the result then has
        ``stats.cancelled``); or True for a progress bar on stderr. Ctrl-C stops the search
        and raises KeyboardInterrupt.

        When no plan fits, ``results`` is empty, ``explanation`` says why (the closest plan
        and by how much it misses, or the constraint every candidate breaks) and a
        :class:`~pdcost.search.NoPlanFitsWarning` carrying it is emitted.

        Every entry predicts to the same numbers through :meth:`predict` (on ``total_gpus``
        GPUs, without a calibration profile): ``predict(e.parallel, **e.predict_options())``.
        """
        from .search import (FLAG_ALLOW_TP_ACROSS_NODES, FLAG_EVEN_PIPELINE_ONLY,
                             RECOMPUTE_CHOICES, SEQUENCE_PARALLEL, NoPlanFitsWarning,
                             SearchResult, progress_bar)
        model = self._with_gpus(self.hardware_config.num_gpus if total_gpus is None else total_gpus)
        tc = self.training_config
        seq = tc.sequence_length if seq_len is None else seq_len
        if type(seq) is not int or seq < 1:
            raise ValueError(f"seq_len={seq!r} must be an int >= 1")
        if global_batch_tokens is not None:
            if global_batch_size is not None:
                raise ValueError("give global_batch_size or global_batch_tokens, not both")
            if type(global_batch_tokens) is not int or global_batch_tokens < seq \
                    or global_batch_tokens % seq:
                raise ValueError(f"global_batch_tokens={global_batch_tokens!r} must be a "
                                 f"positive multiple of seq_len={seq}")
            global_batch_size = global_batch_tokens // seq
        if global_batch_size is None:
            global_batch_size = tc.micro_batch_size * tc.gradient_accumulation_steps \
                * model.hardware_config.num_gpus
        if type(global_batch_size) is not int or global_batch_size < 1:
            raise ValueError(f"global_batch_size={global_batch_size!r} must be an int >= 1")
        bits = 0
        for name in recompute:
            bits |= _choice("recompute", name, RECOMPUTE_CHOICES)
        zero_bits = 0
        for z in zero_stages or ():
            if type(z) is not int or not 0 <= z <= 3:
                raise ValueError(f"zero_stages: {z!r} must be 0, 1, 2 or 3")
            zero_bits |= 1 << z
        flags = (FLAG_ALLOW_TP_ACROSS_NODES if allow_tp_across_nodes else 0) \
            | (0 if uneven_pipeline else FLAG_EVEN_PIPELINE_ONLY)
        if progress is True:
            progress = progress_bar()
        elif progress is False:
            progress = None
        from .settings import VARIABLE_SETTINGS
        if isinstance(vary_settings, str):
            vary_settings = (vary_settings,)
        for key in vary_settings:
            if key not in VARIABLE_SETTINGS:
                raise ValueError(f"vary_settings: {key!r} cannot be varied; variable settings: "
                                 + ", ".join(VARIABLE_SETTINGS))
        setup = (seq, 1, global_batch_size, _choice("dtype", tc.dtype, DTYPES),
                 OPTIMIZERS[tc.optimizer], 0, 0, 0.0, FRAMEWORKS[tc.framework],
                 model._settings_json(settings))
        # A search ranks plans for the cluster as calibrated (use_profile / calibrate), if it is.
        native = model._native(setup, model._profile_json)
        text = native.search(
            max_tp=max_tp or 0, max_pp=max_pp or 0, max_vpp=max_vpp, max_cp=max_cp,
            max_ep=max_ep or 0, max_etp=max_etp, micro_batch_sizes=tuple(micro_batch_sizes),
            recompute=bits, zero_stages=zero_bits,
            sequence_parallel=_choice("sequence_parallel", sequence_parallel, SEQUENCE_PARALLEL),
            max_stage_layer_reduction=max_stage_layer_reduction,
            optimizer_offload_ratios=tuple(float(r) for r in optimizer_offload_ratios),
            top_k=top_k, threads=threads, memory_safety_margin=float(memory_safety_margin),
            flags=flags, progress=progress, vary_settings=",".join(vary_settings) or None)
        data = json.loads(text)
        if data.get("warnings"):
            # A number overflowed (written as null, pdcost.h "JSON output"): the inputs are out
            # of any range the model is meant for, so say which numbers instead of returning them.
            from .errors import InvalidArgumentError

            raise InvalidArgumentError("search: the inputs make numbers overflow: "
                                       + "; ".join(data["warnings"][:3]))
        result = SearchResult.from_native(data, seq, _prediction_from_json)
        if not result.results:
            import warnings
            warnings.warn(result.explanation or "no plan fits", NoPlanFitsWarning, stacklevel=2)
        return result

    def calibrate(self, gemm_size: int = 8192, device_id: int = 0, **options: Any) -> Any:
        """Measure the local GPU(s) and predict with the measured numbers (the seed's
        ``calibrate``): runs :meth:`pdcost.calibration.HardwareCalibrator.calibrate` (options:
        ``test_compute``, ``test_memory``, ``test_collectives``, ``verbose``, ``quick``, ...),
        stores the result in ``calibration_result``, replaces ``hardware_config.gpu`` by the
        measured GPU (``hardware_config.gpu.bf16_tflops`` is then the measured large-GEMM rate)
        and uses the efficiency profile re-expressed for it. Returns the result. Raises
        :class:`~pdcost.errors.NoDeviceError` on a machine without a usable GPU."""
        from .calibration import HardwareCalibrator
        result = HardwareCalibrator(device_id).calibrate(gemm_size=gemm_size, **options)
        hw = self.hardware_config
        self.hardware_config = result.create_hardware_config(num_nodes=hw.num_nodes,
                                                             gpus_per_node=hw.gpus_per_node)
        self.calibration_result = result
        self._cluster = None
        self._cache.clear()
        use_profile = getattr(self, "use_profile", None)
        if use_profile is not None:
            use_profile(result.calibrated_profile)
        return result


def _describe(rejected: dict[str, Any]) -> str:
    """A rejected configuration in a few words: its plan, or the configuration as given."""
    p = rejected.get("parallel")
    if p is None:
        return repr(rejected["config"])
    text = f"tp={p.tp} pp={p.pp} dp={p.dp} cp={p.cp} ep={p.ep} sharding={p.sharding}"
    if p.first_stage_layers or p.last_stage_layers:
        text += f" first_stage_layers={p.first_stage_layers} last_stage_layers={p.last_stage_layers}"
    return text


def _prediction_from_json(d: dict[str, Any], pp: int, gas: int, gbs: int,
                          seq: int) -> PredictionResult:
    """A PredictionResult from the library's prediction JSON (the field table's names)."""
    del gas  # the prediction's micro_batches says it
    row = prediction_row(d)
    host = d.get("host")
    host_row = tuple(host[name] for name in HOST_FIELDS) + (host["fits_host_memory"],) if host else None
    return result_from_rows(row, row, pp, gbs, seq, host_row=host_row)


def validate_runs(runs: str | bytes, *, text: bool = False, only_complete: bool = False,
                  profile: CalibrationProfile | str | os.PathLike[str] | None = None,
                  overrides: str | bytes | None = None) -> str:
    """Predict every record of a measured-runs document (schema ``pdcost.runs/1``, JSON text or
    bytes) and compare with what was measured.

    Returns the library's JSON report ``{"runs": [...], "summary": {metric: {"n", "mape",
    "max_abs_pct", "complete_n", "complete_mape"}}}`` (errors in percent; a statistic over no
    run is ``null``, "–" in the table), or with ``text=True`` a readable table
    (``only_complete=True`` lists only complete records). A measured value that is not positive
    and finite is not compared: its run lists it under ``"invalid"``. The GIL is released while
    the library works.

    With ``profile`` (a :class:`~pdcost.profile.CalibrationProfile` or the path of one) the
    predictions are calibrated: its ``efficiency_scale`` applies to every run, its absolute
    ``efficiency`` values to the runs on its ``generation`` (all runs when it names none).

    With ``overrides`` (JSON text or bytes of a ``pdcost.run-overrides/1`` document) the named
    runs are restated first: each entry lists run ``ids``, the ``source`` its values come from
    and ``settings`` / ``training`` / ``parallel`` values read like a run's own (a key the runs
    format lacks, an id no training run has, or a run named twice raises
    :class:`~pdcost.InvalidArgumentError` / :class:`~pdcost.ParseError` naming it). The JSON
    report's ``"overrides"`` then counts ``entries`` and restated ``runs`` (null without).

    Records with ``"kind": "inference"`` are predicted by the serving model: the JSON report's
    ``"serving"`` holds MAPE per source group and metric, the group-weighted MAPE, the skipped
    records' reasons and each run's comparisons (null when the file has none); the text report
    appends the serving MAPE table. A mixed file reports both parts.
    """
    data = runs.encode("utf-8") if isinstance(runs, str) else bytes(runs)
    if profile is not None and not isinstance(profile, CalibrationProfile):
        profile = CalibrationProfile.load(profile)
    profile_json = profile.to_json(indent=None).encode("utf-8") if profile is not None else None
    overrides_json = overrides.encode("utf-8") if isinstance(overrides, str) else overrides
    return _native.validate_runs(data, text=text, only_complete=only_complete, profile=profile_json,
                                 overrides=overrides_json)
