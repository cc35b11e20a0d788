"""Serving measurements as ``kind: "inference"`` records (shared/validation/SCHEMA.md).

Pure Python on plain numbers (tested without torch): the metric definitions of the eager
static-batch loop (serve.py) and of the client for OpenAI-compatible servers (client.py),
and the records both write. The client's metrics are defined as vLLM's serving benchmark
defines them (vllm-project/vllm benchmarks/benchmark_serving.py ``calculate_metrics`` and
benchmarks/backend_request_func.py ``async_request_openai_completions``):

* TTFT: from sending the request to the first chunk that carries text;
* ITL: the gaps between consecutive text-carrying chunks of a request (all gaps of all
  requests pooled);
* TPOT: ``(latency - ttft) / (output_len - 1)`` per request with ``output_len > 1``;
* E2E latency: from sending the request to the end of its stream (``[DONE]``);
* output throughput: all output tokens / benchmark duration (first send to last response).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import os
import statistics
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Sequence, get_args

from .. import _validate as check
from ..serving import ENGINES as _ENGINES
from ..config import GIB, ModelConfig
from .config import BenchConfig, resolve_model
from .records import _torch_minor, gpu_preset_name, model_fields

__all__ = [
    "ServeConfig", "ServeMeasurement", "RequestResult", "ClientSettings", "EAGER_FRAMEWORK",
    "static_batch_metrics", "request_metrics", "build_serve_record", "build_client_record",
    "resolve_serve_model", "serving_schema_problems", "SERVING_ENGINES",
]

#: The ``framework`` of the eager loop's records: the serving model's engine ``pytorch``
#: (Sources/PDCost/Serving/ServingEngine.swift), which prices this loop (static batch, eager
#: launches, contiguous cache, one batch in flight), so `pdcost validate` predicts GPU
#: records; CPU records (``hardware.gpu: "cpu"``) are skipped with that reason.
EAGER_FRAMEWORK = "pytorch"

#: Engines the client's records may name: the serving model's engines (pdcost.serving.ENGINES,
#: the header's order) that run behind an OpenAI-compatible server, i.e. all but the eager loop.
SERVING_ENGINES = tuple(e for e in _ENGINES if e != EAGER_FRAMEWORK)

ServeDtype = Literal["bf16", "fp16"]


@dataclass(kw_only=True, slots=True)
class ServeConfig:
    """One static-batch generation run: ``batch_size`` prompts of ``input_tokens`` per
    replica, ``output_tokens`` generated greedily; ``tp × pp × dp`` processes."""

    model: Any
    """A pdcost preset, a bench model, a config.json path or dict, or a ModelConfig."""
    num_layers: int | None = None
    batch_size: int = 1
    """Sequences per replica."""
    input_tokens: int = 128
    output_tokens: int = 128
    dtype: ServeDtype = "bf16"
    tp: int = 1
    pp: int = 1
    dp: int = 1
    """Data-parallel replicas, each with its own batch."""
    device: Literal["cuda", "cpu"] = "cuda"
    warmup_runs: int = 1
    runs: int = 3
    seed: int = 0
    name: str | None = None

    def __post_init__(self) -> None:
        check.integer(self, "num_layers", minimum=1, optional=True)
        for name in ("batch_size", "input_tokens", "output_tokens", "tp", "pp", "dp", "runs"):
            check.integer(self, name, minimum=1)
        check.integer(self, "warmup_runs", minimum=0)
        check.integer(self, "seed", minimum=0)
        check.choice(self, "dtype", get_args(ServeDtype))
        check.choice(self, "device", ("cuda", "cpu"))
        check.string(self, "name", optional=True, nonempty=True)

    @property
    def world_size(self) -> int:
        return self.tp * self.pp * self.dp

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        if isinstance(data["model"], ModelConfig):
            data["model"] = data["model"].name
        elif isinstance(data["model"], os.PathLike):
            data["model"] = os.fspath(data["model"])
        elif isinstance(data["model"], Mapping):
            data["model"] = str(data["model"].get("name") or "custom")
        return data


def resolve_serve_model(config: ServeConfig) -> ModelConfig:
    """The resolved model of a serve run (the training bench's resolution rules)."""
    return resolve_model(BenchConfig(model=config.model, num_layers=config.num_layers,
                                     device=config.device))


@dataclass(slots=True)
class ServeMeasurement:
    """What serve.py measured: per replica, per timed run, the host times at which each
    step's tokens were on the host (the start first: ``output_tokens + 1`` values)."""

    replica_step_times: Sequence[Sequence[Sequence[float]]]
    peak_allocated_bytes: int | None
    peak_reserved_bytes: int | None
    gpu_name: str
    num_gpus: int
    gpus_per_node: int
    environment: Mapping[str, str] = field(default_factory=dict)
    date: str | None = None
    tokens: Sequence[Any] | None = None
    """Per replica, the last run's generated token ids [batch][output_tokens] (a check
    that every strategy generates the same text; not written to the record)."""


def static_batch_metrics(measurement: ServeMeasurement, config: ServeConfig) -> dict[str, float]:
    """Means over replicas and runs: TTFT = first step; ITL = mean gap between the later
    steps; TPOT = (e2e - TTFT)/(output_tokens - 1) (the static-batch "token-to-token"
    latency, SCHEMA.md); e2e = the batch. Throughput per run: every replica's
    batch_size × output_tokens over the slowest replica's e2e (replicas start together),
    then the mean over runs."""
    replicas = measurement.replica_step_times
    if not replicas or not all(replicas):
        raise ValueError("static_batch_metrics: no timed runs")
    runs = len(replicas[0])
    if any(len(r) != runs for r in replicas):
        raise ValueError("static_batch_metrics: replicas timed different numbers of runs")
    out = config.output_tokens
    ttfts, itls, tpots, e2es, throughputs, totals, request_rates = [], [], [], [], [], [], []
    for run in range(runs):
        slowest = 0.0
        for replica in replicas:
            times = list(replica[run])
            if len(times) != out + 1:
                raise ValueError(f"static_batch_metrics: {len(times)} times for "
                                 f"output_tokens={out} (want {out + 1})")
            gaps = [b - a for a, b in zip(times, times[1:])]
            if any(not (g > 0) for g in gaps):
                raise ValueError(f"static_batch_metrics: step times must increase, got {times}")
            e2e = times[-1] - times[0]
            ttfts.append(gaps[0])
            itls.extend(gaps[1:])
            if out > 1:
                tpots.append((e2e - gaps[0]) / (out - 1))
            e2es.append(e2e)
            slowest = max(slowest, e2e)
        sequences = config.batch_size * len(replicas)
        throughputs.append(sequences * out / slowest)
        totals.append(sequences * (config.input_tokens + out) / slowest)
        request_rates.append(sequences / slowest)
    mean = statistics.fmean
    return {"ttft_ms": 1e3 * mean(ttfts), "itl_ms": 1e3 * mean(itls) if itls else math.nan,
            "tpot_ms": 1e3 * mean(tpots) if tpots else math.nan, "e2e_latency_ms": 1e3 * mean(e2es),
            "output_tokens_per_s": mean(throughputs), "total_tokens_per_s": mean(totals),
            "requests_per_s": mean(request_rates)}


@dataclass(slots=True)
class RequestResult:
    """One streamed request as the client saw it (perf_counter seconds)."""

    success: bool
    start: float = 0.0
    chunk_times: list[float] = field(default_factory=list)
    """Arrival of every chunk that carried text."""
    end: float = 0.0
    """Arrival of ``[DONE]`` (or the end of the stream)."""
    prompt_tokens: int = 0
    output_tokens: int | None = None
    """The server's ``usage.completion_tokens``; None when it sent no usage (then the
    number of text chunks counts)."""
    error: str = ""


def _percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy.percentile's default, as vLLM)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def request_metrics(results: Sequence[RequestResult], duration_s: float) -> dict[str, Any]:
    """vLLM's ``calculate_metrics`` over the successful requests (see the module doc)."""
    if not (duration_s > 0):
        raise ValueError(f"request_metrics: duration_s={duration_s!r} must be > 0")
    ttfts, itls, tpots, e2es, outputs, inputs = [], [], [], [], [], []
    for r in results:
        if not r.success or not r.chunk_times:
            continue
        output_len = r.output_tokens if r.output_tokens is not None else len(r.chunk_times)
        ttft = r.chunk_times[0] - r.start
        latency = r.end - r.start
        ttfts.append(ttft)
        itls.extend(b - a for a, b in zip(r.chunk_times, r.chunk_times[1:]))
        if output_len > 1:
            tpots.append((latency - ttft) / (output_len - 1))
        e2es.append(latency)
        outputs.append(output_len)
        inputs.append(r.prompt_tokens)
    completed = len(e2es)
    mean = (lambda v: 1e3 * statistics.fmean(v) if v else math.nan)
    metrics: dict[str, Any] = {
        "completed": completed, "failed": len(results) - completed,
        "duration_s": duration_s, "total_input": sum(inputs), "total_output": sum(outputs),
        "requests_per_s": completed / duration_s,
        "output_tokens_per_s": sum(outputs) / duration_s,
        "total_tokens_per_s": (sum(inputs) + sum(outputs)) / duration_s,
        "ttft_ms": mean(ttfts), "itl_ms": mean(itls), "tpot_ms": mean(tpots),
        "e2e_latency_ms": mean(e2es),
        "output_lengths": outputs,
    }
    for name, values in (("ttft", ttfts), ("itl", itls), ("tpot", tpots), ("e2e_latency", e2es)):
        metrics[f"{name}_median_ms"] = 1e3 * _percentile(values, 50) if values else math.nan
        metrics[f"{name}_p99_ms"] = 1e3 * _percentile(values, 99) if values else math.nan
    return metrics


def _num(value: float | None, digits: int = 4) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, digits)


