"""JSON in and out of the library: strict documents, positions, repeated keys, measured values."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pdcost import ModelConfig, validate_runs
from pdcost.config import TrainingConfig, loads_strict
from pdcost.errors import ParseError


def strict(text: str) -> Any:
    """json.loads that refuses NaN/Infinity/-Infinity (what a non-JSON `inf` would read as)."""
    def refuse(name: str) -> Any:
        raise AssertionError(f"non-JSON constant {name} in library output")
    return json.loads(text, parse_constant=refuse)


def run(run_id: str, measured: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": run_id, "source": "example/repo@abc", "kind": "training",
        "model": {"model_type": "llama", "num_hidden_layers": 32, "hidden_size": 4096,
                  "intermediate_size": 14336, "num_attention_heads": 32, "num_key_value_heads": 8,
                  "vocab_size": 128256},
        "hardware": {"gpu": "H100-SXM-80GB", "num_gpus": 8, "gpus_per_node": 8},
        "parallel": {"tp": 1, "pp": 1, "dp": 8, "cp": 1, "zero_stage": 1},
        "training": {"seq_len": 4096, "micro_batch_size": 1, "global_batch_size": 64, "dtype": "bf16",
                     "recompute": "full"},
        "framework": "megatron", "measured": measured, "complete": True,
    }


def runs_file(*runs: dict[str, Any]) -> str:
    return json.dumps({"schema": "pdcost.runs/1", "runs": list(runs)})


def test_invalid_measured_values_are_reported_per_run() -> None:
    report = strict(validate_runs(runs_file(
        run("negative", {"tokens_per_s_per_gpu": -5, "step_time_s": 10}),
        run("zero", {"tokens_per_s_per_gpu": 0}),
        run("huge", {"tokens_per_s_per_gpu": 1e300}),
    )))
    by_id = {r["id"]: r for r in report["runs"]}
    assert by_id["negative"]["invalid"] == ["measured.tokens_per_s_per_gpu=-5 must be > 0 and finite"]
    assert "tokens_per_s_per_gpu" not in by_id["negative"] and "step_time_s" in by_id["negative"]
    assert by_id["zero"]["invalid"] == ["measured.tokens_per_s_per_gpu=0 must be > 0 and finite"]
    assert by_id["huge"]["tokens_per_s_per_gpu"]["measured"] == 1e300
    assert "invalid" not in by_id["huge"]
    tokens = report["summary"]["tokens_per_s_per_gpu"]
    assert tokens["n"] == 1 and abs(tokens["mape"] - 100) < 1e-6  # the -5 is not counted


def test_empty_summary_is_null_and_dash() -> None:
    report = strict(validate_runs(runs_file()))
    for entry in report["summary"].values():
        assert entry == {"n": 0, "mape": None, "max_abs_pct": None, "complete_n": 0,
                         "complete_mape": None}
    text = validate_runs(runs_file(), text=True)
    line = next(row for row in text.splitlines() if row.startswith("step_time_s "))
    assert line.split() == ["step_time_s", "0", "–", "–", "0", "–"]


def test_cli_validate_copes_with_an_empty_summary(tmp_path, capsys) -> None:
    from pdcost.cli import main

    path = tmp_path / "runs.json"
    path.write_text(runs_file(run("only-invalid", {"step_time_s": -1})))
    assert main(["validate", str(path), "--json"]) == 0
    report = strict(capsys.readouterr().out)
    assert report["summary"]["step_time_s"]["mape"] is None
    assert main(["validate", str(path)]) == 0
    assert "not compared: measured.step_time_s=-1 must be > 0 and finite" in capsys.readouterr().out


def test_duplicate_key_rejected_with_position() -> None:
    text = '{\n  "model_type": "llama",\n  "hidden_size": 64,\n  "hidden_size": 128\n}'
    with pytest.raises(ParseError, match=r"duplicate key 'hidden_size' at line 4, column 3 "
                                         r"\(first at line 3, column 3\)"):
        ModelConfig.from_json(text)
    with pytest.raises(ParseError, match="duplicate key"):
        runs = '{"schema": "pdcost.runs/1", "runs": [], "runs": []}'
        validate_runs(runs)
    # The Python-side readers agree: neither value wins.
    with pytest.raises(ParseError, match="duplicate key 'seq_len'"):
        TrainingConfig.from_json('{"seq_len": 4096, "seq_len": 8192}')
    with pytest.raises(ValueError, match="NaN is not a JSON number"):
        loads_strict('{"x": NaN}')


def test_syntax_error_position() -> None:
    # Line 3 `  "hidden_size" 64`: the 64 stands at column 17 where ':' belongs.
    text = '{\n  "model_type": "llama",\n  "hidden_size" 64\n}'
    with pytest.raises(ParseError, match=r"invalid JSON at line 3, column 17: expected ':' after "
                                         r"the key 'hidden_size'"):
        ModelConfig.from_json(text)
    with pytest.raises(ParseError, match=r"line 1, column 12: number 1e999 is too large"):
        ModelConfig.from_json('{"rope_x": 1e999}')
