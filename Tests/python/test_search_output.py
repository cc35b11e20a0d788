"""The search table reads at a glance and every row can be priced again with `pdcost predict`."""

from __future__ import annotations

import json
import shlex

import pytest

from pdcost.cli import _duration, main

SEARCH = ["search", "--model", "llama3-8b", "--gpus", "8", "--seq-len", "4096", "--global-batch", "64",
          "--top", "3", "--threads", "1"]


def test_durations_switch_units() -> None:
    assert _duration(3227.1) == "3,227 ms"
    assert _duration(62_083.8) == "62.1 s"          # the 62-second step
    assert _duration(600_000) == "10.0 min"
    assert _duration(12.345) == "12.35 ms"


def test_printed_predict_line_reprices_the_best_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(SEARCH + ["--json"]) == 0
    ranked = json.loads(capsys.readouterr().out)["results"]
    assert main(SEARCH) == 0
    text = capsys.readouterr().out
    assert "recompute=full(N): N layers" in text           # the legend
    line = next(l.strip() for l in text.splitlines() if l.strip().startswith("pdcost predict"))
    assert main(shlex.split(line)[1:] + ["--json"]) == 0
    again = json.loads(capsys.readouterr().out)["prediction"]
    assert again["tokens_per_second_per_gpu"] == pytest.approx(ranked[0]["prediction"]["tokens_per_second_per_gpu"], rel=1e-9)


def test_recompute_num_layers_is_a_predict_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(SEARCH + ["--json"]) == 0
    ranked = json.loads(capsys.readouterr().out)["results"]
    partial = next(r for r in ranked if r.get("recompute_num_layers"))
    plan = partial["plan"]
    argv = ["predict", "--model", "llama3-8b", "--gpus", "8", "--tp", str(plan["tp"]), "--pp", str(plan["pp"]),
            "--zero", str(plan["zero_stage"]), "--mbs", str(partial["micro_batch_size"]), "--seq-len", "4096",
            "--global-batch", "64", "--recompute", "full",
            "--recompute-num-layers", str(partial["recompute_num_layers"]), "--json"]
    if plan.get("sequence_parallel"):
        argv.append("--sp")
    assert main(argv) == 0
    again = json.loads(capsys.readouterr().out)["prediction"]
    assert again["tokens_per_second_per_gpu"] == pytest.approx(partial["prediction"]["tokens_per_second_per_gpu"], rel=1e-9)
    assert main(["predict", "--model", "llama3-8b", "--recompute-num-layers", "2"]) != 0
    assert "needs --recompute full" in capsys.readouterr().err


def test_compare_columns_equal_predict(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--model", "llama3-70b", "--gpus", "64", "--seq-len", "8192", "--global-batch", "512", "--sp"]
    assert main(["compare", *base, "--plan", "tp=4 pp=4", "--plan", "tp=8 pp=2 tp_comm_overlap=true",
                 "--json"]) == 0
    columns = json.loads(capsys.readouterr().out)["columns"]
    assert [c["plan"] for c in columns] == ["tp=4 pp=4", "tp=8 pp=2 tp_comm_overlap=true"]
    for extra, column in ((["--tp", "4", "--pp", "4"], columns[0]),
                          (["--tp", "8", "--pp", "2", "--tp-comm-overlap"], columns[1])):
        assert main(["predict", *base, *extra, "--json"]) == 0
        alone = json.loads(capsys.readouterr().out)["prediction"]
        assert column["prediction"]["step_time_ms"] == pytest.approx(alone["step_time_ms"], rel=1e-12)
    assert main(["compare", *base, "--plan", "tp=4 pp=4", "--plan", "banana=3"]) != 0
    assert "--plan 'banana=3': --banana 3 is not a predict option" in capsys.readouterr().err
    assert main(["compare", *base, "--plan", "tp=four"]) != 0
    assert "--plan 'tp=four'" in capsys.readouterr().err


def test_notebook_reprs_are_escaped_tables() -> None:
    from pdcost import HardwareConfig, ModelConfig, ParallelConfig, PDCostModel, TrainingConfig

    cm = PDCostModel(ModelConfig.from_name("llama3-8b"), HardwareConfig(gpu="H100-SXM-80GB", num_nodes=1, gpus_per_node=8),
                     TrainingConfig(sequence_length=4096))
    r = cm.predict(ParallelConfig(tp=2, dp=4))
    page = r._repr_html_()
    assert page.startswith("<table>") and "tokens/s/GPU" in page and f"{r.tokens_per_second_per_gpu:,.0f}" in page
    found = cm.search(total_gpus=8, global_batch_size=64, top_k=3, threads=1)
    page = found._repr_html_()
    assert page.count("<tr>") == 1 + 3 and "<script" not in page
