"""The serving doors in Python: the dataclasses follow the library's tables, the one-call
predict answers with values checked against hand calculations and published parameter counts,
errors are the package's typed errors carrying the library's message, and the CLI's
`serve predict` prints a table or the library's JSON."""

from __future__ import annotations

import dataclasses
import json
import re
import typing

import pytest

import pdcost
from pdcost import (InfeasiblePlanError, InvalidArgumentError, ServingDeployment, ServingModel,
                    ServingPrediction, ServingSettings, ServingWorkload, UnsupportedError,
                    predict_serving)
from pdcost.cli import main
from pdcost.serving import (ENGINES, KV_CACHE_PRECISIONS, SCENARIOS, WEIGHT_PRECISIONS,
                            serving_prediction_fields, serving_settings_fields)

from conftest import REPO

GIB = float(1 << 30)
#: Meta's model cards: Llama-3-8B has 8.03e9 parameters, Llama-3-70B 70.6e9.
LLAMA3_8B_PARAMETERS = 8.03e9
LLAMA3_70B_PARAMETERS = 70.6e9


def _header_enum(name: str) -> list[str]:
    text = (REPO / "include" / "pdcost.h").read_text()
    body = re.search(r"typedef enum %s \{(.*?)\} %s;" % (name, name), text, re.S)
    assert body is not None, name
    body_text = re.sub(r"/\*.*?\*/", "", body.group(1), flags=re.S)
    return [m.group(1) for m in re.finditer(r"(PDCOST_\w+)\s*=\s*\d+", body_text)]


def _header_struct(name: str) -> list[str]:
    text = (REPO / "include" / "pdcost.h").read_text()
    body = re.search(r"typedef struct %s \{(.*?)\} %s;" % (name, name), text, re.S)
    assert body is not None, name
    body_text = re.sub(r"/\*.*?\*/", "", body.group(1), flags=re.S)
    return [decl.split()[-1] for decl in (d.strip() for d in body_text.split(";")) if decl]


# -- tables --------------------------------------------------------------------------------------


def test_settings_dataclass_follows_the_native_table() -> None:
    rows = serving_settings_fields()
    assert [f.name for f in dataclasses.fields(ServingSettings)] == [r["key"] for r in rows]
    hints = typing.get_type_hints(ServingSettings)
    for row in rows:
        if row["type"] == "choice":
            literal = typing.get_args(hints[row["key"]])[0]
            assert list(typing.get_args(literal)) == row["choices"], row["key"]
        else:
            expected = {"bool": bool, "number": float, "integer": int, "string": str}[row["type"]]
            assert typing.get_args(hints[row["key"]])[0] is expected, row["key"]
        assert set(row["defaults"]) == set(ENGINES)


def test_prediction_follows_the_native_table_and_the_header() -> None:
    names = [f["name"] for f in serving_prediction_fields()]
    assert [f.name for f in dataclasses.fields(ServingPrediction)] == names
    assert _header_struct("pdcost_serving_prediction") == ["size", "version"] + names


def test_enum_orders_follow_the_header() -> None:
    def names(enum: str, prefix: str) -> list[str]:
        return [n[len(prefix):].lower().replace("_", "-" if enum == "pdcost_serving_engine" else "_")
                for n in _header_enum(enum)]
    assert names("pdcost_weight_precision", "PDCOST_WEIGHT_") == list(WEIGHT_PRECISIONS)
    assert names("pdcost_kv_cache_precision", "PDCOST_KV_CACHE_") == list(KV_CACHE_PRECISIONS)
    assert names("pdcost_serving_engine", "PDCOST_ENGINE_") == list(ENGINES)
    assert names("pdcost_serving_scenario", "PDCOST_SCENARIO_") == list(SCENARIOS)


# -- values --------------------------------------------------------------------------------------