def _parallel(tp: int, pp: int, dp: int) -> dict[str, Any]:
    return {"tp": tp, "pp": pp, "vpp": 1, "dp": dp, "cp": 1, "ep": None, "etp": None,
            "sequence_parallel": None, "zero_stage": None, "fsdp": None, "attention_dp": None}


def _training(dtype: str | None) -> dict[str, Any]:
    return {"seq_len": None, "micro_batch_size": None, "global_batch_size": None,
            "dtype": dtype, "recompute": None, "recompute_num_layers": None,
            "recompute_modules": None}


def _measured(values: Mapping[str, Any], *, input_tokens: int, output_tokens: int,
              num_gpus: int, kv: str | None) -> dict[str, Any]:
    per_gpu = values["output_tokens_per_s"] / num_gpus
    return {
        "input_tokens": input_tokens, "output_tokens": output_tokens,
        "batch_size": values.get("batch_size"), "concurrency": values.get("concurrency"),
        "request_rate": values.get("request_rate"),
        "ttft_ms": _num(values["ttft_ms"]), "itl_ms": _num(values["itl_ms"]),
        "tpot_ms": _num(values["tpot_ms"]), "e2e_latency_ms": _num(values["e2e_latency_ms"]),
        "latency_statistic": "mean",
        **{k: _num(values[k]) for k in ("ttft_p99_ms", "itl_p99_ms", "tpot_p99_ms",
                                        "e2e_latency_p99_ms") if k in values},
        "output_tokens_per_s": _num(values["output_tokens_per_s"], 3),
        "total_tokens_per_s": _num(values["total_tokens_per_s"], 3),
        "throughput_scope": "aggregate",
        "output_tokens_per_s_per_gpu": _num(per_gpu, 3),
        "requests_per_s": _num(values["requests_per_s"], 4),
        "kv_cache_dtype": kv,
        "peak_memory_gib": values.get("peak_memory_gib"),
        "peak_allocated_gib": values.get("peak_allocated_gib"),
        "peak_reserved_gib": values.get("peak_reserved_gib"),
        "tokens_per_s_per_gpu": None, "step_time_s": None,
    }


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-")


