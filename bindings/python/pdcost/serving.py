"""Serving (inference) cost model: TTFT, TPOT, tokens/s and memory of one deployment of a model
under one load.

The one-call answer::

    import pdcost
    r = pdcost.predict_serving("llama3-70b", gpu="H100", tp=4, engine="vllm",
                               input_tokens=32768, output_tokens=256, concurrency=64)
    r.ttft_ms, r.tpot_ms, r.output_tokens_per_s, r.peak_memory_gib, r.fits_memory

or, for many deployments of one model on one kind of GPU::

    m = pdcost.ServingModel("llama3-8b", gpu="H100-SXM-80GB")
    m.predict(ServingDeployment(tp=1, engine="sglang"),
              ServingWorkload(input_tokens=1024, output_tokens=128, batch_size=8))

The library's tables are the contract: ``pdcost_serving_settings_fields_json`` (the engine
settings: :class:`ServingSettings` declares the same fields, a test keeps the two equal) and
``pdcost_serving_prediction_fields_json`` (the result: :class:`ServingPrediction` has one
attribute per row, in SI units, plus millisecond and GiB conveniences). Ranges are checked by
the library, whose message names the field and the value
(:class:`~pdcost.errors.InvalidArgumentError`, ``"serving.max_num_seqs=0 must be in [1,
1048576]"``); infeasible deployments raise :class:`~pdcost.errors.InfeasiblePlanError`.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from dataclasses import dataclass
from typing import Any, Literal, Mapping, get_args

from . import _native
from .config import GIB, GPUSpec, ModelConfig
from .errors import InvalidArgumentError

__all__ = ["ServingSettings", "ServingDeployment", "ServingWorkload", "ServingPrediction",
           "ServingModel", "predict_serving", "serving_settings_fields",
           "serving_prediction_fields", "WEIGHT_PRECISIONS", "KV_CACHE_PRECISIONS", "ENGINES",
           "SCENARIOS"]

WeightPrecision = Literal["bf16", "fp16", "fp8", "fp4", "int4_wo"]
KVCachePrecision = Literal["bf16", "fp16", "fp8"]
#: "pytorch": the eager loop of ``python -m pdcost.bench serve`` (static_batch only).
Engine = Literal["vllm", "sglang", "tensorrt-llm", "pytorch"]
Scenario = Literal["static_batch", "offline_max_throughput", "online_fixed_concurrency",
                   "online_request_rate", "burst_all_at_once"]
KVAdmission = Literal["on_demand", "reserve_full"]
SchedulerPolicy = Literal["fcfs", "priority", "lpm"]
MoERouting = Literal["uniform", "concentrated"]
FrontEnd = Literal["none", "http", "triton"]

#: The names in the order of the header's enums (pdcost_weight_precision, ...): the index is
#: the C value. A test compares them with pdcost.h.
WEIGHT_PRECISIONS: tuple[str, ...] = get_args(WeightPrecision)
KV_CACHE_PRECISIONS: tuple[str, ...] = get_args(KVCachePrecision)
ENGINES: tuple[str, ...] = get_args(Engine)
SCENARIOS: tuple[str, ...] = get_args(Scenario)


@functools.cache
def serving_settings_fields() -> tuple[dict[str, Any], ...]:
    """The library's engine-settings table: ``{"key", "type", "choices" | "minimum" /
    "maximum", "summary", "not_modelled", "defaults": {engine: value on an H100-SXM-80GB}}``."""
    return tuple(json.loads(_native.serving_settings_fields_json()))


@functools.cache
def serving_prediction_fields() -> tuple[dict[str, Any], ...]:
    """The library's prediction table ``{"name", "unit", "summary"}``, in the order of the
    extension's tuple (the doubles, then ``fits_memory`` and ``saturated``)."""
    return tuple(json.loads(_native.serving_prediction_fields_json()))


def _invalid(message: str) -> InvalidArgumentError:
    return InvalidArgumentError(message, "PDCOST_EINVAL")


def _choice(where: str, value: Any, choices: tuple[str, ...]) -> int:
    if value not in choices:
        raise _invalid(f"{where}={value!r} is not one of {', '.join(choices)}")
    return choices.index(value)


# ------------------------------------------------------------------------------------------------
# Inputs
# ------------------------------------------------------------------------------------------------