def test_llama3_8b_kv_bytes_weights_and_memory_parts() -> None:
    r = predict_serving("llama3-8b", gpu="H100-SXM-80GB", input_tokens=2048, output_tokens=256,
                        concurrency=16)
    # 2 (K and V) x 32 layers x 8 KV heads x 128 head dim x 2 bytes (bf16).
    assert r.kv_bytes_per_token == 2 * 32 * 8 * 128 * 2 == 131072
    assert r.weights_bytes == pytest.approx(2 * LLAMA3_8B_PARAMETERS, rel=0.01)
    parts = r.weights_bytes + r.kv_cache_bytes + r.activation_bytes + r.cuda_graph_bytes + r.runtime_bytes
    assert parts == pytest.approx(r.peak_memory_bytes, rel=1e-12)
    assert r.memory_gib["peak"] == pytest.approx(r.peak_memory_bytes / GIB)
    assert r.fits_memory and not r.saturated
    assert r.num_gpus == 1
    assert r.output_tokens_per_s_per_user == pytest.approx(1 / r.tpot_s)
    assert r.ttft_ms == pytest.approx(r.ttft_s * 1e3)
    assert 0 < r.ttft_s < r.e2e_s
    # FP8 KV: one byte per element; TP 2: the 8 KV heads split 4 + 4 per GPU.
    fp8 = predict_serving("llama3-8b", kv_cache_precision="fp8", input_tokens=2048, output_tokens=256)
    assert fp8.kv_bytes_per_token == 65536
    tp2 = predict_serving("llama3-8b", tp=2, input_tokens=2048, output_tokens=256)
    assert tp2.kv_bytes_per_token == 65536
    assert tp2.num_gpus == 2


def test_the_one_call_example_of_the_brief() -> None:
    r = pdcost.predict_serving("llama3-70b", gpu="H100", tp=4, engine="vllm",
                               input_tokens=32768, output_tokens=256, concurrency=64)
    # 70.6e9 bf16 weights over 4 ranks: ~35 GB each, which fits an 80 GiB GPU.
    assert r.weights_bytes * 4 == pytest.approx(2 * LLAMA3_70B_PARAMETERS, rel=0.02)
    assert r.fits_memory
    assert r.ttft_ms > 0 and r.tpot_ms > 0 and r.output_tokens_per_s > 0
    assert r.num_gpus == 4
    assert "ttft_ms=" in repr(r)
    # The same weights do not fit one GPU (2 x 70.6e9 B > 80 GiB).
    assert not predict_serving("llama3-70b", input_tokens=1024, output_tokens=128).fits_memory


def test_settings_change_the_prediction_and_are_reported() -> None:
    m = ServingModel("llama3-8b", "H100-SXM-80GB")
    workload = ServingWorkload(input_tokens=1024, output_tokens=128, concurrency=64)
    capped = m.predict(ServingDeployment(settings=ServingSettings(max_num_seqs=4)), workload)
    assert capped.running_batch <= 4
    doc = m.predict_json(ServingDeployment(engine="tensorrt-llm", settings={"max_num_seqs": 4}), workload)
    assert doc["settings"]["engine"] == "tensorrt-llm"
    assert doc["settings"]["given"] == {"max_num_seqs": 4}
    assert doc["settings"]["defaulted"]["kv_block_size"] == 32  # TensorRT-LLM tokens_per_block
    assert doc["workload"]["scenario"] == "online_fixed_concurrency"
    # The JSON numbers are the tuple's, exactly.
    direct = m.predict(ServingDeployment(engine="tensorrt-llm", settings={"max_num_seqs": 4}), workload)
    assert doc["prediction"]["ttft_s"] == direct.ttft_s
    assert doc["prediction"]["fits_memory"] is direct.fits_memory


def test_pytorch_engine_prices_the_eager_static_batch() -> None:
    # The eager loop of `pdcost.bench serve`, batch 1 on one H100: the weights but the
    # embedding, (8.03e9 - 128,256 x 4,096) x 2 B, stream at 0.91 x 3.35 TB/s (4.92 ms), hidden
    # under the host's dispatches: 62 ops per layer (bench/serve.py `_Runner.layers_forward`,
    # counted with a TorchDispatchMode) x 32 layers x 10 us (measured per op on an H200 host)
    # = 19.84 ms; then 150 us of host work per step.
    r = predict_serving("llama3-8b", gpu="H100-SXM-80GB", engine="pytorch", input_tokens=1,
                        output_tokens=2)
    weights = (LLAMA3_8B_PARAMETERS - 128_256 * 4096) * 2 / (3.35e12 * 0.91)
    expected = max(weights, 32 * 62 * 10e-6) + 150e-6
    assert r.tpot_s == pytest.approx(expected, rel=0.01)
    assert r.cuda_graph_bytes == 0
    # Contiguous cache of batch x (input + output) tokens: 8 x 2,000 x 131,072 B.
    big = predict_serving("llama3-8b", engine="pytorch", input_tokens=1000, output_tokens=1000,
                          batch_size=8)
    assert big.kv_cache_bytes == 8 * 2000 * 131072
    with pytest.raises(UnsupportedError, match=r"engine='pytorch' runs one static batch"):
        predict_serving("llama3-8b", engine="pytorch", input_tokens=8, output_tokens=8, concurrency=4)


