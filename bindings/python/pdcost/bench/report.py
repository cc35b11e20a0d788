"""``python -m pdcost.bench report``: charts and a Markdown / HTML report of measured runs.

Reads measured-runs files (``pdcost.runs/1``: the bench's training records, ``serve`` and
``client`` inference records, or published ones) and writes into a folder:

* ``throughput_vs_gpus.svg``: aggregate throughput (output tokens/s for inference, tokens/s
  for training) against the number of GPUs, one series per parallel strategy;
* ``latency_vs_throughput.svg``: mean end-to-end latency against output tokens/s (inference);
* ``parallel_efficiency.svg``: throughput(N) / (N · throughput(1)) against N, for runs whose
  one-GPU twin (same model, GPU, engine, workload and precision) is in the files;
* ``predicted_vs_measured.svg``: pdcost's prediction against the measurement, every metric
  the validator compares (``pdcost validate``'s JSON), on log axes with the y = x line;
* ``report.md`` (the charts as files beside it) and ``report.html`` (self-contained: the
  SVG inline, no scripts, no external files).

matplotlib is optional and imported only here: without it the reports have their tables and
say why the charts are missing. The strategy of a run is read from its ``parallel`` section
(never from its id or notes).
"""

from __future__ import annotations

import html
import io
import json
import math
import os
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from .records import read_runs_file

__all__ = ["Row", "load_rows", "strategy_of", "parallel_efficiency", "write_report"]


def strategy_of(record: Mapping[str, Any]) -> str:
    """The parallel strategy from the record's ``parallel`` section: "single GPU", "data
    parallel", "tensor parallel", "pipeline parallel", or the parts joined by "×"
    ("TP×PP", "TP×DP", ...); training runs with ``fsdp`` say "FSDP" for the data part."""
    p = record.get("parallel") or {}
    tp, pp, dp = (int(p.get(k) or 1) for k in ("tp", "pp", "dp"))
    data = "FSDP" if p.get("fsdp") else "DP"
    parts = [name for name, n in (("TP", tp), ("PP", pp), (data, dp)) if n > 1]
    if not parts:
        return "single GPU"
    if len(parts) == 1:
        return {"TP": "tensor parallel", "PP": "pipeline parallel", "DP": "data parallel",
                "FSDP": "FSDP"}[parts[0]]
    return "×".join(parts)


@dataclass(slots=True)
class Row:
    """One record as the report uses it."""

    id: str
    kind: str
    model: str
    gpu: str
    num_gpus: int
    framework: str
    strategy: str
    workload: str
    """What must match for two runs to be scaling twins (scenario, lengths, load per replica,
    precision)."""
    throughput: float | None
    """Aggregate tokens/s (inference: output tokens)."""
    ttft_ms: float | None = None
    itl_ms: float | None = None
    tpot_ms: float | None = None
    e2e_ms: float | None = None
    peak_gib: float | None = None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


def _row(record: Mapping[str, Any]) -> Row:
    measured = record.get("measured") or {}
    hardware = record.get("hardware") or {}
    gpus = int(hardware.get("num_gpus") or 1)
    kind = str(record.get("kind") or "training")
    model = str((record.get("model") or {}).get("name") or "?")
    if kind == "inference":
        serving = record.get("serving") or {}
        precision = (record.get("precision") or {}).get("weights")
        load = next((f"{k}={measured[k]}" for k in ("batch_size", "concurrency", "request_rate")
                     if measured.get(k) is not None), "load ?")
        workload = (f"{serving.get('scenario')} in={measured.get('input_tokens')} "
                    f"out={measured.get('output_tokens')} {load} {precision}")
        throughput = _number(measured.get("output_tokens_per_s"))
        if throughput is None and _number(measured.get("output_tokens_per_s_per_gpu")) is not None:
            throughput = float(measured["output_tokens_per_s_per_gpu"]) * gpus
        peak = _number(measured.get("peak_memory_gib")) or _number(measured.get("peak_allocated_gib"))
        return Row(id=str(record.get("id")), kind=kind, model=model, gpu=str(hardware.get("gpu")),
                   num_gpus=gpus, framework=str(record.get("framework")),
                   strategy=strategy_of(record), workload=workload, throughput=throughput,
                   ttft_ms=_number(measured.get("ttft_ms")), itl_ms=_number(measured.get("itl_ms")),
                   tpot_ms=_number(measured.get("tpot_ms")),
                   e2e_ms=_number(measured.get("e2e_latency_ms")), peak_gib=peak)
    training = record.get("training") or {}
    per_gpu = _number(measured.get("tokens_per_s_per_gpu"))
    # Scaling twins of a training run keep the per-GPU micro-batch (weak scaling).
    workload = (f"train seq={training.get('seq_len')} mbs={training.get('micro_batch_size')} "
                f"{training.get('dtype')} recompute={training.get('recompute')}")
    return Row(id=str(record.get("id")), kind=kind, model=model, gpu=str(hardware.get("gpu")),
               num_gpus=gpus, framework=str(record.get("framework")), strategy=strategy_of(record),
               workload=workload, throughput=None if per_gpu is None else per_gpu * gpus,
               peak_gib=_number(measured.get("peak_reserved_gib")))