def build_serve_record(config: ServeConfig, model: ModelConfig,
                       measurement: ServeMeasurement) -> dict[str, Any]:
    """The static-batch record of an eager run (framework :data:`EAGER_FRAMEWORK`)."""
    from .. import __version__

    values = dict(static_batch_metrics(measurement, config))
    gpu = gpu_preset_name(measurement.gpu_name)
    cpu = measurement.gpu_name == "cpu"
    # The CPU run computes in fp32 (serve.py); a GPU run in the configured dtype.
    dtype = "fp32" if cpu else config.dtype
    gib = (lambda b: None if b is None else round(b / GIB, 4))
    values.update(batch_size=config.batch_size,
                  peak_allocated_gib=gib(measurement.peak_allocated_bytes),
                  peak_reserved_gib=gib(measurement.peak_reserved_bytes))
    strategy = "+".join(f"{k}{v}" for k, v in (("tp", config.tp), ("pp", config.pp),
                                               ("dp", config.dp)) if v > 1) or "single"
    date = measurement.date or _dt.date.today().isoformat()
    env = ", ".join(f"{k} {v}" for k, v in measurement.environment.items() if v)
    runs = len(measurement.replica_step_times[0])
    notes = (
        "Measured with pdcost.bench serve: static-batch greedy generation in eager PyTorch "
        "with a preallocated KV cache (random weights and prompts, "
        "F.scaled_dot_product_attention, no CUDA graphs, no paged attention, no continuous "
        "batching). Tensor parallel: Megatron column/row split with an all-reduce after "
        "o_proj and down_proj; pipeline parallel: contiguous layer ranges, hidden states "
        "sent stage to stage and sampled tokens back every step, one batch in flight. "
        f"Each step ends with the tokens on the host. {config.warmup_runs} warm-up and {runs} "
        "timed run(s); metrics are means over runs and replicas; throughput is every "
        "replica's batch over the slowest replica's latency. peak_allocated_gib / "
        "peak_reserved_gib: torch.cuda.max_memory_allocated / max_memory_reserved, maximum "
        "over ranks" + (" (not measured on the CPU: torch keeps no allocator statistics "
                        "there)" if cpu else "")
        + f"; peak_memory_gib (device total) not measured. Environment: {env or 'not recorded'}.")
    return {
        "id": config.name or "_".join([
            "serve", _slug(model.name), _slug(gpu), f"{measurement.num_gpus}g", strategy,
            f"b{config.batch_size}", f"in{config.input_tokens}", f"out{config.output_tokens}",
            dtype]),
        "source": f"pdcost.bench@{__version__} serve, {date}",
        "source_group": f"pdcost-bench-serve-{_slug(gpu)}",
        "kind": "inference",
        "model": model_fields(model),
        "hardware": {"gpu": gpu, "num_gpus": measurement.num_gpus,
                     "gpus_per_node": measurement.gpus_per_node},
        "parallel": _parallel(config.tp, config.pp, config.dp),
        "training": _training(dtype),
        "framework": EAGER_FRAMEWORK,
        "framework_version": _torch_minor(measurement.environment.get("torch")),
        "precision": {"weights": dtype, "activations": dtype, "kv_cache": dtype},
        "serving": {"scenario": "static_batch", "backend": "pdcost.bench serve (eager PyTorch)",
                    "num_requests": config.batch_size * config.dp, "input_stdev": 0,
                    "output_stdev": 0, "max_batch_size": config.batch_size,
                    "max_num_tokens": None, "cuda_graph_config": None},
        "measured": _measured(values, input_tokens=config.input_tokens,
                              output_tokens=config.output_tokens, num_gpus=measurement.num_gpus,
                              kv=dtype),
        "derived_fields": ["measured.output_tokens_per_s_per_gpu", "measured.tpot_ms"],
        "complete": not cpu,
        "notes": notes,
    }


