"""The serving search and serving validation doors from Python (ABI 1.2): search_serving's
entries meet the targets passed, a stop from progress returns a partial result, the CLI answers
the README question, and validate_runs reports kind: inference records."""

from __future__ import annotations

import json
import math

import pytest

import pdcost
from pdcost.cli import main


def test_entries_meet_the_targets_passed() -> None:
    max_ttft_ms, max_tpot_ms = 400.0, 25.0
    r = pdcost.search_serving("llama3-8b", gpu="H100-SXM-80GB", max_gpus=8, input_tokens=2048,
                              output_tokens=256, concurrency=32, max_ttft_ms=max_ttft_ms,
                              max_tpot_ms=max_tpot_ms, percentile="p90", engines=["vllm", "sglang"],
                              max_pp=1, top_k=8, threads=2)
    assert r.best is not None and r.best is r.top[0] and len(r.top) <= 8
    for e in r.top + r.pareto:
        assert e.prediction.ttft_p90_s * 1e3 <= max_ttft_ms
        assert e.prediction.tpot_s * 1e3 <= max_tpot_ms
        assert e.prediction.fits_memory
        assert e.workload.concurrency == 32 and e.num_gpus == e.tp * e.pp * e.replicas <= 8
        assert e.engine in ("vllm", "sglang") and e.pp == 1
    ranked = [e.output_tokens_per_s_per_gpu for e in r.top]
    assert ranked == sorted(ranked, reverse=True)
    assert r.stats.enumerated == r.stats.feasible + sum(r.stats.pruned.values())
    assert r.explanation is None and not r.stats.cancelled
    with pytest.raises((AttributeError, TypeError)):
        r.top = ()  # type: ignore[misc]
    frame = pytest.importorskip("pandas") and r.to_dataframe()
    assert list(frame["rank"]) == list(range(1, len(r.top) + 1)) and "ttft_p90_s" in frame.columns
    # The best entry reproduces through predict_serving.
    b = r.best
    p = pdcost.predict_serving("llama3-8b", gpu="H100-SXM-80GB", num_gpus=8, tp=b.tp, pp=b.pp,
                               replicas=b.replicas, weight_precision=b.deployment.weight_precision,
                               kv_cache_precision=b.deployment.kv_cache_precision, engine=b.engine,
                               input_tokens=2048, output_tokens=256, concurrency=32)
    assert p.ttft_p90_s == b.prediction.ttft_p90_s


def test_nothing_meets_the_target_names_the_closest() -> None:
    r = pdcost.search_serving("llama3-8b", max_gpus=8, input_tokens=32768, output_tokens=64,
                              concurrency=64, max_ttft_ms=1.0, engines=["vllm"])
    assert not r and r.best is None
    assert r.closest is not None and r.closest_miss is not None and r.closest_miss > 1
    assert math.isclose(r.closest_miss, r.closest.prediction.ttft_s / 1e-3, rel_tol=1e-9)
    assert r.stats.pruned["ttft_target"] > 0
    assert "closest: tp=" in (r.explanation or "") and "ttft_target=" in (r.explanation or "")


def test_progress_stop_returns_a_partial_result() -> None:
    calls: list[tuple[str, int, int]] = []

    def stop(stage: str, done: int, total: int) -> bool:
        calls.append((stage, done, total))
        return True

    r = pdcost.search_serving("llama3-8b", max_gpus=8, input_tokens=1024, output_tokens=128,
                              disaggregated=True, threads=1, progress=stop)
    assert calls and calls[0][0] == "aggregated"
    assert r.stats.cancelled and r.stats.work_units_done < r.stats.work_units


def test_progress_exception_propagates() -> None:
    def boom(stage: str, done: int, total: int) -> bool:
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        pdcost.search_serving("llama3-8b", max_gpus=8, input_tokens=1024, output_tokens=128,
                              disaggregated=True, threads=1, progress=boom)


def test_errors_name_the_field() -> None:
    with pytest.raises(ValueError, match="max_ttft_ms"):
        pdcost.search_serving("llama3-8b", input_tokens=1024, output_tokens=128, max_ttft_ms=-1)
    with pytest.raises(ValueError, match="engines"):
        pdcost.search_serving("llama3-8b", input_tokens=1024, output_tokens=128, engines=["tgi"])
    with pytest.raises(pdcost.InvalidArgumentError, match="max_gpus=16"):
        pdcost.search_serving("llama3-8b", num_gpus=8, max_gpus=16, input_tokens=1024, output_tokens=128)
    with pytest.raises(pdcost.InvalidArgumentError, match="sweep_load"):
        pdcost.search_serving("llama3-8b", input_tokens=1024, output_tokens=128, concurrency=8,
                              disaggregated=True)