def load_rows(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[dict[str, Any]], list[Row]]:
    """The records of the files (a later file's record replaces an earlier one of the same
    id) and their rows."""
    by_id: dict[str, dict[str, Any]] = {}
    for path in paths:
        for record in read_runs_file(path):
            if isinstance(record, dict) and isinstance(record.get("id"), str):
                by_id[record["id"]] = record
    records = list(by_id.values())
    return records, [_row(r) for r in records]


def parallel_efficiency(rows: Sequence[Row]) -> list[tuple[Row, Row, float]]:
    """(run, its one-GPU twin, throughput(N) / (N · throughput(1))) for every multi-GPU run
    whose twin (same kind, model, GPU, framework and workload) was measured."""
    singles = {(r.kind, r.model, r.gpu, r.framework, r.workload): r for r in rows
               if r.num_gpus == 1 and r.throughput}
    out = []
    for r in rows:
        base = singles.get((r.kind, r.model, r.gpu, r.framework, r.workload))
        if r.num_gpus > 1 and base is not None and r.throughput is not None and base.throughput:
            out.append((r, base, r.throughput / (r.num_gpus * base.throughput)))
    return out


def _predictions(records: list[dict[str, Any]]) -> tuple[list[tuple[str, str, float, float]], str | None]:
    """(id, metric, measured, predicted) from ``pdcost validate``'s JSON, or why none."""
    try:
        from ..costmodel import validate_runs

        report = json.loads(validate_runs(json.dumps({"schema": "pdcost.runs/1", "runs": records})))
    except Exception as error:  # noqa: BLE001 - the report still has the measurements
        return [], f"pdcost's predictions failed: {error}"
    pairs = []
    for run in report.get("runs") or []:
        for metric, value in run.items():
            if isinstance(value, dict) and {"measured", "predicted"} <= set(value):
                m, p = _number(value["measured"]), _number(value["predicted"])
                if m and p:
                    pairs.append((str(run.get("id")), metric, m, p))
    serving = report.get("serving") or {}
    for run in serving.get("runs") or []:
        for metric, value in (run.get("comparisons") or {}).items():
            m, p = _number(value.get("measured")), _number(value.get("predicted"))
            if m and p:
                pairs.append((str(run.get("id")), metric, m, p))
    reasons = [str(r.get("skipped")) for r in serving.get("runs") or [] if r.get("skipped")]
    reasons += [str(r.get("reason")) for r in report.get("runs") or []
                if r.get("status") == "skipped"]
    counts: dict[str, int] = {}
    for reason in reasons:
        counts[reason] = counts.get(reason, 0) + 1
    text = "; ".join(f"{n} record(s): {reason}" for reason, n in counts.items())
    return pairs, (text or None)


# -- charts -------------------------------------------------------------------------------------

def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _svg(fig: Any) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


def _charts(rows: Sequence[Row], efficiency: Sequence[tuple[Row, Row, float]],
            pairs: Sequence[tuple[str, str, float, float]]) -> dict[str, tuple[str, str]]:
    """{file name: (title, svg text)} of the charts that have data."""
    plt = _pyplot()
    charts: dict[str, tuple[str, str]] = {}

    def series(items: Iterable[tuple[str, float, float]]) -> dict[str, list[tuple[float, float]]]:
        out: dict[str, list[tuple[float, float]]] = {}
        for label, x, y in items:
            out.setdefault(label, []).append((x, y))
        return {k: sorted(v) for k, v in sorted(out.items())}

    def plot(name: str, title: str, xlabel: str, ylabel: str,
             data: dict[str, list[tuple[float, float]]], *, line: bool = True,
             log: bool = False, diagonal: bool = False, hline: float | None = None,
             integer_x: bool = False) -> None:
        if not data:
            return
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for label, points in data.items():
            xs, ys = zip(*points)
            ax.plot(xs, ys, marker="o", linestyle="-" if line else "none", label=label)
        if log:
            ax.set_xscale("log")
            ax.set_yscale("log")
        if diagonal:
            values = [v for pts in data.values() for p in pts for v in p]
            lo, hi = min(values) / 1.2, max(values) * 1.2
            ax.plot([lo, hi], [lo, hi], color="grey", linewidth=1, label="predicted = measured")
        if hline is not None:
            ax.axhline(hline, color="grey", linewidth=1)
        if integer_x:
            from matplotlib.ticker import MaxNLocator

            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
        charts[name] = (title, _svg(fig))
        plt.close(fig)

    twins = {r.id: base for r, base, _e in efficiency}
    for kind, unit in (("inference", "output tokens/s"), ("training", "tokens/s")):
        points = []
        for r in rows:
            if r.kind != kind or not r.throughput:
                continue
            label = f"{r.model} {r.framework} {r.strategy}"
            points.append((label, r.num_gpus, r.throughput))
            base = twins.get(r.id)
            if base is not None and base.throughput:  # each strategy's line starts at 1 GPU
                points.append((label, 1, base.throughput))
        plot(f"throughput_vs_gpus_{kind}.svg", f"{kind.capitalize()} throughput vs GPUs",
             "GPUs", f"aggregate {unit}", series(sorted(set(points))), integer_x=True)
    plot("latency_vs_throughput.svg", "Latency vs throughput (inference)", "output tokens/s",
         "mean end-to-end latency (ms)",
         series((f"{r.model} {r.framework} {r.gpu} {r.num_gpus}g {r.strategy}", r.throughput, r.e2e_ms)
                for r in rows if r.kind == "inference" and r.throughput and r.e2e_ms))
    plot("parallel_efficiency.svg", "Parallel efficiency = throughput(N) / (N · throughput(1))",
         "GPUs", "efficiency",
         series((f"{r.model} {r.framework} {r.strategy}", r.num_gpus, e) for r, _b, e in efficiency),
         hline=1.0, integer_x=True)
    plot("predicted_vs_measured.svg", "pdcost predicted vs measured", "measured", "predicted",
         series((metric, m, p) for _i, metric, m, p in pairs), line=False, log=True, diagonal=True)
    return charts