@dataclass(kw_only=True, slots=True)
class ClientSettings:
    """What the client sent and what the user states about the server (the record's
    hardware, parallel plan and precision: a client cannot see them)."""

    url: str
    served_model: str
    model: Any
    """pdcost preset / bench model / config.json describing the served architecture."""
    framework: str = "vllm"
    framework_version: str | None = None
    gpu: str = "H100-SXM-80GB"
    num_gpus: int | None = None
    tp: int = 1
    pp: int = 1
    dp: int = 1
    weights: str = "bf16"
    kv_cache: str | None = None
    input_tokens: int = 128
    output_tokens: int = 128
    num_requests: int = 100
    concurrency: int | None = None
    request_rate: float | None = None
    endpoint: str = "/v1/completions"
    seed: int = 0
    name: str | None = None

    def __post_init__(self) -> None:
        for key in ("tp", "pp", "dp", "input_tokens", "output_tokens", "num_requests"):
            check.integer(self, key, minimum=1)
        check.integer(self, "num_gpus", minimum=1, optional=True)
        check.integer(self, "concurrency", minimum=1, optional=True)
        check.choice(self, "framework", SERVING_ENGINES)
        if self.request_rate is not None and not (isinstance(self.request_rate, (int, float))
                                                  and 0 < self.request_rate < math.inf):
            raise ValueError(f"ClientSettings.request_rate={self.request_rate!r} must be a "
                             "number > 0 (omit it for no rate limit)")
        if self.concurrency is None and self.request_rate is None:
            raise ValueError("ClientSettings: give concurrency (closed loop) or request_rate "
                             "(open loop, Poisson arrivals)")
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"ClientSettings.url={self.url!r} must start with http:// or https://")

    @property
    def scenario(self) -> str:
        return "online_request_rate" if self.request_rate is not None else "online_fixed_concurrency"


