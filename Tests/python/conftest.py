"""Shared fixtures for the pdcost Python tests (run: `pytest Tests/python` after `pip install .`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HF_CONFIGS = REPO / "Tests" / "PDCostTests" / "Fixtures" / "hf_configs"

# openai-community/gpt2 config.json from the Hugging Face Hub, verbatim (there is no GPT-2 file
# among the shared fixtures).
GPT2_CONFIG = {
    "activation_function": "gelu_new",
    "architectures": ["GPT2LMHeadModel"],
    "attn_pdrop": 0.1,
    "bos_token_id": 50256,
    "embd_pdrop": 0.1,
    "eos_token_id": 50256,
    "initializer_range": 0.02,
    "layer_norm_epsilon": 1e-05,
    "model_type": "gpt2",
    "n_ctx": 1024,
    "n_embd": 768,
    "n_head": 12,
    "n_layer": 12,
    "n_positions": 1024,
    "resid_pdrop": 0.1,
    "summary_activation": None,
    "summary_first_dropout": 0.1,
    "summary_proj_to_labels": True,
    "summary_type": "cls_index",
    "summary_use_proj": True,
    "task_specific_params": {"text-generation": {"do_sample": True, "max_length": 50}},
    "vocab_size": 50257,
}


@pytest.fixture(scope="session")
def hf_config_files() -> list[Path]:
    files = sorted(HF_CONFIGS.glob("*.json"))
    assert files, f"no fixture config.json files under {HF_CONFIGS}"
    return files


@pytest.fixture()
def gpt2_config_file(tmp_path: Path) -> Path:
    path = tmp_path / "gpt2" / "config.json"
    path.parent.mkdir()
    path.write_text(json.dumps(GPT2_CONFIG, indent=2))
    return path
