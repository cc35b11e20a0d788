"""Run planner (pdcost.plan_run, `pdcost plan`): tokens → days, GPU-hours, cost, energy, each
checked by hand from the plan's own throughput, and the compute-optimal token counts against
Hoffmann et al. 2022."""

from __future__ import annotations

import json
import math

import pytest

from pdcost import (HardwareConfig, ModelConfig, PDCostModel, TrainingConfig, chinchilla_for_compute,
                    chinchilla_tokens, plan_run)
from pdcost.cli import main


def _model(gpus: int = 64) -> PDCostModel:
    return PDCostModel(ModelConfig.from_name("llama2-7b"),
                       HardwareConfig(gpu="H100-SXM-80GB", num_nodes=gpus // 8, gpus_per_node=8),
                       TrainingConfig(sequence_length=4096))


def test_chinchilla_counts() -> None:
    # Hoffmann et al. 2022, Table 3: 70 B parameters ↔ 1.4 T tokens (20 per parameter).
    assert chinchilla_tokens(70e9) == pytest.approx(1.4e12)
    # Chinchilla itself: 70 B on 1.4 T is C = 6·N·D = 5.88e23 FLOPs; invert it.
    n, d = chinchilla_for_compute(6 * 70e9 * 1.4e12)
    assert n == pytest.approx(70e9, rel=1e-12) and d == pytest.approx(1.4e12, rel=1e-12)
    with pytest.raises(ValueError, match="parameters"):
        chinchilla_tokens(-1)


def test_run_arithmetic_by_hand() -> None:
    run = plan_run(_model(), global_batch_size=1024, tokens=2e12, price_per_gpu_hour=2.0)[0]
    # days = tokens / (tokens/s) / 86,400; GPU-hours = GPUs × hours; cost = GPU-hours × $2;
    # energy = 64 GPUs × 700 W (H100 SXM TDP) × 1.0 × PUE 1.2 × hours.
    hours = 2e12 / run.tokens_per_second / 3600
    assert run.gpus == 64
    assert run.tokens_per_second == pytest.approx(64 * run.tokens_per_second_per_gpu, rel=1e-9)
    assert run.days == pytest.approx(hours / 24, rel=1e-12)
    assert run.gpu_hours == pytest.approx(64 * hours, rel=1e-12)
    assert run.cost == pytest.approx(2.0 * 64 * hours, rel=1e-12)
    assert run.energy_mwh == pytest.approx(64 * 700 * 1.2 * hours / 1e6, rel=1e-12)
    # Default tokens: 20 per parameter of the model.
    default = plan_run(_model(), global_batch_size=1024)[0]
    assert default.tokens == pytest.approx(20 * ModelConfig.from_name("llama2-7b").num_parameters())


def test_inverse_finds_the_fewest_gpus() -> None:
    runs = plan_run(_model(), global_batch_size=1024, tokens=2e12, days=7)
    assert len(runs) == 1 and runs[0].days <= 7
    # Half as many GPUs (the previous doubling) would not finish in time.
    if runs[0].gpus > 8:
        slower = plan_run(_model(), global_batch_size=1024, tokens=2e12, gpus=runs[0].gpus // 2)
        assert not slower or slower[0].days > 7
    with pytest.raises(ValueError, match="days"):
        plan_run(_model(), global_batch_size=1024, tokens=2e12, days=1e-6, max_gpus=64)


def test_bad_inputs_are_named() -> None:
    for kw in ({"tokens": -5.0}, {"pue": 0.0}, {"price_per_gpu_hour": math.inf}):
        with pytest.raises(ValueError, match=next(iter(kw))):
            plan_run(_model(), global_batch_size=1024, **kw)  # type: ignore[arg-type]


def test_cli_plan_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plan", "--model", "llama2-7b", "--gpus", "64", "--gpu-counts", "64,128",
                 "--tokens", "2e12", "--global-batch", "1024", "--price", "2", "--json"])
    assert code == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [r["gpus"] for r in runs] == [64, 128]
    for r in runs:
        assert r["cost"] == pytest.approx(2 * r["gpu_hours"], rel=1e-12)
    with pytest.raises(SystemExit) as exit_:
        main(["plan", "--model", "llama2-7b", "--global-batch", "1024", "--tokens", "-1"])
    assert exit_.value.code == 2
    assert "--tokens=-1 must be a finite number > 0" in capsys.readouterr().err


def test_cli_profile_prices_predict_and_search(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    from pdcost import CalibrationProfile
    # A profile that halves the 16-bit GEMM efficiency makes the same plan slower.
    path = tmp_path / "slow.json"
    CalibrationProfile(efficiency={"gemm_peak_fraction16": 0.35}).save(path)
    args = ["predict", "--model", "llama2-7b", "--gpus", "8", "--seq-len", "4096", "--json"]
    assert main(args) == 0
    base = json.loads(capsys.readouterr().out)["prediction"]["step_time_ms"]
    assert main(args + ["--profile", str(path)]) == 0
    slow = json.loads(capsys.readouterr().out)["prediction"]["step_time_ms"]
    assert slow > base


def test_readme_plan_example_is_true(capsys: pytest.CaptureFixture[str]) -> None:
    """README's "Planning a run" block prints the rows it shows."""
    import shlex
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("### Planning a run"):]
    block = block[block.index("```sh") + 5:block.index("```", block.index("```sh") + 5)]
    command, _, shown = block.partition("\n# ")
    assert main(shlex.split(command.replace("\\\n", " "))[1:]) == 0
    printed = [" ".join(line.split()) for line in capsys.readouterr().out.splitlines()]
    for row in ("# " + shown).strip().splitlines():
        assert " ".join(row.lstrip("# ").split()) in printed, row
