"""pdcost.plots: each figure draws what its result says (bar lengths, points, titles), and the
optional dependency fails with a message naming the extra."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pdcost import HardwareConfig, ModelConfig, ParallelConfig, PDCostModel, TrainingConfig
from pdcost.cli import main


def _model(gpus: int = 8, seq: int = 4096) -> PDCostModel:
    nodes, per_node = (1, gpus) if gpus <= 8 else (gpus // 8, 8)
    return PDCostModel(ModelConfig.from_name("llama3-8b"),
                       HardwareConfig(gpu="H100-SXM-80GB", num_nodes=nodes, gpus_per_node=per_node),
                       TrainingConfig(sequence_length=seq, micro_batch_size=1, gradient_accumulation_steps=8))


def test_missing_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from pdcost import plots
    # A None entry in sys.modules makes `import matplotlib.figure` raise ImportError.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install 'pdcost\[plots\]'"):
        plots.memory_breakdown(_model().predict(ParallelConfig(dp=8)))
    assert main(["predict", "--model", "llama3-8b", "--plot", "x.svg"]) != 0


try:
    import matplotlib  # noqa: F401
    HAVE_MATPLOTLIB = True
except ImportError:
    HAVE_MATPLOTLIB = False
#: CI installs matplotlib (scripts/test.sh); elsewhere the figure tests skip.
needs_matplotlib = pytest.mark.skipif(not HAVE_MATPLOTLIB, reason="matplotlib is not installed (pdcost[plots])")


def _bars(ax: object) -> list[tuple[float, float, float]]:
    """(y centre, left, width) of every bar of a horizontal bar chart."""
    return [(p.get_y() + p.get_height() / 2, p.get_x(), p.get_width()) for p in ax.patches]  # type: ignore[attr-defined]


@needs_matplotlib
def test_step_time_bar_is_the_step() -> None:
    from pdcost import plots
    r = _model().predict(ParallelConfig(tp=2, pp=2, dp=2))
    fig = plots.step_time_breakdown(r)
    bars = _bars(fig.axes[0])
    # One stacked bar whose parts are compute, recompute, exposed comm per kind, bubble,
    # optimizer, offload and host: they add up to the step (PredictionResult's docstrings:
    # recompute is part of compute, the rest are disjoint).
    assert sum(w for _, _, w in bars) == pytest.approx(r.step_time_ms, rel=1e-9)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "compute" in labels and "pipeline bubble" in labels
    assert "other" not in labels, "the breakdown's fields leave part of the step unexplained"
    assert "slowest pipeline stage" in fig.axes[0].get_title()
    # Several results: one bar per label, in order.
    two = plots.step_time_breakdown({"tp2 pp2": r, "dp8": _model().predict(ParallelConfig(dp=8))})
    assert [t.get_text() for t in two.axes[0].get_yticklabels()] == ["tp2 pp2", "dp8"]


@needs_matplotlib
def test_memory_bars_per_stage() -> None:
    from pdcost import plots
    r = _model().predict(ParallelConfig(pp=4, dp=2))
    m = r.memory_breakdown
    fig = plots.memory_breakdown(r)
    ax = fig.axes[0]
    rows: dict[float, float] = {}
    for y, _, w in _bars(ax):
        rows[round(y)] = rows.get(round(y), 0.0) + w
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # pp=4: the busiest stage in full plus the first and last stages the library reports.
    assert len(labels) == 3 - (m.peak_stage in (0, 3))
    peak_row = next(i for i, text in enumerate(labels) if "busiest" in text)
    assert labels[peak_row].startswith(f"stage {m.peak_stage} of 4")
    # The busiest stage's parts add up to what nvidia-smi shows: allocated + pool + overhead.
    assert rows[peak_row] == pytest.approx(m.total_memory_gb, rel=1e-9)
    first = labels.index(next(t for t in labels if t.startswith("stage 0 ")))
    assert rows[first] == pytest.approx(m.first_stage_reserved_gb + m.framework_overhead_gb, rel=1e-9)


@needs_matplotlib
def test_pareto_front_training_and_serving() -> None:
    from pdcost import plots, search_serving
    found = _model().search(global_batch_size=64, top_k=8, threads=1)
    fig = plots.pareto_front(found)
    ax = fig.axes[0]
    front = next(line for line in ax.get_lines() if line.get_label().startswith("Pareto"))
    assert list(front.get_ydata()) == [e.throughput for e in sorted(found.pareto, key=lambda e: e.peak_allocated_gb)]
    assert "tokens/s/GPU" in ax.get_ylabel()
    serving = search_serving("llama3-8b", gpu="H100", max_gpus=8, input_tokens=1024, output_tokens=128,
                             threads=1)
    fig = plots.pareto_front(serving)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "output tokens/s per user" and ax.get_ylabel() == "output tokens/s per GPU"
    front = next(line for line in ax.get_lines() if line.get_label().startswith("Pareto"))
    assert sorted(front.get_xdata()) == sorted(e.prediction.output_tokens_per_s_per_user for e in serving.pareto)
    with pytest.raises(TypeError, match="SearchResult"):
        plots.pareto_front(42)


@needs_matplotlib
def test_scaling_curves_take_the_best_plan_per_count() -> None:
    from pdcost import plots
    searches = {gpus: _model(gpus).search(global_batch_size=64, top_k=3, threads=1) for gpus in (8, 16)}
    fig = plots.scaling_curves(searches)
    throughput, mfu = fig.axes[0].get_lines()[0], fig.axes[1].get_lines()[0]   # two panels
    assert list(throughput.get_xdata()) == [8, 16]
    assert list(throughput.get_ydata()) == [searches[8].results[0].throughput, searches[16].results[0].throughput]
    assert list(mfu.get_ydata()) == pytest.approx([100 * searches[g].results[0].prediction.mfu for g in (8, 16)])
    # plan_run rows (pdcost plan --gpu-counts) work the same way.
    from pdcost import plan_run
    runs = plan_run(_model(8), global_batch_size=64, tokens=1e9, gpus=[8, 16])
    fig = plots.scaling_curves(runs)
    assert list(fig.axes[0].get_lines()[0].get_ydata()) == [r.tokens_per_second_per_gpu for r in runs]
    with pytest.raises(ValueError, match="no GPU count"):
        plots.scaling_curves([])


@needs_matplotlib
def test_validation_scatter_mape_by_hand() -> None:
    from pdcost import plots
    # Two training runs of two sources and one serving run: |110-100|/100 = 10 %,
    # |180-200|/200 = 10 %, so MAPE 10.0 % over 2 runs; the serving metric is its own figure.
    report = {"runs": [
        {"id": "a", "status": "ok", "source": "repo-a",
         "tokens_per_s_per_gpu": {"measured": 100.0, "predicted": 110.0, "error_pct": 10.0}},
        {"id": "b", "status": "ok", "source": "repo-b",
         "tokens_per_s_per_gpu": {"measured": 200.0, "predicted": 180.0, "error_pct": -10.0}},
        {"id": "c", "status": "skipped", "source": "repo-b", "reason": "no model"}],
        "serving": {"runs": [{"id": "s", "source_group": "vllm-bench", "skipped": None,
                              "comparisons": {"ttft_ms": {"measured": 50.0, "predicted": 40.0}}}]}}
    fig = plots.validation_scatter(report)
    ax = fig.axes[0]
    assert ax.get_title() == "Predicted vs measured tokens/s/GPU: MAPE 10.0% over 2 runs"
    assert sorted(t.get_text() for t in ax.get_legend().get_texts() if "repo" in t.get_text()) == \
        ["repo-a (1)", "repo-b (1)"]
    fig = plots.validation_scatter(json.dumps(report), "ttft_ms")
    assert "MAPE 20.0% over 1 runs" in fig.axes[0].get_title()   # |40-50|/50
    with pytest.raises(ValueError, match="metric='mfu' has no compared run; the report compares "
                                         "tokens_per_s_per_gpu, ttft_ms"):
        plots.validation_scatter(report, "mfu")


@needs_matplotlib
def test_cli_plot_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    step = tmp_path / "step.svg"
    assert main(["predict", "--model", "llama3-8b", "--gpus", "8", "--tp", "2", "--seq-len", "4096",
                 "--plot", str(step)]) == 0
    assert step.read_text().lstrip().startswith("<?xml") and "<svg" in step.read_text()
    pareto = tmp_path / "pareto.png"
    assert main(["search", "--model", "llama3-8b", "--gpus", "8", "--seq-len", "4096", "--global-batch", "64",
                 "--top", "3", "--threads", "1", "--plot", str(pareto)]) == 0
    assert pareto.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["predict", "--model", "llama3-8b", "--plot", str(tmp_path / "step.txt")])
    assert "must end in .svg, .png or .pdf" in capsys.readouterr().err
