#!/usr/bin/env python3
"""Write a run-overrides document (pdcost.run-overrides/1) that restates, for Megatron-Bridge
performance-table runs, the switches their launch recipes set and the table does not print.

The published tables (docs/performance-summary*.md) give layout, batch and precision; the
recipes that produced them (scripts/performance/configs/<family>/, one git tag per NeMo
container) also choose the MoE dispatcher, EP overlap, CUDA graphs, FP8 recipe and recomputed
modules. This script reads those recipe files from a Megatron-Bridge checkout, matches each
run of a runs file to the recipe preset with its GPU, precision and layout, and writes the
preset's switches as an override entry citing tag, file and preset. A run whose layout no
preset at its tag has is left alone (and listed), never guessed.

    python3 scripts/megatron_bridge_overrides.py --bridge PATH/TO/Megatron-Bridge \\
        --runs ../shared/validation/dev_runs.json --out docs/validation/megatron-bridge-recipes.overrides.json

Reads: each run's `source` (the container release of the table it came from), `hardware`,
`parallel`, `training`, `model` and `settings.fp8_recipe`; never `notes`.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from typing import Any

# NeMo container → Megatron-Bridge tag it ships (tag dates: v0.3.0 2026-02-26, v0.3.1 03-20,
# v0.4.0 04-16, v0.4.2 05-28, v0.5.0 06-16, v0.5.1 07-20; each tag's docs/performance-summary.md
# adds that container, except 26.06.01, whose table was cherry-picked into r0.5.0 on 07-22
# (#4997) after v0.5.1, the last tag of that branch). 26.08 (v0.6.0) moved the presets into
# src/megatron/bridge/perf_recipes, which this script does not read: its rows stay as published.
TAGS = {"26.02": "v0.3.0", "26.02.01": "v0.3.1", "26.04": "v0.4.0", "26.04.01": "v0.4.2",
        "26.06": "v0.5.0", "26.06.01": "v0.5.1"}

# Recipe families: (directory, presets files (the first a tag has), launch files (likewise),
# preset prefix, function prefix).
FAMILIES = {
    "qwen3_moe_235b": ("qwen", ("qwen3_workload_base_configs.py",), ("qwen3_llm_pretrain.py",),
                       "QWEN3_235B_A22B_PRETRAIN_CONFIG", "qwen3_235b_a22b"),
    "qwen3_moe_30b": ("qwen", ("qwen3_workload_base_configs.py",), ("qwen3_llm_pretrain.py",),
                      "QWEN3_30B_A3B_PRETRAIN_CONFIG", "qwen3_30b_a3b"),
    "deepseek_v3": ("deepseek", ("deepseek_workload_base_configs.py",), ("deepseek_llm_pretrain.py",),
                    "DEEPSEEK_V3_PRETRAIN_CONFIG", "deepseek_v3"),
    "gpt_oss_120b": ("gpt_oss", ("gpt_oss_workload_base_configs.py",), ("gpt_oss_llm_pretrain.py",),
                     "GPT_OSS_120B_PRETRAIN_CONFIG", "gpt_oss_120b"),
    # Nemotron 3 presets: their own file at v0.3.1, nemotron_3_*.py from v0.4.0.
    "nemotron_3_nano": ("nemotronh", ("nemotron_3_workload_base_configs.py", "nemotron_3_nano_workload_base_configs.py"),
                        ("nemotron_3_llm_pretrain.py", "nemotron_3_nano_llm_pretrain.py"),
                        "NEMOTRON_3_NANO_PRETRAIN_CONFIG", "nemotron_3_nano"),
    "nemotron_3_super": ("nemotronh", ("nemotron_3_workload_base_configs.py",), ("nemotron_3_llm_pretrain.py",),
                         "NEMOTRON_3_SUPER_PRETRAIN_CONFIG", "nemotron_3_super"),
}

GPU_NAMES = {"H100-SXM-80GB": "H100", "B200": "B200", "B300": "B300", "GB200": "GB200", "GB300": "GB300"}


def git_show(repo: str, tag: str, path: str) -> str | None:
    """A file at a tag, or None where the tag does not have it."""
    result = subprocess.run(["git", "-C", repo, "show", f"{tag}:{path}"], capture_output=True, text=True)
    if result.returncode != 0:
        if "does not exist" in result.stderr or "exists on disk, but not in" in result.stderr:
            return None
        raise SystemExit(f"{repo}: cannot read {tag}:{path}: {result.stderr.strip()}")
    return result.stdout


def first_file(repo: str, tag: str, directory: str, names: tuple[str, ...]) -> tuple[str, str] | None:
    """(name, text) of the first of `names` the tag has under scripts/performance/configs/<directory>."""
    for name in names:
        text = git_show(repo, tag, f"scripts/performance/configs/{directory}/{name}")
        if text is not None:
            return name, text
    return None


def presets(source: str) -> dict[str, dict[str, Any]]:
    """The module-level presets of a *_workload_base_configs.py, evaluated with stand-ins for
    WorkloadBaseConfig and dataclasses.replace (plain keyword records)."""
    text = re.sub(r"^(from|import) .*$", "", source, flags=re.M)
    namespace: dict[str, Any] = {
        "WorkloadBaseConfig": lambda **kw: dict(kw),
        "replace": lambda base, **kw: {**base, **kw},
    }
    exec(compile(text, "<presets>", "exec"), namespace)  # noqa: S102 - the recipe's own file
    return {k: v for k, v in namespace.items() if k.isupper() and isinstance(v, dict)}


def launch_switches(source: str, function_prefix: str, gpu: str) -> dict[str, Any]:
    """What the launch function `<prefix>_pretrain_config_<gpu>` sets itself."""
    match = re.search(rf"def {function_prefix}_pretrain_config_{gpu}\(.*?(?=\ndef |\Z)", source, flags=re.S)
    if not match:
        return {}
    body = match.group(0)
    out: dict[str, Any] = {}
    if m := re.search(r'moe_token_dispatcher_type = "(\w+)"', body):
        out["dispatcher_type"] = m.group(1)
    if m := re.search(r"tp_comm_overlap=(True|False)", body):
        out["tp_comm_overlap"] = m.group(1) == "True"
    # From v0.5.0 an MXFP8 launch under full-iteration CUDA graphs calls set_full_iter_cg_configs,
    # which pads the experts and gives HybridEP a static rank budget so that nothing waits for the
    # host (`moe_expert_rank_capacity_factor = 1.5`, defined in the same file).
    if "set_full_iter_cg_configs(cfg)" in body and (
            m := re.search(r"moe_expert_rank_capacity_factor = ([0-9.]+)", source)):
        out["full_iteration_rank_capacity"] = float(m.group(1))
    return out


def family_of(run: dict[str, Any]) -> str | None:
    model = run.get("model") or {}
    if model.get("model_type") == "qwen3_moe":
        return "qwen3_moe_235b" if model.get("num_hidden_layers") == 94 else "qwen3_moe_30b"
    if model.get("model_type") == "deepseek_v3":
        return "deepseek_v3"
    if model.get("model_type") == "gpt_oss" and model.get("num_hidden_layers") == 36:
        return "gpt_oss_120b"
    if model.get("model_type") == "nemotron_h":
        # Nemotron 3 Nano: 128 routed experts; Super: 512 (their published config.json files).
        if model.get("num_hidden_layers") in (52, 88):
            return {128: "nemotron_3_nano", 512: "nemotron_3_super"}.get(model.get("n_routed_experts"))
    return None


def release_of(run: dict[str, Any]) -> str | None:
    m = re.search(r"'(\d\d\.\d\d(?:\.\d\d)?) NeMo Container'", run.get("source") or "")
    return m.group(1) if m else None


def layout_matches(preset: dict[str, Any], run: dict[str, Any]) -> bool:
    p, t, hw = run["parallel"], run["training"], run["hardware"]
    want = {
        "num_gpus": hw["num_gpus"], "global_batch_size": t["global_batch_size"],
        "tensor_model_parallel_size": p.get("tp") or 1, "pipeline_model_parallel_size": p.get("pp") or 1,
        "virtual_pipeline_model_parallel_size": p.get("vpp") or 1,
        "expert_model_parallel_size": p.get("ep") or 1, "micro_batch_size": t.get("micro_batch_size") or 1,
    }
    defaults = {"tensor_model_parallel_size": 1, "pipeline_model_parallel_size": 1,
                "virtual_pipeline_model_parallel_size": 1, "expert_model_parallel_size": 1, "micro_batch_size": 1}
    for key, value in want.items():
        have = preset.get(key, defaults.get(key))
        if have is None and key == "virtual_pipeline_model_parallel_size":
            have = 1
        if have != value:
            return False
    return True


def switches(preset: dict[str, Any], launch: dict[str, Any], gpu: str, precision: str) -> tuple[dict, dict]:
    """Settings and training values of a preset, in pdcost's runs-file terms."""
    settings: dict[str, Any] = {}
    training: dict[str, Any] = {}
    backend = preset.get("moe_flex_dispatcher_backend")
    kind = launch.get("dispatcher_type")
    if kind is None:
        # Before v0.3.1 the recipe applies the preset's backend (flex) when one is named
        # (recipes/qwen/qwen3_moe.py, deepseek_v3.py: apply_flex_dispatcher_backend), else alltoall.
        kind = "flex" if backend else "alltoall"
    if kind == "alltoall":
        settings["moe_token_dispatcher"] = "alltoall"
    elif backend in ("hybridep", "deepep"):
        settings["moe_token_dispatcher"] = backend
    if "moe_a2a_overlap" in preset:
        settings["moe_overlap_expert_comm"] = bool(preset["moe_a2a_overlap"])
    if preset.get("cuda_graph_impl") == "full_iteration":
        # The whole step captured (utils/overrides.py `_set_cuda_graph_overrides`; the scope is
        # left empty): graphed, with the rank budget the launch sets for MXFP8.
        settings["cuda_graphs"] = True
        if precision == "FP8_MX" and "full_iteration_rank_capacity" in launch:
            settings["moe_expert_rank_capacity_factor"] = launch["full_iteration_rank_capacity"]
    elif "cuda_graph_impl" in preset:
        settings["cuda_graphs"] = preset["cuda_graph_impl"] in ("transformer_engine", "local") and bool(
            preset.get("cuda_graph_scope", True))
    elif "cuda_graph_scope" in preset:
        settings["cuda_graphs"] = False  # a scope without an implementation: the recipe's "none"
    # v0.5.0 utils/overrides.py `set_workload_base_configs`: `cutedsl_fused_grouped_mlp` turns on
    # `use_transformer_engine_op_fuser`; `fp8_dot_product_attention` is TE's FP8 attention.
    if preset.get("cutedsl_fused_grouped_mlp"):
        settings["te_op_fuser"] = True
    if preset.get("fp8_dot_product_attention") is not None:
        settings["fp8_attention"] = bool(preset["fp8_dot_product_attention"])
    if gpu == "H100":
        settings["fp8_recipe"] = "current"  # the H100 presets are FP8_CS (current scaling)
    if "tp_comm_overlap" in launch:
        settings["tp_comm_overlap"] = launch["tp_comm_overlap"]
    if preset.get("recompute_modules"):
        training["recompute"] = "selective"
        training["recompute_modules"] = list(preset["recompute_modules"])
    if preset.get("cpu_offloading_num_layers"):
        settings["activation_offload_layers"] = int(preset["cpu_offloading_num_layers"])
    return settings, training


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bridge", required=True, help="a Megatron-Bridge git checkout (with its tags)")
    parser.add_argument("--runs", required=True, help="a pdcost.runs/1 file")
    parser.add_argument("--out", required=True, help="where to write the overrides document")
    args = parser.parse_args()
    with open(args.runs, encoding="utf-8") as f:
        runs = json.load(f)["runs"]

    cache: dict[tuple[str, str], tuple[str, dict, str, str] | None] = {}
    groups: dict[str, dict[str, Any]] = {}
    unmatched: list[str] = []
    for run in runs:
        family, release = family_of(run), release_of(run)
        if run.get("kind") != "training" or family is None or release not in TAGS:
            continue
        tag = TAGS[release]
        directory, presets_files, launch_files, preset_prefix, function_prefix = FAMILIES[family]
        if (tag, family) not in cache:
            found = first_file(args.bridge, tag, directory, presets_files)
            launch = first_file(args.bridge, tag, directory, launch_files)
            cache[(tag, family)] = (found[0], presets(found[1]), launch[0], launch[1]) if found and launch else None
        if cache[(tag, family)] is None:
            unmatched.append(f"{run['id']}: no {family} presets at {tag}")
            continue
        presets_file, table, launch_file, launch_source = cache[(tag, family)]
        gpu = GPU_NAMES.get(run["hardware"]["gpu"])
        dtype = (run.get("training") or {}).get("dtype")
        precision = "BF16" if dtype == "bf16" else ("FP8_CS" if gpu == "H100" else "FP8_MX")
        if (run.get("settings") or {}).get("fp8_recipe") not in (None, "mxfp8", "current"):
            unmatched.append(f"{run['id']}: fp8_recipe {run['settings']['fp8_recipe']}")
            continue
        names = [n for n in (f"{preset_prefix}_{gpu}_{precision}_V2", f"{preset_prefix}_{gpu}_{precision}_V1",
                             f"{preset_prefix}_{gpu}_V2", f"{preset_prefix}_{gpu}_V1")
                 if n in table and layout_matches(table[n], run)]
        if not names:
            unmatched.append(f"{run['id']}: no {gpu} {precision} preset at {tag} has its layout")
            continue
        settings, training = switches(table[names[0]], launch_switches(launch_source, function_prefix,
                                                                       gpu.lower()), gpu, precision)
        source = (f"NVIDIA-NeMo/Megatron-Bridge@{tag}:scripts/performance/configs/{directory}/"
                  f"{presets_file} {names[0]}, {launch_file} {function_prefix}_pretrain_config_{gpu.lower()}")
        key = json.dumps([source, settings, training], sort_keys=True)
        entry = groups.setdefault(key, {"ids": [], "source": source, "settings": settings})
        if training:
            entry["training"] = training
        entry["ids"].append(run["id"])

    document = {
        "schema": "pdcost.run-overrides/1",
        "description": "Switches the Megatron-Bridge recipes set for their published MoE performance "
                       "rows and the tables do not print; generated by scripts/megatron_bridge_overrides.py.",
        "overrides": list(groups.values()),
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=1)
        f.write("\n")
    print(f"{sum(len(g['ids']) for g in groups.values())} runs restated in {len(groups)} entries; "
          f"{len(unmatched)} left as published:", file=sys.stderr)
    for line in unmatched:
        print(f"  {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
