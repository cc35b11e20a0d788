"""Figures of pdcost's results (matplotlib, an optional extra: ``pip install 'pdcost[plots]'``).

Every function takes a result object the package already returns and gives back a
:class:`matplotlib.figure.Figure` built without pyplot (no global figure state, no GUI backend):
``fig.savefig("step.svg")`` writes it, a notebook shows it.

* :func:`memory_breakdown` — memory per GPU of a :class:`~pdcost.PredictionResult`, per pipeline
  stage the library reports (the busiest stage in full; first and last stage totals);
* :func:`step_time_breakdown` — one step: compute, recomputation, exposed communication per kind,
  pipeline bubble, optimizer, offload and host time (one bar per result, to compare plans);
* :func:`pareto_front` — a search's throughput against memory (:class:`~pdcost.search.SearchResult`),
  or a serving search's tokens/s/GPU against tokens/s/user
  (:class:`~pdcost.serving_search.ServingSearchResult`);
* :func:`scaling_curves` — tokens/s/GPU and MFU against GPU count, from the best plan per count
  (searches, or :func:`pdcost.plan_run` rows);
* :func:`validation_scatter` — predicted against measured per source, from
  :func:`pdcost.validate_runs` (``pdcost validate --json``);
* :func:`prediction_overview` — the step and memory panels side by side (``pdcost predict --plot``).

matplotlib is imported when a function is called, never at ``import pdcost``.
"""

from __future__ import annotations

import json
import math
from typing import Any, Iterable, Mapping

__all__ = ["memory_breakdown", "step_time_breakdown", "pareto_front", "scaling_curves",
           "validation_scatter", "prediction_overview", "save", "EXTRA"]

#: The pip extra that installs matplotlib (pyproject.toml ``[project.optional-dependencies]``).
EXTRA = "plots"

#: One colour per component, shared by every figure (matplotlib's default "tab10" cycle,
#: so the figures match what users see elsewhere).
_COLOURS = {
    "parameters": "#1f77b4", "gradients": "#ff7f0e", "optimizer states": "#2ca02c",
    "activations": "#d62728", "communication buffers": "#9467bd", "temporary buffers": "#8c564b",
    "activation buffer pool": "#e377c2", "framework overhead": "#7f7f7f",
    "allocated (no breakdown)": "#bcbd22",
    "compute": "#1f77b4", "recompute": "#aec7e8", "pipeline bubble": "#c7c7c7",
    "optimizer": "#2ca02c", "offload": "#98df8a", "host overhead": "#8c564b", "other": "#dbdb8d",
    "tp": "#d62728", "cp": "#ff9896", "ep": "#9467bd", "pp": "#ff7f0e", "dp": "#17becf",
}


