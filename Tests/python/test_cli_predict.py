"""`pdcost predict` and `pdcost validate`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pdcost.cli import main

DEV_RUNS = Path(__file__).resolve().parents[2].parent / "shared" / "validation" / "dev_runs.json"


def test_predict_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predict", "--model", "llama3-8b", "--gpus", "8", "--tp", "2"]) == 0
    out = capsys.readouterr().out
    for text in ("Step time", "MFU / HFU", "tokens/s/GPU", "allocated", "reserved",
                 "fits:", "dp=4"):
        assert text in out


def test_predict_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predict", "--model", "llama3-8b", "--gpus", "16", "--tp", "2", "--pp", "2",
                 "--mbs", "1", "--global-batch", "64", "--recompute", "selective", "--sp",
                 "--zero", "1", "--framework", "nemo", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["plan"]["dp"] == 4 and report["num_gpus"] == 16
    p = report["prediction"]
    assert p["global_batch_size"] == 64 and p["gradient_accumulation_steps"] == 16
    assert p["step_time_ms"] > 0 and 0 < p["mfu"] < 1
    assert p["memory_breakdown"]["allocated_memory_gb"] <= p["memory_breakdown"]["reserved_memory_gb"]


@pytest.mark.parametrize("argv, needle", [
    (["--gpus", "24", "--tp", "3", "--dp", "8"], "tp=3"),
    (["--tp", "3"], "tp*pp*cp=3"),
    (["--global-batch", "12"], "--global-batch=12"),
    (["--recompute-modules", "moe_act"], "--recompute-modules=moe_act needs --recompute selective"),
    (["--recompute", "selective", "--recompute-modules", "attn"], "'attn' is not one of"),
])
def test_predict_user_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str],
                                    needle: str) -> None:
    assert main(["predict", "--model", "llama3-8b", *argv]) == 2
    err = capsys.readouterr().err
    assert needle in err and len(err.strip().splitlines()) == 1


def test_predict_recompute_modules(capsys: pytest.CaptureFixture[str]) -> None:
    # Recomputing the MLP too keeps less than the attention core alone.
    base = ["predict", "--model", "llama3-8b", "--gpus", "8", "--recompute", "selective", "--json"]
    assert main(base) == 0
    core = json.loads(capsys.readouterr().out)["prediction"]["memory_breakdown"]["activation_memory_gb"]
    assert main(base + ["--recompute-modules", "core_attn,mlp"]) == 0
    mlp = json.loads(capsys.readouterr().out)["prediction"]["memory_breakdown"]["activation_memory_gb"]
    assert 0 < mlp < core


def test_predict_unknown_model_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predict", "--model", "no-such-model"]) == 2
    assert "config.json" in capsys.readouterr().err


def test_validate_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["validate", str(tmp_path / "absent.json")]) == 2
    assert "absent.json" in capsys.readouterr().err


@pytest.mark.skipif(not DEV_RUNS.exists(), reason=f"{DEV_RUNS} not present")
def test_validate_dev_runs_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(DEV_RUNS), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {"runs", "summary"}
    assert report["runs"] and all("id" in run and "status" in run for run in report["runs"])
    assert "tokens_per_s_per_gpu" in report["summary"]


@pytest.mark.skipif(not DEV_RUNS.exists(), reason=f"{DEV_RUNS} not present")
def test_validate_dev_runs_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(DEV_RUNS), "--only-complete"]) == 0
    assert "tok/s/GPU" in capsys.readouterr().out