def build_client_record(settings: ClientSettings, model: ModelConfig,
                        metrics: Mapping[str, Any], *, date: str | None = None) -> dict[str, Any]:
    """The record of one client run against a server (SCHEMA.md ``online_*`` scenarios)."""
    from .. import __version__

    gpus = settings.num_gpus or settings.tp * settings.pp * settings.dp
    lengths = list(metrics.get("output_lengths") or [])
    mean_out = statistics.fmean(lengths) if lengths else float(settings.output_tokens)
    out_stdev = statistics.pstdev(lengths) if len(lengths) > 1 else 0.0
    values = dict(metrics)
    values.update(concurrency=settings.concurrency, request_rate=settings.request_rate)
    date = date or _dt.date.today().isoformat()
    load = (f"rate{settings.request_rate:g}" if settings.request_rate is not None
            else f"c{settings.concurrency}")
    complete = metrics.get("failed", 0) == 0 and out_stdev == 0 \
        and round(mean_out) == settings.output_tokens
    notes = (
        f"Measured with pdcost.bench client against {settings.url}{settings.endpoint} "
        f"(served model {settings.served_model!r}): {settings.num_requests} streamed requests "
        f"of {settings.input_tokens} random prompt token ids, max_tokens "
        f"{settings.output_tokens} with ignore_eos, "
        + (f"Poisson arrivals at {settings.request_rate:g} req/s"
           + (f" with at most {settings.concurrency} in flight" if settings.concurrency else "")
           if settings.request_rate is not None
           else f"closed loop with {settings.concurrency} requests in flight")
        + ". Metrics as vLLM benchmarks/benchmark_serving.py calculate_metrics defines them "
        "(TTFT to the first text chunk; ITL between text chunks; TPOT = (latency - TTFT)/"
        "(output_len - 1); latency to [DONE]); output length from usage.completion_tokens. "
        f"{metrics.get('completed', 0)} completed, {metrics.get('failed', 0)} failed, mean "
        f"output {mean_out:.2f} tokens (stdev {out_stdev:.2f}). Hardware, parallel plan and "
        "precision are as stated on the command line (not seen by the client).")
    return {
        "id": settings.name or "_".join([
            "client", settings.framework, _slug(model.name), _slug(settings.gpu), f"{gpus}g",
            f"tp{settings.tp}", f"in{settings.input_tokens}", f"out{settings.output_tokens}",
            load]),
        "source": f"pdcost.bench@{__version__} client, {date}",
        "source_group": f"pdcost-bench-client-{settings.framework}",
        "kind": "inference",
        "model": model_fields(model),
        "hardware": {"gpu": settings.gpu, "num_gpus": gpus, "gpus_per_node": None},
        "parallel": _parallel(settings.tp, settings.pp, settings.dp),
        "training": _training(settings.weights),
        "framework": settings.framework,
        "framework_version": settings.framework_version,
        "precision": {"weights": settings.weights, "activations": None,
                      "kv_cache": settings.kv_cache},
        "serving": {"scenario": settings.scenario, "backend": f"OpenAI-compatible {settings.endpoint}",
                    "num_requests": settings.num_requests, "input_stdev": 0,
                    "output_stdev": round(out_stdev, 4), "max_batch_size": None,
                    "max_num_tokens": None},
        "measured": _measured(values, input_tokens=settings.input_tokens,
                              output_tokens=round(mean_out), num_gpus=gpus,
                              kv=settings.kv_cache),
        "derived_fields": ["measured.output_tokens_per_s_per_gpu"],
        "complete": complete,
        "notes": notes,
    }


def serving_schema_problems(record: Mapping[str, Any]) -> list[str]:
    """What keeps an inference record from following SCHEMA.md; [] if nothing."""
    problems = []
    for key in ("id", "source", "kind", "model", "hardware", "parallel", "framework",
                "precision", "serving", "measured", "derived_fields", "complete", "notes"):
        if key not in record:
            problems.append(f"{key}: missing")
    if record.get("kind") != "inference":
        problems.append(f"kind={record.get('kind')!r}: must be 'inference'")
    serving = record.get("serving") or {}
    if serving.get("scenario") not in ("static_batch", "online_request_rate",
                                       "online_fixed_concurrency"):
        problems.append(f"serving.scenario={serving.get('scenario')!r}")
    measured = record.get("measured") or {}
    for key in ("input_tokens", "output_tokens", "ttft_ms", "itl_ms", "tpot_ms",
                "e2e_latency_ms", "output_tokens_per_s", "output_tokens_per_s_per_gpu"):
        if key not in measured:
            problems.append(f"measured.{key}: missing")
        elif measured[key] is not None and (isinstance(measured[key], bool)
                                            or not isinstance(measured[key], (int, float))
                                            or measured[key] < 0):
            problems.append(f"measured.{key}={measured[key]!r}: must be a number >= 0 or null")
    return problems