def _matplotlib() -> Any:
    """``matplotlib.figure.Figure``, or ImportError naming the extra."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("pdcost.plots needs matplotlib: pip install 'pdcost[plots]' "
                          "(or pip install matplotlib)") from None
    return Figure


def _figure(width: float = 7.0, height: float = 4.0, **kwargs: Any) -> Any:
    Figure = _matplotlib()
    return Figure(figsize=(width, height), layout="constrained", **kwargs)


def save(fig: Any, path: str) -> None:
    """Write ``fig`` to ``path``; the format follows the suffix (``.svg``, ``.png``, ``.pdf``).
    ValueError naming the path for any other suffix."""
    suffix = str(path).rsplit(".", 1)[-1].lower() if "." in str(path) else ""
    if suffix not in ("svg", "png", "pdf"):
        raise ValueError(f"path={str(path)!r}: the file must end in .svg, .png or .pdf")
    fig.savefig(path, format=suffix, dpi=150 if suffix == "png" else None)


def _svg(fig: Any) -> str:
    """The figure as an inline ``<svg>`` element (no XML prologue, fonts as paths so the page
    needs no font it may lack)."""
    import io
    from matplotlib import rc_context
    buffer = io.StringIO()
    # No date in the metadata and a fixed hash salt: the same prediction gives the same page.
    with rc_context({"svg.fonttype": "path", "svg.hashsalt": "pdcost"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


# --------------------------------------------------------------------------------------------
# Memory and step time of one prediction
# --------------------------------------------------------------------------------------------

def _memory_components(m: Any) -> list[tuple[str, float]]:
    """The busiest stage's memory, bottom to top: allocated's parts, then the caching
    allocator's pool (reserved − allocated), then the framework overhead (CUDA context and
    libraries outside the allocator): their sum is ``total_memory_gb`` (MemoryBreakdown)."""
    return [("parameters", m.parameter_memory_gb), ("gradients", m.gradient_memory_gb),
            ("optimizer states", m.optimizer_memory_gb), ("activations", m.activation_memory_gb),
            ("communication buffers", m.communication_buffer_gb),
            ("temporary buffers", m.temporary_buffer_gb),
            ("activation buffer pool", m.activation_buffer_pool_gb),
            ("framework overhead", m.framework_overhead_gb)]


def _draw_memory(ax: Any, result: Any) -> None:
    m = result.memory_breakdown
    stages = max(int(m.num_stages), 1)
    peak = int(m.peak_stage)
    bars: list[tuple[str, list[tuple[str, float]]]] = []
    # The library reports the busiest stage in full and the first and last stages' allocated
    # and reserved totals (pdcost.h pdcost_prediction: first/last_stage_*_bytes); a stage it
    # does not report is not drawn.
    shown = {peak}
    bars.append((f"stage {peak} of {stages}\n(busiest)" if stages > 1 else "every GPU",
                 _memory_components(m)))
    if stages > 1:
        for index, allocated, reserved in ((0, m.first_stage_allocated_gb, m.first_stage_reserved_gb),
                                           (stages - 1, m.last_stage_allocated_gb, m.last_stage_reserved_gb)):
            if index in shown:
                continue
            shown.add(index)
            bars.append((f"stage {index} of {stages}\n({'first' if index == 0 else 'last'})",
                         [("allocated (no breakdown)", allocated),
                          # reserved = allocated + activation buffer pool (MemoryBreakdown)
                          ("activation buffer pool", max(reserved - allocated, 0.0)),
                          ("framework overhead", m.framework_overhead_gb)]))
    bars.sort(key=lambda bar: int(bar[0].split()[1]) if bar[0].startswith("stage") else 0)
    labels = [label for label, _ in bars]
    seen: set[str] = set()
    for y, (_, parts) in enumerate(bars):
        left = 0.0
        for name, value in parts:
            if value <= 0:
                continue
            ax.barh(y, value, left=left, color=_COLOURS[name], edgecolor="white", linewidth=0.5,
                    label=None if name in seen else name)
            seen.add(name)
            left += value
    # usable = capacity − framework overhead (PredictionResult: "usable_memory_gb ... what the
    # caching allocator can use"), so the GPU's memory is their sum.
    capacity = m.usable_memory_gb + m.framework_overhead_gb
    ax.axvline(capacity, color="black", linestyle="--", linewidth=1, label=f"GPU memory {capacity:.0f} GiB")
    ax.set_yticks(range(len(bars)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("GiB per GPU")
    ax.set_title("Memory per GPU by pipeline stage" if stages > 1 else "Memory per GPU")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    ax.margins(y=0.15)


def memory_breakdown(result: Any) -> Any:
    """A :class:`~pdcost.PredictionResult`'s memory per GPU as stacked bars: the busiest pipeline
    stage's parameters, gradients, optimizer states, activations, buffers, allocator pool and
    framework overhead (their sum is ``memory_breakdown.total_memory_gb``), and for pipeline plans
    the first and last stages' allocated and reserved totals (what the library reports per stage);
    the dashed line is the GPU's memory."""
    fig = _figure(7.0, 2.0 + 0.7 * min(max(int(result.memory_breakdown.num_stages), 1), 3))
    _draw_memory(fig.add_subplot(), result)
    return fig


