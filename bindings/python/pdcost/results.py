"""Prediction results: immutable, named, built from the library's field table.

The library lists a prediction's fields once (``pdcost_prediction_fields_json``: names, units,
struct order); :func:`prediction_fields` reads that table and :func:`prediction_values` turns
the extension's tuple into ``{name: value}`` with it, so no field index is written here. The
Python types keep the names users of the original pdcost know (milliseconds and GiB:
``step_time_ms``, ``memory_breakdown.allocated_memory_gb``); :data:`PYTHON_NAMES` maps every
library field onto them, and a test checks that it covers the table exactly.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import operator
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from . import _native
from .config import GIB, FilledField

__all__ = ["MemoryBreakdown", "PredictionResult", "COMM_KINDS", "prediction_fields",
           "prediction_values", "prediction_row", "result_from_rows", "PYTHON_NAMES"]

#: Communication kinds, in the order of pdcost_comm_kind.
COMM_KINDS = ("tp", "cp", "ep", "pp", "dp")

#: Library field → (Python attribute, scale from the library's SI unit, where it lives:
#: "result" = PredictionResult, "memory" = MemoryBreakdown).
PYTHON_NAMES: dict[str, tuple[str, float, str]] = {
    "step_time_s": ("step_time_ms", 1e3, "result"),
    "compute_time_s": ("compute_time_ms", 1e3, "result"),
    "bubble_time_s": ("bubble_time_ms", 1e3, "result"),
    "recompute_time_s": ("recompute_time_ms", 1e3, "result"),
    "optimizer_time_s": ("optimizer_time_ms", 1e3, "result"),
    "offload_time_s": ("offload_time_ms", 1e3, "result"),
    "host_overhead_time_s": ("host_overhead_time_ms", 1e3, "result"),
    "comm_exposed_s": ("comm_exposed_ms", 1e3, "result"),
    "comm_overlapped_s": ("comm_overlapped_ms", 1e3, "result"),
    "total_comm_time_s": ("total_comm_time_ms", 1e3, "result"),
    "exposed_comm_time_s": ("exposed_comm_time_ms", 1e3, "result"),
    "mfu": ("mfu", 1.0, "result"),
    "hfu": ("hfu", 1.0, "result"),
    "tokens_per_second": ("tokens_per_second", 1.0, "result"),
    "tokens_per_second_per_gpu": ("tokens_per_second_per_gpu", 1.0, "result"),
    "micro_batches": ("gradient_accumulation_steps", 1.0, "result"),
    "parameter_bytes": ("parameter_memory_gb", 1 / GIB, "memory"),
    "gradient_bytes": ("gradient_memory_gb", 1 / GIB, "memory"),
    "optimizer_bytes": ("optimizer_memory_gb", 1 / GIB, "memory"),
    "activation_bytes": ("activation_memory_gb", 1 / GIB, "memory"),
    "communication_buffer_bytes": ("communication_buffer_gb", 1 / GIB, "memory"),
    "temporary_buffer_bytes": ("temporary_buffer_gb", 1 / GIB, "memory"),
    "framework_overhead_bytes": ("framework_overhead_gb", 1 / GIB, "memory"),
    "allocated_bytes": ("allocated_memory_gb", 1 / GIB, "memory"),
    "reserved_bytes": ("reserved_memory_gb", 1 / GIB, "memory"),
    "activation_buffer_pool_bytes": ("activation_buffer_pool_gb", 1 / GIB, "memory"),
    "total_bytes": ("total_memory_gb", 1 / GIB, "memory"),
    "usable_memory_bytes": ("usable_memory_gb", 1 / GIB, "memory"),
    "first_stage_allocated_bytes": ("first_stage_allocated_gb", 1 / GIB, "memory"),
    "first_stage_reserved_bytes": ("first_stage_reserved_gb", 1 / GIB, "memory"),
    "last_stage_allocated_bytes": ("last_stage_allocated_gb", 1 / GIB, "memory"),
    "last_stage_reserved_bytes": ("last_stage_reserved_gb", 1 / GIB, "memory"),
    "peak_stage": ("peak_stage", 1.0, "memory"),
    "fits_memory": ("fits_memory", 1.0, "result"),
}


@functools.cache
def prediction_fields() -> tuple[dict[str, Any], ...]:
    """The library's table: ``{"name", "unit", "kind", "count", "summary"}`` per field, in the
    order of the extension's prediction tuple."""
    return tuple(json.loads(_native.prediction_fields_json()))


