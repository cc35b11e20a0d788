"""pdcost report: one self-contained page (or Markdown with SVGs beside it) of a plan and its
search; headless Chromium renders the page and the figure and tables show."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import pdcost
from pdcost import FrameworkSettings, HardwareConfig, ModelConfig, ParallelConfig, PDCostModel, TrainingConfig
from pdcost.cli import main

try:
    import matplotlib  # noqa: F401
    HAVE_MATPLOTLIB = True
except ImportError:
    HAVE_MATPLOTLIB = False
needs_matplotlib = pytest.mark.skipif(not HAVE_MATPLOTLIB, reason="matplotlib is not installed (pdcost[plots])")

#: The README's quick-start job (README.md, "Quick start").
QUICK_START = ["--model", "llama3-70b", "--gpu", "H100-SXM-80GB", "--gpus", "64", "--seq-len", "8192",
               "--global-batch", "512"]


def _model(settings: FrameworkSettings | None = None) -> PDCostModel:
    return PDCostModel(ModelConfig.from_name("llama3-8b"),
                       HardwareConfig(gpu="H100-SXM-80GB", num_nodes=1, gpus_per_node=8),
                       TrainingConfig(sequence_length=4096), settings=settings)


def _text(page: str) -> str:
    """The page's visible text, tags dropped and entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", " ", page, flags=re.S)))


def test_python_report_of_a_search(tmp_path: Path) -> None:
    cm = _model(FrameworkSettings(tp_comm_overlap=True))
    found = cm.search(global_batch_size=64, top_k=5, threads=1)
    best = found.results[0]
    page = pdcost.report(cm, search=found, out=tmp_path / "r.html", top=5)
    assert page.files[0] == str(tmp_path / "r.html") and (tmp_path / "r.html").read_text() == page
    text = _text(page)
    # The plan reported is the search's best, priced again: the same numbers.
    again = cm.predict(best.parallel, **best.predict_options())
    assert again.step_time_ms == pytest.approx(best.prediction.step_time_ms, rel=1e-9)
    assert f"{best.prediction.tokens_per_second_per_gpu:,.0f}" in text
    assert "Search: the 5 best plans" in text and "Pruned candidates" in text
    # Settings: the one the user stated is marked "set", every other key "default".
    rows = dict(re.findall(r'<tr class="(set|default)"><td>(\w+)</td>', page)[i][::-1]
                for i in range(len(re.findall(r'<tr class="(set|default)">', page))))
    assert rows["tp_comm_overlap"] == "set"
    assert rows["cuda_graphs"] == "default" and list(rows.values()).count("set") == 1
    # Self-contained: no script, stylesheet link or remote image; the timeline is the only file beside it.
    assert "<script" not in page and "<link" not in page and not re.search(r'src="https?:', page)
    trace = json.loads((tmp_path / "r.trace.json").read_text())
    assert trace["traceEvents"] and 'href="r.trace.json"' in page
    if HAVE_MATPLOTLIB:
        assert page.count("<svg") == 3   # step, memory, Pareto front
    else:
        assert "No figures: pdcost.plots needs matplotlib" in text


def test_report_of_a_varied_search_prices_the_entry_as_ranked() -> None:
    # seq_len given to search only, and a setting varied: the report's plan is priced as the
    # search priced it (same step time), and the varied setting shows as set.
    cm = _model()
    found = cm.search(seq_len=2048, global_batch_size=32, top_k=3, threads=1, vary_settings=("cuda_graphs",))
    best = found.results[0]
    page = pdcost.report(cm, search=found)
    assert "sequence 2,048 tokens" in _text(page)
    assert f"{best.prediction.tokens_per_second_per_gpu:,.0f}" in _text(page)
    state = re.search(r'<tr class="(set|default)"><td>cuda_graphs</td><td>(\w+)</td>', page)
    assert state is not None and state.groups() == ("set", "true" if best.settings["cuda_graphs"] else "false")


