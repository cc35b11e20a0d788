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


def _printed_predict_lines(text: str) -> list[tuple[int, str]]:
    """(rank, line) of every `pdcost predict` line under the search table's "#k" blocks."""
    lines, rank = [], None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") and line[1:].split(" ", 1)[0].isdigit():
            rank = int(line[1:].split(" ", 1)[0])
        elif line.startswith("pdcost predict") and rank is not None:
            lines.append((rank, line))
    return lines


@pytest.mark.parametrize("extra", [[], ["--tp-comm-overlap", "--vary-settings", "cuda_graphs"]])
def test_every_printed_predict_line_reprices_its_plan(capsys: pytest.CaptureFixture[str], extra: list[str]) -> None:
    assert main(SEARCH + extra + ["--json"]) == 0
    ranked = {r["rank"]: r for r in json.loads(capsys.readouterr().out)["results"]}
    assert main(SEARCH + extra) == 0
    text = capsys.readouterr().out
    for notation in ("recompute=full(N): N layers", "(a/b): uneven pipeline", "exposed comm: communication per step",
                     "+N equivalent"):
        assert notation in text          # the legend explains the table's notation
    printed = _printed_predict_lines(text)
    assert [rank for rank, _ in printed] == sorted(ranked)[:len(printed)] and len(printed) == 3
    for rank, line in printed:
        assert main(shlex.split(line)[1:] + ["--json"]) == 0
        again = json.loads(capsys.readouterr().out)["prediction"]
        for key in ("tokens_per_second_per_gpu", "step_time_ms", "mfu"):
            assert again[key] == pytest.approx(ranked[rank]["prediction"][key], rel=1e-9), (rank, key, line)
        assert again["memory_breakdown"]["allocated_memory_gb"] == pytest.approx(
            ranked[rank]["prediction"]["memory_breakdown"]["allocated_memory_gb"], rel=1e-9)


def test_equivalent_plans_collapse(capsys: pytest.CaptureFixture[str]) -> None:
    # Two GPUs, TP=2 leaves dp=1: ZeRO 0 and ZeRO 1 shard over one rank, the same plan, so the
    # search ranks both with the same numbers and the table shows one row "(+1 equivalent: zero 0|1)".
    job = ["search", "--model", "llama3-8b", "--gpus", "2", "--seq-len", "4096", "--global-batch", "16",
           "--top", "4", "--threads", "1"]
    assert main(job + ["--json"]) == 0
    ranked = json.loads(capsys.readouterr().out)["results"]
    first, second = ranked[0], ranked[1]
    assert {first["plan"]["zero_stage"], second["plan"]["zero_stage"]} == {0, 1}
    assert first["plan"]["dp"] == 1 and first["prediction"]["step_time_ms"] == second["prediction"]["step_time_ms"]
    assert main(job) == 0
    text = capsys.readouterr().out
    table = [l for l in text.splitlines() if l.strip()[:1].isdigit()]
    assert "(+1 equivalent: zero 0|1)" in table[0]
    assert [l.split()[0] for l in table] == ["1", "3"]   # ranks 2 and 4 folded into 1 and 3
    assert len(_printed_predict_lines(text)) == 2


def test_pipeline_breakdown_names_its_stage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--model", "llama3-70b", "--gpus", "64", "--seq-len", "8192", "--global-batch", "512",
                 "--top", "1", "--threads", "1", "--json"]) == 0
    best = json.loads(capsys.readouterr().out)["results"][0]
    pp = best["plan"]["pp"]
    assert pp > 1   # the README's quick-start job pipelines (tp=4 pp=4)
    assert main(["search", "--model", "llama3-70b", "--gpus", "64", "--seq-len", "8192", "--global-batch", "512",
                 "--top", "1", "--threads", "1"]) == 0
    text = capsys.readouterr().out
    peak = best["prediction"]["memory_breakdown"]["peak_stage"]
    assert f"compute: the slowest of {pp} stages" in text
    assert f"memory: stage {peak} of stages 0-{pp - 1} (the busiest)" in text
    # 512 sequences, mbs 1, dp 4 → 128 micro-batches (hand count: 512 / (1 × 4))
    if best["micro_batch_size"] == 1 and best["plan"]["dp"] == 4:
        assert "128 micro-batches" in text
    assert " s =" in text    # a 60-second step reads in seconds


def test_search_dataframe() -> None:
    pandas = pytest.importorskip("pandas")
    from pdcost import HardwareConfig, ModelConfig, PDCostModel, TrainingConfig
    cm = PDCostModel(ModelConfig.from_name("llama3-8b"), HardwareConfig(gpu="H100-SXM-80GB", num_nodes=1, gpus_per_node=8),
                     TrainingConfig(sequence_length=4096))
    found = cm.search(global_batch_size=64, top_k=3, threads=1)
    frame = found.to_dataframe()
    assert isinstance(frame, pandas.DataFrame) and list(frame["rank"]) == [1, 2, 3]
    assert list(frame["tokens_per_second_per_gpu"]) == [e.throughput for e in found.results]


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