@dataclass(kw_only=True, slots=True, frozen=True)
class ServingSettings:
    """Serving-engine switches; ``None`` = the engine's own default (``pdcost serve settings``
    lists them). Types are checked here, ranges and choices by the library at predict."""

    cuda_graphs: bool | None = None
    """Decode iterations replayed as CUDA graphs (no per-kernel host launches)."""
    cuda_graph_max_batch: int | None = None
    """Largest running batch replayed from a captured graph; larger batches run eagerly."""
    chunked_prefill: bool | None = None
    """Long prompts split into chunks of at most ``max_num_batched_tokens``."""
    mixed_batching: bool | None = None
    """Prefill tokens share an iteration with the running decodes."""
    max_num_batched_tokens: int | None = None
    """Most tokens one iteration processes (prefill chunk + decodes)."""
    max_num_seqs: int | None = None
    """Most sequences running at once (max batch size)."""
    kv_block_size: int | None = None
    """Tokens per paged KV block."""
    kv_cache_max_tokens: int | None = None
    """Cap on the KV pool in tokens (TensorRT-LLM ``KvCacheConfig.max_tokens``)."""
    gpu_memory_fraction: float | None = None
    """Share of GPU memory the engine may use (TensorRT-LLM: of the memory free after the weights)."""
    custom_all_reduce: bool | None = None
    """One-shot NVLink all-reduce kernels for small TP messages instead of NCCL."""
    prefix_caching: bool | None = None
    """Prompt prefixes cached across requests (the workload's ``prefix_hit_ratio`` applies)."""
    kv_admission: KVAdmission | None = None
    """``on_demand`` (blocks as tokens arrive, preempting when full) or ``reserve_full``."""
    scheduler_policy: SchedulerPolicy | None = None
    """Waiting-queue order (accepted, not priced: equal requests reach the same steady state)."""
    moe_routing: MoERouting | None = None
    """``uniform`` (trained router) or ``concentrated`` (fake or zero weights: every token picks the same top-k)."""
    front_end: FrontEnd | None = None
    """``none`` (in-process benchmark), ``http`` (OpenAI-compatible server) or ``triton``; unset: none offline, http online."""
    engine_release: str | None = None
    """Engine release ("0.9.0", "v0.6.0"): selects that release's defaults."""

    def __post_init__(self) -> None:
        for row in serving_settings_fields():
            value = getattr(self, row["key"])
            if value is None:
                continue
            where = f"ServingSettings.{row['key']}"
            kind = row["type"]
            ok = (isinstance(value, bool) if kind == "bool"
                  else not isinstance(value, bool) and isinstance(value, int) if kind == "integer"
                  else not isinstance(value, bool) and isinstance(value, (int, float)) if kind == "number"
                  else isinstance(value, str))
            if not ok:
                raise TypeError(f"{where} must be {kind} or None, not {type(value).__name__} ({value!r})")

    def to_dict(self) -> dict[str, Any]:
        """The stated keys (None left out)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if getattr(self, f.name) is not None}

    def to_json(self) -> str:
        """The stated keys as the JSON object the library reads (``settings_json``)."""
        return json.dumps(self.to_dict(), separators=(",", ":"), allow_nan=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ServingSettings:
        """From a settings object; null values are "not stated", an unknown key raises
        :class:`~pdcost.errors.InvalidArgumentError` naming it."""
        if data is None:
            return cls()
        if isinstance(data, ServingSettings):
            return data
        if not isinstance(data, Mapping):
            raise TypeError(f"ServingSettings.from_dict expects a mapping, not {type(data).__name__}")
        names = [f.name for f in dataclasses.fields(cls)]
        for key in data:
            if key not in names:
                raise _invalid(f"serving.{key} is not a known serving setting; known: {', '.join(names)}")
        return cls(**{k: v for k, v in data.items() if v is not None})

    def overridden(self, other: ServingSettings | Mapping[str, Any] | None) -> ServingSettings:
        """These settings with every key ``other`` states taken from ``other``."""
        if other is None:
            return self
        return dataclasses.replace(self, **ServingSettings.from_dict(other).to_dict())

    def __repr__(self) -> str:
        return "ServingSettings(" + ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items()) + ")"


@dataclass(kw_only=True, slots=True, frozen=True)
class ServingDeployment:
    """How the model is deployed: one engine replica spans ``tp × pp`` GPUs (TP inside one
    node); ``replicas`` of them serve disjoint requests."""

    tp: int = 1
    pp: int = 1
    replicas: int = 1
    expert_parallel: bool = False
    """MoE experts whole on the TP ranks (EP = tp) instead of split over TP."""
    attention_data_parallel: bool = False
    """Attention replicated over the TP ranks, each with its own sequences' KV cache."""
    weight_precision: WeightPrecision = "bf16"
    kv_cache_precision: KVCachePrecision = "bf16"
    engine: Engine = "vllm"
    """vllm, sglang, tensorrt-llm, or pytorch: the eager loop of ``python -m pdcost.bench serve``
    (static batch, no CUDA graphs, contiguous KV cache; the ``static_batch`` scenario only)."""
    settings: ServingSettings = dataclasses.field(default_factory=ServingSettings)

    def __post_init__(self) -> None:
        if not isinstance(self.settings, ServingSettings):
            object.__setattr__(self, "settings", ServingSettings.from_dict(self.settings))
        for name in ("tp", "pp", "replicas"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"ServingDeployment.{name} must be int, not {type(value).__name__} ({value!r})")
        for name in ("expert_parallel", "attention_data_parallel"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"ServingDeployment.{name} must be bool")
        _choice("weight_precision", self.weight_precision, WEIGHT_PRECISIONS)
        _choice("kv_cache_precision", self.kv_cache_precision, KV_CACHE_PRECISIONS)
        _choice("engine", self.engine, ENGINES)

    @property
    def num_gpus(self) -> int:
        """tp × pp × replicas."""
        return self.tp * self.pp * self.replicas

    def _native(self) -> tuple[Any, ...]:
        settings = self.settings.to_dict()
        return (self.tp, self.pp, self.replicas, int(self.expert_parallel),
                int(self.attention_data_parallel), WEIGHT_PRECISIONS.index(self.weight_precision),
                KV_CACHE_PRECISIONS.index(self.kv_cache_precision), ENGINES.index(self.engine),
                self.settings.to_json() if settings else None)

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["settings"] = self.settings.to_dict()
        return out


