"""DeepSpeed ZeRO-Offload / ZeRO-Infinity through Python and the CLI: the settings, the host
inputs, host memory per node in the result, errors naming the key, and the search varying
offload. Expected values are hand calculations (comments)."""

from __future__ import annotations

import json

import pytest

from pdcost import HardwareConfig, ModelConfig, ParallelConfig, PDCostModel, TrainingConfig
from pdcost.cli import main
from pdcost.errors import InfeasiblePlanError
from pdcost.settings import FrameworkSettings

GIB = 2**30
P_8B = 8_030_261_248  # Meta's Llama-3-8B parameters
EMBEDDING = 128_256 * 4096  # its largest tensor


def _model(settings: dict[str, str], gpus: int = 1, **host: float) -> PDCostModel:
    training = TrainingConfig(sequence_length=4096, micro_batch_size=2, gradient_accumulation_steps=4,
                              recompute_granularity="full", framework="deepspeed")
    hardware = HardwareConfig(gpu="H100-SXM-80GB", num_nodes=1, gpus_per_node=gpus, **host)
    return PDCostModel(ModelConfig.from_name("llama3-8b"), hardware, training,
                       settings=FrameworkSettings(**settings))  # type: ignore[arg-type]


def test_zero_offload_fits_one_gpu_and_reports_host_memory() -> None:
    plan = ParallelConfig(sharding="stage2")
    assert not _model({}).predict(plan).fits_memory  # 16 B per parameter = 128 GB > 80 GB
    r = _model({"offload_optimizer": "cpu"}).predict(plan)
    assert r.fits_memory
    assert r.memory_breakdown.optimizer_memory_gb == 0
    # fp32 master + two moments + fp32 gradients (16 B per parameter) + the pinned bf16 buffer
    # of the largest tensor: 120.64 GiB.
    assert r.host_memory_gb * GIB == pytest.approx(16 * P_8B + 2 * EMBEDDING, rel=1e-12)
    assert r.host["host_memory_capacity_bytes"] == 2 * 2**40
    assert r.host["cpu_optimizer_s"] == pytest.approx(P_8B / 4e9)  # 4e9 CPU Adam updates/s
    assert r.host["fits_host_memory"] is True


def test_small_host_does_not_fit() -> None:
    r = _model({"offload_optimizer": "cpu"}, host_memory_gb=64).predict(ParallelConfig(sharding="stage2"))
    assert not r.fits_memory and r.host["fits_host_memory"] is False


def test_offload_param_needs_zero3() -> None:
    cm = _model({"offload_param": "cpu"}, gpus=8)
    with pytest.raises(InfeasiblePlanError, match=r"offload_param='cpu'.*zero_stage=2"):
        cm.predict(ParallelConfig(dp=8, sharding="stage2"))
    r = cm.predict(ParallelConfig(dp=8, sharding="stage3"))
    assert r.host["parameter_fetch_exposed_s"] + r.host["parameter_fetch_overlapped_s"] > 0


def test_offload_settings_are_deepspeed_only() -> None:
    with pytest.raises(ValueError, match="offload_optimizer"):
        PDCostModel(ModelConfig.from_name("llama3-8b"), HardwareConfig(gpu="H100-SXM-80GB", gpus_per_node=1),
                    TrainingConfig(sequence_length=4096), settings=FrameworkSettings(offload_optimizer="cpu"))


def test_search_varies_offload() -> None:
    cm = _model({})
    result = cm.search(global_batch_size=8, optimizer_offload_ratios=(0.0, 1.0), micro_batch_sizes=(1, 2))
    best = result.results[0]
    assert best.optimizer_offload_ratio == 1.0
    assert result.stats.pruned.get("optimizer_offload", 0) > 0
    # The entry predicts to the same numbers (the ratio is DeepSpeed's offload_optimizer.ratio).
    again = cm.predict(best.parallel, **best.predict_options())
    assert again.step_time_ms == best.prediction.step_time_ms
    assert again.host_memory_gb > 100


def test_cli_predict_offload(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["predict", "--model", "llama3-8b", "--gpus", "1", "--framework", "deepspeed", "--zero", "2",
            "--seq-len", "4096", "--mbs", "2", "--global-batch", "8", "--recompute", "full",
            "--offload-optimizer", "cpu"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "Host (offload), per node" in text and "fits: yes" in text
    assert main(args + ["--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["prediction"]["host_memory_gb"] == pytest.approx((16 * P_8B + 2 * EMBEDDING) / GIB)
    assert main(args + ["--host-memory-gib", "64"]) == 0
    assert "does NOT fit" in capsys.readouterr().out


def test_host_field_names_are_the_headers() -> None:
    """results.HOST_FIELDS lists pdcost_host_prediction's doubles in header order."""
    import re
    from pathlib import Path

    from pdcost.results import HOST_FIELDS

    header = (Path(__file__).resolve().parents[2] / "include" / "pdcost.h").read_text(encoding="utf-8")
    body = header[header.index("typedef struct pdcost_host_prediction {"):header.index("} pdcost_host_prediction;")]
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    assert tuple(re.findall(r"double (\w+);", body)) == HOST_FIELDS


def test_cli_search_offload(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["search", "--model", "llama3-8b", "--gpus", "1", "--framework", "deepspeed", "--seq-len", "4096",
            "--global-batch", "8", "--mbs", "1", "2", "--offload-ratios", "0", "1", "--threads", "1"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "offload=cpu:1" in text and "optimizer_offload" in text


def test_readme_offload_example_is_true(capsys: pytest.CaptureFixture[str]) -> None:
    """README's Offload example: the command it shows prints the numbers it states."""
    import re
    import shlex
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("## Offload"):]
    block = block[block.index("```sh") + 5:block.index("```", block.index("```sh") + 5)]
    command = block.split("\n# ")[0].replace("\\\n", " ")
    stated = re.search(r"fits: ([\d.]+) GiB allocated on the GPU, host memory ([\d.]+) GiB per node, "
                       r"([\d,]+) tokens/s", block)
    assert stated is not None
    argv = shlex.split(command)[1:]
    assert main(argv + ["--json"]) == 0
    r = json.loads(capsys.readouterr().out)["prediction"]
    assert r["fits_memory"]
    assert f"{r['memory_breakdown']['allocated_memory_gb']:.1f}" == stated.group(1)
    assert f"{r['host_memory_gb']:.1f}" == stated.group(2)
    assert f"{r['tokens_per_second']:,.0f}" == stated.group(3)