# -- text ---------------------------------------------------------------------------------------

def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _tables(rows: Sequence[Row], efficiency: Sequence[tuple[Row, Row, float]],
            pairs: Sequence[tuple[str, str, float, float]]) -> list[tuple[str, list[str], list[list[str]]]]:
    runs = [[r.id, r.kind, r.model, r.gpu, str(r.num_gpus), r.framework, r.strategy,
             _fmt(r.throughput), _fmt(r.ttft_ms, 2), _fmt(r.itl_ms, 2), _fmt(r.tpot_ms, 2),
             _fmt(r.e2e_ms, 1), _fmt(r.peak_gib, 2)] for r in rows]
    eff = [[r.id, r.strategy, str(r.num_gpus), _fmt(r.throughput), base.id, _fmt(base.throughput),
            f"{100 * e:.1f}%"] for r, base, e in efficiency]
    pred = [[i, metric, _fmt(m, 3), _fmt(p, 3), f"{100 * (p - m) / m:+.1f}%"]
            for i, metric, m, p in pairs]
    return [
        ("Runs", ["id", "kind", "model", "GPU", "GPUs", "framework", "strategy", "tokens/s",
                  "TTFT ms", "ITL ms", "TPOT ms", "E2E ms", "peak GiB"], runs),
        ("Parallel efficiency", ["id", "strategy", "GPUs", "tokens/s", "1-GPU run",
                                 "1-GPU tokens/s", "efficiency"], eff),
        ("Predicted vs measured", ["id", "metric", "measured", "predicted", "error"], pred),
    ]


def _markdown(tables: Any, charts: Mapping[str, tuple[str, str]], notes: Sequence[str]) -> str:
    out = ["# pdcost.bench report", ""]
    out += [f"> {n}" for n in notes]
    for name, (title, _svg_text) in charts.items():
        out += ["", f"![{title}]({name})"]
    for title, header, body in tables:
        out += ["", f"## {title}", ""]
        if not body:
            out.append("(none)")
            continue
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "---|" * len(header))
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in body]
    return "\n".join(out) + "\n"


def _html(tables: Any, charts: Mapping[str, tuple[str, str]], notes: Sequence[str]) -> str:
    e = html.escape
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>pdcost.bench report</title>",
             "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
             "font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}"
             "td:first-child{text-align:left}figure{display:inline-block;margin:1em}</style>",
             "</head><body><h1>pdcost.bench report</h1>"]
    parts += [f"<p><em>{e(n)}</em></p>" for n in notes]
    for _name, (title, svg_text) in charts.items():
        parts.append(f"<figure>{svg_text}<figcaption>{e(title)}</figcaption></figure>")
    for title, header, body in tables:
        parts.append(f"<h2>{e(title)}</h2>")
        if not body:
            parts.append("<p>(none)</p>")
            continue
        parts.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>")
        parts += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in body]
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(paths: Sequence[str | os.PathLike[str]], out_dir: str | os.PathLike[str], *,
                 predictions: bool = True) -> list[str]:
    """Writes the charts, report.md and report.html into ``out_dir``; returns their paths."""
    records, rows = load_rows(paths)
    if not records:
        raise ValueError(f"no records in {', '.join(map(os.fspath, paths))}")
    efficiency = parallel_efficiency(rows)
    notes = []
    pairs: list[tuple[str, str, float, float]] = []
    if predictions:
        pairs, skipped = _predictions(records)
        if skipped:
            notes.append(f"Not predicted: {skipped}")
    try:
        charts = _charts(rows, efficiency, pairs)
    except ImportError as error:
        charts = {}
        notes.append(f"No charts: matplotlib is not importable ({error}); "
                     "`pip install matplotlib` adds them.")
    tables = _tables(rows, efficiency, pairs)
    folder = os.fspath(out_dir)
    os.makedirs(folder, exist_ok=True)
    written = []
    for name, (_title, svg_text) in charts.items():
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(svg_text)
        written.append(path)
    for name, text in (("report.md", _markdown(tables, charts, notes)),
                       ("report.html", _html(tables, charts, notes))):
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        written.append(path)
    return written