@dataclass(kw_only=True, slots=True, frozen=True)
class ServingWorkload:
    """The requests: lengths and load. ``scenario`` None picks it from the load given:
    ``concurrency`` → online_fixed_concurrency, ``request_rate`` → online_request_rate,
    otherwise static_batch (``batch_size`` sequences)."""

    input_tokens: int
    output_tokens: int
    scenario: Scenario | None = None
    batch_size: int = 1
    """static_batch: sequences per replica."""
    concurrency: int | None = None
    """online_fixed_concurrency: requests in flight, whole deployment."""
    request_rate: float | None = None
    """online_request_rate: Poisson arrivals, requests/s, whole deployment."""
    num_requests: int = 0
    """burst_all_at_once (>= 1) and offline_max_throughput (0: as many as keep it busy)."""
    prefix_hit_ratio: float = 0.0
    """Share of each prompt found in the prefix cache, [0, 1)."""

    def __post_init__(self) -> None:
        if self.scenario is None:
            scenario = ("online_fixed_concurrency" if self.concurrency is not None
                        else "online_request_rate" if self.request_rate is not None
                        else "static_batch")
            object.__setattr__(self, "scenario", scenario)
        _choice("scenario", self.scenario, SCENARIOS)
        for name in ("input_tokens", "output_tokens", "batch_size", "concurrency", "num_requests"):
            value = getattr(self, name)
            if value is None and name == "concurrency":
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"ServingWorkload.{name} must be int, not {type(value).__name__} ({value!r})")
        for name in ("request_rate", "prefix_hit_ratio"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise TypeError(f"ServingWorkload.{name} must be a number, not {type(value).__name__} ({value!r})")

    def _native(self) -> tuple[Any, ...]:
        return (SCENARIOS.index(self.scenario or "static_batch"), self.input_tokens, self.output_tokens,
                self.batch_size, 1 if self.concurrency is None else self.concurrency,
                self.num_requests, 1.0 if self.request_rate is None else float(self.request_rate),
                float(self.prefix_hit_ratio))

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


# ------------------------------------------------------------------------------------------------
# Result
# ------------------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class ServingPrediction:
    """One deployment under one load, in the library's SI units (seconds, bytes per GPU,
    per-second rates); ``*_ms`` and ``*_gib`` properties convert. The attributes are the rows of
    ``pdcost_serving_prediction_fields_json`` in order (a test keeps them equal)."""

    ttft_s: float
    ttft_p90_s: float
    ttft_p99_s: float
    tpot_s: float
    itl_s: float
    e2e_s: float
    e2e_p99_s: float
    output_tokens_per_s: float
    total_tokens_per_s: float
    output_tokens_per_s_per_gpu: float
    output_tokens_per_s_per_user: float
    requests_per_s: float
    running_batch: float
    max_concurrency: float
    utilization: float
    prefill_s: float
    iteration_s: float
    iteration_compute_s: float
    iteration_memory_s: float
    iteration_communication_s: float
    iteration_overhead_s: float
    weights_bytes: float
    kv_cache_bytes: float
    kv_used_bytes: float
    activation_bytes: float
    cuda_graph_bytes: float
    runtime_bytes: float
    peak_memory_bytes: float
    kv_bytes_per_token: float
    mbu: float
    mfu: float
    num_gpus: float
    fits_memory: bool
    saturated: bool

    @classmethod
    def _from_row(cls, row: tuple[Any, ...]) -> ServingPrediction:
        return cls(**{f["name"]: value for f, value in zip(serving_prediction_fields(), row)})

    @property
    def ttft_ms(self) -> float:
        return self.ttft_s * 1e3

    @property
    def tpot_ms(self) -> float:
        return self.tpot_s * 1e3

    @property
    def itl_ms(self) -> float:
        return self.itl_s * 1e3

    @property
    def e2e_ms(self) -> float:
        return self.e2e_s * 1e3

    @property
    def peak_memory_gib(self) -> float:
        return self.peak_memory_bytes / GIB

    @property
    def memory_gib(self) -> dict[str, float]:
        """Memory per GPU in GiB: weights, kv_cache, activations, cuda_graphs, runtime (their
        sum is ``peak``), and kv_used (part of kv_cache)."""
        return {"weights": self.weights_bytes / GIB, "kv_cache": self.kv_cache_bytes / GIB,
                "activations": self.activation_bytes / GIB, "cuda_graphs": self.cuda_graph_bytes / GIB,
                "runtime": self.runtime_bytes / GIB, "peak": self.peak_memory_bytes / GIB,
                "kv_used": self.kv_used_bytes / GIB}

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def to_dataframe(self) -> Any:
        """A one-row pandas DataFrame (needs pandas)."""
        import pandas  # noqa: PLC0415 - optional dependency

        return pandas.DataFrame([self.to_dict()])

    def __repr__(self) -> str:
        return (f"ServingPrediction(ttft_ms={self.ttft_ms:.4g}, tpot_ms={self.tpot_ms:.4g}, "
                f"output_tokens_per_s={self.output_tokens_per_s:.4g}, "
                f"peak_memory_gib={self.peak_memory_gib:.4g}, fits_memory={self.fits_memory})")


# ------------------------------------------------------------------------------------------------
# Model
# ------------------------------------------------------------------------------------------------


def _gpu_tuple(g: GPUSpec) -> tuple[Any, ...]:
    return (g.name, g.memory_gb * GIB, g.fp32_tflops * 1e12, g.tf32_tflops * 1e12,
            g.fp16_tflops * 1e12, g.bf16_tflops * 1e12, g.fp8_tflops * 1e12,
            g.hbm_gb_per_s * 1e9, g.nvlink_gb_per_s * 1e9, g.network_gb_per_s * 1e9,
            g.pcie_gb_per_s * 1e9, g.tdp_watts, g.gpus_per_node, g._native_architecture(),
            g._native_capability("supports_fp8"), g._native_capability("supports_fp4"))


def _model(model: ModelConfig | str | os.PathLike[str]) -> ModelConfig:
    if isinstance(model, ModelConfig):
        return model
    if isinstance(model, os.PathLike) or (isinstance(model, str) and
                                          (model.endswith(".json") or os.sep in model)):
        return ModelConfig.from_json(os.fspath(model))
    if isinstance(model, str):
        return ModelConfig.from_name(model)
    raise TypeError(f"model must be a ModelConfig, a preset name or a config.json path, not "
                    f"{type(model).__name__}")


class ServingModel:
    """A model on one kind of GPU, priced for any deployment and workload.

    ``num_gpus`` None sizes the cluster to each deployment (tp × pp × replicas);
    ``gpus_per_node`` None takes the GPU's usual node size (capped at the cluster)."""

    def __init__(self, model: ModelConfig | str | os.PathLike[str], gpu: GPUSpec | str = "H100-SXM-80GB",
                 *, num_gpus: int | None = None, gpus_per_node: int | None = None) -> None:
        self.model_config = _model(model)
        self.gpu = gpu if isinstance(gpu, GPUSpec) else GPUSpec.from_name(gpu)
        self.num_gpus = num_gpus
        self.gpus_per_node = gpus_per_node
        self._gpu = _gpu_tuple(self.gpu)

    def _cluster(self, deployment: ServingDeployment) -> tuple[Any, int, int]:
        gpus = self.num_gpus if self.num_gpus is not None else deployment.num_gpus
        node = self.gpus_per_node if self.gpus_per_node is not None else min(self.gpu.gpus_per_node or 8, max(gpus, 1))
        return (self._gpu, gpus, node)

    def predict(self, deployment: ServingDeployment | None = None, workload: ServingWorkload | None = None,
                **workload_fields: Any) -> ServingPrediction:
        """Prices ``deployment`` (default: one GPU, vLLM, bf16) under ``workload`` (or the
        :class:`ServingWorkload` fields given as keywords)."""
        deployment = deployment or ServingDeployment()
        workload = workload or ServingWorkload(**workload_fields)
        row = _native.serving_predict(self.model_config._model(), self._cluster(deployment),
                                      deployment._native(), workload._native())
        return ServingPrediction._from_row(row)

    def predict_json(self, deployment: ServingDeployment | None = None,
                     workload: ServingWorkload | None = None, **workload_fields: Any) -> dict[str, Any]:
        """The library's document: ``{"deployment", "workload", "prediction", "settings":
        {"engine", "given", "defaulted"}}`` (numbers exact)."""
        deployment = deployment or ServingDeployment()
        workload = workload or ServingWorkload(**workload_fields)
        text = _native.serving_predict_json(self.model_config._model(), self._cluster(deployment),
                                            deployment._native(), workload._native())
        return dict(json.loads(text))

    def trace(self, deployment: ServingDeployment | None = None,
              workload: ServingWorkload | None = None, **workload_fields: Any) -> dict[str, Any]:
        """One request's life under this prediction as a Chrome/Perfetto trace-event document
        (``pdcost_serving_trace``): the wait and the prefill up to the first token, then one
        decode iteration per token with its parts; it ends at the predicted e2e latency.
        ``json.dump`` it and open it in ui.perfetto.dev."""
        deployment = deployment or ServingDeployment()
        workload = workload or ServingWorkload(**workload_fields)
        text = _native.serving_trace_json(self.model_config._model(), self._cluster(deployment),
                                          deployment._native(), workload._native())
        return dict(json.loads(text))


def predict_serving(model: ModelConfig | str | os.PathLike[str], *, gpu: GPUSpec | str = "H100-SXM-80GB",
                    num_gpus: int | None = None, gpus_per_node: int | None = None,
                    tp: int = 1, pp: int = 1, replicas: int = 1, expert_parallel: bool = False,
                    attention_data_parallel: bool = False, weight_precision: WeightPrecision = "bf16",
                    kv_cache_precision: KVCachePrecision = "bf16", engine: Engine = "vllm",
                    settings: ServingSettings | Mapping[str, Any] | None = None,
                    input_tokens: int, output_tokens: int, scenario: Scenario | None = None,
                    batch_size: int = 1, concurrency: int | None = None,
                    request_rate: float | None = None, num_requests: int = 0,
                    prefix_hit_ratio: float = 0.0) -> ServingPrediction:
    """One deployment of ``model`` (a preset name, config.json path or ModelConfig) under one
    load, in one call::

        r = predict_serving("llama3-70b", gpu="H100", tp=4, engine="vllm",
                            input_tokens=32768, output_tokens=256, concurrency=64)
        r.ttft_ms, r.tpot_ms, r.output_tokens_per_s, r.memory_gib, r.fits_memory

    The scenario follows from the load given (see :class:`ServingWorkload`)."""
    deployment = ServingDeployment(tp=tp, pp=pp, replicas=replicas, expert_parallel=expert_parallel,
                                   attention_data_parallel=attention_data_parallel,
                                   weight_precision=weight_precision, kv_cache_precision=kv_cache_precision,
                                   engine=engine, settings=ServingSettings.from_dict(settings))
    workload = ServingWorkload(input_tokens=input_tokens, output_tokens=output_tokens, scenario=scenario,
                               batch_size=batch_size, concurrency=concurrency, request_rate=request_rate,
                               num_requests=num_requests, prefix_hit_ratio=prefix_hit_ratio)
    return ServingModel(model, gpu, num_gpus=num_gpus, gpus_per_node=gpus_per_node).predict(deployment, workload)

