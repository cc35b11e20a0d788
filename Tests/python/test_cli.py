"""The `pdcost` command line, run as a subprocess like a user would."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pdcost import GPUSpec, ModelConfig


def run(*args: str, entry_point: bool = False) -> subprocess.CompletedProcess:
    if entry_point:
        script = Path(sys.executable).parent / "pdcost"
        command = [str(script)] if script.exists() else [shutil.which("pdcost") or "pdcost"]
    else:
        command = [sys.executable, "-m", "pdcost.cli"]
    return subprocess.run(command + list(args), capture_output=True, text=True, timeout=60)


def test_model_table():
    result = run("model", "qwen3-30b-a3b")
    assert result.returncode == 0, result.stderr
    model = ModelConfig.from_name("qwen3-30b-a3b")
    text = result.stdout
    assert "qwen3-30b-a3b" in text
    assert f"{model.num_parameters():,}" in text
    assert f"{model.num_active_parameters():,}" in text
    assert "30.53 B" in text and "3.35 B" in text
    for component in ("embedding", "attention", "routed_experts", "router", "norms", "lm_head"):
        assert component in text
    assert "causal mask" in text and "full mask" in text and "training" in text
    assert result.stderr == ""


def test_model_json_matches_the_api():
    result = run("model", "llama3-8b", "--seq-len", "4096", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    model = ModelConfig.from_name("llama3-8b")
    assert report["name"] == "llama3-8b"
    assert report["parameters"]["total"] == 8_030_261_248
    assert report["parameters"]["active"] == model.num_active_parameters()
    assert report["parameters"]["components"] == model.parameter_breakdown()
    flops = report["flops_per_token"]
    assert flops["seq_len"] == 4096
    assert flops["causal"]["training"] == model.flops_per_token(4096).training
    assert flops["full"]["training"] == model.flops_per_token(4096, causal=False).training
    assert ModelConfig.from_dict(report["config"]) == model


def test_model_from_a_config_file(hf_config_files):
    path = next(p for p in hf_config_files if "Qwen3-30B-A3B" in p.name)
    result = run("model", str(path), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["parameters"]["total"] == \
        ModelConfig.from_name("qwen3-30b-a3b").num_parameters()


def test_entry_point_script():
    if not (Path(sys.executable).parent / "pdcost").exists() and not shutil.which("pdcost"):
        pytest.skip("the pdcost script is not installed (package not installed with pip)")
    result = run("model", "gpt2", entry_point=True)
    assert result.returncode == 0, result.stderr
    assert "124,439,808" in result.stdout


def test_unknown_model_lists_presets_and_exits_2():
    result = run("model", "llama-9000")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "llama-9000" in lines[0]
    for name in ModelConfig.presets():
        assert name in lines[0]


@pytest.mark.parametrize("args", [
    ["model", "/no/such/config.json"],
    ["model", "gpt2", "--seq-len", "0"],
    ["model", "gpt2", "--seq-len", "lots"],
    ["gpu", "Voodoo5"],
    ["frobnicate"],
    [],
])
def test_user_errors_are_one_line_without_traceback(args, tmp_path):
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()


def test_invalid_config_file(tmp_path):
    bad = tmp_path / "config.json"
    bad.write_text('{"architectures": ["LlamaForCausalLM"], "hidden_size": 4096}')
    result = run("model", str(bad))
    assert result.returncode == 2
    assert "num_hidden_layers" in result.stderr or "intermediate_size" in result.stderr \
        or "num_attention_heads" in result.stderr or "vocab_size" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_gpu_list_and_one():
    result = run("gpu")
    assert result.returncode == 0, result.stderr
    for name in GPUSpec.presets():
        assert name in result.stdout
    one = run("gpu", "H100-80GB-HBM3", "--json")
    assert one.returncode == 0
    assert GPUSpec.from_dict(json.loads(one.stdout)) == GPUSpec.from_name("H100-SXM-80GB")
    everything = json.loads(run("gpu", "--json").stdout)
    assert [g["name"] for g in everything] == list(GPUSpec.presets())


def test_version():
    result = run("--version")
    assert result.returncode == 0
    import pdcost
    assert result.stdout.strip() == f"pdcost {pdcost.__version__} (libpdcost {pdcost.library_version()})"