def test_report_given_plan_and_errors(tmp_path: Path) -> None:
    cm = _model()
    plan = ParallelConfig(tp=2, pp=2, dp=2)
    page = pdcost.report(cm, parallel=plan, trace=False)
    assert "Search" not in _text(page) and page.files == []
    peak = cm.predict(plan).memory_breakdown.peak_stage
    assert f"The breakdown is pipeline stage {peak}'s (stages 0–1; the busiest)" in _text(page)
    assert "pipeline bubble" in _text(page)
    with pytest.raises(ValueError, match="give parallel= or a search"):
        pdcost.report(cm)
    with pytest.raises(ValueError, match="format='pdf' must be 'html' or 'md'"):
        pdcost.report(cm, parallel=ParallelConfig(dp=8), format="pdf")  # type: ignore[arg-type]


@needs_matplotlib
def test_markdown_report_writes_svgs_beside(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "job.md"
    assert main(["report", "--model", "llama3-8b", "--gpus", "8", "--seq-len", "4096", "--global-batch", "64",
                 "--top", "3", "--threads", "1", "-o", str(out)]) == 0
    printed = capsys.readouterr().out.split()
    assert printed[0] == str(out) and str(tmp_path / "job.trace.json") in printed
    text = out.read_text()
    for slug in ("step", "memory", "pareto"):
        svg = tmp_path / f"job-{slug}.svg"
        assert svg.exists() and f"](job-{slug}.svg)" in text
    assert "| setting | value | set by | what it is |" in text
    assert "pdcost predict --model llama3-8b" in text   # the Reproduce block


def test_quick_start_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`pdcost report <the README's quick-start job> -o report.html` works."""
    out = tmp_path / "report.html"
    assert main(["report", *QUICK_START, "--threads", "2", "-o", str(out)]) == 0
    page = out.read_text()
    assert "llama3-70b on 64× H100-SXM-80GB (megatron, bfloat16)" in _text(page)
    assert "pdcost report --model llama3-70b" in _text(page)     # the Reproduce block
    assert (tmp_path / "report.trace.json").exists()


# --------------------------------------------------------------------------------------------
# Rendering in headless Chromium
# --------------------------------------------------------------------------------------------

def _chromium() -> str | None:
    for name in ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _png_rgb(path: Path) -> Any:
    """The screenshot as an (height, width, 3) array of 0-255 values (matplotlib's PNG reader:
    the figures need matplotlib anyway)."""
    from matplotlib import image
    pixels = image.imread(str(path))
    return (pixels[:, :, :3] * 255).round()


@needs_matplotlib
@pytest.mark.skipif(_chromium() is None, reason="no headless Chromium (scripts/test.sh installs chromium-headless-shell)")
def test_chromium_renders_the_report(tmp_path: Path) -> None:
    cm = _model()
    found = cm.search(global_batch_size=64, top_k=5, threads=1)
    page = tmp_path / "report.html"
    pdcost.report(cm, search=found, out=page, top=5)
    browser = _chromium()
    assert browser is not None
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--window-size=1280,1400"]
    dom = subprocess.run(flags + ["--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120,
                         check=True).stdout
    # The tables are in the rendered DOM.
    best = found.results[0].prediction
    assert "Step time" in dom and "Memory per GPU (GiB)" in dom and "Framework settings" in dom
    assert f"{best.tokens_per_second_per_gpu:,.0f}" in html.unescape(dom)
    shot = tmp_path / "report.png"
    subprocess.run(flags + [f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120, check=True)
    rgb = _png_rgb(shot)
    assert rgb.shape == (1400, 1280, 3)
    # The step-time figure comes first under the summary: its compute bar is drawn in
    # pdcost.plots' compute colour (#1f77b4 = 31,119,180), which nothing else on the page uses,
    # so a block of it in the upper part of the page is the figure, rendered.
    top = rgb[:900]
    compute = (abs(top - (31, 119, 180)) <= 12).all(axis=2).sum()
    assert compute > 2000, compute
    # And the page is not blank: many rows of the upper part hold non-background pixels.
    busy = (top.min(axis=2) < 200).any(axis=1).sum()
    assert busy > 300, busy
