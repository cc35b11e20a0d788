"""Calibration profiles and fitting to measured runs: pdcost.profile, pdcost.fitting,
PDCostModel.use_profile / predict_calibrated, validate_runs(profile=), and the CLI
(`pdcost calibrate --runs`, `pdcost validate --profile`)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pdcost import (
    CalibrationNotAppliedWarning,
    CalibrationProfile,
    CancelledError,
    InvalidArgumentError,
    ModelConfig,
    ParallelConfig,
    PDCostModel,
    efficiency_parameters,
    fit,
    validate_runs,
)

MODEL = {"model_type": "llama", "num_hidden_layers": 16, "hidden_size": 2048, "intermediate_size": 8192,
         "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 128, "vocab_size": 32000,
         "tie_word_embeddings": False, "hidden_act": "silu"}


def truth(**scales: float) -> CalibrationProfile:
    return CalibrationProfile(source="manual", efficiency_scale=scales)


def run_record(i: int, gpu: str, tp: int, seq: int, tokens: float) -> dict:
    return {"id": f"r{i}", "source": f"src/{gpu}@0", "kind": "training", "model": MODEL,
            "hardware": {"gpu": gpu, "num_gpus": 8, "gpus_per_node": 8},
            "parallel": {"tp": tp, "pp": 1, "vpp": 1, "dp": 8 // tp, "cp": 1, "ep": 1,
                         "sequence_parallel": tp > 1, "zero_stage": 1, "fsdp": False},
            "training": {"seq_len": seq, "micro_batch_size": 1, "global_batch_size": 64,
                         "dtype": "bf16", "recompute": "none"},
            "framework": "megatron", "measured": {"tokens_per_s_per_gpu": tokens}, "complete": True}


def synthetic_runs(profile: CalibrationProfile) -> str:
    """16 runs whose measured tokens/s/GPU is the prediction under `profile`."""
    shapes = [(gpu, tp, seq) for gpu in ("H100-SXM-80GB", "A100-SXM-80GB") for tp in (1, 2, 4, 8)
              for seq in (2048, 8192)]
    draft = {"schema": "pdcost.runs/1",
             "runs": [run_record(i, *shape, tokens=1000.0) for i, shape in enumerate(shapes)]}
    report = json.loads(validate_runs(json.dumps(draft), profile=profile))
    predicted = [r["tokens_per_s_per_gpu"]["predicted"] for r in report["runs"]]
    assert len(predicted) == len(shapes)
    runs = [run_record(i, *shape, tokens=p) for i, (shape, p) in enumerate(zip(shapes, predicted))]
    return json.dumps({"schema": "pdcost.runs/1", "runs": runs})


@pytest.fixture(scope="module")
def runs_text() -> str:
    return synthetic_runs(truth(gemm_peak_fraction16=0.9))


# -- profiles -----------------------------------------------------------------------------------


def test_profile_round_trip(tmp_path):
    p = CalibrationProfile(source="manual", generation="hopper",
                           efficiency={"nvlink_fraction": 0.7},
                           efficiency_scale={"gemm_peak_fraction16": 0.95},
                           fit={"runs": 3, "parameters": [], "mape_before": 1.0, "mape_after": 1.0},
                           extra={"note": "kept"})
    again = CalibrationProfile.from_json(p.to_json())
    assert again == p
    assert again.extra == {"note": "kept"}
    path = tmp_path / "profile.json"
    p.save(path)
    assert CalibrationProfile.load(path) == p
    data = json.loads(path.read_text())
    assert data["format"] == "pdcost-profile" and data["version"] == 1
    assert "gemm_peak_fraction16" in repr(p)
    assert p.check() is p
    assert p.changes_predictions()
    assert not CalibrationProfile().changes_predictions()


def test_profile_rejects_bad_documents():
    with pytest.raises(ValueError, match="format"):
        CalibrationProfile.from_json('{"format": "other", "version": 1, "source": "x"}')
    with pytest.raises(ValueError, match="version"):
        CalibrationProfile.from_json('{"format": "pdcost-profile", "version": 9, "source": "x"}')
    with pytest.raises(ValueError, match="efficiency.nvlink_fraction"):
        CalibrationProfile(efficiency={"nvlink_fraction": "fast"})
    with pytest.raises(ValueError, match="not valid JSON"):
        CalibrationProfile.from_json("{")
    # Names and bounds are the library's to check.
    with pytest.raises(InvalidArgumentError, match="gemm_speed"):
        CalibrationProfile(efficiency_scale={"gemm_speed": 2.0}).check()
    with pytest.raises(InvalidArgumentError, match=r"nvlink_fraction=1.5"):
        CalibrationProfile(efficiency={"nvlink_fraction": 1.5}).check()


def test_efficiency_parameters_lists_names_bounds_and_fit_defaults():
    table = efficiency_parameters()
    names = {p["name"]: p for p in table["parameters"]}
    assert names["gemm_peak_fraction16"]["lower"] == 0.2 and names["gemm_peak_fraction16"]["upper"] == 1
    assert set(names["gemm_peak_fraction16"]["defaults"]) == {"volta", "ampere", "ada", "hopper", "blackwell", "blackwell_ultra"}
    assert "attention" in table["fit_groups"]
    assert "attention_half_sequence" in table["fit_defaults"]


# -- fitting ------------------------------------------------------------------------------------


def test_fit_recovers_a_known_scale(runs_text):
    calls = []
    profile = fit(runs_text, parameters=["gemm_peak_fraction16"], cv="k-fold", folds=4,
                  progress=lambda fraction, message: calls.append((fraction, message)))
    assert profile.source == "runs-fit"
    # Measured = predicted under 0.9: the fit from the defaults finds 0.9 (within 1 %).
    assert profile.efficiency_scale["gemm_peak_fraction16"] == pytest.approx(0.9, rel=0.01)
    summary = profile.fit
    assert summary["runs"] == 16 and summary["parameters"] == ["gemm_peak_fraction16"]
    assert summary["mape_before"] > 3 and summary["mape_after"] < 0.5
    assert summary["cv_method"] == "4-fold" and summary["cv_mape"] < 0.5
    assert calls and all(0 <= f <= 1 for f, _ in calls) and calls[-1][0] == 1


def test_fit_reads_files_and_reports_dropped_parameters(tmp_path, runs_text):
    path = tmp_path / "runs.json"
    path.write_text(runs_text)
    # Single-node runs: nothing crosses the network, no expert parallelism.
    profile = fit(path, parameters="gemm_peak_fraction16,network_fraction,all_to_all_fraction",
                  cv="none", select="all")
    assert profile.fit["runs_file"] == "runs.json"
    assert set(profile.fit["dropped"]) == {"network_fraction", "all_to_all_fraction"}
    assert "no run responds" in profile.fit["dropped"]["network_fraction"]


def test_fit_errors(runs_text):
    with pytest.raises(InvalidArgumentError, match="gemm_speed"):
        fit(runs_text, parameters=["gemm_speed"])
    with pytest.raises(InvalidArgumentError, match="all_to_all_fraction"):
        fit(runs_text, parameters=["all_to_all_fraction"])
    with pytest.raises(ValueError, match="cv="):
        fit(runs_text, cv="bootstrap")
    with pytest.raises(CancelledError, match="cancelled"):
        fit(runs_text, parameters=["gemm_peak_fraction16"], progress=lambda f, m: True)
    with pytest.raises(ZeroDivisionError):
        fit(runs_text, parameters=["gemm_peak_fraction16"], progress=lambda f, m: 1 / 0)


# -- predicting with a profile ------------------------------------------------------------------


def test_use_profile_changes_predict_calibrated_only(tmp_path):
    model = PDCostModel(ModelConfig.from_json(MODEL))
    plan = ParallelConfig(tp=2, dp=4)
    base = model.predict(plan)
    assert model.predict_calibrated(plan).step_time_ms == base.step_time_ms  # no profile yet
    model.use_profile(truth(gemm_peak_fraction16=0.5))
    slow = model.predict_calibrated(plan)
    # GEMMs at half their efficiency: slower, but by less than 2x (attention, memory-bound
    # kernels and communication do not scale).
    assert base.step_time_ms < slow.step_time_ms < 2 * base.step_time_ms
    with pytest.warns(CalibrationNotAppliedWarning, match="predict_calibrated"):
        assert model.predict(plan).step_time_ms == base.step_time_ms
    path = tmp_path / "p.json"
    truth(gemm_peak_fraction16=0.5).save(path)
    again = PDCostModel(ModelConfig.from_json(MODEL), profile=str(path))
    assert again.predict_calibrated(plan).step_time_ms == slow.step_time_ms
    model.use_profile(None)
    assert model.predict_calibrated(plan).step_time_ms == base.step_time_ms
    with pytest.raises(InvalidArgumentError, match="nvlink_fraction"):
        model.use_profile(CalibrationProfile(efficiency={"nvlink_fraction": 3.0}))
    with pytest.raises(TypeError):
        model.use_profile(42)


def test_validate_runs_with_profile(runs_text):
    before = json.loads(validate_runs(runs_text))["summary"]["tokens_per_s_per_gpu"]["mape"]
    after = json.loads(validate_runs(runs_text, profile=truth(gemm_peak_fraction16=0.9)))
    assert before > 3
    assert after["summary"]["tokens_per_s_per_gpu"]["mape"] < 1e-3


# -- command line -------------------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pdcost.cli", *args], capture_output=True, text=True,
                          timeout=120)


def test_cli_calibrate_runs_then_validate_with_profile(tmp_path, runs_text):
    runs = tmp_path / "runs.json"
    runs.write_text(runs_text)
    out = tmp_path / "profile.json"
    result = cli("calibrate", "--runs", str(runs), "--params", "gemm_peak_fraction16", "--cv", "k-fold",
                 "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "MAPE" in result.stdout and "cross-validated (5-fold)" in result.stdout
    assert "gemm_peak_fraction16" in result.stdout
    profile = CalibrationProfile.load(out)
    assert profile.efficiency_scale["gemm_peak_fraction16"] == pytest.approx(0.9, rel=0.01)

    plain = cli("validate", str(runs), "--json")
    calibrated = cli("validate", str(runs), "--json", "--profile", str(out))
    assert plain.returncode == 0 and calibrated.returncode == 0, calibrated.stderr
    mape = lambda r: json.loads(r.stdout)["summary"]["tokens_per_s_per_gpu"]["mape"]  # noqa: E731
    assert mape(calibrated) < 0.5 < mape(plain)

    bad = cli("calibrate", "--runs", str(runs), "--params", "gemm_speed")
    assert bad.returncode == 2 and "gemm_speed" in bad.stderr
    both = cli("calibrate", "--runs", str(runs), "--gpu")
    assert both.returncode == 2


def test_fit_leave_one_model_out_reports_kept_and_memory(tmp_path, runs_text):
    # The synthetic runs are of one model: leave-one-model-out holds out one run at a time and
    # says so. GEMMs at 0.9 × the default generalise from any 15 runs to the 16th: kept, with
    # the cross-validated gain as the reason. No run states memory: the workspace term is not
    # fitted, and no memory figure is reported.
    profile = fit(runs_text, parameters=["gemm_peak_fraction16", "allocator_workspace_scale"],
                  cv="leave-one-model-out")
    summary = profile.fit
    assert summary["cv_method"] == "leave-one-run-out"
    assert "leave-one-run-out" in summary["kept"]["gemm_peak_fraction16"]
    assert "measured memory" in summary["dropped"]["allocator_workspace_scale"]
    assert "cv_memory_mape" not in summary and "memory_mape_before" not in summary
    assert profile.efficiency_scale["gemm_peak_fraction16"] == pytest.approx(0.9, rel=0.01)

    runs = tmp_path / "runs.json"
    runs.write_text(runs_text)
    result = cli("calibrate", "--runs", str(runs), "--params", "gemm_peak_fraction16",
                 "--cv", "leave-one-model-out")
    assert result.returncode == 0, result.stderr
    assert "cross-validated (leave-one-run-out), tokens/s/GPU" in result.stdout
    assert "kept: gemm_peak_fraction16: lowers the leave-one-run-out" in result.stdout