def test_scenario_follows_the_load_given() -> None:
    assert ServingWorkload(input_tokens=1, output_tokens=1).scenario == "static_batch"
    assert ServingWorkload(input_tokens=1, output_tokens=1, concurrency=4).scenario == "online_fixed_concurrency"
    assert ServingWorkload(input_tokens=1, output_tokens=1, request_rate=2.0).scenario == "online_request_rate"


# -- errors --------------------------------------------------------------------------------------


def test_errors_are_typed_and_carry_the_library_message() -> None:
    with pytest.raises(InvalidArgumentError, match=r"serving\.max_num_seqs=0 must be in \[1, 1048576\]"):
        predict_serving("llama3-8b", settings={"max_num_seqs": 0}, input_tokens=8, output_tokens=8)
    with pytest.raises(InvalidArgumentError, match=r"serving\.max_num_seq is not a known serving setting"):
        predict_serving("llama3-8b", settings={"max_num_seq": 4}, input_tokens=8, output_tokens=8)
    with pytest.raises(InvalidArgumentError, match=r"serving\.kv_admission='greedy' is not one of"):
        predict_serving("llama3-8b", settings=ServingSettings(kv_admission="greedy"),  # type: ignore[arg-type]
                        input_tokens=8, output_tokens=8)
    with pytest.raises(InvalidArgumentError, match=r"workload->input_tokens=0 must be in \[1, 2\^31\]"):
        predict_serving("llama3-8b", input_tokens=0, output_tokens=8)
    with pytest.raises(InvalidArgumentError, match=r"workload->concurrency=0 must be in"):
        predict_serving("llama3-8b", input_tokens=8, output_tokens=8, concurrency=0)
    with pytest.raises(InvalidArgumentError, match=r"prefix_hit_ratio=1 must be in \[0, 1\)"):
        predict_serving("llama3-8b", input_tokens=8, output_tokens=8, prefix_hit_ratio=1.0)
    with pytest.raises(InfeasiblePlanError, match=r"tp=3 does not divide num_attention_heads=32"):
        predict_serving("llama3-8b", tp=3, input_tokens=8, output_tokens=8)
    with pytest.raises(UnsupportedError, match=r"weight_precision=fp4"):
        predict_serving("llama3-8b", weight_precision="fp4", input_tokens=8, output_tokens=8)
    with pytest.raises(InvalidArgumentError, match=r"engine='tgi' is not one of vllm, sglang, tensorrt-llm, pytorch"):
        ServingDeployment(engine="tgi")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"ServingSettings\.max_num_seqs must be integer"):
        ServingSettings(max_num_seqs="8")  # type: ignore[arg-type]
    assert issubclass(InvalidArgumentError, ValueError)


# -- CLI -----------------------------------------------------------------------------------------


def test_cli_serve_predict_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "predict", "--model", "llama3-8b", "--input-tokens", "2048",
                 "--output-tokens", "256", "--concurrency", "16", "--max-num-seqs", "64",
                 "--no-cuda-graphs"]) == 0
    text = capsys.readouterr().out
    for label in ("TTFT", "TPOT", "ITL", "end-to-end", "output tokens/s per GPU",
                  "output tokens/s per user", "requests/s", "running batch", "max concurrency",
                  "MBU / MFU", "weights", "KV cache pool", "peak", "fits: yes"):
        assert label in text, label
    assert "max_num_seqs=64" in text and "cuda_graphs=false" in text
    assert "131,072 B" in text  # KV bytes per token of Llama-3-8B

    assert main(["serve", "predict", "--model", "llama3-8b", "--input-tokens", "2048",
                 "--output-tokens", "256", "--engine", "sglang", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["prediction"]["kv_bytes_per_token"] == 131072
    assert doc["deployment"]["engine"] == "sglang"
    assert doc["settings"]["defaulted"]["kv_block_size"] == 1  # SGLang page_size


def test_cli_serve_errors_and_settings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "predict", "--model", "llama3-8b", "--input-tokens", "8",
                 "--output-tokens", "8", "--settings", '{"max_num_seq": 1}']) == 2
    assert "serving.max_num_seq is not a known serving setting" in capsys.readouterr().err
    assert main(["serve", "predict", "--model", "llama3-8b", "--tp", "3", "--input-tokens", "8",
                 "--output-tokens", "8"]) == 2
    assert "tp=3 does not divide" in capsys.readouterr().err
    assert main(["serve", "settings"]) == 0
    out = capsys.readouterr().out
    assert "kv_block_size" in out and "tensorrt-llm" in out
    assert main(["serve", "settings", "--json"]) == 0
    assert [r["key"] for r in json.loads(capsys.readouterr().out)] == [r["key"] for r in serving_settings_fields()]