def prediction_values(row: tuple[Any, ...]) -> dict[str, Any]:
    """The extension's prediction tuple as ``{library name: value}`` (arrays as per-kind
    dicts), read through the table."""
    values: dict[str, Any] = {}
    index = 0
    for field in prediction_fields():
        count = field["count"]
        if count == 1:
            values[field["name"]] = row[index]
        else:
            values[field["name"]] = dict(zip(COMM_KINDS, row[index:index + count]))
        index += count
    return values


def _short(value: float) -> str:
    return f"{value:.4g}"


@dataclass(slots=True, frozen=True)
class MemoryBreakdown:
    """Memory per GPU of the pipeline stage with the highest peak, in GiB (2**30 bytes).

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
    """What the caching allocator can use on this GPU."""
    first_stage_allocated_gb: float
    first_stage_reserved_gb: float
    last_stage_allocated_gb: float
    last_stage_reserved_gb: float
    peak_stage: int
    """0-based pipeline stage these figures are for (the one with the highest peak)."""
    num_stages: int
    """Pipeline stages (pp)."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def __repr__(self) -> str:
        return (f"MemoryBreakdown(allocated_memory_gb={_short(self.allocated_memory_gb)}, "
                f"reserved_memory_gb={_short(self.reserved_memory_gb)}, "
                f"usable_memory_gb={_short(self.usable_memory_gb)}, peak_stage={self.peak_stage})")


@dataclass(slots=True, frozen=True)
class PredictionResult:
    """One plan's predicted step: times in ms, memory in GiB, throughput in tokens/s.

    ``fits_memory``: the highest allocated peak over the pipeline stages is at most the usable
    memory (the caching allocator frees its cache and retries before it reports out of memory,
    so what must be live decides, not what it holds). ``compute_efficiency`` is the share of
    the dtype's peak FLOP/s achieved while computing: hardware FLOPs / (compute_time × peak) =
    ``hfu × step_time / compute_time``. MFU and HFU are over the whole step (MFU counts model
    FLOPs without recomputation; HFU with it).
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
    host_overhead_time_ms: float
    """Host work not hidden under GPU work."""
    comm_exposed_ms: Mapping[str, float]
    """Exposed communication per kind: tp, cp, ep, pp, dp (DP includes ZeRO/FSDP gathers)."""
    comm_overlapped_ms: Mapping[str, float]
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
    gpu_filled_in: tuple[FilledField, ...] = ()
    """The GPU values that were completed because the GPUSpec left them unknown
    (``hardware_config.gpu.filled_in``); empty for a preset or a fully stated GPU."""
    settings: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """The framework settings priced under: ``{"framework", "given": {stated keys},
    "defaulted": {every other key: the framework default used, or None}}``."""
    host_memory_gb: float = 0.0
    """Host memory per node the offloaded model states need (optimizer states, fp32 gradients,
    offloaded parameters, pinned buffers), GiB: DeepSpeed's estimators print this × 1.5.
    ``fits_memory`` also requires it to fit the host (``HardwareConfig.host_memory_gb``)."""
    host: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """The host side of the step as the library names it (pdcost.h
    ``pdcost_host_prediction``, SI units): host memory per node and capacity, gradient copies,
    CPU Adam, parameter copies, NVMe traffic, parameter fetches; ``fits_host_memory``."""

    def _repr_html_(self) -> str:
        """The main figures as an HTML table (Jupyter)."""
        m = self.memory_breakdown
        rows = [("step", f"{self.step_time_ms:,.1f} ms"),
                ("tokens/s/GPU", f"{self.tokens_per_second_per_gpu:,.0f}"),
                ("MFU / HFU", f"{self.mfu:.1%} / {self.hfu:.1%}"),
                ("compute", f"{self.compute_time_ms:,.1f} ms"),
                ("pipeline bubble", f"{self.bubble_time_ms:,.1f} ms"),
                ("exposed communication", ", ".join(f"{k} {v:,.1f} ms" for k, v in self.comm_exposed_ms.items() if v)
                 or "none"),
                ("optimizer", f"{self.optimizer_time_ms:,.1f} ms"),
                ("allocated / reserved", f"{m.allocated_memory_gb:.1f} / {m.reserved_memory_gb:.1f} GiB"),
                ("fits", "yes" if self.fits_memory else "no")]
        return _html_table("pdcost prediction", None, rows)

    def trace(self, parallel: Any) -> dict[str, Any]:
        """This step as a Chrome/Perfetto trace-event document (:mod:`pdcost.trace`) for the
        plan it was predicted for; ``json.dump`` it and open it in ui.perfetto.dev."""
        from .trace import training_trace
        return training_trace(self, parallel)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (the breakdown as a nested dict)."""
        result: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "gpu_filled_in":
                value = [dataclasses.asdict(v) for v in value]
            elif isinstance(value, MemoryBreakdown):
                value = value.to_dict()
            elif isinstance(value, Mapping):
                value = json.loads(json.dumps(value))
            result[f.name] = value
        return result

    def to_dataframe(self) -> Any:
        """A one-row pandas DataFrame of the flattened result (``memory.*``, ``comm_exposed.*``
        columns). Needs pandas (``pip install pandas``)."""
        return _dataframe([_flat(self.to_dict())])

    def __repr__(self) -> str:
        return (f"PredictionResult(step_time_ms={_short(self.step_time_ms)}, "
                f"tokens_per_second_per_gpu={_short(self.tokens_per_second_per_gpu)}, "
                f"mfu={_short(self.mfu)}, memory_gb={_short(self.memory_gb)}, "
                f"fits_memory={self.fits_memory})")