def test_pytorch_engine_only_when_named_and_only_static() -> None:
    # By default the serving engines; the eager loop is tried when named, for static batches.
    r = pdcost.search_serving("llama3-8b", max_gpus=2, input_tokens=128, output_tokens=16,
                              batch_size=4)
    assert {e.deployment.engine for e in r.top} <= {"vllm", "sglang", "tensorrt-llm"}
    eager = pdcost.search_serving("llama3-8b", max_gpus=2, input_tokens=128, output_tokens=16,
                                  batch_size=4, engines=["pytorch"])
    assert eager.top and {e.deployment.engine for e in eager.top} == {"pytorch"}
    with pytest.raises(pdcost.InvalidArgumentError, match="engines contains 'pytorch'.*static_batch"):
        pdcost.search_serving("llama3-8b", input_tokens=128, output_tokens=16, concurrency=8,
                              engines=["pytorch"])


def test_cli_readme_question(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "search", "llama3-70b", "--gpu", "H100", "--max-gpus", "64",
                 "--input-tokens", "32768", "--output-tokens", "256", "--concurrency", "64",
                 "--max-ttft-ms", "200"]) == 0
    out = capsys.readouterr().out
    assert ("Best: " in out) or ("Nothing meets the targets." in out and "Closest: " in out)
    assert "Pruned: " in out and "ttft_target=" in out
    assert main(["serve", "search", "llama3-8b", "--max-gpus", "8", "--input-tokens", "1024",
                 "--output-tokens", "128", "--max-tpot-ms", "20", "--engines", "vllm", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["model"] and doc["results"] and doc["targets"]["max_tpot_s"] == 0.02
    assert all(e["prediction"]["tpot_s"] <= 0.02 for e in doc["results"])


# One static-batch record that predicts, one without a model, one unsupported scenario.
RUNS = {"schema": "pdcost.runs/1", "runs": [
    {"id": "serve-static-1", "kind": "inference", "source_group": "hand", "framework": "tensorrt-llm",
     "model": {"model_type": "llama", "num_hidden_layers": 32, "hidden_size": 4096,
               "intermediate_size": 11008, "num_attention_heads": 32, "num_key_value_heads": 32,
               "head_dim": 128, "vocab_size": 32000, "tie_word_embeddings": False, "hidden_act": "silu"},
     "hardware": {"gpu": "H100-SXM-80GB", "num_gpus": 1, "gpus_per_node": None},
     "parallel": {"tp": 1, "pp": 1, "dp": 1}, "training": {"dtype": "fp8"},
     "precision": {"weights": "fp8", "activations": "fp8", "kv_cache": None},
     "serving": {"scenario": "static_batch"},
     "measured": {"ttft_ms": 6.36, "itl_ms": 4.1, "e2e_latency_ms": 526.76,
                  "output_tokens_per_s_per_gpu": 243.0, "batch_size": 1, "concurrency": 1,
                  "input_tokens": 128, "output_tokens": 128}},
    {"id": "serve-no-model", "kind": "inference", "source_group": "hand"},
    {"id": "serve-mlperf", "kind": "inference", "source_group": "hand",
     "serving": {"scenario": "mlperf_offline"}, "measured": {}},
]}


def test_validate_serving_records() -> None:
    report = json.loads(pdcost.validate_runs(json.dumps(RUNS)))
    serving = report["serving"]
    assert serving["records"] == 3 and serving["predicted"] == 1 and serving["skipped"] == 2
    ttft = serving["groups"][0]["metrics"]["ttft_ms"]
    assert ttft["n"] == 1 and math.isfinite(ttft["mape"])
    assert math.isfinite(serving["group_weighted"]["ttft_ms"])
    reasons = {r["reason"]: r["count"] for r in serving["skipped_reasons"]}
    assert sum(reasons.values()) == 2 and all(reason for reason in reasons)
    skipped = {r["id"]: r["skipped"] for r in serving["runs"]}
    assert skipped["serve-static-1"] is None and skipped["serve-no-model"] and skipped["serve-mlperf"]
    assert report["runs"] == []   # no training record
    text = pdcost.validate_runs(json.dumps(RUNS), text=True)
    assert "serving records: 3, predicted 1, skipped 2" in text and "\nskipped 2: " in text


def test_validate_mixed_file_reports_both(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = json.loads(json.dumps(RUNS))
    runs["runs"].append({"id": "train-1", "kind": "training", "model": {"model_type": "llama"}, "measured": {}})
    path = tmp_path / "runs.json"
    path.write_text(json.dumps(runs))
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "train-1" in out and "serving records: 3" in out
    assert main(["validate", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in doc["runs"]] == ["train-1"] and doc["serving"]["records"] == 3


def test_python_names_follow_the_header() -> None:
    from pathlib import Path
    import re

    from pdcost.serving_search import PERCENTILES, SERVING_PRUNE_REASONS

    header = (Path(__file__).resolve().parents[2] / "include" / "pdcost.h").read_text()
    reasons = re.findall(r"PDCOST_SERVING_PRUNE_([A-Z0-9_]+) = (\d+)", header)
    named = [name.lower() for name, value in sorted(reasons, key=lambda r: int(r[1])) if name != "REASONS"]
    assert named == list(SERVING_PRUNE_REASONS)
    percentiles = re.findall(r"PDCOST_PERCENTILE_(P\d+) = (\d+)", header)
    assert [p.lower() for p, _ in sorted(percentiles, key=lambda r: int(r[1]))] == list(PERCENTILES)
