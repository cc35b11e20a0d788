"""Serving deployment search: which GPUs, which TP/PP/replicas, engine and precisions serve a
model under a load and latency targets, in one call::

    import pdcost
    r = pdcost.search_serving("llama3-70b", gpu="H100", max_gpus=64, input_tokens=32768,
                              output_tokens=256, concurrency=64, max_ttft_ms=200)
    r.best                # the top deployment, or None (then r.explanation and r.closest say why)
    r.top, r.pareto       # ranked entries; the tokens/s/GPU vs tokens/s/user front
    r.stats.pruned        # {reason: candidates dropped}
    r.to_dataframe()      # pandas, imported on demand

The load decides what is searched: ``concurrency`` (requests in flight, whole deployment) or
``batch_size`` (per replica) are kept as given and the replica count varies; ``request_rate``
fixes the arrivals; with none of them the batch or concurrency per replica is swept (powers of
two up to ``max_batch``), tracing the throughput/latency front. The library runs the search
(``pdcost_serving_search_run``) with the GIL released; the result is immutable.
"""

from __future__ import annotations

import json
import math
import os
import types
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Literal, Mapping

from . import _native
from .config import GPUSpec, ModelConfig
from .serving import (
    ENGINES,
    KV_CACHE_PRECISIONS,
    SCENARIOS,
    WEIGHT_PRECISIONS,
    Engine,
    KVCachePrecision,
    Scenario,
    ServingDeployment,
    ServingPrediction,
    ServingSettings,
    ServingWorkload,
    WeightPrecision,
    _gpu_tuple,
    _model,
)

__all__ = ["search_serving", "ServingSearchResult", "ServingSearchEntry", "ServingSearchStats",
           "PERCENTILES", "SERVING_PRUNE_REASONS"]

Percentile = Literal["p50", "p90", "p99"]
#: Index = pdcost_serving_percentile.
PERCENTILES: tuple[str, ...] = ("p50", "p90", "p99")
#: Index = pdcost_serving_prune_reason (names as in the JSON and in stats.pruned).
SERVING_PRUNE_REASONS: tuple[str, ...] = (
    "tp_across_nodes", "tp_attention_heads", "tp_kv_heads", "pp_layers", "attention_dp_tp1",
    "ep_experts", "precision_unsupported", "deployment_invalid", "weights_memory", "kv_capacity",
    "pd_split", "saturated", "ttft_target", "tpot_target", "no_prediction")


def _number(x: Any) -> float:
    return math.nan if x is None else float(x)


def _deployment(d: Mapping[str, Any]) -> ServingDeployment:
    return ServingDeployment(tp=int(d["tp"]), pp=int(d["pp"]), replicas=int(d["replicas"]),
                             expert_parallel=bool(d["expert_parallel"]),
                             attention_data_parallel=bool(d["attention_data_parallel"]),
                             weight_precision=d["weight_precision"], kv_cache_precision=d["kv_cache_precision"],
                             engine=d["engine"], settings=ServingSettings.from_dict(d.get("settings") or {}))


