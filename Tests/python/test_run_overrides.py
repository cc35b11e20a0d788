"""Run-overrides documents (`pdcost validate --overrides`, `validate_runs(overrides=...)`,
`pdcost calibrate --runs --overrides`, `fit(overrides=...)`)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from pdcost import validate_runs
from pdcost.cli import main
from pdcost.errors import InvalidArgumentError, ParseError

ROOT = Path(__file__).resolve().parents[2]
DEV_RUNS = ROOT.parent / "shared" / "validation" / "dev_runs.json"
RECIPES = ROOT / "docs" / "validation" / "megatron-bridge-recipes.overrides.json"
DGXC_FT = ROOT / "docs" / "validation" / "dgxc-finetuning.overrides.json"

RUN = {
    "id": "llama8b", "source": "example/repo@abc:file.md", "kind": "training",
    "model": {"name": "L8B", "model_type": "llama", "num_hidden_layers": 32, "hidden_size": 4096,
              "intermediate_size": 14336, "num_attention_heads": 32, "num_key_value_heads": 8,
              "head_dim": 128, "vocab_size": 128256, "tie_word_embeddings": False, "hidden_act": "silu"},
    "hardware": {"gpu": "H100-SXM-80GB", "num_gpus": 8, "gpus_per_node": 8},
    "parallel": {"tp": 2, "pp": 1, "vpp": 1, "dp": 4, "cp": 1, "ep": 1, "sequence_parallel": True,
                 "zero_stage": 1, "fsdp": False},
    "training": {"seq_len": 8192, "micro_batch_size": 1, "global_batch_size": 128, "dtype": "bf16",
                 "recompute": "none"},
    "framework": "megatron",
    "settings": {"tp_comm_overlap": None, "cuda_graphs": None},
    "measured": {"tokens_per_s_per_gpu": 9000.0},
    "complete": True,
}


def runs_document(*runs: dict) -> str:
    return json.dumps({"schema": "pdcost.runs/1", "runs": list(runs)})


def overrides_document(*entries: dict) -> str:
    return json.dumps({"schema": "pdcost.run-overrides/1", "overrides": list(entries)})


def predicted(report: str, run_id: str) -> float:
    run = next(r for r in json.loads(report)["runs"] if r["id"] == run_id)
    return run["tokens_per_s_per_gpu"]["predicted"]


def test_an_override_predicts_what_editing_the_record_does() -> None:
    edited = copy.deepcopy(RUN)
    edited["settings"]["tp_comm_overlap"] = True
    edited["training"].update(recompute="selective", recompute_modules=["mlp"])
    overrides = overrides_document({
        "ids": ["llama8b"], "source": "the launch script",
        "settings": {"tp_comm_overlap": True},
        "training": {"recompute": "selective", "recompute_modules": ["mlp"]}})

    via_overrides = validate_runs(runs_document(RUN), overrides=overrides)
    via_record = validate_runs(runs_document(edited))
    as_published = validate_runs(runs_document(RUN))
    assert predicted(via_overrides, "llama8b") == predicted(via_record, "llama8b")
    assert predicted(via_overrides, "llama8b") != predicted(as_published, "llama8b")
    assert json.loads(via_overrides)["overrides"] == {"entries": 1, "runs": 1}
    assert json.loads(as_published)["overrides"] is None


@pytest.mark.parametrize("entry, error, needle", [
    ({"ids": ["llama9b"], "source": "s", "settings": {"cuda_graphs": True}}, InvalidArgumentError,
     "no run in the runs file has id 'llama9b'"),
    ({"ids": ["llama8b"], "source": "s", "training": {"recompute_module": ["mlp"]}}, ParseError,
     "'training.recompute_module' is not a runs-file training field"),
    ({"ids": ["llama8b"], "settings": {"cuda_graphs": True}}, ParseError, "source"),
])
def test_errors_name_the_entry_and_field(entry: dict, error: type, needle: str) -> None:
    with pytest.raises(error) as caught:
        validate_runs(runs_document(RUN), overrides=overrides_document(entry))
    assert needle in str(caught.value)


def test_cli_combines_override_files_and_refuses_a_run_named_twice(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    second = copy.deepcopy(RUN)
    second["id"] = "llama8b-b"
    runs = tmp_path / "runs.json"
    runs.write_text(runs_document(RUN, second))
    first_file, second_file = tmp_path / "a.json", tmp_path / "b.json"
    first_file.write_text(overrides_document({"ids": ["llama8b"], "source": "a", "settings": {"cuda_graphs": True}}))
    second_file.write_text(overrides_document({"ids": ["llama8b-b"], "source": "b", "settings": {"cuda_graphs": True}}))
    assert main(["validate", str(runs), "--overrides", str(first_file), "--overrides", str(second_file)]) == 0
    assert "run overrides: 2 runs restated by 2 entries" in capsys.readouterr().out

    second_file.write_text(overrides_document({"ids": ["llama8b"], "source": "b", "settings": {"cuda_graphs": False}}))
    assert main(["validate", str(runs), "--overrides", str(first_file), "--overrides", str(second_file)]) == 2
    assert "run 'llama8b' is named by overrides[0] and overrides[1]" in capsys.readouterr().err

    second_file.write_text("[1, 2]")
    assert main(["validate", str(runs), "--overrides", str(first_file), "--overrides", str(second_file)]) == 2
    assert f"--overrides {second_file}: not a run-overrides document" in capsys.readouterr().err


def mape(report: str, prefix: str) -> tuple[int, float]:
    errors = [abs(r["tokens_per_s_per_gpu"]["error_pct"]) for r in json.loads(report)["runs"]
              if r["id"].startswith(prefix) and "tokens_per_s_per_gpu" in r]
    return len(errors), sum(errors) / len(errors)


@pytest.mark.skipif(not DEV_RUNS.exists(), reason=f"{DEV_RUNS} not present")
def test_the_committed_documents_restate_the_published_runs() -> None:
    """The issue targets (#13: MoE runs within 10 % tokens/s/GPU MAPE; #14: the SFT/LoRA runs
    within 8 %) with the switches the runs' launch recipes set, read from the recipes
    (scripts/megatron_bridge_overrides.py; the dgxc launch script) instead of their notes."""
    runs = DEV_RUNS.read_text()
    recipes = validate_runs(runs, overrides=RECIPES.read_text())
    assert json.loads(recipes)["overrides"]["runs"] >= 50
    n, moe = mape(recipes, "mbridge_26")
    assert n == 54 and moe < 10.0
    finetuning = validate_runs(runs, overrides=DGXC_FT.read_text())
    n, ft = mape(finetuning, "dgxc_ft")
    assert n == 20 and ft < 8.0


def test_fit_reads_the_runs_as_restated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Eight runs measured (synthetically: predicted under a profile scaling GEMMs by 0.9) without
    # recomputation, but published as fully recomputed. Fitted as published, the GEMM scale
    # absorbs the recomputation; restated by an overrides document, the fit is the fit of the
    # corrected file and finds 0.9 again.
    from pdcost import CalibrationProfile, fit

    shapes = [(tp, seq) for tp in (1, 2, 4, 8) for seq in (2048, 8192)]

    def variant(i: int, tp: int, seq: int, tokens: float, recompute: str) -> dict:
        run = copy.deepcopy(RUN)
        run["id"] = f"r{i}"
        run["parallel"].update(tp=tp, dp=8 // tp, sequence_parallel=tp > 1)
        run["training"].update(seq_len=seq, global_batch_size=64, recompute=recompute)
        run["measured"]["tokens_per_s_per_gpu"] = tokens
        return run

    draft = runs_document(*(variant(i, tp, seq, 1000.0, "none") for i, (tp, seq) in enumerate(shapes)))
    truth = CalibrationProfile(source="manual", efficiency_scale={"gemm_peak_fraction16": 0.9})
    measured = [r["tokens_per_s_per_gpu"]["predicted"] for r in json.loads(validate_runs(draft, profile=truth))["runs"]]
    corrected = runs_document(*(variant(i, *s, t, "none") for i, (s, t) in enumerate(zip(shapes, measured))))
    published = runs_document(*(variant(i, *s, t, "full") for i, (s, t) in enumerate(zip(shapes, measured))))
    restate = overrides_document({"ids": [f"r{i}" for i in range(len(shapes))], "source": "the launch script",
                                  "training": {"recompute": "none"}})

    options = dict(parameters=["gemm_peak_fraction16"], cv="none")
    as_published = fit(published, **options).efficiency_scale["gemm_peak_fraction16"]
    via_overrides = fit(published, overrides=restate, **options)
    via_file = fit(corrected, **options).efficiency_scale["gemm_peak_fraction16"]
    assert abs(as_published - 0.9) > 0.05
    assert via_overrides.efficiency_scale["gemm_peak_fraction16"] == via_file == pytest.approx(0.9, rel=0.01)
    assert via_overrides.fit["overrides"] == {"entries": 1, "runs": 8}

    runs, doc = tmp_path / "runs.json", tmp_path / "restate.json"
    runs.write_text(published)
    doc.write_text(restate)
    assert main(["calibrate", "--runs", str(runs), "--overrides", str(doc), "--params", "gemm_peak_fraction16",
                 "--cv", "none"]) == 0
    assert "run overrides: 8 runs restated by 1 entries" in capsys.readouterr().out
    doc.write_text(overrides_document({"ids": ["r99"], "source": "s", "settings": {"cuda_graphs": True}}))
    assert main(["calibrate", "--runs", str(runs), "--overrides", str(doc)]) == 2
    assert "no run in the runs file has id 'r99'" in capsys.readouterr().err