@functools.cache
def _conversion_plan() -> tuple[tuple[str, str, float, bool, int], ...]:
    """Per library field: (name, Python attribute, scale, from the memory source, kind) with
    kind 0 = number, 1 = int, 2 = bool, 3 = per-kind dict; built once from the table."""
    counts = {f["name"]: f["count"] for f in prediction_fields()}
    plan = []
    for name, (attribute, scale, where) in PYTHON_NAMES.items():
        kind = 2 if name == "fits_memory" else 1 if name in ("peak_stage", "micro_batches") \
            else 3 if counts.get(name, 1) > 1 else 0
        plan.append((name, attribute, scale, where == "memory" or name == "fits_memory", kind))
    return tuple(plan)


class _RowPlan:
    """Where each Python attribute comes from in the extension's tuple, grouped so one
    C-level `itemgetter` + `map(mul)` pass converts each group (the hot path of predict)."""

    def __init__(self) -> None:
        start: dict[str, tuple[int, int]] = {}
        index = 0
        for f in prediction_fields():
            start[f["name"]] = (index, f["count"])
            index += f["count"]
        groups: dict[tuple[bool, int], list[tuple[int, int, str, float]]] = {}
        for name, attribute, scale, from_memory, kind in _conversion_plan():
            groups.setdefault((from_memory, kind), []).append((*start[name], attribute, scale))

        def numbers(entries: list[tuple[int, int, str, float]]) -> tuple[Any, tuple[str, ...], tuple[float, ...]]:
            getter = operator.itemgetter(*(e[0] for e in entries))
            return getter, tuple(e[2] for e in entries), tuple(e[3] for e in entries)

        self.result_numbers = numbers(groups[(False, 0)])
        self.memory_numbers = numbers(groups[(True, 0)])
        self.result_ints = [(e[0], e[2]) for e in groups.get((False, 1), [])]
        self.memory_ints = [(e[0], e[2]) for e in groups.get((True, 1), [])]
        self.flags = [(e[0], e[2]) for e in groups.get((True, 2), []) + groups.get((False, 2), [])]
        self.dicts = [(e[0], e[1], e[2], e[3]) for e in groups.get((False, 3), [])]