@dataclass(slots=True, frozen=True)
class ServingSearchEntry:
    """One priced point: the deployment (aggregated; or the decode pool, with
    ``prefill_pool``, when disaggregated), the load priced and its prediction."""

    rank: int | None
    architecture: Literal["aggregated", "disaggregated"]
    deployment: ServingDeployment
    prefill_pool: ServingDeployment | None
    batch_per_replica: int
    """The swept batch/concurrency per replica (or decode batch); 0 when the load is fixed."""
    num_gpus: int
    workload: ServingWorkload
    prediction: ServingPrediction
    disaggregation: Mapping[str, float] | None

    @classmethod
    def _from_json(cls, e: Mapping[str, Any]) -> ServingSearchEntry:
        w = e["workload"]
        workload = ServingWorkload(input_tokens=int(w["input_tokens"]), output_tokens=int(w["output_tokens"]),
                                   scenario=w["scenario"], batch_size=int(w["batch_size"]),
                                   concurrency=int(w["concurrency"]), request_rate=_number(w["request_rate"]),
                                   num_requests=int(w["num_requests"]),
                                   prefix_hit_ratio=_number(w["prefix_hit_ratio"]))
        p = e["prediction"]
        prediction = ServingPrediction(**{name: (bool(v) if name in ("fits_memory", "saturated") else _number(v))
                                          for name, v in p.items()
                                          if name in ServingPrediction.__dataclass_fields__})
        dis = e.get("disaggregation")
        return cls(rank=e.get("rank"), architecture=e["architecture"], deployment=_deployment(e["deployment"]),
                   prefill_pool=_deployment(e["prefill_pool"]) if e.get("prefill_pool") else None,
                   batch_per_replica=int(e["batch_per_replica"]), num_gpus=int(e["num_gpus"]),
                   workload=workload, prediction=prediction,
                   disaggregation=types.MappingProxyType({k: _number(v) for k, v in dis.items()}) if dis else None)

    # Conveniences for the questions people ask first.
    @property
    def tp(self) -> int:
        return self.deployment.tp

    @property
    def pp(self) -> int:
        return self.deployment.pp

    @property
    def replicas(self) -> int:
        return self.deployment.replicas

    @property
    def engine(self) -> str:
        return self.deployment.engine

    @property
    def ttft_ms(self) -> float:
        return self.prediction.ttft_ms

    @property
    def tpot_ms(self) -> float:
        return self.prediction.tpot_ms

    @property
    def output_tokens_per_s_per_gpu(self) -> float:
        return self.prediction.output_tokens_per_s_per_gpu

    def ttft_at(self, percentile: Percentile) -> float:
        """TTFT in seconds at a target percentile (p50 reads the mean, as the library does)."""
        p = self.prediction
        return {"p50": p.ttft_s, "p90": p.ttft_p90_s, "p99": p.ttft_p99_s}[percentile]

    def to_dict(self) -> dict[str, Any]:
        """A flat row: rank, layout, load, and every prediction field."""
        d = self.deployment
        row: dict[str, Any] = {
            "rank": self.rank, "architecture": self.architecture, "num_gpus": self.num_gpus,
            "tp": d.tp, "pp": d.pp, "replicas": d.replicas, "expert_parallel": d.expert_parallel,
            "attention_data_parallel": d.attention_data_parallel, "engine": d.engine,
            "weight_precision": d.weight_precision, "kv_cache_precision": d.kv_cache_precision,
            "prefill_tp": self.prefill_pool.tp if self.prefill_pool else None,
            "prefill_pp": self.prefill_pool.pp if self.prefill_pool else None,
            "prefill_replicas": self.prefill_pool.replicas if self.prefill_pool else None,
            "batch_per_replica": self.batch_per_replica, "concurrency": self.workload.concurrency,
        }
        row.update(self.prediction.to_dict())
        return row

    def describe(self) -> str:
        d = self.deployment
        text = (f"tp={d.tp} pp={d.pp} replicas={d.replicas}" + (" ep" if d.expert_parallel else "")
                + (" attention-dp" if d.attention_data_parallel else ""))
        if self.prefill_pool is not None:
            q = self.prefill_pool
            text = f"prefill tp={q.tp} pp={q.pp} x{q.replicas} + decode " + text
        return f"{text} ({self.num_gpus} GPUs) {d.engine} {d.weight_precision}/{d.kv_cache_precision}"

    def __repr__(self) -> str:
        return (f"ServingSearchEntry({self.describe()}, ttft_ms={self.ttft_ms:.4g}, tpot_ms={self.tpot_ms:.4g}, "
                f"tok/s/GPU={self.output_tokens_per_s_per_gpu:.4g})")


@dataclass(slots=True, frozen=True)
class ServingSearchStats:
    enumerated: int
    evaluated: int
    feasible: int
    feasible_disaggregated: int
    pruned: Mapping[str, int]
    """Candidates dropped per reason (SERVING_PRUNE_REASONS names); zero counts left out."""
    layouts: int
    elapsed_s: float
    threads: int
    work_units: int
    work_units_done: int
    cancelled: bool


