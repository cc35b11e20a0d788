"""scripts/megatron_bridge_overrides.py: the recipe switches it restates for a published row,
read from a Megatron-Bridge checkout at the tag of the row's container. The checkout here is a
throw-away git repository holding preset files in Megatron-Bridge's layout; the values asserted
are the ones those files state."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def load_script():
    spec = importlib.util.spec_from_file_location("megatron_bridge_overrides",
                                                  ROOT / "scripts" / "megatron_bridge_overrides.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


# A GPT-OSS preset file as Megatron-Bridge writes them (v0.5.0 scripts/performance/configs/gpt_oss/
# gpt_oss_workload_base_configs.py, trimmed): GB200 at EP 64 recomputes two modules and runs
# HybridEP with the all-to-all overlapped; the base preset is the H100 layout.
GPT_OSS_PRESETS = '''
from dataclasses import replace
from utils.utils import WorkloadBaseConfig

BASE_GPT_OSS_120B_CONFIG = WorkloadBaseConfig(
    num_gpus=64,
    expert_model_parallel_size=8,
    expert_tensor_parallel_size=1,
    global_batch_size=512,
    micro_batch_size=1,
)
GPT_OSS_120B_PRETRAIN_CONFIG_GB200_BF16_V1 = replace(
    BASE_GPT_OSS_120B_CONFIG,
    expert_model_parallel_size=64,
    micro_batch_size=4,
    recompute_modules=["layernorm", "moe_act"],
)
GPT_OSS_120B_PRETRAIN_CONFIG_GB200_BF16_V2 = replace(
    GPT_OSS_120B_PRETRAIN_CONFIG_GB200_BF16_V1,
    global_batch_size=1280,
    moe_flex_dispatcher_backend="hybridep",
    moe_a2a_overlap=True,
)
GPT_OSS_120B_PRETRAIN_CONFIG_GB200_FP8_MX_V2 = replace(
    GPT_OSS_120B_PRETRAIN_CONFIG_GB200_BF16_V2,
    cpu_offloading_num_layers=4,
    recompute_modules=None,
)
GPT_OSS_120B_PRETRAIN_CONFIG_GB300_FP8_MX_V2 = replace(
    BASE_GPT_OSS_120B_CONFIG,
    expert_model_parallel_size=16,
    micro_batch_size=4,
    global_batch_size=1280,
    moe_flex_dispatcher_backend="hybridep",
    cuda_graph_impl="full_iteration",
    cuda_graph_scope=[],
    cutedsl_fused_grouped_mlp=True,
    fp8_dot_product_attention=True,
)
'''

GPT_OSS_LAUNCH = '''
def set_full_iter_cg_configs(cfg):
    cfg.model.moe_expert_rank_capacity_factor = 1.5


def gpt_oss_120b_pretrain_config_gb300(precision="bf16"):
    if precision == "fp8_mx" and is_full_iteration_cuda_graph(cfg.model):
        set_full_iter_cg_configs(cfg)


def gpt_oss_120b_pretrain_config_gb200(precision="bf16"):
    return None
'''

# Nemotron 3 Super's presets (v0.5.0 nemotronh/nemotron_3_workload_base_configs.py, trimmed).
NEMOTRON_PRESETS = '''
BASE_NEMOTRON_3_SUPER_CONFIG = WorkloadBaseConfig(
    num_gpus=64,
    global_batch_size=512,
    micro_batch_size=1,
    tensor_model_parallel_size=1,
    expert_tensor_parallel_size=1,
    expert_model_parallel_size=64,
    moe_flex_dispatcher_backend="hybridep",
    cuda_graph_impl="transformer_engine",
    cuda_graph_scope=["attn", "mamba", "moe_router", "moe_preprocess"],
)
NEMOTRON_3_SUPER_PRETRAIN_CONFIG_GB300_FP8_MX_V1 = BASE_NEMOTRON_3_SUPER_CONFIG
'''


def row(run_id: str, container: str, gpu: str, dtype: str, model: dict, ep: int, mbs: int, gbs: int) -> dict:
    return {
        "id": run_id, "kind": "training",
        "source": f"NVIDIA-NeMo/Megatron-Bridge@abc:docs/performance-summary.md:1 -- '{container} NeMo Container' table",
        "model": model, "hardware": {"gpu": gpu, "num_gpus": 64, "gpus_per_node": 72},
        "parallel": {"tp": 1, "pp": 1, "vpp": None, "cp": 1, "ep": ep},
        "training": {"seq_len": 4096, "micro_batch_size": mbs, "global_batch_size": gbs, "dtype": dtype},
        "settings": {"fp8_recipe": "mxfp8" if dtype == "fp8" else None},
        "measured": {"tokens_per_s_per_gpu": 1.0},
    }


GPT_OSS = {"model_type": "gpt_oss", "num_hidden_layers": 36}
SUPER = {"model_type": "nemotron_h", "num_hidden_layers": 88, "n_routed_experts": 512}


@pytest.fixture()
def bridge(tmp_path: Path) -> Path:
    """A git repository with the preset files above, tagged v0.5.0 (the 26.06 container's)."""
    repo = tmp_path / "bridge"
    configs = repo / "scripts" / "performance" / "configs"
    (configs / "gpt_oss").mkdir(parents=True)
    (configs / "nemotronh").mkdir(parents=True)
    (configs / "gpt_oss" / "gpt_oss_workload_base_configs.py").write_text(GPT_OSS_PRESETS)
    (configs / "gpt_oss" / "gpt_oss_llm_pretrain.py").write_text(GPT_OSS_LAUNCH)
    (configs / "nemotronh" / "nemotron_3_workload_base_configs.py").write_text(NEMOTRON_PRESETS)
    (configs / "nemotronh" / "nemotron_3_llm_pretrain.py").write_text("")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "presets"], check=True)
    subprocess.run([*git, "tag", "v0.5.0"], check=True)
    return repo