@functools.cache
def _row_plan() -> _RowPlan:
    return _RowPlan()


#: The names of pdcost_host_prediction's doubles, in order (the prediction JSON's "host").
HOST_FIELDS = ("host_memory_per_node_bytes", "host_memory_capacity_bytes", "gradient_copy_exposed_s",
               "gradient_copy_overlapped_s", "cpu_optimizer_s", "parameter_copy_s", "nvme_optimizer_s",
               "parameter_fetch_exposed_s", "parameter_fetch_overlapped_s")


def host_values(host_row: tuple[Any, ...] | None) -> dict[str, Any]:
    """The extension's host tuple (:data:`HOST_FIELDS`, then fits_host_memory) as a dict."""
    if host_row is None:
        return {}
    values: dict[str, Any] = dict(zip(HOST_FIELDS, host_row))
    values["fits_host_memory"] = bool(host_row[len(HOST_FIELDS)])
    return values


def result_from_rows(row: tuple[Any, ...], memory_row: tuple[Any, ...], pp: int, gbs: int,
                     seq: int, *, gpu_filled_in: tuple[FilledField, ...] = (),
                     settings: Mapping[str, Any] | None = None,
                     host_row: tuple[Any, ...] | None = None) -> PredictionResult:
    """A PredictionResult from the extension's prediction tuple (``row``); the memory fields,
    peak_stage and fits_memory come from ``memory_row``, which may be a prediction at a longer
    padded sequence. The hot path of predict: one C-level pass per group of fields."""
    plan = _row_plan()
    getter, names, scales = plan.result_numbers
    result = dict(zip(names, map(operator.mul, getter(row), scales)))
    getter, names, scales = plan.memory_numbers
    breakdown = dict(zip(names, map(operator.mul, getter(memory_row), scales)))
    breakdown["num_stages"] = pp
    for index, attribute in plan.result_ints:
        result[attribute] = int(row[index])
    for index, attribute in plan.memory_ints:
        breakdown[attribute] = int(memory_row[index])
    for index, attribute in plan.flags:
        result[attribute] = bool(memory_row[index])
    for index, count, attribute, scale in plan.dicts:
        result[attribute] = dict(zip(COMM_KINDS, map(operator.mul, row[index:index + count],
                                                      (scale,) * count)))
    step, compute = row[0], row[1]
    mb = MemoryBreakdown(**breakdown)
    return PredictionResult(**result, memory_breakdown=mb, memory_gb=mb.total_memory_gb,
                            compute_efficiency=result["hfu"] * step / compute if compute > 0 else 0.0,
                            global_batch_size=gbs, seq_len=seq, gpu_filled_in=gpu_filled_in,
                            settings=settings if settings is not None else {},
                            host_memory_gb=host_row[0] / GIB if host_row else 0.0,
                            host=host_values(host_row))


def prediction_row(values: Mapping[str, Any]) -> tuple[Any, ...]:
    """The inverse of :func:`prediction_values`: library-named values (the prediction JSON) as
    the extension's tuple, so JSON and the extension share one conversion."""
    row: list[Any] = []
    for field in prediction_fields():
        value = values[field["name"]]
        if field["count"] == 1:
            row.append(value)
        else:
            row.extend(value[kind] for kind in COMM_KINDS)
    return tuple(row)


def _flat(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            label = "memory" if key == "memory_breakdown" else key.removesuffix("_ms")
            out.update(_flat(value, f"{prefix}{label}."))
        elif isinstance(value, list):
            out[name] = json.dumps(value)
        else:
            out[name] = value
    return out


def _html_table(caption: str, header: Sequence[str] | None, rows: Sequence[Sequence[Any]]) -> str:
    """A small escaped HTML table for notebook reprs (``_repr_html_``)."""
    import html
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    head = "" if header is None else "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>"
    return f"<table><caption>{html.escape(caption)}</caption>{head}{cells}</table>"


def _dataframe(rows: list[dict[str, Any]]) -> Any:
    try:
        import pandas
    except ImportError:
        raise ImportError("to_dataframe needs pandas: pip install pandas") from None
    return pandas.DataFrame(rows)