@dataclass(slots=True, frozen=True)
class ServingSearchResult:
    """What :func:`search_serving` found. Immutable."""

    top: tuple[ServingSearchEntry, ...]
    """Feasible points (fit, meet every target), best first by output tokens/s/GPU."""
    pareto: tuple[ServingSearchEntry, ...]
    """Tokens/s/GPU against tokens/s/user: no feasible point beats one of these on both."""
    closest: ServingSearchEntry | None
    """Of the points that fit but miss a target, the one missing by the least."""
    closest_miss: float | None
    """How far ``closest`` misses: achieved / target (largest over the targets)."""
    stats: ServingSearchStats
    budget_gpus: int
    targets: Mapping[str, Any]
    explanation: str | None
    """Why nothing is ranked (the pruned counts and the closest point); None otherwise."""
    json: str
    """The library's document (pdcost_serving_search_result_to_json)."""

    @classmethod
    def _from_json(cls, text: str) -> ServingSearchResult:
        doc = json.loads(text)
        s = doc["stats"]
        stats = ServingSearchStats(
            enumerated=int(s["enumerated"]), evaluated=int(s["evaluated"]), feasible=int(s["feasible"]),
            feasible_disaggregated=int(s["feasible_disaggregated"]),
            pruned=types.MappingProxyType({k: int(v) for k, v in s["pruned"].items()}),
            layouts=int(s["layouts"]), elapsed_s=_number(s["elapsed_s"]), threads=int(s["threads"]),
            work_units=int(s["work_units"]), work_units_done=int(s["work_units_done"]),
            cancelled=bool(s["cancelled"]))
        closest = doc.get("closest")
        return cls(top=tuple(ServingSearchEntry._from_json(e) for e in doc["results"]),
                   pareto=tuple(ServingSearchEntry._from_json(e) for e in doc["pareto"]),
                   closest=ServingSearchEntry._from_json(closest) if closest else None,
                   closest_miss=doc.get("closest_miss"), stats=stats, budget_gpus=int(doc["budget_gpus"]),
                   targets=types.MappingProxyType(dict(doc.get("targets") or {})),
                   explanation=doc.get("explanation"), json=text)

    @property
    def best(self) -> ServingSearchEntry | None:
        """The top-ranked deployment, or None when nothing fits and meets the targets."""
        return self.top[0] if self.top else None

    def __bool__(self) -> bool:
        return bool(self.top)

    def __len__(self) -> int:
        return len(self.top)

    def __iter__(self) -> Any:
        return iter(self.top)

    def to_dict(self) -> dict[str, Any]:
        return dict(json.loads(self.json))

    def to_dataframe(self, which: Literal["top", "pareto"] = "top") -> Any:
        """The ranked entries (or the Pareto front) as a pandas DataFrame, one row each (needs
        pandas, imported here)."""
        import pandas  # noqa: PLC0415 - optional dependency

        entries = self.top if which == "top" else self.pareto
        return pandas.DataFrame([e.to_dict() for e in entries])


def _enum_list(name: str, values: Iterable[str] | None, choices: tuple[str, ...]) -> tuple[int, ...] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    out = []
    for v in values:
        if v not in choices:
            raise ValueError(f"{name}: {v!r} must be one of " + ", ".join(repr(c) for c in choices))
        out.append(choices.index(v))
    return tuple(out)


def _seconds(name: str, ms: float | None) -> float:
    if ms is None:
        return 0.0
    if isinstance(ms, bool) or not isinstance(ms, (int, float)) or not math.isfinite(ms) or ms <= 0:
        raise ValueError(f"{name}={ms!r} must be a finite number of milliseconds > 0")
    return float(ms) / 1e3