def _step_components(r: Any) -> list[tuple[str, float]]:
    """One step's parts, in ms. compute includes recompute (PredictionResult.recompute_time_ms
    is "part of compute_time_ms"), so compute is drawn without it; exposed communication is per
    kind (comm_exposed_ms). What the library adds on top of these (rounding, terms without a
    field) is drawn as "other" so the bar ends at step_time_ms."""
    parts = [("compute", max(r.compute_time_ms - r.recompute_time_ms, 0.0)),
             ("recompute", r.recompute_time_ms)]
    parts += [(kind, value) for kind, value in r.comm_exposed_ms.items()]
    parts += [("pipeline bubble", r.bubble_time_ms), ("optimizer", r.optimizer_time_ms),
              ("offload", r.offload_time_ms), ("host overhead", r.host_overhead_time_ms)]
    rest = r.step_time_ms - sum(v for _, v in parts)
    if rest > 1e-6 * r.step_time_ms:
        parts.append(("other", rest))
    return parts


def _unit(max_ms: float) -> tuple[str, float]:
    """Axis unit for durations: ms below 10 s, then s, then min (as the CLI prints them)."""
    if max_ms < 10_000:
        return "ms", 1.0
    if max_ms < 120_000:
        return "s", 1e3
    return "min", 60e3


def _draw_step(ax: Any, results: Mapping[str, Any]) -> None:
    unit, scale = _unit(max(r.step_time_ms for r in results.values()))
    seen: set[str] = set()
    for y, (label, r) in enumerate(results.items()):
        left = 0.0
        for name, value in _step_components(r):
            if value <= 0:
                continue
            title = {"tp": "exposed TP comm", "cp": "exposed CP comm", "ep": "exposed EP comm",
                     "pp": "exposed PP comm", "dp": "exposed DP comm"}.get(name, name)
            ax.barh(y, value / scale, left=left / scale, color=_COLOURS[name], edgecolor="white",
                    linewidth=0.5, label=None if title in seen else title)
            seen.add(title)
            left += value
        ax.text(left / scale, y, f" {r.step_time_ms / scale:,.{1 if unit != 'ms' else 0}f} {unit}",
                va="center", fontsize=8)
    ax.set_yticks(range(len(results)), list(results))
    ax.invert_yaxis()
    ax.set_xlabel(f"time per optimizer step ({unit})")
    ax.set_title("Step time (compute: the slowest pipeline stage's micro-batches)"
                 if any(r.memory_breakdown.num_stages > 1 for r in results.values()) else "Step time")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    ax.margins(x=0.12, y=0.3)


def _named(results: Any) -> dict[str, Any]:
    if isinstance(results, Mapping):
        return dict(results)
    if hasattr(results, "step_time_ms"):
        return {"step": results}
    named = {}
    for index, r in enumerate(results):
        named[f"#{index + 1}"] = r
    if not named:
        raise ValueError("step_time_breakdown: no result to draw")
    return named


def step_time_breakdown(results: Any) -> Any:
    """One optimizer step as a stacked bar: compute (without recomputation), recomputation,
    exposed communication per kind (TP, CP, EP, PP, DP), pipeline bubble, optimizer, offload and
    host time; the bar's length is ``step_time_ms``. ``results``: one
    :class:`~pdcost.PredictionResult`, a list of them, or ``{label: result}`` (one bar each).
    For pipeline plans, compute is the slowest stage's (pdcost's Prediction.computeTime: the
    critical path)."""
    named = _named(results)
    fig = _figure(7.0, 2.0 + 0.5 * len(named))
    _draw_step(fig.add_subplot(), named)
    return fig


def prediction_overview(result: Any, title: str | None = None) -> Any:
    """Step time and memory of one prediction, one panel each (``pdcost predict --plot``)."""
    fig = _figure(14.0, 3.6)
    left, right = fig.subplots(1, 2)
    _draw_step(left, {"step": result})
    _draw_memory(right, result)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


