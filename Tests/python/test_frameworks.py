"""The automodel and hf-trainer framework profiles through the Python doors: the names map to the
header's pdcost_framework values, predictions take each profile's model state, and the CLI's
search proposes no tensor/pipeline parallelism for the Hugging Face Trainer."""

from __future__ import annotations

import json

import pytest

from pdcost import HardwareConfig, ModelConfig, ParallelConfig, PDCostModel, TrainingConfig, _native
from pdcost.cli import main
from pdcost.costmodel import FRAMEWORKS

GIB = 2**30
PSI_8B = 8_030_261_248  # Llama-3-8B parameters (hand count in Tests/PDCostTests/FineTuningFrameworkTests)
LAYER_8B = 218_112_000  # one decoder layer


def test_framework_names_are_the_header_values() -> None:
    native = {name: getattr(_native, "FRAMEWORK_" + name.upper().replace("-", "_"))
              for name in FRAMEWORKS}
    assert FRAMEWORKS == native
    assert set(FRAMEWORKS) >= {"automodel", "hf-trainer"}


def _predict(framework: str, parallel: ParallelConfig) -> object:
    # One micro-batch per step on each of the dp ranks.
    training = TrainingConfig(sequence_length=4096, micro_batch_size=1, gradient_accumulation_steps=1,
                              framework=framework)  # type: ignore[arg-type]
    cm = PDCostModel(ModelConfig.from_name("llama3-8b"),
                     HardwareConfig(gpu="H100-SXM-80GB", num_nodes=1, gpus_per_node=8), training)
    return cm.predict(parallel)


def test_hf_trainer_fsdp_keeps_fp32_sharded_state() -> None:
    # accelerate FSDP upcasts the flat parameters to fp32; torch AdamW's moments follow them:
    # 2 · 4 B · Ψ / 8 of optimizer state, 4 B · Ψ / 8 of weights plus two bf16 layers gathered.
    r = _predict("hf-trainer", ParallelConfig(dp=8, fsdp=True, sharding="stage3"))
    mem = r.memory_breakdown  # type: ignore[attr-defined]
    assert mem.optimizer_memory_gb * GIB == pytest.approx(8 * PSI_8B / 8, rel=1e-9)
    assert mem.parameter_memory_gb * GIB == pytest.approx(4 * PSI_8B / 8 + 2 * 2 * LAYER_8B, rel=1e-9)


def test_automodel_fsdp2_keeps_bf16_moments() -> None:
    # bf16 resident weights (torch_dtype "auto") with torch AdamW: 2 · 2 B · Ψ / 8.
    r = _predict("automodel", ParallelConfig(dp=8, fsdp=True, sharding="stage3"))
    assert r.memory_breakdown.optimizer_memory_gb * GIB == pytest.approx(4 * PSI_8B / 8, rel=1e-9)  # type: ignore[attr-defined]


def test_cli_hf_trainer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predict", "--framework", "hf-trainer", "--model", "llama3-8b", "--gpus", "8",
                 "--dp", "8", "--fsdp", "--seq-len", "4096", "--global-batch", "64"]) == 0
    capsys.readouterr()
    assert main(["search", "--framework", "hf-trainer", "--model", "llama3-8b", "--gpus", "16",
                 "--seq-len", "4096", "--global-batch", "64", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    plans = [entry["plan"] for entry in doc["results"]]
    assert plans
    assert all(p["tp"] == 1 and p["pp"] == 1 and p["cp"] == 1 for p in plans)


def test_hf_trainer_refuses_tensor_parallelism(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predict", "--framework", "hf-trainer", "--model", "llama3-8b", "--gpus", "8",
                 "--tp", "2", "--seq-len", "4096", "--global-batch", "64"]) == 2
    err = capsys.readouterr().err
    assert "tp=2" in err and "hf-trainer" in err
