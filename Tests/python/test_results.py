"""Prediction and search results: one field table from the library to Python, immutable
types, short reprs, to_dict and to_dataframe."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from pathlib import Path

import pytest

from pdcost import HardwareConfig, GPUSpec, ModelConfig, ParallelConfig, PDCostModel, TrainingConfig
from pdcost.results import (MemoryBreakdown, PYTHON_NAMES, PredictionResult, prediction_fields,
                            prediction_values)

HEADER = Path(__file__).resolve().parents[2] / "include" / "pdcost.h"


def _header_prediction_fields() -> list[str]:
    text = re.sub(r"/\*.*?\*/", "", HEADER.read_text(), flags=re.S)
    body = re.search(r"typedef struct pdcost_prediction \{(.*?)\} pdcost_prediction;", text, re.S)
    assert body is not None
    names = re.findall(r"\b(\w+)(?:\[[A-Z_]+\])?;", body.group(1))
    return [n for n in names if n not in ("size", "version")]


def test_library_table_matches_the_header_and_python_covers_it() -> None:
    names = [f["name"] for f in prediction_fields()]
    assert names == _header_prediction_fields()
    assert set(PYTHON_NAMES) == set(names)
    result_fields = {f.name for f in dataclasses.fields(PredictionResult)}
    memory_fields = {f.name for f in dataclasses.fields(MemoryBreakdown)}
    for name, (attribute, _, where) in PYTHON_NAMES.items():
        assert attribute in (memory_fields if where == "memory" else result_fields), name


def _model() -> PDCostModel:
    hw = HardwareConfig(gpu=GPUSpec.from_name("H100-SXM-80GB"), num_nodes=2, gpus_per_node=8)
    tc = TrainingConfig(micro_batch_size=1, sequence_length=4096, gradient_accumulation_steps=8)
    return PDCostModel(ModelConfig.from_name("llama3-8b"), hw, tc)


PLAN = ParallelConfig(tp=2, pp=2, dp=4, sp=True, sharding="stage1")


def test_every_library_value_reaches_python_in_its_unit() -> None:
    cm = _model()
    r = cm.predict(PLAN)
    native = cm._native((4096, 1, 32, 0, 0, 0, 0, 0.0, 0, None))
    values = prediction_values(native.predict((2, 2, 1, 4, 1, 1, 0, 1, 1, 0, 0, 0)))
    # Seconds → ms, bytes → GiB (2**30), per-kind dicts, the stage peaks (new in ABI 1).
    assert r.step_time_ms == values["step_time_s"] * 1e3
    assert r.host_overhead_time_ms == values["host_overhead_time_s"] * 1e3
    assert r.comm_exposed_ms["tp"] == values["comm_exposed_s"]["tp"] * 1e3
    mb = r.memory_breakdown
    assert mb.first_stage_allocated_gb == values["first_stage_allocated_bytes"] / 2**30
    assert mb.last_stage_reserved_gb == values["last_stage_reserved_bytes"] / 2**30
    # pp = 2: the peak stage's figures are the larger of the two stages'.
    assert mb.allocated_memory_gb == max(mb.first_stage_allocated_gb, mb.last_stage_allocated_gb)


def test_results_are_immutable_with_short_reprs() -> None:
    cm = _model()
    r = cm.predict(PLAN)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.step_time_ms = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.memory_breakdown.allocated_memory_gb = 0.0  # type: ignore[misc]
    assert repr(r).startswith("PredictionResult(step_time_ms=") and len(repr(r)) < 200
    result = cm.search(total_gpus=16, seq_len=4096, global_batch_size=32, top_k=50)
    assert len(result.results) == 50
    assert len(repr(result)) < 300 and "50 results" in repr(result)
    assert len(repr(result.results[0])) < 300
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.results[0].rank = 7  # type: ignore[misc]
    json.dumps(r.to_dict())
    json.dumps(result.to_dict())


def test_to_dataframe(monkeypatch: pytest.MonkeyPatch) -> None:
    cm = _model()
    r = cm.predict(PLAN)
    result = cm.search(total_gpus=16, seq_len=4096, global_batch_size=32, top_k=5)
    pandas = pytest.importorskip("pandas")
    frame = result.to_dataframe()
    assert isinstance(frame, pandas.DataFrame) and len(frame) == 5
    assert list(frame["rank"]) == [1, 2, 3, 4, 5]
    assert frame["tokens_per_second_per_gpu"].is_monotonic_decreasing
    one = r.to_dataframe()
    assert len(one) == 1 and one["memory.allocated_memory_gb"][0] == r.memory_breakdown.allocated_memory_gb
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        r.to_dataframe()