# --------------------------------------------------------------------------------------------
# Searches
# --------------------------------------------------------------------------------------------

def pareto_front(result: Any) -> Any:
    """The search's trade-off. For a training :class:`~pdcost.search.SearchResult`: tokens/s/GPU
    against the busiest stage's allocated memory, the ranked plans as points, the Pareto front
    (no plan both faster and smaller) as a line, the best plan starred and the memory limit
    dashed. For a :class:`~pdcost.serving_search.ServingSearchResult`: output tokens/s/GPU against
    tokens/s/user (interactivity), the front as a line and the ranked deployments as points."""
    fig = _figure(7.0, 4.2)
    ax = fig.add_subplot()
    if hasattr(result, "memory_limit_gb"):
        ranked = list(result.results)
        front = sorted(result.pareto, key=lambda e: e.peak_allocated_gb)
        if ranked:
            ax.scatter([e.peak_allocated_gb for e in ranked], [e.throughput for e in ranked],
                       s=18, color="#7f7f7f", alpha=0.7, label=f"top {len(ranked)} plans", zorder=2)
        if front:
            ax.plot([e.peak_allocated_gb for e in front], [e.throughput for e in front], "-o",
                    color="#1f77b4", markersize=4, label=f"Pareto front ({len(front)} plans)", zorder=3)
        if ranked:
            best = ranked[0]
            ax.scatter([best.peak_allocated_gb], [best.throughput], marker="*", s=160,
                       color="#d62728", label="best", zorder=4)
        if result.memory_limit_gb > 0:
            ax.axvline(result.memory_limit_gb, color="black", linestyle="--", linewidth=1,
                       label=f"memory limit {result.memory_limit_gb:.1f} GiB")
        ax.set_xlabel("peak allocated memory per GPU, busiest stage (GiB)")
        ax.set_ylabel("tokens/s/GPU")
        ax.set_title("Plans that fit: throughput vs memory")
    elif hasattr(result, "pareto") and hasattr(result, "budget_gpus"):
        ranked = list(result.top)
        front = sorted(result.pareto, key=lambda e: e.prediction.output_tokens_per_s_per_user)
        if ranked:
            ax.scatter([e.prediction.output_tokens_per_s_per_user for e in ranked],
                       [e.output_tokens_per_s_per_gpu for e in ranked], s=18, color="#7f7f7f",
                       alpha=0.7, label=f"top {len(ranked)} deployments", zorder=2)
        if front:
            ax.plot([e.prediction.output_tokens_per_s_per_user for e in front],
                    [e.output_tokens_per_s_per_gpu for e in front], "-o", color="#1f77b4",
                    markersize=4, label=f"Pareto front ({len(front)} points)", zorder=3)
        if ranked:
            best = ranked[0]
            ax.scatter([best.prediction.output_tokens_per_s_per_user], [best.output_tokens_per_s_per_gpu],
                       marker="*", s=160, color="#d62728", label="best", zorder=4)
        ax.set_xlabel("output tokens/s per user")
        ax.set_ylabel("output tokens/s per GPU")
        ax.set_title("Serving: throughput vs interactivity")
    else:
        raise TypeError(f"pareto_front expects a SearchResult or a ServingSearchResult, "
                        f"not {type(result).__name__}")
    ax.grid(True, alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    return fig


def _scaling_points(results: Any) -> list[tuple[int, float, float, str]]:
    """(GPUs, tokens/s/GPU, MFU, plan label) per GPU count, best plan of each."""
    from .search import split_label
    items: Iterable[Any]
    if isinstance(results, Mapping):
        items = [(int(k), v) for k, v in results.items()]
    else:
        items = [(None, v) for v in results]
    points: dict[int, tuple[int, float, float, str]] = {}
    for gpus, item in items:
        if hasattr(item, "results") and hasattr(item, "memory_limit_gb"):  # SearchResult
            if not item.results:
                continue
            best = item.results[0]
            p = best.parallel
            count = gpus if gpus is not None else p.tp * p.pp * p.cp * p.dp
            point = (count, best.throughput, float(best.prediction.mfu), split_label(p))
        elif hasattr(item, "gpus") and hasattr(item, "tokens_per_second_per_gpu"):  # plan_run row
            point = (int(item.gpus), float(item.tokens_per_second_per_gpu), float(item.mfu), str(item.plan))
        else:
            raise TypeError(f"scaling_curves: {type(item).__name__} is neither a SearchResult "
                            "nor a plan_run row")
        if point[0] not in points or point[1] > points[point[0]][1]:
            points[point[0]] = point
    return [points[k] for k in sorted(points)]


def scaling_curves(results: Any) -> Any:
    """Tokens/s/GPU and MFU against the GPU count, from the best plan at each count.
    ``results``: ``{gpus: SearchResult}``, a list of SearchResults (the count is the best plan's
    tp·pp·cp·dp), or the rows of :func:`pdcost.plan_run` (``pdcost plan --gpu-counts``)."""
    points = _scaling_points(results)
    if not points:
        raise ValueError("scaling_curves: no GPU count has a plan that fits")
    fig = _figure(7.0, 5.0)
    ax, mfu = fig.subplots(2, 1, sharex=True)
    gpus = [p[0] for p in points]
    # Two panels: for one model MFU is tokens/s/GPU times a constant (6·N FLOPs per token over
    # the peak), so on one twin axis the two curves would lie on top of each other.
    ax.plot(gpus, [p[1] for p in points], "-o", color="#1f77b4")
    for g, t, _, label in points:
        ax.annotate(label, (g, t), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=7)
    ax.set_ylabel("tokens/s/GPU")
    ax.set_ylim(bottom=0, top=max(p[1] for p in points) * 1.25)
    ax.set_title("Scaling: best plan per GPU count")
    mfu.plot(gpus, [100 * p[2] for p in points], "-s", color="#d62728")
    for g, _, m, _ in points:
        mfu.annotate(f"{100 * m:.1f}%", (g, 100 * m), textcoords="offset points", xytext=(0, 7),
                     ha="center", fontsize=7)
    mfu.set_ylabel("MFU (%)")
    mfu.set_ylim(bottom=0, top=max(100 * p[2] for p in points) * 1.25)
    mfu.set_xscale("log", base=2)
    mfu.set_xticks(gpus, [f"{g:,}" for g in gpus])
    mfu.minorticks_off()
    mfu.set_xlabel("GPUs")
    # Room for the plan labels at both ends (a factor on the log axis).
    spread = max(gpus) / min(gpus)
    pad = 1.6 if spread > 1 else 2.0
    mfu.set_xlim(min(gpus) / pad, max(gpus) * pad)
    for panel in (ax, mfu):
        panel.grid(True, alpha=0.3)
    return fig


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------

#: Axis labels of the validation report's metrics: training runs (ValidationMetric raw values,
#: Sources/PDCost/Validation/ValidationReport.swift) and serving runs (ServingMetric, the
#: ``serving`` part of the report).
VALIDATION_METRICS = {"tokens_per_s_per_gpu": "tokens/s/GPU", "step_time_s": "step time (s)",
                      "peak_allocated_gib": "peak allocated (GiB)",
                      "peak_reserved_gib": "peak reserved (GiB)", "peak_memory_gib": "peak memory (GiB)",
                      "ttft_ms": "TTFT (ms)", "itl_ms": "ITL (ms)", "tpot_ms": "TPOT (ms)",
                      "e2e_latency_ms": "end-to-end latency (ms)",
                      "output_tokens_per_s_per_gpu": "output tokens/s/GPU"}


def _validation_points(report: Mapping[str, Any], metric: str) -> tuple[dict[str, list[tuple[float, float]]], set[str]]:
    """{source: [(measured, predicted)]} for ``metric`` over the training runs (the metric is a
    key of each run) and the serving runs (a key of ``comparisons``; grouped by
    ``source_group``), and every metric the report compares."""
    rows: list[tuple[str, Mapping[str, Any]]] = []
    for run in report.get("runs") or []:
        rows.append((str(run.get("source") or "unknown"),
                     {k: v for k, v in run.items() if isinstance(v, Mapping) and "measured" in v}))
    serving = report.get("serving") or {}
    for run in serving.get("runs") or [] if isinstance(serving, Mapping) else []:
        rows.append((str(run.get("source_group") or "unknown"), run.get("comparisons") or {}))
    points: dict[str, list[tuple[float, float]]] = {}
    known: set[str] = set()
    for source, comparisons in rows:
        known.update(comparisons)
        c = comparisons.get(metric)
        if not c:
            continue
        measured, predicted = c.get("measured"), c.get("predicted")
        if (isinstance(measured, (int, float)) and isinstance(predicted, (int, float))
                and measured > 0 and predicted > 0 and math.isfinite(measured) and math.isfinite(predicted)):
            points.setdefault(source, []).append((float(measured), float(predicted)))
    return points, known


def validation_scatter(report: Any, metric: str = "tokens_per_s_per_gpu") -> Any:
    """Predicted against measured, one colour per source, log-log with the y = x line and
    ±10 % / ±25 % bands, for one ``metric`` of :func:`pdcost.validate_runs`'s JSON report
    (``pdcost validate --json``: the text, the parsed dict or a file path): a training metric
    (``tokens_per_s_per_gpu``, ``step_time_s``, ``peak_allocated_gib``, ...) or a serving one
    (``ttft_ms``, ``tpot_ms``, ``output_tokens_per_s_per_gpu``, ...). The title carries the MAPE
    over the points drawn."""
    if isinstance(report, bytes):
        report = report.decode("utf-8")
    if isinstance(report, str) and not report.lstrip().startswith("{"):
        with open(report, encoding="utf-8") as handle:
            report = handle.read()
    if isinstance(report, str):
        report = json.loads(report)
    if not isinstance(report, Mapping):
        raise TypeError(f"validation_scatter expects the validate_runs JSON report, not {type(report).__name__}")
    by_source, known = _validation_points(report, metric)
    if not by_source:
        raise ValueError(f"validation_scatter: metric={metric!r} has no compared run"
                         + (f"; the report compares {', '.join(sorted(known))}" if known else ""))
    fig = _figure(7.0, 5.6)
    ax = fig.add_subplot()
    values = [v for pts in by_source.values() for pair in pts for v in pair]
    low, high = min(values) / 1.3, max(values) * 1.3
    line = [low, high]
    ax.plot(line, line, color="black", linewidth=1, label="predicted = measured")
    for band, alpha in ((0.10, 0.18), (0.25, 0.08)):
        ax.fill_between(line, [x * (1 - band) for x in line], [x * (1 + band) for x in line],
                        color="#1f77b4", alpha=alpha, linewidth=0, label=f"±{band:.0%}")
    errors = []
    for index, (source, pts) in enumerate(sorted(by_source.items())):
        ax.scatter([m for m, _ in pts], [p for _, p in pts], s=22, label=f"{source} ({len(pts)})",
                   color=f"C{index % 10}", marker="os^Dv<>ph*"[index // 10 % 10], zorder=3)
        errors += [abs(p - m) / m for m, p in pts]
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    label = VALIDATION_METRICS.get(metric, metric)
    ax.set_xlabel(f"measured {label}")
    ax.set_ylabel(f"predicted {label}")
    # MAPE as the library defines it (ValidationReport: mean of |predicted − measured| / measured).
    ax.set_title(f"Predicted vs measured {label}: MAPE {100 * sum(errors) / len(errors):.1f}% "
                 f"over {len(errors)} runs", fontsize=10)
    ax.grid(True, which="both", alpha=0.2)
    ax.legend(fontsize=6, loc="upper left", ncol=1 if len(by_source) < 10 else 2)
    return fig