def generate(bridge: Path, tmp_path: Path, runs: list[dict]) -> tuple[dict, str]:
    runs_file = tmp_path / "runs.json"
    runs_file.write_text(json.dumps({"schema": "pdcost.runs/1", "runs": runs}))
    out = tmp_path / "overrides.json"
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "megatron_bridge_overrides.py"),
                             "--bridge", str(bridge), "--runs", str(runs_file), "--out", str(out)],
                            capture_output=True, text=True, check=True)
    return json.loads(out.read_text()), result.stderr


def entry_for(document: dict, run_id: str) -> dict:
    return next(e for e in document["overrides"] if run_id in e["ids"])


def test_gpt_oss_and_nemotron_rows_get_their_presets_switches(bridge: Path, tmp_path: Path) -> None:
    runs = [
        row("oss_bf16", "26.06", "GB200", "bf16", GPT_OSS, ep=64, mbs=4, gbs=1280),
        row("oss_mx", "26.06", "GB200", "fp8", GPT_OSS, ep=64, mbs=4, gbs=1280),
        row("super", "26.06", "GB300", "fp8", SUPER, ep=64, mbs=1, gbs=512),
        row("oss_graphed", "26.06", "GB300", "fp8", GPT_OSS, ep=16, mbs=4, gbs=1280),
    ]
    document, _ = generate(bridge, tmp_path, runs)
    bf16 = entry_for(document, "oss_bf16")
    assert "GPT_OSS_120B_PRETRAIN_CONFIG_GB200_BF16_V2" in bf16["source"]
    assert bf16["settings"] == {"moe_token_dispatcher": "hybridep", "moe_overlap_expert_comm": True}
    assert bf16["training"] == {"recompute": "selective", "recompute_modules": ["layernorm", "moe_act"]}
    # The MXFP8 preset offloads four layers' activations and recomputes nothing.
    mx = entry_for(document, "oss_mx")
    assert "GB200_FP8_MX_V2" in mx["source"]
    assert mx["settings"]["activation_offload_layers"] == 4
    assert "training" not in mx
    nemotron = entry_for(document, "super")
    assert "NEMOTRON_3_SUPER_PRETRAIN_CONFIG_GB300_FP8_MX_V1" in nemotron["source"]
    assert nemotron["settings"] == {"moe_token_dispatcher": "hybridep", "cuda_graphs": True}
    # Full-iteration graphs: the whole step graphed, HybridEP given the launch file's static rank
    # budget (set_full_iter_cg_configs, MXFP8 only), the fused grouped MLP (TE op fuser), FP8 attention.
    graphed = entry_for(document, "oss_graphed")
    assert graphed["settings"] == {"moe_token_dispatcher": "hybridep", "cuda_graphs": True,
                                   "moe_expert_rank_capacity_factor": 1.5, "te_op_fuser": True,
                                   "fp8_attention": True}


def test_rows_without_a_matching_preset_or_tag_stay_as_published(bridge: Path, tmp_path: Path) -> None:
    runs = [
        # EP 16 is no GB200 preset's layout.
        row("other_layout", "26.06", "GB200", "bf16", GPT_OSS, ep=16, mbs=4, gbs=1280),
        # 26.04 ships v0.4.0, which this checkout does not have.
        row("other_tag", "26.04", "GB200", "bf16", GPT_OSS, ep=64, mbs=4, gbs=1280),
        # 26.08's presets live elsewhere (perf_recipes): not read.
        row("unread", "26.08", "GB200", "bf16", GPT_OSS, ep=64, mbs=4, gbs=1280),
    ]
    module = load_script()
    assert "26.08" not in module.TAGS
    with pytest.raises(subprocess.CalledProcessError) as missing_tag:
        generate(bridge, tmp_path, runs)
    assert "v0.4.0" in missing_tag.value.stderr
    document, stderr = generate(bridge, tmp_path, runs[:1] + runs[2:])
    assert document["overrides"] == []
    assert "other_layout: no GB200 BF16 preset at v0.5.0 has its layout" in stderr


def test_families_are_read_from_the_config_not_the_name() -> None:
    module = load_script()
    assert module.family_of({"model": GPT_OSS}) == "gpt_oss_120b"
    assert module.family_of({"model": SUPER}) == "nemotron_3_super"
    assert module.family_of({"model": {**SUPER, "num_hidden_layers": 52, "n_routed_experts": 128}}) == "nemotron_3_nano"
    # A Nemotron-H without routed experts (the dense 56B) has no MoE preset family.
    assert module.family_of({"model": {"model_type": "nemotron_h", "num_hidden_layers": 118}}) is None