def search_serving(model: ModelConfig | str | os.PathLike[str], *, gpu: GPUSpec | str = "H100-SXM-80GB",
                   num_gpus: int | None = None, max_gpus: int | None = None, gpus_per_node: int | None = None,
                   input_tokens: int, output_tokens: int, scenario: Scenario | None = None,
                   concurrency: int | None = None, batch_size: int | None = None,
                   request_rate: float | None = None, num_requests: int = 0, prefix_hit_ratio: float = 0.0,
                   max_ttft_ms: float | None = None, max_tpot_ms: float | None = None,
                   percentile: Percentile = "p50", engines: Iterable[Engine] | None = None,
                   weight_precisions: Iterable[WeightPrecision] | None = None,
                   kv_cache_precisions: Iterable[KVCachePrecision] | None = None,
                   max_tp: int | None = None, max_pp: int | None = None, max_batch: int | None = None,
                   try_expert_parallel: bool = True, try_attention_data_parallel: bool = True,
                   disaggregated: bool = False, settings: ServingSettings | Mapping[str, Any] | None = None,
                   top_k: int = 10, threads: int = 0,
                   progress: Callable[[str, int, int], Any] | None = None) -> ServingSearchResult:
    """Searches the deployments of ``model`` (a preset name, config.json path or ModelConfig)
    on up to ``max_gpus`` GPUs of kind ``gpu`` and ranks those that fit and meet the targets.

    GPUs: ``num_gpus`` is the cluster, ``max_gpus`` the budget (each defaults to the other,
    both to one node). The load: ``concurrency`` (requests in flight, whole deployment) or
    ``batch_size`` (static batch, per replica) are kept and the replicas vary; ``request_rate``
    (req/s) fixes the arrivals; with none of them the load per replica is swept up to
    ``max_batch`` (default 1024) under ``scenario`` (default online_fixed_concurrency).
    Targets: ``max_ttft_ms`` at ``percentile`` ("p50" reads the mean TTFT) and
    ``max_tpot_ms``; every ranked entry meets both. ``engines`` defaults to vllm, sglang and
    tensorrt-llm; "pytorch" (the eager bench loop) is tried only when named, and only for
    static_batch. Nothing meeting the targets is not an error:
    ``result.best`` is None, ``result.explanation`` counts the pruned candidates per reason
    and names ``result.closest``.

    ``progress(stage, done, total)`` is called on this thread every few ms ("aggregated", then
    "disaggregated"); returning True stops the search, which returns what it found so far
    (``stats.cancelled``). An exception raised in it (Ctrl-C too) propagates.
    """
    if max_gpus is None and num_gpus is None:
        g = gpu if isinstance(gpu, GPUSpec) else GPUSpec.from_name(gpu)
        num_gpus = max_gpus = g.gpus_per_node or 8
    elif num_gpus is None:
        num_gpus = max_gpus
    elif max_gpus is None:
        max_gpus = num_gpus
    g = gpu if isinstance(gpu, GPUSpec) else GPUSpec.from_name(gpu)
    assert num_gpus is not None and max_gpus is not None
    node = gpus_per_node if gpus_per_node is not None else min(g.gpus_per_node or 8, max(num_gpus, 1))
    fixed = concurrency is not None or batch_size is not None
    if scenario is None and not fixed and request_rate is None:
        scenario = "online_fixed_concurrency"
    workload = ServingWorkload(input_tokens=input_tokens, output_tokens=output_tokens, scenario=scenario,
                               batch_size=1 if batch_size is None else batch_size, concurrency=concurrency,
                               request_rate=request_rate, num_requests=num_requests,
                               prefix_hit_ratio=prefix_hit_ratio)
    if percentile not in PERCENTILES:
        raise ValueError(f"percentile={percentile!r} must be one of " + ", ".join(map(repr, PERCENTILES)))
    engine_bits = 0
    for index in _enum_list("engines", engines, ENGINES) or ():
        engine_bits |= 1 << index
    chosen = ServingSettings.from_dict(settings) if not isinstance(settings, ServingSettings) else settings
    options = (int(max_gpus), max_batch or 0, 0 if fixed else 1, PERCENTILES.index(percentile),
               _seconds("max_ttft_ms", max_ttft_ms), _seconds("max_tpot_ms", max_tpot_ms), engine_bits,
               _enum_list("weight_precisions", weight_precisions, WEIGHT_PRECISIONS),
               _enum_list("kv_cache_precisions", kv_cache_precisions, KV_CACHE_PRECISIONS),
               max_tp or 0, max_pp or 0, int(bool(try_expert_parallel)), int(bool(try_attention_data_parallel)),
               int(bool(disaggregated)), top_k, threads)
    text = _native.serving_search(_model(model)._model(), (_gpu_tuple(g), int(num_gpus), int(node)),
                                  workload._native(), options,
                                  chosen.to_json() if chosen.to_dict() else None, progress)
    return ServingSearchResult._from_json(text)
