"""Fine-tuning method as an input: TrainingConfig.method / lora_rank / lora_targets, the CLI's
--method, and the header's PDCOST_LORA_* bits."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pdcost import HardwareConfig, ModelConfig, ParallelConfig, PDCostModel, TrainingConfig
from pdcost.cli import main
from pdcost.config import LORA_TARGETS

GIB = 2**30
HEADER = Path(__file__).resolve().parents[2] / "include" / "pdcost.h"
ADAPTERS_8B_QKV = 32 * 16 * (4096 + 6144)  # layers · rank · (in + out) of linear_qkv


def _model(method: str, **kw: object) -> PDCostModel:
    training = TrainingConfig(sequence_length=4096, method=method, **kw)  # type: ignore[arg-type]
    return PDCostModel(ModelConfig.from_name("llama3-8b"),
                       HardwareConfig(gpu="H100-SXM-80GB", num_nodes=1, gpus_per_node=1), training)


def test_lora_keeps_optimizer_state_for_adapters_only() -> None:
    r = _model("lora", lora_rank=16, lora_targets=("linear_qkv",)).predict(ParallelConfig())
    # Fp32 master + two moments: 12 B per adapter parameter (Rajbhandari et al. 2020).
    assert r.memory_breakdown.optimizer_memory_gb * GIB == pytest.approx(12 * ADAPTERS_8B_QKV, rel=1e-9)
    full = _model("sft").predict(ParallelConfig())
    assert full.memory_breakdown.optimizer_memory_gb * GIB == pytest.approx(12 * 8_030_261_248, rel=1e-9)
    assert r.step_time_ms < full.step_time_ms


def test_bad_method_fields_are_named() -> None:
    with pytest.raises(ValueError, match="method"):
        TrainingConfig(method="prefix-tuning")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lm_head"):
        TrainingConfig(method="lora", lora_targets=("lm_head",))
    with pytest.raises(ValueError, match="lora_rank"):
        TrainingConfig(method="lora", lora_rank=0)


def test_lora_target_bits_are_the_headers() -> None:
    text = HEADER.read_text(encoding="utf-8")
    names = {"linear_qkv": "QKV", "linear_proj": "PROJ", "linear_fc1": "FC1", "linear_fc2": "FC2"}
    for name, macro in names.items():
        m = re.search(rf"#define PDCOST_LORA_{macro} (\d+)u", text)
        assert m is not None and int(m.group(1)) == LORA_TARGETS[name]
    assert set(LORA_TARGETS) == set(names)


def test_cli_predict_method(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["predict", "--model", "llama3-8b", "--gpu", "H100", "--gpus", "1", "--seq-len", "4096", "--json"]
    assert main(args + ["--method", "lora", "--lora-rank", "16", "--lora-targets", "linear_qkv"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["training"]["method"] == "lora" and doc["training"]["lora_targets"] == ["linear_qkv"]
    lora = doc["prediction"]
    assert main(args + ["--method", "sft"]) == 0
    sft = json.loads(capsys.readouterr().out)["prediction"]
    assert lora["memory_breakdown"]["optimizer_memory_gb"] * GIB == pytest.approx(12 * ADAPTERS_8B_QKV, rel=1e-9)
    assert lora["step_time_ms"] < sft["step_time_ms"]


def test_packed_documents_shorten_attention(capsys: pytest.CaptureFixture[str]) -> None:
    packed = _model("sft", packed_document_tokens=512).predict(ParallelConfig())
    unpacked = _model("sft").predict(ParallelConfig())
    assert packed.step_time_ms < unpacked.step_time_ms
    with pytest.raises(ValueError, match="packed_document_tokens"):
        TrainingConfig(packed_document_tokens=0)
    args = ["predict", "--model", "llama3-8b", "--gpu", "H100", "--gpus", "1", "--seq-len", "4096",
            "--method", "sft", "--json"]
    assert main(args + ["--packed-document-tokens", "512"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["training"]["packed_document_tokens"] == 512
    assert doc["prediction"]["step_time_ms"] == pytest.approx(packed.step_time_ms, rel=1e-12)


def test_eight_bit_adamw_through_python_and_cli(capsys: pytest.CaptureFixture[str]) -> None:
    # bitsandbytes AdamW8bit: fp32 master (4 B) + two 8-bit moments with one fp32 absmax per
    # 2,048 values (Dettmers et al. 2022 §2): 4 + 2·(1 + 4/2048) = 6.00390625 B per parameter.
    r = _model("sft", optimizer="adamw_8bit").predict(ParallelConfig())
    assert r.memory_breakdown.optimizer_memory_gb * GIB == pytest.approx(6.00390625 * 8_030_261_248, rel=1e-9)
    with pytest.raises(ValueError, match="optimizer"):
        TrainingConfig(optimizer="adamw_4bit")  # type: ignore[arg-type]
    assert "PDCOST_OPTIMIZER_ADAMW_8BIT = 3" in HEADER.read_text()
    code = main(["predict", "--model", "llama3-8b", "--gpu", "H100-SXM-80GB", "--gpus", "1",
                 "--seq-len", "4096", "--method", "sft", "--optim", "adamw_8bit", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["training"]["optimizer"] == "adamw_8bit"
    assert out["prediction"]["memory_breakdown"]["optimizer_memory_gb"] * GIB == \
        pytest.approx(6.00390625 * 8_030_261_248, rel=1e-9)


def test_paged_optimizer_leaves_the_allocator() -> None:
    # Paged AdamW: the 12 B/parameter of state are managed memory, not allocated by PyTorch;
    # full fine-tuning of Llama-3-8B then fits one 80 GB GPU and pays PCIe paging per step.
    adam = _model("sft").predict(ParallelConfig())
    paged = _model("sft", optimizer="paged_adamw").predict(ParallelConfig())
    drop = adam.memory_breakdown.allocated_memory_gb - paged.memory_breakdown.allocated_memory_gb
    assert drop * GIB == pytest.approx(12 * 8_030_261_248, rel=1e-9)
    assert not adam.fits_memory and paged.fits_memory
    assert paged.step_time_ms > 0 and paged.offload_time_ms > 0
