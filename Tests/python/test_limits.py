"""The limits table through Python: the extension's header macros equal the library's table,
every bounded config field quotes the table's range, configs are frozen (a change is a
validated copy), and PDCostModel refuses a setup no plan could be priced under.

The maxima written out here (2**31, 2**20, 2**24 ...) are the documented values, stated
independently of the table they are compared with.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys

import pytest

from pdcost import (GPUSpec, HardwareConfig, ModelConfig, ParallelConfig, PDCostModel,
                    TrainingConfig, _native)
from pdcost._validate import LIMITS
from pdcost.errors import UnsupportedError

TABLE = json.loads(_native.limits_json())


def rng(limit: str) -> str:
    return re.escape(LIMITS[limit]["range"])


def test_header_macros_equal_the_table():
    assert TABLE["version"] == _native.LIMITS_VERSION == 1
    limits = TABLE["limits"]
    pairs = {
        "seq_len": _native.MAX_SEQ_LEN, "micro_batch_size": _native.MAX_MICRO_BATCH_SIZE,
        "global_batch_size": _native.MAX_GLOBAL_BATCH_SIZE, "num_gpus": _native.MAX_NUM_GPUS,
        "gpus_per_node": _native.MAX_GPUS_PER_NODE,
        "parallel_degree": _native.MAX_PARALLEL_DEGREE,
        "model_dimension": _native.MAX_MODEL_DIMENSION,
        "hidden_size": _native.MAX_MODEL_DIMENSION,
        "recompute_num_layers": _native.MAX_RECOMPUTE_NUM_LAYERS,
        "json_bytes": _native.MAX_JSON_BYTES, "json_depth": _native.MAX_JSON_DEPTH,
    }
    for name, macro in pairs.items():
        assert limits[name]["maximum"] == macro, name
    assert _native.MAX_SEQUENCE_LENGTH == limits["seq_len"]["maximum"]


def test_documented_values():
    assert LIMITS["seq_len"]["maximum"] == 2**31
    assert LIMITS["seq_len"]["range"] == "[1, 2^31]"
    assert LIMITS["micro_batch_size"]["maximum"] == 2**20
    assert LIMITS["global_batch_size"]["maximum"] == 2**31
    assert LIMITS["num_gpus"]["maximum"] == LIMITS["parallel_degree"]["maximum"] == 2**24
    assert LIMITS["search_list"]["maximum"] == 16
    for entry in LIMITS.values():
        assert entry["minimum"] <= entry["maximum"] and entry["why"] and entry["unit"]


@pytest.mark.parametrize("cls,kwargs,field,limit", [
    (TrainingConfig, {}, "sequence_length", "seq_len"),
    (TrainingConfig, {}, "micro_batch_size", "micro_batch_size"),
    (TrainingConfig, {}, "gradient_accumulation_steps", "global_batch_size"),
    (TrainingConfig, {}, "max_sequence_length", "seq_len"),
    (ParallelConfig, {}, "tp", "parallel_degree"),
    (ParallelConfig, {}, "vpp", "parallel_degree"),
    (ParallelConfig, {}, "first_stage_layers", "stage_layers"),
    (HardwareConfig, {"gpu": "H100-SXM-80GB"}, "gpus_per_node", "gpus_per_node"),
])
def test_bounds_quote_the_table(cls, kwargs, field, limit):
    low, high = LIMITS[limit]["minimum"], LIMITS[limit]["maximum"]
    if cls is TrainingConfig and field == "max_sequence_length":
        kwargs = {"sequence_length": 1}
    cls(**kwargs, **{field: high})
    for bad in (low - 1, high + 1):
        with pytest.raises(ValueError, match=rf"{cls.__name__}\.{field}={bad} must be in {rng(limit)}"):
            cls(**kwargs, **{field: bad})


def test_model_sizes_quote_the_table():
    llama = ModelConfig.from_name("llama3-8b")
    for field, limit in (("hidden_size", "hidden_size"), ("num_hidden_layers", "num_hidden_layers"),
                         ("vocab_size", "vocab_size"), ("intermediate_size", "model_dimension")):
        bad = LIMITS[limit]["maximum"] + 1
        with pytest.raises(ValueError, match=rf"ModelConfig\.{field}={bad} must be in \[1?0?, 2\^24\]"):
            dataclasses.replace(llama, **{field: bad})


def test_products_that_no_plan_can_fill():
    # tp*pp*cp*dp must equal some cluster's GPU count; 2^25 exceeds the table.
    with pytest.raises(ValueError, match=rf"num_gpus \(tp\*pp\*cp\*dp\)=33554432 must be in {rng('num_gpus')}"):
        ParallelConfig(tp=2**12, dp=2**13)
    with pytest.raises(ValueError, match=rf"HardwareConfig\.num_gpus=33554432 must be in {rng('num_gpus')}"):
        HardwareConfig(gpu="H100-SXM-80GB", num_nodes=2**22, gpus_per_node=8)
    # The global batch is mbs * gas * dp with dp >= 1.
    with pytest.raises(ValueError, match=rf"global_batch_size .*=4294967296 must be in {rng('global_batch_size')}"):
        TrainingConfig(micro_batch_size=2**16, gradient_accumulation_steps=2**16)
    TrainingConfig(micro_batch_size=2**16, gradient_accumulation_steps=2**15)


@pytest.mark.parametrize("config,field,value", [
    (ParallelConfig(), "tp", 0),
    (TrainingConfig(), "sequence_length", 0),
    (HardwareConfig(gpu="H100-SXM-80GB"), "num_nodes", 0),
    (GPUSpec.from_name("H100-SXM-80GB"), "memory_gb", -1.0),
    (ModelConfig.from_name("llama3-8b"), "hidden_size", 0),
])
def test_configs_are_frozen(config, field, value):
    before = getattr(config, field)
    with pytest.raises(dataclasses.FrozenInstanceError, match=field):
        setattr(config, field, value)
    assert getattr(config, field) == before
    # A change is a copy, validated like a new config.
    with pytest.raises(ValueError, match=field):
        dataclasses.replace(config, **{field: value})


def test_replace_revalidates_and_completes():
    p = dataclasses.replace(ParallelConfig(tp=2), tp=4)
    assert p.tp == 4
    gpu = GPUSpec(name="H800", bf16_tflops=700.0)
    other = dataclasses.replace(gpu, bf16_tflops=0.0)  # unknown again: completed from the preset
    assert other.bf16_tflops > 0 and any(f.field == "bf16_tflops" for f in other.filled_in)


def test_cost_model_refuses_a_setup_no_plan_can_price():
    # A100 has no FP8 tensor cores: every predict would fail, so the constructor does.
    with pytest.raises(UnsupportedError, match="fp8"):
        PDCostModel(ModelConfig.from_name("llama3-8b"),
                    HardwareConfig(gpu="A100-SXM-80GB"), TrainingConfig(dtype="fp8"))
    PDCostModel(ModelConfig.from_name("llama3-8b"), HardwareConfig(gpu="H100-SXM-80GB"),
                TrainingConfig(dtype="fp8"))


def test_predict_overrides_quote_the_table():
    model = PDCostModel(ModelConfig.from_name("llama3-8b"))
    with pytest.raises(ValueError, match=rf"seq_len=0 must be in {rng('seq_len')}"):
        model.predict(ParallelConfig(tp=8), seq_len=0)
    with pytest.raises(ValueError, match=rf"recompute_num_layers=33 exceeds num_hidden_layers=32"):
        model.predict(ParallelConfig(tp=8), recompute_granularity="full", recompute_num_layers=33)


def test_cli_quotes_the_table():
    done = subprocess.run([sys.executable, "-m", "pdcost.cli", "model", "llama3-8b", "--seq-len",
                           str(2**31 + 1)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"seq_len=2147483649 must be in {LIMITS['seq_len']['range']}" in done.stderr
